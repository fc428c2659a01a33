use super::*;
use crate::measure::Unit;
use crate::render::gate::tests::{fixture, row};

fn links() -> Links {
    Links {
        repo: Some("https://github.com/perfgate/perfgate".into()),
        report: Some("https://perfgate.github.io/perfgate/compare/7c1e5b2a".into()),
        run: None,
    }
}

/// `parse` got slower in config-core's own code, and a standard-library function too.
fn slower_parse() -> Explanation {
    let function = |name: &str, file: &str, line: u32, a: u64, b: u64| FunctionChange {
        name: name.into(),
        file: file.into(),
        line,
        exclusive: (a, b),
        inclusive: (a, b),
    };
    Explanation {
        bench: "iai::parse::config_core.medium".into(),
        profile: "release".into(),
        totals: (1_714_186, 1_921_000),
        changes: vec![
            function(
                "config_core::parse::Parser::key",
                "targets/config-core/src/parse.rs",
                212,
                400_000,
                590_000,
            ),
            function(
                "core::str::validations::next_code_point",
                "/rustc/59807616e/library/core/src/str/validations.rs",
                36,
                90_000,
                107_000,
            ),
            function(
                "config_core::index::Index::insert",
                "targets/config-core/src/index.rs",
                0,
                0,
                1_200,
            ),
        ],
        flamegraph: Some("explain/iai__parse__config_core.medium/diff.svg".into()),
    }
}

#[test]
fn the_comment_leads_with_the_verdict_and_links_the_slower_lines() {
    let body = body(&fixture(), &[slower_parse()], &links());
    insta::assert_snapshot!("comment", body);
    assert!(body.starts_with("<!-- perfgate:comment verdict=FAIL moved=1 -->\n"));
    assert!(body.contains(
        "[targets/config-core/src/parse.rs:212](https://github.com/perfgate/perfgate/blob/7c1e5b2a9f04d3c8e6b1a0f2d4c6e8a0b2c4d6e8/targets/config-core/src/parse.rs#L212)"
    ));
    // A toolchain file cannot be linked: it is named.
    assert!(body.contains("`/rustc/59807616e/library/core/src/str/validations.rs:36`"));
    assert!(body.contains(
        "[Differential flamegraph](https://perfgate.github.io/perfgate/compare/7c1e5b2a/explain/iai__parse__config_core.medium/diff.svg)"
    ));
    assert!(body.contains("<details><summary>All 10 series (1 said once above)</summary>"));
}

/// A baseline of many series: every row that shares a reason is said once above the table,
/// and the table is cut to stay under GitHub's limit, saying so.
#[test]
fn a_thousand_series_stay_under_the_limit_and_repeated_reasons_are_said_once() {
    let mut c = fixture();
    let reason = "incomparable: cpu_model AMD EPYC 9554 64-Core Processor → Intel Xeon Platinum 8375C; the PGO training command changed: `cargo bench --bench parse -- --warm-up-time 1 --measurement-time 2 --sample-size 20 --noplot` → `cargo bench --bench parse -- --warm-up-time 0.2`";
    for i in 0..1000 {
        c.series.push(row(
            Verdict::Incomparable,
            &format!("parse/generated-{i:04}/config-core"),
            "wall_time_ns",
            Unit::Nanoseconds,
            (Some(1000.0 + f64::from(i)), Some(1100.0)),
            reason,
        ));
    }
    let body = body(&c, &[slower_parse()], &links());
    assert!(
        body.chars().count() <= MAX_CHARS,
        "{}",
        body.chars().count()
    );
    assert!(
        body.contains(&format!("> 1000 series incomparable: {}", escape(reason))),
        "said once"
    );
    // The base was measured on another CPU: one line says so, with the command that measures
    // a comparable base here.
    assert!(
        body.contains("> 1001 series incomparable: the base 5a3f0c9e7d1b was measured on another machine (cpu\\_model AMD EPYC 9554 64-Core Processor → Intel Xeon Platinum 8375C); `perfgate run --rev 5a3f0c9e7d1b` measures a comparable base here"),
        "{body}"
    );
    // Said once, those rows are not repeated in the table.
    assert!(body.contains("<details><summary>All 1010 series (1001 said once above)</summary>"));
    assert!(!body.contains("parse/generated-0000/config-core"));
    // A thousand rows of their own each are cut to fit, and the cut is said.
    for i in 0..1000 {
        c.series.push(row(
            Verdict::WithinNoise,
            &format!("parse/other-{i:04}/config-core"),
            "wall_time_ns",
            Unit::Nanoseconds,
            (Some(1000.0), Some(1000.0 + f64::from(i) / 10.0)),
            &format!(
                "+{:.2}% within the noise of 10 processes a side, sample {i}",
                f64::from(i) / 100.0
            ),
        ));
    }
    let body = super::body(&c, &[slower_parse()], &links());
    assert!(
        body.chars().count() <= MAX_CHARS,
        "{}",
        body.chars().count()
    );
    assert!(
        body.contains("rows left out to stay under GitHub's 65536-character limit"),
        "cut"
    );
    // What regressed still leads.
    let regressions = body
        .find("`parse/medium/config-core`")
        .expect("the regression");
    assert!(regressions < body.find("1000 series incomparable").expect("the group"));
}

#[test]
fn on_change_posts_when_a_gated_series_moved_or_the_verdict_changed() {
    let failing = body(&fixture(), &[], &Links::default());
    assert!(failing.starts_with("<!-- perfgate:comment verdict=FAIL moved=1 -->\n"));
    assert!(should_post(Mode::OnChange, &failing, None));
    assert!(!should_post(Mode::Never, &failing, None));
    let mut quiet = fixture();
    quiet.series.retain(|s| {
        matches!(
            s.verdict,
            Verdict::Unchanged | Verdict::WithinNoise | Verdict::Incomparable
        )
    });
    quiet.budgets.clear();
    let quiet = body(&quiet, &[], &Links::default());
    assert_eq!(marker_field(&quiet, "verdict"), Some("PASS"));
    assert_eq!(marker_field(&quiet, "moved"), Some("0"));
    assert!(!should_post(Mode::OnChange, &quiet, None));
    assert!(should_post(Mode::Always, &quiet, None));
    // The last comment said FAIL and the gate passes now: the comment is brought up to date.
    assert!(should_post(Mode::OnChange, &quiet, Some(&failing)));
    assert!(!should_post(Mode::OnChange, &quiet, Some(&quiet)));
    assert_eq!(marker_field("no marker here", "verdict"), None);
}

/// Two pages of `GET /repos/{owner}/{repo}/issues/{number}/comments` as `gh api --paginate`
/// prints them: a person, another bot quoting the marker, then perfgate's comment.
const COMMENTS: &str = include_str!("testdata/issue-comments.json");

#[test]
fn the_comment_to_edit_is_perfgates_own() {
    let (id, body) = pick(COMMENTS, Some("github-actions[bot]"))
        .expect("valid JSON")
        .expect("found");
    assert_eq!(id, 2_484_112_907);
    assert_eq!(marker_field(&body, "verdict"), Some("PASS"));
    // Without an author, the first comment carrying the marker.
    let (first, _) = pick(COMMENTS, None).expect("valid").expect("found");
    assert_eq!(first, 2_484_101_334);
    assert_eq!(
        pick("[]", Some("github-actions[bot]")).expect("valid"),
        None
    );
    assert!(pick("{\"message\": \"Not Found\"}", None).is_err());
}

#[test]
fn annotations_point_at_the_repositorys_lines() {
    let text = annotations(&[slower_parse()]);
    assert_eq!(
        text,
        "::warning file=targets/config-core/src/parse.rs,line=212,title=perfgate%3A iai%3A%3Aparse%3A%3Aconfig_core.medium slower::config_core::parse::Parser::key +190000 (+47.5%) own instructions in iai::parse::config_core.medium (release)\n"
    );
}
