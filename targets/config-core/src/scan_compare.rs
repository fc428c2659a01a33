//! The scanner's text loops beside plain byte-at-a-time loops, for the `scanner` and
//! `iai_scanner` benchmarks. Not part of the API: hidden, and free to change with the benches.
//!
//! The scanner finds the end of string and comment text by testing eight bytes at a time for
//! any byte that needs a look, then that byte against a 256-entry class table. What that
//! buys is only known against the obvious alternative, so each function here comes in two
//! forms with the same result:
//!
//! - `*_optimised` calls the scanner function the parser calls (`scan::basic_string`,
//!   `scan::literal_string`, `scan::skip_comment`) and returns where the text ends;
//! - `*_plain` does the same job with `while pos < len && !stop(bytes[pos])`, the stop test
//!   written as explicit comparisons: no table, no word tricks.
//!
//! Both forms are `#[inline(never)]`, compiled in this crate with the same settings, so a
//! benchmark compares the loops and not where they were inlined. [`walk`] runs either over a
//! whole input of one or many texts, and [`text`], [`texts`] and [`document`] build the inputs.

use crate::scan;

/// A control character other than tab: the bytes TOML allows in no string or comment.
#[inline(always)]
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Given `pos` just after the opening `"` of a basic string, the offset of its closing quote or
/// of the byte that ends it unclosed (a control character, or a backslash before one), or the
/// end of the input. Escapes are stepped over, not checked. Runs `scan::basic_string`.
#[inline(never)]
pub fn basic_text_end_optimised(bytes: &[u8], pos: usize) -> usize {
    scan::basic_string(bytes, pos).end
}

/// [`basic_text_end_optimised`] with a plain byte loop.
#[inline(never)]
pub fn basic_text_end_plain(bytes: &[u8], pos: usize) -> usize {
    plain_basic_string(bytes, pos).end
}

/// Given `pos` just after the opening `'` of a literal string, the offset of its closing
/// apostrophe, of the control character that ends it unclosed, or the end of the input. Runs
/// `scan::literal_string`.
#[inline(never)]
pub fn literal_text_end_optimised(bytes: &[u8], pos: usize) -> usize {
    scan::literal_string(bytes, pos).end
}

/// [`literal_text_end_optimised`] with a plain byte loop.
#[inline(never)]
pub fn literal_text_end_plain(bytes: &[u8], pos: usize) -> usize {
    plain_literal_string(bytes, pos).end
}

/// Given `pos` at the `#` of a comment, the offset of the first byte after it that is not
/// comment text (a newline or another control character), or the end of the input. Runs
/// `scan::skip_comment`.
#[inline(never)]
pub fn comment_text_end_optimised(bytes: &[u8], pos: usize) -> usize {
    scan::skip_comment(bytes, pos)
}

/// [`comment_text_end_optimised`] with a plain byte loop.
#[inline(never)]
pub fn comment_text_end_plain(bytes: &[u8], pos: usize) -> usize {
    let mut p = pos + 1;
    while p < bytes.len() && !is_control(bytes[p]) {
        p += 1;
    }
    p
}

/// `scan::basic_string` with its text loop written plainly.
fn plain_basic_string(bytes: &[u8], pos: usize) -> scan::StringScan {
    let mut p = pos;
    let mut escaped = false;
    loop {
        while p < bytes.len() && !(bytes[p] == b'"' || bytes[p] == b'\\' || is_control(bytes[p])) {
            p += 1;
        }
        if p < bytes.len() && bytes[p] == b'"' {
            return scan::StringScan {
                end: p,
                closed: true,
                escaped,
            };
        }
        if p + 1 < bytes.len() && bytes[p] == b'\\' && !is_control(bytes[p + 1]) {
            escaped = true;
            p += 2;
            continue;
        }
        return scan::StringScan {
            end: p,
            closed: false,
            escaped,
        };
    }
}

/// `scan::literal_string` with its text loop written plainly.
fn plain_literal_string(bytes: &[u8], pos: usize) -> scan::StringScan {
    let mut p = pos;
    while p < bytes.len() && !(bytes[p] == b'\'' || is_control(bytes[p])) {
        p += 1;
    }
    scan::StringScan {
        end: p,
        closed: p < bytes.len() && bytes[p] == b'\'',
        escaped: false,
    }
}

/// Runs `text_end` over the whole input: from offset 0, each call's end plus one (the byte that
/// stopped it) is where the next call starts, until the input is used up. Returns the number of
/// calls. On [`text`] that is one call; on [`texts`] one per text.
#[inline]
pub fn walk(bytes: &[u8], mut text_end: impl FnMut(&[u8], usize) -> usize) -> usize {
    let mut pos = 0;
    let mut calls = 0;
    while pos < bytes.len() {
        pos = text_end(bytes, pos) + 1;
        calls += 1;
    }
    calls
}

/// The kinds of text the scanner reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The body of a basic string: prose with escapes (`\"`, `\\`, `\n`, `\t`, `\u00e9`).
    Basic,
    /// The body of a literal string: prose with backslashes (paths and patterns), no `'`.
    Literal,
    /// A comment from its `#`: prose with quotes, apostrophes and backslashes.
    Comment,
}

/// Words of configuration prose, some of them not ASCII.
const WORDS: [&str; 40] = [
    "the",
    "generator",
    "writes",
    "one",
    "file",
    "per",
    "template",
    "into",
    "output",
    "and",
    "reads",
    "its",
    "schema",
    "from",
    "path",
    "when",
    "value",
    "is",
    "set",
    "default",
    "build",
    "target",
    "version",
    "a",
    "to",
    "of",
    "café",
    "naïve",
    "Zürich",
    "straße",
    "résumé",
    "東京",
    "データ",
    "λ",
    "—",
    "Ωmega",
    "config",
    "with",
    "every",
    "run",
];

/// Punctuation that may follow a word, before the space.
const PUNCTUATION: [&str; 10] = [
    ",",
    ".",
    ";",
    ":",
    " (see below)",
    "!",
    "?",
    "/x",
    "-1",
    "%",
];

/// Pieces each kind of text mixes in now and then, none of which stops it.
fn extras(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Basic => &[r#"\"quoted\""#, r"\\", r"\n", r"\t", r"\u00e9", "\t"],
        Kind::Literal => &[
            r"C:\Users\build\out",
            r"^\d+\.\d+$",
            r"\\server\share",
            "\t",
        ],
        Kind::Comment => &[r#""name""#, "don't", r"C:\tmp", "\t", "#", "'x'"],
    }
}

/// A SplitMix64 step: the inputs depend on no crate.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Appends prose of `kind` to `out` until it is exactly `len` bytes longer (space-padded).
fn prose(out: &mut String, kind: Kind, len: usize, state: &mut u64) {
    let target = out.len() + len;
    loop {
        let r = next(state);
        let piece = if r.is_multiple_of(29) {
            extras(kind)[(r >> 8) as usize % extras(kind).len()]
        } else {
            WORDS[(r >> 8) as usize % WORDS.len()]
        };
        let punct = if (r >> 32).is_multiple_of(7) {
            PUNCTUATION[(r >> 40) as usize % PUNCTUATION.len()]
        } else {
            ""
        };
        if out.len() + piece.len() + punct.len() + 1 > target {
            break;
        }
        out.push_str(piece);
        out.push_str(punct);
        out.push(' ');
    }
    while out.len() < target {
        out.push(' ');
    }
}

/// One text of `kind`, `len` bytes long, that holds no stopping byte: scanned from offset 0
/// (the start of a string body, or the `#` of a comment), it ends at `len`.
pub fn text(kind: Kind, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut state = 0x5CA4_0000_0000_0001 ^ kind as u64;
    if kind == Kind::Comment {
        out.push_str("# ");
    }
    let rest = len - out.len();
    prose(&mut out, kind, rest, &mut state);
    out
}

/// Many short texts of `kind`, 4 to 80 bytes each, `len` bytes in all: string bodies each ended
/// by their closing quote, or comment lines each ended by `\n`, the way a parser meets them.
/// [`walk`] makes one call per text.
pub fn texts(kind: Kind, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut state = 0x5CA4_0000_0000_0002 ^ kind as u64;
    let end = match kind {
        Kind::Basic => '"',
        Kind::Literal => '\'',
        Kind::Comment => '\n',
    };
    while out.len() < len {
        let room = len - out.len();
        let want = 4 + (next(&mut state) % 77) as usize;
        if room < want + 1 + 10 {
            // The last text takes what is left, its end included.
            if kind == Kind::Comment {
                out.push('#');
            }
            let n = len - out.len() - 1;
            prose(&mut out, kind, n, &mut state);
            out.push(end);
            break;
        }
        if kind == Kind::Comment {
            out.push('#');
            prose(&mut out, kind, want - 1, &mut state);
        } else {
            prose(&mut out, kind, want, &mut state);
        }
        out.push(end);
    }
    out
}

/// A TOML document of about `len` bytes made of long texts: per table, a comment line, a basic
/// string and a literal string of 512 bytes to 4 KiB each. It parses.
pub fn document(len: usize) -> String {
    let mut out = String::with_capacity(len + 16 * 1024);
    let mut state = 0x5CA4_0000_0000_0003;
    let mut n = 0;
    while out.len() < len {
        let mut size = || 512 + (next(&mut state) % (3 * 1024 + 512)) as usize;
        let (comment, basic, literal) = (size(), size(), size());
        out.push_str("# ");
        prose(&mut out, Kind::Comment, comment, &mut state);
        out.push_str(&format!("\n[section{n}]\ntext = \""));
        prose(&mut out, Kind::Basic, basic, &mut state);
        out.push_str("\"\npattern = '");
        prose(&mut out, Kind::Literal, literal, &mut state);
        out.push_str("'\n\n");
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type TextEnd = fn(&[u8], usize) -> usize;

    /// The three pairs: name, optimised, plain.
    const PAIRS: [(&str, TextEnd, TextEnd); 3] = [
        ("basic", basic_text_end_optimised, basic_text_end_plain),
        (
            "literal",
            literal_text_end_optimised,
            literal_text_end_plain,
        ),
        (
            "comment",
            comment_text_end_optimised,
            comment_text_end_plain,
        ),
    ];

    /// Checks every pair from every start offset of `bytes` (the comment pair needs a byte at
    /// its start, so not from the end), and the full string scans too.
    fn check(bytes: &[u8]) {
        for pos in 0..=bytes.len() {
            for (name, optimised, plain) in PAIRS {
                if name == "comment" && pos == bytes.len() {
                    continue;
                }
                assert_eq!(
                    optimised(bytes, pos),
                    plain(bytes, pos),
                    "{name} from {pos} in {bytes:?}"
                );
            }
            assert_eq!(
                scan::basic_string(bytes, pos),
                plain_basic_string(bytes, pos),
                "basic string from {pos} in {bytes:?}"
            );
            assert_eq!(
                scan::literal_string(bytes, pos),
                plain_literal_string(bytes, pos),
                "literal string from {pos} in {bytes:?}"
            );
        }
    }

    /// Plain text that stops nothing, ASCII or not.
    const FILLERS: [&[u8]; 3] = [
        b"abcdefghijklmnopqrstuvwxyz0123456789 -_.,;:",
        "héllo wörld — 東京 λ Ωmega café naïve straße".as_bytes(),
        b"a\tb\tc d\te\tf g\th\ti j\tk\tl m\tn\to p\tq\tr s\tt\tu",
    ];

    /// A filler of `len` bytes (bytes of a multi-byte character may be cut: the scanner works
    /// on bytes).
    fn filler(which: &[u8], len: usize) -> Vec<u8> {
        which.iter().copied().cycle().take(len).collect()
    }

    #[test]
    fn empty_input() {
        check(b"");
        for (name, optimised, plain) in PAIRS {
            if name != "comment" {
                assert_eq!(optimised(b"", 0), 0);
                assert_eq!(plain(b"", 0), 0);
            }
        }
        assert_eq!(comment_text_end_optimised(b"#", 0), 1);
        assert_eq!(comment_text_end_plain(b"#", 0), 1);
    }

    #[test]
    fn every_byte_at_every_position_of_a_word() {
        for which in FILLERS {
            for len in [20, 21, 24, 27, 32, 33] {
                for at in 0..20 {
                    for byte in 0..=255u8 {
                        let mut bytes = filler(which, len);
                        bytes[at] = byte;
                        check(&bytes);
                    }
                }
            }
        }
    }

    #[test]
    fn backslash_before_every_byte_at_every_position() {
        for which in FILLERS {
            for at in 0..20 {
                for byte in 0..=255u8 {
                    let mut bytes = filler(which, 24);
                    bytes[at] = b'\\';
                    bytes[at + 1] = byte;
                    check(&bytes);
                }
                // A backslash as the last byte.
                let mut bytes = filler(which, at + 1);
                bytes[at] = b'\\';
                check(&bytes);
            }
        }
    }

    #[test]
    fn two_stops_in_one_word() {
        let stops = [
            b'"', b'\\', b'\'', b'\n', b'\r', 0, 0x1f, 0x7f, b'\t', 0x80, 0xff,
        ];
        for first in 0..16 {
            for second in first + 1..20 {
                for a in stops {
                    for b in stops {
                        let mut bytes = filler(FILLERS[1], 24);
                        bytes[first] = a;
                        bytes[second] = b;
                        check(&bytes);
                    }
                }
            }
        }
    }

    #[test]
    fn random_inputs() {
        let alphabet: &[u8] =
            b"abcdefgh \t\t\"\\\\''\x00\x01\x1f\x7f\n\r\x80\xc3\xa9\xe6\x9d\xb1\xffxyz019";
        let mut state = 7;
        for len in 0..96 {
            for _ in 0..60 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| alphabet[(next(&mut state) % alphabet.len() as u64) as usize])
                    .collect();
                check(&bytes);
            }
        }
    }

    /// Ends of every call of a walk, to compare two walks call by call.
    fn ends(bytes: &[u8], text_end: TextEnd) -> Vec<usize> {
        let mut out = Vec::new();
        walk(bytes, |b, pos| {
            let end = text_end(b, pos);
            out.push(end);
            end
        });
        out
    }

    #[test]
    fn long_texts_are_one_text() {
        for (kind, (name, optimised, plain)) in [Kind::Basic, Kind::Literal, Kind::Comment]
            .into_iter()
            .zip(PAIRS)
        {
            for len in [16, 100, 4096, 64 * 1024] {
                let s = text(kind, len);
                assert_eq!(s.len(), len, "{name}");
                assert_eq!(optimised(s.as_bytes(), 0), len, "{name} {len}");
                assert_eq!(plain(s.as_bytes(), 0), len, "{name} {len}");
                assert_eq!(walk(s.as_bytes(), optimised), 1);
            }
        }
        let basic = text(Kind::Basic, 64 * 1024);
        assert!(scan::basic_string(basic.as_bytes(), 0).escaped);
        assert!(basic.contains('\\') && basic.contains('\t') && !basic.is_ascii());
        let literal = text(Kind::Literal, 64 * 1024);
        assert!(literal.contains('\\') && !literal.contains('\''));
        let comment = text(Kind::Comment, 64 * 1024);
        assert!(comment.contains('"') && comment.contains('\'') && comment.contains('\\'));
    }

    #[test]
    fn short_texts_walk_the_same() {
        for (kind, (name, optimised, plain)) in [Kind::Basic, Kind::Literal, Kind::Comment]
            .into_iter()
            .zip(PAIRS)
        {
            for len in [10, 11, 200, 4096, 64 * 1024] {
                let s = texts(kind, len);
                assert_eq!(s.len(), len, "{name}");
                let got = ends(s.as_bytes(), optimised);
                assert_eq!(got, ends(s.as_bytes(), plain), "{name} {len}");
                assert_eq!(got.last(), Some(&(len - 1)), "{name} {len}");
                if len == 64 * 1024 {
                    assert!(got.len() > 1000, "{name}: {} texts", got.len());
                }
            }
        }
    }

    #[test]
    fn document_parses() {
        let src = document(64 * 1024);
        assert!(src.len() >= 64 * 1024 && src.len() < 80 * 1024);
        let doc = crate::parse(&src).expect("the document parses");
        let section = doc
            .get("section0")
            .and_then(|v| v.as_table())
            .expect("a table");
        assert!(section.get("text").and_then(|v| v.as_str()).is_some());
        assert!(section.get("pattern").and_then(|v| v.as_str()).is_some());
    }
}
