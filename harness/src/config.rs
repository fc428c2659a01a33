//! `perfgate.toml`: the defaults of a repository (target, profiles, benches, PGO training,
//! start-up command, gate threshold), read with config-core and checked key by key.
//!
//! This module reads one file and returns data; turning it and the command line into a run is
//! `plan`'s job. Unknown keys are errors, so a typo cannot silently fall back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use config_core::{Table, Value};

use crate::error::{Error, Result};

/// The name of the config file at the repository root.
pub const FILE_NAME: &str = "perfgate.toml";

/// The most paired profile rounds a run may ask for (`[run] profile_rounds`,
/// `perfgate run --profile-rounds`).
pub const MAX_PROFILE_ROUNDS: usize = 1000;

/// The settings of `perfgate.toml`; every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// `[target] path`: the target crate's directory, relative to the repository root.
    pub target_path: Option<PathBuf>,
    /// `[target] benches`: the bench targets to run (all criterion/iai benches if absent).
    pub benches: Option<Vec<String>>,
    /// `[target] quick_benches`: the bench targets to run in quick mode (else `benches`).
    pub quick_benches: Option<Vec<String>>,
    /// `[target] filter`: the benchmarks a criterion or divan bench target runs, the filter
    /// argument both harnesses take (a regular expression on the benchmark's id).
    pub filter: Option<String>,
    /// `[target] features`: features every build enables, beside the default ones.
    pub features: Option<Vec<String>>,
    /// `[target] all_features`: every build enables every feature.
    pub all_features: Option<bool>,
    /// `[target] packages`: the workspace members to measure (default: the package at
    /// `path`, or every member with benches when `path` is a virtual workspace).
    pub packages: Option<Vec<String>>,
    /// `[run] profiles`: the profiles to build.
    pub profiles: Option<Vec<String>>,
    /// `[run] baselines`: the baseline directory, relative to the repository root.
    pub baselines: Option<PathBuf>,
    /// `[run] build_time_samples`: clean builds per profile in full mode.
    pub build_time_samples: Option<usize>,
    /// `[run] jobs`: `CARGO_BUILD_JOBS` of `release-consistent`.
    pub jobs: Option<usize>,
    /// `[run] bench_timeout_s`: how long one bench target may run before it is stopped.
    pub bench_timeout_s: Option<usize>,
    /// `[run] profile_rounds`: paired rounds of every profile's wall-time units against
    /// release's after the profiles are measured (at most [`MAX_PROFILE_ROUNDS`]).
    pub profile_rounds: Option<usize>,
    /// `[run] reuse`: take over identical steps' measurements from an earlier commit
    /// (default true).
    pub reuse: Option<bool>,
    /// `[run] always_measure`: bench targets never taken over from an earlier commit.
    pub always_measure: Option<Vec<String>>,
    /// `[run.inputs]`: bench target → files and folders (relative to the target crate) its
    /// measurements depend on besides its executable, hashed into its reuse key.
    pub inputs: BTreeMap<String, Vec<PathBuf>>,
    /// `[pgo] train`: the training command (argv); absent: the crate's benches, quick.
    pub pgo_train: Option<Vec<String>>,
    /// `[startup] binary`: the target binary whose start-up is timed.
    pub startup_binary: Option<String>,
    /// `[startup] args`.
    pub startup_args: Option<Vec<String>>,
    /// `[startup] stdin`: a file fed on stdin, relative to the target crate.
    pub startup_stdin: Option<PathBuf>,
    /// `[startup] runs`: processes in full mode.
    pub startup_runs: Option<usize>,
    /// `[startup] quick_runs`: processes in quick mode.
    pub startup_quick_runs: Option<usize>,
    /// `[gate] threshold_pct`: the regression threshold in percent.
    pub threshold_pct: Option<f64>,
    /// `[gate] alpha`: the false discovery rate of the noisy family.
    pub alpha: Option<f64>,
    /// `[gate.metrics]`: metric name → threshold in percent.
    pub gate_metrics: BTreeMap<String, f64>,
    /// `[gate.benches]`: bench glob → threshold in percent.
    pub gate_benches: BTreeMap<String, f64>,
    /// `[[ignore]]`: series dropped from the gate.
    pub ignore: Vec<SeriesRule>,
    /// `[[acknowledge]]`: regressions accepted, still shown.
    pub acknowledge: Vec<SeriesRule>,
    /// `[[budget]]`: absolute limits checked on the head.
    pub budgets: Vec<BudgetRule>,
}

/// An `[[ignore]]` or `[[acknowledge]]` entry: which series, why, and until which commit.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRule {
    /// A bench id glob (`*` matches any run of characters).
    pub bench: String,
    /// The metric, if only one.
    pub metric: Option<String>,
    /// The profile, if only one.
    pub profile: Option<String>,
    /// Why (required).
    pub reason: String,
    /// The commit (sha or prefix) from which on the entry no longer applies.
    pub until: Option<String>,
}

/// A `[[budget]]` entry: an absolute limit on one series of the head.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetRule {
    /// The bench id.
    pub bench: String,
    /// The metric.
    pub metric: String,
    /// The profile (default: every profile measured).
    pub profile: Option<String>,
    /// The largest value allowed, in the metric's unit.
    pub max: f64,
}

impl Config {
    /// Reads `path`; a missing file is the default config.
    pub fn load(path: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(Error::Io {
                    action: "read",
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Config::parse(&text, path)
    }

    /// Parses the text of a config file (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let doc = config_core::parse(text).map_err(|e| Error::ConfigSyntax {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let reader = Reader { path };
        let mut config = Config::default();
        for (section, value) in doc.root().iter() {
            match section.as_str() {
                "target" => reader.fields(reader.table("target", value)?, "target", |key, v| {
                    match key {
                        "path" => config.target_path = Some(reader.string(key, v)?.into()),
                        "benches" => config.benches = Some(reader.strings(key, v)?),
                        "quick_benches" => config.quick_benches = Some(reader.strings(key, v)?),
                        "filter" => config.filter = Some(reader.string(key, v)?),
                        "features" => config.features = Some(reader.strings(key, v)?),
                        "all_features" => config.all_features = Some(reader.boolean(key, v)?),
                        "packages" => config.packages = Some(reader.strings(key, v)?),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?,
                "run" => reader.fields(reader.table("run", value)?, "run", |key, v| {
                    match key {
                        "profiles" => config.profiles = Some(reader.strings(key, v)?),
                        "baselines" => config.baselines = Some(reader.string(key, v)?.into()),
                        "build_time_samples" => {
                            config.build_time_samples = Some(reader.count(key, v)?)
                        }
                        "jobs" => config.jobs = Some(reader.count(key, v)?),
                        "bench_timeout_s" => config.bench_timeout_s = Some(reader.count(key, v)?),
                        "profile_rounds" => match reader.count(key, v)? {
                            n if n <= MAX_PROFILE_ROUNDS => config.profile_rounds = Some(n),
                            _ => {
                                return Err(reader
                                    .invalid(key, "must be a number of rounds from 1 to 1000"));
                            }
                        },
                        "reuse" => config.reuse = Some(reader.boolean(key, v)?),
                        "always_measure" => config.always_measure = Some(reader.strings(key, v)?),
                        "inputs" => {
                            for (bench, paths) in reader.table(key, v)?.iter() {
                                let full = format!("{key}.{}", bench.as_str());
                                let paths = reader.strings(&full, paths)?;
                                config.inputs.insert(
                                    bench.as_str().to_string(),
                                    paths.into_iter().map(PathBuf::from).collect(),
                                );
                            }
                        }
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?,
                "pgo" => reader.fields(reader.table("pgo", value)?, "pgo", |key, v| {
                    match key {
                        "train" => config.pgo_train = Some(reader.strings(key, v)?),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?,
                "startup" => {
                    reader.fields(reader.table("startup", value)?, "startup", |key, v| {
                        match key {
                            "binary" => config.startup_binary = Some(reader.string(key, v)?),
                            "args" => config.startup_args = Some(reader.strings(key, v)?),
                            "stdin" => config.startup_stdin = Some(reader.string(key, v)?.into()),
                            "runs" => config.startup_runs = Some(reader.count(key, v)?),
                            "quick_runs" => config.startup_quick_runs = Some(reader.count(key, v)?),
                            _ => return Ok(false),
                        }
                        Ok(true)
                    })?
                }
                "gate" => reader.fields(reader.table("gate", value)?, "gate", |key, v| {
                    match key {
                        "threshold_pct" => config.threshold_pct = Some(reader.percent(key, v)?),
                        "alpha" => config.alpha = Some(reader.fraction(key, v)?),
                        "metrics" => config.gate_metrics = reader.percents(key, v)?,
                        "benches" => config.gate_benches = reader.percents(key, v)?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?,
                "ignore" | "acknowledge" => {
                    let rules = reader.series_rules(section.as_str(), value)?;
                    if section.as_str() == "ignore" {
                        config.ignore = rules;
                    } else {
                        config.acknowledge = rules;
                    }
                }
                "budget" => config.budgets = reader.budgets(value)?,
                other => {
                    return Err(reader.invalid(
                        other,
                        "is not a section of perfgate.toml; the sections are `[target]`, `[run]`, `[pgo]`, `[startup]`, `[gate]`, `[[ignore]]`, `[[acknowledge]]`, `[[budget]]`",
                    ));
                }
            }
        }
        Ok(config)
    }
}

/// Reads typed values out of the document, naming the file and key in every error.
struct Reader<'p> {
    path: &'p Path,
}

impl Reader<'_> {
    fn invalid(&self, key: &str, problem: &str) -> Error {
        Error::ConfigInvalid {
            path: self.path.to_path_buf(),
            key: key.to_string(),
            problem: problem.to_string(),
        }
    }

    fn table<'d, 'a>(&self, key: &str, value: Value<'d, 'a>) -> Result<Table<'d, 'a>> {
        value.as_table().ok_or_else(|| {
            self.invalid(
                key,
                &format!("must be a table, found {}", value.type_name()),
            )
        })
    }

    /// Calls `field` for every key of `[section]`; a key it does not take is an error.
    fn fields<'d, 'a>(
        &self,
        table: Table<'d, 'a>,
        section: &str,
        mut field: impl FnMut(&str, Value<'d, 'a>) -> Result<bool>,
    ) -> Result<()> {
        for (key, value) in table.iter() {
            let known = field(key.as_str(), value).map_err(|e| match e {
                Error::ConfigInvalid { path, key, problem } => Error::ConfigInvalid {
                    path,
                    key: format!("{section}.{key}"),
                    problem,
                },
                other => other,
            })?;
            if !known {
                return Err(self.invalid(
                    &format!("{section}.{}", key.as_str()),
                    "is not a setting perfgate knows; see the README's perfgate.toml section",
                ));
            }
        }
        Ok(())
    }

    fn string(&self, key: &str, value: Value) -> Result<String> {
        value.as_str().map(str::to_string).ok_or_else(|| {
            self.invalid(
                key,
                &format!("must be a string, found {}", value.type_name()),
            )
        })
    }

    fn strings(&self, key: &str, value: Value) -> Result<Vec<String>> {
        let array = value.as_array().ok_or_else(|| {
            self.invalid(
                key,
                &format!("must be an array of strings, found {}", value.type_name()),
            )
        })?;
        array.iter().map(|v| self.string(key, v)).collect()
    }

    fn boolean(&self, key: &str, value: Value) -> Result<bool> {
        value.as_bool().ok_or_else(|| {
            self.invalid(
                key,
                &format!("must be `true` or `false`, found {}", value.type_name()),
            )
        })
    }

    fn fraction(&self, key: &str, value: Value) -> Result<f64> {
        match value.as_float() {
            Some(a) if a > 0.0 && a < 1.0 => Ok(a),
            _ => Err(self.invalid(key, "must be a number between 0 and 1, e.g. 0.05")),
        }
    }

    fn number(&self, key: &str, value: Value) -> Result<f64> {
        value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64))
            .filter(|n| n.is_finite())
            .ok_or_else(|| {
                self.invalid(
                    key,
                    &format!("must be a number, found {}", value.type_name()),
                )
            })
    }

    /// A table of `name = percent` pairs.
    fn percents(&self, key: &str, value: Value) -> Result<BTreeMap<String, f64>> {
        let table = self.table(key, value)?;
        table
            .iter()
            .map(|(k, v)| {
                let full = format!("{key}.{}", k.as_str());
                Ok((k.as_str().to_string(), self.percent(&full, v)?))
            })
            .collect()
    }

    /// The tables of an array of tables `[[section]]`.
    fn entries<'d, 'a>(&self, section: &str, value: Value<'d, 'a>) -> Result<Vec<Table<'d, 'a>>> {
        let array = value.as_array().ok_or_else(|| {
            self.invalid(
                section,
                &format!(
                    "must be written `[[{section}]]`, found {}",
                    value.type_name()
                ),
            )
        })?;
        array
            .iter()
            .enumerate()
            .map(|(i, v)| self.table(&format!("{section}[{i}]"), v))
            .collect()
    }

    fn series_rules(&self, section: &str, value: Value) -> Result<Vec<SeriesRule>> {
        let mut rules = Vec::new();
        for (i, table) in self.entries(section, value)?.into_iter().enumerate() {
            let at = format!("{section}[{i}]");
            let (mut bench, mut metric, mut profile, mut reason, mut until) =
                (None, None, None, None, None);
            self.fields(table, &at, |key, v| {
                match key {
                    "bench" => bench = Some(self.string(key, v)?),
                    "metric" => metric = Some(self.string(key, v)?),
                    "profile" => profile = Some(self.string(key, v)?),
                    "reason" => reason = Some(self.string(key, v)?),
                    "until" => until = Some(self.string(key, v)?),
                    _ => return Ok(false),
                }
                Ok(true)
            })?;
            let (Some(bench), Some(reason)) = (bench, reason) else {
                return Err(self.invalid(&at, "needs `bench` and `reason`"));
            };
            rules.push(SeriesRule {
                bench,
                metric,
                profile,
                reason,
                until,
            });
        }
        Ok(rules)
    }

    fn budgets(&self, value: Value) -> Result<Vec<BudgetRule>> {
        let mut budgets = Vec::new();
        for (i, table) in self.entries("budget", value)?.into_iter().enumerate() {
            let at = format!("budget[{i}]");
            let (mut bench, mut metric, mut profile, mut max) = (None, None, None, None);
            self.fields(table, &at, |key, v| {
                match key {
                    "bench" => bench = Some(self.string(key, v)?),
                    "metric" => metric = Some(self.string(key, v)?),
                    "profile" => profile = Some(self.string(key, v)?),
                    "max" => max = Some(self.number(key, v)?),
                    _ => return Ok(false),
                }
                Ok(true)
            })?;
            let (Some(bench), Some(metric), Some(max)) = (bench, metric, max) else {
                return Err(self.invalid(&at, "needs `bench`, `metric` and `max`"));
            };
            budgets.push(BudgetRule {
                bench,
                metric,
                profile,
                max,
            });
        }
        Ok(budgets)
    }

    fn count(&self, key: &str, value: Value) -> Result<usize> {
        match value.as_integer() {
            Some(n) if n >= 1 => Ok(n as usize),
            _ => Err(self.invalid(key, "must be a positive integer")),
        }
    }

    fn percent(&self, key: &str, value: Value) -> Result<f64> {
        let pct = value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64));
        match pct {
            Some(p) if p > 0.0 && p.is_finite() => Ok(p),
            _ => Err(self.invalid(key, "must be a positive number of percent, e.g. 10")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("perfgate.toml"))
    }

    #[test]
    fn every_setting_is_read() {
        let config = parse(
            r#"
[target]
path = "targets/config-core"
benches = ["parse", "iai"]
quick_benches = ["iai"]
filter = "/config-core$"
[run]
profiles = ["release", "pgo"]
baselines = "baselines"
build_time_samples = 3
jobs = 2
profile_rounds = 8
reuse = false
always_measure = ["fscheck"]
[run.inputs]
parse = ["benches/data", "Cargo.toml"]
[pgo]
train = ["bench"]
[startup]
binary = "toml-test-decoder"
args = ["-q"]
stdin = "benches/data/small.toml"
runs = 200
quick_runs = 20
[gate]
threshold_pct = 10
alpha = 0.05
metrics = { instructions = 5 }
[gate.benches]
"parse/large/*" = 15
[[ignore]]
bench = "parse/*/toml-table"
reason = "a rival, shown for reference"
[[acknowledge]]
bench = "startup/*"
metric = "startup_wall_ns"
reason = "slower start for a new feature"
until = "abc1234"
[[budget]]
bench = "parse/medium/config-core"
metric = "wall_time_ns"
profile = "release"
max = 5e6
"#,
        )
        .expect("valid");
        assert_eq!(
            config.target_path,
            Some(PathBuf::from("targets/config-core"))
        );
        assert_eq!(config.quick_benches, Some(vec!["iai".to_string()]));
        assert_eq!(config.filter.as_deref(), Some("/config-core$"));
        assert_eq!(config.profiles.as_deref().map(|p| p.len()), Some(2));
        assert_eq!(config.startup_runs, Some(200));
        assert_eq!(config.profile_rounds, Some(8));
        assert_eq!(config.reuse, Some(false));
        assert_eq!(config.always_measure, Some(vec!["fscheck".to_string()]));
        assert_eq!(
            config.inputs.get("parse"),
            Some(&vec![
                PathBuf::from("benches/data"),
                PathBuf::from("Cargo.toml")
            ])
        );
        assert_eq!(config.threshold_pct, Some(10.0));
        assert_eq!(config.gate_metrics.get("instructions"), Some(&5.0));
        assert_eq!(config.gate_benches.get("parse/large/*"), Some(&15.0));
        assert_eq!(config.ignore.len(), 1);
        assert_eq!(config.acknowledge[0].until.as_deref(), Some("abc1234"));
        assert_eq!(config.budgets[0].max, 5e6);
    }

    #[test]
    fn rules_need_their_required_keys() {
        let err = parse(
            "[[ignore]]
bench = \"x\"\n",
        )
        .expect_err("no reason");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `ignore[0]` needs `bench` and `reason`"
        );
        let err = parse("[[budget]]\nbench = \"x\"\nmetric = \"m\"\nmax = \"big\"\n")
            .expect_err("bad max");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `budget[0].max` must be a number, found string"
        );
    }

    #[test]
    fn bad_config_names_file_and_key() {
        let err = parse("[run]\nprofile = [\"release\"]\n").expect_err("unknown key");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `run.profile` is not a setting perfgate knows; see the README's perfgate.toml section"
        );
        let err = parse("[startup]\nruns = 0\n").expect_err("bad count");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `startup.runs` must be a positive integer"
        );
        let err = parse("[run]\nprofile_rounds = 1001\n").expect_err("too many rounds");
        assert_eq!(
            err.to_string(),
            "`perfgate.toml`: `run.profile_rounds` must be a number of rounds from 1 to 1000"
        );
        let err = parse("[run\n").expect_err("syntax");
        assert!(
            err.to_string()
                .starts_with("`perfgate.toml` is not valid TOML"),
            "{err}"
        );
        assert!(err.to_string().contains("line 1, column 5"), "{err}");
    }
}
