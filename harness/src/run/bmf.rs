//! Custom `harness = false` benches that report in Bencher Metric Format (BMF), the field's
//! interchange format: a bench writes one JSON object to the file named by the environment
//! variable [`FILE_VAR`] that perfgate sets (or, if it writes no such file, to its standard
//! output), read as-is:
//!
//! ```json
//! { "parse/medium": { "latency": { "value": 88.2, "lower_value": 87.4, "upper_value": 89.0 },
//!                     "instructions": { "value": 384264 } } }
//! ```
//!
//! Each benchmark's every measure is kept: Bencher's built-in `latency` (nanoseconds) is
//! `wall_time_ns`, `throughput` (operations per second) `throughput_ops_per_s`, `file-size`
//! `binary_size_bytes`, `build-time` `build_wall_s`; any other slug is the metric of the same
//! name in snake case (`instructions`, `allocations-count` → `allocations_count`), and one
//! perfgate does not know is kept under that name, shown and never gated. As with divan, a
//! process is one sample: [`run`] runs several and keeps each process's value.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::builds::target::{BenchTarget, Built};
use crate::error::{Error, Result};
use crate::measure::{Interval, Measurement, Unit, Unmeasured};
use crate::metric::Metric;

/// The environment variable naming the file a bench writes its BMF JSON to.
pub const FILE_VAR: &str = "PERFGATE_BMF_FILE";

/// The most of one BMF report perfgate reads: a larger one is an error, not memory spent.
pub const MAX_BYTES: u64 = 64 << 20;

/// The tool name in [`Error::ToolOutput`].
const TOOL: &str = "Bencher Metric Format";

/// One measure of one benchmark: `{ "value", "lower_value"?, "upper_value"? }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureValue {
    value: f64,
    #[serde(default)]
    lower_value: Option<f64>,
    #[serde(default)]
    upper_value: Option<f64>,
}

/// Why a BMF report could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BmfError {
    /// Not JSON of BMF's shape.
    #[error(
        "not Bencher Metric Format JSON ({problem}); BMF is `{{\"<bench>\": {{\"<measure>\": {{\"value\": 1.0}}}}}}`"
    )]
    Shape {
        /// serde's words.
        problem: String,
    },
    /// A value that is not a finite, non-negative number, or bounds around the wrong side.
    #[error("benchmark `{bench}`, measure `{measure}`: {problem}")]
    Value {
        /// The benchmark.
        bench: String,
        /// The measure slug.
        measure: String,
        /// What is wrong.
        problem: String,
    },
    /// An object without benchmarks.
    #[error("the report holds no benchmark")]
    Empty,
}

/// The metric, unit and direction of a BMF measure slug.
pub fn metric_of(slug: &str) -> (Metric, Unit, bool) {
    match slug {
        "latency" => (Metric::WallTime, Unit::Nanoseconds, true),
        "throughput" => (
            Metric::Throughput("throughput_ops_per_s".to_string()),
            Unit::PerSecond,
            false,
        ),
        "file-size" => (Metric::BinarySize, Unit::Bytes, true),
        "build-time" => (Metric::BuildWall, Unit::Seconds, true),
        other => {
            let metric = Metric::parse(&other.replace('-', "_"));
            let unit = match metric {
                Metric::Instructions => Unit::Instructions,
                Metric::WallTime | Metric::StartupWall => Unit::Nanoseconds,
                Metric::BinarySize | Metric::StrippedSize => Unit::Bytes,
                Metric::AllocatedBytes | Metric::PeakHeap => Unit::Bytes,
                Metric::BuildWall | Metric::BuildCpu => Unit::Seconds,
                Metric::CallgrindEvent(_) => Unit::Events,
                _ => Unit::Count,
            };
            (metric, unit, true)
        }
    }
}

/// Pure: one BMF report → its measurements (one per benchmark and measure, no samples), in
/// benchmark, then measure order.
pub fn parse_report(text: &str) -> Result<Vec<Measurement>, BmfError> {
    let report: BTreeMap<String, BTreeMap<String, MeasureValue>> = serde_json::from_str(text)
        .map_err(|e| BmfError::Shape {
            problem: e.to_string(),
        })?;
    if report.is_empty() {
        return Err(BmfError::Empty);
    }
    let mut out = Vec::new();
    for (bench, measures) in report {
        for (slug, m) in measures {
            let bad = |problem: &str| BmfError::Value {
                bench: bench.clone(),
                measure: slug.clone(),
                problem: problem.to_string(),
            };
            let finite = |v: f64| v.is_finite() && v >= 0.0;
            if !finite(m.value) {
                return Err(bad("the value is not a finite, non-negative number"));
            }
            let interval = match (m.lower_value, m.upper_value) {
                (None, None) => None,
                (Some(lower), Some(upper))
                    if finite(lower) && finite(upper) && lower <= m.value && m.value <= upper =>
                {
                    Some(Interval {
                        lower,
                        upper,
                        confidence: 0.95,
                    })
                }
                _ => {
                    return Err(bad(
                        "`lower_value` and `upper_value` must both be given, around the value",
                    ));
                }
            };
            let (metric, unit, lower_is_better) = metric_of(&slug);
            out.push(Measurement {
                interval,
                lower_is_better,
                ..Measurement::exact(bench.clone(), metric, unit, m.value)
            });
        }
    }
    Ok(out)
}

/// Pure: the reports of several processes → one measurement per benchmark and measure, the
/// median of the processes' values with each value a sample (the interval is kept only from a
/// single process).
pub fn pool(processes: &[Vec<Measurement>]) -> Vec<Measurement> {
    let mut groups: BTreeMap<(String, Metric), Vec<&Measurement>> = BTreeMap::new();
    for process in processes {
        for m in process {
            groups
                .entry((m.bench.clone(), m.metric.clone()))
                .or_default()
                .push(m);
        }
    }
    groups
        .into_values()
        .filter_map(|ms| {
            let values: Vec<f64> = ms.iter().map(|m| m.value).collect();
            let median = crate::stats::median(&values)?;
            let first = ms[0];
            Some(Measurement {
                value: median,
                samples: if values.len() > 1 { values } else { Vec::new() },
                interval: if ms.len() == 1 { first.interval } else { None },
                ..first.clone()
            })
        })
        .collect()
}

/// What one process of a custom bench gave.
pub enum Outcome {
    /// Its BMF report's measurements.
    Report(Vec<Measurement>),
    /// It ran but wrote no BMF JSON, neither to the file nor to stdout.
    NoReport,
}

/// Runs one process of a custom bench target (`EXE --bench`, from the crate's directory, as
/// `cargo bench` does) with [`FILE_VAR`] set to a file under `scratch`, and reads the file
/// it wrote, else its stdout.
pub fn run_process(built: &Built, bench: &BenchTarget, scratch: &Path) -> Result<Outcome> {
    let exe = super::bench_exe(built, bench, TOOL)?;
    let file = scratch.join(format!("{}.bmf.json", bench.name));
    if file.exists() {
        std::fs::remove_file(&file).map_err(|source| Error::Io {
            action: "remove",
            path: file.clone(),
            source,
        })?;
    }
    let mut cmd = Command::new(exe);
    cmd.arg("--bench")
        .current_dir(&bench.crate_dir)
        .env("CARGO_MANIFEST_DIR", &bench.crate_dir)
        .env(FILE_VAR, &file);
    let output = built.run_bench(&mut cmd, &bench.name, built.profile.name())?;
    if !output.status.success() {
        return Err(crate::run::bench_failed(built, &bench.name, &cmd, &output));
    }
    let (text, source) = if file.is_file() {
        (read_capped(&file)?, file.clone())
    } else {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !stdout.trim_start().starts_with('{') {
            return Ok(Outcome::NoReport);
        }
        (stdout, Path::new("-").to_path_buf())
    };
    let measurements = parse_report(&text).map_err(|e| Error::ToolOutput {
        tool: TOOL,
        path: source,
        message: format!("bench `{}`: {e}", bench.name),
    })?;
    let sha = built.bench_sha256(bench);
    Ok(Outcome::Report(
        measurements
            .into_iter()
            .map(|m| m.with_artifact(sha.clone()))
            .collect(),
    ))
}

/// The text of a report file, refused past [`MAX_BYTES`].
fn read_capped(path: &Path) -> Result<String> {
    let io = |source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(Error::ToolOutput {
            tool: TOOL,
            path: path.to_path_buf(),
            message: format!(
                "the report is {size} bytes; perfgate reads at most {MAX_BYTES} bytes of one"
            ),
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

/// What the run records of a custom bench that wrote no BMF report: why, and the fix.
pub fn unmeasured(bench: &BenchTarget) -> Unmeasured {
    Unmeasured {
        bench: bench.artifact_name(),
        reason: format!(
            "has a harness perfgate does not know and wrote no Bencher Metric Format JSON (to stdout, or to the file named by `{FILE_VAR}`)"
        ),
        fix: "write its results as BMF JSON (see the README's \"Bench harnesses\"), or port it to criterion, divan or gungraun".to_string(),
    }
}

/// Runs `processes` processes of a custom bench target; its pooled measurements, or `None`
/// when it writes no BMF report.
pub fn run(
    built: &Built,
    bench: &BenchTarget,
    processes: usize,
    scratch: &Path,
) -> Result<Option<Vec<Measurement>>> {
    let mut reports = Vec::new();
    for _ in 0..processes.max(1) {
        match run_process(built, bench, scratch)? {
            Outcome::Report(ms) => reports.push(ms),
            Outcome::NoReport => return Ok(None),
        }
    }
    Ok(Some(pool(&reports)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_is_kept_under_its_metric() {
        let text = r#"{
            "parse/medium": {
                "latency": { "value": 88.2, "lower_value": 87.4, "upper_value": 89.0 },
                "throughput": { "value": 11337868.0 },
                "instructions": { "value": 384264 },
                "allocations-count": { "value": 4 },
                "file-size": { "value": 1024 },
                "build-time": { "value": 3.5 },
                "l1-hits": { "value": 7 }
            }
        }"#;
        let ms = parse_report(text).expect("BMF");
        let by: BTreeMap<String, &Measurement> =
            ms.iter().map(|m| (m.metric.to_string(), m)).collect();
        let names: Vec<&str> = by.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "allocations_count",
                "binary_size_bytes",
                "build_wall_s",
                "instructions",
                "l1_hits",
                "throughput_ops_per_s",
                "wall_time_ns"
            ]
        );
        let latency = by["wall_time_ns"];
        assert_eq!((latency.value, latency.unit), (88.2, Unit::Nanoseconds));
        let interval = latency.interval.as_ref().expect("bounds");
        assert_eq!((interval.lower, interval.upper), (87.4, 89.0));
        assert!(!by["throughput_ops_per_s"].lower_is_better);
        assert_eq!(by["instructions"].unit, Unit::Instructions);
        assert!(matches!(by["l1_hits"].metric, Metric::Other(_)));
        assert!(ms.iter().all(|m| m.bench == "parse/medium"));
    }

    #[test]
    fn reports_of_another_shape_are_refused_with_the_shape() {
        for text in ["", "[]", "{\"a\": 1}", "{\"a\": {\"latency\": {\"v\": 1}}}"] {
            let err = parse_report(text).expect_err(text);
            assert!(matches!(err, BmfError::Shape { .. }), "{text}: {err:?}");
            assert!(err.to_string().contains("\"value\""), "{err}");
        }
        assert_eq!(parse_report("{}"), Err(BmfError::Empty));
        for bad in [
            r#"{"a": {"latency": {"value": -1}}}"#,
            r#"{"a": {"latency": {"value": 5, "lower_value": 6, "upper_value": 7}}}"#,
            r#"{"a": {"latency": {"value": 5, "lower_value": 4}}}"#,
        ] {
            assert!(
                matches!(parse_report(bad), Err(BmfError::Value { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn processes_pool_into_samples() {
        let one = |v: f64| {
            parse_report(&format!(r#"{{"b": {{"latency": {{"value": {v}}}}}}}"#)).expect("BMF")
        };
        let pooled = pool(&[one(10.0), one(30.0), one(20.0)]);
        assert_eq!(pooled.len(), 1);
        assert_eq!(pooled[0].value, 20.0);
        assert_eq!(pooled[0].samples, [10.0, 30.0, 20.0]);
        let single = pool(&[one(10.0)]);
        assert!(single[0].samples.is_empty());
    }
}
