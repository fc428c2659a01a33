//! The difference between two callgrind profiles of one bench (A the base, B the head),
//! function by function, and its renderings: a terminal table and a GitHub Markdown table.
//!
//! Functions are matched by name alone, so a function keeps its identity when the binary's
//! path changes between commits; a name found in several objects (`(below main)` in the
//! program and in libc) is one row with the costs summed. The rows that matter come first: the
//! largest change of self cost, where instructions were added or removed, then the largest
//! change of inclusive cost. Pure: profiles in, rows and text out.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::callgrind::{CallgrindProfile, Function};
use crate::gate::pct;
use crate::render::markdown::code;

/// One function's instruction counts in A and in B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionChange {
    /// The function's name as callgrind writes it.
    pub name: String,
    /// Its source file, from B when it is there, else from A (see
    /// [`Function::file`](super::callgrind::Function::file)).
    pub file: String,
    /// Its first line with a cost in `file`, 0 if unknown.
    pub line: u32,
    /// Self cost in A and in B (0 where it is absent).
    pub exclusive: (u64, u64),
    /// Inclusive cost in A and in B (0 where it is absent).
    pub inclusive: (u64, u64),
}

impl FunctionChange {
    /// Self cost B − A: positive when B executes more of the function's own instructions.
    pub fn exclusive_delta(&self) -> i64 {
        delta(self.exclusive)
    }

    /// Inclusive cost B − A.
    pub fn inclusive_delta(&self) -> i64 {
        delta(self.inclusive)
    }

    /// The row as JSON, as `explain --format json` and `compare --explain --format json`
    /// print it: `function`, `file`, `line`, `self` and `inclusive` (each `[A, B]`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "function": self.name,
            "file": self.file,
            "line": self.line,
            "self": [self.exclusive.0, self.exclusive.1],
            "inclusive": [self.inclusive.0, self.inclusive.1],
        })
    }

    /// The six cost cells of a row: self A, self B, Δ self, inclusive A, inclusive B, Δ
    /// inclusive.
    fn cost_cells(&self) -> [String; 6] {
        [
            count(self.exclusive.0),
            count(self.exclusive.1),
            change(self.exclusive),
            count(self.inclusive.0),
            count(self.inclusive.1),
            change(self.inclusive),
        ]
    }
}

/// The functions whose self or inclusive cost differs between `a` and `b`, by the size of the
/// change of self cost, then of inclusive cost (largest first, either sign), then by name.
pub fn diff(a: &CallgrindProfile, b: &CallgrindProfile) -> Vec<FunctionChange> {
    let (a, b) = (by_name(a), by_name(b));
    let mut names: Vec<&str> = a.keys().chain(b.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    let mut changes: Vec<FunctionChange> = names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (a.get(name), b.get(name));
            let exclusive = (
                old.map_or(0, |s| s.exclusive),
                new.map_or(0, |s| s.exclusive),
            );
            let inclusive = (
                old.map_or(0, |s| s.inclusive),
                new.map_or(0, |s| s.inclusive),
            );
            if exclusive.0 == exclusive.1 && inclusive.0 == inclusive.1 {
                return None;
            }
            let at = new.or(old)?.at;
            Some(FunctionChange {
                name: name.to_string(),
                file: at.file.clone(),
                line: at.line,
                exclusive,
                inclusive,
            })
        })
        .collect();
    changes.sort_by(|x, y| {
        let key = |c: &FunctionChange| {
            (
                Reverse(c.exclusive.0.abs_diff(c.exclusive.1)),
                Reverse(c.inclusive.0.abs_diff(c.inclusive.1)),
            )
        };
        key(x).cmp(&key(y)).then_with(|| x.name.cmp(&y.name))
    });
    changes
}

/// The `n` functions with the largest self cost (none without), largest first, then by name.
pub fn top(profile: &CallgrindProfile, n: usize) -> Vec<&Function> {
    let mut functions: Vec<&Function> = profile
        .functions
        .iter()
        .filter(|f| f.exclusive > 0)
        .collect();
    functions.sort_by(|x, y| {
        y.exclusive
            .cmp(&x.exclusive)
            .then_with(|| x.name.cmp(&y.name))
            .then_with(|| x.object.cmp(&y.object))
    });
    functions.truncate(n);
    functions
}

/// The first `n` changes as a terminal table: function (its start cut to fit 60 characters),
/// `file:line`, then self cost in A, in B, and the change with its percentage, then the same
/// for inclusive cost. A last line counts the rows left out.
pub fn render_table(changes: &[FunctionChange], n: usize) -> String {
    if changes.is_empty() {
        return "no function changed\n".to_string();
    }
    let mut rows: Vec<[String; 8]> = vec![
        [
            "function",
            "file:line",
            "self A",
            "self B",
            "Δ self",
            "incl A",
            "incl B",
            "Δ incl",
        ]
        .map(String::from),
    ];
    for c in changes.iter().take(n) {
        let [a, b, d, ia, ib, id] = c.cost_cells();
        rows.push([
            shorten(&c.name, FUNCTION_WIDTH),
            shorten(&location(c), FILE_WIDTH),
            a,
            b,
            d,
            ia,
            ib,
            id,
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let width = widths[i];
                if i < 2 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    if let Some(more) = left_out(changes, n) {
        let _ = writeln!(out, "and {more}, not shown");
    }
    out
}

/// The first `n` changes as a GitHub Markdown table, names and files in code spans (`|`
/// escaped, backticks made quotes), counts right-aligned. A last line counts the rows left
/// out.
pub fn render_markdown(changes: &[FunctionChange], n: usize) -> String {
    if changes.is_empty() {
        return "No function changed.\n".to_string();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Function | File | Self A | Self B | Δ self | Incl A | Incl B | Δ incl |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    for c in changes.iter().take(n) {
        let location = location(c);
        let file = if location.is_empty() {
            String::new()
        } else {
            format!("`{}`", code(&location))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            code(&c.name),
            file,
            c.cost_cells().join(" | "),
        );
    }
    if let Some(more) = left_out(changes, n) {
        let _ = writeln!(out, "\nAnd {more}, not shown.");
    }
    out
}

// ---------------------------------------------------------------------------------------------

const FUNCTION_WIDTH: usize = 60;
const FILE_WIDTH: usize = 40;

/// One name's costs in a profile, summed over objects, and the function that says where it
/// is: the one with the most self cost (then inclusive cost, then the first).
struct Named<'a> {
    exclusive: u64,
    inclusive: u64,
    at: &'a Function,
}

fn by_name(profile: &CallgrindProfile) -> BTreeMap<&str, Named<'_>> {
    let mut out: BTreeMap<&str, Named<'_>> = BTreeMap::new();
    for f in &profile.functions {
        match out.get_mut(f.name.as_str()) {
            Some(named) => {
                named.exclusive = named.exclusive.saturating_add(f.exclusive);
                named.inclusive = named.inclusive.saturating_add(f.inclusive);
                if (f.exclusive, f.inclusive) > (named.at.exclusive, named.at.inclusive) {
                    named.at = f;
                }
            }
            None => {
                out.insert(
                    &f.name,
                    Named {
                        exclusive: f.exclusive,
                        inclusive: f.inclusive,
                        at: f,
                    },
                );
            }
        }
    }
    out
}

fn delta((a, b): (u64, u64)) -> i64 {
    let d = i128::from(b) - i128::from(a);
    i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
}

/// `file:line`, or the file alone when the line is unknown.
fn location(c: &FunctionChange) -> String {
    match (c.file.as_str(), c.line) {
        ("", _) => String::new(),
        (file, 0) => file.to_string(),
        (file, line) => format!("{file}:{line}"),
    }
}

/// `text` cut to `max` characters by dropping its start: the end of a path or of a Rust path
/// is the part that names the thing.
fn shorten(text: &str, max: usize) -> String {
    let len = text.chars().count();
    if len <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(len - max.saturating_sub(1)).collect();
    format!("…{tail}")
}

/// A count with thousands separators: `1,234,567`.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The change from `a` to `b`: `+600 (+100.0%)`, `-10 (-3.4%)`, `+5 (new)` from zero, `0`.
fn change((a, b): (u64, u64)) -> String {
    let sign = match b.cmp(&a) {
        std::cmp::Ordering::Equal => return "0".to_string(),
        std::cmp::Ordering::Greater => '+',
        std::cmp::Ordering::Less => '-',
    };
    let size = count(a.abs_diff(b));
    if a == 0 {
        format!("{sign}{size} (new)")
    } else {
        let fraction = (b as f64 - a as f64) / a as f64;
        format!("{sign}{size} ({})", pct(fraction))
    }
}

/// `3 more functions changed` when `n` rows leave some out.
fn left_out(changes: &[FunctionChange], n: usize) -> Option<String> {
    match changes.len().saturating_sub(n) {
        0 => None,
        1 => Some("1 more function changed".to_string()),
        more => Some(format!("{more} more functions changed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::callgrind::parse;

    fn profile(text: &str) -> CallgrindProfile {
        match parse(text) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn slow_pair() -> Vec<FunctionChange> {
        diff(
            &profile(include_str!("fixtures/slow_a.out")),
            &profile(include_str!("fixtures/slow_b.out")),
        )
    }

    fn change_of(name: &str, exclusive: (u64, u64), inclusive: (u64, u64)) -> FunctionChange {
        FunctionChange {
            name: name.to_string(),
            file: "src/lib.rs".to_string(),
            line: 7,
            exclusive,
            inclusive,
        }
    }

    #[test]
    fn the_function_that_doubled_its_self_cost_comes_first() {
        let changes = slow_pair();
        let order: Vec<&str> = changes.iter().map(|c| c.name.as_str()).collect();
        // slow +600 self; fast −10 self; main and work only +590 inclusive (tie: by name)
        assert_eq!(order, vec!["slow", "fast", "main", "work"]);
        assert_eq!(
            changes[0],
            FunctionChange {
                name: "slow".to_string(),
                file: "src/work.rs".to_string(),
                line: 30,
                exclusive: (600, 1200),
                inclusive: (600, 1200),
            }
        );
        assert_eq!(changes[0].exclusive_delta(), 600);
        assert_eq!(changes[1].exclusive_delta(), -10);
        assert_eq!(changes[1].inclusive_delta(), -10);
        assert_eq!(changes[2].exclusive_delta(), 0);
        assert_eq!(changes[2].inclusive_delta(), 590);
        assert_eq!(changes[3].inclusive, (990, 1580));
    }

    #[test]
    fn unchanged_functions_are_dropped_and_missing_ones_count_as_zero() {
        let a = profile("events: Ir\nfn=same\n1 5\nfn=gone\n1 3\n");
        let b = profile("events: Ir\nfn=same\n1 5\nfn=new\n2 4\n");
        let changes = diff(&a, &b);
        let rows: Vec<(&str, (u64, u64), u32)> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.exclusive, c.line))
            .collect();
        assert_eq!(rows, vec![("new", (0, 4), 2), ("gone", (3, 0), 1)]);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn one_name_in_two_objects_is_one_row_with_summed_costs() {
        let a = profile("events: Ir\nob=app\nfn=f\n1 5\nob=libc\nfn=f\n9 2\n");
        let b = profile("events: Ir\nob=app\nfn=f\n1 5\nob=libc\nfn=f\n9 4\n");
        let changes = diff(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].exclusive, (7, 9));
        assert_eq!(changes[0].line, 1, "where the most self cost is");
    }

    /// Golden outputs of the function tables on the recorded callgrind pairs: a change of
    /// structure leaves them byte for byte as they are.
    #[test]
    fn the_function_tables_of_recorded_profiles_are_golden() {
        let real = diff(
            &profile(include_str!("fixtures/plain_literal_long.out")),
            &profile(include_str!("fixtures/scanner_literal_long.out")),
        );
        for (name, changes) in [("slow", slow_pair()), ("scanner", real)] {
            insta::assert_snapshot!(format!("{name}_table"), render_table(&changes, 10));
            insta::assert_snapshot!(format!("{name}_markdown"), render_markdown(&changes, 10));
            let json: Vec<serde_json::Value> = changes.iter().map(FunctionChange::json).collect();
            insta::assert_snapshot!(
                format!("{name}_json"),
                serde_json::to_string_pretty(&json).expect("JSON")
            );
        }
    }

    #[test]
    fn the_real_profiles_differ_in_their_scanners() {
        let plain = profile(include_str!("fixtures/plain_literal_long.out"));
        let scanner = profile(include_str!("fixtures/scanner_literal_long.out"));
        let changes = diff(&plain, &scanner);
        assert_eq!(
            changes[0].name,
            "config_core::scan_compare::literal_text_end_plain"
        );
        assert_eq!(changes[0].exclusive, (163_845, 0));
        assert_eq!(changes[0].line, 103);
        assert_eq!(
            changes[1].name,
            "config_core::scan_compare::literal_text_end_optimised"
        );
        assert_eq!(changes[1].exclusive, (0, 41_499));
        let net: i64 = changes.iter().map(FunctionChange::exclusive_delta).sum();
        assert_eq!(net, 41_536 - 163_882);
    }

    #[test]
    fn top_lists_the_largest_self_costs() {
        let p = profile(include_str!("fixtures/slow_b.out"));
        let names: Vec<(&str, u64)> = top(&p, 3)
            .iter()
            .map(|f| (f.name.as_str(), f.exclusive))
            .collect();
        assert_eq!(names, vec![("slow", 1200), ("fast", 280), ("work", 100)]);
        assert_eq!(top(&p, 10).len(), 4);
        let real = profile(include_str!("fixtures/plain_literal_long.out"));
        assert_eq!(
            top(&real, 1)[0].name,
            "config_core::scan_compare::literal_text_end_plain"
        );
        assert!(top(&real, 100).iter().all(|f| f.exclusive > 0));
    }

    #[test]
    fn the_table_lines_up_signed_changes() {
        let table = render_table(&slow_pair(), 10);
        let expected = "\
function  file:line       self A  self B          Δ self  incl A  incl B          Δ incl
slow      src/work.rs:30     600   1,200  +600 (+100.0%)     600   1,200  +600 (+100.0%)
fast      src/work.rs:40     290     280     -10 (-3.4%)     290     280     -10 (-3.4%)
main      src/main.rs:3       10      10               0   1,000   1,590   +590 (+59.0%)
work      src/work.rs:20     100     100               0     990   1,580   +590 (+59.6%)
";
        assert_eq!(table, expected);
    }

    #[test]
    fn the_table_shortens_long_names_from_the_left_and_counts_what_it_leaves_out() {
        let long = format!("{}::the_end", "very::long::module".repeat(5));
        let changes = vec![
            change_of(&long, (0, 1_234_567), (0, 1_234_567)),
            change_of("b", (2, 1), (2, 1)),
            change_of("c", (2, 1), (2, 1)),
        ];
        let table = render_table(&changes, 1);
        let row = table.lines().nth(1).unwrap();
        let name = row.split("  ").next().unwrap();
        assert_eq!(name.chars().count(), 60);
        assert!(
            name.starts_with('…') && name.ends_with("::the_end"),
            "{name}"
        );
        assert!(row.contains("+1,234,567 (new)"), "{row}");
        assert_eq!(
            table.lines().last(),
            Some("and 2 more functions changed, not shown")
        );
        assert_eq!(render_table(&[], 5), "no function changed\n");
        assert!(render_table(&changes, 2).ends_with("and 1 more function changed, not shown\n"));
    }

    #[test]
    fn markdown_rows_quote_names_and_escape_pipes() {
        let changes = vec![
            change_of("<F as Fn(u8) -> u8|u16>::call `x`", (10, 20), (10, 30)),
            FunctionChange {
                file: String::new(),
                line: 0,
                ..change_of("gone", (5, 0), (5, 0))
            },
        ];
        let md = render_markdown(&changes, 10);
        let expected = "\
| Function | File | Self A | Self B | Δ self | Incl A | Incl B | Δ incl |
|---|---|---:|---:|---:|---:|---:|---:|
| `<F as Fn(u8) -> u8\\|u16>::call 'x'` | `src/lib.rs:7` | 10 | 20 | +10 (+100.0%) | 10 | 30 | +20 (+200.0%) |
| `gone` |  | 5 | 0 | -5 (-100.0%) | 5 | 0 | -5 (-100.0%) |
";
        assert_eq!(md, expected);
        assert!(
            render_markdown(&changes, 1).ends_with("\nAnd 1 more function changed, not shown.\n")
        );
        assert_eq!(render_markdown(&[], 3), "No function changed.\n");
    }

    #[test]
    fn counts_and_changes_format() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(change((3, 3)), "0");
        assert_eq!(change((0, 3)), "+3 (new)");
        assert_eq!(change((1000, 1001)), "+1 (+0.10%)");
        assert_eq!(delta((0, u64::MAX)), i64::MAX);
        assert_eq!(delta((u64::MAX, 0)), i64::MIN);
    }
}
