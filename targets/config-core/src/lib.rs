//! config-core: the configuration core of a code-generator CLI, starting with a zero-copy,
//! strict TOML 1.0 parser.
//!
//! Phases, each a module, data flowing one way:
//! `scan` (bytes → token spans; never fails) → `parse` (grammar and table rules) using
//! `decode` (strings, numbers, date-times) and `index` (key lookup), storing into `layout`
//! (entries and decoded text) → `value` (the [`Document`] and its views) → `model` (the typed
//! [`Config`] of the code generator).
//!
//! ```
//! let doc = config_core::parse("[project]\nname = \"demo\"\n").unwrap();
//! let project = doc.get("project").unwrap().as_table().unwrap();
//! assert_eq!(project.get("name").unwrap().as_str(), Some("demo"));
//! ```

mod datetime;
#[cfg(feature = "serde")]
pub mod de;
mod decode;
pub mod encode;
mod error;
pub mod fscheck;
mod index;
pub mod intern;
mod layout;
pub mod model;
mod parse;
mod scan;
#[doc(hidden)]
pub mod scan_compare;
pub mod stream;
pub mod tagged;
mod value;

pub use datetime::{Date, Datetime, Offset, Time};
pub use error::ParseError;
pub use layout::{MAX_INPUT_BYTES, Span, Str};
pub use model::{Config, ConfigError};
pub use parse::MAX_NESTING;
pub use value::{Array, ArrayIter, Document, Key, Table, TableIter, Value};

/// Parses a TOML 1.0 document. Strings without escapes in the result borrow from `src`.
pub fn parse(src: &str) -> Result<Document<'_>, ParseError> {
    parse::parse_document(src).map_err(|raw| ParseError::from_raw(src.as_bytes(), *raw))
}

/// Parses a TOML 1.0 document given as bytes: input that is not UTF-8 is rejected with the
/// line and column of the first bad byte.
pub fn parse_bytes(src: &[u8]) -> Result<Document<'_>, ParseError> {
    match std::str::from_utf8(src) {
        Ok(text) => parse(text),
        Err(e) => {
            let at = e.valid_up_to();
            let len = e.error_len().unwrap_or(src.len() - at).max(1);
            let raw = error::RawError::new(
                Span::new(at, at + len),
                "expected UTF-8 text, found a byte sequence that is not UTF-8".to_string(),
            );
            Err(ParseError::from_raw(src, *raw))
        }
    }
}
