//! The TOML encoder: exact texts of small documents, scalars' spellings, and round trips.

use super::*;
use crate::parse;
use crate::tagged::to_tagged_json;

/// Asserts two documents hold the same tables, keys and values, their keys in any order.
#[track_caller]
fn assert_same(a: &Document<'_>, b: &Document<'_>, context: &str) {
    let (a, b) = (to_tagged_json(a), to_tagged_json(b));
    // Equal texts need no JSON parse (which would refuse the deepest documents).
    if a != b {
        let json = |text: &str| -> serde_json::Value {
            serde_json::from_str(text).expect("the tagged encoder writes JSON")
        };
        assert_eq!(json(&a), json(&b), "{context}");
    }
}

/// Encodes `src`, checks the text parses back to the same document and encodes to itself,
/// and returns it.
#[track_caller]
fn round_trip(src: &str) -> String {
    let doc = parse(src).unwrap_or_else(|e| panic!("rejected the source:\n{e}\n{src}"));
    let text = to_toml(&doc);
    let back = parse(&text).unwrap_or_else(|e| panic!("rejected the encoding:\n{e}\n{text}"));
    assert_same(&back, &doc, &format!("encoding:\n{text}\nsource:\n{src}"));
    assert_eq!(to_toml(&back), text, "not a fixed point; source:\n{src}");
    text
}

#[track_caller]
fn check(src: &str, expected: &str) {
    assert_eq!(round_trip(src), expected, "source:\n{src}");
}

#[track_caller]
fn check_float(f: f64, expected: &str) {
    let mut text = String::new();
    write_float(&mut text, f);
    assert_eq!(text, expected, "text of {f:?}");
    let src = format!("f = {text}");
    let doc = parse(&src).expect("float texts parse");
    let back = doc.get("f").and_then(|v| v.as_float()).expect("a float");
    assert_eq!(back.to_bits(), f.to_bits(), "`{text}` round-trips");
}

#[test]
fn floats_parse_back_to_the_same_bits() {
    check_float(0.0, "0.0");
    check_float(-0.0, "-0.0");
    check_float(1.0, "1.0");
    check_float(-2.5, "-2.5");
    check_float(0.1, "0.1");
    check_float(1e15, "1000000000000000.0");
    check_float(1e16, "1e16");
    check_float(1e300, "1e300");
    check_float(1e-7, "1e-7");
    check_float(6.626e-34, "6.626e-34");
    check_float(f64::MAX, "1.7976931348623157e308");
    check_float(f64::MIN, "-1.7976931348623157e308");
    check_float(f64::MIN_POSITIVE, "2.2250738585072014e-308");
    check_float(5e-324, "5e-324");
    check_float(f64::INFINITY, "inf");
    check_float(f64::NEG_INFINITY, "-inf");
    check_float(f64::NAN, "nan");
    check_float(-f64::NAN, "-nan");
}

#[test]
fn integers_keep_their_value_not_their_spelling() {
    check(
        "a = 0xf_f\nb = 0o17\nc = 0b101\nd = +1_000\ne = -0\n",
        "a = 255\nb = 15\nc = 5\nd = 1000\ne = 0\n",
    );
    check(
        "min = -9223372036854775808\nmax = 9223372036854775807\n",
        "min = -9223372036854775808\nmax = 9223372036854775807\n",
    );
}

#[test]
fn strings_are_basic_strings_with_escapes() {
    check(
        "s = 'C:\\path \"quoted\"'\nt = \"\\u00e9\\ttab\\b\\f\\r\\n\\u0001\\u001F\\u007f\"\n",
        "s = \"C:\\\\path \\\"quoted\\\"\"\nt = \"é\\ttab\\b\\f\\r\\n\\u0001\\u001F\\u007F\"\n",
    );
    check(
        "m = '''\nfirst\n  second'''\ne = \"\"\n",
        "m = \"first\\n  second\"\ne = \"\"\n",
    );
    let mut text = String::new();
    write_string(&mut text, "\u{0}x\u{7f}\u{80}😀");
    assert_eq!(text, "\"\\u0000x\\u007F\u{80}😀\"");
}

#[test]
fn keys_are_bare_only_when_they_may_be() {
    check(
        "A-z_09 = 1\n\"\" = 2\n\"a.b\" = 3\n'a b' = 4\n\"é\" = 5\n\"\\n\" = 6\n1 = 7\ntrue = 8\n",
        "A-z_09 = 1\n\"\" = 2\n\"a.b\" = 3\n\"a b\" = 4\n\"é\" = 5\n\"\\n\" = 6\n1 = 7\ntrue = 8\n",
    );
    check(
        "[a.\"b.c\".'d e'.\"\"]\nx = 1\n",
        "[a.\"b.c\".\"d e\".\"\"]\nx = 1\n",
    );
}

#[test]
fn datetimes_are_written_in_canonical_form() {
    check(
        "odt = 1979-05-27 07:32:00z\nodt2 = 1979-05-27t07:32:00.5000-07:30\n\
         ldt = 1979-05-27T00:32:00.999999\nld = 1979-05-27\nlt = 00:32:00.1234567891\n\
         leap = 1990-12-31T23:59:60Z\nzero = 2000-01-01T00:00:00-00:00\n",
        "odt = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T07:32:00.5000-07:30\n\
         ldt = 1979-05-27T00:32:00.999999\nld = 1979-05-27\nlt = 00:32:00.123456789\n\
         leap = 1990-12-31T23:59:60Z\nzero = 2000-01-01T00:00:00+00:00\n",
    );
}

#[test]
fn empty_document_is_empty_text() {
    check("", "");
    check("# only a comment\n\n", "");
}

#[test]
fn arrays_and_inline_tables_stay_inline() {
    check(
        "a = []\nb = [ 1, [2, []], \"x\" ]\nc = {}\nd = { x = 1, y = { z = [] } }\n\
         e = [{}, { a.b = 1, a.c = 2, d = [{ e = 3 }] }]\n",
        "a = []\nb = [1, [2, []], \"x\"]\nc = {}\nd = { x = 1, y = { z = [] } }\n\
         e = [{}, { a.b = 1, a.c = 2, d = [{ e = 3 }] }]\n",
    );
    // An array of inline tables stays an array value.
    check("x = [{ a = 1 }]\n", "x = [{ a = 1 }]\n");
    // Dotted keys inside an inline table keep their table's keys together.
    check(
        "t = { a.b = 1, c = 2, a.d = 3 }\n",
        "t = { a.b = 1, a.d = 3, c = 2 }\n",
    );
}

#[test]
fn dotted_keys_stay_dotted_keys() {
    check(
        "a.b.c = 1\na.d = 2\n\"x.y\".z = 3\n",
        "a.b.c = 1\na.d = 2\n\"x.y\".z = 3\n",
    );
    check(
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n\
         [fruit.apple.texture]\nsmooth = true\n",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n\n\
         [fruit.apple.texture]\nsmooth = true\n",
    );
}

#[test]
fn key_values_come_before_sub_tables() {
    check(
        "[t.sub]\nk = 1\n[t]\nv = 2\n",
        "[t]\nv = 2\n\n[t.sub]\nk = 1\n",
    );
    check(
        "[a]\nx = 1\n[b]\ny = 2\n[a.c]\n",
        "[a]\nx = 1\n\n[a.c]\n\n[b]\ny = 2\n",
    );
}

#[test]
fn sub_tables_of_dotted_tables_come_first() {
    // `t` holds `d1`, `D` and `d2` in that order, but a parse of the encoding holds `D` (from
    // key/value lines) first: writing `D`'s sub-table first makes the encoding a fixed point.
    check(
        "[t.d1]\n[t]\nD.x = 1\n[t.D.h]\n[t.d2]\n",
        "[t]\nD.x = 1\n\n[t.D.h]\n\n[t.d1]\n\n[t.d2]\n",
    );
}

#[test]
fn headers_only_where_needed() {
    // A table with key/values gets a header; one with only sub-tables is created by theirs.
    check("[a]\n[a.b]\nc = 1\n", "[a.b]\nc = 1\n");
    check("[a.b.c]\n", "[a.b.c]\n");
    // Empty tables need a header or braces.
    check("[t]\n[u]\nv = {}\n", "[t]\n\n[u]\nv = {}\n");
    check("x = 1\n[a]\n", "x = 1\n\n[a]\n");
}

#[test]
fn arrays_of_tables_get_a_header_per_element() {
    check(
        "[[x]]\n[[x]]\na = 1\n[x.sub]\nb = 2\n[[x.inner]]\n[[x.inner]]\nc = [1]\n[[x]]\n",
        "[[x]]\n\n[[x]]\na = 1\n\n[x.sub]\nb = 2\n\n[[x.inner]]\n\n[[x.inner]]\nc = [1]\n\n[[x]]\n",
    );
    check(
        "[a]\nb.c = 1\n[[a.b.d]]\ne = 2\n",
        "[a]\nb.c = 1\n\n[[a.b.d]]\ne = 2\n",
    );
}

#[test]
fn deep_paths_do_not_overflow_the_stack() {
    let depth = 100_000;
    let dotted = format!("{} = 1\n", vec!["a"; depth].join("."));
    assert_eq!(round_trip(&dotted), dotted);
    let header = format!("[{}]\n", vec!["b"; depth].join("."));
    assert_eq!(round_trip(&header), header);
    let inline = format!("x = [{{ {} = 1 }}]\n", vec!["c"; depth].join("."));
    assert_eq!(round_trip(&inline), inline);
}

#[test]
fn deepest_nesting_stays_within_the_limit() {
    let n = crate::MAX_NESTING;
    let arrays = format!("a = {}{}\n", "[".repeat(n), "]".repeat(n));
    assert_eq!(round_trip(&arrays), arrays);
    let tables = format!("a = {}1{}\n", "{ b = ".repeat(n), " }".repeat(n));
    assert_eq!(round_trip(&tables), tables);
}
