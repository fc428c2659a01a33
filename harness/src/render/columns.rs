//! Text columns for the terminal: the run summary's table and `compare`'s.

use std::fmt::Write as _;

/// Left-aligned columns separated by two spaces, trailing spaces trimmed (also the layout of
/// `compare`'s terminal table).
pub fn columns(lines: &[Vec<String>]) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, s)| format!("{s:<width$}", width = widths[c]))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}
