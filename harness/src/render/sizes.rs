//! The tables of a size difference ([`crate::explain::symbols`]): file and section totals,
//! every changed crate, then the symbols that grew or shrank most, as fixed-width text and as
//! GitHub Markdown.

use std::fmt::Write as _;

use crate::explain::symbols::{SizeDiff, SymbolChange};

/// The growth b − a as a signed number of bytes.
fn signed(a: u64, b: u64) -> String {
    format!("{:+}", i128::from(b) - i128::from(a))
}

/// How many changed symbols were left out of the top `n`, and their net growth.
fn rest_of(diff: &SizeDiff, n: usize) -> Option<(usize, i128)> {
    let rest = diff.symbols.get(n..).filter(|r| !r.is_empty())?;
    Some((rest.len(), rest.iter().map(SymbolChange::delta).sum()))
}

/// The difference as fixed-width text: file and executable-section totals, every changed
/// crate, then the top `n` changed symbols (name last, untruncated), sizes in bytes with the
/// signed growth.
pub fn render_table(diff: &SizeDiff, n: usize) -> String {
    const W: usize = 12;
    let label = diff
        .crates
        .iter()
        .map(|c| c.crate_name.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let mut out = String::new();

    let _ = writeln!(
        out,
        "{:<label$}  {:>W$}  {:>W$}  {:>W$}",
        "", "before", "after", "delta"
    );
    for (name, a, b) in [
        ("file", diff.file_a, diff.file_b),
        ("text", diff.text_a, diff.text_b),
    ] {
        let _ = writeln!(
            out,
            "{name:<label$}  {a:>W$}  {b:>W$}  {:>W$}",
            signed(a, b)
        );
    }

    out.push('\n');
    if diff.crates.is_empty() {
        out.push_str("no crate changed size\n");
    } else {
        let _ = writeln!(
            out,
            "{:<label$}  {:>W$}  {:>W$}  {:>W$}",
            "crate", "before", "after", "delta"
        );
        for c in &diff.crates {
            let _ = writeln!(
                out,
                "{:<label$}  {:>W$}  {:>W$}  {:>W$}",
                c.crate_name,
                c.a,
                c.b,
                signed(c.a, c.b)
            );
        }
    }

    out.push('\n');
    if diff.symbols.is_empty() {
        out.push_str("no symbol changed size\n");
        return out;
    }
    let shown = &diff.symbols[..n.min(diff.symbols.len())];
    let crate_w = shown
        .iter()
        .map(|s| s.crate_name.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let _ = writeln!(
        out,
        "{:>W$}  {:>W$}  {:>W$}  {:<crate_w$}  symbol",
        "before", "after", "delta", "crate"
    );
    for s in shown {
        let _ = writeln!(
            out,
            "{:>W$}  {:>W$}  {:>W$}  {:<crate_w$}  {}",
            s.a,
            s.b,
            signed(s.a, s.b),
            s.crate_name,
            s.name
        );
    }
    if let Some((count, net)) = rest_of(diff, n) {
        let _ = writeln!(out, "(and {count} more changed symbols, net {net:+} bytes)");
    }
    out
}

/// `s` as a Markdown code span that is safe inside a GitHub table cell.
fn code(s: &str) -> String {
    format!("`{}`", crate::render::markdown::code(s))
}

/// The difference as GitHub Markdown tables: file and executable-section totals, every
/// changed crate, then the top `n` changed symbols; names in backticks with `|` escaped.
pub fn render_markdown(diff: &SizeDiff, n: usize) -> String {
    let mut out = String::new();
    out.push_str("| | before | after | delta |\n|---|---:|---:|---:|\n");
    for (name, a, b) in [
        ("file", diff.file_a, diff.file_b),
        ("text", diff.text_a, diff.text_b),
    ] {
        let _ = writeln!(out, "| {name} | {a} | {b} | {} |", signed(a, b));
    }

    out.push('\n');
    if diff.crates.is_empty() {
        out.push_str("No crate changed size.\n");
    } else {
        out.push_str("| crate | before | after | delta |\n|---|---:|---:|---:|\n");
        for c in &diff.crates {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&c.crate_name),
                c.a,
                c.b,
                signed(c.a, c.b)
            );
        }
    }

    out.push('\n');
    if diff.symbols.is_empty() {
        out.push_str("No symbol changed size.\n");
        return out;
    }
    out.push_str("| symbol | crate | before | after | delta |\n|---|---|---:|---:|---:|\n");
    for s in diff.symbols.iter().take(n) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&s.name),
            code(&s.crate_name),
            s.a,
            s.b,
            signed(s.a, s.b)
        );
    }
    if let Some((count, net)) = rest_of(diff, n) {
        let _ = writeln!(
            out,
            "\n{count} more changed symbols not shown, net {net:+} bytes."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::symbols::tests::sample;

    #[test]
    fn table_shows_crates_then_top_symbols() {
        let text = render_table(&sample(), 2);
        let crates_at = text.find("crate ").unwrap();
        let symbols_at = text.find("symbol\n").unwrap();
        assert!(crates_at < symbols_at, "{text}");
        assert!(text.contains("alloc::new_thing"), "{text}");
        assert!(text.contains("mycrate::grows"), "{text}");
        assert!(!text.contains("mycrate::shrinks"), "{text}");
        assert!(
            text.contains("(and 3 more changed symbols, net -50 bytes)"),
            "{text}"
        );
        assert!(text.contains("+600"), "{text}");
        assert!(text.contains("-50"), "{text}");
        // Fixed width: the crate column starts at the same place in every symbol row.
        let rows: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.ends_with("symbol"))
            .take(3)
            .collect();
        assert!(rows[0][42..].starts_with("crate "), "{text}");
        assert!(rows[1][42..].starts_with("alloc "), "{text}");
        assert!(rows[2][42..].starts_with("mycrate "), "{text}");
    }

    #[test]
    fn markdown_escapes_pipes_and_quotes_names() {
        let d = SizeDiff {
            symbols: vec![SymbolChange {
                name: "<mycrate::Or<A|B> as core::ops::BitOr>::bitor".into(),
                crate_name: "mycrate".into(),
                a: 1,
                b: 2,
            }],
            ..SizeDiff::default()
        };
        let md = render_markdown(&d, 5);
        assert!(
            md.contains(
                "| `<mycrate::Or<A\\|B> as core::ops::BitOr>::bitor` | `mycrate` | 1 | 2 | +1 |"
            ),
            "{md}"
        );
        assert!(md.contains("|---|---|---:|---:|---:|"), "{md}");
        assert_eq!(code("a`b|c\nd"), "`a'b\\|c d`");

        let md = render_markdown(&sample(), 1);
        assert!(md.contains("| `alloc` | 0 | 300 | +300 |"), "{md}");
        assert!(
            md.contains("4 more changed symbols not shown, net +250 bytes."),
            "{md}"
        );
        assert!(md.contains("| file | 10000 | 10600 | +600 |"), "{md}");
    }
}
