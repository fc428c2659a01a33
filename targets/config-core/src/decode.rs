//! Decoding of the tokens the scanner delimited: string escapes, integers, floats, booleans and
//! date-times.
//!
//! Each function takes the token's bytes and returns the value or a [`Bad`]: an offset within
//! the token, a length and a message, which the parser turns into a placed error. Nothing here
//! knows about documents or tables.

use crate::datetime::{Date, Datetime, Offset, Time};

/// A rejected token: where in it (offset and length, in bytes) and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Bad {
    pub(crate) at: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
}

impl Bad {
    #[cold]
    fn new(at: usize, len: usize, message: impl Into<String>) -> Bad {
        Bad {
            at,
            len,
            message: message.into(),
        }
    }
}

/// Decodes the body of a basic string (single- or multi-line) that holds escapes, appending
/// the result to `out`.
///
/// `escaped = "\" ( %x22 / %x5C / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG /
/// %x55 8HEXDIG )`; in a multi-line string, `mlb-escaped-nl = escape ws newline
/// *( wschar / newline )` (a line-ending backslash) drops the newline and the blanks after it.
pub(crate) fn basic_escapes(body: &[u8], multiline: bool, out: &mut String) -> Result<(), Bad> {
    let mut i = 0;
    let mut run = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        push_utf8(out, &body[run..i]);
        let esc = body.get(i + 1).copied().unwrap_or(0);
        let mut next = i + 2;
        match esc {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' | b'U' => {
                let digits = if esc == b'u' { 4 } else { 8 };
                let hex = body.get(i + 2..i + 2 + digits).unwrap_or(&[]);
                let code = (hex.len() == digits && hex.iter().all(u8::is_ascii_hexdigit))
                    .then(|| u32::from_str_radix(ascii(hex), 16).ok())
                    .flatten();
                let Some(code) = code else {
                    let shown = (i + 2 + digits).min(body.len()) - i;
                    return Err(Bad::new(
                        i,
                        shown,
                        format!(
                            "expected {digits} hexadecimal digits after `\\{}`, found `{}`",
                            esc as char,
                            String::from_utf8_lossy(&body[i..i + shown])
                        ),
                    ));
                };
                let Some(c) = char::from_u32(code) else {
                    return Err(Bad::new(
                        i,
                        2 + digits,
                        format!(
                            "expected a Unicode scalar value, found `{}` (a surrogate or beyond U+10FFFF)",
                            String::from_utf8_lossy(&body[i..i + 2 + digits])
                        ),
                    ));
                };
                out.push(c);
                next = i + 2 + digits;
            }
            b' ' | b'\t' | b'\n' | b'\r' if multiline => {
                let mut j = i + 1;
                while matches!(body.get(j), Some(b' ' | b'\t')) {
                    j += 1;
                }
                if !matches!(body.get(j), Some(b'\n' | b'\r')) {
                    return Err(Bad::new(
                        i,
                        j - i,
                        "expected a newline after a line-ending backslash, found text",
                    ));
                }
                while matches!(body.get(j), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                    j += 1;
                }
                next = j;
            }
            _ => {
                let shown = char_len(body, i + 1) + 1;
                return Err(Bad::new(
                    i,
                    shown,
                    format!(
                        "expected an escape (`\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX`), found `{}`",
                        String::from_utf8_lossy(&body[i..(i + shown).min(body.len())])
                    ),
                ));
            }
        }
        i = next;
        run = next;
    }
    push_utf8(out, &body[run..]);
    Ok(())
}

/// Appends bytes that are a whole number of UTF-8 characters (they come from a `&str` and are
/// cut at ASCII bytes only).
fn push_utf8(out: &mut String, bytes: &[u8]) {
    // SAFETY: `bytes` is a run of a basic string's body, which is a slice of a `&str` cut
    // only just before or after an ASCII byte (a backslash escape), so it is valid UTF-8.
    out.push_str(unsafe { std::str::from_utf8_unchecked(bytes) });
}

fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("checked ASCII hex digits")
}

/// The byte length of the UTF-8 character starting at `at` (1 past the end).
fn char_len(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(&b) if b >= 0xC0 => 2,
        _ => 1,
    }
}

/// A decoded number, boolean or date-time.
#[derive(Debug, PartialEq)]
pub(crate) enum Scalar {
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Datetime(Datetime),
}

/// Decodes an atom: the run of `[A-Za-z0-9_+.:-]` the scanner found where a value starts
/// (for a date-time with a space separator, the parser has already joined both halves).
pub(crate) fn scalar(atom: &[u8]) -> Result<Scalar, Bad> {
    // Fast path: a short run of plain decimal digits without a leading zero, the most common
    // number in a config.
    if atom.len() <= 18 && atom.first().is_some_and(|b| (b'1'..=b'9').contains(b)) {
        let mut n: i64 = 0;
        let mut plain = true;
        for &d in atom {
            plain &= d.is_ascii_digit();
            n = n.wrapping_mul(10).wrapping_add(d.wrapping_sub(b'0') as i64);
        }
        if plain {
            return Ok(Scalar::Integer(n));
        }
    }
    match atom {
        b"true" => return Ok(Scalar::Boolean(true)),
        b"false" => return Ok(Scalar::Boolean(false)),
        _ => {}
    }
    if looks_like_date(atom) || (atom.len() >= 3 && atom[2] == b':') {
        return datetime(atom).map(Scalar::Datetime);
    }
    number(atom)
}

/// `full-date = date-fullyear "-" date-month "-" date-mday`: four digits and a dash.
pub(crate) fn looks_like_date(atom: &[u8]) -> bool {
    atom.len() >= 5 && atom[..4].iter().all(u8::is_ascii_digit) && atom[4] == b'-'
}

fn found(atom: &[u8]) -> String {
    String::from_utf8_lossy(atom).into_owned()
}

/// `integer = dec-int / hex-int / oct-int / bin-int` and `float = float-int-part ( exp /
/// frac [ exp ] ) / special-float`.
fn number(atom: &[u8]) -> Result<Scalar, Bad> {
    let (sign, unsigned) = match atom.first() {
        Some(b'+') => (1, &atom[1..]),
        Some(b'-') => (-1, &atom[1..]),
        _ => (0, atom),
    };
    let offset = atom.len() - unsigned.len();
    match unsigned {
        b"inf" => {
            return Ok(Scalar::Float(
                if sign < 0 { -1.0 } else { 1.0 } * f64::INFINITY,
            ));
        }
        b"nan" => {
            return Ok(Scalar::Float(if sign < 0 { -f64::NAN } else { f64::NAN }));
        }
        _ => {}
    }
    if let Some(radix) = radix_prefix(unsigned) {
        if sign != 0 {
            return Err(Bad::new(
                0,
                atom.len(),
                format!(
                    "expected an unsigned {} integer, found `{}` (a sign is not allowed with a `0x`, `0o` or `0b` prefix)",
                    radix_name(radix),
                    found(atom)
                ),
            ));
        }
        return radix_integer(atom, radix);
    }
    decimal(atom, sign < 0, offset)
}

fn radix_prefix(s: &[u8]) -> Option<u32> {
    match s {
        [b'0', b'x', ..] => Some(16),
        [b'0', b'o', ..] => Some(8),
        [b'0', b'b', ..] => Some(2),
        _ => None,
    }
}

fn radix_name(radix: u32) -> &'static str {
    match radix {
        16 => "hexadecimal",
        8 => "octal",
        _ => "binary",
    }
}

/// `hex-int = hex-prefix HEXDIG *( HEXDIG / underscore HEXDIG )`, and the octal and binary
/// twins: digits with single underscores between them, at most `i64::MAX`.
fn radix_integer(atom: &[u8], radix: u32) -> Result<Scalar, Bad> {
    let digits = &atom[2..];
    let bad = || {
        Bad::new(
            0,
            atom.len(),
            format!(
                "expected a {} integer, found `{}`",
                radix_name(radix),
                found(atom)
            ),
        )
    };
    let mut value: i64 = 0;
    let mut prev_digit = false;
    for &c in digits {
        if c == b'_' {
            if !prev_digit {
                return Err(bad());
            }
            prev_digit = false;
            continue;
        }
        let d = (c as char).to_digit(radix).ok_or_else(bad)?;
        value = value
            .checked_mul(radix as i64)
            .and_then(|v| v.checked_add(d as i64))
            .ok_or_else(|| overflow(atom))?;
        prev_digit = true;
    }
    if !prev_digit {
        return Err(bad());
    }
    Ok(Scalar::Integer(value))
}

#[cold]
fn overflow(atom: &[u8]) -> Bad {
    Bad::new(
        0,
        atom.len(),
        format!(
            "expected an integer within the 64-bit signed range, found `{}`",
            found(atom)
        ),
    )
}

/// Checks `digits *( digit / underscore digit )` from `at` in `atom`; returns the end.
/// `leading_zero_ok` allows `0123` (exponents); otherwise a zero may only stand alone.
fn digit_run(atom: &[u8], at: usize, leading_zero_ok: bool, what: &str) -> Result<usize, Bad> {
    let mut i = at;
    let mut prev_digit = false;
    while i < atom.len() {
        match atom[i] {
            b'0'..=b'9' => prev_digit = true,
            b'_' if prev_digit => prev_digit = false,
            b'_' => {
                return Err(Bad::new(
                    i,
                    1,
                    format!("expected a digit before `_` in {what} `{}`", found(atom)),
                ));
            }
            _ => break,
        }
        i += 1;
    }
    if i == at {
        return Err(Bad::new(
            0,
            atom.len(),
            format!("expected a digit in {what}, found `{}`", found(atom)),
        ));
    }
    if !prev_digit {
        return Err(Bad::new(
            i - 1,
            1,
            format!("expected a digit after `_` in {what} `{}`", found(atom)),
        ));
    }
    if !leading_zero_ok && atom[at] == b'0' && i > at + 1 {
        return Err(Bad::new(
            0,
            atom.len(),
            format!(
                "expected a number without leading zeros, found `{}`",
                found(atom)
            ),
        ));
    }
    Ok(i)
}

/// `dec-int = [ minus / plus ] unsigned-dec-int` and the float forms that share its start.
fn decimal(atom: &[u8], negative: bool, start: usize) -> Result<Scalar, Bad> {
    if start >= atom.len() || !atom[start].is_ascii_digit() {
        return Err(Bad::new(
            0,
            atom.len(),
            format!("expected a value, found `{}`", found(atom)),
        ));
    }
    let int_end = digit_run(atom, start, false, "a number")?;
    let mut i = int_end;
    let mut is_float = false;
    if atom.get(i) == Some(&b'.') {
        is_float = true;
        i = digit_run(atom, i + 1, true, "a float's fraction")?;
    }
    if matches!(atom.get(i), Some(b'e' | b'E')) {
        is_float = true;
        let mut j = i + 1;
        if matches!(atom.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        i = digit_run(atom, j, true, "a float's exponent")?;
    }
    if i != atom.len() {
        return Err(Bad::new(
            0,
            atom.len(),
            format!("expected a number, found `{}`", found(atom)),
        ));
    }
    if is_float {
        return float(atom).map(Scalar::Float);
    }
    let mut value: i64 = 0;
    for &c in &atom[start..] {
        if c == b'_' {
            continue;
        }
        let d = (c - b'0') as i64;
        value = value
            .checked_mul(10)
            .and_then(|v| {
                if negative {
                    v.checked_sub(d)
                } else {
                    v.checked_add(d)
                }
            })
            .ok_or_else(|| overflow(atom))?;
    }
    Ok(Scalar::Integer(value))
}

/// Converts a float whose grammar was checked: underscores dropped, then the standard parse.
fn float(atom: &[u8]) -> Result<f64, Bad> {
    let mut buf = [0u8; 64];
    let mut n = 0;
    let mut long = Vec::new();
    for &c in atom {
        if c == b'_' {
            continue;
        }
        if n < buf.len() {
            buf[n] = c;
            n += 1;
        } else {
            if long.is_empty() {
                long.extend_from_slice(&buf);
            }
            long.push(c);
        }
    }
    let text = if long.is_empty() { &buf[..n] } else { &long };
    ascii(text).parse::<f64>().map_err(|_| {
        Bad::new(
            0,
            atom.len(),
            format!("expected a float, found `{}`", found(atom)),
        )
    })
}

/// Reads exactly `n` ASCII digits at `at`.
fn fixed_digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let d = s.get(at..at + n)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(d.iter().fold(0, |v, &c| v * 10 + (c - b'0') as u32))
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `date-time = offset-date-time / local-date-time / local-date / local-time` (RFC 3339 with
/// the time or date optional, `T`, `t` or a space between them, seconds required).
pub(crate) fn datetime(s: &[u8]) -> Result<Datetime, Bad> {
    let bad = |what: &str| Bad::new(0, s.len(), format!("expected {what}, found `{}`", found(s)));
    let mut i = 0;
    let mut date = None;
    if looks_like_date(s) {
        let (Some(year), Some(month), Some(day)) = (
            fixed_digits(s, 0, 4),
            fixed_digits(s, 5, 2),
            fixed_digits(s, 8, 2),
        ) else {
            return Err(bad("a date `YYYY-MM-DD`"));
        };
        if s.get(7) != Some(&b'-') {
            return Err(bad("a date `YYYY-MM-DD`"));
        }
        if !(1..=12).contains(&month) {
            return Err(bad("a month from 01 to 12"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(bad("a day that exists in that month"));
        }
        date = Some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        });
        i = 10;
        if i == s.len() {
            return Ok(Datetime {
                date,
                time: None,
                offset: None,
            });
        }
        if !matches!(s[i], b'T' | b't' | b' ') {
            return Err(bad("a date-time"));
        }
        i += 1;
    }
    let (Some(hour), Some(minute), Some(second)) = (
        fixed_digits(s, i, 2),
        fixed_digits(s, i + 3, 2),
        fixed_digits(s, i + 6, 2),
    ) else {
        return Err(bad("a time `HH:MM:SS`"));
    };
    if s.get(i + 2) != Some(&b':') || s.get(i + 5) != Some(&b':') {
        return Err(bad("a time `HH:MM:SS`"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(bad("a time with hour 00-23, minute 00-59 and second 00-60"));
    }
    i += 8;
    let mut nanosecond = 0u32;
    let mut precision = 0u8;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            if i - start < 9 {
                nanosecond = nanosecond * 10 + (s[i] - b'0') as u32;
                precision += 1;
            }
            i += 1;
        }
        if i == start {
            return Err(bad("digits after the decimal point of the seconds"));
        }
        for _ in precision..9 {
            nanosecond *= 10;
        }
    }
    let time = Some(Time {
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        nanosecond,
        precision,
    });
    let mut offset = None;
    if i < s.len() {
        if date.is_none() {
            return Err(bad("a local time without an offset"));
        }
        match s[i] {
            b'Z' | b'z' => {
                offset = Some(Offset::Z);
                i += 1;
            }
            b'+' | b'-' => {
                let (Some(h), Some(m)) = (fixed_digits(s, i + 1, 2), fixed_digits(s, i + 4, 2))
                else {
                    return Err(bad("an offset `+HH:MM` or `-HH:MM`"));
                };
                if s.get(i + 3) != Some(&b':') || h > 23 || m > 59 {
                    return Err(bad("an offset `+HH:MM` or `-HH:MM`"));
                }
                let minutes = (h * 60 + m) as i16;
                offset = Some(Offset::Custom {
                    minutes: if s[i] == b'-' { -minutes } else { minutes },
                });
                i += 6;
            }
            _ => return Err(bad("a date-time")),
        }
    }
    if i != s.len() {
        return Err(bad("a date-time"));
    }
    Ok(Datetime { date, time, offset })
}

#[cfg(test)]
#[path = "decode/tests.rs"]
mod tests;
