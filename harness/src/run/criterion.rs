//! criterion benches: runs one bench target with its results under a fresh `CRITERION_HOME`,
//! then reads criterion's JSON files (`benchmark.json`, `estimates.json`, `sample.json` in each
//! benchmark's `new/` directory) into [`Measurement`]s.
//!
//! This module owns criterion's file formats; nothing outside `run` sees them. It measures and
//! reports, and decides nothing: criterion's own change report (`change/`) is never read, and a
//! regression criterion prints is not an error here.
//!
//! One benchmark becomes `wall_time_ns` (the slope estimate under linear sampling, the mean
//! under flat sampling, with its confidence interval and the per-iteration sample times) plus,
//! when the benchmark declares a throughput, `throughput_bytes_per_s` or
//! `throughput_elements_per_s` derived from that value.

use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::builds::target::{BenchTarget, Built};
use crate::error::{Error, Result};
use crate::measure::{Interval, Measurement, Unit};
use crate::metric::Metric;
use crate::plan::Sampling;

/// The tool name in [`Error::ToolOutput`].
const TOOL: &str = "criterion";

/// Runs one criterion bench target under `built`, results written under `home`
/// (`CRITERION_HOME`; a fresh dir per profile and bench), and returns its measurements.
///
/// `sampling` becomes the harness options of the bench's criterion version, after `--`.
/// criterion rejects `--sample-size` below 10 by panicking, which is reported as a failed
/// bench like any other panic.
pub fn run(
    built: &Built,
    bench: &BenchTarget,
    sampling: &Sampling,
    home: &Path,
) -> Result<Vec<Measurement>> {
    let mut cmd = built.cargo_bench(bench);
    cmd.arg("--bench")
        .arg(&bench.name)
        .arg("--")
        .args(sampling.args(bench.harness_minor()))
        .args(bench.filter.as_deref());
    execute(cmd, built, bench, home)
}

/// Runs one process of a criterion bench target's executable directly (`EXE --bench ARGS`,
/// from the crate's directory, as `cargo bench` runs it), without cargo: the executable may be
/// a copy kept apart from the target directory (`run::rounds`). Returns its measurements.
pub fn run_process(
    built: &Built,
    bench: &BenchTarget,
    sampling: &Sampling,
    home: &Path,
) -> Result<Vec<Measurement>> {
    let exe = super::bench_exe(built, bench, TOOL)?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--bench")
        .args(sampling.args(bench.harness_minor()))
        .args(bench.filter.as_deref())
        .current_dir(&bench.crate_dir)
        .env("CARGO_MANIFEST_DIR", &bench.crate_dir);
    execute(cmd, built, bench, home)
}

/// Runs `cmd` (a criterion bench process) with its results under `home`, then reads them.
fn execute(
    mut cmd: std::process::Command,
    built: &Built,
    bench: &BenchTarget,
    home: &Path,
) -> Result<Vec<Measurement>> {
    cmd.env("CRITERION_HOME", home);
    let output = built.run_bench(&mut cmd, &bench.name, built.profile.name())?;
    if !output.status.success() {
        return Err(crate::run::bench_failed(built, &bench.name, &cmd, &output));
    }
    let sha = built.bench_sha256(bench);
    let measurements = collect(home, sha.as_deref())?;
    if measurements.is_empty() {
        return Err(Error::ToolOutput {
            tool: TOOL,
            path: home.to_path_buf(),
            message: format!(
                "bench `{}` exited successfully but wrote no results (does a filter in the criterion arguments match nothing?)",
                bench.name
            ),
        });
    }
    Ok(measurements)
}

/// Reads every benchmark under a criterion home: each `<home>/<directory_name>/new/` holding
/// `benchmark.json`, `estimates.json` and `sample.json`, whatever the depth of the benchmark's
/// directory name (`group`, `group/function`, `group/function/value`). Baselines other than
/// `new` are ignored. The measurements are sorted by bench id, then metric.
pub fn collect(home: &Path, artifact_sha256: Option<&str>) -> Result<Vec<Measurement>> {
    let mut benchmark_files = Vec::new();
    super::find_files(home, "benchmark.json", &mut benchmark_files)?;
    let mut out = Vec::new();
    for benchmark_file in benchmark_files {
        let Some(new_dir) = benchmark_file.parent() else {
            continue;
        };
        if new_dir.file_name().is_none_or(|n| n != "new") {
            continue;
        }
        let texts = [File::Benchmark, File::Estimates, File::Sample]
            .map(|file| read_tool_file(&new_dir.join(file.name())));
        let [benchmark, estimates, sample] = texts;
        let measurements =
            parse_files(&benchmark?, &estimates?, &sample?).map_err(|(file, message)| {
                Error::ToolOutput {
                    tool: TOOL,
                    path: new_dir.join(file.name()),
                    message,
                }
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

/// Pure: one benchmark's three files' texts → its measurements: `wall_time_ns`, then a
/// throughput measurement per declared throughput. The error names the file at fault.
pub fn parse_benchmark(
    benchmark_json: &str,
    estimates_json: &str,
    sample_json: &str,
) -> Result<Vec<Measurement>, BenchmarkError> {
    parse_files(benchmark_json, estimates_json, sample_json)
        .map_err(|(file, problem)| BenchmarkError { file, problem })
}

/// Which of a benchmark's files criterion wrote wrong, and how ([`parse_benchmark`]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{}`: {problem}", file.name())]
pub struct BenchmarkError {
    /// The file at fault.
    pub file: File,
    /// What is wrong with it.
    pub problem: String,
}

/// The three files of one criterion benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    /// `benchmark.json`: its identity and throughput.
    Benchmark,
    /// `estimates.json`: the point estimates and intervals.
    Estimates,
    /// `sample.json`: the raw samples.
    Sample,
}

impl File {
    /// The file's name.
    pub fn name(self) -> &'static str {
        match self {
            File::Benchmark => "benchmark.json",
            File::Estimates => "estimates.json",
            File::Sample => "sample.json",
        }
    }
}

/// `benchmark.json`: the benchmark's identity. Other fields (`group_id`, `title`, ...) are
/// not needed.
#[derive(Deserialize)]
struct BenchmarkFile {
    full_id: String,
    #[serde(default)]
    throughput: Option<serde_json::Value>,
}

/// `estimates.json`, in nanoseconds per iteration. `slope` is null under flat sampling.
#[derive(Deserialize)]
struct EstimatesFile {
    mean: Estimate,
    #[serde(default)]
    slope: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
    confidence_interval: ConfidenceInterval,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

/// `sample.json`: `times[i]` is the total time in nanoseconds of `iters[i]` iterations.
#[derive(Deserialize)]
struct SampleFile {
    iters: Vec<f64>,
    times: Vec<f64>,
}

fn parse_files(
    benchmark_json: &str,
    estimates_json: &str,
    sample_json: &str,
) -> Result<Vec<Measurement>, (File, String)> {
    let benchmark: BenchmarkFile = serde_json::from_str(benchmark_json).map_err(|e| {
        (
            File::Benchmark,
            format!("not a criterion benchmark file: {e}"),
        )
    })?;
    let estimates: EstimatesFile = serde_json::from_str(estimates_json).map_err(|e| {
        (
            File::Estimates,
            format!("not a criterion estimates file: {e}"),
        )
    })?;
    let sample: SampleFile = serde_json::from_str(sample_json)
        .map_err(|e| (File::Sample, format!("not a criterion sample file: {e}")))?;

    let estimate = estimates.slope.as_ref().unwrap_or(&estimates.mean);
    let value_ns = estimate.point_estimate;
    if !(value_ns.is_finite() && value_ns > 0.0) {
        return Err((
            File::Estimates,
            format!("the point estimate {value_ns} is not a positive time"),
        ));
    }
    let samples = per_iteration_times(&sample).map_err(|m| (File::Sample, m))?;
    let ci = &estimate.confidence_interval;
    let wall = Measurement {
        interval: Some(Interval {
            lower: ci.lower_bound,
            upper: ci.upper_bound,
            confidence: ci.confidence_level,
        }),
        ..Measurement::sampled(
            benchmark.full_id.clone(),
            Metric::WallTime,
            Unit::Nanoseconds,
            value_ns,
            samples,
        )
    };

    let mut out = vec![wall];
    if let Some(throughput) = &benchmark.throughput {
        for (metric, unit, per_iteration) in throughputs(throughput) {
            out.push(Measurement {
                lower_is_better: false,
                ..Measurement::exact(
                    benchmark.full_id.clone(),
                    metric,
                    unit,
                    per_iteration / (value_ns * 1e-9),
                )
            });
        }
    }
    Ok(out)
}

/// The per-iteration time of each sample, `times[i] / iters[i]`, in criterion's order.
fn per_iteration_times(sample: &SampleFile) -> Result<Vec<f64>, String> {
    if sample.iters.len() != sample.times.len() {
        return Err(format!(
            "{} iteration counts but {} times",
            sample.iters.len(),
            sample.times.len()
        ));
    }
    sample
        .iters
        .iter()
        .zip(&sample.times)
        .map(|(&iters, &time)| {
            if iters > 0.0 {
                Ok(time / iters)
            } else {
                Err(format!("a sample of {iters} iterations"))
            }
        })
        .collect()
}

/// The throughput metrics a benchmark declares, each with the amount processed per iteration.
/// criterion writes the `Throughput` enum externally tagged: `{"Bytes": 1636}`,
/// `{"ElementsAndBytes": {"elements": 10, "bytes": 1636}}`. A kind perfgate does not know is
/// left out rather than failing the wall-time measurement.
fn throughputs(throughput: &serde_json::Value) -> Vec<(Metric, Unit, f64)> {
    let Some((kind, amount)) = throughput.as_object().and_then(|o| o.iter().next()) else {
        return Vec::new();
    };
    let n = |v: &serde_json::Value| v.as_f64().filter(|n| *n > 0.0);
    let mut out = Vec::new();
    match kind.as_str() {
        "Bytes" | "BytesDecimal" => {
            out.extend(n(amount).map(|n| (Metric::throughput_bytes(), Unit::BytesPerSecond, n)))
        }
        "Elements" => {
            out.extend(n(amount).map(|n| (Metric::throughput_elements(), Unit::PerSecond, n)))
        }
        "Bits" => out.extend(n(amount).map(|n| (Metric::throughput_bits(), Unit::PerSecond, n))),
        "ElementsAndBytes" => {
            out.extend(
                amount
                    .get("bytes")
                    .and_then(n)
                    .map(|n| (Metric::throughput_bytes(), Unit::BytesPerSecond, n)),
            );
            out.extend(
                amount
                    .get("elements")
                    .and_then(n)
                    .map(|n| (Metric::throughput_elements(), Unit::PerSecond, n)),
            );
        }
        _ => {}
    }
    out
}

/// Reads one of criterion's files; a missing or unreadable file is criterion's output at fault.
fn read_tool_file(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::ToolOutput {
        tool: TOOL,
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real criterion homes of one bench file (`"checksum 1000"` with a space, a group with a
    /// byte throughput holding `encode/64`, `encode/"a/b c"` and `from_parameter(4096)`), run
    /// by criterion 0.3.6, 0.5.1 and 0.8.2 (0.8.2's after a second run, so with `base/`).
    #[test]
    fn the_homes_of_criterion_0_3_to_0_8_read_alike() {
        for version in ["0.3.6", "0.5.1", "0.8.2"] {
            let home = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/run/criterion/testdata")
                .join(version);
            let ms = collect(&home, None).unwrap_or_else(|e| panic!("{version}: {e}"));
            let walls: Vec<&str> = ms
                .iter()
                .filter(|m| m.metric == Metric::WallTime)
                .map(|m| m.bench.as_str())
                .collect();
            // Ids from `full_id`: the directory `a_b c` is `a/b c`, and `base/` is not read.
            assert_eq!(
                walls,
                [
                    "checksum 1000",
                    "group/4096",
                    "group/encode/64",
                    "group/encode/a/b c"
                ],
                "{version}"
            );
            let bytes: Vec<&str> = ms
                .iter()
                .filter(|m| m.metric == Metric::throughput_bytes())
                .map(|m| m.bench.as_str())
                .collect();
            assert_eq!(bytes.len(), 3, "{version}: {bytes:?}");
            assert!(
                ms.iter()
                    .filter(|m| m.metric == Metric::WallTime)
                    .all(|m| m.samples.len() >= 10 && m.interval.is_some()),
                "{version}"
            );
        }
    }

    // Real files from `CRITERION_HOME=… cargo bench -p config-core --bench parse --
    // --warm-up-time 0.1 --measurement-time 0.2 --sample-size 10 --noplot parse/small`
    // (criterion 0.8.2), with `median`, `median_abs_dev` and `std_dev` trimmed from
    // estimates.json.
    const SMALL_CONFIG_CORE_BENCHMARK: &str = r#"{"group_id":"parse/small","function_id":"config-core","value_str":null,"throughput":{"Bytes":1636},"full_id":"parse/small/config-core","directory_name":"parse_small/config-core","title":"parse/small/config-core"}"#;
    const SMALL_CONFIG_CORE_ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":2784.534552207052,"upper_bound":2988.746175645342},"point_estimate":2859.898428577596,"standard_error":58.94404034098791},"slope":{"confidence_interval":{"confidence_level":0.95,"lower_bound":2782.5279151122227,"upper_bound":3198.5198593255363},"point_estimate":2969.5877254059073,"standard_error":123.35522551990137}}"#;
    const SMALL_CONFIG_CORE_SAMPLE: &str = r#"{"sampling_mode":"Linear","iters":[1287.0,2574.0,3861.0,5148.0,6435.0,7722.0,9009.0,10296.0,11583.0,12870.0],"times":[3616029.0,7154294.0,10693499.0,14387272.0,17984014.0,21450842.0,25190364.0,28594129.0,33444794.0,43914782.0]}"#;

    const SMALL_TOML_TABLE_BENCHMARK: &str = r#"{"group_id":"parse/small","function_id":"toml-table","value_str":null,"throughput":{"Bytes":1636},"full_id":"parse/small/toml-table","directory_name":"parse_small/toml-table","title":"parse/small/toml-table"}"#;
    const SMALL_TOML_TABLE_ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":24629.543992642193,"upper_bound":25928.401844135802},"point_estimate":25152.260608190034,"standard_error":348.0693626911327},"slope":{"confidence_interval":{"confidence_level":0.95,"lower_bound":24431.19123878688,"upper_bound":25760.669575329182},"point_estimate":24992.336507936507,"standard_error":342.3924464204891}}"#;
    const SMALL_TOML_TABLE_SAMPLE: &str = r#"{"sampling_mode":"Linear","iters":[144.0,288.0,432.0,576.0,720.0,864.0,1008.0,1152.0,1296.0,1440.0],"times":[3587347.0,7279899.0,10823090.0,14122010.0,20346919.0,21379557.0,24756231.0,28235689.0,31369955.0,36695002.0]}"#;

    // Real files from the `scaling` bench (flat sampling, so `slope` is null; a parameter id
    // without a function id), trimmed the same way.
    const WIDE_TABLE_BENCHMARK: &str = r#"{"group_id":"scaling/wide_table","function_id":null,"value_str":"1000","throughput":{"Bytes":8897},"full_id":"scaling/wide_table/1000","directory_name":"scaling_wide_table/1000","title":"scaling/wide_table/1000"}"#;
    const WIDE_TABLE_ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":89843.07531674208,"upper_bound":93414.14900452488},"point_estimate":91365.47194570136,"standard_error":926.0290270015037},"slope":null}"#;
    const WIDE_TABLE_SAMPLE: &str = r#"{"sampling_mode":"Flat","iters":[221.0,221.0,221.0,221.0,221.0,221.0,221.0,221.0,221.0,221.0],"times":[19829544.0,19909512.0,19786900.0,19772429.0,21263725.0,21667062.0,19823354.0,19891445.0,19989961.0,19983761.0]}"#;

    #[track_caller]
    fn check_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() <= expected.abs() * 1e-12,
            "{actual} != {expected}"
        );
    }

    #[test]
    fn linear_sampling_takes_the_slope_and_per_iteration_samples() {
        let ms = parse_benchmark(
            SMALL_CONFIG_CORE_BENCHMARK,
            SMALL_CONFIG_CORE_ESTIMATES,
            SMALL_CONFIG_CORE_SAMPLE,
        )
        .expect("real files parse");
        assert_eq!(ms.len(), 2);
        let wall = &ms[0];
        assert_eq!(wall.bench, "parse/small/config-core");
        assert_eq!(wall.metric, "wall_time_ns");
        assert_eq!(wall.unit, Unit::Nanoseconds);
        assert!(wall.lower_is_better);
        assert_eq!(wall.value, 2969.5877254059073);
        assert_eq!(
            wall.interval,
            Some(Interval {
                lower: 2782.5279151122227,
                upper: 3198.5198593255363,
                confidence: 0.95
            })
        );
        assert_eq!(wall.samples.len(), 10);
        check_close(wall.samples[0], 3616029.0 / 1287.0);
        check_close(wall.samples[9], 43914782.0 / 12870.0);
        assert_eq!(wall.artifact_sha256, None);

        let thrpt = &ms[1];
        assert_eq!(thrpt.bench, "parse/small/config-core");
        assert_eq!(thrpt.metric, "throughput_bytes_per_s");
        assert_eq!(thrpt.unit, Unit::BytesPerSecond);
        assert!(!thrpt.lower_is_better);
        assert!(thrpt.samples.is_empty() && thrpt.interval.is_none());
        check_close(thrpt.value, 1636.0 / (2969.5877254059073e-9));
    }

    #[test]
    fn flat_sampling_takes_the_mean() {
        let ms = parse_benchmark(
            WIDE_TABLE_BENCHMARK,
            WIDE_TABLE_ESTIMATES,
            WIDE_TABLE_SAMPLE,
        )
        .expect("real files parse");
        let wall = &ms[0];
        assert_eq!(wall.bench, "scaling/wide_table/1000");
        assert_eq!(wall.value, 91365.47194570136);
        assert_eq!(
            wall.interval.map(|i| (i.lower, i.upper)),
            Some((89843.07531674208, 93414.14900452488))
        );
        check_close(wall.samples[4], 21263725.0 / 221.0);
        check_close(ms[1].value, 8897.0 / (91365.47194570136e-9));
    }

    #[test]
    fn elements_and_no_throughput() {
        let elements =
            SMALL_CONFIG_CORE_BENCHMARK.replace(r#"{"Bytes":1636}"#, r#"{"Elements":40}"#);
        let ms = parse_benchmark(
            &elements,
            SMALL_CONFIG_CORE_ESTIMATES,
            SMALL_CONFIG_CORE_SAMPLE,
        )
        .expect("parses");
        assert_eq!(ms[1].metric, "throughput_elements_per_s");
        assert_eq!(ms[1].unit, Unit::PerSecond);
        check_close(ms[1].value, 40.0 / (2969.5877254059073e-9));

        let both = SMALL_CONFIG_CORE_BENCHMARK.replace(
            r#"{"Bytes":1636}"#,
            r#"{"ElementsAndBytes":{"elements":40,"bytes":1636}}"#,
        );
        let ms = parse_benchmark(&both, SMALL_CONFIG_CORE_ESTIMATES, SMALL_CONFIG_CORE_SAMPLE)
            .expect("parses");
        let metrics: Vec<&str> = ms.iter().map(|m| m.metric.as_str()).collect();
        assert_eq!(
            metrics,
            [
                "wall_time_ns",
                "throughput_bytes_per_s",
                "throughput_elements_per_s"
            ]
        );

        let none = SMALL_CONFIG_CORE_BENCHMARK.replace(r#"{"Bytes":1636}"#, "null");
        let ms = parse_benchmark(&none, SMALL_CONFIG_CORE_ESTIMATES, SMALL_CONFIG_CORE_SAMPLE)
            .expect("parses");
        assert_eq!(ms.len(), 1);
    }

    #[test]
    fn corrupt_files_name_the_file() {
        let err = parse_benchmark(
            SMALL_CONFIG_CORE_BENCHMARK,
            "{\"mean\":",
            SMALL_CONFIG_CORE_SAMPLE,
        )
        .expect_err("truncated");
        assert_eq!(err.file, File::Estimates);
        assert!(
            err.to_string()
                .starts_with("`estimates.json`: not a criterion estimates file"),
            "{err}"
        );

        let err = parse_benchmark("{}", SMALL_CONFIG_CORE_ESTIMATES, SMALL_CONFIG_CORE_SAMPLE)
            .expect_err("no full_id");
        assert!(err.problem.contains("missing field `full_id`"), "{err}");

        let uneven = r#"{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[5.0]}"#;
        let err = parse_benchmark(
            SMALL_CONFIG_CORE_BENCHMARK,
            SMALL_CONFIG_CORE_ESTIMATES,
            uneven,
        )
        .expect_err("uneven");
        assert_eq!(
            err.to_string(),
            "`sample.json`: 2 iteration counts but 1 times"
        );

        let zero = r#"{"sampling_mode":"Linear","iters":[0.0],"times":[5.0]}"#;
        let err = parse_benchmark(
            SMALL_CONFIG_CORE_BENCHMARK,
            SMALL_CONFIG_CORE_ESTIMATES,
            zero,
        )
        .expect_err("zero iterations");
        assert_eq!(
            err,
            BenchmarkError {
                file: File::Sample,
                problem: "a sample of 0 iterations".into()
            }
        );
    }

    /// Writes one benchmark's files as criterion lays them out: `<home>/<dir>/new/`, plus a
    /// `base/` copy (the default saved baseline) that must be ignored.
    fn write_benchmark(home: &Path, dir: &str, files: [&str; 3]) {
        for baseline in ["new", "base"] {
            let d = home.join(dir).join(baseline);
            fs::create_dir_all(&d).expect("create fixture dir");
            for (file, text) in [File::Benchmark, File::Estimates, File::Sample]
                .iter()
                .zip(files)
            {
                fs::write(d.join(file.name()), text).expect("write fixture");
            }
        }
    }

    #[test]
    fn collect_reads_every_benchmark_sorted_by_id() {
        let home = tempfile::tempdir().expect("temp dir");
        // Written out of order, at two depths, to check the sort and the walk.
        write_benchmark(
            home.path(),
            "scaling_wide_table/1000",
            [
                WIDE_TABLE_BENCHMARK,
                WIDE_TABLE_ESTIMATES,
                WIDE_TABLE_SAMPLE,
            ],
        );
        write_benchmark(
            home.path(),
            "parse_small/toml-table",
            [
                SMALL_TOML_TABLE_BENCHMARK,
                SMALL_TOML_TABLE_ESTIMATES,
                SMALL_TOML_TABLE_SAMPLE,
            ],
        );
        write_benchmark(
            home.path(),
            "parse_small/config-core",
            [
                SMALL_CONFIG_CORE_BENCHMARK,
                SMALL_CONFIG_CORE_ESTIMATES,
                SMALL_CONFIG_CORE_SAMPLE,
            ],
        );
        fs::write(home.path().join("parse_small").join("stray.json"), "{")
            .expect("write stray file");

        let ms = collect(home.path(), Some("ab12")).expect("collects");
        let keys: Vec<(&str, &str)> = ms
            .iter()
            .map(|m| (m.bench.as_str(), m.metric.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("parse/small/config-core", "throughput_bytes_per_s"),
                ("parse/small/config-core", "wall_time_ns"),
                ("parse/small/toml-table", "throughput_bytes_per_s"),
                ("parse/small/toml-table", "wall_time_ns"),
                ("scaling/wide_table/1000", "throughput_bytes_per_s"),
                ("scaling/wide_table/1000", "wall_time_ns"),
            ]
        );
        assert!(
            ms.iter()
                .all(|m| m.artifact_sha256.as_deref() == Some("ab12"))
        );
        assert_eq!(ms[3].value, 24992.336507936507);
        assert_eq!(
            ms,
            collect(home.path(), Some("ab12")).expect("collects again")
        );
    }

    #[test]
    fn collect_reports_a_missing_or_corrupt_file_by_path() {
        let home = tempfile::tempdir().expect("temp dir");
        write_benchmark(
            home.path(),
            "parse_small/config-core",
            [SMALL_CONFIG_CORE_BENCHMARK, "[", SMALL_CONFIG_CORE_SAMPLE],
        );
        let new_dir = home.path().join("parse_small/config-core/new");
        match collect(home.path(), None) {
            Err(Error::ToolOutput {
                tool,
                path,
                message,
            }) => {
                assert_eq!(tool, "criterion");
                assert_eq!(path, new_dir.join("estimates.json"));
                assert!(
                    message.starts_with("not a criterion estimates file"),
                    "{message}"
                );
            }
            other => panic!("expected a tool output error, got {other:?}"),
        }

        fs::remove_file(new_dir.join("sample.json")).expect("remove fixture");
        match collect(home.path(), None) {
            Err(Error::ToolOutput { path, .. }) => assert_eq!(path, new_dir.join("sample.json")),
            other => panic!("expected a tool output error, got {other:?}"),
        }
    }

    #[test]
    fn collect_of_an_empty_home_is_empty_and_of_no_home_an_io_error() {
        let home = tempfile::tempdir().expect("temp dir");
        assert_eq!(collect(home.path(), None).expect("empty"), Vec::new());
        let missing = home.path().join("absent");
        assert!(matches!(
            collect(&missing, None),
            Err(Error::Io { action: "list", .. })
        ));
    }
}
