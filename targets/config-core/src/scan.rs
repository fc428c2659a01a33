//! The scanner: finds where each token of TOML ends, as byte offsets into the source.
//!
//! Every function here takes the source bytes and a start offset and returns an end offset (and,
//! for strings, what it saw on the way). None of them fails and none allocates: an unexpected
//! byte simply ends the token, and the parser, which knows what it expected, reports it. The
//! hot loops test one 256-entry class table per byte, and string bodies and comments are
//! skipped eight bytes at a time when no byte in the word needs a look (`benches/scanner.rs`
//! measures both against a plain byte loop).

/// Byte classes, as bits of [`CLASS`].
const BARE: u8 = 1 << 0;
/// Bytes that may appear in a number, boolean or date-time ("atom").
const ATOM: u8 = 1 << 1;
/// Bytes that end a run of basic-string text: `"`, `\`, and control characters but tab.
const BASIC_STOP: u8 = 1 << 2;
/// Bytes that end a run of literal-string text: `'` and control characters but tab.
const LITERAL_STOP: u8 = 1 << 3;
/// Bytes that end a comment's text: control characters but tab (so also `\n` and `\r`).
const CONTROL: u8 = 1 << 4;
/// Space or tab.
const BLANK: u8 = 1 << 5;

/// The class of every byte value.
static CLASS: [u8; 256] = build_classes();

const fn build_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        let mut k = 0u8;
        // unquoted-key = 1*( ALPHA / DIGIT / %x2D / %x5F ) ; A-Z / a-z / 0-9 / - / _
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
            k |= BARE;
        }
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'.' | b':') {
            k |= ATOM;
        }
        let control = (c < 0x20 && c != b'\t') || c == 0x7f;
        if control {
            k |= CONTROL | BASIC_STOP | LITERAL_STOP;
        }
        if c == b'"' || c == b'\\' {
            k |= BASIC_STOP;
        }
        if c == b'\'' {
            k |= LITERAL_STOP;
        }
        if c == b' ' || c == b'\t' {
            k |= BLANK;
        }
        t[b] = k;
        b += 1;
    }
    t
}

#[inline(always)]
fn is(byte: u8, class: u8) -> bool {
    CLASS[byte as usize] & class != 0
}

/// The byte at `pos`, or 0 past the end (0 is a control character, so it ends every token).
#[inline(always)]
pub(crate) fn peek(bytes: &[u8], pos: usize) -> u8 {
    match bytes.get(pos) {
        Some(&b) => b,
        None => 0,
    }
}

/// `ws = *wschar ; wschar = %x20 / %x09`: the end of the blanks starting at `pos`.
#[inline(always)]
pub(crate) fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && is(bytes[pos], BLANK) {
        pos += 1;
    }
    pos
}

/// `comment = "#" *non-eol`: given `pos` at the `#`, the offset of the first byte that is not
/// comment text (a newline, a control character or the end). The caller checks which.
#[inline]
pub(crate) fn skip_comment(bytes: &[u8], pos: usize) -> usize {
    text_run_end(bytes, pos + 1, CONTROL, None)
}

/// `unquoted-key = 1*( ALPHA / DIGIT / %x2D / %x5F )`: the end of the bare key at `pos`
/// (equal to `pos` when there is none).
#[inline(always)]
pub(crate) fn bare_key_end(bytes: &[u8], pos: usize) -> usize {
    class_run_end(bytes, pos, BARE)
}

/// The end of the run of bytes of class `class` at `pos`. Eight bytes are checked per bounds
/// test (the inner loop unrolls), which matters for the short runs keys and numbers are.
#[inline(always)]
fn class_run_end(bytes: &[u8], mut pos: usize, class: u8) -> usize {
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        for (i, &b) in chunk.iter().enumerate() {
            if !is(b, class) {
                return pos + i;
            }
        }
        pos += 8;
    }
    while pos < bytes.len() && is(bytes[pos], class) {
        pos += 1;
    }
    pos
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The end of the run of number/boolean/date-time bytes (`[A-Za-z0-9_+.:-]`) at `pos`.
#[inline(always)]
pub(crate) fn atom_end(bytes: &[u8], pos: usize) -> usize {
    class_run_end(bytes, pos, ATOM)
}

/// The bytes of `word` a text scan must look at: those below 0x20 and 0x7f (control
/// characters, so also newlines), and `quote` and the backslash when asked. The lowest set high
/// bit marks the first such byte exactly (higher ones may be false alarms from a borrow, and are
/// never used). Tab is marked too; the caller lets it through. Formulas: "determine if a word
/// has a byte less than n" and "has zero byte" (Sean Eron Anderson, Bit Twiddling Hacks).
#[inline(always)]
fn look_mask(word: u64, quote: Option<u8>, backslash: bool) -> u64 {
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let less_than_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let mut mask = less_than_space | has_zero(word ^ (ONES * 0x7f));
    if let Some(quote) = quote {
        mask |= has_zero(word ^ (ONES * quote as u64));
    }
    if backslash {
        mask |= has_zero(word ^ (ONES * b'\\' as u64));
    }
    mask
}

/// The end of the run of plain text at `pos`: the first byte of class `stop` (`BASIC_STOP`,
/// `LITERAL_STOP` or `CONTROL`), whose members besides the control characters are `quote` and,
/// for basic strings, the backslash. Eight bytes are read at a time; the first byte worth a
/// look is found from the mask's lowest bit, and a tab, which is let through, resumes the word
/// loop just after it.
#[inline(always)]
fn text_run_end(bytes: &[u8], mut pos: usize, stop: u8, quote: Option<u8>) -> usize {
    let backslash = stop == BASIC_STOP;
    while pos + 8 <= bytes.len() {
        let word = u64::from_le_bytes(
            bytes[pos..pos + 8]
                .try_into()
                .expect("slice of eight bytes"),
        );
        let mask = look_mask(word, quote, backslash);
        if mask == 0 {
            pos += 8;
            continue;
        }
        let at = pos + (mask.trailing_zeros() / 8) as usize;
        if is(bytes[at], stop) {
            return at;
        }
        pos = at + 1;
    }
    while pos < bytes.len() && !is(bytes[pos], stop) {
        pos += 1;
    }
    pos
}

/// What a string scan found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StringScan {
    /// Offset of the first byte of the closing delimiter, or of the byte that ended the scan.
    pub(crate) end: usize,
    /// Whether the closing delimiter was found at `end`.
    pub(crate) closed: bool,
    /// Whether the body holds a backslash (basic strings only: it must be decoded).
    pub(crate) escaped: bool,
}

/// `basic-string = quotation-mark *basic-char quotation-mark`: given `pos` just after the
/// opening quote, finds the closing one. Escapes are skipped over, not checked (`\` and the byte
/// after it); a control character, newline or the end stops the scan unclosed.
#[inline]
pub(crate) fn basic_string(bytes: &[u8], pos: usize) -> StringScan {
    let mut p = pos;
    let mut escaped = false;
    loop {
        p = text_run_end(bytes, p, BASIC_STOP, Some(b'"'));
        match peek(bytes, p) {
            b'"' => {
                return StringScan {
                    end: p,
                    closed: true,
                    escaped,
                };
            }
            b'\\' if p + 1 < bytes.len() && !is(bytes[p + 1], CONTROL) => {
                escaped = true;
                p += 2;
            }
            _ => {
                return StringScan {
                    end: p,
                    closed: false,
                    escaped,
                };
            }
        }
    }
}

/// `literal-string = apostrophe *literal-char apostrophe`: given `pos` just after the opening
/// apostrophe, finds the closing one; a control character, newline or the end stops it.
#[inline]
pub(crate) fn literal_string(bytes: &[u8], pos: usize) -> StringScan {
    let p = text_run_end(bytes, pos, LITERAL_STOP, Some(b'\''));
    StringScan {
        end: p,
        closed: peek(bytes, p) == b'\'',
        escaped: false,
    }
}

/// `ml-basic-string = ml-basic-string-delim [ newline ] ml-basic-body ml-basic-string-delim`
/// and the literal twin: given `pos` just after the opening delimiter (and its optional first
/// newline), finds the closing `"""` (or `'''`). Up to two quotes right before the delimiter
/// belong to the body (`"""a"""""` holds `a""`), so `end` is where the body stops. Newlines
/// (`\n`, `\r\n`) are body text; other control characters stop the scan unclosed.
#[inline]
pub(crate) fn multiline_string(bytes: &[u8], pos: usize, quote: u8) -> StringScan {
    let (stop, basic) = if quote == b'"' {
        (BASIC_STOP, true)
    } else {
        (LITERAL_STOP, false)
    };
    let mut p = pos;
    let mut escaped = false;
    loop {
        p = text_run_end(bytes, p, stop, Some(quote));
        let b = peek(bytes, p);
        if b == quote {
            let mut run = 1;
            while peek(bytes, p + run) == quote {
                run += 1;
            }
            if run >= 3 {
                // A run of 3-5 quotes closes the string after 0-2 body quotes; a longer run
                // is closed at its first 5 and the rest is left for the parser to reject.
                let body_quotes = (run - 3).min(2);
                return StringScan {
                    end: p + body_quotes,
                    closed: true,
                    escaped,
                };
            }
            p += run;
        } else if b == b'\n' {
            p += 1;
        } else if b == b'\r' && peek(bytes, p + 1) == b'\n' {
            p += 2;
        } else if basic && b == b'\\' && p + 1 < bytes.len() {
            // The byte after a backslash is skipped unless it is a control character other
            // than a newline (`\n`, or `\r` of a `\r\n`); the decoder checks the escape itself.
            // A lone carriage return is not a newline: it stops the scan unclosed.
            escaped = true;
            let next = bytes[p + 1];
            let newline = next == b'\n' || (next == b'\r' && peek(bytes, p + 2) == b'\n');
            p += if is(next, CONTROL) && !newline { 1 } else { 2 };
        } else {
            return StringScan {
                end: p,
                closed: false,
                escaped,
            };
        }
    }
}

#[cfg(test)]
#[path = "scan/tests.rs"]
mod tests;
