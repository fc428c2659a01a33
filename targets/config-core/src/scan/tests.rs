//! The scanner's fast paths checked against one-line naive versions.

use super::*;

/// Naive basic-string scan: the first unescaped `"` or stopping byte.
fn naive_basic(bytes: &[u8], mut p: usize) -> (usize, bool) {
    loop {
        match bytes.get(p) {
            Some(b'"') => return (p, true),
            Some(b'\\')
                if p + 1 < bytes.len()
                    && !(bytes[p + 1] < 0x20 && bytes[p + 1] != b'\t' || bytes[p + 1] == 0x7f) =>
            {
                p += 2
            }
            Some(&b) if (b >= 0x20 || b == b'\t') && b != 0x7f && b != b'\\' => p += 1,
            _ => return (p, false),
        }
    }
}

/// Deterministic byte strings mixing plain text, quotes, backslashes, tabs and controls.
fn samples() -> Vec<Vec<u8>> {
    let alphabet: &[u8] = b"abcdefgh \t\"\\'\x01\x7f\n\xc3\xa9xyz0123456789";
    let mut out = Vec::new();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in 0..64 {
        for _ in 0..40 {
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            out.push(s);
        }
    }
    out
}

#[test]
fn basic_string_matches_naive_scan() {
    for s in samples() {
        let got = basic_string(&s, 0);
        assert_eq!((got.end, got.closed), naive_basic(&s, 0), "input {s:?}");
    }
}

#[test]
fn literal_string_stops_at_apostrophe_or_control() {
    for s in samples() {
        let naive = s
            .iter()
            .position(|&b| b == b'\'' || (b < 0x20 && b != b'\t') || b == 0x7f)
            .unwrap_or(s.len());
        let got = literal_string(&s, 0);
        assert_eq!(got.end, naive, "input {s:?}");
        assert_eq!(got.closed, s.get(naive) == Some(&b'\''));
    }
}

#[test]
fn multiline_string_keeps_up_to_two_body_quotes() {
    #[track_caller]
    fn check(body_and_close: &str, end: usize) {
        let got = multiline_string(body_and_close.as_bytes(), 0, b'"');
        assert!(got.closed, "{body_and_close:?}");
        assert_eq!(got.end, end, "{body_and_close:?}");
    }
    check("a\"\"\"", 1);
    check("a\"\"\"\"", 2);
    check("a\"\"\"\"\"", 3);
    check("a\nb\r\n\"\"\"", 5);
    check("\\\"\"\"\"", 2);
}

#[test]
fn comment_stops_at_newline_and_controls() {
    assert_eq!(skip_comment(b"# a\tb\nx", 0), 5);
    assert_eq!(skip_comment(b"# a\x01b\n", 0), 3);
    assert_eq!(skip_comment(b"# a", 0), 3);
}

#[test]
fn bare_keys_and_atoms() {
    assert_eq!(bare_key_end(b"ab-c_9.x", 0), 6);
    assert_eq!(atom_end(b"1979-05-27T07:32:00.5+01:00,", 0), 27);
    assert_eq!(skip_blanks(b" \t x", 0), 3);
}

#[test]
fn bare_key_end_matches_class_table_for_every_byte() {
    for b in 0..=255u8 {
        for at in 0..10 {
            let mut s = b"abcdefghijKLMNOP".to_vec();
            s[at] = b;
            let naive = s.iter().position(|&c| !is(c, BARE)).unwrap_or(s.len());
            assert_eq!(bare_key_end(&s, 0), naive, "byte {b:#x} at {at}");
        }
    }
}
