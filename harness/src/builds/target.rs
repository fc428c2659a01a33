//! The target crate as perfgate sees it (its benches and binaries), and a build of it under
//! one profile. Data only, plus the one way to run cargo against a build so that nothing is
//! rebuilt: `build` and `pgo` make these, `run` reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::error::{Error, Result};
pub use crate::plan::Features;
use crate::process;

use crate::builds::toolchain::Toolchain;
use crate::measure::{Artifact, Unmeasured};
use crate::profile::Profile;

/// Which harness a bench target uses, detected from its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchKind {
    /// criterion (`criterion_main!`): wall time.
    Criterion,
    /// iai-callgrind (`iai_callgrind::main!`): instruction counts.
    Iai,
    /// gungraun, iai-callgrind's successor (`gungraun::main!`): instruction counts.
    Gungraun,
    /// divan (`divan::main()`): wall time, and instruction counts under callgrind.
    Divan,
    /// A `harness = false` bench with a `main` of its own and no harness perfgate knows: run,
    /// and read if it writes Bencher Metric Format JSON.
    Custom,
    /// libtest's `#[bench]` (no `main`): needs nightly's `test` crate, so not built.
    Libtest,
}

impl BenchKind {
    /// The harness library's crate name, as in Cargo.lock (`None`: no library).
    pub fn library(self) -> Option<&'static str> {
        match self {
            BenchKind::Criterion => Some("criterion"),
            BenchKind::Iai => Some("iai-callgrind"),
            BenchKind::Gungraun => Some("gungraun"),
            BenchKind::Divan => Some("divan"),
            BenchKind::Custom | BenchKind::Libtest => None,
        }
    }

    /// Whether perfgate runs bench targets of this kind.
    pub fn runs(self) -> bool {
        self != BenchKind::Libtest
    }

    /// Whether it counts instructions with a callgrind runner of its own.
    pub fn is_callgrind_harness(self) -> bool {
        matches!(self, BenchKind::Iai | BenchKind::Gungraun)
    }
}

/// One `[[bench]]` target of the crate (or of a member of the workspace).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchTarget {
    /// The target name (`cargo bench --bench NAME`).
    pub name: String,
    /// The package it belongs to.
    pub package: String,
    /// How `cargo -p` names that package (its package id).
    pub package_spec: String,
    /// That package's directory: its benches run from there, as `cargo bench` runs them.
    pub crate_dir: PathBuf,
    /// When the target measures several packages, this one's name: it prefixes the bench's
    /// ids (`<package>::<id>`) and its artifact's name (`<package>/<target>`).
    pub id_prefix: Option<String>,
    /// The arguments that enable its package's features when cargo selects that package
    /// alone (`-p <package>`): `package/feature` entries of `[target] features` as `feature`.
    pub features: Vec<String>,
    /// Its harness.
    pub kind: BenchKind,
    /// Its source file.
    pub src_path: PathBuf,
    /// The version of its harness library that its package depends on (Cargo.lock), when
    /// known: criterion's options and gungraun's runner depend on it.
    pub harness_version: Option<String>,
    /// For a criterion or divan target, the filter argument its measuring processes get
    /// (`[target] filter`, a regular expression on the benchmark's id): only the benchmarks it
    /// matches run. `None` runs them all.
    pub filter: Option<String>,
}

impl BenchTarget {
    /// A bench id as the baseline stores it: the harness's `id`, after `<package>::` when
    /// several packages are measured.
    pub fn bench_id(&self, id: &str) -> String {
        match &self.id_prefix {
            Some(package) => format!("{package}::{id}"),
            None => id.to_string(),
        }
    }

    /// `measurements` of this bench with their ids as the baseline stores them
    /// ([`BenchTarget::bench_id`]).
    pub fn with_ids(
        &self,
        mut measurements: Vec<crate::measure::Measurement>,
    ) -> Vec<crate::measure::Measurement> {
        if self.id_prefix.is_some() {
            for m in &mut measurements {
                m.bench = self.bench_id(&m.bench);
            }
        }
        measurements
    }

    /// The name of its executable among a build's artifacts (`<package>/<target>` when
    /// several packages are measured), which keys [`Built::bench_exes`].
    pub fn artifact_name(&self) -> String {
        match &self.id_prefix {
            Some(package) => format!("{package}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Its harness library's version as (major, minor), when known.
    pub fn harness_minor(&self) -> Option<(u64, u64)> {
        self.harness_version
            .as_deref()
            .and_then(crate::builds::lockfile::major_minor)
    }
}

/// A package of the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// Its name.
    pub name: String,
    /// How `cargo -p` names it (its package id).
    pub spec: String,
    /// Its Cargo.toml.
    pub manifest_path: PathBuf,
}

/// The target: one crate, or several packages of a workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// The package name; for several packages, the workspace's (its root directory's name).
    pub package: String,
    /// The packages measured (`cargo build -p` each): the one package, or the members chosen.
    pub packages: Vec<Package>,
    /// The Cargo.toml perfgate was pointed at (a package's, or a virtual workspace's).
    pub manifest_path: PathBuf,
    /// Its directory.
    pub crate_dir: PathBuf,
    /// The toolchain cargo builds it with, resolved once for its checkout.
    pub toolchain: Toolchain,
    /// The root of its cargo workspace (where Cargo.lock is).
    pub workspace_root: PathBuf,
    /// Cargo's target directory for it (perfgate builds under `<this>/perfgate/<profile>`).
    pub cargo_target_dir: PathBuf,
    /// The directory of every member of its workspace, sorted: the sources a build of it
    /// can read (what a build-time reuse key covers).
    pub member_dirs: Vec<PathBuf>,
    /// The bench targets to run, after the plan's filter.
    pub benches: Vec<BenchTarget>,
    /// The names of its `[[bin]]` targets.
    pub bins: Vec<String>,
    /// The bench targets perfgate leaves out, each with why and the fix.
    pub unmeasured: Vec<Unmeasured>,
    /// The features every build enables (`--features`, `--all-features`).
    pub features: Features,
    /// The features some bench target of the package needs (the union of their
    /// `required-features`), whether or not the build enables them.
    pub bench_features: Vec<String>,
}

impl TargetInfo {
    /// `-p <name>` for each package measured, for cargo's commands.
    pub fn package_args(&self) -> Vec<String> {
        self.packages
            .iter()
            .flat_map(|p| ["-p".to_string(), p.spec.clone()])
            .collect()
    }

    /// The name prefix of the artifacts of the package with manifest `manifest`
    /// (`<package>/`), when several packages are measured; `None` for a package not
    /// measured.
    pub fn artifact_prefix(&self, manifest: &Path) -> Option<String> {
        let package = self.packages.iter().find(|p| p.manifest_path == manifest)?;
        Some(if self.packages.len() > 1 {
            format!("{}/", package.name)
        } else {
            String::new()
        })
    }

    /// The target directory of one profile's builds.
    pub fn profile_dir(&self, profile_dir_name: &str) -> PathBuf {
        self.cargo_target_dir
            .join("perfgate")
            .join(profile_dir_name)
    }
}

/// The target built under one profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    /// The profile.
    pub profile: Profile,
    /// The crate's Cargo.toml.
    pub manifest_path: PathBuf,
    /// The crate's directory (commands run from it).
    pub crate_dir: PathBuf,
    /// This profile's `--target-dir`.
    pub target_dir: PathBuf,
    /// The cargo arguments that select this build (`--profile`, `--target-dir`, `--config`,
    /// `--target`), given to every cargo command so it reuses the build.
    pub cargo_args: Vec<String>,
    /// The environment of this build (`RUSTFLAGS`, `CARGO_BUILD_JOBS`), likewise.
    pub env: Vec<(String, String)>,
    /// The arguments that enable the target's features (`--features a,b`), given to every
    /// cargo command but `clean`, which takes none.
    pub features: Vec<String>,
    /// Bench target ([`BenchTarget::artifact_name`]) → its executable.
    pub bench_exes: BTreeMap<String, PathBuf>,
    /// Binary target name → its executable.
    pub bins: BTreeMap<String, PathBuf>,
    /// Every executable the build produced, hashed.
    pub artifacts: Vec<Artifact>,
    /// How long one bench process may run before it is stopped (`None`: no limit).
    pub bench_timeout: Option<std::time::Duration>,
}

impl Built {
    /// Runs one bench process of this build (`bench` named for messages, `profile` as shown)
    /// under its time limit: its output whatever its exit status, or
    /// [`Error::BenchTimeout`] when it ran too long (it is stopped, with every process it
    /// started).
    pub fn run_bench(&self, cmd: &mut Command, bench: &str, profile: &str) -> Result<Output> {
        process::spawn_output_limited(cmd, process::hint::RUST, self.bench_timeout)?.ok_or_else(
            || Error::BenchTimeout {
                bench: bench.to_string(),
                profile: profile.to_string(),
                seconds: self.bench_timeout.map_or(0, |d| d.as_secs()),
            },
        )
    }

    /// `cargo <subcommand> --manifest-path … <cargo_args> <features>` with this build's
    /// environment, run from the crate's directory. Add the subcommand's own arguments after
    /// it.
    pub fn cargo(&self, subcommand: &str) -> Command {
        let features = if subcommand == "clean" {
            &[][..]
        } else {
            &self.features[..]
        };
        self.cargo_with(subcommand, features)
    }

    /// `cargo bench -p <package>` for `bench` alone, with its package's features; add
    /// `--bench NAME` and the rest.
    pub fn cargo_bench(&self, bench: &BenchTarget) -> Command {
        let mut cmd = self.cargo_with("bench", &bench.features);
        cmd.args(["-p", &bench.package_spec]);
        cmd
    }

    fn cargo_with(&self, subcommand: &str, features: &[String]) -> Command {
        let mut cmd = Command::new("cargo");
        cmd.arg(subcommand)
            .arg("--manifest-path")
            .arg(&self.manifest_path)
            .args(&self.cargo_args)
            .current_dir(&self.crate_dir)
            .args(features);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// The sha256 of the artifact of target `name` of `kind` (`bench`, `bin`).
    pub fn artifact_sha256(&self, name: &str, kind: &str) -> Option<String> {
        self.artifacts
            .iter()
            .find(|a| a.name == name && a.kind == kind)
            .map(|a| a.sha256.clone())
    }

    /// The sha256 of the executable of bench target `bench`.
    pub fn bench_sha256(&self, bench: &BenchTarget) -> Option<String> {
        self.artifact_sha256(&bench.artifact_name(), "bench")
    }

    /// The executable of binary target `name`.
    pub fn bin(&self, name: &str) -> Option<&Path> {
        self.bins.get(name).map(PathBuf::as_path)
    }
}
