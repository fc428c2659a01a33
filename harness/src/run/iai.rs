//! iai-callgrind and gungraun benches: runs one bench target under callgrind with its
//! summaries saved as JSON under a fresh home, then reads every `summary.json` into
//! [`Measurement`]s.
//!
//! This module owns both summary formats (`"version": "6"`, written by iai-callgrind 0.16 and
//! gungraun 0.17 to 0.19, and `"version": "7"`, gungraun 0.20's; pinned by tests on real
//! summaries of each) and the runner's version check; nothing outside `run` sees them.
//! It measures and decides nothing: iai-callgrind's own comparison with an earlier run is not
//! read (the home is fresh, so there is none), and no regression limits are passed.
//!
//! One benchmark (`module_path.id`) becomes `instructions` (callgrind's `Ir`) plus one
//! `callgrind_<event>` measurement per other integer event of the callgrind total
//! (`callgrind_estimated_cycles`, `callgrind_l1hits`, ...). The `*Rate` events are ratios
//! derived from the counts and are left out. A bench run under Cachegrind alone gives the same
//! events from Cachegrind; one that asks for DHAT adds `allocations_count`, `allocated_bytes`
//! and `peak_heap_bytes` (and DHAT's other counts as `dhat_*`, shown, never gated). The
//! counts are deterministic, so there are no samples and no interval.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::builds::target::{BenchKind, BenchTarget, Built};
use crate::error::{Error, Result};
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::process;

/// The tool name in [`Error::ToolOutput`].
const TOOL: &str = "iai-callgrind";

/// The names one harness uses: iai-callgrind or its successor gungraun.
struct Flavour {
    /// The library crate, as named in Cargo.lock and in the runner's messages.
    library: &'static str,
    /// The runner binary, which must have the library's version.
    runner: &'static str,
    /// The environment variable of the output directory.
    home_var: &'static str,
    /// The environment variable that saves a summary file per benchmark.
    save_summary_var: &'static str,
    /// The environment variable of coloured output (off, so stderr reads as plain text).
    color_var: &'static str,
}

const IAI_CALLGRIND: Flavour = Flavour {
    library: "iai-callgrind",
    runner: "iai-callgrind-runner",
    home_var: "IAI_CALLGRIND_HOME",
    save_summary_var: "IAI_CALLGRIND_SAVE_SUMMARY",
    color_var: "IAI_CALLGRIND_COLOR",
};

const GUNGRAUN: Flavour = Flavour {
    library: "gungraun",
    runner: "gungraun-runner",
    home_var: "GUNGRAUN_HOME",
    save_summary_var: "GUNGRAUN_SAVE_SUMMARY",
    color_var: "GUNGRAUN_COLOR",
};

impl Flavour {
    fn of(kind: BenchKind) -> &'static Flavour {
        match kind {
            BenchKind::Gungraun => &GUNGRAUN,
            _ => &IAI_CALLGRIND,
        }
    }

    /// How to install the runner matching library version `version`, when it is known.
    fn install_fix(&self, version: Option<&str>) -> String {
        let version = version.unwrap_or("<the version in Cargo.lock>");
        format!(
            "install the runner matching the library with `cargo install --locked {} --version {version}` (or run `scripts/setup.sh`)",
            self.runner
        )
    }
}

/// Checks, before anything is built, the tools a callgrind bench of `kind` needs: valgrind on
/// PATH, and the runner at the library's version `library` (as locked in the target's
/// Cargo.lock). A missing tool is [`Error::ToolMissing`], a runner of another version
/// [`Error::ToolVersion`], each with the install command. A runner whose version cannot be
/// read passes here; the run itself reports it.
pub fn preflight(kind: BenchKind, library: Option<&str>) -> Result<()> {
    process::first_line("valgrind", &["--version"], process::hint::VALGRIND)?;
    let flavour = Flavour::of(kind);
    let library = library.map(str::to_string);
    let output = match Command::new(flavour.runner).arg("--version").output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::ToolMissing {
                tool: flavour.runner.to_string(),
                fix: flavour.install_fix(library.as_deref()),
            });
        }
        Err(_) => return Ok(()),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match (runner_version(&text, flavour), library) {
        (Some(found), Some(expected)) if found != expected => Err(Error::ToolVersion {
            tool: flavour.runner.to_string(),
            fix: flavour.install_fix(Some(&expected)),
            found,
            expected,
        }),
        _ => Ok(()),
    }
}

/// Pure: the runner's version in what `<runner> --version` printed: `name 1.2.3`, or
/// `name (1.2.3)` as iai-callgrind-runner 0.16 words it in its message.
fn runner_version(text: &str, flavour: &Flavour) -> Option<String> {
    let at = text.find(flavour.runner)?;
    let rest = &text[at + flavour.runner.len()..];
    parenthesised(rest).or_else(|| {
        let word = rest.split_whitespace().next()?;
        word.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
            .then(|| word.to_string())
    })
}

/// Runs one iai-callgrind (or gungraun) bench target under `built`, summaries under `home`,
/// and returns its measurements.
///
/// valgrind must be on PATH. A runner that is missing or whose version differs from the
/// library's is reported as [`Error::ToolMissing`] or [`Error::ToolVersion`] with the install
/// command; any other failure of the bench is [`Error::BenchFailed`].
pub fn run(built: &Built, bench: &BenchTarget, home: &Path) -> Result<Vec<Measurement>> {
    process::first_line("valgrind", &["--version"], process::hint::VALGRIND)?;
    let flavour = Flavour::of(bench.kind);
    let mut cmd = built.cargo_bench(bench);
    cmd.arg("--bench")
        .arg(&bench.name)
        .env(flavour.home_var, home)
        .env(flavour.save_summary_var, "json")
        .env(flavour.color_var, "never");
    let output = built.run_bench(&mut cmd, &bench.name, built.profile.name())?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(match runner_problem(&stderr, flavour) {
            Some(RunnerProblem::Mismatch { runner, library }) => Error::ToolVersion {
                tool: flavour.runner.to_string(),
                fix: flavour.install_fix(Some(&library)),
                found: runner,
                expected: library,
            },
            Some(RunnerProblem::Missing) => Error::ToolMissing {
                tool: flavour.runner.to_string(),
                fix: flavour.install_fix(bench.harness_version.as_deref()),
            },
            None => super::bench_failed(built, &bench.name, &cmd, &output),
        });
    }
    let sha = built.bench_sha256(bench);
    let measurements = collect(home, sha.as_deref())?;
    if measurements.is_empty() {
        return Err(Error::ToolOutput {
            tool: TOOL,
            path: home.to_path_buf(),
            message: format!(
                "bench `{}` exited successfully but saved no `summary.json`",
                bench.name
            ),
        });
    }
    Ok(measurements)
}

/// Reads every `summary.json` under `home` (iai-callgrind writes one per benchmark, at
/// `<home>/<package>/<bench>/<group>/<function>.<id>/summary.json`). The measurements are
/// sorted by bench id, then metric.
pub fn collect(home: &Path, artifact_sha256: Option<&str>) -> Result<Vec<Measurement>> {
    let mut files = Vec::new();
    super::find_files(home, "summary.json", &mut files)?;
    let mut out = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).map_err(|e| Error::ToolOutput {
            tool: TOOL,
            path: path.clone(),
            message: e.to_string(),
        })?;
        let measurements = parse_summary(&text).map_err(|e| Error::ToolOutput {
            tool: TOOL,
            path: path.clone(),
            message: e.to_string(),
        })?;
        out.extend(
            measurements
                .into_iter()
                .map(|m| m.with_artifact(artifact_sha256.map(str::to_string))),
        );
    }
    out.sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
    Ok(out)
}

/// Pure: one summary.json text (iai-callgrind 0.16 `"version": "6"`, or gungraun 0.20
/// `"version": "7"`) → the measurements of its benchmark, `instructions` first, then the other
/// events by name.
///
/// Only the new run's values are read: in v6 `{"Left": new}` or the first of
/// `{"Both": [new, old]}` (`{"Right": old}` has no new value and is skipped); in v7
/// `values.new`.
pub fn parse_summary(json: &str) -> Result<Vec<Measurement>, SummaryError> {
    #[derive(Deserialize)]
    struct Header {
        version: String,
        module_path: String,
        #[serde(default)]
        id: Option<String>,
        profiles: Vec<serde_json::Value>,
    }
    let header: Header = serde_json::from_str(json).map_err(SummaryError::NotASummary)?;
    let tool_of = |p: &serde_json::Value| {
        p.get("tool")
            .and_then(|t| t.as_str())
            .map(str::to_string)
            .unwrap_or_default()
    };
    let mut profiles: BTreeMap<String, serde_json::Value> = header
        .profiles
        .into_iter()
        .map(|p| (tool_of(&p), p))
        .collect();
    // Callgrind's counts, else (a bench run under Cachegrind alone) Cachegrind's, whose
    // events have the same names.
    let (counter, profile) = ["Callgrind", "Cachegrind"]
        .into_iter()
        .find_map(|tool| Some((tool, profiles.remove(tool)?)))
        .ok_or(SummaryError::NoCallgrindProfile)?;
    let read = |profile: serde_json::Value, key: &str| match header.version.as_str() {
        "6" => events_v6(profile, key),
        "7" => events_v7(profile),
        other => Err(SummaryError::Version(other.to_string())),
    };
    let events = read(profile, counter)?;
    let bench = match header.id {
        Some(id) => format!("{}.{id}", header.module_path),
        None => header.module_path,
    };
    let mut out = measurements(&bench, events)?;
    if let Some(dhat) = profiles.remove("DHAT") {
        out.extend(heap_measurements(&bench, read(dhat, "Dhat")?));
    }
    Ok(out)
}

/// DHAT's totals of one benchmark (a bench that asks for DHAT): `TotalBlocks` is
/// `allocations_count`, `TotalBytes` `allocated_bytes`, `MaximumBytes` `peak_heap_bytes`;
/// DHAT's other counts are kept as `dhat_<snake_case>`, shown and never gated.
fn heap_measurements(bench: &str, events: BTreeMap<String, Value>) -> Vec<Measurement> {
    events
        .into_iter()
        .filter_map(|(name, value)| {
            let Value::Int(n) = value else { return None };
            let (metric, unit) = match name.as_str() {
                "TotalBlocks" => (Metric::AllocationsCount, Unit::Count),
                "TotalBytes" => (Metric::AllocatedBytes, Unit::Bytes),
                "MaximumBytes" => (Metric::PeakHeap, Unit::Bytes),
                other => (
                    Metric::parse(&format!("dhat_{}", snake_case(other))),
                    Unit::Count,
                ),
            };
            Some(Measurement::exact(bench, metric, unit, n as f64))
        })
        .collect()
}

/// Why a summary cannot be read ([`parse_summary`]).
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// Not JSON of a summary's shape.
    #[error("not an iai-callgrind summary: {0}")]
    NotASummary(serde_json::Error),
    /// A summary without a Callgrind (or Cachegrind) profile.
    #[error("no Callgrind or Cachegrind profile in the summary")]
    NoCallgrindProfile,
    /// A summary version perfgate does not read.
    #[error(
        "summary version {0} is not supported (perfgate reads version 6 from iai-callgrind 0.16 and gungraun 0.17–0.19, and version 7 from gungraun 0.20)"
    )]
    Version(String),
    /// A Callgrind profile of an unexpected shape for its version.
    #[error("unexpected Callgrind profile in a version {version} summary: {source}")]
    Profile {
        /// The summary's version.
        version: u8,
        /// What did not fit.
        source: serde_json::Error,
    },
    /// A version 6 profile without its tool's totals.
    #[error("no totals of the tool in a version 6 profile")]
    NoTotals,
    /// An instruction count that is not a whole number.
    #[error("`Ir` is {0}, not a count")]
    InstructionsNotACount(f64),
    /// No instruction count at all.
    #[error("no `Ir` (instruction count) in the Callgrind totals")]
    NoInstructions,
}

/// A callgrind event's new value, as the summary gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    /// A count.
    Int(u64),
    /// A ratio (`*Rate`).
    Float(f64),
}

/// v6: `profiles[].summaries.total.summary.<key>.<Event>.metrics` (`key` the tool's:
/// `Callgrind`, `Cachegrind`, `Dhat`), an `EitherOrBoth` of `{"Int": n}` / `{"Float": x}`
/// (left = new, right = old).
fn events_v6(
    profile: serde_json::Value,
    key: &str,
) -> Result<BTreeMap<String, Value>, SummaryError> {
    #[derive(Deserialize)]
    struct Profile {
        summaries: Summaries,
    }
    #[derive(Deserialize)]
    struct Summaries {
        total: Total,
    }
    #[derive(Deserialize)]
    struct Total {
        summary: BTreeMap<String, BTreeMap<String, Event>>,
    }
    #[derive(Deserialize)]
    struct Event {
        metrics: EitherOrBoth,
    }
    #[derive(Deserialize)]
    enum EitherOrBoth {
        Left(Metric),
        // The old side is never read.
        Right(serde::de::IgnoredAny),
        Both(Metric, serde::de::IgnoredAny),
    }
    #[derive(Deserialize)]
    enum Metric {
        Int(u64),
        Float(f64),
    }

    let mut profile: Profile =
        serde_json::from_value(profile).map_err(|e| SummaryError::Profile {
            version: 6,
            source: e,
        })?;
    let events = profile
        .summaries
        .total
        .summary
        .remove(key)
        .ok_or(SummaryError::NoTotals)?;
    Ok(events
        .into_iter()
        .filter_map(|(name, event)| {
            let new = match event.metrics {
                EitherOrBoth::Left(new) | EitherOrBoth::Both(new, _) => new,
                EitherOrBoth::Right(_) => return None,
            };
            let value = match new {
                Metric::Int(n) => Value::Int(n),
                Metric::Float(x) => Value::Float(x),
            };
            Some((name, value))
        })
        .collect())
}

/// v7: `profiles[].data.total.metrics.<Event>.values.{new, old}`, plain numbers.
fn events_v7(profile: serde_json::Value) -> Result<BTreeMap<String, Value>, SummaryError> {
    #[derive(Deserialize)]
    struct Profile {
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        total: Total,
    }
    #[derive(Deserialize)]
    struct Total {
        metrics: BTreeMap<String, Event>,
    }
    #[derive(Deserialize)]
    struct Event {
        values: Values,
    }
    #[derive(Deserialize)]
    struct Values {
        #[serde(default)]
        new: Option<serde_json::Number>,
    }

    let profile: Profile = serde_json::from_value(profile).map_err(|e| SummaryError::Profile {
        version: 7,
        source: e,
    })?;
    Ok(profile
        .data
        .total
        .metrics
        .into_iter()
        .filter_map(|(name, event)| {
            let new = event.values.new?;
            let value = match new.as_u64() {
                Some(n) => Value::Int(n),
                None => Value::Float(new.as_f64()?),
            };
            Some((name, value))
        })
        .collect())
}

/// The measurements of one benchmark from its callgrind events: `Ir` as `instructions`, the
/// other counts as `callgrind_<snake_case>` events.
fn measurements(
    bench: &str,
    events: BTreeMap<String, Value>,
) -> Result<Vec<Measurement>, SummaryError> {
    let ir = match events.get("Ir") {
        Some(Value::Int(n)) => *n,
        Some(Value::Float(x)) => return Err(SummaryError::InstructionsNotACount(*x)),
        None => return Err(SummaryError::NoInstructions),
    };
    let mut out = vec![Measurement::exact(
        bench,
        Metric::Instructions,
        Unit::Instructions,
        ir as f64,
    )];
    for (name, value) in &events {
        match value {
            Value::Int(n) if name != "Ir" && !name.ends_with("Rate") => {
                out.push(Measurement::exact(
                    bench,
                    Metric::callgrind_event(&snake_case(name)),
                    Unit::Events,
                    *n as f64,
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// callgrind's event name in snake case: a word break before each capital that follows a
/// lower-case letter or a digit (`EstimatedCycles` → `estimated_cycles`, `TotalRW` →
/// `total_rw`, `L1hits` → `l1hits`, `ILmr` → `ilmr`).
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        prev = Some(c);
    }
    out
}

/// Why the runner could not run the benchmarks.
#[derive(Debug, PartialEq, Eq)]
enum RunnerProblem {
    /// The runner is not installed (or not on PATH).
    Missing,
    /// The runner's version differs from the library's.
    Mismatch { runner: String, library: String },
}

/// Recognises the runner's own failures in a failed bench's stderr:
/// `iai-callgrind-runner (0.16.1) is older than iai-callgrind (0.17.0). ...` (or "newer
/// than"), and `Is iai-callgrind-runner installed and iai-callgrind-runner in your $PATH?`.
fn runner_problem(stderr: &str, flavour: &Flavour) -> Option<RunnerProblem> {
    for line in stderr.lines() {
        for phrase in [" is older than ", " is newer than "] {
            let Some(at) = line.find(phrase) else {
                continue;
            };
            let (before, after) = (&line[..at], &line[at + phrase.len()..]);
            let runner = before
                .rfind(flavour.runner)
                .and_then(|i| parenthesised(&before[i + flavour.runner.len()..]));
            let library = after.strip_prefix(flavour.library).and_then(parenthesised);
            if let (Some(runner), Some(library)) = (runner, library) {
                return Some(RunnerProblem::Mismatch { runner, library });
            }
        }
    }
    if stderr.contains(&format!("Is {} installed", flavour.runner)) {
        return Some(RunnerProblem::Missing);
    }
    None
}

/// The text of a leading ` (...)`, trimmed: ` (0.16.1) is older` → `0.16.1`.
fn parenthesised(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix('(')?;
    let end = rest.find(')')?;
    let inner = rest[..end].trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

#[cfg(test)]
mod tests;
