//! `perfgate explain` and `perfgate profile`: which functions a bench's instructions went to
//! (and, for a binary, which symbols its bytes), at one commit or as the change between two.
//!
//! Each commit is built in a temporary worktree under the chosen profile, with line tables
//! added to the target package (they change no code) so callgrind can name files and lines,
//! into the checkout's own target directory (dependencies are reused), and its iai-callgrind
//! bench target is run once; callgrind's output is kept in the cache
//! `target/perfgate-explain/<sha>/<profile>/<bench target>/`, so asking again costs nothing.
//! The pure work (reading callgrind, the difference, folded stacks, the SVGs, symbol sizes) is
//! in [`crate::explain`].

use std::path::{Path, PathBuf};

use crate::atomic;
use crate::builds;
use crate::builds::target::{BenchKind, TargetInfo};
use crate::cli::{ExplainArgs, Format, ProfileArgs};
use crate::error::{Error, exit};
use crate::explain::callgrind::{self, CallgrindProfile};
use crate::explain::{Explanation, diff, flame, folded, symbols};
use crate::gate::{Comparison, Verdict};
use crate::git::{self, CommitInfo};
use crate::lock::RunLock;
use crate::metric::Metric;
use crate::plan::{MeasureRequest, Plan};
use crate::profile::Profile;
use crate::run;

use super::{Workspace, emit};
use crate::pipeline::preflight_benches;

/// The marker of a complete cache entry (written last).
const COMPLETE: &str = "complete";

/// One commit's callgrind profile of one benchmark, and the raw file it came from.
pub(crate) struct Callgrind {
    /// The commit.
    pub commit: CommitInfo,
    /// The parsed profile.
    pub profile: CallgrindProfile,
    /// callgrind's own output file (for `callgrind_annotate` and KCachegrind).
    pub raw: PathBuf,
}

/// `perfgate explain BENCH [A B]`.
pub(super) fn explain_command(args: &ExplainArgs) -> anyhow::Result<u8> {
    let ws = Workspace::open(args.config.as_deref(), None)?;
    let _lock = RunLock::acquire(&ws.repo, "`perfgate explain`", &ws.baselines)?;
    let profile = explainable_profile(&args.profile, "explain", &args.bench)?;
    let out_dir = output_dir(&ws, args.out.as_deref(), &args.bench);
    if let Some(binary) = args.bench.strip_prefix("binary/") {
        return explain_size(&ws, binary, args, profile);
    }
    let a = callgrind_of(&ws, &args.a, &args.bench, profile)?;
    let b = callgrind_of(&ws, &args.b, &args.bench, profile)?;
    let changes = diff::diff(&a.profile, &b.profile);
    let title = format!(
        "{} ({}): {} → {}",
        args.bench,
        profile.name(),
        git::short(&a.commit.sha),
        git::short(&b.commit.sha)
    );
    let svg = flame::differential_svg(
        &title,
        &folded::folded_stacks(&a.profile),
        &folded::folded_stacks(&b.profile),
    )
    .map_err(|e| render_error(&out_dir, e))?;
    let svg_path = out_dir.join("diff.svg");
    atomic::write(&svg_path, svg.as_bytes())?;
    let head = format!(
        "{}: {} instructions at {} → {} at {} ({})",
        args.bench,
        a.profile.total,
        git::short(&a.commit.sha),
        b.profile.total,
        git::short(&b.commit.sha),
        percent(a.profile.total, b.profile.total),
    );
    match args.format {
        Format::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "bench": args.bench,
                "profile": profile.name(),
                "a": { "commit": a.commit.sha, "instructions": a.profile.total, "callgrind": a.raw },
                "b": { "commit": b.commit.sha, "instructions": b.profile.total, "callgrind": b.raw },
                "functions": changes
                    .iter()
                    .take(args.top)
                    .map(diff::FunctionChange::json)
                    .collect::<Vec<_>>(),
                "flamegraph": svg_path,
            }))?
        ))?,
        Format::Markdown => emit(&format!(
            "### Why `{}` changed\n\n{head}\n\n{}\nDifferential flamegraph: `{}`\n",
            args.bench,
            crate::render::functions::render_markdown(&changes, args.top),
            svg_path.display()
        ))?,
        Format::Table => {
            emit(&format!(
                "{head}\n\n{}\n",
                crate::render::functions::render_table(&changes, args.top)
            ))?;
            emit(&format!(
                "differential flamegraph (red: more instructions): {}\n{}",
                svg_path.display(),
                raw_commands(&[&a, &b])
            ))?;
        }
    }
    Ok(exit::OK)
}

/// `perfgate profile BENCH [REV]`: one commit's functions, by their own instructions.
pub(super) fn profile_command(args: &ProfileArgs) -> anyhow::Result<u8> {
    let ws = Workspace::open(args.config.as_deref(), None)?;
    let _lock = RunLock::acquire(&ws.repo, "`perfgate profile`", &ws.baselines)?;
    let profile = explainable_profile(&args.profile, "profile", &args.bench)?;
    let out_dir = output_dir(&ws, args.out.as_deref(), &args.bench);
    let one = callgrind_of(&ws, &args.rev, &args.bench, profile)?;
    let title = format!(
        "{} ({}) at {}",
        args.bench,
        profile.name(),
        git::short(&one.commit.sha)
    );
    let svg = flame::flamegraph_svg(&title, &folded::folded_stacks(&one.profile))
        .map_err(|e| render_error(&out_dir, e))?;
    let svg_path = out_dir.join("flamegraph.svg");
    atomic::write(&svg_path, svg.as_bytes())?;
    // A profile of one commit is the difference from nothing: every function's own cost.
    let nothing = CallgrindProfile::default();
    let functions = diff::diff(&nothing, &one.profile);
    emit(&format!(
        "{}: {} instructions at {} ({})\n\n{}\nflamegraph: {}\n{}",
        args.bench,
        one.profile.total,
        git::short(&one.commit.sha),
        one.commit.subject,
        crate::render::functions::render_table(&functions, args.top),
        svg_path.display(),
        raw_commands(&[&one])
    ))?;
    Ok(exit::OK)
}

/// `explain binary/NAME A B`: the symbols and crates that grew or shrank the binary.
fn explain_size(
    ws: &Workspace,
    binary: &str,
    args: &ExplainArgs,
    profile: Profile,
) -> anyhow::Result<u8> {
    let read = |rev: &str| -> anyhow::Result<(CommitInfo, symbols::SymbolSizes)> {
        let (commit, _tree, target, plan) = checkout(ws, rev, profile, false, Some(&[]))?;
        if !target.bins.iter().any(|b| b == binary) {
            return Err(Error::UnknownBench {
                bench: format!("binary/{binary}"),
                place: format!(
                    "among the binaries of `{}` at {}",
                    target.package,
                    git::short(&commit.sha)
                ),
                known: list(target.bins.iter().map(|b| format!("binary/{b}"))),
            }
            .into());
        }
        let (built, _) = builds::build(&target, profile, &plan)?;
        let exe = built.bin(binary).ok_or_else(|| Error::CannotExplain {
            action: "explain",
            bench: format!("binary/{binary}"),
            reason: "the build made no such executable".to_string(),
            fix: "check that `cargo build --bins` builds it".to_string(),
        })?;
        let sizes = symbols::read_symbols(exe).map_err(|e| Error::CannotExplain {
            action: "explain",
            bench: format!("binary/{binary}"),
            reason: e.to_string(),
            fix: "see above".to_string(),
        })?;
        Ok((commit, sizes))
    };
    let (a_commit, a) = read(&args.a)?;
    let (b_commit, b) = read(&args.b)?;
    let change = symbols::diff(&a, &b);
    let head = format!(
        "binary/{binary} ({}): {} bytes at {} → {} at {} ({})",
        profile.name(),
        a.file_size,
        git::short(&a_commit.sha),
        b.file_size,
        git::short(&b_commit.sha),
        percent(a.file_size, b.file_size)
    );
    match args.format {
        Format::Markdown => emit(&format!(
            "### Why `binary/{binary}` changed\n\n{head}\n\n{}",
            crate::render::sizes::render_markdown(&change, args.top)
        ))?,
        _ => emit(&format!(
            "{head}\n\n{}",
            crate::render::sizes::render_table(&change, args.top)
        ))?,
    }
    Ok(exit::OK)
}

/// The profile to explain under: any but `pgo` (whose build needs a training run first).
pub(super) fn explainable_profile(
    name: &str,
    action: &'static str,
    bench: &str,
) -> anyhow::Result<Profile> {
    let profile = Profile::parse(name)?;
    if profile == Profile::Pgo {
        return Err(Error::CannotExplain {
            action,
            bench: bench.to_string(),
            reason: "the `pgo` profile is built from a training run, which this does not make"
                .to_string(),
            fix: "explain under `release`, `release-lto` or `release-consistent` (`--profile`)"
                .to_string(),
        }
        .into());
    }
    Ok(profile)
}

/// Where the SVGs go: the folder given, else `reports/explain/<bench>/`.
fn output_dir(ws: &Workspace, given: Option<&Path>, bench: &str) -> PathBuf {
    match given {
        Some(dir) => ws.cwd.join(dir),
        None => ws.root.join("reports").join("explain").join(slug(bench)),
    }
}

/// A bench id as a folder name: path separators and other awkward bytes become `_`.
pub(crate) fn slug(bench: &str) -> String {
    bench
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn render_error(dir: &Path, e: crate::explain::flame::FlameError) -> Error {
    Error::Render {
        message: format!("the flamegraph for `{}`: {e}", dir.display()),
    }
}

/// "+12.3%" of `b` against `a`.
fn percent(a: u64, b: u64) -> String {
    if a == 0 {
        return "new".to_string();
    }
    format!("{:+.1}%", (b as f64 / a as f64 - 1.0) * 100.0)
}

/// The items comma-separated, or `none`.
pub(super) fn list(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    if all.is_empty() {
        "none".to_string()
    } else {
        all.join(", ")
    }
}

/// How to open the raw callgrind files.
fn raw_commands(profiles: &[&Callgrind]) -> String {
    let mut out = String::new();
    for one in profiles {
        out.push_str(&format!(
            "{}: callgrind_annotate --inclusive=yes {} | less; kcachegrind {}\n",
            git::short(&one.commit.sha),
            one.raw.display(),
            one.raw.display()
        ));
    }
    out
}

/// A checkout of `rev` with its target inspected and a plan for one profile: the commit, the
/// temporary worktree (removed when dropped), the target (its bench targets narrowed to
/// `benches` when given; built into the main checkout's target directory, so dependencies are
/// reused), and the plan.
pub(super) fn checkout(
    ws: &Workspace,
    rev: &str,
    profile: Profile,
    line_tables: bool,
    benches: Option<&[String]>,
) -> anyhow::Result<(CommitInfo, git::Worktree, TargetInfo, Plan)> {
    let tree = ws.repo.worktree(rev)?;
    let commit = tree.commit().clone();
    let request = MeasureRequest {
        rev: Some(commit.sha.clone()),
        profiles: Some(profile.name().to_string()),
        quick: true,
        ..MeasureRequest::default()
    };
    let mut plan = Plan::new(&request, ws.config.clone(), &ws.root, &ws.cwd)?;
    let main_target = builds::inspect_crate(
        &plan.target_in(&ws.root).join("Cargo.toml"),
        &plan.features,
        &plan.packages,
    )?;
    let mut target = builds::inspect_crate(
        &plan.target_in(tree.path()).join("Cargo.toml"),
        &plan.features,
        &plan.packages,
    )?;
    if line_tables {
        // The target package only: its dependencies stay as `perfgate run` builds them, so
        // they are not compiled again.
        let p = profile.cargo_profile();
        plan.extra_cargo_config = vec![format!(
            "profile.{p}.package.{}.debug=\"line-tables-only\"",
            target.package
        )];
    }
    if let Some(only) = benches {
        // Build only the bench targets asked for (the binaries are built anyway).
        target.benches.retain(|b| only.contains(&b.name));
    }
    target.cargo_target_dir = main_target.cargo_target_dir;
    Ok((commit, tree, target, plan))
}

/// The callgrind profile of benchmark `bench` at `rev` under `profile`: from the cache, or by
/// building the commit and running the iai-callgrind bench target the id names.
pub(crate) fn callgrind_of(
    ws: &Workspace,
    rev: &str,
    bench: &str,
    profile: Profile,
) -> anyhow::Result<Callgrind> {
    let commit = ws.repo.commit(rev)?;
    // The id's first part names its bench target, or, when the target measures several
    // packages, its package (`<package>::<bench target>::…`).
    let first = bench.split("::").next().unwrap_or(bench).to_string();
    let cache = ws
        .root
        .join("target")
        .join("perfgate-explain")
        .join(&commit.sha)
        .join(profile.name())
        .join(&first);
    // A target of several packages keeps each bench target's run in a directory of its own.
    let second = bench.split("::").nth(1).unwrap_or_default();
    let cached = cache.join(COMPLETE).is_file()
        || (!second.is_empty() && cache.join(second).join(COMPLETE).is_file());
    if !cached {
        let (commit, _tree, mut target, plan) = checkout(ws, &commit.sha, profile, true, None)?;
        let callgrind_benches: Vec<_> = target
            .benches
            .iter()
            .filter(|b| matches!(b.kind, BenchKind::Iai | BenchKind::Gungraun))
            .collect();
        let several = target.packages.len() > 1;
        let chosen: Vec<_> = if several {
            callgrind_benches
                .iter()
                .filter(|b| b.package == first && b.name.replace('-', "_") == second)
                .map(|b| (*b).clone())
                .collect()
        } else {
            callgrind_benches
                .iter()
                .filter(|b| b.name.replace('-', "_") == first)
                .map(|b| (*b).clone())
                .collect()
        };
        let Some(bench_target) = chosen.first().cloned() else {
            return Err(no_bench_target(bench, &target, &commit, &callgrind_benches));
        };
        target.benches = vec![bench_target.clone()];
        preflight_benches(&target)?;
        let (built, _) = builds::build(&target, profile, &plan)?;
        let home = if several {
            cache.join(second)
        } else {
            cache.clone()
        };
        crate::atomic::fresh_dir(&home)?;
        run::iai::run(&built, &bench_target, &home)?;
        atomic::write(&home.join(COMPLETE), commit.sha.as_bytes())?;
    }
    let target_name = first;
    // The summaries name benchmarks without the package.
    let (mut raw, known) = find_raw(&cache, bench)?;
    if raw.is_none()
        && let Some((_, local)) = bench.split_once("::")
    {
        raw = find_raw(&cache, local)?.0;
    }
    let Some(raw) = raw else {
        return Err(Error::UnknownBench {
            bench: bench.to_string(),
            place: format!(
                "in bench target `{target_name}` at {}",
                git::short(&commit.sha)
            ),
            known: list(known.into_iter()),
        }
        .into());
    };
    let text = std::fs::read_to_string(&raw).map_err(|source| Error::Io {
        action: "read",
        path: raw.clone(),
        source,
    })?;
    let profile_data = callgrind::parse(&text).map_err(|e| Error::ToolOutput {
        tool: "callgrind",
        path: raw.clone(),
        message: e.to_string(),
    })?;
    check_symbols(bench, &profile_data, profile)?;
    let mut profile_data = profile_data;
    for f in &mut profile_data.functions {
        f.file = checkout_relative(&f.file, &ws.root);
    }
    Ok(Callgrind {
        commit,
        profile: profile_data,
        raw,
    })
}

/// A source path as the repository names it: the temporary worktree's (or the checkout's) root
/// taken off, so files read the same at every commit. Other paths (the toolchain's, a
/// dependency's) are kept.
fn checkout_relative(file: &str, root: &Path) -> String {
    if let Some(at) = file.find("/perfgate-worktree-") {
        // `<tmp>/perfgate-worktree-XXXX/<checkout>/<path>`: drop up to `<checkout>/`.
        let rest = &file[at + 1..];
        let mut parts = rest.splitn(3, '/');
        if let (Some(_), Some(_), Some(path)) = (parts.next(), parts.next(), parts.next()) {
            return path.to_string();
        }
    }
    Path::new(file)
        .strip_prefix(root)
        .map_or_else(|_| file.to_string(), |p| p.to_string_lossy().into_owned())
}

/// The error for a bench id whose first part names no callgrind bench target.
fn no_bench_target(
    bench: &str,
    target: &TargetInfo,
    commit: &CommitInfo,
    callgrind_benches: &[&crate::builds::target::BenchTarget],
) -> anyhow::Error {
    if callgrind_benches.is_empty() {
        return Error::CannotExplain {
            action: "explain",
            bench: bench.to_string(),
            reason: format!(
                "`{}` has no iai-callgrind (or gungraun) bench target, so there is no callgrind data",
                target.package
            ),
            fix: "add one (`perfgate init` writes a skeleton), or explain a `binary/<name>` size".to_string(),
        }
        .into();
    }
    Error::UnknownBench {
        bench: bench.to_string(),
        place: format!(
            "in the callgrind bench targets of `{}` at {} (an id starts with its bench target's name)",
            target.package,
            git::short(&commit.sha)
        ),
        known: list(callgrind_benches.iter().map(|b| format!("{}::…", b.name))),
    }
    .into()
}

/// The callgrind file of benchmark `bench` in an iai-callgrind home (the directory whose
/// `summary.json` names it), and every benchmark id the home has.
fn find_raw(home: &Path, bench: &str) -> anyhow::Result<(Option<PathBuf>, Vec<String>)> {
    let mut summaries = Vec::new();
    run::find_files(home, "summary.json", &mut summaries)?;
    let mut known = Vec::new();
    let mut found = None;
    for summary in summaries {
        let text = std::fs::read_to_string(&summary).map_err(|source| Error::Io {
            action: "read",
            path: summary.clone(),
            source,
        })?;
        let ids: Vec<String> = run::iai::parse_summary(&text)
            .map_err(|e| Error::ToolOutput {
                tool: "iai-callgrind",
                path: summary.clone(),
                message: e.to_string(),
            })?
            .into_iter()
            .map(|m| m.bench)
            .collect();
        let Some(id) = ids.into_iter().next() else {
            continue;
        };
        if id == bench
            && let Some(dir) = summary.parent()
        {
            found = callgrind_file(dir)?;
        }
        known.push(id);
    }
    known.sort();
    known.dedup();
    Ok((found, known))
}

/// The `callgrind.*.out` file in `dir` (not the `.old` of an earlier run).
fn callgrind_file(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        action: "list",
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(entries.flatten().map(|e| e.path()).find(|p| {
        p.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with("callgrind.") && n.ends_with(".out")
        })
    }))
}

/// Refuses a profile that cannot name functions or places: stripped symbols (callgrind shows
/// addresses) or no line tables (every file is `???`).
fn check_symbols(bench: &str, data: &CallgrindProfile, profile: Profile) -> anyhow::Result<()> {
    let counted: Vec<_> = data.functions.iter().filter(|f| f.exclusive > 0).collect();
    // Every profile perfgate builds is the crate's `release` or inherits it.
    let p = "release";
    let inherited = if profile == Profile::Release {
        String::new()
    } else {
        format!(" (`{}` inherits it)", profile.name())
    };
    let addresses = counted.iter().filter(|f| f.name.starts_with("0x")).count();
    // Stripped, the benchmark function cannot be found by name, so nothing is counted; or what
    // is counted is named by address.
    if counted.is_empty() || addresses * 2 > counted.len() {
        return Err(Error::CannotExplain {
            action: "explain",
            bench: bench.to_string(),
            reason: "its executable is stripped: callgrind sees addresses, not function names"
                .to_string(),
            fix: format!(
                "set `strip = false` in `[profile.{p}]` of the target's Cargo.toml{inherited}"
            ),
        }
        .into());
    }
    let placed = counted
        .iter()
        .filter(|f| f.file != "???" && !f.file.is_empty())
        .count();
    if placed == 0 {
        return Err(Error::CannotExplain {
            action: "explain",
            bench: bench.to_string(),
            reason: "its executable has no debug line tables, so no function has a file and line"
                .to_string(),
            fix: format!(
                "set `debug = \"line-tables-only\"` and `strip = \"none\"` in `[profile.{p}]` of the target's Cargo.toml{inherited}"
            ),
        }
        .into());
    }
    Ok(())
}

/// At most this many regressed series are explained by `compare --explain` (each builds two
/// commits the first time).
pub(super) const MAX_EXPLAINED: usize = 5;

/// The functions that changed most, per explained series.
const EXPLAINED_FUNCTIONS: usize = 10;

/// `compare --explain`: each regressed instruction-count series (at most [`MAX_EXPLAINED`],
/// `pgo` left out) explained as `perfgate explain` would, with its differential flamegraph
/// written to `svg_dir/explain/` when a compare page is written there. A series that cannot be
/// explained is reported on stderr and skipped: the verdict stands without it.
pub(super) fn explain_regressions(
    ws: &Workspace,
    comparison: &Comparison,
    svg_dir: Option<&Path>,
) -> anyhow::Result<Vec<Explanation>> {
    let regressed: Vec<_> = comparison
        .series
        .iter()
        .filter(|s| {
            s.verdict == Verdict::Regressed
                && s.key.metric == Metric::Instructions
                && s.key.profile != Profile::Pgo.name()
        })
        .take(MAX_EXPLAINED)
        .collect();
    let mut out = Vec::new();
    for series in regressed {
        let explained = (|| -> anyhow::Result<Explanation> {
            let profile = Profile::parse(&series.key.profile)?;
            let a = callgrind_of(ws, &comparison.base.sha, &series.key.bench, profile)?;
            let b = callgrind_of(ws, &comparison.head.sha, &series.key.bench, profile)?;
            let mut changes = diff::diff(&a.profile, &b.profile);
            changes.truncate(EXPLAINED_FUNCTIONS);
            let flamegraph = match svg_dir {
                Some(dir) => {
                    let name =
                        format!("explain/{}.{}.svg", slug(&series.key.bench), profile.name());
                    let svg = flame::differential_svg(
                        &format!("{} ({})", series.key.bench, profile.name()),
                        &folded::folded_stacks(&a.profile),
                        &folded::folded_stacks(&b.profile),
                    )
                    .map_err(|e| render_error(dir, e))?;
                    atomic::write(&dir.join(&name), svg.as_bytes())?;
                    Some(name)
                }
                None => None,
            };
            Ok(Explanation {
                bench: series.key.bench.clone(),
                profile: profile.name().to_string(),
                totals: (a.profile.total, b.profile.total),
                changes,
                flamegraph,
            })
        })();
        match explained {
            Ok(e) => out.push(e),
            Err(e) => eprintln!(
                "perfgate: cannot explain `{}` ({}): {e:#}",
                series.key.bench, series.key.profile
            ),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_paths_are_made_relative_to_the_checkout() {
        let root = Path::new("/work/repo");
        assert_eq!(
            checkout_relative("/tmp/perfgate-worktree-q2WjPh/repo/src/lib.rs", root),
            "src/lib.rs"
        );
        assert_eq!(
            checkout_relative("/work/repo/benches/iai.rs", root),
            "benches/iai.rs"
        );
        assert_eq!(
            checkout_relative("/rustc/abc/library/core/src/cmp.rs", root),
            "/rustc/abc/library/core/src/cmp.rs"
        );
        assert_eq!(checkout_relative("???", root), "???");
    }

    fn function(name: &str, file: &str, own: u64) -> crate::explain::callgrind::Function {
        crate::explain::callgrind::Function {
            name: name.to_string(),
            file: file.to_string(),
            line: 1,
            exclusive: own,
            inclusive: own,
            ..Default::default()
        }
    }

    fn profile_of(functions: Vec<crate::explain::callgrind::Function>) -> CallgrindProfile {
        CallgrindProfile {
            total: functions.iter().map(|f| f.exclusive).sum(),
            functions,
            ..Default::default()
        }
    }

    #[test]
    fn callgrind_output_without_names_or_lines_is_refused_with_the_fix() {
        let named = profile_of(vec![function("tiny::fold", "src/lib.rs", 10)]);
        assert!(check_symbols("b", &named, Profile::Release).is_ok());

        for stripped in [
            profile_of(vec![function("0x000000000001ab70", "???", 10)]),
            profile_of(Vec::new()),
        ] {
            let err = check_symbols("b", &stripped, Profile::Release)
                .expect_err("stripped")
                .to_string();
            assert!(err.contains("stripped"), "{err}");
            assert!(
                err.contains("`strip = false` in `[profile.release]`"),
                "{err}"
            );
        }

        let no_lines = profile_of(vec![function("tiny::fold", "???", 10)]);
        let err = check_symbols("b", &no_lines, Profile::ReleaseLto)
            .expect_err("no line tables")
            .to_string();
        assert!(err.contains("no debug line tables"), "{err}");
        assert!(
            err.contains("`debug = \"line-tables-only\"` and `strip = \"none\"` in `[profile.release]` of the target's Cargo.toml (`release-lto` inherits it)"),
            "{err}"
        );
    }

    #[test]
    fn bench_ids_become_folder_names() {
        assert_eq!(
            slug("iai::parse::config_core.medium"),
            "iai__parse__config_core.medium"
        );
        assert_eq!(slug("binary/tiny"), "binary_tiny");
        assert_eq!(slug("a b<c>"), "a_b_c_");
    }
}
