//! `perfgate report`: the site rendered from stored baselines along real git history, then
//! opened in headless Chromium as a person would (a screenshot, the DOM as the browser built
//! it, the console), plus the bad inputs: no baselines, one, gaps, other branches, series that
//! come and go, hostile bench names, an output folder that cannot be written.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{Fixture, assert_exit, example, store, text};

/// A bench id that would run script if it were not escaped.
const HOSTILE: &str = "<script>alert(1)</script>";

/// `n` commits on main, each with a baseline except every fourth (a gap); from the sixth on,
/// the release instruction count of `iai::parse::config_core.medium` is 12% higher (a step);
/// a hostile bench appears at the third; one more baseline belongs to a side branch.
fn history(n: usize) -> (Fixture, Vec<String>) {
    let fixture = Fixture::tiny();
    let mut shas = Vec::new();
    for i in 0..n {
        fixture.write("work.txt", &format!("step {i}\n"));
        let sha = fixture.commit(&format!("step {i}: <b>bold</b> & more"));
        shas.push(sha.clone());
        if i % 4 == 3 {
            continue;
        }
        let mut b = example();
        let ms = b["profiles"]["release"]["measurements"]
            .as_array_mut()
            .expect("measurements");
        for m in ms.iter_mut() {
            // Every commit builds other binaries.
            if m.get("artifact_sha256").is_some() {
                m["artifact_sha256"] = Value::from(format!("{i:064x}"));
            }
            if m["metric"] == "instructions" && i >= 6 {
                m["value"] = Value::from(m["value"].as_f64().expect("a value") * 1.12);
            }
            if m["metric"] == "wall_time_ns" {
                let wobble = 1.0 + (i % 3) as f64 * 0.01;
                m["value"] = Value::from(m["value"].as_f64().expect("a value") * wobble);
            }
        }
        if i >= 2 {
            let mut hostile = ms[0].clone();
            hostile["bench"] = Value::from(HOSTILE);
            hostile["metric"] = Value::from("instructions");
            hostile["unit"] = Value::from("instructions");
            hostile["value"] = Value::from(100.0 + i as f64);
            ms.push(hostile);
        }
        b["commit"]["subject"] = Value::from(format!("step {i}: <b>bold</b> & more"));
        store(&fixture, &sha, b);
    }
    fixture.git(&["checkout", "-q", "-b", "side", &shas[1]]);
    fixture.write("side.txt", "side\n");
    let side = fixture.commit("side work");
    store(&fixture, &side, example());
    fixture.git(&["checkout", "-q", "main"]);
    (fixture, shas)
}

/// Headless Chromium on a page: `--dump-dom` (the DOM after parsing) and a 1280 px screenshot.
/// Returns the DOM and Chromium's stderr (its console lines, with `--enable-logging`).
fn chromium(page: &Path, screenshot: &Path) -> (String, String) {
    let url = format!("file://{}", page.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let dom = Command::new("chromium")
        .args(common)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs (scripts/setup.sh installs it)");
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let shot = Command::new("chromium")
        .args(common)
        .arg("--window-size=1280,1600")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(shot.status.success(), "{}", text(&shot.stderr));
    (
        text(&dom.stdout),
        format!("{}{}", text(&dom.stderr), text(&shot.stderr)),
    )
}

/// The width and height of a PNG, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("the screenshot exists");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (be(16), be(20))
}

#[test]
fn the_site_renders_history_and_opens_in_chromium() {
    let (fixture, shas) = history(12);
    let out = fixture.perfgate(&["report"]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("report of 9 commits"), "{stdout}");
    let site = fixture.root().join("reports");
    let index = site.join("index.html");
    let index_html = std::fs::read_to_string(&index).expect("index written");
    assert!(index_html.contains("1 stored baseline(s) of other branches are not shown"));
    assert!(index_html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!index_html.contains(HOSTILE), "the hostile name is escaped");
    assert!(index_html.contains("class=\"spark\""), "sparklines");

    // The bench page with the step: a chart with its lines, and the change point listed at
    // the first commit of the step (commit 6).
    let bench_dir = site.join("bench");
    let page = std::fs::read_dir(&bench_dir)
        .expect("bench pages")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("iai-parse-config-core-medium"))
        .expect("the instruction bench's page");
    let html = std::fs::read_to_string(&page).expect("read");
    assert!(
        html.contains(&shas[6][..10]),
        "the change point names its commit"
    );
    assert!(html.contains("+12.0%"), "and its shift");

    let shots = tempfile::tempdir().expect("temp");
    for (name, page) in [
        ("index", index.clone()),
        ("bench", page),
        ("matrix", site.join("matrix.html")),
    ] {
        let png = shots.path().join(format!("{name}.png"));
        let (dom, log) = chromium(&page, &png);
        assert!(dom.contains("<svg"), "{name}: charts are in the DOM");
        assert!(!dom.contains("<script"), "{name}: no script element");
        let console_errors: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
            .collect();
        assert!(console_errors.is_empty(), "{name}: {console_errors:?}");
        let (w, h) = png_size(&png);
        assert_eq!((w, h), (1280, 1600), "{name}");
        let size = std::fs::metadata(&png).expect("png").len();
        assert!(
            size > 30_000,
            "{name}: a screenshot with content, {size} bytes"
        );
        if name == "bench" {
            // A drawn line: an SVG path or polyline with many coordinates.
            let drawn = dom
                .split("<polyline")
                .chain(dom.split("<path"))
                .skip(1)
                .any(|element| element.matches(',').count() >= 5);
            assert!(drawn, "the trend lines have points");
            assert!(dom.contains("commit (first-parent history, oldest first)"));
            assert!(dom.contains("instructions (million instructions)"));
        }
    }
}

#[test]
fn sparse_and_empty_histories_give_sensible_pages() {
    let fixture = Fixture::tiny();
    let out = fixture.perfgate(&["report"]);
    assert_exit(&out, 0);
    let index = std::fs::read_to_string(fixture.root().join("reports/index.html")).expect("read");
    assert!(
        index.contains("No baselines on this history yet"),
        "{index}"
    );

    let sha = fixture.git(&["rev-parse", "HEAD"]);
    store(&fixture, &sha, example());
    let out = fixture.perfgate(&["report", "--out", "site"]);
    assert_exit(&out, 0);
    let index = std::fs::read_to_string(fixture.root().join("site/index.html")).expect("read");
    assert!(index.contains("1 commit with a baseline"), "{index}");
    assert!(index.contains("Verdicts need two baselines"));

    // A baseline that cannot be read is skipped with a warning, not a failure.
    fixture.write("notes.txt", "x\n");
    let next = fixture.commit("next");
    fixture.write(&format!("baselines/{next}.json"), "{ truncated");
    let out = fixture.perfgate(&["report", "--out", "site"]);
    assert_exit(&out, 0);
    assert!(text(&out.stderr).contains("skips"), "{}", text(&out.stderr));
}

#[test]
fn compare_pages_and_bad_input() {
    let (fixture, shas) = history(8);
    let out = fixture.perfgate(&[
        "report",
        "--since",
        &shas[4],
        "--compare",
        &shas[0],
        &shas[6],
    ]);
    assert_exit(&out, 0);
    let compare =
        std::fs::read_to_string(fixture.root().join("reports/compare.html")).expect("read");
    assert!(
        compare.contains("Relative change per series"),
        "a chart of changes"
    );
    assert!(compare.contains("regressed"));
    assert!(
        text(&out.stdout).contains("report of 3 commits"),
        "{}",
        text(&out.stdout)
    );

    // `compare --html` writes the same page.
    let out = fixture.perfgate(&["compare", &shas[0], &shas[6], "--html", "pages"]);
    assert_exit(&out, 1);
    assert!(fixture.root().join("pages/compare.html").is_file());

    // An output folder that cannot be made: exit 2, the old site untouched.
    fixture.write("blocker", "a file, not a folder\n");
    let out = fixture.perfgate(&["report", "--out", "blocker/site"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("blocker"),
        "{}",
        text(&out.stderr)
    );
    let before = std::fs::read_to_string(fixture.root().join("reports/index.html")).expect("read");
    assert!(before.contains("Performance overview"));

    let out = fixture.perfgate(&["report", "--since", "no-such-ref"]);
    assert_exit(&out, 2);
    fixture.git(&["checkout", "-q", "side"]);
    let out = fixture.perfgate(&["report", "--since", &shas[5]]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("not on the first-parent history"),
        "{}",
        text(&out.stderr)
    );
}
