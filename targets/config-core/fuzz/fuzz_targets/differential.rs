//! config-core against the `toml` crate 0.8 (which implements TOML 1.0, as config-core does):
//! on UTF-8 input both accept or both reject, and when both accept they decode the same
//! values. Both sides are brought to the toml-test tagged JSON (config-core by
//! `config_core::tagged::to_tagged_json`, the `toml` crate by `tagged` below) and compared
//! after normalising the scalars' text (see `normalise`): tables compare by key set, arrays
//! element by element, floats by value (any NaN equals any NaN; `-0.0` and `0.0` differ),
//! date-times by their canonical text.
//!
//! Known legitimate differences of `toml` 0.8, each skipped narrowly:
//! - Line endings in multi-line strings. TOML 1.0 lets a parser normalise a newline in a
//!   multi-line string "to whatever makes sense for their platform": `toml` 0.8 turns a CRLF
//!   written in one into LF, config-core keeps it as written. Minimal input:
//!   `a = '''x<CR><LF>y'''` (config-core `"x\r\ny"`, `toml` `"x\ny"`). Allowed only one way, in
//!   a string, when the input has a CRLF: `toml`'s value must be config-core's with some of its
//!   CRLFs written as LF (see `same_but_crlf`), so an escaped `\r\n` that config-core lost is
//!   still found.
//! - Nesting depth. `toml` 0.8 stops at its own recursion limit ("recursion limit
//!   exceeded"), lower than config-core's `MAX_NESTING` (128): `a = [[[…[1]…]]]` with 80 to
//!   128 brackets, or a dotted key of 80 to 128 parts, is accepted by config-core and refused
//!   by `toml`. Skipped when config-core accepted a document that nests at least 80 deep,
//!   whatever `toml`'s message (inside an inline table it reports "invalid inline table"
//!   instead: `x = {k.k.…(80 parts) = 1}`); see `known_difference`.
//! - Float overflow. `toml` 0.8 refuses a decimal float whose value rounds to +infinity
//!   (`a = 1e999`: "invalid floating-point number") yet takes one that rounds to -infinity
//!   (`a = -1e999`); config-core takes both, as IEEE 754 rounding gives them (`inf`, `-inf`),
//!   and TOML 1.0 says nothing of float overflow. Skipped when `toml`'s error is that message,
//!   config-core accepted, and the float literal where `toml` stopped is one that rounds to
//!   +infinity (see `known_difference`).
//! - Dotted keys into a table a header created. TOML forbids dotted keys to add to a table
//!   that a `[header]` created, on the way to a deeper header too (the spec's clarification
//!   of "dotted keys create and define a table", toml-lang/toml#846 and #859; toml-test's
//!   `invalid/table/append-with-dotted-keys-*` have the explicit form). config-core refuses
//!   both forms; `toml` 0.8 refuses the explicit one but takes the implicit one. Minimal
//!   input: `[a.b.0]<LF>[a]<LF>b.c.t=""` (`a.b` was created by the header `[a.b.0]`).
//!   Skipped when config-core's error is that one ("cannot extend with dotted keys a table
//!   defined by a header") and a header line comes before the line it points at (see
//!   `known_refusal`).
//! - Dotted keys through an array of tables (a `toml` 0.8 bug). An array of tables is a value,
//!   not a table: a dotted key may not reach into its last element (toml-test's
//!   `invalid/table/append-with-dotted-keys-03`, `[[a.b]]<LF>[a]<LF>b.y = 2`, which `toml`
//!   0.8 refuses, though with "duplicate key `y`"). With one more part `toml` 0.8 takes it and
//!   writes into the element: minimal input `[[a.b]]<LF>[a]<LF>b.c.y = 2` (`toml`:
//!   `{"a":{"b":[{"c":{"y":2}}]}}`). Skipped when config-core's error is "expected a table,
//!   found an array of tables" at a key/value line (not a header line) after a header line
//!   (see `known_refusal`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value as Json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = config_core::parse(text);
    let theirs = text.parse::<toml::Table>();
    match (&ours, &theirs) {
        (Ok(doc), Ok(table)) => {
            let ours_json: Json = serde_json::from_str(&config_core::tagged::to_tagged_json(doc))
                .expect("config-core's tagged JSON is JSON");
            let theirs_json = tagged_table(table);
            let crlf = text.contains("\r\n");
            assert!(
                same(&normalise(&ours_json), &normalise(&theirs_json), crlf),
                "config-core and toml 0.8 decode {text:?} differently:\n\
                 config-core: {ours_json}\ntoml 0.8:    {theirs_json}",
            );
        }
        (Err(_), Err(_)) => {}
        (Ok(doc), Err(e)) if known_difference(text, doc, e) => {}
        (Ok(doc), Err(e)) => panic!(
            "config-core accepts what toml 0.8 rejects: {text:?}\nconfig-core: {}\ntoml 0.8: {e}",
            config_core::tagged::to_tagged_json(doc)
        ),
        (Err(e), Ok(_)) if known_refusal(text, e) => {}
        (Err(e), Ok(table)) => panic!(
            "config-core rejects what toml 0.8 accepts: {text:?}\nconfig-core: {e}\ntoml 0.8: {}",
            tagged_table(table)
        ),
    }
});

/// Whether `toml`'s rejection (of a document config-core accepted) is one of the known
/// legitimate differences listed at the top of this file.
fn known_difference(
    text: &str,
    doc: &config_core::Document<'_>,
    toml_error: &toml::de::Error,
) -> bool {
    // `toml` counts the arrays and inline tables open (refusing the 80th) and the parts of one
    // key (refusing 80); either makes config-core's document at least 80 deep. Its message
    // says "recursion limit" only outside an inline table: inside one the error it reports is
    // the inline table's ("invalid inline table"), so the depth decides, not the message.
    let json: Json = serde_json::from_str(&config_core::tagged::to_tagged_json(doc))
        .expect("config-core's tagged JSON is JSON");
    if depth(&json) >= 80 {
        return true;
    }
    let message = toml_error.message();
    if message.contains("invalid floating-point number") {
        let Some(literal) = toml_error.span().and_then(|span| text.get(span.start..)) else {
            return false;
        };
        let end = literal
            .find(|c: char| !(c.is_ascii_digit() || "_.eE+-".contains(c)))
            .unwrap_or(literal.len());
        let digits = literal[..end].replace('_', "");
        return digits.parse::<f64>() == Ok(f64::INFINITY);
    }
    false
}

/// How deep tables and arrays nest in tagged JSON: a scalar is 0, a table or array one more
/// than its deepest member.
fn depth(value: &Json) -> usize {
    match value {
        Json::Object(o) if is_tagged(o) => 0,
        Json::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        Json::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Whether config-core's rejection (of a document `toml` 0.8 accepted) is one of the known
/// legitimate differences listed at the top of this file.
fn known_refusal(text: &str, error: &config_core::ParseError) -> bool {
    let is_header = |line: &str| line.trim_start_matches([' ', '\t']).starts_with('[');
    let header_before = text
        .lines()
        .take(error.line().saturating_sub(1))
        .any(is_header);
    let at_key = text
        .lines()
        .nth(error.line().saturating_sub(1))
        .is_some_and(|line| !is_header(line));
    let message = error.message();
    header_before
        && (message.starts_with("cannot extend with dotted keys a table defined by a header")
            || (at_key && message.starts_with("expected a table, found an array of tables")))
}

// ---------------------------------------------------------------------------------------------
// The `toml` crate's values in the tagged JSON form.

fn tagged_table(table: &toml::Table) -> Json {
    Json::Object(
        table
            .iter()
            .map(|(k, v)| (k.clone(), tagged_value(v)))
            .collect(),
    )
}

fn tagged_value(value: &toml::Value) -> Json {
    match value {
        toml::Value::String(s) => scalar("string", s.clone()),
        toml::Value::Integer(i) => scalar("integer", i.to_string()),
        toml::Value::Float(f) => scalar("float", float_text(*f)),
        toml::Value::Boolean(b) => scalar("bool", b.to_string()),
        toml::Value::Datetime(d) => {
            let tag = match (d.date.is_some(), d.time.is_some(), d.offset.is_some()) {
                (true, true, true) => "datetime",
                (true, true, false) => "datetime-local",
                (true, false, _) => "date-local",
                (false, _, _) => "time-local",
            };
            scalar(tag, d.to_string())
        }
        toml::Value::Array(a) => Json::Array(a.iter().map(tagged_value).collect()),
        toml::Value::Table(t) => tagged_table(t),
    }
}

fn scalar(tag: &str, value: String) -> Json {
    let mut object = Map::new();
    object.insert("type".to_string(), Json::String(tag.to_string()));
    object.insert("value".to_string(), Json::String(value));
    Json::Object(object)
}

/// As toml-test spells floats: `nan`, `inf`, `-inf`, else the shortest round-trip text.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{f:?}")
    }
}

// ---------------------------------------------------------------------------------------------
// Normalising tagged JSON so that equal values compare equal.

/// `value` with every tagged scalar's text in canonical form: floats as `float_text` of their
/// value (so every NaN is `nan`), date-times as `canonical_datetime` gives them.
fn normalise(value: &Json) -> Json {
    match value {
        Json::Array(a) => Json::Array(a.iter().map(normalise).collect()),
        Json::Object(o) if is_tagged(o) => {
            let (Some(tag), Some(text)) = (o["type"].as_str(), o["value"].as_str()) else {
                return value.clone();
            };
            let text = match tag {
                "float" => match text.to_ascii_lowercase().parse::<f64>() {
                    Ok(f) => float_text(f),
                    Err(_) => text.to_string(),
                },
                "datetime" | "datetime-local" | "date-local" | "time-local" => {
                    canonical_datetime(text).unwrap_or_else(|| text.to_string())
                }
                _ => text.to_string(),
            };
            scalar(tag, text)
        }
        Json::Object(o) => Json::Object(o.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        other => other.clone(),
    }
}

/// Whether config-core's normalised value `ours` equals `toml`'s `theirs`: tables by key set,
/// arrays element by element, scalars by tag and text, except that with `crlf` (the input has
/// a CRLF) a string of config-core may have a CRLF where `toml`'s has an LF.
fn same(ours: &Json, theirs: &Json, crlf: bool) -> bool {
    match (ours, theirs) {
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, crlf))
        }
        (Json::Object(a), Json::Object(b)) if is_tagged(a) && is_tagged(b) => {
            a == b
                || (crlf
                    && a["type"] == "string"
                    && b["type"] == "string"
                    && match (a["value"].as_str(), b["value"].as_str()) {
                        (Some(x), Some(y)) => same_but_crlf(x, y),
                        _ => false,
                    })
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| same(x, y, crlf)))
        }
        _ => ours == theirs,
    }
}

/// Whether `theirs` is `ours` with some of its CRLFs written as LF (each CRLF of `ours`
/// matching either a CRLF or an LF of `theirs`, every other character the same).
fn same_but_crlf(ours: &str, theirs: &str) -> bool {
    let (ours, theirs) = (ours.as_bytes(), theirs.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < ours.len() && j < theirs.len() {
        if ours[i] == theirs[j] {
            (i, j) = (i + 1, j + 1);
        } else if ours[i..].starts_with(b"\r\n") && theirs[j] == b'\n' {
            (i, j) = (i + 2, j + 1);
        } else {
            return false;
        }
    }
    i == ours.len() && j == theirs.len()
}

/// A tagged scalar: exactly the keys `type` and `value`.
fn is_tagged(object: &Map<String, Json>) -> bool {
    object.len() == 2 && object.contains_key("type") && object.contains_key("value")
}

/// The canonical text of an RFC 3339 date, time or date-time: `T` between date and time,
/// fractional seconds cut to nanoseconds with trailing zeros dropped (`.500` is `.5`, `.000`
/// is nothing), and a zero offset (`z`, `+00:00`, `-00:00`) as `Z`. `None` when the text is
/// not of that shape.
fn canonical_datetime(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    if rest.len() >= 10 && rest.as_bytes()[4] == b'-' {
        out.push_str(rest.get(..10)?);
        rest = &rest[10..];
        match rest.as_bytes().first() {
            None => return Some(out),
            Some(b'T' | b't' | b' ') => {
                out.push('T');
                rest = &rest[1..];
            }
            Some(_) => return None,
        }
    }
    out.push_str(rest.get(..8)?);
    rest = &rest[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let kept = fraction[..digits.min(9)].trim_end_matches('0');
        if !kept.is_empty() {
            out.push('.');
            out.push_str(kept);
        }
        rest = &fraction[digits..];
    }
    match rest {
        "" => {}
        "Z" | "z" | "+00:00" | "-00:00" => out.push('Z'),
        offset => out.push_str(offset),
    }
    Some(out)
}
