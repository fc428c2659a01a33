//! The build stage: reads the target crate with `cargo metadata`, builds it under one profile
//! with `cargo build`, and times clean builds of the crate alone.
//!
//! Every profile builds into its own target directory (`<cargo target dir>/perfgate/<profile>`)
//! with its settings injected by `cargo --config`, so no profile invalidates another and the
//! crate's `Cargo.toml` is never edited. Every build passes `--target <host>`: the PGO builds
//! must (see [`pgo`]), and building the other profiles the same way keeps their
//! artifacts comparable byte for byte with the PGO ones (cargo hashes an explicit `--target`
//! into the crate metadata, so a build without it differs from one with it even when nothing
//! else does).
//!
//! Only the selected bench targets (`--bench NAME` each) and the binaries (`--bins`) are built:
//! `--benches` would also build the library and the binaries as bench harnesses, which nothing
//! runs. Cargo's JSON messages are read here and nowhere else; later stages see [`Built`].

pub mod lockfile;
pub mod pgo;
pub mod target;
pub mod toolchain;

use lockfile::Lockfile;

use toolchain::Toolchain;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Deserialize;

use crate::builds::target::{BenchKind, BenchTarget, Built, Features, Package, TargetInfo};
use crate::error::{Error, Result};
use crate::fingerprint;
use crate::measure::{Artifact, Measurement, Unit, Unmeasured};
use crate::metric::Metric;
use crate::plan::Plan;
use crate::process;
use crate::profile::Profile;

/// How long a build took: wall time, and the CPU time (user + system) of every process it ran.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BuildCost {
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// CPU seconds of cargo, rustc and the linker, summed over all cores.
    pub cpu_s: f64,
}

/// What of a crate [`inspect_with`] keeps: the benches named (all if `None`), the features
/// the builds enable, and whether a crate with no bench to measure is an error.
struct Selection<'a> {
    benches: Option<&'a [String]>,
    features: &'a Features,
    packages: &'a [String],
    require_benches: bool,
}

/// Reads the target with `cargo metadata --format-version 1 --no-deps --manifest-path M`:
/// the package whose manifest is `M` (or the workspace members `packages` names, or, for a
/// virtual manifest, every member with benches), its workspace root, cargo's target
/// directory, its binaries and its benches, each bench's kind detected from its source ([`bench_kind`]) and
/// its harness's version read from Cargo.lock. A bench that needs features `features` does
/// not enable, or that uses libtest's nightly `#[bench]`, is kept in
/// [`TargetInfo::unmeasured`] with the reason and the fix.
///
/// `filter` keeps only the named benches; a name the crate does not have is
/// [`Error::NoBenches`] naming it and listing the crate's benches, one it cannot measure
/// [`Error::BenchUnmeasurable`]. If no bench is left to measure, that is
/// [`Error::NoBenches`] too, with the reasons. A missing `Cargo.toml` is
/// [`Error::ManifestNotFound`].
pub fn inspect(
    manifest_path: &Path,
    filter: Option<&[String]>,
    features: &Features,
    packages: &[String],
) -> Result<TargetInfo> {
    let select = Selection {
        benches: filter,
        features,
        packages,
        require_benches: true,
    };
    inspect_with(manifest_path, &select)
}

/// The crate as [`inspect`] sees it with `features` and `packages`, every bench kept, and no
/// error for a crate without a bench to measure (`perfgate init` adds them).
pub fn inspect_crate(
    manifest_path: &Path,
    features: &Features,
    packages: &[String],
) -> Result<TargetInfo> {
    let select = Selection {
        benches: None,
        features,
        packages,
        require_benches: false,
    };
    inspect_with(manifest_path, &select)
}

fn inspect_with(manifest_path: &Path, select: &Selection<'_>) -> Result<TargetInfo> {
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
    let read_source = |path: &Path| {
        fs::read_to_string(path).map_err(|source| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })
    };
    // The harness versions come from Cargo.lock; a crate that commits none (a library) gets
    // the one its first build would write, resolved now.
    let lock_path = metadata.workspace_root.join("Cargo.lock");
    if !lock_path.exists() {
        let mut generate = Command::new("cargo");
        generate
            .args(["generate-lockfile", "--manifest-path"])
            .arg(&manifest);
        process::run(&mut generate, process::hint::RUST)?;
    }
    let lock = Lockfile::read(&lock_path).unwrap_or_default();
    target_info(
        metadata,
        &manifest,
        select,
        &lock,
        read_source,
        Toolchain::resolve,
    )
}

/// Builds the selected benches and the binaries of `target` under `profile`:
/// `cargo build --manifest-path M --profile <cargo profile> --target <host>
/// --target-dir <profile dir> --config … --bench NAME… --bins
/// --message-format=json-render-diagnostics`, with `CARGO_BUILD_JOBS=<plan.jobs>` for
/// `release-consistent` (kept in [`Built::env`] so later cargo commands reuse the build).
///
/// Returns the build, with every executable hashed into [`Built::artifacts`], and what the
/// build cost (dependencies included when the profile's target directory was cold). `pgo` is
/// built by [`crate::builds::pgo::build`]; asking for it here is [`Error::BuildFailed`]. A failed build
/// is [`Error::BuildFailed`] with the end of the compiler's messages.
pub fn build(target: &TargetInfo, profile: Profile, plan: &Plan) -> Result<(Built, BuildCost)> {
    if profile == Profile::Pgo {
        return Err(Error::BuildFailed {
            package: target.package.clone(),
            profile: profile.name().to_string(),
            command: "perfgate::builds::build".to_string(),
            stderr_tail: "the `pgo` profile is built by `perfgate::builds::pgo::build`".to_string(),
        });
    }
    let host = target.toolchain.host.clone();
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
        features: target.features.cargo_args(),
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
/// `cargo clean -p <package>` (each package measured, with the build's own arguments, so only this profile's
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
        clean.args(target.package_args());
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
    cmd.args(target.package_args());
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
    for exe in executables(messages, |manifest| target.artifact_prefix(manifest)) {
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
                // `[startup] binary` names a binary by its target name alone.
                let name = exe.name.rsplit('/').next().unwrap_or(&exe.name);
                built.bins.insert(name.to_string(), exe.path.clone());
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
    /// Its package id (`path+file:///…#name@version`): a `-p` spec that stays unambiguous
    /// when a dependency from the registry has the same name.
    #[serde(default)]
    id: String,
    manifest_path: PathBuf,
    targets: Vec<MetaTarget>,
    /// `[features]`: each feature and what it enables.
    #[serde(default)]
    features: BTreeMap<String, Vec<String>>,
}

impl MetaPackage {
    /// How `cargo -p` names it: its package id, else its name.
    fn spec(&self) -> String {
        if self.id.is_empty() {
            self.name.clone()
        } else {
            self.id.clone()
        }
    }
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
    /// The features it needs (`required-features`): built when the plan enables them, else
    /// listed as unmeasured.
    #[serde(default, rename = "required-features")]
    pub required_features: Vec<String>,
}

impl MetaTarget {
    /// Whether it is a target of `kind` (`bench`, `bin`).
    fn has_kind(&self, kind: &str) -> bool {
        self.kind.iter().any(|k| k == kind)
    }
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

/// The executables of the packages measured among `compiler-artifact` messages, each named
/// `<prefix><target>` where `prefix_of` gives its package's manifest a prefix (`None`: not a
/// package measured). A binary built as a test harness is left out: it is not the binary.
fn executables(
    messages: &[CargoMessage],
    prefix_of: impl Fn(&Path) -> Option<String>,
) -> Vec<Executable> {
    messages
        .iter()
        .filter(|m| m.reason == "compiler-artifact")
        .filter_map(|m| {
            let prefix = prefix_of(m.manifest_path.as_deref()?)?;
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
                name: format!("{prefix}{}", target.name),
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
/// that mentions iai-callgrind in its docs is still criterion. A source with none of the
/// known harnesses is [`BenchKind::Libtest`] when it has `#[bench]` functions and no `main`
/// (libtest's harness), else [`BenchKind::Custom`] (`harness = false`, with a `main` of its
/// own or one a macro writes).
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
    } else if code.contains("divan::main(") {
        BenchKind::Divan
    } else if code.contains("#[bench]") && !code.contains("fn main(") {
        BenchKind::Libtest
    } else {
        // A `main` of its own, or one a macro of another harness writes (`iai::main!`).
        BenchKind::Custom
    }
}

/// `cargo metadata` → [`TargetInfo`], reading bench sources with `read_source` and the
/// harness versions from `lock`.
///
/// The packages measured: those `select.packages` names (each a member of the workspace,
/// else [`Error::UnknownPackage`]); else the package whose manifest is `manifest`; else, for
/// a virtual workspace manifest, every member with a bench target. With several, bench ids
/// carry their package ([`BenchTarget::id_prefix`]).
fn target_info(
    metadata: Metadata,
    manifest: &Path,
    select: &Selection<'_>,
    lock: &Lockfile,
    read_source: impl Fn(&Path) -> Result<String>,
    resolve_toolchain: impl FnOnce(&Path) -> Result<Toolchain>,
) -> Result<TargetInfo> {
    let Metadata {
        packages: members,
        workspace_root,
        target_directory,
    } = metadata;
    let crate_dir = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut member_dirs: Vec<PathBuf> = members
        .iter()
        .filter_map(|p| p.manifest_path.parent().map(Path::to_path_buf))
        .collect();
    member_dirs.sort();
    member_dirs.dedup();
    let chosen = choose_packages(members, manifest, select.packages, &workspace_root)?;
    let prefixed = chosen.len() > 1;
    let display = match chosen.as_slice() {
        [one] => one.name.clone(),
        _ => workspace_root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "workspace".to_string()),
    };
    let mut all = Vec::new();
    let mut unmeasured = Vec::new();
    let mut bins = Vec::new();
    let mut bench_features = Vec::new();
    for package in &chosen {
        let prefix = prefixed.then(|| package.name.clone());
        let label = |name: &str| match &prefix {
            Some(p) => format!("{p}/{name}"),
            None => name.to_string(),
        };
        let features = select.features.of_package(&package.name);
        let enabled = enabled_features(&package.features, &features);
        let missing_features = |t: &MetaTarget| -> Vec<String> {
            if features.all {
                return Vec::new();
            }
            t.required_features
                .iter()
                .filter(|f| !enabled.contains(f.as_str()))
                .cloned()
                .collect()
        };
        let package_dir = package
            .manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for t in package.targets.iter().filter(|t| t.has_kind("bench")) {
            bench_features.extend(t.required_features.iter().map(|f| match &prefix {
                Some(p) => format!("{p}/{f}"),
                None => f.clone(),
            }));
            let missing = missing_features(t);
            if !missing.is_empty() {
                let named: Vec<String> = missing
                    .iter()
                    .map(|f| match &prefix {
                        Some(p) => format!("\"{p}/{f}\""),
                        None => format!("\"{f}\""),
                    })
                    .collect();
                unmeasured.push(Unmeasured {
                    bench: label(&t.name),
                    reason: format!("needs the features {}", backticked_strings(&missing)),
                    fix: format!(
                        "enable them with `features = [{}]` (or `all_features = true`) under `[target]` in perfgate.toml",
                        named.join(", ")
                    ),
                });
                continue;
            }
            let kind = bench_kind(&read_source(&t.src_path)?);
            if !kind.runs() {
                unmeasured.push(Unmeasured {
                    bench: label(&t.name),
                    reason: "uses libtest's `#[bench]`, which needs a nightly compiler".to_string(),
                    fix: "port it to criterion, divan or gungraun (or give it `harness = false` and a `main` that writes Bencher Metric Format JSON)".to_string(),
                });
                continue;
            }
            all.push(BenchTarget {
                name: t.name.clone(),
                package: package.name.clone(),
                package_spec: package.spec(),
                crate_dir: package_dir.clone(),
                id_prefix: prefix.clone(),
                features: if prefixed {
                    features.cargo_args()
                } else {
                    select.features.cargo_args()
                },
                kind,
                src_path: t.src_path.clone(),
                harness_version: kind
                    .library()
                    .and_then(|library| lock.dependency_version(&package.name, library)),
                filter: None,
            });
        }
        bins.extend(
            package
                .targets
                .iter()
                .filter(|t| t.has_kind("bin") && missing_features(t).is_empty())
                .map(|t| t.name.clone()),
        );
    }
    all.sort_by_key(BenchTarget::artifact_name);
    bins.sort();
    bins.dedup();
    bench_features.sort();
    bench_features.dedup();
    let filter = select.benches.filter(|names| !names.is_empty());
    let benches = match filter {
        None => all,
        Some(names) => {
            let named = |b: &BenchTarget| {
                names
                    .iter()
                    .any(|n| *n == b.name || *n == b.artifact_name())
            };
            if let Some(unknown) = names.iter().find(|n| {
                !all.iter()
                    .any(|b| b.name == **n || b.artifact_name() == **n)
            }) {
                if let Some(left_out) = unmeasured
                    .iter()
                    .find(|u| u.bench == *unknown || u.bench.ends_with(&format!("/{unknown}")))
                {
                    return Err(Error::BenchUnmeasurable {
                        bench: left_out.bench.clone(),
                        reason: left_out.reason.clone(),
                        fix: left_out.fix.clone(),
                    });
                }
                let known: Vec<String> = all.iter().map(BenchTarget::artifact_name).collect();
                return Err(Error::NoBenches {
                    package: display,
                    filter: format!(
                        " named `{unknown}` (its benches: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            backticked_strings(&known)
                        }
                    ),
                });
            }
            unmeasured.retain(|u| {
                names
                    .iter()
                    .any(|n| *n == u.bench || u.bench.rsplit('/').next() == Some(n.as_str()))
            });
            all.into_iter().filter(|b| named(b)).collect()
        }
    };
    if select.require_benches && benches.is_empty() {
        let mut filter = filter
            .map(|names| {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                format!(" among {}", backticked(&names))
            })
            .unwrap_or_default();
        for left_out in &unmeasured {
            filter.push_str(&format!(
                " (`{}` {}: {})",
                left_out.bench, left_out.reason, left_out.fix
            ));
        }
        return Err(Error::NoBenches {
            package: display,
            filter,
        });
    }
    let toolchain = resolve_toolchain(&crate_dir)?;
    unmeasured.sort();
    Ok(TargetInfo {
        package: display,
        packages: chosen
            .iter()
            .map(|p| Package {
                name: p.name.clone(),
                spec: p.spec(),
                manifest_path: p.manifest_path.clone(),
            })
            .collect(),
        manifest_path: manifest.to_path_buf(),
        toolchain,
        crate_dir,
        workspace_root,
        cargo_target_dir: target_directory,
        member_dirs,
        benches,
        bins,
        unmeasured,
        features: select.features.clone(),
        bench_features,
    })
}

/// The packages to measure among the workspace's `members` (see [`target_info`]), in name
/// order.
fn choose_packages(
    members: Vec<MetaPackage>,
    manifest: &Path,
    named: &[String],
    workspace_root: &Path,
) -> Result<Vec<MetaPackage>> {
    if !named.is_empty() {
        if let Some(unknown) = named
            .iter()
            .find(|n| !members.iter().any(|m| &m.name == *n))
        {
            let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
            return Err(Error::UnknownPackage {
                package: unknown.clone(),
                root: workspace_root.to_path_buf(),
                members: backticked(&names),
            });
        }
        let mut chosen: Vec<MetaPackage> = members
            .into_iter()
            .filter(|m| named.contains(&m.name))
            .collect();
        chosen.sort_by(|a, b| a.name.cmp(&b.name));
        return Ok(chosen);
    }
    if members
        .iter()
        .any(|m| same_file(&m.manifest_path, manifest))
    {
        return Ok(members
            .into_iter()
            .filter(|m| same_file(&m.manifest_path, manifest))
            .take(1)
            .collect());
    }
    let is_workspace_root = manifest
        .parent()
        .is_some_and(|dir| same_file(dir, workspace_root));
    if !is_workspace_root || members.is_empty() {
        return Err(Error::ManifestNotFound {
            path: manifest.to_path_buf(),
        });
    }
    let mut chosen: Vec<MetaPackage> = members
        .into_iter()
        .filter(|m| m.targets.iter().any(|t| t.has_kind("bench")))
        .collect();
    chosen.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(chosen)
}

/// The features a build with `features` enables in a package whose `[features]` table is
/// `table`: the named ones and, transitively, the features they enable (the default set
/// counts; `dep:` and `crate/feature` entries are not the package's own features).
fn enabled_features(
    table: &BTreeMap<String, Vec<String>>,
    features: &Features,
) -> BTreeSet<String> {
    let mut enabled = BTreeSet::new();
    let mut todo: Vec<String> = features.enable.clone();
    todo.push("default".to_string());
    while let Some(feature) = todo.pop() {
        if feature.contains(':') || feature.contains('/') || !enabled.insert(feature.clone()) {
            continue;
        }
        if let Some(implied) = table.get(&feature) {
            todo.extend(implied.iter().cloned());
        }
    }
    enabled
}

/// Whether two paths name the same file (compared canonically when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// `` `a`, `b` `` of owned names.
fn backticked_strings(names: &[String]) -> String {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    backticked(&names)
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
mod tests;
