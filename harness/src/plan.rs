//! The plan of a run: the command line and `perfgate.toml` turned into validated settings
//! before anything is built, so a mistyped profile fails in milliseconds, not after a PGO
//! build. Reads nothing but what it is given and the existence of the target's Cargo.toml.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::profile::Profile;

/// How long criterion samples each benchmark: perfgate's settings, which [`Sampling::args`]
/// writes in the options of the criterion version a bench uses. `None` keeps criterion's own
/// default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampling {
    /// `--warm-up-time`, seconds.
    pub warm_up_s: Option<f64>,
    /// `--measurement-time`, seconds.
    pub measurement_s: Option<f64>,
    /// `--sample-size` (criterion panics below 10).
    pub sample_size: Option<u32>,
    /// `--nresamples` of criterion's bootstrap.
    pub nresamples: Option<u32>,
}

impl Sampling {
    /// Criterion's defaults (full mode).
    pub const DEFAULT: Sampling = Sampling {
        warm_up_s: None,
        measurement_s: None,
        sample_size: None,
        nresamples: None,
    };

    /// Quick mode: ten samples after a short warm-up.
    pub const QUICK: Sampling = Sampling {
        warm_up_s: Some(0.2),
        measurement_s: Some(0.5),
        sample_size: Some(10),
        nresamples: None,
    };

    /// The harness options for criterion `version` (major, minor, as locked; `None`: a
    /// current one), `--noplot` always. criterion before 0.4 reads `--warm-up-time` and
    /// `--measurement-time` as whole seconds ("The argument '0.2' isn't a valid value"), so
    /// for it a time is rounded up to the next whole second.
    pub fn args(&self, version: Option<(u64, u64)>) -> Vec<String> {
        let whole_seconds = version.is_some_and(|v| v < (0, 4));
        let seconds = |s: f64| {
            if whole_seconds {
                format!("{}", s.ceil().max(1.0) as u64)
            } else {
                format!("{s}")
            }
        };
        let mut args = Vec::new();
        if let Some(s) = self.warm_up_s {
            args.extend(["--warm-up-time".to_string(), seconds(s)]);
        }
        if let Some(s) = self.measurement_s {
            args.extend(["--measurement-time".to_string(), seconds(s)]);
        }
        if let Some(n) = self.sample_size {
            args.extend(["--sample-size".to_string(), n.to_string()]);
        }
        if let Some(n) = self.nresamples {
            args.extend(["--nresamples".to_string(), n.to_string()]);
        }
        args.push("--noplot".to_string());
        args
    }
}

/// The features every build of the target enables (`[target] features`, `all_features`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// Features to enable beside the default ones.
    pub enable: Vec<String>,
    /// Every feature (`--all-features`).
    pub all: bool,
}

impl Features {
    /// The features of package `package` among them, for a target of several packages:
    /// `package/feature` entries as `feature`, plain entries as they are, other packages'
    /// left out.
    pub fn of_package(&self, package: &str) -> Features {
        let enable = self
            .enable
            .iter()
            .filter_map(|f| match f.split_once('/') {
                Some((p, feature)) if p == package => Some(feature.to_string()),
                Some(_) => None,
                None => Some(f.clone()),
            })
            .collect();
        Features {
            enable,
            all: self.all,
        }
    }

    /// The cargo arguments that enable them.
    pub fn cargo_args(&self) -> Vec<String> {
        if self.all {
            vec!["--all-features".to_string()]
        } else if self.enable.is_empty() {
            Vec::new()
        } else {
            vec!["--features".to_string(), self.enable.join(",")]
        }
    }
}

/// Start-up runs in full and quick mode, unless configured.
pub const STARTUP_RUNS: (usize, usize) = (200, 20);
/// Clean builds per profile for build time in full mode, unless configured (quick: 1).
pub const BUILD_TIME_SAMPLES: usize = 3;
/// The gate threshold in percent, unless configured.
pub const THRESHOLD_PCT: f64 = 10.0;

/// What trains the PGO profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Training {
    /// The crate's criterion benches, in quick mode, on the instrumented build.
    Benches,
    /// A command (argv), run from the target crate's directory with the instrumented
    /// binaries' directory in `PERFGATE_BIN_DIR`.
    Command(Vec<String>),
}

/// The start-up measurement: a binary of the target, its arguments and input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Startup {
    /// The target's binary (a `[[bin]]` name).
    pub binary: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// A file fed on stdin, relative to the target crate's directory.
    pub stdin: Option<PathBuf>,
    /// How many processes to time (one sample each).
    pub runs: usize,
}

/// What a caller asks to measure: the request that, with perfgate.toml and the repository,
/// becomes a [`Plan`]. `perfgate run` makes it from its arguments; `compare --run`, `explain`
/// and `bisect` make their own.
#[derive(Clone, Debug, Default)]
pub struct MeasureRequest {
    /// The target crate's directory, relative to the working directory.
    pub target: Option<PathBuf>,
    /// The target's `Cargo.toml`, relative to the working directory.
    pub manifest_path: Option<PathBuf>,
    /// The profiles, comma-separated (`release,pgo`); `None` takes the config's, else all.
    pub profiles: Option<String>,
    /// Quick mode.
    pub quick: bool,
    /// The commit to measure, if not HEAD.
    pub rev: Option<String>,
    /// The baseline directory, relative to the working directory.
    pub baselines: Option<PathBuf>,
    /// Accept a dirty work tree.
    pub allow_dirty: bool,
    /// Store the baseline as a part (`run --partial`).
    pub partial: bool,
    /// Paired rounds of each profile against release (`run --profile-rounds`); `None` takes
    /// the config's, else none.
    pub profile_rounds: Option<usize>,
    /// Take over the measurements of steps whose inputs are identical in an earlier commit's
    /// baseline (`perfgate run`, unless `--no-reuse` or `[run] reuse = false`).
    pub reuse: bool,
    /// Measure only this shard of each profile's units (`run --shard K/N`).
    pub shard: Option<crate::shard::Shard>,
}

/// Everything a run needs to know, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The repository root (where perfgate.toml and the baselines live).
    pub repo_root: PathBuf,
    /// The target crate's directory, relative to the repository root when inside it.
    pub target_dir: PathBuf,
    /// The profiles to build, in order.
    pub profiles: Vec<Profile>,
    /// Quick mode.
    pub quick: bool,
    /// The commit to measure, if not HEAD.
    pub rev: Option<String>,
    /// The baseline directory.
    pub baselines_dir: PathBuf,
    /// Accept a dirty work tree.
    pub allow_dirty: bool,
    /// Store the baseline as a part (`run --partial`).
    pub partial: bool,
    /// The bench targets to run; `None` runs every bench perfgate can measure.
    pub benches: Option<Vec<String>>,
    /// The benchmarks of a criterion or divan target to run (`[target] filter`); `None`, all.
    pub filter: Option<String>,
    /// The features every build enables.
    pub features: Features,
    /// The workspace members to measure (`[target] packages`; empty: see
    /// [`crate::builds::inspect`]).
    pub packages: Vec<String>,
    /// The PGO training workload.
    pub training: Training,
    /// The start-up measurement, if configured.
    pub startup: Option<Startup>,
    /// Clean builds per profile for build time.
    pub build_time_samples: usize,
    /// `CARGO_BUILD_JOBS` for `release-consistent`.
    pub jobs: usize,
    /// How criterion samples every criterion bench.
    pub criterion: Sampling,
    /// The gate threshold in percent (used by compare).
    pub threshold_pct: f64,
    /// How long one bench target (one process of it) may run before it is stopped.
    pub bench_timeout: std::time::Duration,
    /// Paired rounds of every other profile's wall-time units against release's once the
    /// profiles are measured; 0: none (`docs/report.md`, the profile matrix).
    pub profile_rounds: usize,
    /// More `--config` values for every build (`explain` adds line tables, which change no
    /// code, so callgrind can name files and lines).
    pub extra_cargo_config: Vec<String>,
    /// Take over identical steps' measurements from an earlier commit
    /// ([`crate::pipeline::reuse`]).
    pub reuse: bool,
    /// Bench target → files and folders (relative to the target crate) its measurements
    /// depend on besides its executable (`[run.inputs]`), hashed into its reuse key.
    pub inputs: std::collections::BTreeMap<String, Vec<PathBuf>>,
    /// Bench targets never taken over, always measured (`[run] always_measure`).
    pub always_measure: Vec<String>,
    /// The shard of each profile's units to measure (`run --shard K/N`).
    pub shard: Option<crate::shard::Shard>,
}

/// The default limit of one bench target's run, in seconds (`[run] bench_timeout_s`): an hour,
/// far above any bench meant for a gate, so only a hang reaches it.
pub const BENCH_TIMEOUT_S: usize = 3600;

impl Plan {
    /// Builds the plan of `perfgate run` from its arguments, the config and the repository
    /// root. `cwd` resolves relative paths given on the command line.
    pub fn new(
        args: &MeasureRequest,
        config: Config,
        repo_root: &Path,
        cwd: &Path,
    ) -> Result<Plan> {
        let profiles = match (&args.profiles, &config.profiles) {
            (Some(list), _) => Profile::parse_list(list)?,
            (None, Some(names)) => Profile::parse_list(&names.join(","))?,
            (None, None) => Profile::ALL.to_vec(),
        };
        if profiles.is_empty() {
            return Err(Error::UnknownProfile {
                name: String::new(),
                known: "`release`, `release-lto`, `release-consistent`, `pgo`".into(),
            });
        }
        let target_abs = match (&args.target, &args.manifest_path) {
            (Some(dir), _) => cwd.join(dir),
            (None, Some(manifest)) => {
                let manifest = cwd.join(manifest);
                if manifest.file_name().is_none_or(|n| n != "Cargo.toml") {
                    return Err(Error::ManifestNotFound { path: manifest });
                }
                manifest
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| cwd.to_path_buf())
            }
            (None, None) => match &config.target_path {
                Some(rel) => repo_root.join(rel),
                None => cwd.to_path_buf(),
            },
        };
        let manifest = target_abs.join("Cargo.toml");
        if !manifest.is_file() {
            return Err(Error::ManifestNotFound { path: manifest });
        }
        let target_dir = target_abs
            .strip_prefix(repo_root)
            .map(Path::to_path_buf)
            .unwrap_or(target_abs.clone());
        let benches = match (args.quick, &config.quick_benches, &config.benches) {
            (true, Some(quick), _) => Some(quick.clone()),
            (_, _, Some(all)) => Some(all.clone()),
            _ => None,
        };
        let training = match &config.pgo_train {
            Some(argv) if !argv.is_empty() => Training::Command(argv.clone()),
            _ => Training::Benches,
        };
        let startup = config.startup_binary.as_ref().map(|binary| Startup {
            binary: binary.clone(),
            args: config.startup_args.clone().unwrap_or_default(),
            stdin: config.startup_stdin.clone(),
            runs: if args.quick {
                config.startup_quick_runs.unwrap_or(STARTUP_RUNS.1)
            } else {
                config.startup_runs.unwrap_or(STARTUP_RUNS.0)
            },
        });
        let baselines_dir = match (&args.baselines, &config.baselines) {
            (Some(dir), _) => cwd.join(dir),
            (None, Some(dir)) => repo_root.join(dir),
            (None, None) => repo_root.join("baselines"),
        };
        let plan = Plan {
            repo_root: repo_root.to_path_buf(),
            target_dir,
            profiles,
            quick: args.quick,
            rev: args.rev.clone(),
            baselines_dir,
            allow_dirty: args.allow_dirty,
            partial: args.partial,
            benches,
            filter: config.filter.clone().filter(|f| !f.is_empty()),
            features: Features {
                enable: config.features.clone().unwrap_or_default(),
                all: config.all_features.unwrap_or(false),
            },
            packages: config.packages.clone().unwrap_or_default(),
            training,
            startup,
            build_time_samples: if args.quick {
                1
            } else {
                config.build_time_samples.unwrap_or(BUILD_TIME_SAMPLES)
            },
            jobs: config.jobs.unwrap_or(2),
            criterion: if args.quick {
                Sampling::QUICK
            } else {
                Sampling::DEFAULT
            },
            threshold_pct: config.threshold_pct.unwrap_or(THRESHOLD_PCT),
            bench_timeout: std::time::Duration::from_secs(
                config.bench_timeout_s.unwrap_or(BENCH_TIMEOUT_S) as u64,
            ),
            profile_rounds: args.profile_rounds.or(config.profile_rounds).unwrap_or(0),
            extra_cargo_config: Vec::new(),
            reuse: args.reuse && config.reuse.unwrap_or(true),
            inputs: config.inputs.clone(),
            always_measure: config.always_measure.clone().unwrap_or_default(),
            shard: args.shard,
        };
        if config.benches.is_some() || config.quick_benches.is_some() {
            let listed: Vec<String> = config
                .benches
                .iter()
                .chain(&config.quick_benches)
                .flatten()
                .cloned()
                .collect();
            plan.check_reuse_names(|name| listed.iter().any(|l| l == name), &listed)?;
        }
        Ok(plan)
    }

    /// Checks that every bench target named in `[run.inputs]` and `[run] always_measure` is
    /// one `is_known` accepts (a typo there would silently leave a bench's inputs unhashed);
    /// else [`Error::UnknownBench`] naming it, the key and the `known` targets.
    pub fn check_reuse_names(
        &self,
        is_known: impl Fn(&str) -> bool,
        known: &[String],
    ) -> Result<()> {
        let named = self.inputs.keys().map(|name| (name, "[run.inputs]")).chain(
            self.always_measure
                .iter()
                .map(|name| (name, "[run] always_measure")),
        );
        for (name, key) in named {
            if !is_known(name) {
                return Err(Error::UnknownBench {
                    bench: name.clone(),
                    place: format!("among the bench targets (named in `{key}`)"),
                    known: known.join(", "),
                });
            }
        }
        Ok(())
    }

    /// The target crate's directory under `root` (the repository, or a worktree of it).
    pub fn target_in(&self, root: &Path) -> PathBuf {
        root.join(&self.target_dir)
    }

    /// The mode's name, as stored in the baseline: `quick` or `full`.
    pub fn mode(&self) -> &'static str {
        if self.quick { "quick" } else { "full" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_gets_its_own_and_the_plain_features() {
        let features = Features {
            enable: vec!["core/simd".into(), "cli/color".into(), "serde".into()],
            all: false,
        };
        assert_eq!(features.of_package("core").enable, ["simd", "serde"]);
        assert_eq!(features.of_package("other").enable, ["serde"]);
        assert_eq!(
            features.of_package("core").cargo_args(),
            ["--features", "simd,serde"]
        );
    }
    use clap::Parser;

    fn run_args(argv: &[&str]) -> MeasureRequest {
        let cli = crate::cli::Cli::parse_from(["perfgate", "run"].iter().chain(argv));
        match cli.command {
            crate::cli::Command::Run(args) => args.request(),
            other => panic!("not a run: {other:?}"),
        }
    }

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("t")).expect("mkdir");
        std::fs::write(dir.path().join("t/Cargo.toml"), "[package]\nname = \"t\"\n")
            .expect("write");
        dir
    }

    #[test]
    fn command_line_beats_config_beats_defaults() {
        let dir = fixture();
        let root = dir.path();
        let config = Config {
            target_path: Some("t".into()),
            profiles: Some(vec!["release".into(), "pgo".into()]),
            quick_benches: Some(vec!["iai".into()]),
            ..Config::default()
        };
        let plan = Plan::new(&run_args(&["--quick"]), config.clone(), root, root).expect("valid");
        assert_eq!(plan.profiles, vec![Profile::Release, Profile::Pgo]);
        assert_eq!(plan.target_dir, PathBuf::from("t"));
        assert_eq!(plan.benches, Some(vec!["iai".to_string()]));
        assert_eq!(plan.build_time_samples, 1);
        assert_eq!(plan.baselines_dir, root.join("baselines"));
        let plan = Plan::new(
            &run_args(&["--profiles", "release-lto"]),
            config,
            root,
            root,
        )
        .expect("valid");
        assert_eq!(plan.profiles, vec![Profile::ReleaseLto]);
        assert_eq!(plan.benches, None);
        assert_eq!(plan.criterion, Sampling::DEFAULT);
    }

    #[test]
    fn criterion_options_follow_its_version() {
        let quick = Sampling::QUICK;
        assert_eq!(
            quick.args(Some((0, 8))),
            [
                "--warm-up-time",
                "0.2",
                "--measurement-time",
                "0.5",
                "--sample-size",
                "10",
                "--noplot"
            ]
        );
        assert_eq!(quick.args(None), quick.args(Some((0, 4))));
        // criterion 0.3 takes whole seconds: "The argument '0.2' isn't a valid value".
        assert_eq!(
            quick.args(Some((0, 3))),
            [
                "--warm-up-time",
                "1",
                "--measurement-time",
                "1",
                "--sample-size",
                "10",
                "--noplot"
            ]
        );
        let long = Sampling {
            measurement_s: Some(2.5),
            nresamples: Some(1000),
            ..Sampling::DEFAULT
        };
        assert_eq!(
            long.args(Some((0, 3))),
            [
                "--measurement-time",
                "3",
                "--nresamples",
                "1000",
                "--noplot"
            ]
        );
        assert_eq!(Sampling::DEFAULT.args(Some((0, 3))), ["--noplot"]);
    }

    #[test]
    fn bad_input_fails_before_anything_is_built() {
        let dir = fixture();
        let root = dir.path();
        let err = Plan::new(
            &run_args(&["--profiles", "release,turbo"]),
            Config::default(),
            root,
            root,
        )
        .expect_err("unknown profile");
        assert!(
            err.to_string().starts_with("unknown profile `turbo`"),
            "{err}"
        );
        let err = Plan::new(
            &run_args(&["--target", "nowhere"]),
            Config::default(),
            root,
            root,
        )
        .expect_err("no manifest");
        assert!(err.to_string().starts_with("no `Cargo.toml` at"), "{err}");
    }
}
