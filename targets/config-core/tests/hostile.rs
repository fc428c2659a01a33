//! Hostile input: whatever the bytes, the parser returns (a document or an error placed at a
//! real line and column) and never panics or overflows the stack.

use config_core::{MAX_NESTING, parse, parse_bytes};

const SMALL: &str = include_str!("../benches/data/small.toml");

/// Parses `input` and, on error, checks that the error points inside the input.
#[track_caller]
fn check_returns(input: &[u8]) {
    if let Err(e) = parse_bytes(input) {
        let lines = input.split(|&b| b == b'\n').count();
        assert!(
            e.line() >= 1 && e.line() <= lines,
            "line {} of {lines}",
            e.line()
        );
        assert!(e.column() >= 1, "column {}", e.column());
        assert!(e.span().start as usize <= input.len());
        assert!(
            e.to_string()
                .contains(&format!("line {}, column {}", e.line(), e.column()))
        );
    }
}

#[test]
fn every_prefix_of_a_config_returns() {
    let bytes = SMALL.as_bytes();
    for end in 0..=bytes.len() {
        check_returns(&bytes[..end]);
    }
}

#[test]
fn every_single_byte_mutation_of_a_config_returns() {
    // Bytes that are structural in TOML, control characters and a UTF-8 lead byte.
    let replacements = b"[]{}=,.\"'#\\\n\r\t \x00\x7f\xc3\xff0-+_:zT";
    let mut bytes = SMALL.as_bytes().to_vec();
    for at in 0..bytes.len() {
        let original = bytes[at];
        for &b in replacements {
            bytes[at] = b;
            check_returns(&bytes);
        }
        bytes[at] = original;
    }
}

#[test]
fn nesting_past_the_limit_is_an_error_not_a_stack_overflow() {
    for open in ["[", "{a="] {
        let input = format!("x = {}", open.repeat(1_000_000));
        let e = parse(&input).expect_err("nesting beyond the limit");
        assert!(
            e.message().contains(&MAX_NESTING.to_string()),
            "message: {}",
            e.message()
        );
    }
}

#[test]
fn control_characters_are_named_with_line_and_column() {
    for (input, line, column) in [
        ("a = 1\nb = \"x\u{1}y\"\n", 2, 7),
        ("# ok\n# bad \u{7f}\n", 2, 7),
        ("a = 'x\u{0}'\n", 1, 7),
    ] {
        let e = parse(input).expect_err("control character");
        assert_eq!((e.line(), e.column()), (line, column), "{e}");
        assert!(e.message().contains("control character"), "{e}");
    }
}

#[test]
fn invalid_utf8_is_named_with_line_and_column() {
    let e = parse_bytes(b"a = 1\nb = \"\xff\"\n").expect_err("not UTF-8");
    assert_eq!((e.line(), e.column()), (2, 6));
    assert!(e.message().contains("UTF-8"), "{e}");
}

#[test]
fn huge_flat_shapes_parse() {
    let headers = "[[a]]\n".repeat(200_000);
    let doc = parse(&headers).expect("valid");
    assert_eq!(
        doc.get("a").and_then(|v| v.as_array()).map(|a| a.len()),
        Some(200_000)
    );

    let wide: String = (0..100_000).map(|i| format!("k{i} = {i}\n")).collect();
    let doc = parse(&wide).expect("valid");
    assert_eq!(doc.root().len(), 100_000);
    assert_eq!(doc.get("k99999").and_then(|v| v.as_integer()), Some(99_999));

    let long = format!("s = \"{}\"\n", "x\\n".repeat(1_000_000));
    let doc = parse(&long).expect("valid");
    assert_eq!(
        doc.get("s").and_then(|v| v.as_str()).map(str::len),
        Some(2_000_000)
    );
}
