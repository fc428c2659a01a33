//! The streaming reader (the seed's C1): checks a TOML document read from any [`BufRead`] one
//! section at a time, for configurations too big to hold in memory.
//!
//! A section is a table header line and the lines up to the next header (the first section is
//! the lines before any header). A line starts a section when, outside any multi-line string
//! and any array or inline table still open, its first non-blank byte is `[` (see [`Lines`]).
//! Each section is parsed alone by the ordinary parser, which checks its syntax and its own
//! keys; what spans sections (a table defined twice, a header naming a key an earlier section
//! gave a value, an array of tables extended by a plain header, dotted keys reaching into a
//! table a header defined) is checked against the *registry*: the tree of table and key names
//! seen so far, without values.
//!
//! Memory kept, and what bounds it:
//! - the current section's bytes and its parsed document (the largest section bounds these);
//! - every distinct key name once, in an [`Interner`];
//! - the registry: per table, the names of its keys (a small map entry each, values never). The
//!   keys of an `[[array]]` element are dropped when the next element starts, since no later
//!   header can reach back into an earlier element, so a stream of array elements (the shape of
//!   a generated configuration: thousands of `[[generators]]`) keeps constant memory. Plain
//!   `[tables]` and their keys are kept to the end (a later header may still name them).
//!
//! The rules are the parser's own (`parse.rs`, `open_header` and `define_dotted`); the
//! toml-test suite runner checks that this reader accepts exactly the documents `parse` accepts.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use crate::intern::{Interner, Sym};

/// The UTF-8 byte order mark, which a document may begin with.
const BOM: &[u8] = "\u{feff}".as_bytes();
use crate::layout::TableKind;
use crate::value::{Key, Table, Value};

/// What a streamed check saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Sections parsed (the part before the first header counts when it is not empty).
    pub sections: u64,
    /// Table headers (`[t]` and `[[t]]`).
    pub headers: u64,
    /// The largest section, in bytes: with the registry, what bounds the memory used.
    pub largest_section: usize,
    /// Distinct key names kept in the interner at the end.
    pub names: usize,
    /// Table and key entries kept in the registry at the end.
    pub registry_entries: usize,
}

/// Why a streamed document was rejected.
#[derive(Debug)]
pub enum StreamError {
    /// The reader failed.
    Read(std::io::Error),
    /// The document is not valid TOML 1.0; the position is in the whole stream.
    Invalid {
        /// 1-based line.
        line: u64,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, in the parser's words.
        message: String,
    },
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Read(e) => write!(f, "cannot read the document: {e}"),
            StreamError::Invalid {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// Checks the TOML document `reader` yields, one section at a time.
pub fn check<R: BufRead>(reader: R) -> Result<StreamSummary, StreamError> {
    check_sections(reader, |_, _| Ok(()))
}

/// Like [`check`], and calls `visit` with each section's header path (empty for the part
/// before the first header) and its parsed table; an `Err(message)` from `visit` stops the
/// check with that message at the section's first line.
pub fn check_sections<R, F>(mut reader: R, mut visit: F) -> Result<StreamSummary, StreamError>
where
    R: BufRead,
    F: FnMut(&[&str], Table<'_, '_>) -> Result<(), String>,
{
    let mut summary = StreamSummary::default();
    let mut registry = Registry::default();
    let mut lines = Lines::default();
    let mut section: Vec<u8> = Vec::new();
    let mut first_line: u64 = 1;
    let mut has_header = false;
    let mut line: Vec<u8> = Vec::new();
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(StreamError::Read)?;
        if read == 0 {
            break;
        }
        summary.bytes += read as u64;
        summary.lines += 1;
        // A byte order mark before the first line is skipped by the parser, not by the line
        // test: the first header may follow it.
        let text = match summary.lines {
            1 => line.strip_prefix(BOM).unwrap_or(&line),
            _ => &line,
        };
        if lines.starts_header(text) {
            if !section.is_empty() {
                let at = (has_header, first_line);
                finish(&section, at, &mut registry, &mut summary, &mut visit)?;
                section.clear();
            }
            first_line = summary.lines;
            has_header = true;
        }
        lines.scan(&line);
        section.extend_from_slice(&line);
    }
    if !section.is_empty() {
        let at = (has_header, first_line);
        finish(&section, at, &mut registry, &mut summary, &mut visit)?;
    }
    summary.names = registry.names.len();
    summary.registry_entries = count(&registry.root);
    Ok(summary)
}

/// Parses one section (`has_header`: it starts with a header line; `first_line`: its first
/// line's number in the stream), checks it against the registry and records it.
fn finish<F>(
    section: &[u8],
    (has_header, first_line): (bool, u64),
    registry: &mut Registry,
    summary: &mut StreamSummary,
    visit: &mut F,
) -> Result<(), StreamError>
where
    F: FnMut(&[&str], Table<'_, '_>) -> Result<(), String>,
{
    summary.sections += 1;
    summary.largest_section = summary.largest_section.max(section.len());
    let doc = crate::parse_bytes(section).map_err(|e| StreamError::Invalid {
        line: first_line + e.line() as u64 - 1,
        column: e.column(),
        message: e.message().to_string(),
    })?;
    let invalid = |offset: u32, message: String| {
        let (line, column) = position(section, offset as usize);
        StreamError::Invalid {
            line: first_line + line - 1,
            column,
            message,
        }
    };
    let (path, array, table) = if has_header {
        summary.headers += 1;
        header_of(doc.root())
    } else {
        (Vec::new(), false, doc.root())
    };
    let names: Vec<&str> = path.iter().map(|k| k.as_str()).collect();
    let Registry {
        names: interner,
        root,
    } = registry;
    let keys = open(interner, root, &names, array)
        .map_err(|(i, message)| invalid(path[i].span.start, message))?;
    for (key, value) in table.iter() {
        let name = interner.intern(key.as_str());
        if keys.contains_key(&name) {
            return Err(invalid(
                key.span.start,
                format!(
                    "duplicate key: `{}` is already defined by an earlier table header",
                    key.as_str()
                ),
            ));
        }
        let child = Node::of_value(value, interner);
        keys.insert(name, child);
    }
    visit(&names, table).map_err(|message| StreamError::Invalid {
        line: first_line,
        column: 1,
        message,
    })
}

/// A section's header: its key parts, whether it is `[[…]]`, and the table its body fills.
/// In a section's own document a header's leading parts are implicit tables of one key each,
/// and its table is the first one defined by a header (for `[[…]]`, the array's one element).
fn header_of<'d, 'a>(root: Table<'d, 'a>) -> (Vec<Key<'d, 'a>>, bool, Table<'d, 'a>) {
    let mut path = Vec::new();
    let mut table = root;
    while let (1, Some((key, value))) = (table.len(), table.iter().next()) {
        path.push(key);
        match value {
            Value::Table(t) if t.kind() == TableKind::Implicit => table = t,
            Value::Table(t) => return (path, false, t),
            Value::Array(a) => {
                if let Some(element) = a.get(0).and_then(|v| v.as_table()) {
                    return (path, true, element);
                }
                break;
            }
            _ => break,
        }
    }
    // Not reached for a section the parser accepted (it starts with a header).
    (path, false, table)
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn position(text: &[u8], offset: usize) -> (u64, usize) {
    let (line, column) = crate::error::line_column(text, offset);
    (line as u64, column)
}

/// The names of the tables and keys seen so far, without values.
#[derive(Default)]
struct Registry {
    names: Interner,
    /// The root table's keys.
    root: Children,
}

/// One key of the registry.
enum Node {
    /// A table: how it came to exist (as the parser tells it) and its keys.
    Table(TableKind, Children),
    /// An array of tables made by `[[…]]` headers: the keys of its current (last) element.
    Tables(Children),
    /// A value: closed once written.
    Leaf(Leaf),
}

/// The kinds of value a header cannot extend, as the parser's messages tell them apart.
#[derive(Clone, Copy)]
enum Leaf {
    InlineTable,
    Array,
    /// A string, number, boolean or date-time, by its type name.
    Scalar(&'static str),
}

type Children = BTreeMap<Sym, Node>;

impl Node {
    /// The registry entry of a body key's value: dotted-key tables keep their keys.
    fn of_value(value: Value<'_, '_>, names: &mut Interner) -> Node {
        match value {
            Value::Table(t) if t.kind() == TableKind::Dotted => {
                let mut keys = Children::new();
                for (key, v) in t.iter() {
                    keys.insert(names.intern(key.as_str()), Node::of_value(v, names));
                }
                Node::Table(TableKind::Dotted, keys)
            }
            Value::Table(_) => Node::Leaf(Leaf::InlineTable),
            Value::Array(_) => Node::Leaf(Leaf::Array),
            other => Node::Leaf(Leaf::Scalar(other.type_name())),
        }
    }

    /// What the node is, in the parser's words.
    fn what(&self) -> &'static str {
        match self {
            Node::Table(..) => "table",
            Node::Tables(_) => "array of tables",
            Node::Leaf(Leaf::InlineTable) => "inline table",
            Node::Leaf(Leaf::Array) => "array value",
            Node::Leaf(Leaf::Scalar(what)) => what,
        }
    }

    /// Why a `[header]` naming this node is refused, if it is: only a table created on the way
    /// to a deeper header may still be defined.
    fn refuses_header(&self) -> Option<String> {
        Some(match self {
            Node::Table(TableKind::Implicit, _) => return None,
            Node::Table(TableKind::Dotted, _) => {
                "cannot define table already defined by dotted keys".into()
            }
            Node::Table(..) => "duplicate table header".into(),
            Node::Leaf(Leaf::InlineTable) => {
                "cannot define table already defined as an inline table".into()
            }
            other => format!("expected a table, found {} already defined", other.what()),
        })
    }
}

/// Entries kept in `keys` and below.
fn count(keys: &Children) -> usize {
    keys.values()
        .map(|node| match node {
            Node::Table(_, c) | Node::Tables(c) => 1 + count(c),
            Node::Leaf(_) => 1,
        })
        .sum()
}

/// Walks and extends the registry along a header's key parts, as the parser's `open_header`
/// does, and returns the keys of the table the section's body goes in. An error names the part
/// (its index) it is about.
fn open<'r>(
    names: &mut Interner,
    root: &'r mut Children,
    parts: &[&str],
    array: bool,
) -> Result<&'r mut Children, (usize, String)> {
    let Some((last, leading)) = parts.split_last() else {
        return Ok(root);
    };
    let mut keys = root;
    for (i, part) in leading.iter().enumerate() {
        let child = keys
            .entry(names.intern(part))
            .or_insert_with(|| Node::Table(TableKind::Implicit, Children::new()));
        keys = match child {
            Node::Table(_, c) | Node::Tables(c) => c,
            Node::Leaf(Leaf::InlineTable) => return Err((i, "cannot extend inline table".into())),
            Node::Leaf(Leaf::Array) => return Err((i, "cannot extend array value".into())),
            Node::Leaf(Leaf::Scalar(what)) => {
                return Err((i, format!("expected a table, found {what}")));
            }
        };
    }
    let i = parts.len() - 1;
    let name = names.intern(last);
    if array {
        return match keys.entry(name).or_insert(Node::Tables(Children::new())) {
            Node::Tables(element) => {
                // A new element: the previous one can no longer be reached.
                element.clear();
                Ok(element)
            }
            Node::Leaf(Leaf::Array) => Err((
                i,
                "cannot append to array value with an array-of-tables header".into(),
            )),
            other => Err((
                i,
                format!(
                    "expected an array of tables, found {} already defined",
                    other.what()
                ),
            )),
        };
    }
    let table = keys
        .entry(name)
        .or_insert_with(|| Node::Table(TableKind::Implicit, Children::new()));
    if let Some(message) = table.refuses_header() {
        return Err((i, message));
    }
    match table {
        Node::Table(kind, keys) => {
            *kind = TableKind::Header;
            Ok(keys)
        }
        other => Err((i, format!("expected a table, found {}", other.what()))),
    }
}

/// The line-level state that decides where sections start: inside a multi-line string, and
/// how many arrays and inline tables are open. Strings and comments are skipped so that
/// brackets in them do not count. The tracker never rejects anything: a malformed line only
/// makes a section the parser then rejects.
#[derive(Default)]
struct Lines {
    /// Inside a `"""` (basic) or `'''` (literal) multi-line string, if any.
    open_string: Option<u8>,
    /// Open `[` and `{` outside strings.
    depth: u32,
}

impl Lines {
    /// Whether `line` starts a new section: a header at the top level.
    fn starts_header(&self, line: &[u8]) -> bool {
        self.open_string.is_none()
            && self.depth == 0
            && line.iter().find(|&&b| b != b' ' && b != b'\t') == Some(&b'[')
    }

    /// Updates the state with `line`.
    fn scan(&mut self, line: &[u8]) {
        let mut i = 0;
        while i < line.len() {
            if let Some(quote) = self.open_string {
                i = self.close_multiline(line, i, quote);
                continue;
            }
            match line[i] {
                b'#' => return,
                q @ (b'"' | b'\'') if line[i..].starts_with(&[q, q, q]) => {
                    self.open_string = Some(q);
                    i += 3;
                }
                q @ (b'"' | b'\'') => i = skip_string(line, i + 1, q),
                b'[' | b'{' => {
                    self.depth += 1;
                    i += 1;
                }
                b']' | b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    /// Inside a multi-line string at `i`: the offset after its closing delimiter (and up to
    /// two more quotes, which belong to the string), or the end of the line.
    fn close_multiline(&mut self, line: &[u8], mut i: usize, quote: u8) -> usize {
        while i < line.len() {
            let b = line[i];
            if b == b'\\' && quote == b'"' {
                i += 2;
            } else if b == quote && line[i..].starts_with(&[quote, quote, quote]) {
                i += 3;
                let mut extra = 0;
                while extra < 2 && line.get(i) == Some(&quote) {
                    i += 1;
                    extra += 1;
                }
                self.open_string = None;
                return i;
            } else {
                i += 1;
            }
        }
        line.len()
    }
}

/// In a one-line string opened before `i`: the offset after its closing quote, or the end of
/// the line (an unterminated string, which the parser rejects).
fn skip_string(line: &[u8], mut i: usize, quote: u8) -> usize {
    while i < line.len() {
        match line[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    line.len()
}

#[cfg(test)]
mod tests;
