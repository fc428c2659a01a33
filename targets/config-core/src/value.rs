//! The value model: a parsed [`Document`] and read-only views over it.
//!
//! A [`Document`] owns three flat buffers, so a parse costs a handful of allocations whatever
//! the input's size: `entries` and `text` (see `layout`) and the key index of large tables
//! (see `index`). Strings without escapes are never copied: they are spans of the source.
//! Tables keep insertion order.
//!
//! This module owns the views; it does not parse (see `parse`) and it does not decode (see
//! `decode`).

use std::fmt;

use crate::datetime::Datetime;
use crate::index::KeyIndex;
use crate::layout::{Entry, Item, List, NONE, ROOT, Span, Str, StrRef, TableKind};

/// A parsed TOML document. Borrows the source text; read it through [`Document::root`].
pub struct Document<'a> {
    pub(crate) src: &'a str,
    pub(crate) root: List,
    pub(crate) entries: Vec<Entry>,
    pub(crate) text: String,
    pub(crate) index: KeyIndex,
}

impl<'a> Document<'a> {
    /// The root table.
    pub fn root(&self) -> Table<'_, 'a> {
        Table {
            doc: self,
            list: self.root,
            id: ROOT,
            span: Span::new(0, self.src.len()),
        }
    }

    /// The value at `key` in the root table.
    pub fn get(&self, key: &str) -> Option<Value<'_, 'a>> {
        self.root().get(key)
    }

    /// The source text the document borrows from.
    pub fn source(&self) -> &'a str {
        self.src
    }

    #[inline]
    fn str(&self, s: StrRef) -> Str<'_, 'a> {
        s.resolve(self.src, &self.text)
    }

    fn value(&self, id: u32) -> Value<'_, 'a> {
        let entry = &self.entries[id as usize];
        match entry.item {
            Item::String(s) => Value::String(self.str(s)),
            Item::Integer(i) => Value::Integer(i),
            Item::Float(f) => Value::Float(f),
            Item::Boolean(b) => Value::Boolean(b),
            Item::Datetime(d) => Value::Datetime(d),
            Item::Array(list, _) => Value::Array(Array {
                doc: self,
                list,
                span: entry.span,
            }),
            Item::Table(list, _) => Value::Table(Table {
                doc: self,
                list,
                id,
                span: entry.span,
            }),
        }
    }
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root().fmt(f)
    }
}

/// A view of one value of a document.
#[derive(Clone, Copy, Debug)]
pub enum Value<'d, 'a> {
    /// A string of any of the four kinds.
    String(Str<'d, 'a>),
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Float(f64),
    /// `true` or `false`.
    Boolean(bool),
    /// Any of the four date-time kinds.
    Datetime(Datetime),
    /// An array value or an array of tables.
    Array(Array<'d, 'a>),
    /// A table, inline or not.
    Table(Table<'d, 'a>),
}

impl<'d, 'a> Value<'d, 'a> {
    /// The TOML type's name, as error messages and the toml-test tags spell it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::Boolean(_) => "boolean",
            Value::Datetime(d) => d.type_name(),
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }

    /// The string's text, if this is a string.
    pub fn as_str(&self) -> Option<&'d str> {
        match self {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_integer(&self) -> Option<i64> {
        match *self {
            Value::Integer(i) => Some(i),
            _ => None,
        }
    }

    /// The float, if this is one.
    pub fn as_float(&self) -> Option<f64> {
        match *self {
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The date-time, if this is one.
    pub fn as_datetime(&self) -> Option<Datetime> {
        match *self {
            Value::Datetime(d) => Some(d),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<Array<'d, 'a>> {
        match *self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The table, if this is one.
    pub fn as_table(&self) -> Option<Table<'d, 'a>> {
        match *self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }
}

/// A key of a table, with where it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key<'d, 'a> {
    /// The key's text, unquoted and decoded.
    pub name: Str<'d, 'a>,
    /// Where the key (with its quotes) was written; for a table created by a header, the span
    /// of that key in the first header that named it.
    pub span: Span,
}

impl<'d, 'a: 'd> Key<'d, 'a> {
    /// The key's text.
    pub fn as_str(&self) -> &'d str {
        self.name.as_str()
    }
}

/// A view of one table.
#[derive(Clone, Copy)]
pub struct Table<'d, 'a> {
    doc: &'d Document<'a>,
    list: List,
    id: u32,
    span: Span,
}

impl<'d, 'a> Table<'d, 'a> {
    /// The number of keys.
    pub fn len(&self) -> usize {
        self.list.len as usize
    }

    /// How the table came to exist (the root counts as defined by a header).
    pub(crate) fn kind(&self) -> TableKind {
        match self.doc.entries.get(self.id as usize).map(|e| e.item) {
            Some(Item::Table(_, kind)) => kind,
            _ => TableKind::Header,
        }
    }

    /// Whether the table has no keys.
    pub fn is_empty(&self) -> bool {
        self.list.len == 0
    }

    /// Where the table was defined: its header, its inline braces, or the whole document for
    /// the root.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<Value<'d, 'a>> {
        self.find(key).map(|id| self.doc.value(id))
    }

    /// The value at `key` with the span of its value.
    pub fn get_spanned(&self, key: &str) -> Option<(Value<'d, 'a>, Span)> {
        self.find(key)
            .map(|id| (self.doc.value(id), self.doc.entries[id as usize].span))
    }

    /// Whether the table has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    fn find(&self, key: &str) -> Option<u32> {
        let doc = self.doc;
        let keys = crate::index::Keys {
            entries: &doc.entries,
            src: doc.src,
            text: &doc.text,
        };
        crate::index::find(&doc.index, keys, self.id, self.list, key.as_bytes())
    }

    /// The keys and values in insertion order.
    pub fn iter(&self) -> TableIter<'d, 'a> {
        TableIter {
            doc: self.doc,
            next: self.list.head,
            left: self.list.len as usize,
        }
    }
}

impl fmt::Debug for Table<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (k.name, v)))
            .finish()
    }
}

impl<'d, 'a> IntoIterator for Table<'d, 'a> {
    type Item = (Key<'d, 'a>, Value<'d, 'a>);
    type IntoIter = TableIter<'d, 'a>;
    fn into_iter(self) -> TableIter<'d, 'a> {
        self.iter()
    }
}

/// Iterator over a table's keys and values, in insertion order.
pub struct TableIter<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    left: usize,
}

impl<'d, 'a> Iterator for TableIter<'d, 'a> {
    type Item = (Key<'d, 'a>, Value<'d, 'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        let entry = &self.doc.entries[id as usize];
        self.next = entry.next;
        self.left -= 1;
        let key = Key {
            name: self.doc.str(entry.key),
            span: entry.key_span,
        };
        Some((key, self.doc.value(id)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for TableIter<'_, '_> {}

/// A view of one array (an array value or an array of tables).
#[derive(Clone, Copy)]
pub struct Array<'d, 'a> {
    doc: &'d Document<'a>,
    list: List,
    span: Span,
}

impl<'d, 'a> Array<'d, 'a> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.list.len as usize
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.list.len == 0
    }

    /// Where the array was written (for an array of tables, its first header).
    pub fn span(&self) -> Span {
        self.span
    }

    /// The element at `index` (walks the list: O(index)).
    pub fn get(&self, index: usize) -> Option<Value<'d, 'a>> {
        self.iter().nth(index)
    }

    /// The elements in order.
    pub fn iter(&self) -> ArrayIter<'d, 'a> {
        ArrayIter {
            doc: self.doc,
            next: self.list.head,
            left: self.list.len as usize,
        }
    }

    /// The elements in order, each with the span it was written at.
    pub fn iter_spanned(&self) -> impl Iterator<Item = (Value<'d, 'a>, Span)> + 'd {
        let doc = self.doc;
        let mut next = self.list.head;
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let id = next;
            let entry = &doc.entries[id as usize];
            next = entry.next;
            Some((doc.value(id), entry.span))
        })
    }
}

impl fmt::Debug for Array<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'d, 'a> IntoIterator for Array<'d, 'a> {
    type Item = Value<'d, 'a>;
    type IntoIter = ArrayIter<'d, 'a>;
    fn into_iter(self) -> ArrayIter<'d, 'a> {
        self.iter()
    }
}

/// Iterator over an array's elements.
pub struct ArrayIter<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    left: usize,
}

impl<'d, 'a> Iterator for ArrayIter<'d, 'a> {
    type Item = Value<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.doc.entries[id as usize].next;
        self.left -= 1;
        Some(self.doc.value(id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ArrayIter<'_, '_> {}
