//! Repository shapes: a virtual workspace whose members bench (`tests/fixtures/workspace`).
//! Every member with benches is measured, its bench ids carry the package, its benches run
//! from their package's directory (alpha's reads a data file by a relative path), and
//! `[target] packages` and `package/feature` entries choose what is built.

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, text};

/// The (bench, metric) pairs of the release profile of the fixture's only baseline.
fn release_series(fixture: &Fixture, commit: &str) -> Vec<(String, String)> {
    let sha = fixture.git(&["rev-parse", commit]);
    let path = fixture.root().join(format!("baselines/{sha}.json"));
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("a baseline")).expect("JSON");
    let mut series: Vec<(String, String)> = baseline["profiles"]["release"]["measurements"]
        .as_array()
        .expect("measurements")
        .iter()
        .map(|m| {
            (
                m["bench"].as_str().expect("bench").to_string(),
                m["metric"].as_str().expect("metric").to_string(),
            )
        })
        .filter(|(bench, _)| !bench.starts_with("build/"))
        .collect();
    series.sort();
    series
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(b, m)| (b.to_string(), m.to_string()))
        .collect()
}

#[test]
fn a_virtual_workspace_measures_every_member_with_benches() {
    let _lock = build_lock();
    let fixture = Fixture::named("workspace");
    fixture.write(".gitignore", "/target\nbaselines/\n");
    fixture.commit("ignore the baselines");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "`beta/wide` needs the features `wide`; enable them with `features = [\"beta/wide\"]`"
        ),
        "{stdout}"
    );
    // Both members have a bench target `speed`; each is measured, its ids after its package.
    assert_eq!(
        release_series(&fixture, "HEAD"),
        pairs(&[
            ("alpha::words/input", "wall_time_ns"),
            ("beta::sum/100", "instructions"),
            ("beta::sum/100", "wall_time_ns"),
            ("beta::sum/1000", "instructions"),
            ("beta::sum/1000", "wall_time_ns"),
        ])
    );
    let out = fixture.perfgate(&["compare", "HEAD", "HEAD"]);
    assert_exit(&out, 0);

    // One member chosen, with its feature: its ids are the harness's own.
    let config = std::fs::read_to_string(fixture.root().join("perfgate.toml")).expect("read");
    fixture.write(
        "perfgate.toml",
        &config.replace(
            "path = \".\"\n",
            "path = \".\"\npackages = [\"beta\"]\nfeatures = [\"beta/wide\"]\n",
        ),
    );
    fixture.commit("beta alone, wide on");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    assert_eq!(
        release_series(&fixture, "HEAD"),
        pairs(&[
            ("sum/100", "instructions"),
            ("sum/100", "wall_time_ns"),
            ("sum/1000", "instructions"),
            ("sum/1000", "wall_time_ns"),
            ("wide", "instructions"),
            ("wide", "wall_time_ns"),
        ])
    );

    // A package that is not a member is named, with the members.
    fixture.write(
        "perfgate.toml",
        &config.replace("path = \".\"\n", "path = \".\"\npackages = [\"gamma\"]\n"),
    );
    fixture.commit("a package that is not there");
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`gamma` is not a package of the workspace")
            && stderr.contains("`alpha`, `beta`"),
        "{stderr}"
    );
}
