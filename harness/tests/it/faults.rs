//! perfgate under faults, the real binary each time: a run interrupted (Ctrl-C mid-PGO,
//! SIGKILL mid-bench in a worktree), two runs at once, a full disk, broken baselines, a bench
//! that hangs or prints garbage. Each must leave no baseline or half file behind, and the next
//! run must succeed.

use std::io::{BufRead as _, BufReader};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, example, store, text};

/// Starts `perfgate ARGS` in its own process group, stderr piped, with SIGINT and SIGQUIT at
/// their default action as in a terminal (a test runner started in the background of a
/// non-interactive shell inherits them ignored, and so would perfgate).
fn start(fixture: &Fixture, args: &[&str]) -> Child {
    let mut cmd = fixture.command(args);
    cmd.process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: `signal` is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd.spawn().expect("perfgate starts")
}

/// Sends `signal` to the whole process group of `child`.
fn signal_group(child: &Child, signal: i32) {
    let group = i32::try_from(child.id()).expect("a pid");
    // SAFETY: `kill` on a process group this test started; no memory is involved.
    let sent = unsafe { libc::kill(-group, signal) };
    assert_eq!(sent, 0, "signal {signal} reaches perfgate's group");
}

/// Stops `child`'s process group where it is (SIGSTOP), so that what the test does next
/// happens while perfgate is in the state it just announced, however loaded the machine.
fn freeze(child: &mut Child) {
    signal_group(child, libc::SIGSTOP);
    assert!(
        child.try_wait().expect("perfgate's status").is_none(),
        "perfgate was still running when it was stopped"
    );
}

/// Resumes a frozen process group.
fn thaw(child: &Child) {
    signal_group(child, libc::SIGCONT);
}

/// Reads `child`'s stderr until a line contains `marker` (or it ends); returns what was read.
fn wait_for_line(child: &mut Child, marker: &str) -> String {
    let stderr = child.stderr.take().expect("piped stderr");
    let mut reader = BufReader::new(stderr);
    let mut seen = String::new();
    let mut line = String::new();
    while reader.read_line(&mut line).expect("read stderr") > 0 {
        seen.push_str(&line);
        if line.contains(marker) {
            // Keep the pipe open (and drained) so perfgate is not stopped by a closed stderr.
            std::thread::spawn(move || {
                let mut rest = String::new();
                while reader.read_line(&mut rest).unwrap_or(0) > 0 {
                    rest.clear();
                }
            });
            return seen;
        }
        line.clear();
    }
    panic!("perfgate ended before printing `{marker}`:\n{seen}");
}

/// Sends `signal` to the whole process group of `child` (as Ctrl-C in a terminal does) while
/// it is frozen in its current state, and waits for perfgate to die of it.
fn interrupt(child: &mut Child, signal: i32) {
    freeze(child);
    signal_group(child, signal);
    thaw(child);
    let status = child.wait().expect("perfgate ends");
    assert_eq!(
        status.signal(),
        Some(signal),
        "perfgate ends by the signal: {status:?}"
    );
}

/// The git worktrees of the fixture other than its own checkout.
fn extra_worktrees(fixture: &Fixture) -> Vec<String> {
    fixture
        .git(&["worktree", "list", "--porcelain"])
        .lines()
        .filter_map(|l| l.strip_prefix("worktree "))
        .filter(|p| Path::new(p) != fixture.root())
        .map(str::to_string)
        .collect()
}

/// Files whose name marks an interrupted write, anywhere under `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(temp_files(&path));
        } else if entry
            .file_name()
            .to_string_lossy()
            .starts_with(".perfgate-tmp-")
        {
            out.push(path);
        }
    }
    out
}

#[test]
fn interrupted_runs_leave_nothing_and_the_next_run_cleans_up() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    fixture.with_own_build_inputs();

    // Ctrl-C while the PGO training runs: no baseline, no half file.
    let mut child = start(&fixture, &["run", "--quick", "--profiles", "pgo"]);
    wait_for_line(&mut child, "pgo: training");
    interrupt(&mut child, libc::SIGINT);
    assert!(fixture.baselines().is_empty(), "no baseline");
    assert!(
        temp_files(fixture.root()).is_empty(),
        "no half-written file"
    );

    // SIGKILL in the middle of a bench, measuring another commit in a temporary worktree:
    // the worktree is left behind (nothing can run at SIGKILL)...
    let mut child = start(
        &fixture,
        &["run", "--quick", "--profiles", "release", "--rev", "HEAD"],
    );
    wait_for_line(&mut child, "(callgrind)");
    interrupt(&mut child, libc::SIGKILL);
    assert!(fixture.baselines().is_empty(), "no baseline");
    let left = extra_worktrees(&fixture);
    assert_eq!(
        left.len(),
        1,
        "the killed run's worktree is still there: {left:?}"
    );

    // ...and the next run removes it, then measures as usual.
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stderr).contains("removed what an interrupted run left: 1 worktree(s)"),
        "{}",
        text(&out.stderr)
    );
    assert!(extra_worktrees(&fixture).is_empty(), "worktrees cleaned");
    assert!(!Path::new(&left[0]).exists(), "its checkout is gone");
    let baselines = fixture.baselines();
    assert_eq!(baselines.len(), 1);
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(&baselines[0]).expect("read"))
            .expect("a complete baseline");
    assert!(stored["profiles"]["release"]["measurements"].is_array());
}

#[test]
fn two_runs_at_once_the_second_is_refused_and_neither_baseline_suffers() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let mut first = start(&fixture, &["run", "--quick", "--profiles", "release"]);
    wait_for_line(&mut first, "release:");
    // The first run holds the lock while it is stopped, however long the second takes.
    freeze(&mut first);
    let second = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    thaw(&first);
    assert_exit(&second, 2);
    let err = text(&second.stderr);
    assert!(
        err.contains("another perfgate is measuring this repository"),
        "{err}"
    );
    assert!(err.contains("`perfgate run`"), "names the holder: {err}");
    let status = first.wait().expect("the first run ends");
    assert!(status.success(), "the first run is not disturbed");
    let baselines = fixture.baselines();
    assert_eq!(baselines.len(), 1);
    serde_json::from_str::<Value>(&std::fs::read_to_string(&baselines[0]).expect("read"))
        .expect("a complete baseline");
    // The lock went with the first run.
    assert_exit(
        &fixture.perfgate(&["run", "--quick", "--profiles", "release"]),
        0,
    );
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, kilobytes: u32) -> Tmpfs {
        std::fs::create_dir_all(dir).expect("mkdir");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kilobytes}k"), "tmpfs"])
            .arg(dir)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (the test machine runs the suite as root)"
        );
        Tmpfs(dir.to_path_buf())
    }

    /// Fills the file system until fewer than `keep` bytes are free.
    fn fill(&self, keep: u64) {
        let free = || {
            let out = std::process::Command::new("df")
                .args(["--output=avail", "-B1"])
                .arg(&self.0)
                .output()
                .expect("df");
            text(&out.stdout)
                .lines()
                .nth(1)
                .and_then(|l| l.trim().parse::<u64>().ok())
                .expect("free bytes")
        };
        let avail = free();
        if avail > keep {
            let filler = vec![0u8; (avail - keep) as usize];
            // The last block may not fit; a short write is fine.
            let _ = std::fs::write(self.0.join("filler"), &filler);
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_fails_the_write_and_keeps_the_old_files() {
    let fixture = Fixture::tiny();
    let sha = fixture.git(&["rev-parse", "HEAD"]);

    // A baseline: the parts of HEAD are merged into a folder on a full disk.
    let disk = Tmpfs::mount(&fixture.root().join("full"), 256);
    let mut part = example();
    part["commit"]["sha"] = Value::from(sha.clone());
    let part_text = serde_json::to_string_pretty(&part).expect("json");
    let partial = disk.0.join("partial");
    std::fs::create_dir_all(&partial).expect("mkdir");
    let part_path = partial.join(format!("{sha}.release.json"));
    std::fs::write(&part_path, &part_text).expect("a part fits");
    disk.fill(512);
    let out = fixture.perfgate(&["merge", "HEAD", "--baselines", "full"]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&part_path).expect("the part is intact"),
        part_text
    );
    assert!(!disk.0.join(format!("{sha}.json")).exists(), "no baseline");
    assert!(temp_files(&disk.0).is_empty(), "no half-written file");
    drop(disk);

    // A report: the site is written beside the old one and swapped in; on a full disk the
    // old site stays, and nothing is left beside it.
    store(&fixture, &sha, example());
    let disk = Tmpfs::mount(&fixture.root().join("reports-disk"), 128);
    std::fs::create_dir_all(disk.0.join("site")).expect("mkdir");
    std::fs::write(disk.0.join("site/index.html"), "the old site").expect("write");
    disk.fill(1024);
    let out = fixture.perfgate(&["report", "--out", "reports-disk/site"]);
    assert_exit(&out, 2);
    assert_eq!(
        std::fs::read_to_string(disk.0.join("site/index.html")).expect("the old page"),
        "the old site"
    );
    let left: Vec<String> = std::fs::read_dir(&disk.0)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(left, ["filler", "site"], "no staging folder is left");
}

#[test]
fn broken_baselines_are_named_with_the_fix() {
    let fixture = Fixture::tiny();
    let base = fixture.git(&["rev-parse", "HEAD"]);
    fixture.write("notes.txt", "a change\n");
    let head = fixture.commit("notes");
    store(&fixture, &base, example());

    let mut missing_field = example();
    missing_field
        .as_object_mut()
        .expect("an object")
        .remove("commit");
    let mut wrong_schema = example();
    wrong_schema["schema_version"] = Value::from("one");
    let cases: [(&str, String, &str); 5] = [
        ("empty", String::new(), "is corrupt: not JSON"),
        (
            "truncated",
            "{\"schema_version\": 1, \"commit\": {".to_string(),
            "is corrupt: not JSON",
        ),
        (
            "a field missing",
            serde_json::to_string(&missing_field).expect("json"),
            "missing field `commit`",
        ),
        (
            "a schema version that is not a number",
            serde_json::to_string(&wrong_schema).expect("json"),
            "`schema_version` is \"one\", not a whole number",
        ),
        (
            "a future schema",
            serde_json::to_string(&{
                let mut v = example();
                v["schema_version"] = Value::from(3);
                v
            })
            .expect("json"),
            "has schema version 3, this perfgate reads 2; it was written by a newer perfgate",
        ),
    ];
    for (what, content, message) in cases {
        fixture.write(&format!("baselines/{head}.json"), &content);
        let out = fixture.perfgate(&["compare", &base, &head]);
        assert_exit(&out, 2);
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("{head}.json")),
            "{what}: names the file: {err}"
        );
        assert!(err.contains(message), "{what}: `{message}` in {err}");
    }
}

#[test]
fn a_bench_that_hangs_is_stopped_and_one_that_prints_garbage_is_refused() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let manifest = std::fs::read_to_string(fixture.root().join("Cargo.toml")).expect("read");
    fixture.write(
        "Cargo.toml",
        &format!(
            "{manifest}\n[[bench]]\nname = \"hang\"\nharness = false\n\n[[bench]]\nname = \"garbage\"\nharness = false\n"
        ),
    );
    fixture.write(
        "benches/hang.rs",
        "//! A criterion bench whose routine never returns.\n\
         use criterion::{Criterion, criterion_group, criterion_main};\n\
         fn hang(c: &mut Criterion) {\n    c.bench_function(\"hang\", |b| b.iter(|| std::thread::sleep(std::time::Duration::from_secs(3600))));\n}\n\
         criterion_group!(benches, hang);\ncriterion_main!(benches);\n",
    );
    fixture.write(
        "benches/garbage.rs",
        r#"//! A criterion bench that measures nothing and leaves garbage where results go.
use criterion::{Criterion, criterion_group, criterion_main};
fn noise(_c: &mut Criterion) {
    println!("\u{1b}[31m%%% not a measurement {{{{ 0xdeadbeef");
    eprintln!("\0\0garbage");
    let home = std::env::var("CRITERION_HOME").unwrap_or_else(|_| "target/criterion".into());
    let dir = std::path::Path::new(&home).join("noise").join("new");
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["estimates.json", "benchmark.json", "sample.json"] {
        std::fs::write(dir.join(file), "{{{ garbage \u{0} ]]").unwrap();
    }
}
criterion_group!(benches, noise);
criterion_main!(benches);
"#,
    );
    let settings = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("read");
    // The limit only for the bench that hangs: it also covers cargo's own start, which a
    // loaded machine may make slow for the bench that ends.
    let limited = settings.replace("[run]\n", "[run]\nbench_timeout_s = 5\n");
    fixture.write(
        "perfgate.toml",
        &limited.replace("[run]\n", "[target]\nbenches = [\"hang\"]\n\n[run]\n"),
    );
    fixture.commit("a hanging bench and a noisy one");

    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains("bench `hang` (release) ran longer than 5 s and was stopped"),
        "{err}"
    );
    assert!(err.contains("bench_timeout_s"), "names the setting: {err}");
    assert!(fixture.baselines().is_empty());

    fixture.write(
        "perfgate.toml",
        &settings.replace("[run]\n", "[target]\nbenches = [\"garbage\"]\n\n[run]\n"),
    );
    fixture.commit("only the noisy bench");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("cannot read criterion output"), "{err}");
    assert!(err.contains("noise"), "names the file: {err}");
    assert!(fixture.baselines().is_empty());
}

#[test]
fn nothing_read_from_a_baseline_is_executed() {
    let fixture = Fixture::tiny();
    let base = fixture.git(&["rev-parse", "HEAD"]);
    fixture.write("notes.txt", "a change\n");
    let head = fixture.commit("notes");
    let marker = fixture.root().join("PWNED");
    let payload = format!("$(touch {0}); `touch {0}`; touch {0} #", marker.display());
    // Every string of the baseline carries a shell payload.
    fn poison(value: &mut Value, payload: &str) {
        match value {
            Value::String(s) if s.len() < 60 && !s.chars().all(|c| c.is_ascii_hexdigit()) => {
                *s = format!("{s}{payload}");
            }
            Value::Array(items) => items.iter_mut().for_each(|v| poison(v, payload)),
            Value::Object(map) => map
                .iter_mut()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "sha" | "unit" | "metric" | "schema_version")
                })
                .for_each(|(_, v)| poison(v, payload)),
            _ => {}
        }
    }
    for sha in [&base, &head] {
        let mut baseline = example();
        poison(&mut baseline, &payload);
        store(&fixture, sha, baseline);
    }
    for args in [
        vec![
            "compare",
            base.as_str(),
            head.as_str(),
            "--format",
            "markdown",
        ],
        vec!["compare", base.as_str(), head.as_str(), "--html", "page"],
        vec!["report", "--out", "site"],
        vec!["export", head.as_str(), "--format", "bmf"],
    ] {
        let out = fixture.perfgate(&args);
        // The baselines are read and used (no error exit), and nothing in them runs.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains("touch") || args[0] != "compare" || args.len() > 4,
            "the payload is shown as text: {}",
            text(&out.stdout)
        );
        assert!(!marker.exists(), "{args:?} ran a command from a baseline");
    }
}
