//! Round trips through the TOML encoder (`config_core::encode::to_toml`).
//!
//! A property test generates random documents as an abstract tree and renders them to TOML
//! with a small writer of its own, which spells every value in one of TOML's several ways (so
//! the generator does not trust the encoder, and the parser sees every form). For each one:
//! the text parses to the tree; the encoding of that parse parses back to the same document;
//! and encoding is a fixed point after one round. Documents compare by their tagged JSON
//! (`config_core::tagged`) with tables compared regardless of key order and floats by bits,
//! and by the sign of every NaN, which the tagged JSON does not carry.
//!
//! The toml-test suite's valid cases make the same round trip, read from where
//! `tests/toml_test_suite.rs` reads them (see `tests/support/suite.rs`).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use config_core::encode::to_toml;
use config_core::tagged::to_tagged_json;
use config_core::{Document, Value, parse, parse_bytes};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value as Json};

#[path = "support/suite.rs"]
mod suite;

// ---------------------------------------------------------------------------------------------
// The abstract document.

/// A key and how the writer spells it: bare when it may be, in basic quotes (with non-ASCII
/// escaped or not) or literal quotes, varying with the length of the path it is written in;
/// spaces around the dot after it in a dotted key; CRLF ending the lines it starts.
#[derive(Clone, Debug)]
struct Key {
    name: String,
    style: u8,
}

/// A value. The `u8`s choose among a value's spellings.
#[derive(Clone, Debug)]
enum Val {
    Str(String, u8),
    Int(i64, u8),
    Float(f64, u8),
    Bool(bool),
    Datetime(Dt),
    /// An array value; the style chooses one line or one element per line with comments.
    Array(Vec<Val>, u8),
    /// An inline table; when the style's low bit is set and it is not empty, a key holding it
    /// is written as dotted keys (`k.a = 1`), else as braces. The style also shuffles the
    /// order its keys are written in.
    Inline(Vec<(Key, Val)>, u8),
}

/// A date-time as written: any of the four kinds, with its separator and offset spellings.
#[derive(Clone, Debug)]
struct Dt {
    date: Option<(u16, u8, u8)>,
    time: Option<Tm>,
    offset: Option<Off>,
    /// `T`, `t` or a space between date and time.
    separator: char,
}

#[derive(Clone, Debug)]
struct Tm {
    hour: u8,
    minute: u8,
    second: u8,
    /// The fractional digits as written (none, or up to 12: past the ninth they are cut).
    fraction: String,
}

#[derive(Clone, Debug)]
enum Off {
    /// `Z` or `z`.
    Z(char),
    /// `+hh:mm` or `-hh:mm`.
    Hours(char, u8, u8),
}

/// A table whose keys are unique.
#[derive(Clone, Debug)]
struct Tab {
    entries: Vec<(Key, Item)>,
    /// Leave out the header when the table has no key/value lines but sub-tables that create
    /// it (`[a.b]` without `[a]`).
    skip_header: bool,
    /// Write the table's header after the headers of its direct sub-tables (`[a.b]` then
    /// `[a]`).
    late: bool,
    /// Spaces inside the header's brackets, indented lines with comments, and CRLF after
    /// the header.
    padded: bool,
    /// Shuffles the order of its key/value lines (which interleaves the dotted keys of
    /// different tables).
    order: u64,
}

/// What a key of a table holds.
#[derive(Clone, Debug)]
enum Item {
    /// A value on a `key = value` line (an inline table's keys may be dotted keys).
    Val(Val),
    /// A sub-table: defined by dotted keys when `true` and not empty, else under a header.
    Table(Tab, bool),
    /// An array of tables, one `[[header]]` per element.
    Tables(Vec<Tab>),
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn key() -> impl Strategy<Value = Key> {
    let name = prop_oneof![
        3 => "[A-Za-z0-9_-]{1,6}",
        1 => Just(String::new()),
        1 => prop::sample::select(vec![
            ".", "a.b", " ", "a b", "é", "ключ", "😀", "'", "\"", "\\", "=", "#", "[x]", "1.5",
            "true", "inf", "nan", "-", "_", "0x10", "1979-05-27", "a\tb", "\u{7f}",
        ])
        .prop_map(str::to_string),
        2 => text(),
    ];
    (name, any::<u8>()).prop_map(|(name, style)| Key { name, style })
}

/// Characters of strings and keys: printable ASCII, control characters, quotes and
/// backslashes, non-ASCII, and any character at all.
fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => prop::char::range(' ', '~'),
        2 => prop::sample::select(vec![
            '"', '\'', '\\', '\n', '\r', '\t', '\u{0}', '\u{8}', '\u{c}', '\u{1b}', '\u{1f}',
            '\u{7f}', 'é', '€', '😀', '\u{ffff}', '\u{10ffff}', '\u{fffd}', '\u{85}', '\u{2028}',
        ]),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        2 => any::<char>(),
    ];
    prop::collection::vec(ch, 0..10).prop_map(String::from_iter)
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => any::<u64>().prop_map(f64::from_bits),
        2 => prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1e16,
            1e-7,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            f64::EPSILON,
            9007199254740993.0,
        ]),
        1 => (-1000i32..1000).prop_map(f64::from),
    ]
    // The parser makes NaNs of the two canonical bit patterns only.
    .prop_map(|f| {
        if f.is_nan() {
            if f.is_sign_negative() {
                -f64::NAN
            } else {
                f64::NAN
            }
        } else {
            f
        }
    })
}

fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        2 => prop::sample::select(vec![0, 1, -1, i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1]),
        2 => -1000i64..1000,
    ]
}

fn datetime() -> impl Strategy<Value = Dt> {
    let date = (0u16..=9999, 1u8..=12, 1u8..=31)
        .prop_map(|(year, month, day)| (year, month, day.min(days_in_month(year, month))));
    let time =
        (0u8..24, 0u8..60, 0u8..=60, "[0-9]{0,12}").prop_map(|(hour, minute, second, fraction)| {
            Tm {
                hour,
                minute,
                second,
                fraction,
            }
        });
    let offset = prop_oneof![
        prop::sample::select(vec!['Z', 'z']).prop_map(Off::Z),
        (prop::sample::select(vec!['+', '-']), 0u8..24, 0u8..60)
            .prop_map(|(sign, h, m)| Off::Hours(sign, h, m)),
    ];
    let separator = prop::sample::select(vec!['T', 't', ' ']);
    (0u8..4, date, time, offset, separator).prop_map(|(kind, date, time, offset, separator)| {
        let (date, time, offset) = match kind {
            0 => (Some(date), Some(time), Some(offset)),
            1 => (Some(date), Some(time), None),
            2 => (Some(date), None, None),
            _ => (None, Some(time), None),
        };
        Dt {
            date,
            time,
            offset,
            separator,
        }
    })
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn scalar() -> impl Strategy<Value = Val> {
    prop_oneof![
        3 => (text(), any::<u8>()).prop_map(|(s, style)| Val::Str(s, style)),
        2 => (integer(), any::<u8>()).prop_map(|(i, style)| Val::Int(i, style)),
        2 => (float(), any::<u8>()).prop_map(|(f, style)| Val::Float(f, style)),
        1 => any::<bool>().prop_map(Val::Bool),
        2 => datetime().prop_map(Val::Datetime),
    ]
}

/// Keys made unique, the first of each name kept.
fn unique<T>(entries: Vec<(Key, T)>) -> Vec<(Key, T)> {
    let mut seen = HashSet::new();
    entries
        .into_iter()
        .filter(|(k, _)| seen.insert(k.name.clone()))
        .collect()
}

fn value() -> impl Strategy<Value = Val> {
    scalar().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..5), any::<u8>())
                .prop_map(|(items, style)| Val::Array(items, style)),
            (prop::collection::vec((key(), inner), 0..5), any::<u8>())
                .prop_map(|(entries, style)| Val::Inline(unique(entries), style)),
        ]
    })
}

fn table(depth: u32) -> BoxedStrategy<Tab> {
    let item = if depth == 0 {
        value().prop_map(Item::Val).boxed()
    } else {
        prop_oneof![
            4 => value().prop_map(Item::Val),
            2 => (table(depth - 1), any::<bool>()).prop_map(|(t, dotted)| Item::Table(t, dotted)),
            1 => prop::collection::vec(table(depth - 1), 1..3).prop_map(Item::Tables),
        ]
        .boxed()
    };
    (
        prop::collection::vec((key(), item), 0..5),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(entries, skip_header, late, padded, order)| Tab {
            entries: unique(entries),
            skip_header,
            late,
            padded,
            order,
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// The test's own writer.

/// Renders the document, the root table without a header.
fn write_document(root: &Tab) -> String {
    let mut out = String::new();
    write_section(&mut out, root, &[], Section::Root);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Root,
    Table,
    Element,
}

/// Writes one table: header, key/value lines (dotted keys for its dotted sub-tables), then the
/// sections of its sub-tables and arrays of tables.
fn write_section(out: &mut String, tab: &Tab, path: &[&Key], section: Section) {
    let mut lines = Vec::new();
    let mut later = Vec::new();
    collect_lines(tab, &mut Vec::new(), tab.padded, &mut lines, &mut later);
    shuffle(&mut lines, tab.order);
    let skip =
        section == Section::Table && tab.skip_header && lines.is_empty() && !tab.entries.is_empty();
    let late = section == Section::Table && tab.late && !skip;
    let write_later = |out: &mut String, (rel, item): &(Vec<&Key>, &Item)| {
        let full: Vec<&Key> = path.iter().copied().chain(rel.iter().copied()).collect();
        match item {
            Item::Table(t, _) => write_section(out, t, &full, Section::Table),
            Item::Tables(ts) => {
                for t in ts {
                    write_section(out, t, &full, Section::Element);
                }
            }
            Item::Val(_) => unreachable!("values are written as lines"),
        }
    };
    if late {
        // Direct sub-tables first: their headers create this table, which its own header then
        // defines. Sub-tables of its dotted tables must wait for the dotted keys.
        for entry in later.iter().filter(|(rel, _)| rel.len() == 1) {
            write_later(out, entry);
        }
    }
    if !skip && section != Section::Root {
        let (open, close) = match section {
            Section::Element => ("[[", "]]"),
            _ => ("[", "]"),
        };
        let pad = if tab.padded { " " } else { "" };
        let nl = if tab.padded { "\r\n" } else { "\n" };
        write!(out, "{open}{pad}{}{pad}{close}{nl}", key_path(path)).unwrap();
    }
    out.push_str(&lines.concat());
    for entry in later.iter().filter(|(rel, _)| !late || rel.len() > 1) {
        write_later(out, entry);
    }
}

/// The key/value lines of `tab` with the keys of `rel` before each, and the sub-tables to
/// write under headers afterwards, with their paths relative to the section.
fn collect_lines<'t>(
    tab: &'t Tab,
    rel: &mut Vec<&'t Key>,
    padded: bool,
    lines: &mut Vec<String>,
    later: &mut Vec<(Vec<&'t Key>, &'t Item)>,
) {
    for (k, item) in &tab.entries {
        rel.push(k);
        match item {
            Item::Val(v) => {
                let mut pairs = Vec::new();
                key_values(rel, v, &mut pairs);
                let nl = if k.style & 0x40 != 0 { "\r\n" } else { "\n" };
                lines.extend(pairs.into_iter().map(|pair| {
                    if padded {
                        format!("  {pair}  # comment{nl}")
                    } else {
                        format!("{pair}{nl}")
                    }
                }));
            }
            Item::Table(t, true) if !t.entries.is_empty() => {
                collect_lines(t, rel, padded, lines, later);
            }
            Item::Table(..) | Item::Tables(_) => later.push((rel.clone(), item)),
        }
        rel.pop();
    }
}

/// `keys = value`, or one pair per key of a dotted inline table.
fn key_values<'t>(keys: &mut Vec<&'t Key>, v: &'t Val, pairs: &mut Vec<String>) {
    match v {
        Val::Inline(entries, style) if style & 1 != 0 && !entries.is_empty() => {
            for (k, v) in entries {
                keys.push(k);
                key_values(keys, v, pairs);
                keys.pop();
            }
        }
        _ => {
            let mut pair = key_path(keys);
            pair.push_str(" = ");
            write_value(&mut pair, v);
            pairs.push(pair);
        }
    }
}

fn key_path(keys: &[&Key]) -> String {
    let mut out = String::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(if keys[i - 1].style & 0x10 != 0 {
                " . "
            } else {
                "."
            });
        }
        // The same key is spelled differently in paths of different lengths.
        write_key(&mut out, k, keys.len() as u8);
    }
    out
}

/// Shuffles `items` by `seed` (Fisher-Yates driven by a linear congruential generator).
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        items.swap(i, ((state >> 33) % (i as u64 + 1)) as usize);
    }
}

fn write_key(out: &mut String, k: &Key, salt: u8) {
    let name = &k.name;
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match k.style.wrapping_add(salt) % 3 {
        0 | 1 if bare => out.push_str(name),
        2 if can_be_literal(name) => write!(out, "'{name}'").unwrap(),
        _ => write_basic(out, name, k.style & 0x20 != 0),
    }
}

fn can_be_literal(s: &str) -> bool {
    !s.chars()
        .any(|c| c == '\'' || (c.is_ascii_control() && c != '\t'))
}

fn write_value(out: &mut String, v: &Val) {
    match v {
        Val::Str(s, style) => write_string(out, s, *style),
        Val::Int(i, style) => write_integer(out, *i, *style),
        Val::Float(f, style) => write_float(out, *f, *style),
        Val::Bool(b) => write!(out, "{b}").unwrap(),
        Val::Datetime(d) => write_datetime(out, d),
        Val::Array(items, style) => {
            let multiline = style % 3 == 0;
            let nl = if style & 0x40 != 0 { "\r\n" } else { "\n" };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if multiline {
                    out.push_str(nl);
                    out.push_str("  ");
                } else if i > 0 {
                    out.push(' ');
                }
                write_value(out, item);
                if i + 1 < items.len() || style & 0x10 != 0 {
                    out.push(',');
                }
                if multiline && style & 0x20 != 0 {
                    out.push_str(" # element");
                }
            }
            if multiline {
                out.push_str(nl);
            }
            out.push(']');
        }
        Val::Inline(entries, style) => {
            out.push('{');
            let mut pairs = Vec::new();
            for (k, v) in entries {
                key_values(&mut vec![k], v, &mut pairs);
            }
            shuffle(&mut pairs, u64::from(*style >> 1));
            if !pairs.is_empty() {
                write!(out, " {} ", pairs.join(", ")).unwrap();
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str, style: u8) {
    let escape_unicode = style & 0x10 != 0;
    // A newline the parser trims or skips may be LF or CRLF; newlines in the text are LF.
    let nl = if style & 0x40 != 0 { "\r\n" } else { "\n" };
    match style % 4 {
        1 if can_be_literal(s) => write!(out, "'{s}'").unwrap(),
        2 => {
            // Multi-line basic: the newline after the opening quotes is trimmed, newlines are
            // written as they are, and a line-ending backslash before the closing quotes
            // trims the whitespace after it.
            out.push_str("\"\"\"");
            out.push_str(nl);
            for c in s.chars() {
                match c {
                    '\n' => out.push('\n'),
                    c => write_basic_char(out, c, escape_unicode),
                }
            }
            if style & 0x20 != 0 {
                write!(out, "\\{nl}   {nl}  ").unwrap();
            }
            out.push_str("\"\"\"");
        }
        3 if can_be_literal(&s.replace('\n', "")) => write!(out, "'''{nl}{s}'''").unwrap(),
        _ => write_basic(out, s, escape_unicode),
    }
}

fn write_basic(out: &mut String, s: &str, escape_unicode: bool) {
    out.push('"');
    for c in s.chars() {
        write_basic_char(out, c, escape_unicode);
    }
    out.push('"');
}

fn write_basic_char(out: &mut String, c: char, escape_unicode: bool) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\t' if escape_unicode => out.push_str("\\t"),
        '\t' => out.push('\t'),
        c if c.is_ascii_control() => write!(out, "\\u{:04x}", c as u32).unwrap(),
        c if escape_unicode && !c.is_ascii() => {
            if c as u32 > 0xffff {
                write!(out, "\\U{:08X}", c as u32).unwrap()
            } else {
                write!(out, "\\u{:04X}", c as u32).unwrap()
            }
        }
        c => out.push(c),
    }
}

fn write_integer(out: &mut String, i: i64, style: u8) {
    let grouped = |digits: String| -> String {
        // Underscores between digits, every three from the right.
        let mut grouped = String::new();
        for (n, c) in digits.chars().enumerate() {
            if n > 0 && (digits.len() - n).is_multiple_of(3) {
                grouped.push('_');
            }
            grouped.push(c);
        }
        grouped
    };
    match (style % 6, i >= 0) {
        (1, _) => {
            let sign = if i < 0 { "-" } else { "" };
            write!(out, "{sign}{}", grouped(i.unsigned_abs().to_string())).unwrap()
        }
        (2, true) => write!(out, "+{i}").unwrap(),
        (3, true) if style & 0x10 != 0 => write!(out, "0x{i:X}").unwrap(),
        (3, true) => write!(out, "0x{i:x}").unwrap(),
        (4, true) => write!(out, "0o{i:o}").unwrap(),
        (5, true) => write!(out, "0b{i:b}").unwrap(),
        _ => write!(out, "{i}").unwrap(),
    }
}

fn write_float(out: &mut String, f: f64, style: u8) {
    let plus = if style & 0x10 != 0 && f.is_sign_positive() {
        "+"
    } else {
        ""
    };
    if f.is_nan() {
        let sign = if f.is_sign_negative() { "-" } else { plus };
        write!(out, "{sign}nan").unwrap();
    } else if f.is_infinite() {
        out.push_str(if f < 0.0 { "-inf" } else { plus });
        if f > 0.0 {
            out.push_str("inf");
        }
    } else {
        match style % 3 {
            0 => write!(out, "{plus}{f:?}").unwrap(),
            1 => write!(out, "{plus}{f:e}").unwrap(),
            _ => write!(out, "{plus}{f:E}").unwrap(),
        }
    }
}

fn write_datetime(out: &mut String, d: &Dt) {
    if let Some((year, month, day)) = d.date {
        write!(out, "{year:04}-{month:02}-{day:02}").unwrap();
        if d.time.is_some() {
            out.push(d.separator);
        }
    }
    if let Some(t) = &d.time {
        write!(out, "{:02}:{:02}:{:02}", t.hour, t.minute, t.second).unwrap();
        if !t.fraction.is_empty() {
            write!(out, ".{}", t.fraction).unwrap();
        }
    }
    match d.offset {
        Some(Off::Z(z)) => out.push(z),
        Some(Off::Hours(sign, h, m)) => write!(out, "{sign}{h:02}:{m:02}").unwrap(),
        None => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Expected values and comparisons.

/// `{"type":..,"value":..}` as the tagged JSON writes scalars.
fn tagged_scalar(tag: &str, text: String) -> Json {
    let mut map = Map::new();
    map.insert("type".to_string(), Json::String(tag.to_string()));
    map.insert("value".to_string(), Json::String(text));
    Json::Object(map)
}

/// A float as compared: its bits, or `nan` for any NaN (the tagged JSON drops NaN's sign;
/// see `float_signs` for that).
fn float_key(f: f64) -> String {
    if f.is_nan() {
        "nan".to_string()
    } else {
        format!("{:#018x}", f.to_bits())
    }
}

/// The tagged JSON the tree should parse to (floats as `float_key`).
fn expected_table(tab: &Tab) -> Json {
    Json::Object(
        tab.entries
            .iter()
            .map(|(k, item)| {
                let json = match item {
                    Item::Val(v) => expected_value(v),
                    Item::Table(t, _) => expected_table(t),
                    Item::Tables(ts) => Json::Array(ts.iter().map(expected_table).collect()),
                };
                (k.name.clone(), json)
            })
            .collect(),
    )
}

fn expected_value(v: &Val) -> Json {
    match v {
        Val::Str(s, _) => tagged_scalar("string", s.clone()),
        Val::Int(i, _) => tagged_scalar("integer", i.to_string()),
        Val::Float(f, _) => tagged_scalar("float", float_key(*f)),
        Val::Bool(b) => tagged_scalar("bool", b.to_string()),
        Val::Datetime(d) => {
            let kind = match (d.date.is_some(), d.time.is_some(), d.offset.is_some()) {
                (_, _, true) => "datetime",
                (true, true, false) => "datetime-local",
                (true, false, false) => "date-local",
                _ => "time-local",
            };
            tagged_scalar(kind, canonical_datetime(d))
        }
        Val::Array(items, _) => Json::Array(items.iter().map(expected_value).collect()),
        Val::Inline(entries, _) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), expected_value(v)))
                .collect(),
        ),
    }
}

/// RFC 3339 with `T` and `Z`, at most nine fractional digits, and `+00:00` for a zero
/// offset however its sign was written.
fn canonical_datetime(d: &Dt) -> String {
    let mut out = String::new();
    if let Some((year, month, day)) = d.date {
        write!(out, "{year:04}-{month:02}-{day:02}").unwrap();
        if d.time.is_some() {
            out.push('T');
        }
    }
    if let Some(t) = &d.time {
        write!(out, "{:02}:{:02}:{:02}", t.hour, t.minute, t.second).unwrap();
        if !t.fraction.is_empty() {
            write!(out, ".{}", &t.fraction[..t.fraction.len().min(9)]).unwrap();
        }
    }
    match d.offset {
        Some(Off::Z(_)) => out.push('Z'),
        Some(Off::Hours(sign, h, m)) => {
            let sign = if sign == '-' && (h, m) != (0, 0) {
                '-'
            } else {
                '+'
            };
            write!(out, "{sign}{h:02}:{m:02}").unwrap();
        }
        None => {}
    }
    out
}

/// The document's tagged JSON, parsed, with each float's text replaced by `float_key`.
fn actual(doc: &Document<'_>) -> Result<Json, String> {
    let text = to_tagged_json(doc);
    let mut json: Json =
        serde_json::from_str(&text).map_err(|e| format!("tagged JSON unreadable: {e}"))?;
    floats_by_bits(&mut json)?;
    Ok(json)
}

fn floats_by_bits(json: &mut Json) -> Result<(), String> {
    match json {
        Json::Object(map) => {
            if map.len() == 2 && map.get("type") == Some(&Json::String("float".to_string())) {
                let text = map["value"].as_str().ok_or("a float without text")?;
                let f = match text {
                    "nan" => f64::NAN,
                    "inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    _ => text
                        .parse::<f64>()
                        .map_err(|_| format!("float text `{text}`"))?,
                };
                map.insert("value".to_string(), Json::String(float_key(f)));
            } else {
                for v in map.values_mut() {
                    floats_by_bits(v)?;
                }
            }
        }
        Json::Array(items) => {
            for v in items {
                floats_by_bits(v)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Every float's bits, keys visited in sorted order: compares what the tagged JSON cannot
/// (the sign of a NaN).
fn float_signs(doc: &Document<'_>) -> Vec<u64> {
    fn walk(v: Value<'_, '_>, out: &mut Vec<u64>) {
        match v {
            Value::Float(f) => out.push(f.to_bits()),
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            Value::Table(t) => {
                let sorted: BTreeMap<&str, Value<'_, '_>> =
                    t.iter().map(|(k, v)| (k.as_str(), v)).collect();
                sorted.into_values().for_each(|v| walk(v, out));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(Value::Table(doc.root()), &mut out);
    out
}

/// The same for the tree.
fn expected_float_signs(root: &Tab) -> Vec<u64> {
    fn table(tab: &Tab, out: &mut Vec<u64>) {
        let sorted: BTreeMap<&str, &Item> = tab
            .entries
            .iter()
            .map(|(k, i)| (k.name.as_str(), i))
            .collect();
        for item in sorted.into_values() {
            match item {
                Item::Val(v) => value(v, out),
                Item::Table(t, _) => table(t, out),
                Item::Tables(ts) => ts.iter().for_each(|t| table(t, out)),
            }
        }
    }
    fn value(v: &Val, out: &mut Vec<u64>) {
        match v {
            Val::Float(f, _) => out.push(f.to_bits()),
            Val::Array(items, _) => items.iter().for_each(|v| value(v, out)),
            Val::Inline(entries, _) => {
                let sorted: BTreeMap<&str, &Val> =
                    entries.iter().map(|(k, v)| (k.name.as_str(), v)).collect();
                sorted.into_values().for_each(|v| value(v, out));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    table(root, &mut out);
    out
}

/// Encodes a parsed document and checks the round trip: the encoding parses to an equal
/// document, and encodes to itself. Returns the encoding.
fn check_round_trip(doc: &Document<'_>) -> Result<String, String> {
    let encoded = to_toml(doc);
    let again = parse(&encoded)
        .map_err(|e| format!("the encoding does not parse:\n{e}\nencoding:\n{encoded}"))?;
    if actual(&again)? != actual(doc)? {
        return Err(format!(
            "the encoding parses to another document:\n{}\nencoding:\n{encoded}",
            to_tagged_json(&again)
        ));
    }
    if float_signs(&again) != float_signs(doc) {
        return Err(format!("a float changed its bits\nencoding:\n{encoded}"));
    }
    let twice = to_toml(&again);
    if twice != encoded {
        return Err(format!(
            "encoding is not a fixed point:\nfirst:\n{encoded}\nsecond:\n{twice}"
        ));
    }
    Ok(encoded)
}

// ---------------------------------------------------------------------------------------------
// The tests.

proptest! {
    #![proptest_config(ProptestConfig {
        // Failures are reported with the shrunk document and its text, not kept in files.
        failure_persistence: None,
        ..ProptestConfig::with_cases(1024)
    })]

    #[test]
    fn generated_documents_round_trip(root in table(3)) {
        let text = write_document(&root);
        let doc = parse(&text).map_err(|e| {
            TestCaseError::fail(format!("the written text does not parse:\n{e}\ntext:\n{text}"))
        })?;
        let parsed = actual(&doc).map_err(TestCaseError::fail)?;
        prop_assert_eq!(
            &parsed,
            &expected_table(&root),
            "the text parses to another document\ntext:\n{}",
            text
        );
        prop_assert_eq!(float_signs(&doc), expected_float_signs(&root), "text:\n{}", text);
        check_round_trip(&doc).map_err(|e| TestCaseError::fail(format!("{e}\ntext:\n{text}")))?;
    }
}

/// Every valid case of the toml-test suite round-trips. The cases of its TOML 1.0.0 list must
/// parse; the suite's other valid cases (TOML 1.1 syntax) round-trip when they parse.
#[test]
fn suite_valid_cases_round_trip() {
    let tests_dir = suite::locate_suite().unwrap_or_else(|e| panic!("{e}"));
    let list = std::fs::read_to_string(tests_dir.join(suite::CASE_LIST))
        .unwrap_or_else(|e| panic!("cannot read the case list: {e}"));
    let listed: HashSet<&str> = list
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("valid/") && line.ends_with(".toml"))
        .collect();
    let mut cases = Vec::new();
    find_cases(&tests_dir, Path::new("valid"), &mut cases);
    cases.sort();
    let missing: Vec<&&str> = listed
        .iter()
        .filter(|case| !cases.iter().any(|c| c.as_str() == **case))
        .collect();
    assert!(missing.is_empty(), "listed cases not found: {missing:?}");

    let (mut round_tripped, mut rejected, mut failures) = (0, 0, Vec::new());
    for case in &cases {
        let input = std::fs::read(tests_dir.join(case))
            .unwrap_or_else(|e| panic!("cannot read `{case}`: {e}"));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| match parse_bytes(&input) {
            Ok(doc) => check_round_trip(&doc).map(Some),
            Err(_) if !listed.contains(case.as_str()) => Ok(None),
            Err(e) => Err(format!("a TOML 1.0 case does not parse:\n{e}")),
        }))
        .unwrap_or_else(|_| Err("panicked".to_string()));
        match outcome {
            Ok(Some(_)) => round_tripped += 1,
            Ok(None) => rejected += 1,
            Err(e) => failures.push(format!("{case}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        round_tripped >= listed.len(),
        "{round_tripped} cases round-tripped, fewer than the {} listed",
        listed.len()
    );
    println!(
        "{round_tripped} valid cases round-tripped; {rejected} of TOML 1.1 only were rejected"
    );
}

/// The `.toml` files under `tests_dir/dir`, as paths relative to `tests_dir` with `/`.
fn find_cases(tests_dir: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(tests_dir.join(dir))
        .unwrap_or_else(|e| panic!("cannot list `{}`: {e}", dir.display()));
    for entry in entries {
        let entry = entry.expect("a directory entry");
        let rel = dir.join(entry.file_name());
        if entry.path().is_dir() {
            find_cases(tests_dir, &rel, out);
        } else if rel.extension().is_some_and(|x| x == "toml") {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}
