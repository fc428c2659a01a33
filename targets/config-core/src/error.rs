//! Parse errors: a byte span and a message inside the parser, a position, the source line and
//! carets once shown to a person.
//!
//! Line and column are computed only when an error is made (errors are cold), never while
//! parsing. Messages are lowercase, name the item in backticks and read "expected X, found Y".

use std::fmt;

use crate::layout::Span;

/// Why a document was rejected. Displays in the toml style: position, source line, carets
/// under the offending span, then the message and the key path where it is known.
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError(Box<ErrorInner>);

#[derive(Clone, PartialEq, Eq)]
struct ErrorInner {
    span: Span,
    line: usize,
    column: usize,
    line_text: String,
    caret_len: usize,
    message: String,
    key_path: Option<String>,
}

/// The parser's error before it is placed in the source: cheap to build and to return.
#[derive(Debug)]
pub(crate) struct RawError {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) key_path: Option<String>,
}

impl RawError {
    #[cold]
    #[inline(never)]
    pub(crate) fn new(span: Span, message: String) -> Box<RawError> {
        Box::new(RawError {
            span,
            message,
            key_path: None,
        })
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `src`, clamped to its
/// length: the one place positions are counted (parse errors, configuration errors, the
/// streaming reader's errors).
pub(crate) fn line_column(src: &[u8], offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

impl ParseError {
    /// Places `raw` in `src`: computes line, column and the source line to show.
    #[cold]
    pub(crate) fn from_raw(src: &[u8], raw: RawError) -> ParseError {
        let start = (raw.span.start as usize).min(src.len());
        let end = (raw.span.end as usize).clamp(start, src.len());
        let line_start = src[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = src[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(src.len(), |i| start + i);
        let (line, column) = line_column(src, start);
        let marked = String::from_utf8_lossy(&src[start..end.min(line_end)]);
        let caret_len = marked.chars().count().max(1);
        let line_text = String::from_utf8_lossy(&src[line_start..line_end])
            .chars()
            .map(printable)
            .collect();
        ParseError(Box::new(ErrorInner {
            span: raw.span,
            line,
            column,
            line_text,
            caret_len,
            message: raw.message,
            key_path: raw.key_path,
        }))
    }

    /// The byte span the error points at.
    pub fn span(&self) -> Span {
        self.0.span
    }

    /// The 1-based line of the span's start.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// The 1-based column (in characters) of the span's start.
    pub fn column(&self) -> usize {
        self.0.column
    }

    /// The message alone, without position or source line.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The dotted path of the key being defined when the error was found, if any.
    pub fn key_path(&self) -> Option<&str> {
        self.0.key_path.as_deref()
    }
}

/// Shows a character of the source line so that one character stays one column: tabs become
/// spaces and other control characters the replacement character.
fn printable(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        let number = e.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(
            f,
            "TOML parse error at line {}, column {}",
            e.line, e.column
        )?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{number} | {}", e.line_text)?;
        writeln!(
            f,
            "{pad} | {}{}",
            " ".repeat(e.column - 1),
            "^".repeat(e.caret_len)
        )?;
        f.write_str(&e.message)?;
        if let Some(path) = &e.key_path {
            write!(f, " (in `{path}`)")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ParseError {}
