//! The pull request's verdict: one sticky comment per pull request (found again by a hidden
//! marker and edited in place), and check annotations at the lines of the functions that got
//! slower. Pure: the comparison and its explanations in, text out; which comment to edit is
//! decided here from the GitHub API's JSON, but the API is called elsewhere (the `gh` CLI).
//!
//! The body leads with the verdict and what regressed or improved, says once what many
//! series share (612 incomparable for one reason is one line), gives the top functions of each
//! explained regression with links to their lines at the head commit, links the compare page
//! and its flamegraphs, and folds the full table, cut to stay under GitHub's limit.

use std::fmt::Write as _;

use serde::Deserialize;

use crate::explain::Explanation;
use crate::explain::diff::FunctionChange;
use crate::gate::{Comparison, SeriesVerdict, Verdict, pct};
use crate::render::gate::{
    MARKDOWN_HEADER, markdown_head, markdown_row, said_above, said_once_with_machine, verdict_line,
};
use crate::render::markdown::{code, escape};

/// The start of the hidden marker that identifies perfgate's comment; the verdict and whether
/// a gated series moved follow (`<!-- perfgate:comment verdict=FAIL moved=1 -->`), so that the
/// job that posts it decides from the body alone.
pub const MARKER: &str = "<!-- perfgate:comment";

/// GitHub's limit on a comment's body, in characters.
pub const MAX_CHARS: usize = 65_536;

/// How many functions of each explained regression the comment lists.
pub const TOP_FUNCTIONS: usize = 5;

/// Where the comment's links point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// The repository's web address (`https://github.com/owner/name`): function lines link to
    /// `<repo>/blob/<head sha>/<file>#L<line>`.
    pub repo: Option<String>,
    /// The web address of the directory holding the head's compare page (`compare.html`) and
    /// its flamegraphs.
    pub report: Option<String>,
    /// The web address of the CI run whose artifacts hold the compare page, when it is not
    /// published (a pull request's run).
    pub run: Option<String>,
}

/// When the comment is posted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// On every push.
    Always,
    /// When a gated series moved (not `unchanged` or `within-noise`), or the verdict changed
    /// since the last comment.
    OnChange,
    /// Never.
    Never,
}

/// The word of the verdict line: `PASS`, `FAIL` or `INCOMPARABLE`.
fn verdict_word(c: &Comparison) -> String {
    let line = verdict_line(c);
    line.split(':').next().unwrap_or("PASS").to_string()
}

/// The comment's body, at most [`MAX_CHARS`] characters.
pub fn body(c: &Comparison, explanations: &[Explanation], links: &Links) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{MARKER} verdict={} moved={} -->",
        verdict_word(c),
        u8::from(moved(c))
    );
    out.push_str(&markdown_head(c, "### perfgate: "));

    let moved: Vec<&SeriesVerdict> = c
        .series
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Regressed | Verdict::Improved))
        .collect();
    if moved.is_empty() {
        let _ = writeln!(out, "No series regressed or improved.\n");
    } else {
        let _ = writeln!(
            out,
            "| | Bench | Metric | Profile | Change | Interval | Base → head |"
        );
        let _ = writeln!(out, "|---|---|---|---|---:|---|---|");
        for s in &moved {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | `{}` | {} | {} | {} → {} |",
                mark(s),
                code(&s.key.bench),
                code(s.key.metric.as_str()),
                code(&s.key.profile),
                s.change.map(pct).unwrap_or_else(|| "—".into()),
                s.interval
                    .map(|(lo, hi)| format!("[{}, {}]", pct(lo), pct(hi)))
                    .unwrap_or_else(|| "exact".into()),
                value(s.base, s),
                value(s.head, s),
            );
        }
        out.push('\n');
    }

    for b in c.budgets.iter().filter(|b| !b.ok) {
        let head = match (b.value, b.unit) {
            (Some(v), Some(unit)) => unit.format(v),
            (Some(v), None) => format!("{v}"),
            (None, _) => "absent from the head".to_string(),
        };
        let max = b
            .unit
            .map_or_else(|| format!("{}", b.max), |u| u.format(b.max));
        let _ = writeln!(
            out,
            "Budget exceeded: `{}` `{}` (`{}`): {head}, max {max}.\n",
            code(&b.bench),
            code(&b.metric),
            code(&b.profile)
        );
    }
    for e in explanations {
        out.push_str(&explanation(e, &c.head.sha, links));
    }
    if let Some(report) = &links.report {
        let _ = writeln!(
            out,
            "[The compare page]({}/compare.html) has every series, the charts and the flamegraphs.\n",
            report.trim_end_matches('/')
        );
    } else if let Some(run) = &links.run {
        let _ = writeln!(
            out,
            "The compare page, its charts and the flamegraphs are in the `perf-report` artifact of [this run]({run}).\n"
        );
    }

    let (machine, grouped) = said_once_with_machine(c);
    if let Some(m) = &machine {
        let _ = writeln!(out, "> {}\n", m.markdown());
    }
    for (verdict, reason, n) in &grouped {
        let _ = writeln!(out, "> {n} series {}: {}\n", verdict.name(), escape(reason));
    }

    out.push_str(&folded_table(c, out.chars().count()));
    out
}

/// `🔴 regressed`, `🟢 improved`, with what keeps a regression from failing.
fn mark(s: &SeriesVerdict) -> String {
    let cell = crate::render::gate::verdict_cell(s);
    match s.verdict {
        Verdict::Regressed if s.fails_gate() => format!("🔴 {cell}"),
        Verdict::Regressed => format!("🟠 {cell}"),
        _ => format!("🟢 {cell}"),
    }
}

fn value(v: Option<f64>, s: &SeriesVerdict) -> String {
    v.map(|v| s.unit.format(v))
        .unwrap_or_else(|| "—".to_string())
}

/// One explained regression: its totals and its top functions, each linked to its line.
fn explanation(e: &Explanation, head: &str, links: &Links) -> String {
    let mut out = format!(
        "#### Why `{}` ({}) regressed: {} → {} instructions\n\n",
        code(&e.bench),
        e.profile,
        e.totals.0,
        e.totals.1
    );
    let top: Vec<&FunctionChange> = e
        .changes
        .iter()
        .filter(|f| f.exclusive_delta() != 0)
        .take(TOP_FUNCTIONS)
        .collect();
    if top.is_empty() {
        out.push_str("No function's own instructions changed.\n\n");
    } else {
        let _ = writeln!(out, "| Function | Own instructions | Δ own | Where |");
        let _ = writeln!(out, "|---|---:|---:|---|");
        for f in top {
            let (a, b) = f.exclusive;
            let _ = writeln!(
                out,
                "| `{}` | {a} → {b} | {} | {} |",
                code(&f.name),
                own_change(f),
                location_link(f, head, links)
            );
        }
        out.push('\n');
    }
    if let (Some(report), Some(svg)) = (&links.report, &e.flamegraph) {
        let _ = writeln!(
            out,
            "[Differential flamegraph]({}/{svg})\n",
            report.trim_end_matches('/')
        );
    }
    out
}

/// `+1200 (+18.0%)`, or `+1200 (new)` for a function the base did not run.
fn own_change(f: &FunctionChange) -> String {
    let delta = f.exclusive_delta();
    if f.exclusive.0 == 0 {
        format!("{delta:+} (new)")
    } else {
        format!("{delta:+} ({})", pct(delta as f64 / f.exclusive.0 as f64))
    }
}

/// Whether a function's file is one of the repository's (relative), so it can be linked and
/// annotated.
fn in_repository(f: &FunctionChange) -> bool {
    !f.file.is_empty() && !f.file.starts_with('/') && !f.file.contains("..")
}

/// `[src/parse.rs:42](<repo>/blob/<sha>/src/parse.rs#L42)`, or the location as code when it
/// cannot be linked.
fn location_link(f: &FunctionChange, head: &str, links: &Links) -> String {
    let location = match f.line {
        0 => f.file.clone(),
        line => format!("{}:{line}", f.file),
    };
    if location.is_empty() {
        return "—".to_string();
    }
    match &links.repo {
        Some(repo) if in_repository(f) => {
            let anchor = if f.line > 0 {
                format!("#L{}", f.line)
            } else {
                String::new()
            };
            format!(
                "[{}]({}/blob/{head}/{}{anchor})",
                escape(&location),
                repo.trim_end_matches('/'),
                f.file
            )
        }
        _ => format!("`{}`", code(&location)),
    }
}

/// Every series in a folded table, as many rows as fit in what is left of [`MAX_CHARS`] after
/// `used` characters, and a line saying how many were left out.
fn folded_table(c: &Comparison, used: usize) -> String {
    let (machine, grouped) = said_once_with_machine(c);
    let rows_of: Vec<&SeriesVerdict> = c
        .series
        .iter()
        .filter(|s| !said_above(s, &machine, &grouped))
        .collect();
    let open = format!(
        "<details><summary>All {} series{}</summary>\n\n",
        c.series.len(),
        if rows_of.len() < c.series.len() {
            format!(" ({} said once above)", c.series.len() - rows_of.len())
        } else {
            String::new()
        }
    );
    let close = "\n</details>\n";
    // Room for the line that says what was cut.
    let reserve = 200;
    let mut budget =
        MAX_CHARS.saturating_sub(used + open.chars().count() + close.chars().count() + reserve);
    let mut rows = String::new();
    let mut shown = 0;
    if MARKDOWN_HEADER.chars().count() <= budget {
        rows.push_str(MARKDOWN_HEADER);
        budget -= MARKDOWN_HEADER.chars().count();
        for s in &rows_of {
            let row = markdown_row(s);
            let n = row.chars().count();
            if n > budget {
                break;
            }
            budget -= n;
            rows.push_str(&row);
            shown += 1;
        }
    }
    let mut out = open;
    out.push_str(&rows);
    if shown < rows_of.len() {
        let _ = write!(
            out,
            "\n{} of {} rows left out to stay under GitHub's {MAX_CHARS}-character limit for a comment; the compare page has them all.\n",
            rows_of.len() - shown,
            rows_of.len()
        );
    }
    out.push_str(close);
    out
}

/// Whether a gated series moved: one not `unchanged`, `within-noise` or `incomparable` that is
/// neither advisory nor ignored, or a broken budget.
fn moved(c: &Comparison) -> bool {
    c.series.iter().any(|s| {
        !s.advisory
            && !s.ignored
            && !matches!(
                s.verdict,
                Verdict::Unchanged | Verdict::WithinNoise | Verdict::Incomparable
            )
    }) || c.budgets.iter().any(|b| !b.ok)
}

/// The value of `key` in a comment body's marker (`verdict` → `FAIL`), if it has one.
pub fn marker_field<'b>(body: &'b str, key: &str) -> Option<&'b str> {
    let rest = &body[body.find(MARKER)? + MARKER.len()..];
    let fields = &rest[..rest.find("-->")?];
    fields
        .split_whitespace()
        .find_map(|field| field.strip_prefix(key)?.strip_prefix('='))
}

/// Whether to post (or edit) the comment `body` under `mode`, given the body of perfgate's
/// earlier comment on the pull request, if there is one: on-change posts when a gated series
/// moved, or the verdict differs from the earlier comment's.
pub fn should_post(mode: Mode, body: &str, previous: Option<&str>) -> bool {
    match mode {
        Mode::Always => true,
        Mode::Never => false,
        Mode::OnChange => {
            let moved = marker_field(body, "moved") == Some("1");
            let verdict_changed = previous
                .and_then(|p| marker_field(p, "verdict"))
                .is_some_and(|before| Some(before) != marker_field(body, "verdict"));
            moved || verdict_changed
        }
    }
}

/// One comment of GitHub's "list issue comments" response (the fields read).
#[derive(Debug, Deserialize)]
struct IssueComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    user: Option<User>,
}

#[derive(Debug, Deserialize)]
struct User {
    login: String,
}

/// The comment to edit among the pages of a pull request's comments (each page the JSON
/// array `GET /repos/{owner}/{repo}/issues/{number}/comments` returns; `gh api --paginate`
/// prints them one after another): the first carrying [`MARKER`], written by `author` when
/// one is given (another bot quoting the marker is not perfgate). Returns its id and body.
pub fn pick(pages: &str, author: Option<&str>) -> serde_json::Result<Option<(u64, String)>> {
    let mut found = None;
    for page in serde_json::Deserializer::from_str(pages).into_iter::<Vec<IssueComment>>() {
        for comment in page? {
            let Some(body) = comment.body else { continue };
            let by = comment.user.as_ref().map(|u| u.login.as_str());
            if found.is_none() && body.contains(MARKER) && author.is_none_or(|a| by == Some(a)) {
                found = Some((comment.id, body));
            }
        }
    }
    Ok(found)
}

/// GitHub workflow commands that annotate the top functions of each explained regression at
/// their line in the head commit: `::warning file=src/parse.rs,line=42,title=…::…`. Functions
/// outside the repository (the standard library, dependencies) are left out.
pub fn annotations(explanations: &[Explanation]) -> String {
    let mut out = String::new();
    for e in explanations {
        for f in e
            .changes
            .iter()
            .filter(|f| f.exclusive_delta() > 0 && in_repository(f) && f.line > 0)
            .take(TOP_FUNCTIONS)
        {
            let _ = writeln!(
                out,
                "::warning file={},line={},title={}::{} {} own instructions in {} ({})",
                property(&f.file),
                f.line,
                property(&format!("perfgate: {} slower", e.bench)),
                message(&f.name),
                own_change(f),
                message(&e.bench),
                message(&e.profile)
            );
        }
    }
    out
}

/// A workflow command's property value, escaped as the runner reads it.
fn property(text: &str) -> String {
    message(text).replace(':', "%3A").replace(',', "%2C")
}

/// A workflow command's message, escaped as the runner reads it.
fn message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests;
