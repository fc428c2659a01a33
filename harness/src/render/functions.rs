//! The tables of a callgrind difference ([`crate::explain::diff`]): a terminal table and a
//! GitHub Markdown table of the functions whose instructions changed, biggest change first.

use std::fmt::Write as _;

use crate::explain::diff::FunctionChange;
use crate::gate::pct;
use crate::render::markdown::code;

const FUNCTION_WIDTH: usize = 60;
const FILE_WIDTH: usize = 40;

/// The six cost cells of a row: self A, self B, Δ self, inclusive A, inclusive B, Δ inclusive.
fn cost_cells(c: &FunctionChange) -> [String; 6] {
    [
        count(c.exclusive.0),
        count(c.exclusive.1),
        change(c.exclusive),
        count(c.inclusive.0),
        count(c.inclusive.1),
        change(c.inclusive),
    ]
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
        let [a, b, d, ia, ib, id] = cost_cells(c);
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
            cost_cells(c).join(" | "),
        );
    }
    if let Some(more) = left_out(changes, n) {
        let _ = writeln!(out, "\nAnd {more}, not shown.");
    }
    out
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
    use crate::explain::callgrind::{CallgrindProfile, parse};
    use crate::explain::diff::diff;

    fn profile(text: &str) -> CallgrindProfile {
        match parse(text) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn slow_pair() -> Vec<FunctionChange> {
        diff(
            &profile(include_str!("../explain/fixtures/slow_a.out")),
            &profile(include_str!("../explain/fixtures/slow_b.out")),
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

    /// Golden outputs of the function tables on the recorded callgrind pairs: a change of
    /// structure leaves them byte for byte as they are.
    #[test]
    fn the_function_tables_of_recorded_profiles_are_golden() {
        let real = diff(
            &profile(include_str!("../explain/fixtures/plain_literal_long.out")),
            &profile(include_str!("../explain/fixtures/scanner_literal_long.out")),
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
        assert_eq!(crate::explain::diff::delta((0, u64::MAX)), i64::MAX);
        assert_eq!(crate::explain::diff::delta((u64::MAX, 0)), i64::MIN);
    }
}
