//! Findings of the cargo-fuzz targets (`fuzz/`, run by `scripts/fuzz.sh`) and the inputs used
//! to check the streaming reader against the parser, each pinned as a regression test.
//!
//! Every case is checked the same way (`check`): `parse_bytes` gives the expected outcome (the
//! tagged JSON of the document, or the exact error message), and `stream::check` agrees on
//! accept or reject, reading the input whole and through read buffers of 1 to 16 bytes (the
//! `stream` fuzz target's sizes), so that lines and sections arrive split across reads.

use std::io::BufReader;

use config_core::tagged::to_tagged_json;

/// What `parse_bytes` must give: the document's tagged JSON, or the error's message.
#[derive(Debug)]
enum Expect<'a> {
    Json(&'a str),
    Error(&'a str),
}

use Expect::{Error, Json};

/// Checks `input` against `expect`, and the streaming reader against the parser.
#[track_caller]
fn check(input: &[u8], expect: Expect<'_>) {
    let shown = String::from_utf8_lossy(input);
    let parsed = config_core::parse_bytes(input);
    match (&parsed, &expect) {
        (Ok(doc), Json(json)) => assert_eq!(to_tagged_json(doc), *json, "input {shown:?}"),
        (Err(e), Error(message)) => assert_eq!(e.message(), *message, "input {shown:?}"),
        (Ok(doc), Error(message)) => panic!(
            "input {shown:?}: expected the error `{message}`, parsed as {}",
            to_tagged_json(doc)
        ),
        (Err(e), Json(_)) => panic!("input {shown:?}: expected a document, got:\n{e}"),
    }
    let whole = config_core::stream::check(input);
    assert_eq!(
        whole.is_ok(),
        parsed.is_ok(),
        "input {shown:?}: stream::check gives {whole:?}",
    );
    for capacity in 1..=16 {
        let streamed = config_core::stream::check(BufReader::with_capacity(capacity, input));
        assert_eq!(
            streamed.is_ok(),
            parsed.is_ok(),
            "input {shown:?}, read {capacity} bytes at a time: stream::check gives {streamed:?}",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Findings.

/// Found by the `differential` target (config-core accepted, `toml` 0.8 rejected), minimised
/// from `0="""\<CR>"""<CR><LF>`. A backslash in a multi-line basic string may stand before a
/// newline (LF or CRLF) only, and a carriage return not followed by LF is a control character
/// TOML allows nowhere; config-core took the backslash and a lone CR as a line-ending
/// backslash and trimmed it away (`"""\<CR>"""` gave `""`, `"""x\<CR>  y"""` gave `"xy"`).
#[test]
fn backslash_before_a_lone_carriage_return_is_rejected() {
    let message =
        "expected the closing quote of a multi-line basic string, found a carriage return";
    for input in [
        &b"a = \"\"\"\\\r\"\"\""[..],
        b"a = \"\"\"\\\r\"\"\"\r\n",
        b"a = \"\"\"\\\r\r\n\"\"\"",
        b"a = \"\"\"x\\\r  y\"\"\"",
        b"[t]\r\na = \"\"\"\\\r\r\nb\"\"\"\r\n[u]\r\n",
    ] {
        check(input, Error(message));
    }
    let e = config_core::parse("a = \"\"\"\\\r\"\"\"").expect_err("a lone CR");
    assert_eq!((e.line(), e.column()), (1, 9), "the error points at the CR");
    // The same backslash before a CRLF, or before blanks and a CRLF, is a line-ending
    // backslash; blanks before a lone CR are still refused.
    check(
        b"a = \"\"\"x\\\r\n  y\"\"\"",
        Json(r#"{"a":{"type":"string","value":"xy"}}"#),
    );
    check(
        b"a = \"\"\"x\\ \t\r\n\r\n  y\"\"\"",
        Json(r#"{"a":{"type":"string","value":"xy"}}"#),
    );
    check(b"a = \"\"\"x\\ \ry\"\"\"", Error(message));
}

/// Found by the `parse` target (the streaming reader rejected what the parser accepts), from
/// `<BOM>[a]\nfoo="r"\n[a.b]\no="r"\n`. The parser skips a byte order mark at the start of
/// the document; the streaming reader did not see past it when looking for a header on the
/// first line, so it read `[a]` as part of the section before any header, recorded `a` as a
/// value (a closed inline table), and refused the later `[a.b]` ("cannot extend inline
/// table") or `[[a]]` ("cannot append to array value").
#[test]
fn byte_order_mark_before_a_first_header() {
    check(
        "\u{feff}[a]\nfoo=\"r\"\n[a.b]\no=\"r\"\n".as_bytes(),
        Json(
            r#"{"a":{"foo":{"type":"string","value":"r"},"b":{"o":{"type":"string","value":"r"}}}}"#,
        ),
    );
    // As `cargo fuzz tmin` left them (`parse` and `stream` targets).
    check("\u{feff}[a]\n[a.b]".as_bytes(), Json(r#"{"a":{"b":{}}}"#));
    check(
        "\u{feff}['']\n[\"\".a]".as_bytes(),
        Json(r#"{"":{"a":{}}}"#),
    );
    check(
        "\u{feff}[[a]]\nx = 1\n[[a]]\nx = 2\n".as_bytes(),
        Json(
            r#"{"a":[{"x":{"type":"integer","value":"1"}},{"x":{"type":"integer","value":"2"}}]}"#,
        ),
    );
    check(
        "\u{feff} \t[a]\r\n[a.b]\r\n".as_bytes(),
        Json(r#"{"a":{"b":{}}}"#),
    );
    check(
        "\u{feff}a = 1\n[b]\n".as_bytes(),
        Json(r#"{"a":{"type":"integer","value":"1"},"b":{}}"#),
    );
    check(
        "\u{feff}[a]\n[a]\n".as_bytes(),
        Error("duplicate table header `a`"),
    );
    // A mark anywhere else is not skipped, by either.
    check(
        "\u{feff}\u{feff}[a]\n".as_bytes(),
        Error("expected a key, found U+FEFF"),
    );
    check(
        "\n\u{feff}[a]\n".as_bytes(),
        Error("expected a key, found U+FEFF"),
    );
    check(
        "[a]\n\u{feff}[b]\n".as_bytes(),
        Error("expected a key, found U+FEFF"),
    );
}

/// Seen by the `differential` target, a legitimate difference: TOML 1.0 lets a parser
/// normalise the newlines of a multi-line string; `toml` 0.8 turns CRLF into LF, config-core
/// keeps what was written. Escaped `\r\n` is a CR and an LF either way.
#[test]
fn multiline_strings_keep_crlf_as_written() {
    check(
        b"a = '''x\r\ny'''\r\n",
        Json(r#"{"a":{"type":"string","value":"x\u000d\u000ay"}}"#),
    );
    check(
        b"a = \"\"\"\r\nx\r\ny\"\"\"\r\n",
        Json(r#"{"a":{"type":"string","value":"x\u000d\u000ay"}}"#),
    );
    // The first newline after the delimiter is trimmed; the escape and the CRLF are kept.
    check(
        b"a = \"\"\"\r\n\\r\\n\r\n\"\"\"",
        Json(r#"{"a":{"type":"string","value":"\u000d\u000a\u000d\u000a"}}"#),
    );
}

/// Seen by the `differential` target, a legitimate difference: a decimal float too large for
/// an `f64` rounds to infinity in config-core (either sign), where `toml` 0.8 refuses the
/// positive one only. TOML 1.0 says nothing of float overflow.
#[test]
fn float_overflow_rounds_to_infinity() {
    check(
        b"a = 1e999",
        Json(r#"{"a":{"type":"float","value":"inf"}}"#),
    );
    check(
        b"a = -1e999",
        Json(r#"{"a":{"type":"float","value":"-inf"}}"#),
    );
    check(
        b"max_float = 9_007e199_2_199_2\n",
        Json(r#"{"max_float":{"type":"float","value":"inf"}}"#),
    );
    check(
        b"a = 1e-999",
        Json(r#"{"a":{"type":"float","value":"0.0"}}"#),
    );
}

// ---------------------------------------------------------------------------------------------
// Seeds: where the streaming reader splits sections. A line starts a section only when, outside
// every multi-line string and open array, its first non-blank byte is `[`.

#[test]
fn headers_inside_multiline_strings_are_text() {
    check(
        b"a = \"\"\"\n[not.a.header]\n\"\"\"\n[t]\nb = 1\n",
        Json(
            r#"{"a":{"type":"string","value":"[not.a.header]\u000a"},"t":{"b":{"type":"integer","value":"1"}}}"#,
        ),
    );
    check(
        b"a = '''\n[[x]]\n'''\n[x]\n",
        Json(r#"{"a":{"type":"string","value":"[[x]]\u000a"},"x":{}}"#),
    );
    // An escaped quote and two more quotes do not close a basic one...
    check(
        b"a = \"\"\"\\\"\"\"\n[t]\n\"\"\"\n",
        Json(r#"{"a":{"type":"string","value":"\"\"\"\u000a[t]\u000a"}}"#),
    );
    // ...but a backslash is text in a literal one, which `'''` closes.
    check(
        b"a = '''\\'''\n[t]\n",
        Json(r#"{"a":{"type":"string","value":"\\"},"t":{}}"#),
    );
    // Up to two quotes before the closing delimiter belong to the string.
    check(
        b"a = \"\"\"x\"\"\"\"\"\n[t]\n",
        Json(r#"{"a":{"type":"string","value":"x\"\""},"t":{}}"#),
    );
    // A header line inside a string that the document never closes.
    check(
        b"a = \"\"\"\n[t]\nb = 1\n",
        Error(
            "expected the closing quote of a multi-line basic string, found the end of the document",
        ),
    );
}

#[test]
fn headers_inside_open_arrays_are_values() {
    check(
        b"a = [\n  [1, 2],\n[3],\n]\n[t]\n",
        Json(
            r#"{"a":[[{"type":"integer","value":"1"},{"type":"integer","value":"2"}],[{"type":"integer","value":"3"}]],"t":{}}"#,
        ),
    );
    check(
        b"a = [\"]\", '[', # ] [\n  \"\"\"\n]\"\"\",\n]\n[t]\n",
        Json(
            r#"{"a":[{"type":"string","value":"]"},{"type":"string","value":"["},{"type":"string","value":"]"}],"t":{}}"#,
        ),
    );
    // An array the document never closes: the line that looks like a header is inside it.
    check(b"a = [\n[t]\nb = 1\n", Error("expected a value, found `t`"));
    // Inline tables are one line in TOML 1.0, so a header on the next line is refused.
    check(b"a = {\n[t]\n}\n", Error("expected a key, found a newline"));
}

#[test]
fn brackets_in_comments_strings_and_keys_are_not_headers() {
    check(
        b"# [t]\n[t] # [u]\nx = 1 # ]]\n\"[k]\" = '['\n[u]\n",
        Json(
            r#"{"t":{"x":{"type":"integer","value":"1"},"[k]":{"type":"string","value":"["}},"u":{}}"#,
        ),
    );
    check(
        b"a = \"[\" # {\n[t]\n",
        Json(r#"{"a":{"type":"string","value":"["},"t":{}}"#),
    );
}

#[test]
fn crlf_line_endings_and_indented_headers() {
    check(
        b"[t]\r\nx = 1\r\n  [u]\r\n\t[[v]]\r\ny = 2\r\n",
        Json(
            r#"{"t":{"x":{"type":"integer","value":"1"}},"u":{},"v":[{"y":{"type":"integer","value":"2"}}]}"#,
        ),
    );
    // A lone CR is not a line ending.
    check(
        b"[t]\rx = 1\n",
        Error("expected a newline (`\\r` must be followed by `\\n`), found a lone carriage return"),
    );
    // No newline at the end.
    check(
        b"[t]\r\nx = 1",
        Json(r#"{"t":{"x":{"type":"integer","value":"1"}}}"#),
    );
}

#[test]
fn table_rules_across_sections() {
    check(
        b"[[a]]\nx = 1\n[[a]]\nx = 2\n[a.b]\ny = 3\n",
        Json(
            r#"{"a":[{"x":{"type":"integer","value":"1"}},{"x":{"type":"integer","value":"2"},"b":{"y":{"type":"integer","value":"3"}}}]}"#,
        ),
    );
    check(
        b"[a.b.c]\n[a]\nd = 1\n",
        Json(r#"{"a":{"b":{"c":{}},"d":{"type":"integer","value":"1"}}}"#),
    );
    check(b"[t]\nx = 1\n[t]\n", Error("duplicate table header `t`"));
    check(b"[a]\n[a.b]\n[a]\n", Error("duplicate table header `a`"));
    check(
        b"[a]\nb.c = 1\n[a.b]\n",
        Error("cannot define table already defined by dotted keys `a.b`"),
    );
    check(
        b"a = []\n[[a]]\n",
        Error("cannot append to array value with an array-of-tables header `a`"),
    );
    check(
        b"[[a]]\n[a]\n",
        Error("expected a table, found an array of tables already defined `a`"),
    );
    check(
        b"[t\n]\n",
        Error("expected `]` to close the table header, found a newline"),
    );
    check(b"[]\n", Error("expected a key, found `]`"));
}

/// Found by the `differential` target (config-core rejected, `toml` 0.8 accepted), minimised
/// from toml-test's `invalid/table/append-with-dotted-keys-08` with `[a.b.c]` made `[a.b.0]`:
/// a legitimate difference. Dotted keys may not add to a table a header created, whether the
/// header named it (`[a.b]`, the suite's case) or passed through it on the way to a deeper
/// table (`[a.b.0]` creates `a.b`); `toml` 0.8 takes the second form. config-core is right to
/// refuse both, and the streaming reader agrees.
#[test]
fn dotted_keys_cannot_add_to_a_table_a_header_created() {
    let message = "cannot extend with dotted keys a table defined by a header `b`";
    check(b"[a.b.0]\n[a]\nb.c.t=\"\"", Error(message));
    check(b"[a.b]\n[a]\nb.c = 1\n", Error(message));
    check(b"[a.b.c]\nz = 9\n[[x]]\n[a]\nb.d = 1\n", Error(message));
    check(
        b"[fruit.apple.texture]\nsmooth = true\n[fruit]\napple.color = \"red\"\n",
        Error("cannot extend with dotted keys a table defined by a header `apple`"),
    );
    // The other way round is allowed: a header may add a sub-table to a dotted-key table.
    check(
        b"[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n",
        Json(
            r#"{"fruit":{"apple":{"color":{"type":"string","value":"red"},"texture":{"smooth":{"type":"bool","value":"true"}}}}}"#,
        ),
    );
    // And dotted keys may create new tables beside the header's.
    check(
        b"[a.b.c]\n[a]\nx.y = 1\n",
        Json(r#"{"a":{"b":{"c":{}},"x":{"y":{"type":"integer","value":"1"}}}}"#),
    );
}

/// Found by the `differential` target (config-core rejected, `toml` 0.8 accepted), as
/// `[[tab.arr]]\n[tab]\narr.b.l1=1\n`: a bug of `toml` 0.8, config-core is right. An array of
/// tables is a value, so a dotted key cannot reach into its last element (toml-test's
/// `invalid/table/append-with-dotted-keys-03` is the two-part form, which `toml` 0.8 refuses;
/// with three parts it writes into the element).
#[test]
fn dotted_keys_cannot_reach_into_an_array_of_tables() {
    check(
        b"[[tab.arr]]\n[tab]\narr.b.l1=1\n",
        Error("expected a table, found an array of tables `arr`"),
    );
    check(
        b"[[a.b]]\n[a]\nb.c.y = 2\n",
        Error("expected a table, found an array of tables `b`"),
    );
    check(
        b"[[a.b]]\n[a]\nb.y = 2\n",
        Error("expected a table, found an array of tables `b`"),
    );
    // A header may: `[a.b.c]` goes into the last element of `[[a.b]]`.
    check(
        b"[[a.b]]\nx = 1\n[a.b.c]\ny = 2\n",
        Json(
            r#"{"a":{"b":[{"x":{"type":"integer","value":"1"},"c":{"y":{"type":"integer","value":"2"}}}]}}"#,
        ),
    );
    // And dotted keys inside an element are the element's own.
    check(
        b"[[a]]\nb.c = 1\n[[a]]\n",
        Json(r#"{"a":[{"b":{"c":{"type":"integer","value":"1"}}},{}]}"#),
    );
}

/// Seen by the `differential` target's design, a legitimate difference: `toml` 0.8 stops at a
/// nesting depth of 80, config-core at `MAX_NESTING` (128), so depths between are config-core's
/// alone to accept.
#[test]
fn nesting_between_toml_limit_and_max_nesting_is_accepted() {
    let depth = 100;
    let input = format!("a = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let doc = config_core::parse(&input).expect("depth 100 is within MAX_NESTING");
    let json = to_tagged_json(&doc);
    assert_eq!(json.matches('[').count(), depth, "{json}");
    check(input.as_bytes(), Json(&json));
    let dotted = format!("{} = 1\n", vec!["k"; depth].join("."));
    let doc = config_core::parse(&dotted).expect("a dotted key of 100 parts");
    check(dotted.as_bytes(), Json(&to_tagged_json(&doc)));
}
