//! A TOML 1.0 encoder of a parsed [`Document`]: the text it writes parses back to the same
//! tables, keys and values.
//!
//! The output is deterministic and keeps each table's document order within two groups: first
//! the keys written as `key = value` lines, then the sub-tables and arrays of tables, each
//! under its own header. How a table is written follows how it was defined, so the text reads
//! like its source:
//!
//! - a table defined by a header (or created on the way to a deeper one) gets a `[a."b.c"]`
//!   header, left out when it has no key/value line of its own but sub-tables that create it;
//! - an array of tables gets one `[[a]]` header per element;
//! - a table defined by dotted keys is written as dotted keys (`b.c = 1`), and its sub-tables
//!   defined by headers follow under headers;
//! - an inline table is written inline (`{ a = 1, b.c = 2 }`, `{}`), and so is an array value
//!   with everything inside it (`[1, { a = 2 }, [3]]`).
//!
//! So every array and inline table of the output stands for one of the input: the output
//! nests no deeper than its input and stays within [`crate::MAX_NESTING`]. Keys are bare when
//! they are `[A-Za-z0-9_-]+`, else basic strings. Strings are basic strings with TOML 1.0's
//! escapes; floats are written so they parse back to the same bits (`-0.0`, `1e300`, `-inf`,
//! `nan`); date-times in their canonical RFC 3339 form.
//!
//! This module owns only the encoding: it reads a finished document and never parses. It walks
//! the document with explicit stacks, not recursion: dotted keys and headers may nest tables as
//! deep as the input is long (`a.a.a…a = 1`), and the encoder must not overflow the call stack
//! on them.

use std::fmt::Write as _;

use crate::layout::TableKind;
use crate::value::{Array, ArrayIter, Document, Table, TableIter, Value};

/// Encodes `doc` as TOML 1.0 text that parses back to the same tables, keys and values.
///
/// ```
/// let doc = config_core::parse(
///     "[server]\nports = [80, 443]\nlimits = { rate = 1.5 }\n[[user]]\nname = \"a b\"\n",
/// )
/// .unwrap();
/// assert_eq!(
///     config_core::encode::to_toml(&doc),
///     "[server]\nports = [80, 443]\nlimits = { rate = 1.5 }\n\n[[user]]\nname = \"a b\"\n",
/// );
/// ```
pub fn to_toml(doc: &Document<'_>) -> String {
    let mut encoder = Encoder {
        out: String::with_capacity(doc.source().len() + 16),
        paths: Vec::new(),
        scratch: Vec::new(),
    };
    let mut pending = Vec::new();
    encoder.section(doc.root(), NO_PATH, Header::None, &mut pending);
    while let Some(next) = pending.pop() {
        match next {
            Pending::Table(table, path) => {
                encoder.section(table, path, Header::Table, &mut pending);
            }
            Pending::Tables(mut elements, path) => {
                if let Some(element) = elements.next() {
                    let Value::Table(table) = element else {
                        unreachable!("only arrays whose elements are all tables are pending")
                    };
                    // The element's own sub-tables go on top, so they are written before the
                    // next `[[path]]` header starts another element.
                    pending.push(Pending::Tables(elements, path));
                    encoder.section(table, path, Header::ArrayElement, &mut pending);
                }
            }
        }
    }
    encoder.out
}

/// The index of no path node: the root table's path, and the end of every path.
const NO_PATH: u32 = u32::MAX;

/// One key of a header's or a dotted key's path, and the node of the key before it.
#[derive(Clone, Copy)]
struct PathNode<'d> {
    parent: u32,
    key: &'d str,
}

/// The text being written and the paths of the tables met so far.
struct Encoder<'d> {
    out: String,
    /// Paths as a tree of nodes, each naming its parent: a path is the chain from its last
    /// key's node up to [`NO_PATH`], so deep paths are shared rather than copied.
    paths: Vec<PathNode<'d>>,
    /// The keys of the path being written, last key first.
    scratch: Vec<&'d str>,
}

/// What a section starts with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Header {
    /// Nothing: the root table.
    None,
    /// `[path]`, written only if the table has key/value lines or no keys at all.
    Table,
    /// `[[path]]`, always: each one appends an element.
    ArrayElement,
}

/// A sub-table or array of tables still to be written under headers, with its path's node.
enum Pending<'d, 'a> {
    /// A table under a `[path]` header.
    Table(Table<'d, 'a>, u32),
    /// The elements of an array of tables not written yet, each under a `[[path]]` header.
    Tables(ArrayIter<'d, 'a>, u32),
}

/// A table being written as key/value lines: the root, a table under a header, or a table
/// defined by dotted keys inside one.
struct Lines<'d, 'a> {
    entries: TableIter<'d, 'a>,
    /// The node of the table's path; its keys below the section's path prefix each line.
    prefix: u32,
    /// Its sub-tables and arrays of tables, in order, to write under headers afterwards.
    later: Vec<Pending<'d, 'a>>,
}

/// An array or inline table being written inline.
enum Inline<'d, 'a> {
    /// `[ ... ]`.
    Array(ArrayIter<'d, 'a>),
    /// `{ ... }` when `braced`, else a table defined by dotted keys inside one, whose keys are
    /// prefixed by the path from the braces down to `prefix`.
    Table {
        entries: TableIter<'d, 'a>,
        prefix: u32,
        braced: bool,
    },
}

/// What was last written inline, which decides the separator before the next element or key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// A whole value: the next element or key follows `, `.
    Value,
    /// `[`: the first element follows directly.
    OpenBracket,
    /// `{`: the first key follows a space.
    OpenBrace,
}

impl<'d> Encoder<'d> {
    /// Writes one table's section: its header, its key/value lines (dotted keys for tables
    /// defined by them), and queues its sub-tables and arrays of tables on `pending` so the
    /// first of them is popped first.
    fn section<'a: 'd>(
        &mut self,
        table: Table<'d, 'a>,
        path: u32,
        header: Header,
        pending: &mut Vec<Pending<'d, 'a>>,
    ) {
        let mut header_due = header == Header::Table;
        if header == Header::ArrayElement {
            self.header(path, true);
        }
        let mut stack = vec![Lines {
            entries: table.iter(),
            prefix: path,
            later: Vec::new(),
        }];
        // Each table's sub-tables come after those of the dotted-key tables inside it: the
        // order a parse of the output gives back, so encoding that parse writes the same text.
        let mut later = Vec::new();
        while let Some(top) = stack.last_mut() {
            let Some((key, value)) = top.entries.next() else {
                if let Some(done) = stack.pop() {
                    later.extend(done.later);
                }
                continue;
            };
            let prefix = top.prefix;
            match value {
                Value::Table(sub) if sub.kind() == TableKind::Inline => {}
                Value::Table(sub) if sub.kind() == TableKind::Dotted && !sub.is_empty() => {
                    let node = self.node(prefix, key.as_str());
                    stack.push(Lines {
                        entries: sub.iter(),
                        prefix: node,
                        later: Vec::new(),
                    });
                    continue;
                }
                Value::Table(sub) => {
                    let node = self.node(prefix, key.as_str());
                    top.later.push(Pending::Table(sub, node));
                    continue;
                }
                Value::Array(array) if is_array_of_tables(array) => {
                    let node = self.node(prefix, key.as_str());
                    top.later.push(Pending::Tables(array.iter(), node));
                    continue;
                }
                _ => {}
            }
            if std::mem::take(&mut header_due) {
                self.header(path, false);
            }
            self.path(prefix, path);
            if prefix != path {
                self.out.push('.');
            }
            write_key(&mut self.out, key.as_str());
            self.out.push_str(" = ");
            self.inline(value);
            self.out.push('\n');
        }
        // A table with no keys needs its header to exist; one with keys but no lines of its
        // own is created by its sub-tables' headers.
        if header_due && table.is_empty() {
            self.header(path, false);
        }
        pending.extend(later.into_iter().rev());
    }

    /// Writes `[path]` or `[[path]]` on a line of its own, after a blank line unless it is the
    /// first line.
    fn header(&mut self, path: u32, array: bool) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(if array { "[[" } else { "[" });
        self.path(path, NO_PATH);
        self.out.push_str(if array { "]]\n" } else { "]\n" });
    }

    /// A new path node: `key` after the path ending at `parent`.
    fn node(&mut self, parent: u32, key: &'d str) -> u32 {
        let id = self.paths.len() as u32;
        self.paths.push(PathNode { parent, key });
        id
    }

    /// Writes the keys of the path from below `stop` down to `node` (`stop` is one of its
    /// ancestors, or [`NO_PATH`] for the whole path), joined by dots.
    fn path(&mut self, node: u32, stop: u32) {
        let mut keys = std::mem::take(&mut self.scratch);
        let mut at = node;
        while at != stop {
            let PathNode { parent, key } = self.paths[at as usize];
            keys.push(key);
            at = parent;
        }
        for (i, key) in keys.iter().rev().enumerate() {
            if i > 0 {
                self.out.push('.');
            }
            write_key(&mut self.out, key);
        }
        keys.clear();
        self.scratch = keys;
    }

    /// Writes `value` inline: a scalar, or an array or inline table with everything inside it.
    /// Tables defined by dotted keys inside an inline table are written as dotted keys, so the
    /// braces and brackets are those of the input.
    fn inline<'a: 'd>(&mut self, value: Value<'d, 'a>) {
        let mark = self.paths.len();
        let mut stack = Vec::new();
        let mut last = Last::Value;
        self.open(value, &mut stack, &mut last);
        while let Some(top) = stack.last_mut() {
            match top {
                Inline::Array(elements) => match elements.next() {
                    Some(element) => {
                        self.separate(last);
                        self.open(element, &mut stack, &mut last);
                    }
                    None => {
                        stack.pop();
                        self.out.push(']');
                        last = Last::Value;
                    }
                },
                Inline::Table {
                    entries,
                    prefix,
                    braced,
                } => match entries.next() {
                    Some((key, Value::Table(sub)))
                        if sub.kind() != TableKind::Inline && !sub.is_empty() =>
                    {
                        let prefix = self.node(*prefix, key.as_str());
                        stack.push(Inline::Table {
                            entries: sub.iter(),
                            prefix,
                            braced: false,
                        });
                    }
                    Some((key, value)) => {
                        let prefix = *prefix;
                        self.separate(last);
                        self.path(prefix, NO_PATH);
                        if prefix != NO_PATH {
                            self.out.push('.');
                        }
                        write_key(&mut self.out, key.as_str());
                        self.out.push_str(" = ");
                        self.open(value, &mut stack, &mut last);
                    }
                    None => {
                        let braced = *braced;
                        stack.pop();
                        if braced {
                            self.out
                                .push_str(if last == Last::OpenBrace { "}" } else { " }" });
                            last = Last::Value;
                        }
                    }
                },
            }
        }
        self.paths.truncate(mark);
    }

    /// Writes a scalar, or opens an array or a table on `stack`.
    fn open<'a: 'd>(
        &mut self,
        value: Value<'d, 'a>,
        stack: &mut Vec<Inline<'d, 'a>>,
        last: &mut Last,
    ) {
        *last = Last::Value;
        match value {
            Value::String(s) => write_string(&mut self.out, s.as_str()),
            Value::Integer(i) => write!(self.out, "{i}").expect("writing to a String cannot fail"),
            Value::Float(f) => write_float(&mut self.out, f),
            Value::Boolean(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Datetime(d) => write!(self.out, "{d}").expect("writing to a String cannot fail"),
            Value::Array(array) => {
                self.out.push('[');
                *last = Last::OpenBracket;
                stack.push(Inline::Array(array.iter()));
            }
            Value::Table(table) => {
                self.out.push('{');
                *last = Last::OpenBrace;
                stack.push(Inline::Table {
                    entries: table.iter(),
                    prefix: NO_PATH,
                    braced: true,
                });
            }
        }
    }

    /// Writes what goes before an inline element or key, after `last`.
    fn separate(&mut self, last: Last) {
        self.out.push_str(match last {
            Last::Value => ", ",
            Last::OpenBracket => "",
            Last::OpenBrace => " ",
        });
    }
}

/// Whether `array` is written as an array of tables: it has elements, all of them tables that
/// were not written inline (as the elements of `[[header]]`s are).
fn is_array_of_tables(array: Array<'_, '_>) -> bool {
    !array.is_empty()
        && array
            .iter()
            .all(|v| matches!(v, Value::Table(t) if t.kind() != TableKind::Inline))
}

/// Writes a key: bare when it is `[A-Za-z0-9_-]+`, else as a basic string.
fn write_key(out: &mut String, key: &str) {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        out.push_str(key);
    } else {
        write_string(out, key);
    }
}

/// Writes `s` as a basic string: `"` and `\` escaped with a backslash, backspace, tab, line
/// feed, form feed and carriage return by their short escapes, the other control characters
/// (U+0000 to U+001F and U+007F) as `\uXXXX`, everything else (including non-ASCII) as is.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0x00..=0x1f | 0x7f => "",
            _ => continue,
        };
        // Every byte that stops the run is ASCII, so both slices end on character boundaries.
        out.push_str(&s[run_start..i]);
        if escape.is_empty() {
            write!(out, "\\u{b:04X}").expect("writing to a String cannot fail");
        } else {
            out.push_str(escape);
        }
        run_start = i + 1;
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

/// Writes a float so it parses back to the same bits: `inf`, `-inf`, `nan` or `-nan` (by the
/// NaN's sign), otherwise the shortest text that parses back to the same `f64` (Rust's
/// `Debug` form: `0.1`, `-0.0`, `1e300`, `5e-324`), which always has a fraction or an
/// exponent, so it stays a float.
fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str(if f.is_sign_negative() { "-nan" } else { "nan" });
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
    } else {
        let start = out.len();
        write!(out, "{f:?}").expect("writing to a String cannot fail");
        if !out[start..].contains(['.', 'e', 'E']) {
            out.push_str(".0");
        }
    }
}

#[cfg(test)]
mod tests;
