//! A serde path beside the hand-written model: a [`Deserializer`] over the document's views,
//! [`from_document`] for any `Deserialize` type, and [`SerdeConfig`], the code generator's
//! configuration declared with `#[derive(Deserialize)]`.
//!
//! Enabled by the `serde` feature. It exists so that the two ways of building the typed
//! configuration can be compared (speed, binary size, build cost); [`Config::from_document`]
//! stays the default.
//!
//! The deserializer is zero-copy: every string, key or value, reaches the visitor through
//! `visit_borrowed_str` with the lifetime of the document borrow. Strings without escapes are
//! slices of the input itself; strings with escapes live in the document's decoded-text buffer.
//! Date-times, which serde has no type for, are given as their canonical text.
//!
//! Errors carry the key path (`templates.api.source`, `generators[1].inputs[0]`) and, once they
//! leave [`from_document`], the line and column of the key or value at fault, as
//! [`ConfigError`] does. The path is assembled while the error unwinds, so a successful
//! deserialization never builds one.
//!
//! ```
//! use config_core::de::SerdeConfig;
//!
//! let src = "[project]\nname = \"demo\"\n[limits]\nconcurrency = 4\n";
//! let doc = config_core::parse(src).unwrap();
//! let config = SerdeConfig::from_document(&doc).unwrap();
//! assert_eq!(config.project.output_dir, "out");
//! assert_eq!(config.limits.concurrency, 4);
//! ```

use std::fmt::{self, Write as _};

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Unexpected, Visitor};

use crate::model::ConfigError;
use crate::value::{Array, ArrayIter, Document, Key, Table, TableIter, Value};

// ---------------------------------------------------------------------------------------------
// Errors

/// Why a document could not be deserialized: the key path, the position once known, and the
/// problem. Displays like [`ConfigError`]: "`` `limits.concurrency` must be between 1 and 1024,
/// found 0 (line 4, column 15) ``".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<ErrorInner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct ErrorInner {
    message: String,
    /// The key path, innermost segment first, as the error unwinds through the tables.
    segments: Vec<Segment>,
    /// The byte offset of the key or value at fault, set by the innermost level that knows it.
    offset: Option<u32>,
    /// Line and column (from 1), once the error is placed in the source by [`from_document`].
    position: Option<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Error {
    #[cold]
    fn new(message: String) -> Error {
        Error(Box::new(ErrorInner {
            message,
            segments: Vec::new(),
            offset: None,
            position: None,
        }))
    }

    /// The dotted key path of the value at fault (`templates.api.source`,
    /// `generators[1].name`); empty for the document itself.
    pub fn key_path(&self) -> String {
        let mut out = String::new();
        for segment in self.0.segments.iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }

    /// What is wrong, after the key: "must be a relative path, found `/etc`".
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The line (from 1) of the key or value at fault; `None` unless the error came from
    /// [`from_document`] (a bare [`Deserializer`] does not see the source).
    pub fn line(&self) -> Option<usize> {
        self.0.position.map(|(line, _)| line)
    }

    /// Its column (from 1, in characters); `None` as for [`Error::line`].
    pub fn column(&self) -> Option<usize> {
        self.0.position.map(|(_, column)| column)
    }

    /// Adds the key the error came from, and the offset of the key or value if no inner level
    /// gave one.
    #[cold]
    #[inline(never)]
    fn in_key(mut self, key: &str, offset: impl FnOnce() -> u32) -> Error {
        self.0.segments.push(Segment::Key(key.to_string()));
        if self.0.offset.is_none() {
            self.0.offset = Some(offset());
        }
        self
    }

    /// Adds the array index the error came from, as [`Error::in_key`] does.
    #[cold]
    #[inline(never)]
    fn in_index(mut self, index: usize, offset: impl FnOnce() -> u32) -> Error {
        self.0.segments.push(Segment::Index(index));
        if self.0.offset.is_none() {
            self.0.offset = Some(offset());
        }
        self
    }

    /// Places the error in `src`: line and column of its offset (the start if none was found).
    #[cold]
    #[inline(never)]
    fn place(mut self, src: &str) -> Error {
        let offset = self.0.offset.unwrap_or(0) as usize;
        let at = ConfigError::at(src, offset, "", "");
        self.0.position = Some((at.line, at.column));
        self
    }

    /// An error already placed at byte `offset` of `src`, for checks made after deserializing.
    #[cold]
    fn at(src: &str, offset: u32, segments: Vec<Segment>, message: String) -> Error {
        let mut e = Error::new(message);
        e.0.segments = segments;
        e.0.offset = Some(offset);
        e.place(src)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.key_path();
        if !path.is_empty() {
            write!(f, "`{path}` ")?;
        }
        f.write_str(&self.0.message)?;
        if let Some((line, column)) = self.0.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error::new(msg.to_string())
    }

    #[cold]
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        Error::new(format!("must be {exp}, found {}", toml_type(&unexp)))
    }

    #[cold]
    fn unknown_field(_field: &str, expected: &'static [&'static str]) -> Error {
        // The key itself joins the path in the table it came from.
        let keys = expected
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if keys.is_empty() {
            Error::new("is not a known key; this table takes no keys".to_string())
        } else {
            Error::new(format!("is not a known key; the keys here are {keys}"))
        }
    }

    #[cold]
    fn missing_field(field: &'static str) -> Error {
        let mut e = Error::new("is required".to_string());
        e.0.segments.push(Segment::Key(field.to_string()));
        e
    }
}

/// The TOML name of what serde says it found (date-times arrive as strings).
fn toml_type(unexp: &Unexpected<'_>) -> String {
    match unexp {
        Unexpected::Bool(_) => "boolean".to_string(),
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "integer".to_string(),
        Unexpected::Float(_) => "float".to_string(),
        Unexpected::Str(_) | Unexpected::Char(_) => "string".to_string(),
        Unexpected::Seq => "array".to_string(),
        Unexpected::Map => "table".to_string(),
        other => other.to_string(),
    }
}

impl From<Error> for ConfigError {
    /// The same error as the hand-written model reports it; line and column are 0 if the
    /// error was never placed in a source.
    fn from(e: Error) -> ConfigError {
        let (line, column) = e.0.position.unwrap_or((0, 0));
        ConfigError {
            key_path: e.key_path(),
            line,
            column,
            message: e.0.message,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The deserializer

/// A serde deserializer of one value of a [`Document`]. Strings (keys included) are given to
/// the visitor borrowed for `'d`, the lifetime of the document borrow; integers as `i64`;
/// date-times as their canonical text; arrays as sequences and tables as maps, in the order
/// written.
#[derive(Clone, Copy, Debug)]
pub struct Deserializer<'d, 'a> {
    value: Value<'d, 'a>,
}

impl<'d, 'a> Deserializer<'d, 'a> {
    /// A deserializer of `value` (for a whole document, `Value::Table(doc.root())`).
    pub fn new(value: Value<'d, 'a>) -> Self {
        Deserializer { value }
    }
}

/// Deserializes a `T` from the root table of `doc`. `T` may borrow strings from the document
/// for as long as it is borrowed; errors are placed in its source (line and column).
pub fn from_document<'d, T: Deserialize<'d>>(doc: &'d Document<'_>) -> Result<T, Error> {
    T::deserialize(Deserializer::new(Value::Table(doc.root()))).map_err(|e| e.place(doc.source()))
}

impl<'d, 'a: 'd> de::Deserializer<'d> for Deserializer<'d, 'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s.as_str()),
            Value::Integer(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::Boolean(b) => visitor.visit_bool(b),
            Value::Datetime(d) => visitor.visit_string(d.to_string()),
            Value::Array(array) => {
                let mut access = ArrayAccess {
                    array,
                    iter: array.iter(),
                    index: 0,
                };
                let out = visitor.visit_seq(&mut access)?;
                match access.iter.len() {
                    0 => Ok(out),
                    _ => Err(de::Error::invalid_length(array.len(), &"fewer elements")),
                }
            }
            Value::Table(table) => {
                let mut access = TableAccess {
                    table,
                    iter: table.iter(),
                    pending: None,
                };
                let out = visitor.visit_map(&mut access)?;
                match access.iter.len() {
                    0 => Ok(out),
                    _ => Err(de::Error::invalid_length(table.len(), &"fewer keys")),
                }
            }
        }
    }

    /// A value that is present is `Some`; an absent key is `None` (the derive's default).
    fn deserialize_option<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'d>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants, written as strings; anything else is given as it is, for the enum's
    /// visitor to reject.
    fn deserialize_enum<V: Visitor<'d>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s.as_str())),
            _ => self.deserialize_any(visitor),
        }
    }

    /// Nothing to skip: the value is already parsed.
    fn deserialize_ignored_any<V: Visitor<'d>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'d>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A table as a serde map, keys in the order written.
struct TableAccess<'d, 'a> {
    table: Table<'d, 'a>,
    iter: TableIter<'d, 'a>,
    /// The entry whose key was given and whose value is next.
    pending: Option<(Key<'d, 'a>, Value<'d, 'a>)>,
}

impl<'d, 'a: 'd> de::MapAccess<'d> for TableAccess<'d, 'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'d>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        seed.deserialize(BorrowedStrDeserializer::new(key.as_str()))
            .map(Some)
            .map_err(|e: Error| e.in_key(key.as_str(), || key.span.start))
    }

    fn next_value_seed<V: DeserializeSeed<'d>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.pending.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        let table = self.table;
        seed.deserialize(Deserializer::new(value)).map_err(|e| {
            e.in_key(key.as_str(), || {
                table
                    .get_spanned(key.as_str())
                    .map_or(table.span().start, |(_, span)| span.start)
            })
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An array as a serde sequence.
struct ArrayAccess<'d, 'a> {
    array: Array<'d, 'a>,
    iter: ArrayIter<'d, 'a>,
    index: usize,
}

impl<'d, 'a: 'd> de::SeqAccess<'d> for ArrayAccess<'d, 'a> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'d>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.iter.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        let array = self.array;
        seed.deserialize(Deserializer::new(value))
            .map(Some)
            .map_err(|e| {
                e.in_index(index, || {
                    array
                        .iter_spanned()
                        .nth(index)
                        .map_or(array.span().start, |(_, span)| span.start)
                })
            })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

mod config;
pub use config::{SerdeConfig, SerdeGenerator, SerdeLimits, SerdeProject, SerdeTemplate};

#[cfg(test)]
mod tests;
