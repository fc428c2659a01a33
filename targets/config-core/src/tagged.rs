//! The toml-test tagged JSON encoding of a parsed [`Document`].
//!
//! Tables become JSON objects with their keys in document order, arrays become JSON arrays,
//! and every scalar becomes `{"type":"<tag>","value":"<text>"}`, the tag being one of
//! `string`, `integer`, `float`, `bool`, `datetime`, `datetime-local`, `date-local` or
//! `time-local`. The output is compact (no whitespace) and deterministic.
//!
//! This module owns only the encoding: it reads a finished document and never parses. The JSON
//! is written by hand so the library needs no JSON dependency.

use std::fmt::Write as _;

use crate::datetime::Datetime;
use crate::value::{ArrayIter, Document, TableIter, Value};

/// Encodes `doc` in the toml-test tagged JSON format.
///
/// ```
/// let doc = config_core::parse("answer = 42\n").unwrap();
/// assert_eq!(
///     config_core::tagged::to_tagged_json(&doc),
///     r#"{"answer":{"type":"integer","value":"42"}}"#,
/// );
/// ```
pub fn to_tagged_json(doc: &Document) -> String {
    let mut out = String::with_capacity(doc.source().len() * 2 + 2);
    // An explicit stack, not recursion: dotted keys and headers may nest tables as deep as the
    // input is long (`a.a.a…a = 1`), and the encoder must not overflow the call stack on them.
    let mut stack = vec![Open::Table(doc.root().iter(), true)];
    out.push('{');
    while let Some(open) = stack.last_mut() {
        let next = match open {
            Open::Table(entries, first) => entries.next().map(|(key, value)| {
                if !std::mem::take(first) {
                    out.push(',');
                }
                write_string(&mut out, key.as_str());
                out.push(':');
                value
            }),
            Open::Array(elements, first) => elements.next().inspect(|_| {
                if !std::mem::take(first) {
                    out.push(',');
                }
            }),
        };
        match next {
            None => {
                out.push(match stack.pop() {
                    Some(Open::Array(..)) => ']',
                    _ => '}',
                });
            }
            Some(Value::Table(table)) => {
                out.push('{');
                stack.push(Open::Table(table.iter(), true));
            }
            Some(Value::Array(array)) => {
                out.push('[');
                stack.push(Open::Array(array.iter(), true));
            }
            Some(scalar) => write_scalar_value(&mut out, scalar),
        }
    }
    out
}

/// A table or array whose JSON is open: its remaining members, and whether none was written.
enum Open<'d, 'a> {
    Table(TableIter<'d, 'a>, bool),
    Array(ArrayIter<'d, 'a>, bool),
}

/// Writes a scalar value (tables and arrays are opened by the caller).
fn write_scalar_value(out: &mut String, value: Value) {
    match value {
        Value::String(s) => write_scalar(out, "string", s.as_str()),
        Value::Integer(i) => write_scalar(out, "integer", &i.to_string()),
        Value::Float(f) => write_scalar(out, "float", &float_text(f)),
        // The tag is `bool`, not the `boolean` that `Value::type_name` gives.
        Value::Boolean(b) => write_scalar(out, "bool", if b { "true" } else { "false" }),
        Value::Datetime(d) => write_scalar(out, d.type_name(), &datetime_text(d)),
        Value::Array(_) | Value::Table(_) => unreachable!("the caller opens tables and arrays"),
    }
}

/// Writes `{"type":"<tag>","value":"<text>"}`.
fn write_scalar(out: &mut String, tag: &str, text: &str) {
    out.push_str("{\"type\":\"");
    out.push_str(tag);
    out.push_str("\",\"value\":");
    write_string(out, text);
    out.push('}');
}

/// The text of a float as toml-test spells it: `nan` (whatever its sign, as the suite
/// expects), `inf` and `-inf`, otherwise the shortest text that parses back to the same `f64`
/// (Rust's `Debug` form: `0.1`, `-0.0`, `1e300`, `5e-324`).
pub(crate) fn float_text(f: f64) -> String {
    if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{f:?}")
    }
}

/// The RFC 3339 text of a date-time (`T` separator, upper-case `Z`, fractional digits as
/// written).
fn datetime_text(d: Datetime) -> String {
    let mut text = String::with_capacity(35);
    write!(text, "{d}").expect("writing to a String cannot fail");
    text
}

/// Writes `s` as a JSON string: `"` and `\` escaped with a backslash, control characters
/// (U+0000 to U+001F and U+007F) as `\u00XX`, everything else (including non-ASCII) as is.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x00..=0x1f | 0x7f => None,
            _ => continue,
        };
        // Every byte that stops the run is ASCII, so both slices end on character boundaries.
        out.push_str(&s[run_start..i]);
        match escape {
            Some(text) => out.push_str(text),
            None => {
                write!(out, "\\u{:04x}", b).expect("writing to a String cannot fail");
            }
        }
        run_start = i + 1;
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

#[cfg(test)]
#[path = "tagged/tests.rs"]
mod tests;
