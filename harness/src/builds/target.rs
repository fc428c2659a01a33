//! The target crate as perfgate sees it (its benches and binaries), and a build of it under
//! one profile. Data only, plus the one way to run cargo against a build so that nothing is
//! rebuilt: `build` and `pgo` make these, `run` reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::error::{Error, Result};
use crate::process;

use crate::builds::toolchain::Toolchain;
use crate::measure::Artifact;
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
    /// Another custom harness: built, not run.
    Other,
}

/// One `[[bench]]` target of the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchTarget {
    /// The target name (`cargo bench --bench NAME`).
    pub name: String,
    /// Its harness.
    pub kind: BenchKind,
    /// Its source file.
    pub src_path: PathBuf,
}

/// The target crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// The package name.
    pub package: String,
    /// Its Cargo.toml.
    pub manifest_path: PathBuf,
    /// Its directory.
    pub crate_dir: PathBuf,
    /// The toolchain cargo builds it with, resolved once for its checkout.
    pub toolchain: Toolchain,
    /// The root of its cargo workspace (where Cargo.lock is).
    pub workspace_root: PathBuf,
    /// Cargo's target directory for it (perfgate builds under `<this>/perfgate/<profile>`).
    pub cargo_target_dir: PathBuf,
    /// The bench targets to run, after the plan's filter.
    pub benches: Vec<BenchTarget>,
    /// The names of its `[[bin]]` targets.
    pub bins: Vec<String>,
}

impl TargetInfo {
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
    /// Bench target name → its executable.
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

    /// `cargo <subcommand> --manifest-path … <cargo_args>` with this build's environment, run
    /// from the crate's directory. Add the subcommand's own arguments after it.
    pub fn cargo(&self, subcommand: &str) -> Command {
        let mut cmd = Command::new("cargo");
        cmd.arg(subcommand)
            .arg("--manifest-path")
            .arg(&self.manifest_path)
            .args(&self.cargo_args)
            .current_dir(&self.crate_dir);
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

    /// The executable of binary target `name`.
    pub fn bin(&self, name: &str) -> Option<&Path> {
        self.bins.get(name).map(PathBuf::as_path)
    }
}
