//! Profile-guided optimisation end to end: an instrumented build, a training run, the merged
//! profile, and the optimised build, each step verified so that a "PGO" number never comes
//! from a build the profile did not reach.
//!
//! The recipe: both builds use the crate's `release` profile with `--target <host>` (without
//! it, `RUSTFLAGS` also reach build scripts and proc-macros, and a profile made without it
//! matches nothing in a build with it) and their own target directories,
//! `<cargo target dir>/perfgate/pgo-gen` and `<cargo target dir>/perfgate/pgo`. The raw
//! profiles go to `<cargo target dir>/perfgate/pgo-data/raw` (an absolute path, emptied before
//! each training) and the merged one to `…/pgo-data/merged.profdata`, which is replaced only
//! when its content changes.
//!
//! The five checks (a failure is [`Error::PgoVerification`] naming the step):
//! 1. `llvm-profdata` has rustc's LLVM major ([`find_profdata`]; a mismatch cannot read
//!    rustc's raw profiles).
//! 2. Training left at least one `.profraw`, and the merged profile has functions with counts
//!    (`llvm-profdata show --value-cutoff=1`).
//! 3. `-Cprofile-use=<merged>` is on the rustc command line of every crate of the target
//!    package, and of every crate compiled for the target in the same build (cargo's `-v`
//!    output). The package is always cleaned (`cargo clean -p`) before the optimised build, so
//!    its crates are always compiled and their command lines always seen; a dependency cargo
//!    reuses is safe to reuse, because rustc records the profile file in its dep-info (cargo
//!    rebuilds it when the file changes) and `RUSTFLAGS` are in cargo's fingerprint.
//! 4. The build runs with `-Cllvm-args=-pgo-warn-missing-function`; its `no profile data
//!    available for function` warnings are counted (cargo shows them for the target package's
//!    crates only). Recorded, never a failure.
//! 5. At least one PGO executable differs (sha256) from the same-named `release` one. The
//!    check means something because `release` is built the same way (`--target <host>`, see
//!    [`crate::builds`]): without a profile the two builds are byte-identical.
//!
//! The merged profile is kept between runs with a record beside it (`…/pgo-data/merged.json`:
//! the key of its inputs and what was verified of it). When a build's inputs have the same key
//! (every file of the repository the build reads, by git object id, the training, the
//! toolchain, the features and `llvm-profdata`'s version) and the profile file is unchanged,
//! the instrumented build, the training and the merge are skipped and the kept profile is used
//! ([`PgoInfo::profile_reused`]); checks 3 to 5 still run on the optimised build. Without a key
//! (a dirty tree, or a target outside git) the profile is always trained again.
//!
//! Criterion training runs for a fixed time, so its counts, the merged profile, every
//! dependency (rebuilt because the profile changed) and the PGO executables differ from run to
//! run. A deterministic `[pgo] train` command gives the same profile each time: nothing but the
//! package is rebuilt and the executables are reproducible. Criterion's own output from
//! training goes to the instrumented build's directory, never to the crate's real results.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::builds::target::{BenchKind, BenchTarget, Built, TargetInfo};
use crate::builds::toolchain::{Toolchain, llvm_major};
use crate::builds::{self, BuildCost, BuildOutput, Stopwatch};
use crate::error::{Error, Result};
use crate::fingerprint::sha256_file;
use crate::measure::{Artifact, PgoInfo};
use crate::plan::{Plan, Sampling, Training};
use crate::process;
use crate::profile::Profile;
use crate::progress::Progress;

/// The harness options of a training run of `bench`: criterion's short sampling, or divan's
/// plain output with few samples.
fn training_args(bench: &BenchTarget) -> Vec<String> {
    match bench.kind {
        BenchKind::Divan => TRAINING_DIVAN_ARGS.iter().map(|a| a.to_string()).collect(),
        _ => TRAINING_SAMPLING.args(bench.harness_minor()),
    }
}

/// divan's options for training: a few samples each, no colour.
const TRAINING_DIVAN_ARGS: [&str; 4] = ["--color", "never", "--sample-count", "10"];

/// Criterion's sampling for training: short, since only the code paths matter.
pub const TRAINING_SAMPLING: Sampling = Sampling {
    warm_up_s: Some(0.1),
    measurement_s: Some(0.2),
    sample_size: Some(10),
    nresamples: None,
};

/// The raw profile file name pattern (`%m`: binary signature, `%p`: process id).
const RAW_PROFILE_PATTERN: &str = "default_%m_%p.profraw";

/// The warning `-pgo-warn-missing-function` makes for a function without profile data.
const MISSING_FUNCTION: &str = "no profile data available for function";

/// The names of the verification steps, as [`Error::PgoVerification`] gives them.
pub mod step {
    /// Step 1: `llvm-profdata` matches rustc's LLVM.
    pub const TOOL: &str = "1/5 llvm-profdata version";
    /// Step 2: training made a profile with counts.
    pub const PROFILE: &str = "2/5 training profile";
    /// Step 3: rustc was given the profile.
    pub const APPLIED: &str = "3/5 -Cprofile-use on rustc";
    /// Step 5: the profile changed the code.
    pub const DIFFERS: &str = "5/5 artifacts differ from release";
}

/// Finds `llvm-profdata` with the LLVM major of the target's toolchain: Debian's
/// `/usr/lib/llvm-<major>/bin/llvm-profdata`, then `llvm-profdata-<major>` on `PATH`, then the
/// copy of rustup's `llvm-tools` component. Its version comes from `llvm-profdata merge
/// --version`. None found is [`Error::ToolMissing`]; the wrong major is [`Error::ToolVersion`]
/// naming both versions. Returns the program and its version (`22.1.8`).
pub fn find_profdata(rustc: &Toolchain) -> Result<(PathBuf, String)> {
    let major = rustc.llvm_major().ok_or_else(|| Error::ToolOutput {
        tool: "rustc",
        path: PathBuf::from("-"),
        message: format!(
            "`rustc -vV` gives LLVM version `{}`, not a version number",
            rustc.llvm_version
        ),
    })?;
    let fix = format!(
        "install Debian's `llvm-{major}` (`apt-get install llvm-{major}`, or run `scripts/setup.sh`), or rustup's `llvm-tools` component"
    );
    let Some(path) = profdata_candidates(&major, rustc).into_iter().next() else {
        return Err(Error::ToolMissing {
            tool: format!("llvm-profdata-{major}"),
            fix,
        });
    };
    let mut cmd = Command::new(&path);
    cmd.args(["merge", "--version"]);
    let output = process::run(&mut cmd, &fix)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let version = parse_llvm_version(&text).ok_or_else(|| Error::ToolOutput {
        tool: "llvm-profdata",
        path: PathBuf::from("-"),
        message: format!("`{}` names no `LLVM version`", process::command_line(&cmd)),
    })?;
    if llvm_major(&version).as_deref() != Some(major.as_str()) {
        return Err(Error::ToolVersion {
            tool: path.to_string_lossy().into_owned(),
            found: format!("LLVM {version}"),
            expected: format!(
                "LLVM {major}, the LLVM of rustc {} (LLVM {})",
                rustc.release, rustc.llvm_version
            ),
            fix,
        });
    }
    Ok((path, version))
}

/// The environment variable that names the `llvm-profdata` to use, overriding the search.
pub const PROFDATA_ENV: &str = "PERFGATE_LLVM_PROFDATA";

/// The `llvm-profdata` programs that exist, best first (only the one named by
/// [`PROFDATA_ENV`] when it is set: its version is still checked).
fn profdata_candidates(major: &str, rustc: &Toolchain) -> Vec<PathBuf> {
    if let Some(path) = std::env::var_os(PROFDATA_ENV) {
        return vec![PathBuf::from(path)];
    }
    let mut out = vec![PathBuf::from(format!(
        "/usr/lib/llvm-{major}/bin/llvm-profdata"
    ))];
    if let Some(path) = std::env::var_os("PATH") {
        out.extend(
            std::env::split_paths(&path).map(|dir| dir.join(format!("llvm-profdata-{major}"))),
        );
    }
    if let Some(sysroot) = rustc.sysroot() {
        out.push(
            sysroot
                .join("lib/rustlib")
                .join(&rustc.host)
                .join("bin/llvm-profdata"),
        );
    }
    out.retain(|p| p.is_file());
    out
}

/// The version in `llvm-profdata merge --version` output (`Debian LLVM version 22.1.8`).
fn parse_llvm_version(text: &str) -> Option<String> {
    let rest = &text[text.find("LLVM version")? + "LLVM version".len()..];
    let version = rest
        .trim_start_matches([':', ' '])
        .split_whitespace()
        .next()?;
    llvm_major(version).map(|_| version.to_string())
}

/// The PGO directories of a target.
struct Dirs {
    /// The instrumented build's target directory.
    gen_dir: PathBuf,
    /// The optimised build's target directory.
    use_dir: PathBuf,
    /// Where training writes raw profiles.
    raw: PathBuf,
    /// The merged profile.
    merged: PathBuf,
}

impl Dirs {
    fn new(target: &TargetInfo) -> Result<Dirs> {
        let absolute = |p: PathBuf| {
            std::path::absolute(&p).map_err(|source| Error::Io {
                action: "resolve",
                path: p,
                source,
            })
        };
        let data = absolute(target.profile_dir("pgo-data"))?;
        Ok(Dirs {
            gen_dir: absolute(target.profile_dir("pgo-gen"))?,
            use_dir: absolute(target.profile_dir(Profile::Pgo.name()))?,
            raw: data.join("raw"),
            merged: data.join("merged.profdata"),
        })
    }

    /// The record kept beside the merged profile.
    fn record(&self) -> PathBuf {
        self.merged.with_extension("json")
    }
}

/// The record kept beside the merged profile: the key of the inputs it was trained from and
/// what was verified of it then.
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptProfile {
    key: String,
    info: PgoInfo,
}

/// The key of a PGO profile's inputs: `inputs` (the key of every file the build reads), the
/// training, the toolchain, the features and `llvm-profdata`'s version.
fn profile_key(inputs: &str, plan: &Plan, rustc: &Toolchain, llvm_profdata: &str) -> String {
    crate::fingerprint::sha256_hex(
        format!(
            "{inputs}\n{:?}\n{}\n{}\n{:?}\n{llvm_profdata}",
            plan.training, rustc.version, rustc.commit_hash, plan.features
        )
        .as_bytes(),
    )
}

/// The kept profile's record when its key is `key` and the profile file is the one recorded.
fn kept_profile(dirs: &Dirs, key: &str) -> Option<PgoInfo> {
    let text = fs::read_to_string(dirs.record()).ok()?;
    let kept: KeptProfile = serde_json::from_str(&text).ok()?;
    let same_file = sha256_file(&dirs.merged).ok()? == kept.info.profdata_sha256;
    (kept.key == key && same_file).then_some(kept.info)
}

/// Writes the record of the merged profile just trained from inputs of key `key`.
fn keep_profile(dirs: &Dirs, key: String, info: &PgoInfo) -> Result<()> {
    let kept = KeptProfile {
        key,
        info: info.clone(),
    };
    let json = serde_json::to_vec_pretty(&kept)
        .expect("a kept profile's record has string keys and plain numbers, so it serialises");
    crate::atomic::write(&dirs.record(), &json)
}

/// Builds `target` with PGO: the instrumented build, the training (`plan.training`: every
/// criterion bench of `target` in a short run, or the configured command run from the crate's
/// directory with `PERFGATE_BIN_DIR` set to the instrumented binaries' directory), the merged
/// profile, and the optimised build, verified in five steps (see the module docs). `release`
/// is the `release` build of the same benches and binaries, for step 5. Each stage is reported
/// to `progress` as it starts (`pgo: instrumented build`, `pgo: training`, `pgo: merging the
/// profile`, `pgo: optimised build`).
///
/// Returns the PGO build (its `cargo_args` carry `--target <host>` and its environment the
/// `RUSTFLAGS`, so `built.cargo("bench")` reuses it), what was verified, and the cost of the
/// optimised build, as [`builds::build`] gives it for the other profiles (dependencies
/// included when they were rebuilt, which they are whenever the profile changed; the
/// instrumented build and the training are not in it). `inputs` is the key of every file of the
/// repository the build reads (`None`: unknown); with it, a profile kept from an earlier build
/// with the same inputs is used instead of training again (see the module docs).
pub fn build(
    target: &TargetInfo,
    plan: &Plan,
    release: &Built,
    inputs: Option<&str>,
    progress: &Progress,
) -> Result<(Built, PgoInfo, BuildCost)> {
    let name = Profile::Pgo.name();
    let rustc = &target.toolchain;
    let (profdata, version) = find_profdata(rustc).map_err(|e| match e {
        Error::ToolVersion { .. } => Error::PgoVerification {
            step: step::TOOL,
            detail: e.to_string(),
        },
        other => other,
    })?;
    let dirs = Dirs::new(target)?;
    let llvm_profdata = format!(
        "{} {version}",
        profdata
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "llvm-profdata".to_string())
    );
    let key = inputs.map(|inputs| profile_key(inputs, plan, rustc, &llvm_profdata));
    let kept = key.as_deref().and_then(|key| kept_profile(&dirs, key));
    let trained = match kept {
        Some(mut info) => {
            progress.step(name, "profile kept (same inputs), no training");
            info.profile_reused = true;
            info
        }
        None => {
            let info = train_profile(target, plan, &profdata, &dirs, llvm_profdata, progress)?;
            if let Some(key) = key {
                keep_profile(&dirs, key, &info)?;
            }
            info
        }
    };

    let use_flag = format!("-Cprofile-use={}", dirs.merged.display());
    let mut pgo = pgo_built(
        target,
        &rustc.host,
        &dirs.use_dir,
        &[
            use_flag.clone(),
            "-Cllvm-args=-pgo-warn-missing-function".to_string(),
        ],
        plan.bench_timeout,
    );
    progress.step(name, "optimised build");
    let mut clean = pgo.cargo("clean");
    clean.args(target.package_args());
    process::run(&mut clean, process::hint::RUST)?;
    let watch = Stopwatch::start();
    let output = builds::cargo_build(target, &pgo, &["-v"])?;
    let cost = watch.stop();
    builds::record_artifacts(&mut pgo, target, &output.messages)?;

    check_profile_use(&output, target, &rustc.host, &use_flag).map_err(|detail| {
        Error::PgoVerification {
            step: step::APPLIED,
            detail: detail + &encoded_rustflags_note(),
        }
    })?;
    let missing_function_warnings = count_missing_function_warnings(&output.diagnostics());
    let (differing, compared) = differing_artifacts(&pgo.artifacts, &release.artifacts);
    if compared == 0 {
        return Err(Error::PgoVerification {
            step: step::DIFFERS,
            detail: "no PGO executable has a `release` counterpart to compare with; build `release` with the same benches first".to_string(),
        });
    }
    if differing == 0 {
        return Err(Error::PgoVerification {
            step: step::DIFFERS,
            detail: format!(
                "profile not applied: PGO artifacts identical to release ({compared} compared)"
            ),
        });
    }
    let info = PgoInfo {
        missing_function_warnings,
        ..trained
    };
    Ok((pgo, info, cost))
}

/// The instrumented build, the training and the merge (checks 1 and 2): what is known of the
/// merged profile before the optimised build.
fn train_profile(
    target: &TargetInfo,
    plan: &Plan,
    profdata: &Path,
    dirs: &Dirs,
    llvm_profdata: String,
    progress: &Progress,
) -> Result<PgoInfo> {
    let name = Profile::Pgo.name();
    let rustc = &target.toolchain;
    crate::atomic::fresh_dir(&dirs.raw)?;

    let generate = format!("-Cprofile-generate={}", dirs.raw.display());
    let mut gen_build = pgo_built(
        target,
        &rustc.host,
        &dirs.gen_dir,
        &[generate],
        plan.bench_timeout,
    );
    progress.step(name, "instrumented build");
    let output = builds::cargo_build(target, &gen_build, &[])?;
    builds::record_artifacts(&mut gen_build, target, &output.messages)?;

    progress.step(name, "training");
    let training = train(target, plan, &gen_build, &rustc.host, dirs)?;
    progress.step(name, "merging the profile");
    let (raw_profiles, functions_with_counts) = merge(profdata, dirs, &training)?;
    Ok(PgoInfo {
        training,
        profdata_sha256: sha256_file(&dirs.merged)?,
        functions_with_counts,
        raw_profiles,
        llvm_profdata,
        missing_function_warnings: 0,
        profile_reused: false,
    })
}

/// A PGO build's settings: the crate's `release` profile for the host target, in `dir`, with
/// `flags` for rustc.
fn pgo_built(
    target: &TargetInfo,
    host: &str,
    dir: &Path,
    flags: &[String],
    bench_timeout: std::time::Duration,
) -> Built {
    Built {
        profile: Profile::Pgo,
        manifest_path: target.manifest_path.clone(),
        crate_dir: target.crate_dir.clone(),
        target_dir: dir.to_path_buf(),
        cargo_args: vec![
            "--profile".to_string(),
            Profile::Pgo.cargo_profile().to_string(),
            "--target".to_string(),
            host.to_string(),
            "--target-dir".to_string(),
            dir.to_string_lossy().into_owned(),
        ],
        env: vec![rustflags_env(flags)],
        features: target.features.cargo_args(),
        bench_exes: Default::default(),
        bins: Default::default(),
        artifacts: Vec::new(),
        bench_timeout: Some(bench_timeout),
    }
}

/// `RUSTFLAGS`, or `CARGO_ENCODED_RUSTFLAGS` when a flag holds whitespace (a path with a
/// space), which `RUSTFLAGS` would split.
fn rustflags_env(flags: &[String]) -> (String, String) {
    if flags.iter().any(|f| f.contains(char::is_whitespace)) {
        ("CARGO_ENCODED_RUSTFLAGS".to_string(), flags.join("\u{1f}"))
    } else {
        ("RUSTFLAGS".to_string(), flags.join(" "))
    }
}

/// A hint when the environment overrides perfgate's `RUSTFLAGS`.
fn encoded_rustflags_note() -> String {
    if std::env::var_os("CARGO_ENCODED_RUSTFLAGS").is_some() {
        "; `CARGO_ENCODED_RUSTFLAGS` is set in the environment and overrides `RUSTFLAGS`: unset it"
            .to_string()
    } else {
        String::new()
    }
}

/// Runs the training workload on the instrumented build; returns it as a command line
/// without machine paths (it joins the fingerprint).
fn train(
    target: &TargetInfo,
    plan: &Plan,
    gen_build: &Built,
    host: &str,
    dirs: &Dirs,
) -> Result<String> {
    let profile_file = dirs.raw.join(RAW_PROFILE_PATTERN);
    match &plan.training {
        Training::Benches => {
            let benches: Vec<&BenchTarget> = target
                .benches
                .iter()
                .filter(|b| matches!(b.kind, BenchKind::Criterion | BenchKind::Divan))
                .collect();
            if benches.is_empty() {
                return Err(Error::PgoVerification {
                    step: step::PROFILE,
                    detail: format!(
                        "no criterion or divan bench of `{}` is selected to train with; select one in `benches`, or set `[pgo] train` in perfgate.toml",
                        target.package
                    ),
                });
            }
            let mut shown = Vec::new();
            for bench in benches {
                let args = training_args(bench);
                let mut cmd = gen_build.cargo_bench(bench);
                let bench = bench.name.as_str();
                cmd.args(["--bench", bench, "--"])
                    .args(&args)
                    .env("LLVM_PROFILE_FILE", &profile_file)
                    .env("CRITERION_HOME", gen_build.target_dir.join("criterion"));
                let output = gen_build.run_bench(&mut cmd, bench, "pgo (training)")?;
                if !output.status.success() {
                    return Err(Error::BenchFailed {
                        bench: bench.to_string(),
                        profile: "pgo (training)".to_string(),
                        command: process::command_line(&cmd),
                        status: process::status_text(output.status),
                        stderr_tail: process::tail(&output.stderr),
                    });
                }
                shown.push(format!("cargo bench --bench {bench} -- {}", args.join(" ")));
            }
            Ok(shown.join("; "))
        }
        Training::Command(argv) => {
            let Some((program, args)) = argv.split_first() else {
                return Err(Error::PgoVerification {
                    step: step::PROFILE,
                    detail: "the training command (`[pgo] train` in perfgate.toml) is empty"
                        .to_string(),
                });
            };
            let bin_dir = gen_build.target_dir.join(host).join("release");
            let mut cmd = Command::new(program);
            cmd.args(args)
                .current_dir(&target.crate_dir)
                .env("PERFGATE_BIN_DIR", &bin_dir)
                .env("LLVM_PROFILE_FILE", &profile_file);
            let output = process::spawn_output(&mut cmd, process::hint::TARGET)?;
            if !output.status.success() {
                return Err(Error::CommandFailed {
                    command: process::command_line(&cmd),
                    status: process::status_text(output.status),
                    stderr_tail: process::tail(&output.stderr),
                    hint: Some(
                        "this is the PGO training command, `[pgo] train` in perfgate.toml; it runs from the crate's directory with the instrumented binaries in `$PERFGATE_BIN_DIR`".to_string(),
                    ),
                });
            }
            Ok(argv
                .iter()
                .map(|a| process::shell_word(a))
                .collect::<Vec<_>>()
                .join(" "))
        }
    }
}

/// Merges the raw profiles into `dirs.merged` (replacing it only if the content changed, so an
/// unchanged profile rebuilds nothing) and checks step 2. Returns the number of raw profiles
/// and of functions with counts.
fn merge(profdata: &Path, dirs: &Dirs, training: &str) -> Result<(u64, u64)> {
    let step2 = |detail: String| Error::PgoVerification {
        step: step::PROFILE,
        detail,
    };
    let entries = fs::read_dir(&dirs.raw).map_err(|source| Error::Io {
        action: "list",
        path: dirs.raw.clone(),
        source,
    })?;
    let mut raws: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "profraw"))
        .collect();
    raws.sort();
    if raws.is_empty() {
        return Err(step2(format!(
            "training (`{training}`) left no `.profraw` in `{}`: it ran no instrumented program{}",
            dirs.raw.display(),
            encoded_rustflags_note()
        )));
    }
    let fresh = dirs.merged.with_extension("profdata.new");
    let mut cmd = Command::new(profdata);
    cmd.arg("merge").arg("-o").arg(&fresh).args(&raws);
    let output = process::spawn_output(&mut cmd, process::hint::LLVM)?;
    if !output.status.success() {
        return Err(step2(format!(
            "`{}` failed ({}): {}",
            process::command_line(&cmd),
            process::status_text(output.status),
            process::tail(&output.stderr)
        )));
    }
    let mut show = Command::new(profdata);
    show.arg("show").arg("--value-cutoff=1").arg(&fresh);
    let output = process::run(&mut show, process::hint::LLVM)?;
    let summary =
        ProfileSummary::parse(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| {
            step2(format!(
                "`{}` printed no `Total functions:`",
                process::command_line(&show)
            ))
        })?;
    if summary.total_functions == 0 || summary.functions_with_counts == 0 {
        return Err(step2(format!(
            "the merged profile has {} functions, {} with counts: training (`{training}`) did not run the instrumented code",
            summary.total_functions, summary.functions_with_counts
        )));
    }
    let unchanged = dirs.merged.is_file() && sha256_file(&dirs.merged)? == sha256_file(&fresh)?;
    let (result, path) = if unchanged {
        (fs::remove_file(&fresh), fresh.clone())
    } else {
        (fs::rename(&fresh, &dirs.merged), dirs.merged.clone())
    };
    result.map_err(|source| Error::Io {
        action: "write",
        path,
        source,
    })?;
    Ok((raws.len() as u64, summary.functions_with_counts))
}

/// What `llvm-profdata show --value-cutoff=1` says of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ProfileSummary {
    /// `Total functions:`.
    total_functions: u64,
    /// `Number of functions with maximum count (>= 1):`, or, from an `llvm-profdata` that does
    /// not print it, every function if `Maximum function count:` is above 0, else none.
    functions_with_counts: u64,
}

impl ProfileSummary {
    fn parse(text: &str) -> Option<ProfileSummary> {
        let number = |prefix: &str| {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(prefix))
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let total_functions = number("Total functions:")?;
        let functions_with_counts = number("Number of functions with maximum count (>= 1):")
            .unwrap_or_else(|| match number("Maximum function count:") {
                Some(max) if max > 0 => total_functions,
                _ => 0,
            });
        Some(ProfileSummary {
            total_functions,
            functions_with_counts,
        })
    }
}

/// Step 3 on a verbose build's output: every crate of the target package was compiled in this
/// build (none reused) with `flag` on its rustc command line, and so was every other crate
/// compiled for `host`. Returns how many rustc command lines carried the flag.
fn check_profile_use(
    output: &BuildOutput,
    target: &TargetInfo,
    host: &str,
    flag: &str,
) -> std::result::Result<usize, String> {
    let rustc_lines: Vec<&str> = output
        .stderr
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("Running `") && line.contains(" --crate-name "))
        .collect();
    let units: Vec<_> = target
        .packages
        .iter()
        .flat_map(|p| builds::package_units(&output.messages, &p.manifest_path))
        .collect();
    if units.is_empty() {
        return Err(format!(
            "cargo reported no crate of `{}` in the PGO build",
            target.package
        ));
    }
    let host_only = ["custom-build", "proc-macro"];
    for (unit, fresh) in units {
        if unit.kind.iter().any(|k| host_only.contains(&k.as_str())) {
            // Build scripts and proc-macros run on the host: `--target` keeps RUSTFLAGS off
            // them, by design.
            continue;
        }
        if fresh {
            return Err(format!(
                "cargo reused `{}` of `{}` without compiling it, so its rustc command line cannot be checked",
                unit.name, target.package
            ));
        }
        let crate_arg = format!(" --crate-name {} ", unit.name.replace('-', "_"));
        let absolute = unit.src_path.to_string_lossy().into_owned();
        let relative = unit
            .src_path
            .strip_prefix(&target.workspace_root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| absolute.clone());
        let Some(line) = rustc_lines.iter().find(|line| {
            line.contains(&crate_arg) && (line.contains(&absolute) || line.contains(&relative))
        }) else {
            return Err(format!(
                "cargo's verbose output has no rustc command line for `{}` of `{}`",
                unit.name, target.package
            ));
        };
        if !line.contains(flag) {
            return Err(format!(
                "`{flag}` is missing from the rustc command line of `{}` of `{}`",
                unit.name, target.package
            ));
        }
    }
    let target_arg = format!(" --target {host} ");
    let for_target: Vec<&&str> = rustc_lines
        .iter()
        .filter(|line| line.contains(&target_arg))
        .collect();
    if let Some(line) = for_target.iter().find(|line| !line.contains(flag)) {
        let name = line
            .split(" --crate-name ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or("?");
        return Err(format!(
            "`{flag}` is missing from the rustc command line of crate `{name}`"
        ));
    }
    Ok(for_target.len())
}

/// How many `no profile data available for function` warnings rustc gave.
fn count_missing_function_warnings(diagnostics: &str) -> u64 {
    diagnostics
        .lines()
        .filter(|line| line.contains(MISSING_FUNCTION))
        .count() as u64
}

/// Of the PGO artifacts with a same-named, same-kind `release` artifact: how many differ in
/// sha256, and how many were compared.
fn differing_artifacts(pgo: &[Artifact], release: &[Artifact]) -> (usize, usize) {
    let mut differing = 0;
    let mut compared = 0;
    for a in pgo {
        if let Some(r) = release
            .iter()
            .find(|r| r.name == a.name && r.kind == a.kind)
        {
            compared += 1;
            if r.sha256 != a.sha256 {
                differing += 1;
            }
        }
    }
    (differing, compared)
}

#[cfg(test)]
mod tests;
