//! HTML building blocks of the report: escaping, the page frame with its inline CSS, and file
//! names for benches. Pure. Every text that comes from a baseline (bench ids, commit subjects,
//! authors, reasons) goes through [`escape`].

use sha2::{Digest, Sha256};

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The file name of a bench's page: its id reduced to `[a-z0-9-]` (at most 60 characters),
/// then 8 hex digits of its SHA-256, so two ids never share a page and no id escapes the
/// folder.
pub fn bench_file(bench: &str) -> String {
    let mut slug = String::new();
    for c in bench.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let hash = Sha256::digest(bench.as_bytes());
    let hex: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    if slug.is_empty() {
        format!("bench-{hex}.html")
    } else {
        format!("{slug}-{hex}.html")
    }
}

/// The inline style sheet of every page: readable at 1280 px, no web fonts.
const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1d3557;color:#fff;padding:12px 24px}
header a{color:#fff;margin-right:18px;text-decoration:none;font-weight:600}
header .target{float:right;opacity:.85}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:1.6em;margin:.6em 0 .3em}h2{font-size:1.25em;margin:1.4em 0 .5em}
p.note{color:#555}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px;margin:.4em 0 1em}
th,td{border-bottom:1px solid #e3e3e3;padding:5px 8px;text-align:left;vertical-align:middle}
th{background:#f0f3f7;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.regressed,.fail{color:#b3261e;font-weight:600}.improved,.pass{color:#17803d;font-weight:600}
.incomparable,.missing{color:#8a5a00}.muted{color:#777}
.winner{background:#e6f4ea;font-weight:600}
figure{background:#fff;border:1px solid #e3e3e3;margin:0 0 18px;padding:6px}
figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;color:#555;padding:4px 6px}
code{font-family:'DejaVu Sans Mono',monospace;font-size:13px}
";

/// A whole page: the navigation, the title, then `body` (already HTML). `depth` is how many
/// folders below the site root the page is, for relative links.
pub fn page(title: &str, target: &str, depth: usize, body: &str) -> String {
    let up = "../".repeat(depth);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title} · perfgate</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><a href=\"{up}index.html\">Overview</a><a href=\"{up}matrix.html\">Profile matrix</a><span class=\"target\">perfgate · {target}</span></header>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
        target = escape(target),
    )
}

/// A table: the header cells (plain text) and rows of cells that are already HTML.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for h in header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            if cell.starts_with("<td") {
                out.push_str(cell);
            } else {
                out.push_str(&format!("<td>{cell}</td>"));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A numeric cell (right-aligned), its text escaped.
pub fn num(text: &str) -> String {
    format!("<td class=\"num\">{}</td>", escape(text))
}

/// A chart in a figure with a caption (`svg` is trusted SVG from `chart`).
pub fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
        escape(caption)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn bench_files_are_safe_and_distinct() {
        let a = bench_file("parse/medium/config-core");
        assert!(
            a.starts_with("parse-medium-config-core-") && a.ends_with(".html"),
            "{a}"
        );
        assert_ne!(bench_file("a/b"), bench_file("a-b"));
        let hostile = bench_file("../../<script>");
        assert!(hostile.starts_with("script-"), "{hostile}");
        assert!(!hostile.contains('/') && !hostile.contains('<'));
        assert!(bench_file("∑∑").starts_with("bench-"));
        assert!(bench_file(&"x".repeat(500)).len() < 80);
    }

    #[test]
    fn pages_escape_their_title() {
        let p = page("<b>", "t&t", 1, "<p>body</p>");
        assert!(p.contains("<title>&lt;b&gt; · perfgate</title>"));
        assert!(p.contains("perfgate · t&amp;t"));
        assert!(p.contains("href=\"../index.html\""));
        assert!(p.contains("<p>body</p>"));
    }
}
