//! iai-callgrind and gungraun benches: runs one bench target under callgrind with its
//! summaries saved as JSON under a fresh home, then reads every `summary.json` into
//! [`Measurement`]s.
//!
//! This module owns both summary formats (iai-callgrind 0.16's `"version": "6"` and gungraun
//! 0.20's `"version": "7"`) and the runner's version check; nothing outside `run` sees them.
//! It measures and decides nothing: iai-callgrind's own comparison with an earlier run is not
//! read (the home is fresh, so there is none), and no regression limits are passed.
//!
//! One benchmark (`module_path.id`) becomes `instructions` (callgrind's `Ir`) plus one
//! `callgrind_<event>` measurement per other integer event of the callgrind total
//! (`callgrind_estimated_cycles`, `callgrind_l1hits`, ...). The `*Rate` events are ratios
//! derived from the counts and are left out. Callgrind counts are deterministic, so there are
//! no samples and no interval.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::build::target::{BenchKind, BenchTarget, Built};
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
/// PATH, and the runner at the library's version locked in `cargo_lock` (the target's
/// Cargo.lock). A missing tool is [`Error::ToolMissing`], a runner of another version
/// [`Error::ToolVersion`], each with the install command. A runner whose version cannot be
/// read passes here; the run itself reports it.
pub fn preflight(kind: BenchKind, cargo_lock: &Path) -> Result<()> {
    process::first_line("valgrind", &["--version"], process::hint::VALGRIND)?;
    let flavour = Flavour::of(kind);
    let library = fs::read_to_string(cargo_lock)
        .ok()
        .and_then(|text| locked_version(&text, flavour.library));
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
    let mut cmd = built.cargo("bench");
    cmd.arg("--bench")
        .arg(&bench.name)
        .env(flavour.home_var, home)
        .env(flavour.save_summary_var, "json")
        .env(flavour.color_var, "never");
    let output = super::bench_output(&mut cmd, built, &bench.name, built.profile.name())?;
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
                fix: flavour.install_fix(locked_library_version(built, flavour).as_deref()),
            },
            None => bench_failed(built, bench, &cmd, &output),
        });
    }
    let sha = built.artifact_sha256(&bench.name, "bench");
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

fn bench_failed(
    built: &Built,
    bench: &BenchTarget,
    cmd: &Command,
    output: &std::process::Output,
) -> Error {
    Error::BenchFailed {
        bench: bench.name.clone(),
        profile: built.profile.name().to_string(),
        command: process::command_line(cmd),
        status: process::status_text(output.status),
        stderr_tail: process::tail(&output.stderr),
    }
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
        let measurements = parse_summary(&text).map_err(|message| Error::ToolOutput {
            tool: TOOL,
            path: path.clone(),
            message,
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
pub fn parse_summary(json: &str) -> Result<Vec<Measurement>, String> {
    #[derive(Deserialize)]
    struct Header {
        version: String,
        module_path: String,
        #[serde(default)]
        id: Option<String>,
        profiles: Vec<serde_json::Value>,
    }
    let header: Header =
        serde_json::from_str(json).map_err(|e| format!("not an iai-callgrind summary: {e}"))?;
    let callgrind = header
        .profiles
        .into_iter()
        .find(|p| p.get("tool").and_then(|t| t.as_str()) == Some("Callgrind"))
        .ok_or("no Callgrind profile in the summary")?;
    let events = match header.version.as_str() {
        "6" => events_v6(callgrind)?,
        "7" => events_v7(callgrind)?,
        other => {
            return Err(format!(
                "summary version {other} is not supported (perfgate reads version 6 from iai-callgrind 0.16 and version 7 from gungraun 0.20)"
            ));
        }
    };
    let bench = match header.id {
        Some(id) => format!("{}.{id}", header.module_path),
        None => header.module_path,
    };
    measurements(&bench, events)
}

/// A callgrind event's new value, as the summary gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    /// A count.
    Int(u64),
    /// A ratio (`*Rate`).
    Float(f64),
}

/// v6: `profiles[].summaries.total.summary.Callgrind.<Event>.metrics`, an `EitherOrBoth` of
/// `{"Int": n}` / `{"Float": x}` (left = new, right = old).
fn events_v6(profile: serde_json::Value) -> Result<BTreeMap<String, Value>, String> {
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

    let mut profile: Profile = serde_json::from_value(profile)
        .map_err(|e| format!("unexpected Callgrind profile in a version 6 summary: {e}"))?;
    let events = profile
        .summaries
        .total
        .summary
        .remove("Callgrind")
        .ok_or("no `Callgrind` totals in the Callgrind profile")?;
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
fn events_v7(profile: serde_json::Value) -> Result<BTreeMap<String, Value>, String> {
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

    let profile: Profile = serde_json::from_value(profile)
        .map_err(|e| format!("unexpected Callgrind profile in a version 7 summary: {e}"))?;
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
fn measurements(bench: &str, events: BTreeMap<String, Value>) -> Result<Vec<Measurement>, String> {
    let ir = match events.get("Ir") {
        Some(Value::Int(n)) => *n,
        Some(Value::Float(x)) => return Err(format!("`Ir` is {x}, not a count")),
        None => return Err("no `Ir` (instruction count) in the Callgrind totals".to_string()),
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

/// The library's version as locked in the target's Cargo.lock (found in the crate's directory
/// or above it), for the install command when the runner is missing.
fn locked_library_version(built: &Built, flavour: &Flavour) -> Option<String> {
    let lock = built
        .crate_dir
        .ancestors()
        .map(|dir| dir.join("Cargo.lock"))
        .find(|p| p.is_file())?;
    let text = fs::read_to_string(lock).ok()?;
    locked_version(&text, flavour.library)
}

/// Pure: the version of `package` in a Cargo.lock text (the first, if several are locked).
fn locked_version(lock_text: &str, package: &str) -> Option<String> {
    let doc = config_core::parse(lock_text).ok()?;
    let packages = doc.get("package")?.as_array()?;
    packages.iter().find_map(|p| {
        let p = p.as_table()?;
        (p.get("name")?.as_str()? == package).then_some(())?;
        Some(p.get("version")?.as_str()?.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real summary from `IAI_CALLGRIND_SAVE_SUMMARY=json cargo bench -p config-core --bench
    // iai` (iai-callgrind 0.16.1, valgrind 3.19.0), first run, so every value is `Left` (new
    // only). Trimmed: `parts` emptied, absolute paths replaced by `/project`.
    const V6_FIRST_RUN: &str = r#"{"baselines":[null,null],
"benchmark_exe":"/project/target/release/deps/iai-358ac6cdd87db31f",
"benchmark_file":"/project/targets/config-core/benches/iai.rs","details":"load_input(\"small\")",
"function_name":"config_core","id":"small","kind":"LibraryBenchmark",
"module_path":"iai::parse::config_core","package_dir":"/project/targets/config-core",
"profiles":[{"flamegraphs":[],"log_paths":[],"out_paths":[],
"summaries":{"parts":[],"total":{"regressions":[],"summary":{"Callgrind":{
"D1MissRate":{"diffs":null,"metrics":{"Left":{"Float":0.6045949214026602}}},
"D1mr":{"diffs":null,"metrics":{"Left":{"Int":25}}},
"D1mw":{"diffs":null,"metrics":{"Left":{"Int":70}}},
"DLmr":{"diffs":null,"metrics":{"Left":{"Int":19}}},
"DLmw":{"diffs":null,"metrics":{"Left":{"Int":68}}},
"Dr":{"diffs":null,"metrics":{"Left":{"Int":10113}}},
"Dw":{"diffs":null,"metrics":{"Left":{"Int":5600}}},
"EstimatedCycles":{"diffs":null,"metrics":{"Left":{"Int":67261}}},
"I1MissRate":{"diffs":null,"metrics":{"Left":{"Float":0.7262741877534261}}},
"I1mr":{"diffs":null,"metrics":{"Left":{"Int":283}}},
"ILmr":{"diffs":null,"metrics":{"Left":{"Int":282}}},
"Ir":{"diffs":null,"metrics":{"Left":{"Int":38966}}},
"L1HitRate":{"diffs":null,"metrics":{"Left":{"Float":99.3086925510708}}},
"L1hits":{"diffs":null,"metrics":{"Left":{"Int":54301}}},
"LLHitRate":{"diffs":null,"metrics":{"Left":{"Float":0.01645970116498107}}},
"LLMissRate":{"diffs":null,"metrics":{"Left":{"Float":0.674847747764224}}},
"LLdMissRate":{"diffs":null,"metrics":{"Left":{"Float":0.5536816648634888}}},
"LLhits":{"diffs":null,"metrics":{"Left":{"Int":9}}},
"LLiMissRate":{"diffs":null,"metrics":{"Left":{"Float":0.7237078478673715}}},
"RamHitRate":{"diffs":null,"metrics":{"Left":{"Float":0.674847747764224}}},
"RamHits":{"diffs":null,"metrics":{"Left":{"Int":369}}},
"TotalRW":{"diffs":null,"metrics":{"Left":{"Int":54679}}}}}}},
"tool":"Callgrind"}],"project_root":"/project",
"summary_output":{"format":"Json","path":"/project/summary.json"},"version":"6"}"#;

    // The same bench's second run (`Both`: new, then old from the first run), trimmed to a
    // few events. The old `Ir` and `L1hits` are edited (the real run repeated the counts
    // exactly) so that taking the wrong side would show; `Dr` is edited to `Right` (old only).
    const V6_SECOND_RUN: &str = r#"{"baselines":[null,null],
"benchmark_exe":"/project/target/release/deps/iai-358ac6cdd87db31f",
"benchmark_file":"/project/targets/config-core/benches/iai.rs","details":"load_input(\"medium\")",
"function_name":"config_core","id":"medium","kind":"LibraryBenchmark",
"module_path":"iai::parse::config_core","package_dir":"/project/targets/config-core",
"profiles":[{"flamegraphs":[],"log_paths":[],"out_paths":[],
"summaries":{"parts":[],"total":{"regressions":[],"summary":{"Callgrind":{
"Dr":{"diffs":null,"metrics":{"Right":{"Int":98672}}},
"EstimatedCycles":{"diffs":{"diff_pct":"0","factor":"1"},"metrics":{"Both":[{"Int":575505},{"Int":575505}]}},
"Ir":{"diffs":{"diff_pct":"-1.2","factor":"0.98"},"metrics":{"Both":[{"Int":384264},{"Int":390000}]}},
"L1HitRate":{"diffs":{"diff_pct":"0","factor":"1"},"metrics":{"Both":[{"Float":99.75448086384019},{"Float":99.75448086384019}]}},
"L1hits":{"diffs":{"diff_pct":"-0.1","factor":"0.99"},"metrics":{"Both":[{"Int":535910},{"Int":536000}]}},
"TotalRW":{"diffs":{"diff_pct":"0","factor":"1"},"metrics":{"Both":[{"Int":537229},{"Int":537229}]}}}}}},
"tool":"Callgrind"}],"project_root":"/project",
"summary_output":{"format":"Json","path":"/project/summary.json"},"version":"6"}"#;

    // gungraun 0.20 (`"version": "7"`), written from the documented shape (gungraun's
    // `summary.v7` schema and its example summary), not produced by a run here: no `id` (a
    // benchmark without `#[bench::id]`), plain numbers in `values`, `parts` emptied, and a
    // DHAT profile beside the Callgrind one, which is ignored.
    const V7: &str = r#"{"baselines":[null,null],
"benchmark_exe":"target/release/deps/iai-0123456789abcdef","benchmark_file":"benches/iai.rs",
"duration_ns":200553102,"function_name":"config_core","group":"parse","kind":"LibraryBenchmark",
"module_path":"iai::parse::config_core","output_dir":"target/gungraun/config-core/iai/parse/config_core",
"package_dir":"targets/config-core",
"profiles":[
{"data":{"parts":[],"total":{"metrics":{"AtTEndBlocks":{"change":null,"values":{"new":0}}},"regressions":[]}},
 "duration_ns":1000,"process_ns":900,"started_at":"2026-09-25T16:02:04.121681251Z","tool":"DHAT"},
{"data":{"parts":[],"total":{"metrics":{
"D1MissRate":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":0.33444816053511706,"old":0.33444816053511706}},
"Dr":{"change":null,"values":{"old":161}},
"EstimatedCycles":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":1092,"old":1092}},
"Ir":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":687,"old":700}},
"L1HitRate":{"change":null,"values":{"new":99.59432048681542}},
"L1hits":{"change":null,"values":{"new":982}},
"RamHits":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":3,"old":3}}},
"regressions":[]}},
 "duration_ns":200542320,"process_ns":200490228,"started_at":"2026-09-25T16:02:04.121681251Z","tool":"Callgrind"}],
"project_root":"/project","started_at":"2026-09-25T16:02:04.121680298Z","version":"7"}"#;

    /// `(bench, metric, value)` of each measurement, checking what every one shares.
    #[track_caller]
    fn rows(ms: &[Measurement]) -> Vec<(String, String, f64)> {
        for m in ms {
            assert!(m.lower_is_better && m.samples.is_empty() && m.interval.is_none());
            let unit = if m.metric == Metric::Instructions {
                Unit::Instructions
            } else {
                Unit::Events
            };
            assert_eq!(m.unit, unit, "{}", m.metric);
        }
        ms.iter()
            .map(|m| (m.bench.clone(), m.metric.to_string(), m.value))
            .collect()
    }

    #[track_caller]
    fn check(json: &str, expected: &[(&str, &str, f64)]) {
        let ms = parse_summary(json).expect("parses");
        let expected: Vec<(String, String, f64)> = expected
            .iter()
            .map(|&(b, m, v)| (b.to_string(), m.to_string(), v))
            .collect();
        assert_eq!(rows(&ms), expected);
    }

    #[test]
    fn v6_first_run_reads_every_integer_event() {
        let b = "iai::parse::config_core.small";
        check(
            V6_FIRST_RUN,
            &[
                (b, "instructions", 38966.0),
                (b, "callgrind_d1mr", 25.0),
                (b, "callgrind_d1mw", 70.0),
                (b, "callgrind_dlmr", 19.0),
                (b, "callgrind_dlmw", 68.0),
                (b, "callgrind_dr", 10113.0),
                (b, "callgrind_dw", 5600.0),
                (b, "callgrind_estimated_cycles", 67261.0),
                (b, "callgrind_i1mr", 283.0),
                (b, "callgrind_ilmr", 282.0),
                (b, "callgrind_l1hits", 54301.0),
                (b, "callgrind_llhits", 9.0),
                (b, "callgrind_ram_hits", 369.0),
                (b, "callgrind_total_rw", 54679.0),
            ],
        );
    }

    #[test]
    fn v6_second_run_takes_the_new_side_and_skips_old_only() {
        let b = "iai::parse::config_core.medium";
        check(
            V6_SECOND_RUN,
            &[
                (b, "instructions", 384264.0),
                (b, "callgrind_estimated_cycles", 575505.0),
                (b, "callgrind_l1hits", 535910.0),
                (b, "callgrind_total_rw", 537229.0),
            ],
        );
    }

    #[test]
    fn v7_reads_new_values_and_uses_the_module_path_without_an_id() {
        let b = "iai::parse::config_core";
        check(
            V7,
            &[
                (b, "instructions", 687.0),
                (b, "callgrind_estimated_cycles", 1092.0),
                (b, "callgrind_l1hits", 982.0),
                (b, "callgrind_ram_hits", 3.0),
            ],
        );
        let with_id = V7.replace(r#""group":"parse","#, r#""group":"parse","id":"small","#);
        let ms = parse_summary(&with_id).expect("parses");
        assert_eq!(ms[0].bench, "iai::parse::config_core.small");
    }

    #[test]
    fn bad_summaries_say_what_is_wrong() {
        let err = parse_summary("{").expect_err("truncated");
        assert!(err.starts_with("not an iai-callgrind summary"), "{err}");

        let err = parse_summary(&V6_FIRST_RUN.replace(r#""version":"6""#, r#""version":"5""#))
            .expect_err("old version");
        assert!(
            err.starts_with("summary version 5 is not supported"),
            "{err}"
        );

        let err = parse_summary(&V6_FIRST_RUN.replace(r#""tool":"Callgrind""#, r#""tool":"DHAT""#))
            .expect_err("no callgrind");
        assert_eq!(err, "no Callgrind profile in the summary");

        let err = parse_summary(&V6_FIRST_RUN.replace(r#""Ir":"#, r#""Xr":"#)).expect_err("no Ir");
        assert_eq!(err, "no `Ir` (instruction count) in the Callgrind totals");

        let err = parse_summary(&V7.replace(
            r#""data":{"parts":[],"total""#,
            r#""data":{"parts":[],"totals""#,
        ))
        .expect_err("renamed field");
        assert!(
            err.starts_with("unexpected Callgrind profile in a version 7 summary"),
            "{err}"
        );
    }

    #[test]
    fn event_names_become_snake_case() {
        for (name, snake) in [
            ("EstimatedCycles", "estimated_cycles"),
            ("TotalRW", "total_rw"),
            ("RamHits", "ram_hits"),
            ("L1hits", "l1hits"),
            ("LLhits", "llhits"),
            ("ILmr", "ilmr"),
            ("SysCount", "sys_count"),
            ("Bcm", "bcm"),
        ] {
            assert_eq!(snake_case(name), snake);
        }
    }

    #[test]
    fn the_runner_version_is_read_in_both_wordings() {
        let real = "iai_callgrind_runner: Error: No version information found for iai-callgrind but iai-callgrind-runner (0.16.1) is >= '0.3.0'. Please update iai-callgrind to '0.16.1' in your Cargo.toml file\n";
        assert_eq!(
            runner_version(real, &IAI_CALLGRIND),
            Some("0.16.1".to_string())
        );
        assert_eq!(
            runner_version("gungraun-runner 0.20.0\n", &GUNGRAUN),
            Some("0.20.0".to_string())
        );
        assert_eq!(runner_version("usage: …", &IAI_CALLGRIND), None);
    }

    #[test]
    fn runner_problems_are_recognised_in_stderr() {
        // Real stderr of `cargo bench --bench iai` with a runner that reports 0.16.1 against a
        // library of 0.17.0 and of 0.15.2, and with no runner at all (iai-callgrind 0.16.1).
        let older = "     Running benches/iai.rs (target/release/deps/iai-358ac6cdd87db31f)\n\
iai_callgrind_runner: Error: iai-callgrind-runner (0.16.1) is older than iai-callgrind (0.17.0). Please update iai-callgrind-runner by calling 'cargo install --version 0.17.0 iai-callgrind-runner'\n\
error: bench failed, to rerun pass `-p config-core --bench iai`\n";
        let newer = "iai_callgrind_runner: Error: iai-callgrind-runner (0.16.1) is newer than iai-callgrind (0.15.2). Please update iai-callgrind to '0.16.1' in your Cargo.toml file\n";
        let missing = "iai-callgrind: Error: The following errors occurred:\n\
--> Error in iai: Failed to run benchmarks: No such file or directory (os error 2).\n\
\n\
Is iai-callgrind-runner installed and iai-callgrind-runner in your $PATH?.\n\
You can set the environment variable IAI_CALLGRIND_RUNNER to the absolute path of the iai-callgrind-runner executable.\n";
        let mismatch = |runner: &str, library: &str| {
            Some(RunnerProblem::Mismatch {
                runner: runner.to_string(),
                library: library.to_string(),
            })
        };
        assert_eq!(
            runner_problem(older, &IAI_CALLGRIND),
            mismatch("0.16.1", "0.17.0")
        );
        assert_eq!(
            runner_problem(newer, &IAI_CALLGRIND),
            mismatch("0.16.1", "0.15.2")
        );
        assert_eq!(
            runner_problem(missing, &IAI_CALLGRIND),
            Some(RunnerProblem::Missing)
        );
        let panic = "thread 'main' panicked at benches/iai.rs:31:40:\nconfig-core parses\n";
        assert_eq!(runner_problem(panic, &IAI_CALLGRIND), None);
        // gungraun's messages have the same shape with its own names.
        let gungraun = "gungraun-runner (0.20.0) is older than gungraun (0.20.1). Please update";
        assert_eq!(
            runner_problem(gungraun, &GUNGRAUN),
            mismatch("0.20.0", "0.20.1")
        );
        assert_eq!(runner_problem(gungraun, &IAI_CALLGRIND), None);
    }

    #[test]
    fn the_install_fix_names_the_library_version() {
        assert_eq!(
            IAI_CALLGRIND.install_fix(Some("0.16.1")),
            "install the runner matching the library with `cargo install --locked iai-callgrind-runner --version 0.16.1` (or run `scripts/setup.sh`)"
        );
        let err = Error::ToolVersion {
            tool: "iai-callgrind-runner".into(),
            found: "0.16.1".into(),
            expected: "0.17.0".into(),
            fix: IAI_CALLGRIND.install_fix(Some("0.17.0")),
        };
        assert_eq!(
            err.to_string(),
            "`iai-callgrind-runner` is version 0.16.1 but 0.17.0 is needed; install the runner matching the library with `cargo install --locked iai-callgrind-runner --version 0.17.0` (or run `scripts/setup.sh`)"
        );
    }

    #[test]
    fn the_locked_library_version_comes_from_cargo_lock() {
        let lock = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "iai-callgrind"
version = "0.16.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0123"
dependencies = [
 "bincode",
 "iai-callgrind-macros",
]

[[package]]
name = "iai-callgrind-macros"
version = "0.6.1"
"#;
        assert_eq!(
            locked_version(lock, "iai-callgrind").as_deref(),
            Some("0.16.1")
        );
        assert_eq!(locked_version(lock, "gungraun"), None);
        assert_eq!(locked_version("not = [toml", "iai-callgrind"), None);
    }

    #[test]
    fn collect_reads_every_summary_sorted_by_id() {
        let home = tempfile::tempdir().expect("temp dir");
        let parse = home.path().join("config-core/iai/parse");
        for (dir, text) in [
            ("config_core.small", V6_FIRST_RUN),
            ("config_core.medium", V6_SECOND_RUN),
        ] {
            fs::create_dir_all(parse.join(dir)).expect("create fixture dir");
            fs::write(parse.join(dir).join("summary.json"), text).expect("write fixture");
            fs::write(
                parse.join(dir).join(format!("callgrind.{dir}.out")),
                "events: Ir\n",
            )
            .expect("write fixture");
        }
        let ms = collect(home.path(), Some("cd34")).expect("collects");
        assert_eq!(ms.len(), 14 + 4);
        assert_eq!(
            (ms[0].bench.as_str(), ms[0].metric.as_str()),
            (
                "iai::parse::config_core.medium",
                "callgrind_estimated_cycles"
            )
        );
        assert_eq!(
            (ms[4].bench.as_str(), ms[4].metric.as_str()),
            ("iai::parse::config_core.small", "callgrind_d1mr")
        );
        assert!(
            ms.iter()
                .all(|m| m.artifact_sha256.as_deref() == Some("cd34"))
        );

        fs::write(
            parse.join("config_core.small/summary.json"),
            "{\"version\":",
        )
        .expect("corrupt");
        match collect(home.path(), None) {
            Err(Error::ToolOutput {
                tool,
                path,
                message,
            }) => {
                assert_eq!(tool, "iai-callgrind");
                assert_eq!(path, parse.join("config_core.small/summary.json"));
                assert!(
                    message.starts_with("not an iai-callgrind summary"),
                    "{message}"
                );
            }
            other => panic!("expected a tool output error, got {other:?}"),
        }
    }
}
