//! `perfgate run` on the tiny fixture: what a baseline holds, per profile.

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, text};

fn load(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read the baseline"))
        .expect("the baseline is JSON")
}

/// The measurements of `profile` for `bench` and `metric`.
fn values<'v>(baseline: &'v Value, profile: &str, bench: &str, metric: &str) -> Vec<&'v Value> {
    baseline["profiles"][profile]["measurements"]
        .as_array()
        .expect("measurements")
        .iter()
        .filter(|m| m["bench"] == bench && m["metric"] == metric)
        .collect()
}

#[test]
fn quick_release_run_stores_every_measurement() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let sha = fixture.git(&["rev-parse", "HEAD"]);
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release", "--json"]);
    assert_exit(&out, 0);
    let summary: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(summary["commit"], sha.as_str());
    assert_eq!(summary["mode"], "quick");

    let files = fixture.baselines();
    assert_eq!(
        files,
        vec![fixture.root().join(format!("baselines/{sha}.json"))]
    );
    let baseline = load(&files[0]);
    assert_eq!(baseline["schema_version"], 2);
    assert_eq!(baseline["commit"]["sha"], sha.as_str());
    assert_eq!(baseline["target"], "tiny");
    assert!(
        baseline["fingerprint"]["rustc"]
            .as_str()
            .expect("rustc")
            .starts_with("rustc ")
    );

    let wall = values(&baseline, "release", "checksum/1000", "wall_time_ns");
    assert_eq!(wall.len(), 1, "{baseline:#}");
    assert!(wall[0]["value"].as_f64().expect("a value") > 0.0);
    assert!(wall[0]["samples"].as_array().expect("samples").len() >= 10);

    let small = values(
        &baseline,
        "release",
        "instr::work::checksum.small",
        "instructions",
    );
    let large = values(
        &baseline,
        "release",
        "instr::work::checksum.large",
        "instructions",
    );
    assert_eq!((small.len(), large.len()), (1, 1), "{baseline:#}");
    let (small, large) = (small[0]["value"].as_f64(), large[0]["value"].as_f64());
    assert!(
        large > small,
        "10k iterations cost more than 100: {large:?} vs {small:?}"
    );

    for (bench, metric) in [
        ("binary/tiny", "binary_size_bytes"),
        ("binary/tiny", "stripped_size_bytes"),
        ("startup/tiny", "startup_wall_ns"),
        ("alloc/tiny", "allocations_count"),
        ("build/tiny", "build_wall_s"),
    ] {
        assert_eq!(
            values(&baseline, "release", bench, metric).len(),
            1,
            "{bench} {metric}"
        );
    }
    let startup = &values(&baseline, "release", "startup/tiny", "startup_wall_ns")[0];
    assert_eq!(
        startup["samples"].as_array().map(Vec::len),
        Some(5),
        "quick_runs = 5"
    );
    assert!(
        text(&out.stderr).contains("release: bench `wall` (criterion)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn all_four_profiles_with_verified_pgo() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    fixture.with_own_build_inputs();
    let out = fixture.perfgate(&["run", "--quick"]);
    assert_exit(&out, 0);
    let baseline = load(&fixture.baselines()[0]);
    let profiles: Vec<&String> = baseline["profiles"]
        .as_object()
        .expect("profiles")
        .keys()
        .collect();
    assert_eq!(
        profiles,
        ["pgo", "release", "release-consistent", "release-lto"]
    );
    let pgo = &baseline["profiles"]["pgo"]["pgo"];
    // Verified: the PGO executables are not the release ones.
    let shas = |profile: &str| -> Vec<(String, String)> {
        baseline["profiles"][profile]["artifacts"]
            .as_array()
            .expect("artifacts")
            .iter()
            .map(|a| (a["name"].to_string(), a["sha256"].to_string()))
            .collect()
    };
    let release = shas("release");
    assert!(
        shas("pgo")
            .iter()
            .any(|(name, sha)| release.iter().any(|(n, s)| n == name && s != sha)),
        "{pgo:#}"
    );
    assert!(pgo["functions_with_counts"].as_u64().expect("a count") > 0);
    assert_eq!(pgo["profdata_sha256"].as_str().map(str::len), Some(64));
    assert_eq!(
        baseline["profiles"]["release-lto"]["settings"]["lto"],
        "fat"
    );
    for profile in ["release", "release-lto", "release-consistent", "pgo"] {
        assert_eq!(
            values(
                &baseline,
                profile,
                "instr::work::checksum.large",
                "instructions"
            )
            .len(),
            1,
            "{profile}"
        );
    }
    let table = text(&out.stdout);
    assert!(table.contains("instr::work::checksum.large"), "{table}");
    assert!(
        table.contains("%)"),
        "changes against release are shown: {table}"
    );

    // A commit of the same tree: every input of the build is the same, so the merged profile
    // is kept and PGO is not trained again.
    assert!(pgo.get("profile_reused").is_none(), "{pgo:#}");
    fixture.git(&["commit", "-q", "--allow-empty", "-m", "nothing changed"]);
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release,pgo"]);
    assert_exit(&out, 0);
    let head = fixture.git(&["rev-parse", "HEAD"]);
    let again = load(&fixture.root().join(format!("baselines/{head}.json")));
    let kept = &again["profiles"]["pgo"]["pgo"];
    assert_eq!(kept["profile_reused"], true, "{kept:#}");
    assert_eq!(kept["profdata_sha256"], pgo["profdata_sha256"]);
    assert!(
        text(&out.stderr).contains("profile kept (same inputs), no training"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn profile_rounds_pair_each_profile_with_release_and_the_matrix_shows_it() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let out = fixture.perfgate(&[
        "run",
        "--quick",
        "--profiles",
        "release,release-lto",
        "--profile-rounds",
        "6",
    ]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stderr).contains("6 paired rounds of 2 unit(s) against release"),
        "{}",
        text(&out.stderr)
    );
    let baseline = load(&fixture.baselines()[0]);
    // Release is what the others are paired with: it has no paired series of its own.
    assert!(baseline["profiles"]["release"].get("paired").is_none());
    let paired = baseline["profiles"]["release-lto"]["paired"]
        .as_array()
        .expect("fat LTO's paired series");
    let series = |bench: &str, metric: &str| {
        paired
            .iter()
            .find(|p| p["bench"] == bench && p["metric"] == metric)
            .unwrap_or_else(|| panic!("{bench} {metric} in {paired:#?}"))
    };
    for (bench, metric) in [
        ("checksum/1000", "wall_time_ns"),
        ("startup/tiny", "startup_wall_ns"),
    ] {
        let s = series(bench, metric);
        assert_eq!(s["against"], "release");
        let ratios = s["log_ratios"].as_array().expect("log ratios");
        // Every round (the warm-up left out) gives one ratio, a finite one (how far from 0 is
        // the machine's to say: a busy one moves start-up several-fold).
        assert_eq!(ratios.len(), 6, "{s:#}");
        assert!(
            ratios
                .iter()
                .all(|r| r.as_f64().is_some_and(f64::is_finite)),
            "{s:#}"
        );
    }
    let out = fixture.perfgate(&["report"]);
    assert_exit(&out, 0);
    let matrix = std::fs::read_to_string(fixture.root().join("reports/matrix.html"))
        .expect("the matrix page");
    assert!(matrix.contains("] paired ×6"), "{matrix}");

    // Without release there is nothing to pair with: said, and the run stores its baseline
    // (the report just written left the work tree dirty).
    let out = fixture.perfgate(&[
        "run",
        "--quick",
        "--profiles",
        "release-lto",
        "--profile-rounds",
        "6",
        "--allow-dirty",
    ]);
    assert_exit(&out, 0);
    assert!(
        text(&out.stderr)
            .contains("pair each profile with `release`, which this run did not build"),
        "{}",
        text(&out.stderr)
    );
    // A number of rounds out of range is refused before anything is built.
    let out = fixture.perfgate(&["run", "--quick", "--profile-rounds", "0"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("--profile-rounds"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rev_measures_an_older_commit_without_touching_the_checkout() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let first = fixture.git(&["rev-parse", "HEAD"]);
    fixture.write("src/extra.rs", "//! Later work.\n");
    fixture.commit("second");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release", "--rev", &first]);
    assert_exit(&out, 0);
    assert_eq!(
        fixture.baselines(),
        vec![fixture.root().join(format!("baselines/{first}.json"))]
    );
    assert!(
        fixture.root().join("src/extra.rs").exists(),
        "the checkout is untouched"
    );
    assert_eq!(fixture.git(&["status", "--porcelain", "--", "src"]), "");
}

#[test]
fn a_dirty_tree_is_measured_only_when_allowed() {
    let _lock = build_lock();
    let fixture = Fixture::tiny();
    let sha = fixture.git(&["rev-parse", "HEAD"]);
    fixture.write("src/lib.rs", "//! Changed.\npub fn checksum(n: u64) -> u64 { n }\npub fn words(t: &str) -> usize { t.len() }\n");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 2);
    assert!(
        text(&out.stderr).contains("uncommitted changes (src/lib.rs)"),
        "{}",
        text(&out.stderr)
    );
    assert!(fixture.baselines().is_empty());
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release", "--allow-dirty"]);
    assert_exit(&out, 0);
    assert_eq!(
        fixture.baselines(),
        vec![fixture.root().join(format!("baselines/{sha}-dirty.json"))]
    );
}
