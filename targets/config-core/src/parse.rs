//! Stub: replaced by the real parser.
use crate::error::RawError;
use crate::value::{Document, List};

/// The deepest nesting of arrays and inline tables a document may have.
pub const MAX_NESTING: usize = 128;

pub(crate) fn parse_document(src: &str) -> Result<Document<'_>, Box<RawError>> {
    Ok(Document { src, root: List::EMPTY, entries: Vec::new(), text: String::new(), index: Default::default() })
}
