//! Repository shapes: a virtual workspace whose members bench (`tests/fixtures/workspace`).
//! Every member with benches is measured, its bench ids carry the package, its benches run
//! from their package's directory (alpha's reads a data file by a relative path), and
//! `[target] packages` and `package/feature` entries choose what is built.

use crate::util::{Fixture, assert_exit, build_lock, load, release, text};

/// The (bench, metric) pairs of the release profile of `commit`'s baseline, build times
/// left out.
fn release_series(fixture: &Fixture, commit: &str) -> Vec<(String, String)> {
    let sha = fixture.git(&["rev-parse", commit]);
    let baseline = load(&fixture.root().join(format!("baselines/{sha}.json")));
    let mut series: Vec<(String, String)> = release(&baseline)
        .into_iter()
        .filter(|(bench, _, _)| !bench.starts_with("build/"))
        .map(|(bench, metric, _)| (bench, metric))
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
    let path = "path = \".\"\n";
    fixture.edit(
        "perfgate.toml",
        path,
        "path = \".\"\npackages = [\"beta\"]\nfeatures = [\"beta/wide\"]\n",
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
    fixture.edit(
        "perfgate.toml",
        "packages = [\"beta\"]",
        "packages = [\"gamma\"]",
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
