//! The command line, as clap definitions only: no I/O, no defaults from files (see `plan`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// perfgate: measure a Rust crate under several cargo profiles and gate its regressions.
#[derive(Debug, Parser)]
#[command(name = "perfgate", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the target under each profile, measure it, and store one baseline for the commit.
    Run(RunArgs),
    /// Compare the baselines of two commits and fail on regressions over the gate.
    Compare(CompareArgs),
    /// Write the HTML trend site: history charts, change points, the profile matrix.
    Report(ReportArgs),
    /// Print a commit's baseline in a dashboard's format (Bencher BMF, github-action-benchmark).
    Export(ExportArgs),
    /// Commit the local baselines to the data branch and push it (never forced).
    Push(DataBranchArgs),
    /// Fetch the data branch and write the baselines it has that the local folder lacks.
    Fetch(DataBranchArgs),
    /// Join the partial baselines of one commit (`run --partial`, one per job) into one.
    Merge(MergeArgs),
    /// Rewrite the stored baselines of an older schema version into the current one.
    Migrate(MigrateArgs),
    /// Set a crate up: perfgate.toml, the GitHub workflow, and benches if it has none.
    Init(InitArgs),
    /// Which functions made a callgrind bench's instructions change between two commits (or,
    /// for `binary/NAME`, which symbols grew the binary), with a differential flamegraph.
    Explain(ExplainArgs),
    /// Post a pull request's sticky comment (written by `compare --comment`): edit perfgate's
    /// earlier comment in place, or add one, per the comment mode (through the `gh` CLI).
    Comment(CommentArgs),
    /// One commit's callgrind profile of a bench: its costliest functions and a flamegraph.
    Profile(ProfileArgs),
    /// Find the first commit between GOOD and BAD that made a bench worse, measuring
    /// midpoints in temporary worktrees.
    Bisect(BisectArgs),
    /// Calibrate this machine: measure HEAD against itself in paired rounds and print, per
    /// wall-time series, the paired spread, the MDE at the gate, the predicted false-alarm rate
    /// and a suggested gate (`--write` puts them into perfgate.toml as comments).
    Noise(NoiseArgs),
}

/// The arguments of `perfgate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The benchmark: an iai-callgrind id (`iai::parse::config_core.medium`, as `compare`
    /// prints it), or `binary/NAME` for a size difference.
    pub bench: String,

    /// The commit before.
    #[arg(default_value = "HEAD~1")]
    pub a: String,

    /// The commit after.
    #[arg(default_value = "HEAD")]
    pub b: String,

    /// The profile to build: release, release-lto or release-consistent.
    #[arg(long, default_value = "release")]
    pub profile: String,

    /// How many functions (or symbols) to list.
    #[arg(long, default_value_t = 15)]
    pub top: usize,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Where to write the flamegraph (default: `reports/explain/<bench>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The benchmark, an iai-callgrind id.
    pub bench: String,

    /// The commit.
    #[arg(default_value = "HEAD")]
    pub rev: String,

    /// The profile to build: release, release-lto or release-consistent.
    #[arg(long, default_value = "release")]
    pub profile: String,

    /// How many functions to list.
    #[arg(long, default_value_t = 20)]
    pub top: usize,

    /// Where to write the flamegraph (default: `reports/explain/<bench>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate bisect`.
#[derive(Debug, Args)]
pub struct BisectArgs {
    /// A commit where the bench was good.
    pub good: String,

    /// A later commit where it is bad (a descendant of GOOD).
    pub bad: String,

    /// The benchmark id, as `compare` prints it.
    #[arg(long)]
    pub bench: String,

    /// The metric to follow.
    #[arg(long, default_value = "instructions")]
    pub metric: String,

    /// The profile to build: release, release-lto or release-consistent.
    #[arg(long, default_value = "release")]
    pub profile: String,

    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The crate's directory (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub target: Option<PathBuf>,

    /// Overwrite an existing perfgate.toml and workflow.
    #[arg(long)]
    pub force: bool,
}

/// The arguments of `perfgate push` and `perfgate fetch`.
#[derive(Debug, Args)]
pub struct DataBranchArgs {
    /// The remote.
    #[arg(long, default_value = "origin")]
    pub remote: String,

    /// The data branch.
    #[arg(long, default_value = crate::databranch::DEFAULT_BRANCH)]
    pub branch: String,

    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The commit whose parts to join.
    #[arg(default_value = "HEAD")]
    pub rev: String,

    /// Where baselines are stored; the parts are in its `partial/` folder (default: `[run]
    /// baselines` of perfgate.toml, else `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The commit whose baseline to export.
    #[arg(default_value = "HEAD")]
    pub rev: String,

    /// The format.
    #[arg(long, value_enum)]
    pub format: crate::render::export::ExportFormat,

    /// Write to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// The arguments of `perfgate report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The site's folder (default: `reports` at the repository root).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Show history from this commit on (default: the whole first-parent history of HEAD).
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,

    /// Also write `compare.html`: the comparison of these two commits' baselines.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<String>>,

    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// How `compare` prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A terminal table, sorted by severity.
    Table,
    /// Markdown for a GitHub job summary or PR comment.
    Markdown,
    /// JSON.
    Json,
}

/// The arguments of `perfgate compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base revision.
    #[arg(default_value = "main")]
    pub base: String,

    /// The head revision.
    #[arg(default_value = "HEAD")]
    pub head: String,

    /// Compare the head against merge-base(base, head), the right base for a pull request.
    #[arg(long)]
    pub merge_base: bool,

    /// Measure a side that has no stored baseline first (as `perfgate run --rev`).
    #[arg(long)]
    pub run_missing: bool,

    /// Measure both sides in this job: each built and measured once, then the noisy benches
    /// run in paired rounds (a short burst of the base and of the head back to back, which
    /// side first alternating) until each series' paired interval is beyond or inside the
    /// gate or the round budget is spent; a deterministic regression must reproduce.
    #[arg(long, conflicts_with = "run_missing")]
    pub run: bool,

    /// Exit 3 when nothing regressed but a series is incomparable (an environment change).
    #[arg(long)]
    pub strict: bool,

    /// Fail (exit 1) when a series of the base is missing from the head.
    #[arg(long)]
    pub fail_on_missing: bool,

    /// Explain each regressed instruction-count series (at most 5): build both commits, name
    /// the functions whose instructions changed most, and (with `--html`) draw a differential
    /// flamegraph linked from the compare page.
    #[arg(long)]
    pub explain: bool,

    /// Also write the comparison as an HTML page, `compare.html` in this folder (default:
    /// `reports` at the repository root).
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "")]
    pub html: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Also write the pull request's sticky comment (Markdown with a hidden marker, under
    /// GitHub's size limit) to this file, for `perfgate comment`.
    #[arg(long, value_name = "FILE")]
    pub comment: Option<PathBuf>,

    /// Also write GitHub workflow commands that annotate the top functions of each explained
    /// regression at their line (`::warning file=…,line=…::…`) to this file.
    #[arg(long, value_name = "FILE")]
    pub annotations: Option<PathBuf>,

    /// The repository's web address (`https://github.com/OWNER/NAME`): the comment links the
    /// functions' lines at the head commit there.
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,

    /// The web address where the compare page (`--html`) is published: the comment links it
    /// and its flamegraphs.
    #[arg(long, value_name = "URL")]
    pub report_url: Option<String>,

    /// The web address of the CI run whose artifacts hold the compare page, when it is not
    /// published: the comment points there.
    #[arg(long, value_name = "URL")]
    pub run_url: Option<String>,

    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// With `--run` or `--run-missing`: measure in quick mode.
    #[arg(long)]
    pub quick: bool,

    /// With `--run` or `--run-missing`: the profiles to measure.
    #[arg(long, value_name = "LIST")]
    pub profiles: Option<String>,
}

/// The arguments of `perfgate noise`.
#[derive(Debug, Args)]
pub struct NoiseArgs {
    /// Paired rounds to run (each a burst of every wall-time bench target and the start-up
    /// block, on both copies of HEAD's build).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(5..=400))]
    pub rounds: u64,

    /// Comma-separated profiles (default: `[run] profiles` of perfgate.toml, else all four).
    #[arg(long, value_name = "LIST")]
    pub profiles: Option<String>,

    /// Full mode: longer bursts, as `compare --run` without `--quick`.
    #[arg(long)]
    pub full: bool,

    /// Put the suggested per-bench gates into perfgate.toml, commented out, for a person to
    /// accept (a block replaced on every `--write`).
    #[arg(long)]
    pub write: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: NoiseFormat,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// How `perfgate noise` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NoiseFormat {
    /// Aligned columns.
    Table,
    /// One JSON object.
    Json,
}

/// The arguments of `perfgate comment`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The comment body, as `compare --comment` wrote it.
    pub body: PathBuf,

    /// The pull request's number.
    #[arg(long)]
    pub pr: u64,

    /// The repository, `OWNER/NAME` (default: `$GITHUB_REPOSITORY`).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// When to post: always, on-change (a gated series moved, or the verdict changed since
    /// the last comment) or never.
    #[arg(long, value_enum, default_value = "on-change")]
    pub mode: crate::render::comment::Mode,

    /// The login of the comment's author, so that another bot quoting the marker is not
    /// taken for perfgate (default: the comments of any author).
    #[arg(long, default_value = "github-actions[bot]")]
    pub author: String,
}

/// The arguments of `perfgate run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The target crate's directory (default: `[target] path` of perfgate.toml, else `.`).
    #[arg(long, value_name = "DIR", conflicts_with = "manifest_path")]
    pub target: Option<PathBuf>,

    /// The target crate's Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// Comma-separated profiles: release, release-lto, release-consistent, pgo
    /// (default: `[run] profiles` of perfgate.toml, else all four).
    #[arg(long, value_name = "LIST")]
    pub profiles: Option<String>,

    /// Quick mode: short criterion sampling, fewer start-up runs, one build-time sample.
    #[arg(long)]
    pub quick: bool,

    /// Measure this commit (in a temporary worktree) instead of the checkout's HEAD.
    #[arg(long, value_name = "REF")]
    pub rev: Option<String>,

    /// Where baselines are stored (default: `[run] baselines` of perfgate.toml, else
    /// `baselines`).
    #[arg(long, value_name = "DIR")]
    pub baselines: Option<PathBuf>,

    /// Print the summary as JSON on stdout (progress stays on stderr).
    #[arg(long)]
    pub json: bool,

    /// Measure a work tree with uncommitted changes (stored as `<sha>-dirty`).
    #[arg(long)]
    pub allow_dirty: bool,

    /// Store a part of the commit's baseline (`<baselines>/partial/<sha>.<profiles>.json`), for
    /// a job of a matrix that measures some of the profiles; `perfgate merge` joins the parts.
    #[arg(long)]
    pub partial: bool,

    /// After measuring, run every other profile's wall-time benches and start-up against
    /// release's in N paired rounds (both back to back in each round), so the profile
    /// matrix's gains get paired intervals (default: `[run] profile_rounds`, else none).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub profile_rounds: Option<u16>,

    /// Measure everything, even the steps whose executable and inputs are identical to an
    /// earlier commit's baseline (by default their measurements are taken over, marked
    /// `reused_from`).
    #[arg(long)]
    pub no_reuse: bool,

    /// Measure one shard of each profile's bench targets and extra measurements (`K/N`, e.g.
    /// `1/2`), balanced by their durations in the last baseline; stored as a part, which
    /// `perfgate merge` joins with the other shards.
    #[arg(long, value_name = "K/N", value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,

    /// The config file (default: `perfgate.toml` at the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

impl RunArgs {
    /// What these arguments ask to measure.
    pub fn request(&self) -> crate::plan::MeasureRequest {
        crate::plan::MeasureRequest {
            target: self.target.clone(),
            manifest_path: self.manifest_path.clone(),
            profiles: self.profiles.clone(),
            quick: self.quick,
            rev: self.rev.clone(),
            baselines: self.baselines.clone(),
            allow_dirty: self.allow_dirty,
            partial: self.partial || self.shard.is_some(),
            profile_rounds: self.profile_rounds.map(usize::from),
            reuse: !self.no_reuse,
            shard: self.shard,
        }
    }
}
