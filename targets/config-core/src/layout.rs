//! The document's storage layout: spans, string references, entries and the linked lists that
//! thread tables and arrays through them.
//!
//! A parse fills one `Vec<Entry>` (every key/value pair and every array element; each table and
//! array a singly linked list through it) and one `String` of decoded text. This module owns
//! those types and the `Str` a string reference resolves to; it neither parses (`parse`) nor
//! offers views (`value`).

use std::fmt;

use crate::datetime::Datetime;

/// A byte range `start..end` of the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a `usize` range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Sentinel for "no entry" in the linked lists.
pub(crate) const NONE: u32 = u32::MAX;
/// The table id of the document's root table (every other table is named by its entry).
pub(crate) const ROOT: u32 = u32::MAX - 1;
/// The bit of `StrRef::len` that says "in the decoded-text buffer" rather than "in the source".
const DECODED: u32 = 1 << 31;
/// The largest input a document can address: offsets are `u32` and one bit is a flag.
pub const MAX_INPUT_BYTES: usize = (DECODED - 1) as usize;

/// A string stored as an offset and a length into the source or into the decoded-text buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrRef {
    start: u32,
    len: u32,
}

impl StrRef {
    /// The empty string (the key of array elements).
    pub(crate) const EMPTY: StrRef = StrRef { start: 0, len: 0 };

    /// A string that is a span of the source.
    #[inline]
    pub(crate) fn source(start: usize, end: usize) -> StrRef {
        StrRef {
            start: start as u32,
            len: (end - start) as u32,
        }
    }

    /// A string held in the decoded-text buffer.
    #[inline]
    pub(crate) fn decoded(start: usize, end: usize) -> StrRef {
        StrRef {
            start: start as u32,
            len: (end - start) as u32 | DECODED,
        }
    }

    /// The length of the text in bytes.
    #[inline(always)]
    pub(crate) fn byte_len(self) -> usize {
        (self.len & !DECODED) as usize
    }

    /// The text's bytes, from the source or from the decoded-text buffer.
    #[inline(always)]
    pub(crate) fn bytes<'s>(self, src: &'s str, text: &'s str) -> &'s [u8] {
        let buf = if self.len & DECODED == 0 { src } else { text };
        let start = self.start as usize;
        &buf.as_bytes()[start..start + self.byte_len()]
    }

    #[inline]
    pub(crate) fn resolve<'d, 'a>(self, src: &'a str, text: &'d str) -> Str<'d, 'a> {
        let start = self.start as usize;
        let end = start + self.byte_len();
        // Offsets are made only by the parser, at ASCII delimiters (quotes, `=`, blanks,
        // brackets) of valid UTF-8 or at the ends of decoded runs, so they are char
        // boundaries; the checked slice would only repeat that test.
        if self.len & DECODED == 0 {
            Str::Borrowed(&src[start..end])
        } else {
            Str::Decoded(&text[start..end])
        }
    }
}

/// How a table came to exist; decides which later headers and dotted keys may extend it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableKind {
    /// Created on the way to a deeper `[a.b]` header; `[a]` may still define it.
    Implicit,
    /// Defined by its own `[header]` or `[[header]]`.
    Header,
    /// Created by a dotted key `a.b = 1`; sub-table headers may extend it, `[a]` may not.
    Dotted,
    /// An inline table `{ ... }`: closed once written.
    Inline,
}

/// How an array came to exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArrayKind {
    /// An array value `[ ... ]`: closed once written.
    Static,
    /// An array of tables built by `[[header]]`s.
    Tables,
}

/// A table's or an array's linked list of entries.
#[derive(Clone, Copy, Debug)]
pub(crate) struct List {
    pub(crate) head: u32,
    pub(crate) tail: u32,
    pub(crate) len: u32,
    /// For tables: one bit per key, from `index::key_bit`; a clear bit proves a key absent.
    pub(crate) key_bits: u64,
}

impl List {
    pub(crate) const EMPTY: List = List {
        head: NONE,
        tail: NONE,
        len: 0,
        key_bits: 0,
    };
}

/// A stored value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Item {
    String(StrRef),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(Datetime),
    Array(List, ArrayKind),
    Table(List, TableKind),
}

/// One key/value pair of a table, or one element of an array (whose key is empty).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub(crate) key: StrRef,
    pub(crate) key_span: Span,
    pub(crate) item: Item,
    pub(crate) span: Span,
    pub(crate) next: u32,
}

/// A string value or key: a slice of the source when it held no escapes, else its decoded
/// form, which lives in the document.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Str<'d, 'a> {
    /// Borrowed from the source text: no copy was made.
    Borrowed(&'a str),
    /// Decoded from a string that held escapes (line-ending backslashes included).
    Decoded(&'d str),
}

impl<'d, 'a: 'd> Str<'d, 'a> {
    /// The text.
    pub fn as_str(&self) -> &'d str {
        match *self {
            Str::Borrowed(s) => s,
            Str::Decoded(s) => s,
        }
    }

    /// Whether the text is a slice of the source (no copy was made).
    pub fn is_borrowed(&self) -> bool {
        matches!(self, Str::Borrowed(_))
    }
}

impl std::ops::Deref for Str<'_, '_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Str<'_, '_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str<'_, '_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Str<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
