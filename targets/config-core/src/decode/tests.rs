//! Decoding checked through one helper per token kind.

use super::*;

#[track_caller]
fn check_scalar(atom: &str, expected: Scalar) {
    assert_eq!(scalar(atom.as_bytes()), Ok(expected), "atom `{atom}`");
}

#[track_caller]
fn check_rejected(atom: &str) {
    assert!(
        scalar(atom.as_bytes()).is_err(),
        "atom `{atom}` was accepted"
    );
}

#[track_caller]
fn check_escapes(body: &str, multiline: bool, expected: &str) {
    let mut out = String::new();
    basic_escapes(body.as_bytes(), multiline, &mut out).expect("valid escapes");
    assert_eq!(out, expected);
}

#[test]
fn integers() {
    check_scalar("0", Scalar::Integer(0));
    check_scalar("+17", Scalar::Integer(17));
    check_scalar("-17", Scalar::Integer(-17));
    check_scalar("1_000", Scalar::Integer(1000));
    check_scalar("0xDEAD_beef", Scalar::Integer(0xdead_beef));
    check_scalar("0o755", Scalar::Integer(0o755));
    check_scalar("0b1101", Scalar::Integer(0b1101));
    check_scalar("9223372036854775807", Scalar::Integer(i64::MAX));
    check_scalar("-9223372036854775808", Scalar::Integer(i64::MIN));
    for bad in [
        "01",
        "1__0",
        "_1",
        "1_",
        "+0x1",
        "0x",
        "0x_1",
        "9223372036854775808",
        "0b2",
        "1x",
    ] {
        check_rejected(bad);
    }
}

#[test]
fn floats() {
    check_scalar("2.5", Scalar::Float(2.5));
    check_scalar("-0.0", Scalar::Float(-0.0));
    check_scalar("5e+22", Scalar::Float(5e22));
    check_scalar("6.626e-34", Scalar::Float(6.626e-34));
    check_scalar("1e0_6", Scalar::Float(1e6));
    check_scalar("224_617.445_991", Scalar::Float(224_617.445_991));
    check_scalar("-inf", Scalar::Float(f64::NEG_INFINITY));
    for bad in [
        "1.", ".5", "1.e5", "03.14", "1e", "1.5_", "nan1", "+-1.0", "1e_5",
    ] {
        check_rejected(bad);
    }
    assert!(matches!(scalar(b"nan"), Ok(Scalar::Float(f)) if f.is_nan()));
}

#[test]
fn datetimes() {
    let dt = |s: &str| match scalar(s.as_bytes()) {
        Ok(Scalar::Datetime(d)) => d.to_string(),
        other => panic!("`{s}` gave {other:?}"),
    };
    assert_eq!(dt("1979-05-27T07:32:00Z"), "1979-05-27T07:32:00Z");
    assert_eq!(
        dt("1979-05-27 07:32:00.999999-07:00"),
        "1979-05-27T07:32:00.999999-07:00"
    );
    assert_eq!(dt("1979-05-27t07:32:00z"), "1979-05-27T07:32:00Z");
    assert_eq!(dt("1979-05-27"), "1979-05-27");
    assert_eq!(dt("07:32:00.5"), "07:32:00.5");
    assert_eq!(dt("2000-02-29"), "2000-02-29");
    assert_eq!(
        dt("1979-05-27T00:00:00.1234567891"),
        "1979-05-27T00:00:00.123456789"
    );
    for bad in [
        "1979-02-29",
        "1979-13-01",
        "1979-00-01",
        "1979-05-32",
        "07:32",
        "25:00:00",
        "1979-05-27T07:32:00+24:00",
        "07:32:00Z",
        "1979-05-27T07:32:00.",
        "1979-5-27",
        "10000-01-01",
    ] {
        check_rejected(bad);
    }
}

#[test]
fn escapes() {
    check_escapes(r#"a\tb\n\"\\\u00e9\U0001F600"#, false, "a\tb\n\"\\é😀");
    check_escapes("a\\  \n  \n b", true, "ab");
    let mut out = String::new();
    for bad in [r"\x41", r"\uD800", r"\u12", r"\e", r"\ "] {
        out.clear();
        assert!(
            basic_escapes(bad.as_bytes(), false, &mut out).is_err(),
            "{bad}"
        );
    }
    assert!(basic_escapes(b"\\ x", true, &mut out).is_err());
}
