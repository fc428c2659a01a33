//! The `memchr` references of the scanner benches (`scanner.rs`, `iai_scanner.rs`): what a
//! generic SIMD search gives for the scanner's text loops. Each looks only for the bytes named
//! (`"`/`\`/`\n`, `'`/`\n`, `\n`), not for every control character TOML forbids, so it does
//! less than the scanner must: a lower bound to compare with, not a replacement.

/// `basic_text_end_*` with `memchr3`: stops at `"`, `\n`, or a backslash that ends the input;
/// steps over escapes.
#[inline(never)]
pub fn basic_text_end_memchr(bytes: &[u8], mut pos: usize) -> usize {
    loop {
        match ::memchr::memchr3(b'"', b'\\', b'\n', &bytes[pos..]) {
            None => return bytes.len(),
            Some(i) => {
                let at = pos + i;
                if bytes[at] == b'\\' && at + 1 < bytes.len() {
                    pos = at + 2;
                } else {
                    return at;
                }
            }
        }
    }
}

/// `literal_text_end_*` with `memchr2`: stops at `'` or `\n` only.
#[inline(never)]
pub fn literal_text_end_memchr(bytes: &[u8], pos: usize) -> usize {
    ::memchr::memchr2(b'\'', b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i)
}

/// `comment_text_end_*` with `memchr`, from the `#` at `pos`: stops at `\n` only.
#[inline(never)]
pub fn comment_text_end_memchr(bytes: &[u8], pos: usize) -> usize {
    ::memchr::memchr(b'\n', &bytes[pos + 1..]).map_or(bytes.len(), |i| pos + 1 + i)
}
