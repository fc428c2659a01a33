//! A baseline in the formats of the field's dashboards, so a team can feed what it already
//! runs: Bencher's Metric Format (BMF) and github-action-benchmark's `customSmallerIsBetter`.
//! Pure: a baseline in, JSON out.
//!
//! - **BMF** (bencher.dev, "Bencher Metric Format"): an object whose keys are benchmark names,
//!   each an object whose keys are measure slugs, each `{ "value", "lower_value"?,
//!   "upper_value"? }`. The benchmark name is `<profile>/<bench>`. Wall time is Bencher's
//!   built-in `latency` (ns), throughput `throughput`, binary size `file-size` (bytes), build
//!   time `build-time` (s); every other metric becomes the kebab-case of its name
//!   (`instructions`, `allocations-count`, `startup-wall-ns`...), which Bencher creates on first
//!   use. `lower_value`/`upper_value` are the recorded confidence interval, when there is one.
//! - **github-action-benchmark** (`tool: customSmallerIsBetter`): an array of `{ "name",
//!   "unit", "value", "range"?, "extra"? }`. The name is `<profile>/<bench> (<metric>)`, the
//!   range `± half the interval`, the extra the commit. Series where bigger is better
//!   (throughput) are left out: the format says smaller is better, and the same bench's wall
//!   time is there.

use serde_json::{Map, Value, json};

use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::store::Baseline;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Bencher Metric Format.
    Bmf,
    /// github-action-benchmark's `customSmallerIsBetter` JSON.
    GithubActionBenchmark,
}

/// The baseline in `format`.
pub fn export(baseline: &Baseline, format: ExportFormat) -> Value {
    match format {
        ExportFormat::Bmf => bmf(baseline),
        ExportFormat::GithubActionBenchmark => github_action_benchmark(baseline),
    }
}

/// Bencher's measure slug of a metric.
fn measure_slug(metric: &Metric) -> String {
    match metric {
        Metric::WallTime => "latency".to_string(),
        Metric::Throughput(_) => "throughput".to_string(),
        Metric::BinarySize => "file-size".to_string(),
        Metric::BuildWall => "build-time".to_string(),
        other => other.as_str().replace('_', "-"),
    }
}

fn bmf(baseline: &Baseline) -> Value {
    let mut out = Map::new();
    for (profile, run) in &baseline.profiles {
        for m in &run.measurements {
            let name = format!("{profile}/{}", m.bench);
            let entry = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
            let mut metric = json!({ "value": m.value });
            if let Some(i) = &m.interval {
                metric["lower_value"] = json!(i.lower);
                metric["upper_value"] = json!(i.upper);
            }
            if let Value::Object(measures) = entry {
                measures.insert(measure_slug(&m.metric), metric);
            }
        }
    }
    Value::Object(out)
}

/// The unit text of github-action-benchmark entries.
fn unit_text(unit: Unit) -> &'static str {
    match unit {
        Unit::Nanoseconds => "ns",
        Unit::Seconds => "s",
        Unit::Instructions => "instructions",
        Unit::Events => "events",
        Unit::Bytes => "bytes",
        Unit::Count => "count",
        Unit::Ratio => "ratio",
        Unit::BytesPerSecond => "bytes/s",
        Unit::PerSecond => "1/s",
    }
}

fn github_action_benchmark(baseline: &Baseline) -> Value {
    let mut out = Vec::new();
    for (profile, run) in &baseline.profiles {
        for m in run.measurements.iter().filter(|m| m.lower_is_better) {
            out.push(entry(profile, m, &baseline.commit.sha));
        }
    }
    Value::Array(out)
}

fn entry(profile: &str, m: &Measurement, sha: &str) -> Value {
    let mut e = json!({
        "name": format!("{profile}/{} ({})", m.bench, m.metric),
        "unit": unit_text(m.unit),
        "value": m.value,
        "extra": format!("commit {sha}"),
    });
    if let Some(i) = &m.interval {
        e["range"] = json!(format!("± {}", (i.upper - i.lower) / 2.0));
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Baseline {
        let doc = include_str!("../../../docs/baseline-schema.md");
        let start = doc.find("```json\n").expect("a json block") + 8;
        let end = start + doc[start..].find("\n```").expect("its end");
        serde_json::from_str(&doc[start..end]).expect("the example is a baseline")
    }

    /// The shape of BMF as bencher.dev's JSON schema (bmf.json) gives it: an object of objects
    /// of objects with a required number `value` and optional numbers `lower_value` and
    /// `upper_value`, nothing else.
    fn is_bmf(v: &Value) -> bool {
        v.as_object().is_some_and(|benches| {
            benches.values().all(|measures| {
                measures.as_object().is_some_and(|measures| {
                    measures.values().all(|metric| {
                        metric.as_object().is_some_and(|m| {
                            m.get("value").is_some_and(Value::is_number)
                                && m.iter().all(|(k, v)| {
                                    ["value", "lower_value", "upper_value"].contains(&k.as_str())
                                        && v.is_number()
                                })
                        })
                    })
                })
            })
        })
    }

    #[test]
    fn bmf_has_benchmarks_measures_and_bounds() {
        let b = example();
        let out = export(&b, ExportFormat::Bmf);
        assert!(is_bmf(&out), "{out:#}");
        let wall = &out["release/parse/medium/config-core"]["latency"];
        assert_eq!(wall["value"], json!(21851.2));
        assert!(wall["lower_value"].as_f64().expect("a bound") < 21851.2);
        assert!(wall["upper_value"].as_f64().expect("a bound") > 21851.2);
        assert_eq!(
            out["release/parse/medium/config-core"]["throughput"]["value"],
            json!(800871348.0)
        );
        assert_eq!(
            out["pgo/iai::parse::config_core.medium"]["instructions"]["value"],
            json!(1714186.0)
        );
        assert_eq!(
            out["release/binary/toml-test-decoder"]["file-size"]["value"],
            json!(611760.0)
        );
        assert!(out["release/binary/toml-test-decoder"]["stripped-size-bytes"].is_object());
        assert!(out["release/build/config-core"]["build-time"].is_object());
        // One measure per metric: no two metrics of a bench share a slug.
        let measures: usize = out
            .as_object()
            .expect("an object")
            .values()
            .map(|m| m.as_object().map_or(0, Map::len))
            .sum();
        let series: usize = b.profiles.values().map(|r| r.measurements.len()).sum();
        assert_eq!(measures, series);
    }

    #[test]
    fn github_action_benchmark_entries_are_smaller_is_better() {
        let b = example();
        let out = export(&b, ExportFormat::GithubActionBenchmark);
        let entries = out.as_array().expect("an array");
        for e in entries {
            assert!(e["name"].is_string() && e["unit"].is_string() && e["value"].is_number());
            assert!(e.get("range").is_none_or(Value::is_string));
            assert!(e["extra"].as_str().expect("extra").starts_with("commit "));
        }
        let throughput = entries
            .iter()
            .filter(|e| e["name"].as_str().is_some_and(|n| n.contains("throughput")))
            .count();
        assert_eq!(throughput, 0, "bigger-is-better series are left out");
        let wall = entries
            .iter()
            .find(|e| e["name"] == "release/parse/medium/config-core (wall_time_ns)")
            .expect("the wall time");
        assert_eq!(wall["unit"], "ns");
        assert!(wall["range"].as_str().expect("a range").starts_with("± "));
        let lower: usize = b
            .profiles
            .values()
            .map(|r| r.measurements.iter().filter(|m| m.lower_is_better).count())
            .sum();
        assert_eq!(entries.len(), lower);
    }
}
