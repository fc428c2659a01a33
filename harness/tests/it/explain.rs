//! `perfgate explain`, `profile` and `bisect` on real commits of the fixture: one function is
//! made three times slower, and the tools must name it (and its commit), with real cargo,
//! valgrind and git. Bad input: unknown ids, a bench target without callgrind data, `pgo`, a
//! stripped build.

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, text};

/// The fixture's library with the work split into two functions that are never inlined, so
/// callgrind sees them; `FOLD_ROUNDS` scales the second one.
fn library(fold_rounds: u64) -> String {
    format!(
        r#"//! The tiny fixture, its work in two named functions.

/// Rounds of `fold` per unit of work.
pub const FOLD_ROUNDS: u64 = {fold_rounds};

/// Mixes and folds the first `n` numbers.
pub fn checksum(n: u64) -> u64 {{
    mix(n) ^ fold(n)
}}

/// The first half of the work.
#[inline(never)]
pub fn mix(n: u64) -> u64 {{
    let mut total: u64 = 0;
    for i in 0..n {{
        total = total.rotate_left(5) ^ i;
    }}
    total
}}

/// The second half of the work, `FOLD_ROUNDS` times over.
#[inline(never)]
pub fn fold(n: u64) -> u64 {{
    let mut total: u64 = 1;
    for i in 0..n * FOLD_ROUNDS {{
        total = total.wrapping_mul(31).wrapping_add(std::hint::black_box(i));
    }}
    total
}}

/// Counts the words of `text`.
pub fn words(text: &str) -> usize {{
    text.split_whitespace().count()
}}
"#
    )
}

const BENCH: &str = "instr::work::checksum.large";

/// The fixture with the split library committed (returns its sha).
fn split_fixture() -> (Fixture, String) {
    let fixture = Fixture::tiny();
    fixture.write("src/lib.rs", &library(1));
    let good = fixture.commit("split the work into mix and fold");
    (fixture, good)
}

#[test]
fn explain_names_the_function_that_became_slower_first() {
    let _lock = build_lock();
    let (fixture, good) = split_fixture();
    fixture.write("src/lib.rs", &library(3));
    let bad = fixture.commit("fold three times over");

    let out = fixture.perfgate(&["explain", BENCH, &good, &bad, "--format", "json"]);
    assert_exit(&out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let first = json["functions"][0]["function"]
        .as_str()
        .expect("a function");
    assert!(first.ends_with("tiny::fold"), "{first} first:\n{json:#}");
    let own = &json["functions"][0]["self"];
    let (before, after) = (own[0].as_u64().expect("a"), own[1].as_u64().expect("b"));
    assert!(
        after > 2 * before,
        "fold's own cost tripled: {before} → {after}"
    );
    let file = json["functions"][0]["file"].as_str().expect("a file");
    assert!(
        file.ends_with("src/lib.rs"),
        "line tables name the file: {file}"
    );
    let (a_total, b_total) = (
        json["a"]["instructions"].as_u64().expect("a"),
        json["b"]["instructions"].as_u64().expect("b"),
    );
    assert!(b_total > a_total, "{a_total} → {b_total}");
    let svg_path = json["flamegraph"].as_str().expect("a flamegraph path");
    let svg = std::fs::read_to_string(svg_path).expect("the flamegraph is written");
    assert!(svg.contains("tiny::fold"), "the flamegraph shows fold");

    // The table names it too, and says how to open the raw files; the second call is served
    // from the cache.
    let out = fixture.perfgate(&["explain", BENCH, &good, &bad]);
    assert_exit(&out, 0);
    let table = text(&out.stdout);
    let fold = table.find("tiny::fold").expect("fold is listed");
    let mix = table.find("tiny::mix");
    assert!(mix.is_none_or(|m| fold < m), "fold before mix:\n{table}");
    assert!(table.contains("callgrind_annotate"), "{table}");

    // `profile`: one commit, every function by its own cost, and a flamegraph.
    let out = fixture.perfgate(&["profile", BENCH, &bad, "--out", "prof"]);
    assert_exit(&out, 0);
    let listing = text(&out.stdout);
    assert!(listing.contains("tiny::fold"), "{listing}");
    assert!(fixture.root().join("prof/flamegraph.svg").is_file());

    // The binary's symbols: `fold` grew nothing in size terms worth failing on, but the diff
    // runs and names the binary and its crates.
    let out = fixture.perfgate(&["explain", "binary/tiny", &good, &bad]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stdout).contains("binary/tiny"),
        "{}",
        text(&out.stdout)
    );

    // Bad input, each one message and exit 2.
    let out = fixture.perfgate(&["explain", "instr::work::nope.large", &good, &bad]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains("no benchmark `instr::work::nope.large`"),
        "{err}"
    );
    assert!(err.contains(BENCH), "the known ids are listed: {err}");
    let out = fixture.perfgate(&["explain", "wall::checksum", &good, &bad]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("instr::…"),
        "{}",
        text(&out.stderr)
    );
    let out = fixture.perfgate(&["explain", "binary/nope", &good, &bad]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("binary/tiny"),
        "{}",
        text(&out.stderr)
    );
    let out = fixture.perfgate(&["explain", BENCH, &good, &bad, "--profile", "pgo"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("training run"),
        "{}",
        text(&out.stderr)
    );
    let out = fixture.perfgate(&["explain", BENCH, "no-such-ref", &bad]);
    assert_exit(&out, 2);

    // A stripped binary has no symbols to diff: the message says what to set. (The bench
    // executables `explain` runs keep their names: it builds the target package with line
    // tables; `check_symbols` refuses callgrind output without names or lines.)
    let manifest = std::fs::read_to_string(fixture.root().join("Cargo.toml")).expect("read");
    fixture.write(
        "Cargo.toml",
        &format!("{manifest}\n[profile.release]\nstrip = true\n"),
    );
    let stripped = fixture.commit("strip release builds");
    let out = fixture.perfgate(&["explain", "binary/tiny", &bad, &stripped]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("is stripped"), "{err}");
    assert!(err.contains("strip = false"), "{err}");
}

#[test]
fn bisect_finds_the_commit_that_made_the_bench_slower() {
    let _lock = build_lock();
    let (fixture, good) = split_fixture();
    for i in 0..3 {
        fixture.write("NOTES.md", &format!("note {i}\n"));
        fixture.commit(&format!("note {i}"));
    }
    fixture.write("src/lib.rs", &library(3));
    let culprit = fixture.commit("fold three times over");
    for i in 3..5 {
        fixture.write("NOTES.md", &format!("note {i}\n"));
        fixture.commit(&format!("note {i}"));
    }

    let out = fixture.perfgate(&["bisect", &good, "HEAD", "--bench", BENCH]);
    assert_exit(&out, 0);
    let report = text(&out.stdout);
    let short = &culprit[..12];
    assert!(
        report.starts_with(&format!("first bad commit: {short} fold three times over")),
        "{report}"
    );
    assert!(
        report.contains(&format!("git revert {culprit}")),
        "{report}"
    );
    assert!(report.contains("of the 6 commits"), "{report}");
    // The endpoints and the midpoints it measured are stored.
    let stored = fixture.baselines();
    assert!(
        stored
            .iter()
            .any(|p| p.to_string_lossy().contains(&culprit)),
        "{stored:?}"
    );
    assert!(stored.len() >= 3 && stored.len() <= 5, "{stored:?}");

    // A range that did not get worse.
    let out = fixture.perfgate(&["bisect", &culprit, "HEAD", "--bench", BENCH]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("is not worse"),
        "{}",
        text(&out.stderr)
    );
    // GOOD not an ancestor of BAD.
    let out = fixture.perfgate(&["bisect", "HEAD", &good, "--bench", BENCH]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("not on the first-parent history"),
        "{}",
        text(&out.stderr)
    );
}
