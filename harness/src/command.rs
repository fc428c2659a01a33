//! Wires the stages together for each subcommand: the only module that knows the order of the
//! pipeline. Each stage is called with data and returns data; this module prints the summary
//! and maps the outcome to an exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::{Cli, Command, CompareArgs, Format, ReportArgs, RunArgs};
use crate::config::{self, Config};
use crate::env_field::EnvField;
use crate::error::{Error, exit};
use crate::explain::Explanation;
use crate::gate::{self, ExitPolicy, GateRules, History, Outcome};
use crate::git::{Repo, short};
use crate::lock::RunLock;
use crate::pipeline::{Measured, measure_commit};
use crate::plan::{MeasureRequest, Plan};
use crate::render::gate as gate_render;
use crate::render::summary;
use crate::report;
use crate::store::{self, Baseline};

mod bisect;
mod comment;
mod explain;
mod interleaved;
mod matrix;
mod noise;

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
        Command::Migrate(args) => migrate_command(&args),
        Command::Init(args) => init_command(&args),
        Command::Explain(args) => explain::explain_command(&args),
        Command::Comment(args) => comment::comment_command(&args),
        Command::Profile(args) => explain::profile_command(&args),
        Command::Bisect(args) => bisect::bisect_command(&args),
        Command::Noise(args) => noise::noise_command(&args),
    }
}

/// `perfgate init`.
fn init_command(args: &crate::cli::InitArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = Repo::discover(&cwd)?;
    let root = repo.root();
    let crate_dir = match &args.target {
        Some(dir) => cwd.join(dir),
        None => cwd.clone(),
    };
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

    let done = crate::init::write::set_up(&root, &crate_dir, &target_rel, args.force)?;
    emit(&crate::init::write::summary(&done))?;
    Ok(exit::OK)
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
/// `perfgate migrate`.
fn migrate_command(args: &crate::cli::MigrateArgs) -> anyhow::Result<u8> {
    let Workspace {
        repo,
        baselines: dir,
        ..
    } = Workspace::open(args.config.as_deref(), args.baselines.as_deref())?;
    let _lock = RunLock::acquire(&repo, "`perfgate migrate`", &dir)?;
    let migrated = store::migrate_dir(&dir)?;
    for path in &migrated.rewritten {
        eprintln!("perfgate: migrated {}", path.display());
    }
    emit(&format!(
        "{} baseline(s) rewritten to schema version {}, {} already at it\n",
        migrated.rewritten.len(),
        store::SCHEMA_VERSION,
        migrated.current
    ))?;
    Ok(exit::OK)
}

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
    let merged = store::merge(&parts).map_err(|e| Error::NotComparable {
        message: e.to_string(),
    })?;
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
    let plan = Plan::new(&args.request(), Config::load(&config_path)?, &root, &cwd)?;
    let _lock = RunLock::acquire(&repo, "`perfgate run`", &plan.baselines_dir)?;
    let mut measured = measure_commit(&repo, &plan)?;
    if matrix::pair_profiles(&mut measured, &plan)? {
        measured.path = crate::pipeline::save(&plan, &measured.baseline)?;
    }
    let Measured { baseline, path, .. } = measured;
    if args.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&summary::json(&baseline, &path))?
        ))?;
    } else {
        emit(&summary::table(&baseline))?;
        emit(&summary::unmeasured(&baseline))?;
        emit(&summary::steps(&baseline))?;
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
    Ok(gate::compare(base, head, &history, &rules).map_err(Error::from)?)
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
    let store::Along {
        baselines,
        off_history,
        skipped,
    } = store::along(&dir, &commits)?;
    for (path, e) in skipped {
        eprintln!(
            "perfgate: warning: the report skips {}: {e}",
            path.display()
        );
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
    .map_err(|e| Error::Render {
        message: e.to_string(),
    })?;
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
        let request = MeasureRequest {
            baselines: Some(baselines_dir.clone()),
            rev,
            profiles: args.profiles.clone(),
            quick: args.quick,
            ..MeasureRequest::default()
        };
        Plan::new(&request, config.clone(), root, cwd)
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
    if let Some(path) = &args.comment {
        let links = crate::render::comment::Links {
            repo: args.repo_url.clone(),
            report: args.report_url.clone(),
            run: args.run_url.clone(),
        };
        let body = crate::render::comment::body(&comparison, &explanations, &links);
        crate::atomic::write(&cwd.join(path), body.as_bytes())?;
    }
    if let Some(path) = &args.annotations {
        let lines = crate::render::comment::annotations(&explanations);
        crate::atomic::write(&cwd.join(path), lines.as_bytes())?;
    }
    if let Some(dir) = &html_dir {
        let html = report::site::compare_page(&comparison, &explanations, 0).map_err(|e| {
            Error::Render {
                message: e.to_string(),
            }
        })?;
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

/// The history the noise fences are computed over: the stored baselines of the base's last
/// [`HISTORY`] first-parent commits.
fn history(repo: &Repo, base: &Baseline, dir: &Path) -> anyhow::Result<History> {
    let mut commits = repo.first_parent_history(&base.commit.sha, HISTORY)?;
    commits.reverse();
    let along = store::along(dir, &commits)?;
    for (path, e) in &along.skipped {
        eprintln!("perfgate: warning: history skips {}: {e}", path.display());
    }
    Ok(History::of(base, &along.baselines))
}

/// The gate rules of perfgate.toml; an entry whose `until` commit is the head or one of its
/// ancestors has expired.
fn gate_rules(config: &Config, repo: &Repo, head: &str, path: &Path) -> anyhow::Result<GateRules> {
    let expired = |until: &str| -> crate::error::Result<Option<bool>> {
        match repo.commit(until) {
            Ok(until) => Ok(Some(repo.merge_base(&until.sha, head)? == until.sha)),
            Err(_) => Ok(None),
        }
    };
    Ok(GateRules::from_config(config, path, expired)?)
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
