//! The tagged JSON encoder: float texts, string escaping, and whole small documents.

use super::*;

#[track_caller]
fn check_float(f: f64, expected: &str) {
    let text = float_text(f);
    assert_eq!(text, expected, "text of {f:?}");
    if f.is_finite() {
        let back: f64 = text.parse().expect("finite float texts parse back");
        assert_eq!(back.to_bits(), f.to_bits(), "`{text}` round-trips");
    }
}

#[test]
fn floats_round_trip_in_their_shortest_form() {
    check_float(0.0, "0.0");
    check_float(-0.0, "-0.0");
    check_float(1.0, "1.0");
    check_float(0.1, "0.1");
    check_float(-2.5, "-2.5");
    check_float(1e300, "1e300");
    check_float(6.626e-34, "6.626e-34");
    check_float(5e22, "5e22");
    check_float(224617.445991228, "224617.445991228");
    check_float(f64::MAX, "1.7976931348623157e308");
    check_float(f64::MIN_POSITIVE, "2.2250738585072014e-308");
    check_float(5e-324, "5e-324");
    check_float(9007199254740991.0, "9007199254740991.0");
}

#[test]
fn special_floats_use_the_suite_spelling() {
    check_float(f64::INFINITY, "inf");
    check_float(f64::NEG_INFINITY, "-inf");
    check_float(f64::NAN, "nan");
    check_float(-f64::NAN, "nan");
}

#[track_caller]
fn check_string(s: &str, expected: &str) {
    let mut out = String::new();
    write_string(&mut out, s);
    assert_eq!(out, expected);
}

#[test]
fn strings_escape_quotes_backslashes_and_controls() {
    check_string("", r#""""#);
    check_string("plain", r#""plain""#);
    check_string(r#"say "hi""#, r#""say \"hi\"""#);
    check_string(r"C:\path", r#""C:\\path""#);
    check_string("a\nb\tc\rd", r#""a\u000ab\u0009c\u000dd""#);
    check_string("\u{0}\u{1f}\u{7f}", r#""\u0000\u001f\u007f""#);
    check_string("\u{8}\u{c}", r#""\u0008\u000c""#);
}

#[test]
fn non_ascii_passes_through() {
    check_string("é ∀ 😀 \u{2028}", "\"é ∀ 😀 \u{2028}\"");
    check_string("\"é\"\n", "\"\\\"é\\\"\\u000a\"");
}

#[test]
fn escaped_strings_are_valid_json() {
    let all: String = (0u32..0x300).filter_map(char::from_u32).collect();
    let mut out = String::new();
    write_string(&mut out, &all);
    let back: String = serde_json::from_str(&out).expect("the encoder writes valid JSON");
    assert_eq!(back, all);
}

#[track_caller]
fn check_doc(toml: &str, expected: &str) {
    let doc = crate::parse(toml).expect("the fixture is valid TOML");
    assert_eq!(to_tagged_json(&doc), expected);
}

#[test]
fn empty_document_is_an_empty_object() {
    check_doc("", "{}");
}

#[test]
fn scalars_are_tagged() {
    check_doc("a = 1", r#"{"a":{"type":"integer","value":"1"}}"#);
    check_doc("n = -42", r#"{"n":{"type":"integer","value":"-42"}}"#);
    check_doc("b = true", r#"{"b":{"type":"bool","value":"true"}}"#);
    check_doc("s = \"x\"", r#"{"s":{"type":"string","value":"x"}}"#);
    check_doc("f = 1e300", r#"{"f":{"type":"float","value":"1e300"}}"#);
    check_doc("f = -0.0", r#"{"f":{"type":"float","value":"-0.0"}}"#);
}

#[test]
fn datetimes_are_tagged_by_kind() {
    check_doc(
        "d = 1979-05-27 07:32:00z",
        r#"{"d":{"type":"datetime","value":"1979-05-27T07:32:00Z"}}"#,
    );
    check_doc(
        "d = 1979-05-27T07:32:00.5",
        r#"{"d":{"type":"datetime-local","value":"1979-05-27T07:32:00.5"}}"#,
    );
    check_doc(
        "d = 1979-05-27",
        r#"{"d":{"type":"date-local","value":"1979-05-27"}}"#,
    );
    check_doc(
        "d = 07:32:00",
        r#"{"d":{"type":"time-local","value":"07:32:00"}}"#,
    );
}

#[test]
fn tables_keep_document_order() {
    check_doc(
        "z = 1\na = 2\n[t]\ny = 3\nb = 4\n",
        concat!(
            r#"{"z":{"type":"integer","value":"1"},"a":{"type":"integer","value":"2"},"#,
            r#""t":{"y":{"type":"integer","value":"3"},"b":{"type":"integer","value":"4"}}}"#,
        ),
    );
}

#[test]
fn arrays_and_arrays_of_tables() {
    check_doc(
        "a = [1, [\"x\"], {k = false}]\n[[t]]\n[[t]]\nv = 1\n",
        concat!(
            r#"{"a":[{"type":"integer","value":"1"},[{"type":"string","value":"x"}],"#,
            r#"{"k":{"type":"bool","value":"false"}}],"#,
            r#""t":[{},{"v":{"type":"integer","value":"1"}}]}"#,
        ),
    );
}

#[test]
fn keys_are_escaped_like_strings() {
    check_doc(
        "\"q\\\"k\" = 1",
        r#"{"q\"k":{"type":"integer","value":"1"}}"#,
    );
}
