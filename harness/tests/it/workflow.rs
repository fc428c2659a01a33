//! The GitHub workflow played on a temporary repository: the `run:` steps of the action
//! (`action.yml`, which `.github/workflows/perf.yml` uses), in its order, with a local bare repository as `origin`, on
//! config-core itself. A push to main stores its baseline on the data branch; a pull request
//! whose parser does 20% more work fails with the bench named in the job summary and the report
//! written; a pull request that only touches the README passes.
//!
//! The matrix is played with one entry (`release`): perfgate.toml of the temporary repository
//! measures that profile and config-core's callgrind bench only, to keep the test short.

use std::path::Path;
use std::process::Command;

use perfgate::render::comment::{Mode, should_post};

use crate::util::{assert_exit, copy_dir, text};

/// The action, whose perfgate commands this test must play.
const WORKFLOW: &str = include_str!("../../../action.yml");

/// A repository with config-core and a workspace around it, `main` pushed to a bare `origin`.
struct Repo {
    dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp");
        let root = dir.path().join("repo");
        copy_dir(
            &workspace_root().join("targets/config-core"),
            &root.join("config-core"),
        );
        std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock")).expect("lock");
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml"))
            .expect("the workspace manifest")
            .replace(
                r#"members = ["harness", "targets/config-core"]"#,
                r#"members = ["config-core"]"#,
            );
        std::fs::write(root.join("Cargo.toml"), manifest).expect("write");
        std::fs::write(
            root.join("perfgate.toml"),
            "[target]\npath = \"config-core\"\nbenches = [\"iai\"]\n\n[run]\nprofiles = [\"release\"]\nbuild_time_samples = 1\n",
        )
        .expect("write");
        std::fs::write(root.join("README.md"), "# config-core\n").expect("write");
        std::fs::write(root.join(".gitignore"), "target/\n/reports/\n").expect("write");
        let repo = Repo { dir, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "workflow test"]);
        repo.git(&["config", "user.email", "workflow@perfgate.invalid"]);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "config-core"]);
        let remote = repo.dir.path().join("origin.git");
        let out = Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&remote)
            .output()
            .expect("git");
        assert!(out.status.success());
        repo.git(&["remote", "add", "origin", &remote.display().to_string()]);
        repo.git(&["push", "-q", "origin", "main"]);
        repo
    }

    fn root(&self) -> &Path {
        &self.root
    }

    fn git(&self, args: &[&str]) -> String {
        crate::util::git(self.root(), args)
    }

    /// One perfgate step, as the workflow runs it.
    fn perfgate(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_perfgate"))
            .args(args)
            .current_dir(self.root())
            .env(
                "CARGO_TARGET_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("config-core-target"),
            )
            .env_remove("RUSTFLAGS")
            .output()
            .expect("perfgate runs")
    }

    /// The `measure` jobs (the release profile's two shards, each fetching the stored
    /// baselines first) and the shared steps of the `gate` job (fetch, merge).
    fn measure_and_merge(&self) {
        for shard in ["1/2", "2/2"] {
            assert_exit(&self.perfgate(&["fetch"]), 0);
            let out = self.perfgate(&[
                "run",
                "--quick",
                "--profiles",
                "release",
                "--partial",
                "--shard",
                shard,
            ]);
            assert_exit(&out, 0);
            // Each job starts from a fresh checkout: cargo's rewrite of the copied lock file
            // (pruned to this workspace) is not carried into the next one.
            self.git(&["checkout", "-q", "--", "Cargo.lock"]);
        }
        assert_exit(&self.perfgate(&["fetch"]), 0);
        assert_exit(&self.perfgate(&["merge", "HEAD"]), 0);
    }

    /// The pull-request steps of the `gate` job: compare (its markdown is the job summary,
    /// with the comment's body and the annotations written beside), then the report with the
    /// compare page. Returns the compare's exit code, summary, comment and annotations.
    fn gate_pull_request(&self) -> Gated {
        std::fs::create_dir_all(self.root().join("perf-comment")).expect("mkdir");
        let out = self.perfgate(&[
            "compare",
            "origin/main",
            "HEAD",
            "--merge-base",
            "--run-missing",
            "--quick",
            "--explain",
            "--html",
            "perf-explain",
            "--format",
            "markdown",
            "--comment",
            "perf-comment/body.md",
            "--annotations",
            "perf-comment/annotations.txt",
            "--repo-url",
            REPO_URL,
            "--run-url",
            "https://github.com/perfgate/perfgate/actions/runs/1",
            "--report-url",
            REPORT_URL,
        ]);
        let status = out.status.code().unwrap_or(-1);
        assert!(status == 0 || status == 1, "{}", text(&out.stderr));
        let base = self.git(&["merge-base", "origin/main", "HEAD"]);
        assert_exit(&self.perfgate(&["report", "--compare", &base, "HEAD"]), 0);
        let read = |path: &str| std::fs::read_to_string(self.root().join(path)).expect(path);
        let gated = Gated {
            status,
            summary: text(&out.stdout),
            comment: read("perf-comment/body.md"),
            annotations: read("perf-comment/annotations.txt"),
        };
        std::fs::remove_dir_all(self.root().join("perf-comment")).expect("remove");
        gated
    }
}

/// What the gate job of a pull request leaves.
struct Gated {
    status: i32,
    summary: String,
    comment: String,
    annotations: String,
}

/// The repository address the comment links lines in.
const REPO_URL: &str = "https://github.com/perfgate/perfgate";

/// Where the pull request's `perf-explain/` is published, as the comment links it.
const REPORT_URL: &str = "https://perfgate.github.io/perfgate/pr/1";

#[test]
fn the_workflow_fails_a_slower_parser_and_passes_a_readme_change() {
    let _lock = crate::util::build_lock();
    // Every perfgate command of the workflow is one this test plays.
    for command in [
        "perfgate run \"${args[@]}\"",
        "args+=(--partial)",
        "args+=(--shard \"$SHARD\")",
        "perfgate merge HEAD",
        "perfgate fetch",
        "perfgate compare \"origin/$BASE_REF\" HEAD --merge-base --run-missing --quick",
        "--explain --html perf-explain --format markdown",
        "--comment perf-comment/body.md --annotations perf-comment/annotations.txt",
        "--repo-url \"$REPO_URL\" --run-url \"$RUN_URL\"",
        "--report-url \"$REPORT_URL\"",
        "\"${links[@]}\"",
        "perfgate push",
        "perfgate report --compare",
        "perfgate report\n",
    ] {
        assert!(
            WORKFLOW.contains(command),
            "the action changed: `{command}`"
        );
    }

    let repo = Repo::new();
    // On push to main: measure, store on the data branch, write the site.
    repo.measure_and_merge();
    let out = repo.perfgate(&["push"]);
    assert_exit(&out, 0);
    assert_exit(&repo.perfgate(&["report"]), 0);
    let main_sha = repo.git(&["rev-parse", "HEAD"]);
    std::fs::remove_dir_all(repo.root().join("baselines")).expect("a fresh checkout");

    // A pull request that makes the parser about 20% slower: a hash over every other byte of
    // the input before parsing.
    repo.git(&["checkout", "-q", "-b", "slower"]);
    let lib = repo.root().join("config-core/src/lib.rs");
    let source = std::fs::read_to_string(&lib).expect("read");
    let slower = source.replacen(
        "pub fn parse(src: &str) -> Result<Document<'_>, ParseError> {\n",
        "pub fn parse(src: &str) -> Result<Document<'_>, ParseError> {\n    let mut h = 0u64;\n    for &b in src.as_bytes().iter().step_by(2) {\n        h = std::hint::black_box(h.wrapping_mul(31) ^ u64::from(b));\n    }\n    std::hint::black_box(h);\n",
        1,
    );
    assert_ne!(slower, source, "the parser's entry point moved");
    std::fs::write(&lib, slower).expect("write");
    repo.git(&["commit", "-q", "-am", "hash the input before parsing"]);
    repo.measure_and_merge();
    let fetched = repo.root().join(format!("baselines/{main_sha}.json"));
    assert!(
        fetched.is_file(),
        "the base's baseline came from the data branch"
    );
    let gated = repo.gate_pull_request();
    let (status, summary) = (gated.status, gated.summary.clone());
    assert_eq!(status, 1, "{summary}");
    assert!(summary.starts_with("**FAIL**"), "{summary}");
    assert!(
        summary.contains("`iai::parse::config_core.medium` | `instructions`")
            || summary.contains("iai::parse::config_core.medium"),
        "{summary}"
    );
    assert!(summary.contains("```mermaid"), "the chart");
    let regressed = summary
        .lines()
        .filter(|l| l.starts_with("| regressed |") && l.contains("config_core"))
        .count();
    assert!(
        regressed >= 3,
        "small, medium and large regressed:\n{summary}"
    );
    let medium: f64 = summary
        .lines()
        .find(|l| l.contains("`iai::parse::config_core.medium` | `instructions`"))
        .and_then(|l| l.split('|').nth(7))
        .and_then(|d| {
            d.trim()
                .trim_start_matches('+')
                .trim_end_matches('%')
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("the medium instruction change in:\n{summary}"));
    assert!(
        (15.0..=25.0).contains(&medium),
        "about 20% more work, measured {medium}%"
    );
    eprintln!("workflow: the slower parser measured {medium:+}% instructions on the medium input");
    for page in ["index.html", "compare.html", "matrix.html"] {
        assert!(repo.root().join("reports").join(page).is_file(), "{page}");
    }
    // `--explain`: the regressed instruction series say which functions grew, and the compare
    // page links their differential flamegraphs.
    let why = summary
        .find("### Why `iai::parse::config_core.")
        .unwrap_or_else(|| panic!("an explanation in:\n{summary}"));
    let first_function = summary[why..]
        .lines()
        .find(|l| l.starts_with("| `"))
        .unwrap_or_else(|| panic!("a function row in:\n{}", &summary[why..]));
    assert!(first_function.contains("config_core"), "{first_function}");
    let page = std::fs::read_to_string(repo.root().join("perf-explain/compare.html"))
        .expect("the compare page with explanations");
    assert!(page.contains("Differential flamegraph"), "linked");
    let svgs = std::fs::read_dir(repo.root().join("perf-explain/explain"))
        .expect("the flamegraphs")
        .count();
    assert!(svgs >= 1, "{svgs} flamegraphs");
    // The pull request's comment: the verdict, the bench, and the function that grew, linked
    // to its line at the head commit; annotations at real lines of the head.
    let head = repo.git(&["rev-parse", "HEAD"]);
    let comment = &gated.comment;
    assert!(
        comment.starts_with("<!-- perfgate:comment verdict=FAIL moved=1 -->\n"),
        "{comment}"
    );
    assert!(
        comment.contains("`iai::parse::config_core.medium`"),
        "{comment}"
    );
    assert!(
        comment.contains(&format!("]({REPO_URL}/blob/{head}/config-core/src/")),
        "a function linked at the head:\n{comment}"
    );
    assert!(comment.chars().count() <= 65_536);
    // Every page the comment links under the published address is one the job wrote.
    let mut linked = 0;
    for part in comment.split(&format!("]({REPORT_URL}/")).skip(1) {
        let path = &part[..part.find(')').expect("a link")];
        assert!(
            repo.root().join("perf-explain").join(path).is_file(),
            "the comment links {path}, which the job did not write"
        );
        linked += 1;
    }
    assert!(
        comment.contains(&format!("[The compare page]({REPORT_URL}/compare.html)")),
        "{comment}"
    );
    assert!(linked >= 2, "the compare page and a flamegraph:\n{comment}");
    assert!(should_post(Mode::OnChange, comment, None));
    assert!(!gated.annotations.is_empty(), "annotations");
    for line in gated.annotations.lines() {
        let rest = line.strip_prefix("::warning file=").expect(line);
        let (file, rest) = rest.split_once(",line=").expect(line);
        let number: usize = rest
            .split(',')
            .next()
            .and_then(|n| n.parse().ok())
            .expect(line);
        let source = std::fs::read_to_string(repo.root().join(file))
            .unwrap_or_else(|_| panic!("{file} is a file of the head: {line}"));
        assert!(
            (1..=source.lines().count()).contains(&number),
            "{file}:{number} is a line of the head"
        );
        assert!(
            line.contains("own instructions in iai::parse::config_core."),
            "{line}"
        );
    }
    let failing = comment.clone();
    // The next job starts from a fresh checkout.
    std::fs::remove_dir_all(repo.root().join("perf-explain")).expect("remove");

    // A pull request that only touches the README passes.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "docs"]);
    std::fs::write(
        repo.root().join("README.md"),
        "# config-core\n\nMore words.\n",
    )
    .expect("write");
    repo.git(&["commit", "-q", "-am", "README"]);
    repo.measure_and_merge();
    let gated = repo.gate_pull_request();
    assert_eq!(gated.status, 0, "{}", gated.summary);
    assert!(gated.summary.starts_with("**PASS**"), "{}", gated.summary);
    // Nothing gated moved: `on-change` posts no comment, `always` posts this passing one;
    // after a failing comment, `on-change` edits it to say the verdict changed.
    assert!(
        gated
            .comment
            .starts_with("<!-- perfgate:comment verdict=PASS moved=0 -->\n"),
        "{}",
        gated.comment
    );
    assert!(!should_post(Mode::OnChange, &gated.comment, None));
    assert!(should_post(Mode::Always, &gated.comment, None));
    assert!(should_post(Mode::OnChange, &gated.comment, Some(&failing)));
    assert!(gated.annotations.is_empty(), "{}", gated.annotations);
}
