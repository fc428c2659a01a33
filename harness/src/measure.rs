//! The measurement types: the only form in which later stages see what the tools measured.
//!
//! Each tool's output (criterion's JSON files, iai-callgrind's summaries, DHAT's profile, file
//! sizes, timings) becomes [`Measurement`]s inside `run` and `build`; the baseline stores them
//! and compare, gate and report read them. Metric names carry their unit (`wall_time_ns`,
//! `binary_size_bytes`), and every measurement says whether lower is better.

use crate::metric::Metric;
use serde::{Deserialize, Serialize};

/// The unit of a measured value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Nanoseconds of wall time.
    Nanoseconds,
    /// Seconds (build times).
    Seconds,
    /// Executed instructions (callgrind `Ir`).
    Instructions,
    /// A count of callgrind events other than instructions (reads, misses, ...).
    Events,
    /// Bytes.
    Bytes,
    /// A plain count (allocations, functions).
    Count,
    /// A ratio without unit (coefficient of variation).
    Ratio,
    /// Bytes per second (throughput).
    BytesPerSecond,
    /// Elements (or bits) per second (throughput).
    PerSecond,
}

impl Unit {
    /// A value with its unit, short: `1.23 ms`, `4.09 M instr`, `812 KiB`.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Nanoseconds => {
                if value >= 1e9 {
                    format!("{:.2} s", value / 1e9)
                } else if value >= 1e6 {
                    format!("{:.2} ms", value / 1e6)
                } else if value >= 1e3 {
                    format!("{:.2} µs", value / 1e3)
                } else {
                    format!("{value:.1} ns")
                }
            }
            Unit::Seconds => format!("{value:.2} s"),
            Unit::Instructions | Unit::Events | Unit::Count => {
                if value >= 1e6 {
                    format!("{:.3} M", value / 1e6)
                } else if value >= 1e3 {
                    format!("{:.2} k", value / 1e3)
                } else {
                    format!("{value:.0}")
                }
            }
            Unit::Bytes => {
                if value >= 1024.0 * 1024.0 {
                    format!("{:.2} MiB", value / (1024.0 * 1024.0))
                } else if value >= 1024.0 {
                    format!("{:.1} KiB", value / 1024.0)
                } else {
                    format!("{value:.0} B")
                }
            }
            Unit::Ratio => format!("{value:.3}"),
            Unit::BytesPerSecond => format!("{:.1} MB/s", value / 1e6),
            Unit::PerSecond => format!("{value:.3e}/s"),
        }
    }
}

/// A confidence interval of a point estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The lower bound.
    pub lower: f64,
    /// The upper bound.
    pub upper: f64,
    /// The confidence level, e.g. 0.95.
    pub confidence: f64,
}

/// One value of one metric of one bench, under one profile, at one commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The stable bench id (criterion's full id, iai-callgrind's `module::function.id`, or a
    /// perfgate measurement such as `binary/toml-test-decoder` or `startup`).
    pub bench: String,
    /// The metric, stored by its name (its unit in it): `wall_time_ns`, `instructions`,
    /// `binary_size_bytes`.
    pub metric: Metric,
    /// The unit of `value` and `samples`.
    pub unit: Unit,
    /// Whether a smaller value is an improvement (false for throughput).
    pub lower_is_better: bool,
    /// The point estimate (criterion: the slope, or the mean when sampling is flat).
    pub value: f64,
    /// The raw samples the estimate came from (per-iteration times, per-process latencies);
    /// empty for deterministic metrics measured once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<f64>,
    /// The tool's confidence interval of `value`, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    /// The sha256 of the artifact behind the value (bench or target binary), for the
    /// identical-artifact check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_sha256: Option<String>,
    /// The commit whose baseline this measurement was taken over from, unmeasured, because
    /// everything it depends on was identical (`docs/baseline-schema.md`, "Reuse"); `None`
    /// when it was measured in this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
}

impl Measurement {
    /// A deterministic, lower-is-better measurement without samples.
    pub fn exact(
        bench: impl Into<String>,
        metric: impl Into<Metric>,
        unit: Unit,
        value: f64,
    ) -> Self {
        Measurement {
            bench: bench.into(),
            metric: metric.into(),
            unit,
            lower_is_better: true,
            value,
            samples: Vec::new(),
            interval: None,
            artifact_sha256: None,
            reused_from: None,
        }
    }

    /// A lower-is-better measurement with its samples.
    pub fn sampled(
        bench: impl Into<String>,
        metric: impl Into<Metric>,
        unit: Unit,
        value: f64,
        samples: Vec<f64>,
    ) -> Self {
        Measurement {
            samples,
            ..Measurement::exact(bench, metric, unit, value)
        }
    }

    /// The same measurement, tied to the artifact with this sha256.
    pub fn with_artifact(mut self, sha256: Option<String>) -> Self {
        self.artifact_sha256 = sha256;
        self
    }
}

/// A bench target perfgate found but did not measure, with why and what would let it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmeasured {
    /// The bench target's name.
    pub bench: String,
    /// Why it was left out ("needs the features `serde`").
    pub reason: String,
    /// What would let perfgate measure it.
    pub fix: String,
}

/// A file a build produced: a bench executable, a binary of the target, or a library.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// The cargo target's name (`parse`, `toml-test-decoder`).
    pub name: String,
    /// The cargo target kind: `bench`, `bin`, `lib`...
    pub kind: String,
    /// The file's path relative to the profile's target directory.
    pub path: String,
    /// The file's size in bytes.
    pub size_bytes: u64,
    /// The sha256 of the file, hex.
    pub sha256: String,
}

/// What perfgate verified of a PGO build (every check passed, or the profile is not stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PgoInfo {
    /// The training workload, as a command line.
    pub training: String,
    /// The sha256 of the merged `.profdata`.
    pub profdata_sha256: String,
    /// How many functions the merged profile has counts for.
    pub functions_with_counts: u64,
    /// How many raw `.profraw` files the training left.
    pub raw_profiles: u64,
    /// The `llvm-profdata` used, with its version.
    pub llvm_profdata: String,
    /// How many functions rustc warned had no profile data (`-pgo-warn-missing-function`).
    pub missing_function_warnings: u64,
    /// The merged profile was kept from an earlier build with the same inputs, not trained
    /// again (the other fields are that training's).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub profile_reused: bool,
}
