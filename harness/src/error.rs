//! The error catalogue: every way perfgate can fail on bad input or a missing tool, each
//! variant carrying the thing that went wrong and, in its message, the fix.
//!
//! Messages are lowercase, name the item in backticks, give the fix after a semicolon, and
//! carry causes with `#[source]` rather than in the text. Every variant maps to exit code 2
//! (see [`exit`]); a regression is not an error.

use std::path::PathBuf;

use thiserror::Error;

/// The exit codes of the `perfgate` binary.
pub mod exit {
    /// Success: measured, or compared with no regression.
    pub const OK: u8 = 0;
    /// A comparison found at least one regression.
    pub const REGRESSION: u8 = 1;
    /// Bad input, a missing tool, or a failed build or bench.
    pub const ERROR: u8 = 2;
    /// `compare --strict`: nothing regressed, but a series is incomparable.
    pub const INCOMPARABLE: u8 = 3;
}

/// Everything that stops perfgate.
#[derive(Debug, Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done: "read", "write", "create", "list"...
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// `perfgate.toml` is not valid TOML.
    #[error("`{}` is not valid TOML; fix it or pass another file with `--config`\n{message}", path.display())]
    ConfigSyntax {
        /// The config file.
        path: PathBuf,
        /// The parser's message, with position and source line.
        message: String,
    },

    /// `perfgate.toml` is valid TOML but a setting is wrong.
    #[error("`{}`: `{key}` {problem}", path.display())]
    ConfigInvalid {
        /// The config file.
        path: PathBuf,
        /// The dotted key of the setting.
        key: String,
        /// What is wrong and how to fix it.
        problem: String,
    },

    /// A file a measurement is declared to depend on (`[run.inputs]`, `[startup] stdin`) is
    /// not there to be hashed.
    #[error("`{}` ({what}) does not exist; fix the path in perfgate.toml (it is relative to the target crate)", path.display())]
    InputMissing {
        /// The path looked for.
        path: PathBuf,
        /// Which setting names it.
        what: &'static str,
    },

    /// A profile name that perfgate does not know.
    #[error("unknown profile `{name}`; the profiles are {known}")]
    UnknownProfile {
        /// The name given.
        name: String,
        /// The known names, listed.
        known: String,
    },

    /// No `Cargo.toml` where the target should be.
    #[error("no `Cargo.toml` at `{}`; pass the target crate with `--target DIR` or `--manifest-path PATH`", path.display())]
    ManifestNotFound {
        /// Where it was looked for.
        path: PathBuf,
    },

    /// `[target] packages` names a package that is not a member of the target's workspace.
    #[error("`{package}` is not a package of the workspace at `{}`; its members are {members}; fix `packages` under `[target]` in perfgate.toml", root.display())]
    UnknownPackage {
        /// The name given.
        package: String,
        /// The workspace root.
        root: PathBuf,
        /// Its members, listed.
        members: String,
    },

    /// The target crate has no bench perfgate can measure (after filtering).
    #[error(
        "`{package}` has no bench perfgate can measure{filter}; add a `[[bench]]` target with `harness = false` (criterion, divan, gungraun, or a `main` writing Bencher Metric Format JSON), or fix `benches` in perfgate.toml"
    )]
    NoBenches {
        /// The package.
        package: String,
        /// The filter in force, as text (empty if none).
        filter: String,
    },

    /// `perfgate comment` was given a file that `compare --comment` did not write.
    #[error("`{}` is not a perfgate comment (it has no `<!-- perfgate:comment` marker); write it with `perfgate compare --comment FILE`", path.display())]
    NotAComment {
        /// The file given.
        path: PathBuf,
    },

    /// `perfgate comment` does not know the repository.
    #[error(
        "no repository to comment in: pass `--repo OWNER/NAME` (GitHub Actions sets `$GITHUB_REPOSITORY`)"
    )]
    NoRepository,

    /// A tool perfgate needs is not installed.
    #[error("`{tool}` not found on PATH; {fix}")]
    ToolMissing {
        /// The program.
        tool: String,
        /// How to install it.
        fix: String,
    },

    /// A tool is installed at a version perfgate cannot use.
    #[error("`{tool}` is version {found} but {expected} is needed; {fix}")]
    ToolVersion {
        /// The program.
        tool: String,
        /// The version found.
        found: String,
        /// The version needed.
        expected: String,
        /// How to get the right one.
        fix: String,
    },

    /// A child process failed.
    #[error(
        "`{command}` failed ({status}){}{}",
        tail_text(stderr_tail),
        hint_text(hint)
    )]
    CommandFailed {
        /// The command line.
        command: String,
        /// How it ended ("exit 101", "signal 9").
        status: String,
        /// The last lines of its stderr.
        stderr_tail: String,
        /// What to do about it, when known.
        hint: Option<String>,
    },

    /// Building the target under a profile failed.
    #[error(
        "building `{package}` with profile `{profile}` failed: `{command}`{}",
        tail_text(stderr_tail)
    )]
    BuildFailed {
        /// The package.
        package: String,
        /// The perfgate profile.
        profile: String,
        /// The cargo command line.
        command: String,
        /// The last lines of cargo's output.
        stderr_tail: String,
    },

    /// A bench failed to run (panicked, or its tool failed).
    #[error(
        "bench `{bench}` failed under profile `{profile}`: `{command}` ({status}){}",
        tail_text(stderr_tail)
    )]
    BenchFailed {
        /// The bench target.
        bench: String,
        /// The perfgate profile.
        profile: String,
        /// The command line.
        command: String,
        /// How it ended.
        status: String,
        /// The last lines of its stderr.
        stderr_tail: String,
    },

    /// A tool's output could not be read.
    #[error("cannot read {tool} output `{}`: {message}; re-run the bench, and report a bug if it persists", path.display())]
    ToolOutput {
        /// The tool ("criterion", "iai-callgrind", "cargo", "dhat").
        tool: &'static str,
        /// The file (or "-" for stdout).
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },

    /// PGO was built but the profile was not applied, or could not be made.
    #[error("PGO verification failed at step `{step}`: {detail}")]
    PgoVerification {
        /// The verification step (see the PGO docs).
        step: &'static str,
        /// What was found.
        detail: String,
    },

    /// A git operation failed.
    #[error("git: cannot {action}; {fix}")]
    Git {
        /// What was being done.
        action: String,
        /// How to fix it.
        fix: String,
        /// The cause.
        #[source]
        source: git2::Error,
    },

    /// A revision that does not name a commit.
    #[error(
        "unknown git revision `{rev}`; pass a branch, tag or commit sha that exists (`git log --oneline` lists them)"
    )]
    UnknownRev {
        /// The revision given.
        rev: String,
        /// The cause.
        #[source]
        source: git2::Error,
    },

    /// The work tree has uncommitted changes.
    #[error(
        "the work tree has uncommitted changes ({paths}); commit or stash them, or pass `--allow-dirty` (the baseline is then stored as `<sha>-dirty`)"
    )]
    DirtyWorkTree {
        /// Some of the changed paths.
        paths: String,
    },

    /// A baseline file that cannot be read as a baseline.
    #[error("baseline `{}` is corrupt: {message}; delete it and run `perfgate run` on that commit again", path.display())]
    BaselineCorrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A commit that has no stored baseline.
    #[error("no baseline for `{rev}` ({short}) in `{}`; run `perfgate run --rev {short}` first, or pass `--run-missing`", dir.display())]
    NoBaseline {
        /// The revision as given.
        rev: String,
        /// Its commit sha, shortened.
        short: String,
        /// The baseline directory.
        dir: PathBuf,
    },

    /// `perfgate init` would overwrite a file.
    #[error("`{}` already exists; edit it, or pass `--force` to replace it", path.display())]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },

    /// A chart or page of the report could not be drawn.
    #[error("cannot render the report: {message}")]
    Render {
        /// What failed.
        message: String,
    },

    /// `report --since` names a commit that is not on HEAD's first-parent history.
    #[error(
        "`{rev}` is not on the first-parent history of HEAD; give `--since` an ancestor of HEAD (e.g. `HEAD~50` or a commit of main)"
    )]
    NotOnHistory {
        /// The revision given.
        rev: String,
    },

    /// Two baselines that measure different things.
    #[error("cannot compare: {message}")]
    NotComparable {
        /// What differs.
        message: String,
    },

    /// A baseline written by a newer or older schema.
    #[error("baseline `{}` has schema version {found}, this perfgate reads {supported}; {}", path.display(), schema_fix(*found, *supported))]
    SchemaVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u64,
        /// The version this perfgate reads.
        supported: u64,
    },

    /// Another perfgate holds this repository's run lock.
    #[error("another perfgate is measuring this repository ({holder}; lock `{}`); wait for it to finish, or stop it", path.display())]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, as recorded in the file ("pid 1234, `perfgate run`").
        holder: String,
    },

    /// A bench target named in the plan that perfgate cannot measure as the crate stands.
    #[error("bench `{bench}` cannot be measured: it {reason}; {fix}")]
    BenchUnmeasurable {
        /// The bench target.
        bench: String,
        /// Why not ("needs the features `serde`").
        reason: String,
        /// What to do.
        fix: String,
    },

    /// A bench ran longer than its time limit and was stopped.
    #[error(
        "bench `{bench}` ({profile}) ran longer than {seconds} s and was stopped; raise `[run] bench_timeout_s` in perfgate.toml if it needs longer, or fix the bench if it hangs"
    )]
    BenchTimeout {
        /// The bench target.
        bench: String,
        /// The profile.
        profile: String,
        /// The limit.
        seconds: u64,
    },

    /// A bench id that the target (or the stored baselines) does not have.
    #[error("no benchmark `{bench}` {place}; the known ones are: {known}")]
    UnknownBench {
        /// The id given.
        bench: String,
        /// Where it was looked for ("in the iai-callgrind benches of `tiny` at 1a2b3c4d5e6f").
        place: String,
        /// The ids that exist, comma-separated.
        known: String,
    },

    /// `explain` or `bisect` was asked for something they cannot measure.
    #[error("cannot {action} `{bench}`: {reason}; {fix}")]
    CannotExplain {
        /// "explain", "profile", "bisect".
        action: &'static str,
        /// The bench id.
        bench: String,
        /// Why not.
        reason: String,
        /// What to do.
        fix: String,
    },
}

fn tail_text(tail: &str) -> String {
    if tail.trim().is_empty() {
        String::new()
    } else {
        format!("\n{}", tail.trim_end())
    }
}

fn hint_text(hint: &Option<String>) -> String {
    hint.as_ref()
        .map(|h| format!("\n(hint: {h})"))
        .unwrap_or_default()
}

/// Results of perfgate's library functions.
/// What to do about a baseline of another schema version: an older one is migrated (or its
/// commit measured again), a newer one needs a newer perfgate.
fn schema_fix(found: u64, supported: u64) -> &'static str {
    if found < supported {
        "rewrite it with `perfgate migrate`, or re-run `perfgate run` on that commit"
    } else {
        "it was written by a newer perfgate: upgrade perfgate, or re-run `perfgate run` on that commit"
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
