//! Runs the official toml-test compliance suite (the TOML 1.0.0 list) against `parse_bytes`.
//!
//! The suite is read in place, never copied into the repository: from `$TOML_TEST_DIR` when
//! set (the directory holding `tests/files-toml-1.0.0`), else from `../shared/toml-test` beside
//! the workspace root. Every `valid/*.toml` case must parse, and its tagged JSON must equal the
//! sibling `.json` under the comparison rules of the suite's own Go runner (`json.go`, see
//! `compare`). Every `invalid/*.toml` case must be rejected, and the error as a person sees it
//! is pinned by a reviewed insta snapshot in `tests/snapshots/`, named after the case path
//! (`invalid__array__double-comma-01.snap`), whose description holds the case path and input.
//! The streaming reader (`config_core::stream`) must agree on every case: it accepts each
//! valid case and rejects each invalid one.
//!
//! This is a `harness = false` test: it prints each failure with its reason, then a last line
//! `N passed, N failed`, and exits non-zero if any case failed. A panic in one case is caught
//! and counted as that case's failure. Positional arguments are filters (a case runs when its
//! path contains any of them; `--skip <text>` excludes); other libtest flags are ignored:
//!
//! ```text
//! cargo test -p config-core --test toml_test_suite -- string/
//! INSTA_UPDATE=always cargo test -p config-core --test toml_test_suite   # write snapshots
//! ```
//!
//! Snapshots follow insta's rules: a changed or missing message fails the case (outside CI a
//! `.snap.new` is written for `cargo insta review`; with `CI=true` nothing is written), and
//! `INSTA_UPDATE=always` accepts the new messages in place.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::process::ExitCode;

use config_core::tagged::to_tagged_json;
use serde_json::{Map, Value as Json};

#[path = "support/suite.rs"]
mod suite;

use suite::{CASE_LIST, locate_suite};

/// libtest flags that take a value as the next argument; the value is not a filter.
const FLAGS_WITH_VALUE: &[&str] = &[
    "--test-threads",
    "--format",
    "--color",
    "--logfile",
    "--shuffle-seed",
    "-Z",
];
/// Longest excerpt of a document or JSON text shown in a failure or a snapshot description.
const MAX_SHOWN_CHARS: usize = 2000;

fn main() -> ExitCode {
    let selection = Selection::from_args(std::env::args().skip(1));
    let tests_dir = match locate_suite() {
        Ok(dir) => dir,
        Err(message) => {
            eprintln!("error: {message}");
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let list_path = tests_dir.join(CASE_LIST);
    let list = match std::fs::read_to_string(&list_path) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", list_path.display());
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let cases: Vec<&str> = list
        .lines()
        .map(str::trim)
        .filter(|line| line.ends_with(".toml") && selection.includes(line))
        .collect();
    if cases.is_empty() {
        eprintln!("note: no case of `{CASE_LIST}` matches the filters");
    }

    install_panic_hook();
    let mut n_passed = 0usize;
    let mut failures = Vec::new();
    for case in cases {
        let outcome = if case.starts_with("valid/") {
            run_valid(&tests_dir, case)
        } else if case.starts_with("invalid/") {
            run_invalid(&tests_dir, case)
        } else {
            Err(format!(
                "suite bug: `{case}` is neither `valid/` nor `invalid/`"
            ))
        };
        match outcome {
            Ok(()) => n_passed += 1,
            Err(reason) => failures.push((case, reason)),
        }
    }

    for (case, reason) in &failures {
        println!("FAIL {case}");
        for line in reason.lines() {
            println!("    {line}");
        }
    }
    println!("{n_passed} passed, {} failed", failures.len());
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Which cases to run: those whose path contains any filter (all when there is none) and no
/// skip text.
struct Selection {
    filters: Vec<String>,
    skips: Vec<String>,
}

impl Selection {
    fn from_args(args: impl IntoIterator<Item = String>) -> Selection {
        let mut selection = Selection {
            filters: Vec::new(),
            skips: Vec::new(),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--skip" {
                selection.skips.extend(args.next());
            } else if let Some(text) = arg.strip_prefix("--skip=") {
                selection.skips.push(text.to_string());
            } else if FLAGS_WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                selection.filters.push(arg);
            }
        }
        selection
    }

    fn includes(&self, case: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| case.contains(f.as_str())))
            && !self.skips.iter().any(|s| case.contains(s.as_str()))
    }
}

/// A valid case: it must parse, and its tagged JSON must match the expected `.json`.
fn run_valid(tests_dir: &Path, case: &str) -> Result<(), String> {
    let input = read(&tests_dir.join(case))?;
    let json_case = format!("{}.json", case.trim_end_matches(".toml"));
    let expected_text = String::from_utf8(read(&tests_dir.join(&json_case))?)
        .map_err(|e| format!("suite bug: `{json_case}` is not UTF-8: {e}"))?;
    let expected: Json = serde_json::from_str(&expected_text)
        .map_err(|e| format!("suite bug: `{json_case}` is not JSON: {e}"))?;

    let encoded = guard(|| {
        config_core::parse_bytes(&input)
            .map(|doc| to_tagged_json(&doc))
            .map_err(|e| e.to_string())
    })
    .map_err(|panic| format!("panicked: {panic}\ninput:\n{}", show_input(&input)))?
    .map_err(|error| format!("rejected a valid document:\n{error}"))?;

    let actual: Json = serde_json::from_str(&encoded).map_err(|e| {
        format!(
            "the encoder wrote invalid JSON ({e}):\n{}",
            truncate(&encoded)
        )
    })?;
    compare(&expected, &actual, "").map_err(|mismatch| {
        format!(
            "{mismatch}\nexpected (`{json_case}`): {}\nactual: {}",
            truncate(&expected.to_string()),
            truncate(&encoded)
        )
    })?;
    match streamed(&input)? {
        Ok(_) => Ok(()),
        Err(error) => Err(format!(
            "the streaming reader rejected a valid document: {error}"
        )),
    }
}

/// The document read by the streaming reader, one section at a time.
fn streamed(
    input: &[u8],
) -> Result<Result<config_core::stream::StreamSummary, config_core::stream::StreamError>, String> {
    guard(|| config_core::stream::check(input)).map_err(|panic| {
        format!(
            "the streaming reader panicked: {panic}\ninput:\n{}",
            show_input(input)
        )
    })
}

/// An invalid case: it must be rejected, with the message its snapshot pins.
fn run_invalid(tests_dir: &Path, case: &str) -> Result<(), String> {
    let input = read(&tests_dir.join(case))?;
    let outcome = guard(|| match config_core::parse_bytes(&input) {
        Ok(doc) => Ok(to_tagged_json(&doc)),
        Err(e) => Err(e.to_string()),
    })
    .map_err(|panic| format!("panicked: {panic}\ninput:\n{}", show_input(&input)))?;
    let message = match outcome {
        Ok(json) => {
            return Err(format!(
                "accepted an invalid document, decoding it as: {}",
                truncate(&json)
            ));
        }
        Err(message) => message,
    };
    if streamed(&input)?.is_ok() {
        return Err(format!(
            "the streaming reader accepted an invalid document:\n{}",
            show_input(&input)
        ));
    }

    let name = snapshot_name(case);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("{case}\n\n{}", show_input(&input)));
    guard(|| settings.bind(|| insta::assert_snapshot!(name.as_str(), &message))).map_err(|panic| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(format!("{name}.snap"));
        let why = if file.is_file() {
            "unexpected error message (differs from the reviewed snapshot)"
        } else {
            "no reviewed snapshot yet (generate with `INSTA_UPDATE=always`, then review)"
        };
        format!("{why}: `tests/snapshots/{name}.snap`\n{panic}\nmessage:\n{message}")
    })
}

/// `invalid/array/double-comma-01.toml` → `invalid__array__double-comma-01`.
fn snapshot_name(case: &str) -> String {
    case.trim_end_matches(".toml").replace('/', "__")
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Comparison, after the toml-test Go runner (`json.go`: `CompareJSON` and what it calls).

/// Compares the expected tagged JSON `want` with the decoder's `have`. `key` is the dotted
/// path so far, for messages. Returns the first difference.
///
/// The rules are the Go runner's: tables compare by key set (order ignored) and values
/// recursively; arrays element-wise; a JSON object with exactly the keys `type` and `value` is
/// a tagged scalar, whose types must be equal and whose values compare as `compare_scalars`
/// says.
fn compare(want: &Json, have: &Json, key: &str) -> Result<(), String> {
    match want {
        Json::Object(want) => compare_tables(want, have, key),
        Json::Array(want) => compare_arrays(want, have, key),
        _ => Err(format!(
            "suite bug: key `{key}` in the expected output is neither a table nor an array"
        )),
    }
}

fn compare_tables(want: &Map<String, Json>, have: &Json, key: &str) -> Result<(), String> {
    let Json::Object(have) = have else {
        return Err(format!(
            "key `{key}` should be a table, but the decoder wrote {}",
            json_kind(have)
        ));
    };
    match (is_tagged(want), is_tagged(have)) {
        (true, true) => return compare_scalars(want, have, key),
        (true, false) => {
            return Err(format!(
                "key `{key}` should be a value, but the decoder reports a table"
            ));
        }
        (false, true) => {
            return Err(format!(
                "key `{key}` should be a table, but the decoder reports a value"
            ));
        }
        (false, false) => {}
    }
    if let Some(k) = want.keys().find(|k| !have.contains_key(*k)) {
        return Err(format!(
            "key `{}` is missing from the decoder's output",
            join(key, k)
        ));
    }
    if let Some(k) = have.keys().find(|k| !want.contains_key(*k)) {
        return Err(format!(
            "key `{}` is in the decoder's output but not expected",
            join(key, k)
        ));
    }
    for (k, w) in want {
        compare(w, &have[k], &join(key, k))?;
    }
    Ok(())
}

fn compare_arrays(want: &[Json], have: &Json, key: &str) -> Result<(), String> {
    let Json::Array(have) = have else {
        return Err(format!(
            "key `{key}` should be an array, but the decoder wrote {}",
            json_kind(have)
        ));
    };
    if want.len() != have.len() {
        return Err(format!(
            "key `{key}`: expected an array of {} elements, the decoder wrote {}",
            want.len(),
            have.len()
        ));
    }
    for (i, (w, h)) in want.iter().zip(have).enumerate() {
        compare(w, h, &format!("{key}[{i}]"))?;
    }
    Ok(())
}

/// Whether a JSON object is a tagged scalar: exactly the keys `type` and `value` (the Go
/// runner's `isValue`).
fn is_tagged(object: &Map<String, Json>) -> bool {
    object.len() == 2 && object.contains_key("type") && object.contains_key("value")
}

/// Compares two tagged scalars as the Go runner's `cmpJSONValues` does: the types must be
/// equal; `float` compares by value; the date-time kinds compare as instants or times;
/// `bool` ignores case; `string` and `integer` compare as exact text.
fn compare_scalars(
    want: &Map<String, Json>,
    have: &Map<String, Json>,
    key: &str,
) -> Result<(), String> {
    let Some(want_type) = want["type"].as_str() else {
        return Err(format!(
            "suite bug: key `{key}` has a `type` that is not a string"
        ));
    };
    let Some(have_type) = have["type"].as_str() else {
        return Err(format!(
            "key `{key}`: the decoder wrote a `type` that is not a string"
        ));
    };
    if want_type != have_type {
        return Err(format!(
            "key `{key}` should have type `{want_type}`, the decoder reports `{have_type}`"
        ));
    }
    // The suite's older format wrapped arrays as `{"type":"array","value":[...]}`.
    if want_type == "array" {
        return match &want["value"] {
            Json::Array(w) => compare_arrays(w, &have["value"], key),
            _ => Err(format!("suite bug: key `{key}` is an array without a list")),
        };
    }
    let Some(want_text) = want["value"].as_str() else {
        return Err(format!(
            "suite bug: key `{key}` has a `value` that is not a string"
        ));
    };
    let Some(have_text) = have["value"].as_str() else {
        return Err(format!(
            "key `{key}`: the decoder wrote a `value` that is not a string"
        ));
    };
    let equal = match want_type {
        "float" => floats_equal(want_text, have_text, key)?,
        "datetime" | "datetime-local" | "date-local" | "time-local" => {
            let want_moment = moment(want_type, want_text).ok_or_else(|| {
                format!("suite bug: key `{key}`: `{want_text}` is not a {want_type}")
            })?;
            let have_moment = moment(want_type, have_text).ok_or_else(|| {
                format!("key `{key}`: the decoder wrote `{have_text}`, not a {want_type}")
            })?;
            want_moment == have_moment
        }
        "bool" => want_text.eq_ignore_ascii_case(have_text),
        _ => want_text == have_text,
    };
    if equal {
        Ok(())
    } else {
        Err(format!(
            "key `{key}` ({want_type}): expected `{want_text}`, the decoder wrote `{have_text}`"
        ))
    }
}

/// Floats as the Go runner's `cmpFloats` compares them: case-insensitive; any NaN equals any
/// NaN whatever its sign (`nan`, `+nan`, `-nan`); otherwise both are parsed and compared with
/// `==`, so `inf` equals `+inf` and `-0.0` equals `0.0`.
fn floats_equal(want: &str, have: &str, key: &str) -> Result<bool, String> {
    let (want, have) = (want.to_ascii_lowercase(), have.to_ascii_lowercase());
    if want.ends_with("nan") || have.ends_with("nan") {
        return Ok(want.trim_start_matches(['+', '-']) == have.trim_start_matches(['+', '-']));
    }
    let want_f: f64 = want
        .parse()
        .map_err(|_| format!("suite bug: key `{key}`: `{want}` is not a float"))?;
    let have_f: f64 = have
        .parse()
        .map_err(|_| format!("key `{key}`: the decoder wrote `{have}`, not a float"))?;
    Ok(want_f == have_f)
}

/// A date-time text reduced to what the Go runner's `cmpAsDatetimes` compares: it replaces
/// ` ` and `t` with `T` and `z` with `Z`, parses with the kind's layout (fractional seconds
/// of any length, truncated to nanoseconds) and compares with `time.Time.Equal`. So an offset
/// date-time is an instant (`07:32:00Z` equals `00:32:00-07:00`), and trailing zeros of the
/// fraction do not matter (`56.600` equals `56.6`).
///
/// Returns nanoseconds since 0000-03-01 (or since midnight for `time-local`), `None` when the
/// text is not of the kind.
fn moment(kind: &str, text: &str) -> Option<i128> {
    let text: String = text
        .chars()
        .map(|c| match c {
            ' ' | 't' => 'T',
            'z' => 'Z',
            c => c,
        })
        .collect();
    let mut cursor = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    const NS_PER_DAY: i128 = 86_400 * 1_000_000_000;
    let value = match kind {
        "datetime" | "datetime-local" => {
            let days = cursor.date()?;
            cursor.eat(b'T').then_some(())?;
            let mut ns = i128::from(days) * NS_PER_DAY + cursor.time()?;
            if kind == "datetime" {
                ns -= i128::from(cursor.offset_minutes()?) * 60 * 1_000_000_000;
            }
            ns
        }
        "date-local" => i128::from(cursor.date()?) * NS_PER_DAY,
        "time-local" => cursor.time()?,
        _ => return None,
    };
    (cursor.pos == cursor.bytes.len()).then_some(value)
}

/// A strict reader of the fixed-width RFC 3339 fields.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.bytes.get(self.pos) == Some(&b);
        self.pos += usize::from(hit);
        hit
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let field = self.bytes.get(self.pos..self.pos + n)?;
        let mut value = 0;
        for &b in field {
            value = value * 10 + u32::from(b.checked_sub(b'0').filter(|d| *d <= 9)?);
        }
        self.pos += n;
        Some(value)
    }

    /// `YYYY-MM-DD`, checked against the month's length, as days since 0000-03-01.
    fn date(&mut self) -> Option<i64> {
        let year = self.digits(4)?;
        self.eat(b'-').then_some(())?;
        let month = self.digits(2)?;
        self.eat(b'-').then_some(())?;
        let day = self.digits(2)?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let month_days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=month_days).contains(&day).then_some(())?;
        // Days from civil (H. Hinnant's algorithm), with years starting in March.
        let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
        let y = if m <= 2 { y - 1 } else { y };
        let mp = (m + 9) % 12;
        Some(
            y * 365 + y.div_euclid(4) - y.div_euclid(100)
                + y.div_euclid(400)
                + (153 * mp + 2) / 5
                + d
                - 1,
        )
    }

    /// `HH:MM:SS` with an optional fraction of one or more digits, as nanoseconds since
    /// midnight. A leap second (`60`) is accepted.
    fn time(&mut self) -> Option<i128> {
        let hour = self.digits(2).filter(|h| *h < 24)?;
        self.eat(b':').then_some(())?;
        let minute = self.digits(2).filter(|m| *m < 60)?;
        self.eat(b':').then_some(())?;
        let second = self.digits(2).filter(|s| *s <= 60)?;
        let mut nanos = 0i128;
        if self.eat(b'.') {
            let start = self.pos;
            let mut scale = 100_000_000;
            while let Some(d) = self.bytes.get(self.pos).filter(|b| b.is_ascii_digit()) {
                nanos += i128::from(d - b'0') * scale;
                scale /= 10;
                self.pos += 1;
            }
            (self.pos > start).then_some(())?;
        }
        let seconds = i128::from(hour * 3600 + minute * 60 + second);
        Some(seconds * 1_000_000_000 + nanos)
    }

    /// `Z` or `+HH:MM` / `-HH:MM`, as minutes east of UTC.
    fn offset_minutes(&mut self) -> Option<i64> {
        if self.eat(b'Z') {
            return Some(0);
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return None;
        };
        let hours = self.digits(2).filter(|h| *h < 24)?;
        self.eat(b':').then_some(())?;
        let minutes = self.digits(2).filter(|m| *m < 60)?;
        Some(sign * i64::from(hours * 60 + minutes))
    }
}

fn join(key: &str, k: &str) -> String {
    if key.is_empty() {
        k.to_string()
    } else {
        format!("{key}.{k}")
    }
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a JSON boolean",
        Json::Number(_) => "a JSON number",
        Json::String(_) => "a JSON string",
        Json::Array(_) => "an array",
        Json::Object(_) => "a table",
    }
}

// ---------------------------------------------------------------------------------------------
// Showing inputs and catching panics.

/// The input as a reviewer can read it: UTF-8 text as is except control characters other than
/// newline and tab, shown as `\u{..}` escapes (a bare `\r` would be invisible), and bytes that
/// are not UTF-8 shown as `\xNN`. Long inputs are cut.
fn show_input(input: &[u8]) -> String {
    let mut shown = String::new();
    for chunk in input.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' | '\t' => shown.push(c),
                c if c.is_control() => {
                    write!(shown, "\\u{{{:x}}}", u32::from(c)).expect("writing to a String")
                }
                c => shown.push(c),
            }
        }
        for b in chunk.invalid() {
            write!(shown, "\\x{b:02X}").expect("writing to a String cannot fail");
        }
    }
    truncate(&shown)
}

/// `text` cut to `MAX_SHOWN_CHARS` characters, saying so when it was cut.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
        None => text.to_string(),
    }
}

thread_local! {
    /// Whether the current thread is inside `guard`, where panics are expected and recorded.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// The message and place of the last panic caught inside `guard`.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records panics inside `guard` instead of printing them (the failure list reports them);
/// panics elsewhere (a bug in this runner) go to the default hook.
fn install_panic_hook() {
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if GUARDED.get() {
            // Places in dependencies (insta's own panic on a snapshot mismatch) are absolute
            // paths that say nothing about the case; places in this workspace are relative.
            let place = info
                .location()
                .filter(|l| Path::new(l.file()).is_relative())
                .map(|l| format!(" (at {}:{})", l.file(), l.line()))
                .unwrap_or_default();
            let message = panic_text(info.payload());
            LAST_PANIC.set(Some(format!("{message}{place}")));
        } else {
            default_hook(info);
        }
    }));
}

/// Runs `f`, turning a panic into `Err` with its message.
fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    GUARDED.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.set(false);
    result.map_err(|payload| LAST_PANIC.take().unwrap_or_else(|| panic_text(&*payload)))
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
