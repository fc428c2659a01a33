//! The build stage: reads the target crate with `cargo metadata`, builds it under one profile
//! with `cargo build`, and times clean builds of the crate alone.
//!
//! Every profile builds into its own target directory (`<cargo target dir>/perfgate/<profile>`)
//! with its settings injected by `cargo --config`, so no profile invalidates another and the
//! crate's `Cargo.toml` is never edited. Every build passes `--target <host>`: the PGO builds
//! must (see [`crate::pgo`]), and building the other profiles the same way keeps their
//! artifacts comparable byte for byte with the PGO ones (cargo hashes an explicit `--target`
//! into the crate metadata, so a build without it differs from one with it even when nothing
//! else does).
//!
//! Only the selected bench targets (`--bench NAME` each) and the binaries (`--bins`) are built:
//! `--benches` would also build the library and the binaries as bench harnesses, which nothing
//! runs. Cargo's JSON messages are read here and nowhere else; later stages see [`Built`].

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::fingerprint;
use crate::measure::{Artifact, Measurement, Unit};
use crate::metric::Metric;
use crate::plan::Plan;
use crate::process;
use crate::profile::Profile;
use crate::target::{BenchKind, BenchTarget, Built, TargetInfo};

/// How long a build took: wall time, and the CPU time (user + system) of every process it ran.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BuildCost {
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// CPU seconds of cargo, rustc and the linker, summed over all cores.
    pub cpu_s: f64,
}

/// Reads the target crate with `cargo metadata --format-version 1 --no-deps --manifest-path M`:
/// the package whose manifest is `M`, its workspace root, cargo's target directory, its
/// binaries and its benches, each bench's kind detected from its source
/// (`iai_callgrind::main!` or `use iai_callgrind`: iai-callgrind; `gungraun::`: gungraun;
/// `criterion_main!`: criterion; anything else: another harness, built but not run).
///
/// `filter` keeps only the named benches; a name the crate does not have is
/// [`Error::NoBenches`] naming it and listing the crate's benches. If no criterion,
/// iai-callgrind or gungraun bench is left, that is [`Error::NoBenches`] too. A missing
/// `Cargo.toml`, or one that is not a package's (a virtual workspace manifest), is
/// [`Error::ManifestNotFound`].
pub fn inspect(manifest_path: &Path, filter: Option<&[String]>) -> Result<TargetInfo> {
    inspect_with(manifest_path, filter, true)
}

/// The crate as [`inspect`] sees it, every bench kept, and no error for a crate without a
/// criterion or iai-callgrind bench (`perfgate init` adds them).
pub fn inspect_crate(manifest_path: &Path) -> Result<TargetInfo> {
    inspect_with(manifest_path, None, false)
}

fn inspect_with(
    manifest_path: &Path,
    filter: Option<&[String]>,
    require_benches: bool,
) -> Result<TargetInfo> {
    if !manifest_path.is_file() {
        return Err(Error::ManifestNotFound {
            path: manifest_path.to_path_buf(),
        });
    }
    let manifest = fs::canonicalize(manifest_path).map_err(|source| Error::Io {
        action: "read",
        path: manifest_path.to_path_buf(),
        source,
    })?;
    let mut cmd = Command::new("cargo");
    cmd.args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--manifest-path",
    ])
    .arg(&manifest);
    if let Some(dir) = manifest.parent() {
        cmd.current_dir(dir);
    }
    let output = process::run(&mut cmd, process::hint::RUST)?;
    let metadata: Metadata =
        serde_json::from_slice(&output.stdout).map_err(|e| Error::ToolOutput {
            tool: "cargo",
            path: PathBuf::from("-"),
            message: format!("`{}`: {e}", process::command_line(&cmd)),
        })?;
    target_info(metadata, &manifest, filter, require_benches, |path| {
        fs::read_to_string(path).map_err(|source| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Builds the selected benches and the binaries of `target` under `profile`:
/// `cargo build --manifest-path M --profile <cargo profile> --target <host>
/// --target-dir <profile dir> --config … --bench NAME… --bins
/// --message-format=json-render-diagnostics`, with `CARGO_BUILD_JOBS=<plan.jobs>` for
/// `release-consistent` (kept in [`Built::env`] so later cargo commands reuse the build).
///
/// Returns the build, with every executable hashed into [`Built::artifacts`], and what the
/// build cost (dependencies included when the profile's target directory was cold). `pgo` is
/// built by [`crate::pgo::build`]; asking for it here is [`Error::BuildFailed`]. A failed build
/// is [`Error::BuildFailed`] with the end of the compiler's messages.
pub fn build(target: &TargetInfo, profile: Profile, plan: &Plan) -> Result<(Built, BuildCost)> {
    if profile == Profile::Pgo {
        return Err(Error::BuildFailed {
            package: target.package.clone(),
            profile: profile.name().to_string(),
            command: "perfgate::build::build".to_string(),
            stderr_tail: "the `pgo` profile is built by `perfgate::pgo::build`".to_string(),
        });
    }
    let host = rustc_info()?.host;
    let dir = target.profile_dir(profile.name());
    let mut cargo_args = vec![
        "--profile".to_string(),
        profile.cargo_profile().to_string(),
        "--target".to_string(),
        host,
        "--target-dir".to_string(),
        dir.to_string_lossy().into_owned(),
    ];
    for config in profile
        .cargo_config()
        .into_iter()
        .chain(plan.extra_cargo_config.iter().cloned())
    {
        cargo_args.push("--config".to_string());
        cargo_args.push(config);
    }
    let env = if profile == Profile::ReleaseConsistent {
        vec![("CARGO_BUILD_JOBS".to_string(), plan.jobs.to_string())]
    } else {
        Vec::new()
    };
    let mut built = Built {
        profile,
        manifest_path: target.manifest_path.clone(),
        crate_dir: target.crate_dir.clone(),
        target_dir: dir,
        cargo_args,
        env,
        bench_exes: Default::default(),
        bins: Default::default(),
        artifacts: Vec::new(),
        bench_timeout: Some(plan.bench_timeout),
    };
    let watch = Stopwatch::start();
    let output = cargo_build(target, &built, &[])?;
    let cost = watch.stop();
    record_artifacts(&mut built, target, &output.messages)?;
    Ok((built, cost))
}

/// The build time of the target crate alone, its dependencies already built: `samples` times,
/// `cargo clean -p <package>` (with the build's own arguments, so only this profile's
/// directory is touched) then the same build as [`build`], timed (wall clock, and the CPU time
/// of the child processes from `getrusage(RUSAGE_CHILDREN)`).
///
/// Returns bench `build/<package>` with metrics `build_wall_s` and `build_cpu_s` (the median,
/// with every sample), and bench `build/dependencies` with the same metrics: the `initial`
/// cost (the first build of the profile) less the crate's own median, floored at zero. That is
/// the cost of the dependencies only when the initial build was cold.
pub fn build_time(
    target: &TargetInfo,
    built: &Built,
    samples: usize,
    initial: &BuildCost,
) -> Result<Vec<Measurement>> {
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..samples.max(1) {
        let mut clean = built.cargo("clean");
        clean.args(["-p", &target.package]);
        process::run(&mut clean, process::hint::RUST)?;
        let watch = Stopwatch::start();
        cargo_build(target, built, &[])?;
        let cost = watch.stop();
        wall.push(cost.wall_s);
        cpu.push(cost.cpu_s);
    }
    // Every clean build gives a time, so neither list is empty; 0 stands for none.
    let median = |values: &[f64]| crate::stats::median(values).unwrap_or(0.0);
    let (wall_median, cpu_median) = (median(&wall), median(&cpu));
    let crate_bench = format!("build/{}", target.package);
    Ok(vec![
        Measurement::sampled(
            &crate_bench,
            Metric::BuildWall,
            Unit::Seconds,
            wall_median,
            wall,
        ),
        Measurement::sampled(
            &crate_bench,
            Metric::BuildCpu,
            Unit::Seconds,
            cpu_median,
            cpu,
        ),
        Measurement::exact(
            "build/dependencies",
            Metric::BuildWall,
            Unit::Seconds,
            (initial.wall_s - wall_median).max(0.0),
        ),
        Measurement::exact(
            "build/dependencies",
            Metric::BuildCpu,
            Unit::Seconds,
            (initial.cpu_s - cpu_median).max(0.0),
        ),
    ])
}

/// What `rustc -vV` says about the compiler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RustcInfo {
    /// `release:` (`1.95.0`).
    pub release: String,
    /// `host:` (`x86_64-unknown-linux-gnu`).
    pub host: String,
    /// `LLVM version:` (`22.1.2`).
    pub llvm_version: String,
}

/// Runs `rustc -vV` and reads it.
pub(crate) fn rustc_info() -> Result<RustcInfo> {
    let mut cmd = Command::new("rustc");
    cmd.arg("-vV");
    let output = process::run(&mut cmd, process::hint::RUST)?;
    parse_rustc_vv(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| Error::ToolOutput {
        tool: "rustc",
        path: PathBuf::from("-"),
        message: "`rustc -vV` names no `host:`, `release:` or `LLVM version:`".to_string(),
    })
}

/// Reads the output of `rustc -vV` (through the fingerprint's reader, so both agree).
fn parse_rustc_vv(text: &str) -> Option<RustcInfo> {
    let (rustc, _commit, llvm_version, host) = crate::fingerprint::parse_rustc_vv(text);
    let known = |v: &str| !v.is_empty() && v != crate::fingerprint::UNKNOWN;
    let release = rustc.split_whitespace().nth(1).unwrap_or("").to_string();
    (known(&release) && known(&llvm_version) && known(&host)).then_some(RustcInfo {
        release,
        host,
        llvm_version,
    })
}

/// Measures the wall time and the children's CPU time of what runs between `start` and
/// `stop`.
pub(crate) struct Stopwatch {
    wall: Instant,
    cpu_s: f64,
}

impl Stopwatch {
    /// Starts measuring.
    pub(crate) fn start() -> Stopwatch {
        Stopwatch {
            wall: Instant::now(),
            cpu_s: children_cpu_s(),
        }
    }

    /// What was spent since [`Stopwatch::start`].
    pub(crate) fn stop(&self) -> BuildCost {
        BuildCost {
            wall_s: self.wall.elapsed().as_secs_f64(),
            cpu_s: (children_cpu_s() - self.cpu_s).max(0.0),
        }
    }
}

/// User plus system CPU seconds of every child process waited for so far (and of their waited
/// descendants): cargo waits for rustc and the linker, so a build's cost is all in it.
fn children_cpu_s() -> f64 {
    // SAFETY: `rusage` is plain integers, for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` that outlives the call.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if rc != 0 {
        return 0.0;
    }
    let seconds = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1_000_000.0;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// What one `cargo build` printed.
pub(crate) struct BuildOutput {
    /// The JSON messages on stdout.
    pub messages: Vec<CargoMessage>,
    /// Cargo's stderr: progress, rendered diagnostics, and in verbose mode the rustc command
    /// lines.
    pub stderr: String,
}

impl BuildOutput {
    /// Every compiler diagnostic as rendered text: those cargo rendered on stderr and those
    /// it left as `compiler-message` JSON.
    pub(crate) fn diagnostics(&self) -> String {
        let mut text = rendered_messages(&self.messages);
        text.push_str(&self.stderr);
        text
    }
}

/// Runs `cargo build` for `built` (its `cargo_args` and environment), selecting the target's
/// benches and binaries, with JSON messages; `extra` goes last (`-v`). A failure is
/// [`Error::BuildFailed`] with the end of the compiler's messages.
pub(crate) fn cargo_build(
    target: &TargetInfo,
    built: &Built,
    extra: &[&str],
) -> Result<BuildOutput> {
    let mut cmd = built.cargo("build");
    for bench in &target.benches {
        cmd.args(["--bench", &bench.name]);
    }
    cmd.arg("--bins")
        .arg("--message-format=json-render-diagnostics")
        .args(extra);
    let output = process::spawn_output(&mut cmd, process::hint::RUST)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result = BuildOutput {
        messages: parse_messages(&stdout),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    if !output.status.success() {
        return Err(Error::BuildFailed {
            package: target.package.clone(),
            profile: built.profile.name().to_string(),
            command: process::command_line(&cmd),
            stderr_tail: failure_tail(&result),
        });
    }
    Ok(result)
}

/// The end of a failed build's messages, without the verbose progress lines.
fn failure_tail(output: &BuildOutput) -> String {
    let text: String = output
        .diagnostics()
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !line.starts_with("Running `") && !line.starts_with("Fresh ")
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    process::tail(text.as_bytes())
}

/// Fills `built`'s bench executables, binaries and hashed artifacts from the build's
/// `compiler-artifact` messages for the target package.
pub(crate) fn record_artifacts(
    built: &mut Built,
    target: &TargetInfo,
    messages: &[CargoMessage],
) -> Result<()> {
    for exe in executables(messages, &target.manifest_path) {
        let (size_bytes, sha256) = hash_file(&exe.path)?;
        let path = exe
            .path
            .strip_prefix(&built.target_dir)
            .unwrap_or(&exe.path)
            .to_string_lossy()
            .into_owned();
        match exe.kind.as_str() {
            "bench" => {
                built.bench_exes.insert(exe.name.clone(), exe.path.clone());
            }
            "bin" => {
                built.bins.insert(exe.name.clone(), exe.path.clone());
            }
            _ => {}
        }
        built.artifacts.push(Artifact {
            name: exe.name,
            kind: exe.kind,
            path,
            size_bytes,
            sha256,
        });
    }
    built
        .artifacts
        .sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    Ok(())
}

/// The size and sha256 (hex) of a file.
fn hash_file(path: &Path) -> Result<(u64, String)> {
    let size = fs::metadata(path)
        .map_err(|source| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?
        .len();
    Ok((size, fingerprint::sha256_file(path)?))
}

// ---- cargo's JSON ----

/// `cargo metadata --format-version 1`, the fields perfgate reads.
#[derive(Debug, Deserialize)]
struct Metadata {
    packages: Vec<MetaPackage>,
    workspace_root: PathBuf,
    target_directory: PathBuf,
}

#[derive(Debug, Deserialize)]
struct MetaPackage {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<MetaTarget>,
}

/// A cargo target, as in `cargo metadata` and in `compiler-artifact` messages.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct MetaTarget {
    /// The target name.
    pub name: String,
    /// Its kinds (`lib`, `bin`, `bench`, `custom-build`...).
    pub kind: Vec<String>,
    /// Its root source file.
    pub src_path: PathBuf,
    /// The features it needs (`required-features`); perfgate builds with the default
    /// features, so a target that needs more is left out.
    #[serde(default, rename = "required-features")]
    pub required_features: Vec<String>,
}

/// One JSON message of `cargo build --message-format=json*` (the fields perfgate reads).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CargoMessage {
    /// `compiler-artifact`, `compiler-message`, `build-script-executed`, `build-finished`.
    pub reason: String,
    /// The manifest of the package the message is about.
    #[serde(default)]
    pub manifest_path: Option<PathBuf>,
    /// The cargo target it is about.
    #[serde(default)]
    pub target: Option<MetaTarget>,
    /// The artifact's profile.
    #[serde(default)]
    pub profile: Option<ArtifactProfile>,
    /// The executable, for targets that make one.
    #[serde(default)]
    pub executable: Option<PathBuf>,
    /// Whether cargo reused the artifact without running rustc.
    #[serde(default)]
    pub fresh: bool,
    /// A compiler diagnostic (`compiler-message`).
    #[serde(default)]
    pub message: Option<Diagnostic>,
}

/// The profile of a `compiler-artifact`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ArtifactProfile {
    /// Built as a test or bench harness.
    #[serde(default)]
    pub test: bool,
}

/// A rustc diagnostic in a `compiler-message`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Diagnostic {
    /// The human-readable text.
    #[serde(default)]
    pub rendered: Option<String>,
}

/// The JSON messages among cargo's stdout lines (other lines are skipped).
pub(crate) fn parse_messages(stdout: &str) -> Vec<CargoMessage> {
    stdout
        .lines()
        .filter(|line| line.starts_with('{'))
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The rendered text of the `compiler-message`s.
fn rendered_messages(messages: &[CargoMessage]) -> String {
    messages
        .iter()
        .filter(|m| m.reason == "compiler-message")
        .filter_map(|m| m.message.as_ref()?.rendered.as_deref())
        .collect()
}

/// An executable a build made for the target package.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Executable {
    name: String,
    /// `bench`, `bin`, or the target's first kind for anything else.
    kind: String,
    path: PathBuf,
}

/// The executables of the package with manifest `manifest` among `compiler-artifact`
/// messages. A binary built as a test harness is left out: it is not the binary.
fn executables(messages: &[CargoMessage], manifest: &Path) -> Vec<Executable> {
    messages
        .iter()
        .filter(|m| m.reason == "compiler-artifact")
        .filter(|m| m.manifest_path.as_deref() == Some(manifest))
        .filter_map(|m| {
            let target = m.target.as_ref()?;
            let path = m.executable.clone()?;
            let test = m.profile.as_ref().is_some_and(|p| p.test);
            let kind = if target.kind.iter().any(|k| k == "bench") {
                "bench".to_string()
            } else if target.kind.iter().any(|k| k == "bin") {
                if test {
                    return None;
                }
                "bin".to_string()
            } else {
                target.kind.first()?.clone()
            };
            Some(Executable {
                name: target.name.clone(),
                kind,
                path,
            })
        })
        .collect()
}

/// The package's units that cargo built or reused: (cargo target, whether fresh).
pub(crate) fn package_units<'m>(
    messages: &'m [CargoMessage],
    manifest: &Path,
) -> Vec<(&'m MetaTarget, bool)> {
    messages
        .iter()
        .filter(|m| m.reason == "compiler-artifact")
        .filter(|m| m.manifest_path.as_deref() == Some(manifest))
        .filter_map(|m| Some((m.target.as_ref()?, m.fresh)))
        .collect()
}

/// The harness of a bench, from its source. Comment lines are ignored, so a criterion bench
/// that mentions iai-callgrind in its docs is still criterion.
pub fn bench_kind(source: &str) -> BenchKind {
    let code: String = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(|line| [line, "\n"])
        .collect();
    if code.contains("iai_callgrind::main!") || code.contains("use iai_callgrind") {
        BenchKind::Iai
    } else if code.contains("gungraun::") || code.contains("use gungraun") {
        BenchKind::Gungraun
    } else if code.contains("criterion_main!") {
        BenchKind::Criterion
    } else {
        BenchKind::Other
    }
}

/// `cargo metadata` → [`TargetInfo`], reading bench sources with `read_source`.
fn target_info(
    metadata: Metadata,
    manifest: &Path,
    filter: Option<&[String]>,
    require_benches: bool,
    read_source: impl Fn(&Path) -> Result<String>,
) -> Result<TargetInfo> {
    let package = metadata
        .packages
        .into_iter()
        .find(|p| same_file(&p.manifest_path, manifest))
        .ok_or_else(|| Error::ManifestNotFound {
            path: manifest.to_path_buf(),
        })?;
    // A target that needs features perfgate does not enable cannot be built: left out.
    let has_kind = |t: &MetaTarget, kind: &str| {
        t.kind.iter().any(|k| k == kind) && t.required_features.is_empty()
    };
    let mut all = Vec::new();
    for t in package.targets.iter().filter(|t| has_kind(t, "bench")) {
        all.push(BenchTarget {
            name: t.name.clone(),
            kind: bench_kind(&read_source(&t.src_path)?),
            src_path: t.src_path.clone(),
        });
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let mut bins: Vec<String> = package
        .targets
        .iter()
        .filter(|t| has_kind(t, "bin"))
        .map(|t| t.name.clone())
        .collect();
    bins.sort();
    let benches = match filter {
        None => all,
        Some(names) => {
            if let Some(unknown) = names.iter().find(|n| !all.iter().any(|b| &&b.name == n)) {
                let known: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
                return Err(Error::NoBenches {
                    package: package.name,
                    filter: format!(
                        " named `{unknown}` (its benches: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            backticked(&known)
                        }
                    ),
                });
            }
            all.into_iter()
                .filter(|b| names.contains(&b.name))
                .collect()
        }
    };
    if require_benches && benches.iter().all(|b| b.kind == BenchKind::Other) {
        let filter = filter
            .map(|names| {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                format!(" among {}", backticked(&names))
            })
            .unwrap_or_default();
        return Err(Error::NoBenches {
            package: package.name,
            filter,
        });
    }
    let crate_dir = package
        .manifest_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok(TargetInfo {
        package: package.name,
        manifest_path: package.manifest_path,
        crate_dir,
        workspace_root: metadata.workspace_root,
        cargo_target_dir: metadata.target_directory,
        benches,
        bins,
    })
}

/// Whether two paths name the same file (compared canonically when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// `` `a`, `b` ``.
fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = r#"{
      "packages": [{
        "name": "demo",
        "version": "0.1.0",
        "manifest_path": "/src/ws/demo/Cargo.toml",
        "targets": [
          {"kind": ["lib"], "crate_types": ["lib"], "name": "demo", "src_path": "/src/ws/demo/src/lib.rs"},
          {"kind": ["bin"], "crate_types": ["bin"], "name": "demo-cli", "src_path": "/src/ws/demo/src/bin/cli.rs"},
          {"kind": ["bench"], "crate_types": ["bin"], "name": "wall", "src_path": "/src/ws/demo/benches/wall.rs"},
          {"kind": ["bench"], "crate_types": ["bin"], "name": "iai", "src_path": "/src/ws/demo/benches/iai.rs"},
          {"kind": ["bench"], "crate_types": ["bin"], "name": "alloc", "src_path": "/src/ws/demo/benches/alloc.rs"},
          {"kind": ["bench"], "crate_types": ["bin"], "name": "with-serde", "src_path": "/src/ws/demo/benches/with_serde.rs", "required-features": ["serde"]},
          {"kind": ["bin"], "crate_types": ["bin"], "name": "serde-cli", "src_path": "/src/ws/demo/src/bin/serde.rs", "required-features": ["serde"]},
          {"kind": ["test"], "crate_types": ["bin"], "name": "it", "src_path": "/src/ws/demo/tests/it.rs"}
        ]
      }],
      "workspace_root": "/src/ws",
      "target_directory": "/src/ws/target",
      "version": 1
    }"#;

    fn fake_source(path: &Path) -> Result<String> {
        Ok(match path.file_stem().and_then(|s| s.to_str()) {
            Some("wall") => "use criterion::Criterion;\ncriterion_main!(benches);\n",
            Some("iai") => "use iai_callgrind::{library_benchmark, main};\nmain!(library_benchmark_groups = g);\n",
            _ => "// not criterion_main!, not iai_callgrind::main!\nfn main() {}\n",
        }
        .to_string())
    }

    fn info(filter: Option<&[String]>) -> Result<TargetInfo> {
        let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
        target_info(
            metadata,
            Path::new("/src/ws/demo/Cargo.toml"),
            filter,
            true,
            fake_source,
        )
    }

    /// The targets that need a feature (`with-serde`, `serde-cli`) are left out: perfgate
    /// builds with the default features.
    #[test]
    fn metadata_gives_the_package_its_benches_and_bins() {
        let info = info(None).expect("valid");
        assert_eq!(info.package, "demo");
        assert_eq!(info.crate_dir, PathBuf::from("/src/ws/demo"));
        assert_eq!(info.workspace_root, PathBuf::from("/src/ws"));
        assert_eq!(
            info.profile_dir("release"),
            PathBuf::from("/src/ws/target/perfgate/release")
        );
        assert_eq!(info.bins, vec!["demo-cli".to_string()]);
        let benches: Vec<(&str, BenchKind)> = info
            .benches
            .iter()
            .map(|b| (b.name.as_str(), b.kind))
            .collect();
        assert_eq!(
            benches,
            vec![
                ("alloc", BenchKind::Other),
                ("iai", BenchKind::Iai),
                ("wall", BenchKind::Criterion),
            ]
        );
    }

    #[test]
    fn the_filter_keeps_named_benches_and_rejects_unknown_ones() {
        let keep = ["iai".to_string()];
        let info = info(Some(&keep)).expect("valid");
        assert_eq!(info.benches.len(), 1);
        assert_eq!(info.benches[0].name, "iai");

        let typo = ["wal".to_string()];
        let err = info_err(Some(&typo));
        assert_eq!(
            err,
            "`demo` has no criterion or iai-callgrind benches named `wal` (its benches: `alloc`, `iai`, `wall`); add a `[[bench]]` target with `harness = false`, or fix `benches` in perfgate.toml"
        );

        let custom_only = ["alloc".to_string()];
        let err = info_err(Some(&custom_only));
        assert!(
            err.starts_with("`demo` has no criterion or iai-callgrind benches among `alloc`;"),
            "{err}"
        );
    }

    fn info_err(filter: Option<&[String]>) -> String {
        info(filter).expect_err("rejected").to_string()
    }

    #[test]
    fn a_manifest_that_is_no_package_is_not_found() {
        let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
        let err = target_info(
            metadata,
            Path::new("/src/ws/Cargo.toml"),
            None,
            true,
            fake_source,
        )
        .expect_err("virtual manifest");
        assert!(matches!(err, Error::ManifestNotFound { .. }), "{err}");
        let err = inspect(Path::new("/nonexistent/Cargo.toml"), None).expect_err("missing");
        assert!(matches!(err, Error::ManifestNotFound { .. }), "{err}");
    }

    #[test]
    fn bench_kinds_come_from_the_source() {
        assert_eq!(
            bench_kind("use iai_callgrind::{main, library_benchmark};"),
            BenchKind::Iai
        );
        assert_eq!(
            bench_kind("iai_callgrind::main!(library_benchmark_groups = g);"),
            BenchKind::Iai
        );
        assert_eq!(
            bench_kind(
                "use gungraun::{library_benchmark, main};\nmain!(library_benchmark_groups = g);"
            ),
            BenchKind::Gungraun
        );
        assert_eq!(
            bench_kind(
                "use criterion::{criterion_group, criterion_main};\ncriterion_main!(benches);"
            ),
            BenchKind::Criterion
        );
        assert_eq!(
            bench_kind("//! Like `use iai_callgrind`, but by hand.\ncriterion_main!(b);"),
            BenchKind::Criterion
        );
        assert_eq!(
            bench_kind("fn main() { println!(\"{}\", 1); }"),
            BenchKind::Other
        );
    }

    /// Cargo's messages of a build of `demo`: a dependency's build script, the library, a
    /// bench, the binary (once as itself, once as a bench harness), a warning, the end.
    const MESSAGES: &str = concat!(
        r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#quote@1.0.47","manifest_path":"/registry/quote-1.0.47/Cargo.toml","target":{"kind":["custom-build"],"crate_types":["bin"],"name":"build-script-build","src_path":"/registry/quote-1.0.47/build.rs","edition":"2021","doc":false,"doctest":false,"test":false},"profile":{"opt_level":"0","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/src/ws/target/perfgate/release/release/build/quote-1/build-script-build"],"executable":null,"fresh":true}"#,
        "\n",
        r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"demo","src_path":"/src/ws/demo/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/libdemo-1.rlib"],"executable":null,"fresh":false}"#,
        "\n",
        r#"{"reason":"compiler-message","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"demo","src_path":"/src/ws/demo/src/lib.rs"},"message":{"rendered":"warning: demo.1-cgu.0: no profile data available for function _RNv4demo3run Hash = 1 up to 0 count discarded\n","children":[],"level":"warning","message":"no profile data","spans":[]}}"#,
        "\n",
        r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["bench"],"crate_types":["bin"],"name":"wall","src_path":"/src/ws/demo/benches/wall.rs","edition":"2024","doc":false,"doctest":false,"test":false},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":true},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/wall-2"],"executable":"/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/wall-2","fresh":false}"#,
        "\n",
        r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"demo-cli","src_path":"/src/ws/demo/src/bin/cli.rs","edition":"2024","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/demo-cli"],"executable":"/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/demo-cli","fresh":true}"#,
        "\n",
        r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"demo-cli","src_path":"/src/ws/demo/src/bin/cli.rs","edition":"2024","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":true},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/demo_cli-3"],"executable":"/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/demo_cli-3","fresh":false}"#,
        "\n",
        "not json\n",
        r#"{"reason":"build-finished","success":true}"#,
        "\n",
    );

    #[test]
    fn executables_are_the_packages_benches_and_binaries() {
        let messages = parse_messages(MESSAGES);
        assert_eq!(messages.len(), 7);
        let exes = executables(&messages, Path::new("/src/ws/demo/Cargo.toml"));
        let dir = "/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release";
        assert_eq!(
            exes,
            vec![
                Executable {
                    name: "wall".into(),
                    kind: "bench".into(),
                    path: PathBuf::from(format!("{dir}/deps/wall-2")),
                },
                Executable {
                    name: "demo-cli".into(),
                    kind: "bin".into(),
                    path: PathBuf::from(format!("{dir}/demo-cli")),
                },
            ]
        );
        let units: Vec<(&str, bool)> =
            package_units(&messages, Path::new("/src/ws/demo/Cargo.toml"))
                .into_iter()
                .map(|(t, fresh)| (t.name.as_str(), fresh))
                .collect();
        assert_eq!(
            units,
            vec![
                ("demo", false),
                ("wall", false),
                ("demo-cli", true),
                ("demo-cli", false)
            ]
        );
    }

    #[test]
    fn a_failed_build_keeps_the_compiler_messages_without_verbose_noise() {
        let output = BuildOutput {
            messages: parse_messages(MESSAGES),
            stderr: concat!(
                "     Running `rustc --crate-name demo src/lib.rs`\n",
                "       Fresh quote v1.0.47\n",
                "error[E0425]: cannot find value `x` in this scope\n",
                "error: could not compile `demo` (lib) due to 1 previous error\n",
            )
            .to_string(),
        };
        let tail = failure_tail(&output);
        assert!(
            tail.starts_with("warning: demo.1-cgu.0: no profile data"),
            "{tail}"
        );
        assert!(tail.ends_with("due to 1 previous error"), "{tail}");
        assert!(!tail.contains("Running"), "{tail}");
        assert!(!tail.contains("Fresh"), "{tail}");
    }

    #[test]
    fn rustc_vv_gives_host_and_llvm() {
        let text = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860\ncommit-date: 2026-04-14\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n";
        assert_eq!(
            parse_rustc_vv(text),
            Some(RustcInfo {
                release: "1.95.0".into(),
                host: "x86_64-unknown-linux-gnu".into(),
                llvm_version: "22.1.2".into(),
            })
        );
        assert_eq!(parse_rustc_vv("rustc 1.95.0\nhost: x\n"), None);
    }

    #[test]
    fn files_hash_to_their_sha256() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("abc");
        fs::write(&path, b"abc").expect("write");
        assert_eq!(
            hash_file(&path).expect("hash"),
            (
                3,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string()
            )
        );
    }

    #[test]
    fn children_cpu_time_never_decreases() {
        let watch = Stopwatch::start();
        process::run(Command::new("true").arg("x"), "").expect("true runs");
        let cost = watch.stop();
        assert!(cost.cpu_s >= 0.0 && cost.wall_s >= 0.0);
    }
}
