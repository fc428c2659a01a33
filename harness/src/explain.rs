//! Why a bench changed: per-function instruction counts from callgrind, their difference
//! between two commits, a differential flamegraph, and the symbols that grew a binary.

pub mod bisection;
pub mod callgrind;
pub mod diff;
pub mod flame;
pub mod folded;
pub mod symbols;

/// A regressed series explained for `compare --explain`: its functions that changed most and,
/// when the compare page was written, where its differential flamegraph is.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The bench id.
    pub bench: String,
    /// The profile.
    pub profile: String,
    /// The instructions of the whole benchmark, base and head.
    pub totals: (u64, u64),
    /// The functions that changed most, most first.
    pub changes: Vec<diff::FunctionChange>,
    /// The flamegraph's path relative to the compare page, if written.
    pub flamegraph: Option<String>,
}

impl Explanation {
    /// The explanation as JSON (`compare --explain --format json`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "bench": self.bench,
            "profile": self.profile,
            "instructions": [self.totals.0, self.totals.1],
            "functions": self.changes.iter().map(diff::FunctionChange::json).collect::<Vec<_>>(),
            "flamegraph": self.flamegraph,
        })
    }

    /// The explanation as markdown: a heading, the totals, the functions' table and where the
    /// flamegraph is.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "\n### Why `{}` ({}) regressed\n\n{} → {} instructions; the functions whose own instructions changed most:\n\n{}",
            self.bench.replace('`', "'"),
            self.profile,
            self.totals.0,
            self.totals.1,
            crate::render::functions::render_markdown(&self.changes, self.changes.len())
        );
        if let Some(svg) = &self.flamegraph {
            out.push_str(&format!("\nDifferential flamegraph: `{svg}`\n"));
        }
        out
    }

    /// The explanation as plain text for the terminal.
    pub fn text(&self) -> String {
        let mut out = format!(
            "\nwhy {} ({}) regressed: {} → {} instructions\n{}",
            self.bench,
            self.profile,
            self.totals.0,
            self.totals.1,
            crate::render::functions::render_table(&self.changes, self.changes.len())
        );
        if let Some(svg) = &self.flamegraph {
            out.push_str(&format!("differential flamegraph: {svg}\n"));
        }
        out
    }
}
