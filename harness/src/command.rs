//! Wires the stages together for each subcommand: the only module that knows the order of the
//! pipeline. Each stage is called with data and returns data; this module prints the summary
//! and maps the outcome to an exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::build;
use crate::cli::{Cli, Command, CompareArgs, Format, ReportArgs, RunArgs};
use crate::config::{self, Config};
use crate::env_field::EnvField;
use crate::error::{Error, exit};
use crate::explain::Explanation;
use crate::fingerprint;
use crate::gate::{self, Budget, ExitPolicy, GateRules, History, Outcome, Rule, SeriesKey};
use crate::git::{Repo, short};
use crate::lock::RunLock;
use crate::measure::Measurement;
use crate::pgo;
use crate::plan::Plan;
use crate::profile::Profile;
use crate::progress::Progress;
use crate::render::gate as gate_render;
use crate::render::summary;
use crate::report;
use crate::run;
use crate::store::{self, Baseline, ProfileRun};
use crate::target::{BenchKind, Built, TargetInfo};

mod bisect;
mod explain;
mod interleaved;

/// Runs the subcommand; returns the exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Run(args) => run_command(&args),
        Command::Compare(args) => compare_command(&args),
        Command::Report(args) => report_command(&args),
        Command::Export(args) => export_command(&args),
        Command::Push(args) => data_branch_command(&args, true),
        Command::Fetch(args) => data_branch_command(&args, false),
        Command::Merge(args) => merge_command(&args),
        Command::Init(args) => init_command(&args),
        Command::Explain(args) => explain::explain_command(&args),
        Command::Profile(args) => explain::profile_command(&args),
        Command::Bisect(args) => bisect::bisect_command(&args),
    }
}

/// `perfgate init`.
fn init_command(args: &crate::cli::InitArgs) -> anyhow::Result<u8> {
    use crate::init;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = Repo::discover(&cwd)?;
    let root = repo.root();
    let crate_dir = match &args.target {
        Some(dir) => cwd.join(dir),
        None => cwd.clone(),
    };
    let manifest = crate_dir.join("Cargo.toml");
    let target = build::inspect_crate(&manifest)?;
    let target_rel = crate_dir
        .canonicalize()
        .ok()
        .and_then(|d| {
            let root = root.canonicalize().ok()?;
            d.strip_prefix(&root).ok().map(Path::to_path_buf)
        })
        .map(|p| {
            if p.as_os_str().is_empty() {
                ".".to_string()
            } else {
                p.display().to_string()
            }
        })
        .unwrap_or_else(|| crate_dir.display().to_string());

    let config_file = root.join(config::FILE_NAME);
    let workflow_file = root.join(".github/workflows/perf.yml");
    for path in [&config_file, &workflow_file] {
        if path.exists() && !args.force {
            return Err(Error::AlreadyExists { path: path.clone() }.into());
        }
    }

    let measured: Vec<String> = target
        .benches
        .iter()
        .filter(|b| b.kind != BenchKind::Other)
        .map(|b| b.name.clone())
        .collect();
    let mut written = Vec::new();
    let mut notes = Vec::new();
    let benches = if measured.is_empty() {
        let lib_rs = crate_dir.join("src/lib.rs");
        let source = std::fs::read_to_string(&lib_rs).unwrap_or_default();
        match init::find_entry(&source) {
            Some(entry) => {
                let krate = library_name(&manifest, &target.package);
                let wall = crate_dir.join("benches/perfgate_wall.rs");
                let instructions = crate_dir.join("benches/perfgate_instructions.rs");
                crate::atomic::write(&wall, init::criterion_bench(&krate, &entry).as_bytes())?;
                crate::atomic::write(&instructions, init::iai_bench(&krate, &entry).as_bytes())?;
                add_bench_dependencies(&crate_dir, &manifest)?;
                written.extend([relative(&root, &wall), relative(&root, &instructions)]);
                written.push(relative(&root, &manifest));
                if root.join("Cargo.lock").exists() || crate_dir.join("Cargo.lock").exists() {
                    written.push(relative(&root, &target.workspace_root.join("Cargo.lock")));
                }
                notes.push(format!(
                    "the benches call `{krate}::{}`; make them call the code whose speed matters",
                    entry.name
                ));
                vec![
                    "perfgate_wall".to_string(),
                    "perfgate_instructions".to_string(),
                ]
            }
            None => {
                notes.push(format!(
                    "no bench written: `{}` has no public function with plain arguments to call; add a criterion or iai-callgrind bench and list it in perfgate.toml",
                    lib_rs.display()
                ));
                Vec::new()
            }
        }
    } else {
        measured
    };
    let bin = target.bins.first().map(String::as_str);
    crate::atomic::write(
        &config_file,
        init::config(&target_rel, &benches, bin).as_bytes(),
    )?;
    crate::atomic::write(&workflow_file, init::workflow().as_bytes())?;
    written.insert(0, relative(&root, &workflow_file));
    written.insert(0, config::FILE_NAME.to_string());

    let mut text = String::from("perfgate init wrote:\n");
    for file in &written {
        text.push_str(&format!("  {file}\n"));
    }
    for note in &notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text.push_str("next:\n");
    for (i, command) in init::next_commands(&written).iter().enumerate() {
        text.push_str(&format!("  {}. {command}\n", i + 1));
    }
    emit(&text)?;
    Ok(exit::OK)
}

/// `path` relative to `root`, as text.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The library name of the crate: `[lib] name` of its manifest, else the package name with
/// `-` as `_`.
fn library_name(manifest: &Path, package: &str) -> String {
    let from_manifest = std::fs::read_to_string(manifest).ok().and_then(|text| {
        let doc = config_core::parse(&text).ok()?;
        let lib = doc.get("lib")?.as_table()?;
        lib.get("name")?.as_str().map(str::to_string)
    });
    from_manifest.unwrap_or_else(|| package.replace('-', "_"))
}

/// Adds criterion and iai-callgrind as dev-dependencies (`cargo add`) and the two generated
/// benches as `[[bench]]` targets of `manifest`.
fn add_bench_dependencies(crate_dir: &Path, manifest: &Path) -> anyhow::Result<()> {
    use crate::init;
    let criterion = format!("criterion@{}", init::CRITERION);
    let iai = format!("iai-callgrind@={}", init::IAI_CALLGRIND);
    for args in [
        vec![
            "add",
            "--dev",
            criterion.as_str(),
            "--no-default-features",
            "--features",
            "cargo_bench_support",
        ],
        vec!["add", "--dev", iai.as_str()],
    ] {
        crate::process::run(
            std::process::Command::new("cargo")
                .args(&args)
                .current_dir(crate_dir),
            crate::process::hint::RUST,
        )?;
    }
    let mut text = std::fs::read_to_string(manifest).map_err(|source| Error::Io {
        action: "read",
        path: manifest.to_path_buf(),
        source,
    })?;
    text.push_str(init::BENCH_SECTIONS);
    crate::atomic::write(manifest, text.as_bytes())?;
    Ok(())
}

/// `perfgate push` (`push` true) and `perfgate fetch`.
fn data_branch_command(args: &crate::cli::DataBranchArgs, push: bool) -> anyhow::Result<u8> {
    let Workspace {
        repo,
        baselines: dir,
        ..
    } = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let _lock = RunLock::acquire(
        &repo,
        if push {
            "`perfgate push`"
        } else {
            "`perfgate fetch`"
        },
        &dir,
    )?;
    if push {
        let pushed = crate::databranch::push(&repo, &args.remote, &args.branch, &dir)?;
        match pushed.commit {
            Some(commit) => emit(&format!(
                "pushed {} baseline(s) to `{}` of `{}` ({})\n",
                pushed.updated,
                args.branch,
                args.remote,
                short(&commit)
            ))?,
            None => emit(&format!(
                "`{}` of `{}` already has every local baseline\n",
                args.branch, args.remote
            ))?,
        }
    } else {
        let fetched = crate::databranch::fetch(&repo, &args.remote, &args.branch, &dir)?;
        if fetched.branch_exists {
            emit(&format!(
                "fetched `{}` of `{}`: {} baseline(s) written to {}, {} already there\n",
                args.branch,
                args.remote,
                fetched.added,
                dir.display(),
                fetched.present
            ))?;
        } else {
            emit(&format!(
                "`{}` has no branch `{}` yet; `perfgate push` creates it\n",
                args.remote, args.branch
            ))?;
        }
    }
    Ok(exit::OK)
}

/// `perfgate merge`.
fn merge_command(args: &crate::cli::MergeArgs) -> anyhow::Result<u8> {
    let Workspace {
        repo,
        baselines: dir,
        ..
    } = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let _lock = RunLock::acquire(&repo, "`perfgate merge`", &dir)?;
    let commit = repo.commit(&args.rev)?;
    let paths = store::partials(&dir, &commit.sha)?;
    if paths.is_empty() {
        return Err(Error::NoBaseline {
            rev: args.rev.clone(),
            short: short(&commit.sha).to_string(),
            dir: dir.join(store::PARTIAL_DIR),
        }
        .into());
    }
    let mut parts = Vec::new();
    for path in &paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        parts.push((name, store::load(path)?));
    }
    let merged = store::merge(&parts).map_err(|message| Error::NotComparable { message })?;
    let written = store::save(&dir, &merged)?;
    for path in &paths {
        // The parts are in the merged baseline now; best effort.
        let _ = std::fs::remove_file(path);
    }
    emit(&format!(
        "merged {} part(s) ({}) into {}\n",
        parts.len(),
        merged
            .profiles
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        written.display()
    ))?;
    Ok(exit::OK)
}

/// The program: parses `args` (the program name first), runs the subcommand, prints an error
/// chain once, and maps the outcome to an exit code (0 ok, 1 regression, 2 error, 3
/// incomparable under `--strict`). Both binaries, `perfgate` and `cargo-perfgate`, call it.
pub fn main(args: Vec<std::ffi::OsString>) -> std::process::ExitCode {
    use clap::Parser as _;
    let cli = Cli::parse_from(args);
    match dispatch(cli) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::from(exit::ERROR)
        }
    }
}

/// `perfgate export`.
fn export_command(args: &crate::cli::ExportArgs) -> anyhow::Result<u8> {
    let Workspace {
        cwd,
        repo,
        baselines: dir,
        ..
    } = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let baseline = stored_baseline(&repo, &dir, &args.rev)?;
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&crate::render::export::export(&baseline, args.format))?
    );
    match &args.out {
        Some(out) => crate::atomic::write(&cwd.join(out), text.as_bytes())?,
        None => emit(&text)?,
    }
    Ok(exit::OK)
}

/// `perfgate run`.
fn run_command(args: &RunArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = Repo::discover(&cwd)?;
    let root = repo.root();
    let config_path = config_path(args.config.as_deref(), &cwd, &root);
    let plan = Plan::new(args, Config::load(&config_path)?, &root, &cwd)?;
    let _lock = RunLock::acquire(&repo, "`perfgate run`", &plan.baselines_dir)?;
    let Measured { baseline, path, .. } = measure_commit(&repo, &plan)?;
    if plan.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&summary::json(&baseline, &path))?
        ))?;
    } else {
        emit(&summary::table(&baseline))?;
        emit(&format!("baseline written to {}\n", path.display()))?;
    }
    Ok(exit::OK)
}

/// The config file: the one given, else `perfgate.toml` at the repository root.
fn config_path(given: Option<&Path>, cwd: &Path, root: &Path) -> std::path::PathBuf {
    match given {
        Some(path) => cwd.join(path),
        None => root.join(config::FILE_NAME),
    }
}

/// A commit measured: its baseline, where it was written, and what it was measured on (the
/// builds of each profile, and the worktree they were built from, kept while this lives).
pub(crate) struct Measured {
    /// The baseline stored.
    pub baseline: Baseline,
    /// Where it was written.
    pub path: std::path::PathBuf,
    /// The target as found in the measured checkout.
    pub target: TargetInfo,
    /// Each profile's build.
    pub builds: BTreeMap<String, Built>,
    /// The temporary checkout of a commit other than HEAD; removed when dropped.
    pub _worktree: Option<crate::git::Worktree>,
}

/// Measures the commit of `plan` (HEAD, or `plan.rev` in a temporary worktree) under every
/// profile and stores its baseline; returns it with where it was written and what it ran.
pub(crate) fn measure_commit(repo: &Repo, plan: &Plan) -> anyhow::Result<Measured> {
    let root = repo.root();
    let baselines_rel = plan
        .baselines_dir
        .strip_prefix(&root)
        .unwrap_or(&plan.baselines_dir)
        .to_path_buf();
    let worktree = match &plan.rev {
        Some(rev) => Some(repo.worktree(rev)?),
        None => None,
    };
    let (commit, dirty) = match &worktree {
        Some(tree) => (tree.commit().clone(), false),
        None => {
            let commit = repo.commit("HEAD")?;
            let changed = repo.dirty_paths(&[baselines_rel.as_path()])?;
            if !changed.is_empty() && !plan.allow_dirty {
                let mut shown: Vec<String> = changed.iter().take(5).cloned().collect();
                if changed.len() > 5 {
                    shown.push(format!("and {} more", changed.len() - 5));
                }
                return Err(Error::DirtyWorkTree {
                    paths: shown.join(", "),
                }
                .into());
            }
            (commit, !changed.is_empty())
        }
    };
    let source_root = worktree.as_ref().map_or(root.as_path(), |t| t.path());
    let crate_dir = plan.target_in(source_root);
    let target = build::inspect(&crate_dir.join("Cargo.toml"), plan.benches.as_deref())?;
    let fingerprint = fingerprint::collect(&target.workspace_root.join("Cargo.lock"))?;
    preflight(plan, &target)?;

    let progress = Progress::new(steps(plan, &target));
    let mut profiles = BTreeMap::new();
    let mut builds = BTreeMap::new();
    let mut release: Option<Built> = None;
    for &profile in &plan.profiles {
        let (run, built) = measure_profile(plan, &target, profile, &mut release, &progress)?;
        profiles.insert(profile.name().to_string(), run);
        builds.insert(profile.name().to_string(), built);
    }
    progress.finish();

    let baseline = Baseline {
        schema_version: store::SCHEMA_VERSION,
        perfgate_version: env!("CARGO_PKG_VERSION").to_string(),
        commit,
        dirty,
        mode: plan.mode().to_string(),
        created: now_unix(),
        target: target.package.clone(),
        fingerprint,
        profiles,
    };
    let path = if plan.partial {
        store::save_partial(&plan.baselines_dir, &baseline)?
    } else {
        store::save(&plan.baselines_dir, &baseline)?
    };
    Ok(Measured {
        baseline,
        path,
        target,
        builds,
        _worktree: worktree,
    })
}

/// Where a subcommand works: the current directory, the repository around it, its config,
/// and the baseline folder.
struct Workspace {
    cwd: PathBuf,
    repo: Repo,
    root: PathBuf,
    config_path: PathBuf,
    config: Config,
    baselines: PathBuf,
}

impl Workspace {
    /// The workspace of the current directory, with the config file and baseline folder given
    /// on the command line, if any: the config defaults to `perfgate.toml` at the repository
    /// root; the baselines to `[run] baselines` of the config, else `baselines` at the root.
    fn open(config: Option<&Path>, baselines: Option<&Path>) -> anyhow::Result<Workspace> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let repo = Repo::discover(&cwd)?;
        let root = repo.root();
        let config_path = config_path(config, &cwd, &root);
        let config = Config::load(&config_path)?;
        let baselines = match (baselines, &config.baselines) {
            (Some(dir), _) => cwd.join(dir),
            (None, Some(dir)) => root.join(dir),
            (None, None) => root.join("baselines"),
        };
        Ok(Workspace {
            cwd,
            repo,
            root,
            config_path,
            config,
            baselines,
        })
    }
}

/// The stored baseline of the commit `rev` names, or the error that says how to make it.
fn stored_baseline(repo: &Repo, dir: &Path, rev: &str) -> anyhow::Result<Baseline> {
    let commit = repo.commit(rev)?;
    let path = store::find(dir, &commit.sha)?.ok_or_else(|| Error::NoBaseline {
        rev: rev.to_string(),
        short: short(&commit.sha).to_string(),
        dir: dir.to_path_buf(),
    })?;
    Ok(store::load(&path)?)
}

/// `compare` of two baselines with everything the command layer adds: the noise fences'
/// history before the base, and the environment changes that base..head explains.
fn compare_baselines(
    repo: &Repo,
    dir: &Path,
    rules: &GateRules,
    base: &Baseline,
    head: &Baseline,
) -> anyhow::Result<gate::Comparison> {
    let rules = GateRules {
        explained: explained_changes(&repo.changed_paths(&base.commit.sha, &head.commit.sha)?),
        ..rules.clone()
    };
    let history = history(repo, base, dir)?;
    Ok(gate::compare(base, head, &history, &rules)
        .map_err(|message| Error::NotComparable { message })?)
}

/// The default report folder, at the repository root.
const REPORTS: &str = "reports";

/// `perfgate report`.
fn report_command(args: &ReportArgs) -> anyhow::Result<u8> {
    let Workspace {
        cwd,
        repo,
        root,
        config_path,
        config,
        baselines: dir,
    } = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let out = match &args.out {
        Some(out) => cwd.join(out),
        None => root.join(REPORTS),
    };
    let head = repo.commit("HEAD")?;
    let since = match &args.since {
        Some(rev) => Some(repo.commit(rev)?.sha),
        None => None,
    };
    let mut commits = repo.first_parent_history(&head.sha, usize::MAX)?;
    if let Some(since) = &since {
        match commits.iter().position(|c| &c.sha == since) {
            Some(at) => commits.truncate(at + 1),
            None => {
                return Err(Error::NotOnHistory {
                    rev: args.since.clone().unwrap_or_default(),
                }
                .into());
            }
        }
    }
    commits.reverse();
    let stored = store::list(&dir)?;
    let on_history: std::collections::BTreeSet<&str> =
        commits.iter().map(|c| c.sha.as_str()).collect();
    let mut baselines = Vec::new();
    let mut off_history = 0;
    let mut by_sha = BTreeMap::new();
    for path in &stored {
        let name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        match store::parse_file_name(name) {
            // A dirty baseline belongs to no commit's history.
            Some((_, true)) | None => {}
            Some((sha, false)) if on_history.contains(sha) => {
                by_sha.insert(sha.to_string(), path.clone());
            }
            Some(_) => off_history += 1,
        }
    }
    for commit in &commits {
        let Some(path) = by_sha.get(&commit.sha) else {
            continue;
        };
        match store::load(path) {
            Ok(b) => baselines.push(b),
            Err(e) => eprintln!(
                "perfgate: warning: the report skips {}: {e}",
                path.display()
            ),
        }
    }
    let refs: Vec<&Baseline> = baselines.iter().collect();
    let trends = report::trend::Trends::build(&refs);
    let latest = baselines.iter().rev().find(|b| b.target == trends.target);
    let rules = gate_rules(&config, &repo, &head.sha, &config_path)?;
    let verdicts = match baselines.len() {
        // Baselines of two targets are not compared (the trends keep the newest one's).
        n if n >= 2 && baselines[n - 2].target == baselines[n - 1].target => Some(
            compare_baselines(&repo, &dir, &rules, &baselines[n - 2], &baselines[n - 1])?,
        ),
        _ => None,
    };
    let budgets = latest
        .map(|b| gate::check_budgets(b, &rules.budgets))
        .unwrap_or_default();
    let requested = match &args.compare {
        Some(pair) if pair.len() == 2 => {
            let base = stored_baseline(&repo, &dir, &pair[0])?;
            let head = stored_baseline(&repo, &dir, &pair[1])?;
            Some(compare_baselines(&repo, &dir, &rules, &base, &head)?)
        }
        _ => None,
    };
    let pages = report::site::render(&report::site::Inputs {
        trends: &trends,
        latest,
        verdicts: verdicts.as_ref(),
        budgets: &budgets,
        compare: requested.as_ref(),
        off_history,
    })
    .map_err(|message| Error::Render { message })?;
    let index = report::write_site(&out, &pages)?;
    emit(&format!(
        "report of {} ({} series, {} pages) written to {}\n",
        match trends.commits.len() {
            1 => "1 commit".to_string(),
            n => format!("{n} commits"),
        },
        trends.series.len(),
        pages.len(),
        index.display()
    ))?;
    Ok(exit::OK)
}

/// How many baselines of the base's history the noise fences are computed over.
const HISTORY: usize = 30;

/// `perfgate compare`.
fn compare_command(args: &CompareArgs) -> anyhow::Result<u8> {
    let ws = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let Workspace {
        cwd,
        repo,
        root,
        config_path,
        config,
        baselines: baselines_dir,
    } = &ws;
    // Measuring (or explaining) builds in worktrees and writes baselines: one at a time.
    let _lock = if args.run || args.run_missing || args.explain {
        Some(RunLock::acquire(repo, "`perfgate compare`", baselines_dir)?)
    } else {
        None
    };
    let head = repo.commit(&args.head)?;
    let base = if args.merge_base {
        let sha = repo.merge_base(&args.base, &args.head)?;
        repo.commit(&sha)?
    } else {
        repo.commit(&args.base)?
    };
    // The plan of `perfgate run --rev REV` with this comparison's profiles and mode.
    let plan_of = |rev: Option<String>| {
        let run_args = RunArgs {
            baselines: Some(baselines_dir.clone()),
            config: args.config.clone(),
            ..RunArgs::measuring(rev, args.profiles.clone(), args.quick)
        };
        Plan::new(&run_args, config.clone(), root, cwd)
    };
    let measure = |commit: &crate::git::CommitInfo| -> anyhow::Result<Measured> {
        measure_commit(repo, &plan_of(Some(commit.sha.clone()))?)
    };
    let mut rules = gate_rules(config, repo, &head.sha, config_path)?;
    let mut comparison = if args.run {
        // The rules of this pair: what base..head explains is compared normally.
        rules.explained = explained_changes(&repo.changed_paths(&base.sha, &head.sha)?);
        let startup = plan_of(None)?.startup;
        interleaved::compare_both(&interleaved::Job {
            base: &base,
            head: &head,
            measure: &measure,
            full: !args.quick,
            startup,
            history: &|base: &Baseline| history(repo, base, baselines_dir),
            rules: &rules,
            baselines_dir,
        })?
    } else {
        let mut sides = Vec::new();
        for (rev, commit) in [(&args.base, &base), (&args.head, &head)] {
            let path = match store::find(baselines_dir, &commit.sha)? {
                Some(path) => path,
                None if args.run_missing => {
                    eprintln!(
                        "perfgate: no baseline for `{rev}`; measuring {}",
                        short(&commit.sha)
                    );
                    sides.push(measure(commit)?.baseline);
                    continue;
                }
                None => {
                    return Err(Error::NoBaseline {
                        rev: rev.clone(),
                        short: short(&commit.sha).to_string(),
                        dir: baselines_dir.clone(),
                    }
                    .into());
                }
            };
            sides.push(store::load(&path)?);
        }
        let head_baseline = sides.pop().expect("two sides were loaded");
        let base_baseline = sides.pop().expect("two sides were loaded");
        compare_baselines(repo, baselines_dir, &rules, &base_baseline, &head_baseline)?
    };
    comparison.policy = ExitPolicy {
        strict: args.strict,
        fail_on_missing: args.fail_on_missing,
    };
    let html_dir = args.html.as_ref().map(|dir| {
        if dir.as_os_str().is_empty() {
            root.join(REPORTS)
        } else {
            cwd.join(dir)
        }
    });
    let explanations = if args.explain {
        explain::explain_regressions(&ws, &comparison, html_dir.as_deref())?
    } else {
        Vec::new()
    };
    if let Some(dir) = &html_dir {
        let html = report::site::compare_page(&comparison, &explanations, 0)
            .map_err(|message| Error::Render { message })?;
        let path = report::write_page(
            dir,
            &report::Page {
                path: "compare.html".into(),
                html,
            },
        )?;
        eprintln!("perfgate: compare page written to {}", path.display());
    }
    match args.format {
        Format::Table => {
            emit(&gate_render::table(&comparison))?;
            for e in &explanations {
                emit(&e.text())?;
            }
        }
        Format::Markdown => {
            emit(&gate_render::markdown(&comparison))?;
            for e in &explanations {
                emit(&e.markdown())?;
            }
        }
        Format::Json => {
            let mut json = gate_render::json(&comparison);
            if args.explain {
                json["explanations"] = explanations.iter().map(Explanation::json).collect();
            }
            emit(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
        }
    }
    Ok(match comparison.outcome() {
        Outcome::Pass => exit::OK,
        Outcome::Regression => exit::REGRESSION,
        Outcome::Incomparable => exit::INCOMPARABLE,
    })
}

/// The values of every series over the last [`HISTORY`] baselines on the base's first-parent
/// history (oldest first), from baselines of the same toolchain, host and CPU as the base's.
/// An unreadable baseline there is skipped with a warning: history only sharpens the fences.
fn history(repo: &Repo, base: &Baseline, dir: &Path) -> anyhow::Result<History> {
    let mut history = History::default();
    let commits = repo.first_parent_history(&base.commit.sha, HISTORY)?;
    for commit in commits.iter().rev() {
        let Some(path) = store::find(dir, &commit.sha)? else {
            continue;
        };
        let baseline = match store::load(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("perfgate: warning: history skips {}: {e}", path.display());
                continue;
            }
        };
        let same_class = baseline.target == base.target
            && baseline.fingerprint.same_environment(&base.fingerprint);
        if !same_class {
            continue;
        }
        for (profile, run) in &baseline.profiles {
            for m in &run.measurements {
                let key = SeriesKey::of(profile, m);
                history.values.entry(key).or_default().push(m.value);
            }
        }
    }
    Ok(history)
}

/// The gate rules of perfgate.toml; an entry whose `until` commit is the head or one of its
/// ancestors has expired.
fn gate_rules(config: &Config, repo: &Repo, head: &str, path: &Path) -> anyhow::Result<GateRules> {
    let defaults = GateRules::default();
    let mut rules = GateRules {
        threshold_pct: config.threshold_pct.unwrap_or(defaults.threshold_pct),
        alpha: config.alpha.unwrap_or(defaults.alpha),
        per_metric: config.gate_metrics.clone(),
        per_bench: config.gate_benches.clone(),
        ..defaults
    };
    for (section, entries) in [
        ("ignore", &config.ignore),
        ("acknowledge", &config.acknowledge),
    ] {
        for (i, entry) in entries.iter().enumerate() {
            let expired = match &entry.until {
                None => false,
                Some(until) => {
                    let until_sha = repo.commit(until).map_err(|_| Error::ConfigInvalid {
                        path: path.to_path_buf(),
                        key: format!("{section}[{i}].until"),
                        problem: format!("names no commit (`{until}`); give a commit sha"),
                    })?;
                    repo.merge_base(&until_sha.sha, head)? == until_sha.sha
                }
            };
            let rule = Rule {
                bench: entry.bench.clone(),
                metric: entry.metric.clone(),
                profile: entry.profile.clone(),
                reason: entry.reason.clone(),
                until: entry.until.clone(),
                expired,
            };
            if section == "ignore" {
                rules.ignore.push(rule);
            } else {
                rules.acknowledge.push(rule);
            }
        }
    }
    rules.budgets = config
        .budgets
        .iter()
        .map(|b| Budget {
            bench: b.bench.clone(),
            metric: b.metric.clone(),
            profile: b.profile.clone(),
            max: b.max,
        })
        .collect();
    Ok(rules)
}

/// Environment differences that the range base..head explains by its own changes (gate.md
/// §2.2): a changed Cargo.lock, toolchain file or cargo profile is the commit's doing, so the
/// series stay comparable and their reasons say why.
fn explained_changes(changed: &[String]) -> BTreeMap<EnvField, String> {
    let mut explained = BTreeMap::new();
    let file = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    for path in changed {
        match file(path).as_str() {
            "Cargo.lock" => {
                explained.insert(
                    EnvField::CargoLock,
                    "Cargo.lock changed in range".to_string(),
                );
            }
            "rust-toolchain" | "rust-toolchain.toml" => {
                for field in [
                    EnvField::Rustc,
                    EnvField::RustcCommitHash,
                    EnvField::LlvmVersion,
                ] {
                    explained.insert(field, format!("{path} changed in range"));
                }
            }
            _ => {}
        }
    }
    explained
}

/// Prints `text` on stdout; a closed pipe (`perfgate compare | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Checks the tools the plan needs before anything is built: valgrind and the runner of each
/// kind of callgrind bench (DHAT's valgrind for the start-up allocations too), and an
/// `llvm-profdata` of rustc's LLVM for `pgo`.
fn preflight(plan: &Plan, target: &TargetInfo) -> anyhow::Result<()> {
    preflight_benches(target)?;
    if plan.startup.is_some() {
        crate::process::first_line("valgrind", &["--version"], crate::process::hint::VALGRIND)?;
    }
    if plan.profiles.contains(&Profile::Pgo) {
        pgo::find_profdata()?;
    }
    Ok(())
}

/// Checks the tools the selected callgrind benches of `target` need (valgrind, and each
/// kind's runner at the version in Cargo.lock), before anything is built.
fn preflight_benches(target: &TargetInfo) -> anyhow::Result<()> {
    let lock = target.workspace_root.join("Cargo.lock");
    for kind in [BenchKind::Iai, BenchKind::Gungraun] {
        if target.benches.iter().any(|b| b.kind == kind) {
            run::iai::preflight(kind, &lock)?;
        }
    }
    Ok(())
}

/// How many progress steps a run has: per profile, the build, the build time, each bench, and
/// the size, start-up and allocation measurements.
fn steps(plan: &Plan, target: &TargetInfo) -> u64 {
    let benches = target
        .benches
        .iter()
        .filter(|b| b.kind != BenchKind::Other)
        .count() as u64;
    let startup = if plan.startup.is_some() { 2 } else { 0 };
    plan.profiles.len() as u64 * (3 + benches + startup)
}

/// Builds and measures one profile. `release` holds the release build once made: PGO needs it
/// to prove that the profile changed the code.
fn measure_profile(
    plan: &Plan,
    target: &TargetInfo,
    profile: Profile,
    release: &mut Option<Built>,
    progress: &Progress,
) -> anyhow::Result<(ProfileRun, Built)> {
    let name = profile.name();
    progress.step(name, "building");
    let (built, cost, pgo_info) = if profile == Profile::Pgo {
        if release.is_none() {
            progress.step(
                name,
                "building release (the PGO build is checked against it)",
            );
            *release = Some(build::build(target, Profile::Release, plan)?.0);
        }
        let reference = release.as_ref().expect("built just above");
        let (built, info, cost) = pgo::build(target, plan, reference, progress)?;
        (built, cost, Some(info))
    } else {
        let (built, cost) = build::build(target, profile, plan)?;
        if profile == Profile::Release {
            *release = Some(built.clone());
        }
        (built, cost, None)
    };
    progress.done();

    progress.step(name, "timing clean builds of the crate");
    let mut measurements = build::build_time(target, &built, plan.build_time_samples, &cost)?;
    progress.done();

    let results = built.target_dir.join("perfgate-results");
    for bench in &target.benches {
        let home = results.join(&bench.name);
        match bench.kind {
            BenchKind::Criterion => {
                progress.step(name, &format!("bench `{}` (criterion)", bench.name));
                crate::atomic::fresh_dir(&home)?;
                measurements.extend(run::criterion::run(
                    &built,
                    bench,
                    &plan.criterion_args,
                    &home,
                )?);
            }
            BenchKind::Iai | BenchKind::Gungraun => {
                progress.step(name, &format!("bench `{}` (callgrind)", bench.name));
                crate::atomic::fresh_dir(&home)?;
                measurements.extend(run::iai::run(&built, bench, &home)?);
            }
            BenchKind::Other => continue,
        }
        progress.done();
    }

    progress.step(name, "binary sizes");
    measurements.extend(run::size::measure(&built)?);
    progress.done();
    if let Some(startup) = &plan.startup {
        progress.step(
            name,
            &format!("start-up of `{}` ×{}", startup.binary, startup.runs),
        );
        measurements.extend(run::startup::measure(&built, startup)?);
        progress.done();
        progress.step(name, &format!("allocations of `{}` (DHAT)", startup.binary));
        measurements.extend(run::alloc::measure(&built, startup)?);
        progress.done();
    }
    sort(&mut measurements);
    let run = ProfileRun {
        settings: profile.settings().into_iter().collect(),
        artifacts: built.artifacts.clone(),
        pgo: pgo_info,
        measurements,
    };
    Ok((run, built))
}

/// Measurements in a stable order, so baselines diff cleanly.
fn sort(measurements: &mut [Measurement]) {
    measurements.sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
