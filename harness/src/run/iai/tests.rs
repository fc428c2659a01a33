use super::*;

// A real summary from `IAI_CALLGRIND_SAVE_SUMMARY=json cargo bench -p config-core --bench
// iai` (iai-callgrind 0.16.1, valgrind 3.19.0), first run, so every value is `Left` (new
// only). Trimmed: `parts` emptied, absolute paths replaced by `/project`.
const V6_FIRST_RUN: &str = r#"{"baselines":[null,null],
"benchmark_exe":"/project/target/release/deps/iai-358ac6cdd87db31f",
"benchmark_file":"/project/targets/config-core/benches/iai.rs","details":"load_input(\"small\")",
"function_name":"config_core","id":"small","kind":"LibraryBenchmark",
"module_path":"iai::parse::config_core","package_dir":"/project/targets/config-core",
"profiles":[{"flamegraphs":[],"log_paths":[],"out_paths":[],
"summaries":{"parts":[],"total":{"regressions":[],"summary":{"Callgrind":{
"D1MissRate":{"diffs":null,"metrics":{"Left":{"Float":0.6045949214026602}}},
"D1mr":{"diffs":null,"metrics":{"Left":{"Int":25}}},
"D1mw":{"diffs":null,"metrics":{"Left":{"Int":70}}},
"DLmr":{"diffs":null,"metrics":{"Left":{"Int":19}}},
"DLmw":{"diffs":null,"metrics":{"Left":{"Int":68}}},
"Dr":{"diffs":null,"metrics":{"Left":{"Int":10113}}},
"Dw":{"diffs":null,"metrics":{"Left":{"Int":5600}}},
"EstimatedCycles":{"diffs":null,"metrics":{"Left":{"Int":67261}}},
"I1MissRate":{"diffs":null,"metrics":{"Left":{"Float":0.7262741877534261}}},
"I1mr":{"diffs":null,"metrics":{"Left":{"Int":283}}},
"ILmr":{"diffs":null,"metrics":{"Left":{"Int":282}}},
"Ir":{"diffs":null,"metrics":{"Left":{"Int":38966}}},
"L1HitRate":{"diffs":null,"metrics":{"Left":{"Float":99.3086925510708}}},
"L1hits":{"diffs":null,"metrics":{"Left":{"Int":54301}}},
"LLHitRate":{"diffs":null,"metrics":{"Left":{"Float":0.01645970116498107}}},
"LLMissRate":{"diffs":null,"metrics":{"Left":{"Float":0.674847747764224}}},
"LLdMissRate":{"diffs":null,"metrics":{"Left":{"Float":0.5536816648634888}}},
"LLhits":{"diffs":null,"metrics":{"Left":{"Int":9}}},
"LLiMissRate":{"diffs":null,"metrics":{"Left":{"Float":0.7237078478673715}}},
"RamHitRate":{"diffs":null,"metrics":{"Left":{"Float":0.674847747764224}}},
"RamHits":{"diffs":null,"metrics":{"Left":{"Int":369}}},
"TotalRW":{"diffs":null,"metrics":{"Left":{"Int":54679}}}}}}},
"tool":"Callgrind"}],"project_root":"/project",
"summary_output":{"format":"Json","path":"/project/summary.json"},"version":"6"}"#;

// The same bench's second run (`Both`: new, then old from the first run), trimmed to a
// few events. The old `Ir` and `L1hits` are edited (the real run repeated the counts
// exactly) so that taking the wrong side would show; `Dr` is edited to `Right` (old only).
const V6_SECOND_RUN: &str = r#"{"baselines":[null,null],
"benchmark_exe":"/project/target/release/deps/iai-358ac6cdd87db31f",
"benchmark_file":"/project/targets/config-core/benches/iai.rs","details":"load_input(\"medium\")",
"function_name":"config_core","id":"medium","kind":"LibraryBenchmark",
"module_path":"iai::parse::config_core","package_dir":"/project/targets/config-core",
"profiles":[{"flamegraphs":[],"log_paths":[],"out_paths":[],
"summaries":{"parts":[],"total":{"regressions":[],"summary":{"Callgrind":{
"Dr":{"diffs":null,"metrics":{"Right":{"Int":98672}}},
"EstimatedCycles":{"diffs":{"diff_pct":"0","factor":"1"},"metrics":{"Both":[{"Int":575505},{"Int":575505}]}},
"Ir":{"diffs":{"diff_pct":"-1.2","factor":"0.98"},"metrics":{"Both":[{"Int":384264},{"Int":390000}]}},
"L1HitRate":{"diffs":{"diff_pct":"0","factor":"1"},"metrics":{"Both":[{"Float":99.75448086384019},{"Float":99.75448086384019}]}},
"L1hits":{"diffs":{"diff_pct":"-0.1","factor":"0.99"},"metrics":{"Both":[{"Int":535910},{"Int":536000}]}},
"TotalRW":{"diffs":{"diff_pct":"0","factor":"1"},"metrics":{"Both":[{"Int":537229},{"Int":537229}]}}}}}},
"tool":"Callgrind"}],"project_root":"/project",
"summary_output":{"format":"Json","path":"/project/summary.json"},"version":"6"}"#;

// gungraun 0.20 (`"version": "7"`), written from the documented shape (gungraun's
// `summary.v7` schema and its example summary), not produced by a run here: no `id` (a
// benchmark without `#[bench::id]`), plain numbers in `values`, `parts` emptied, and a
// DHAT profile beside the Callgrind one, whose counts follow Callgrind's.
const V7: &str = r#"{"baselines":[null,null],
"benchmark_exe":"target/release/deps/iai-0123456789abcdef","benchmark_file":"benches/iai.rs",
"duration_ns":200553102,"function_name":"config_core","group":"parse","kind":"LibraryBenchmark",
"module_path":"iai::parse::config_core","output_dir":"target/gungraun/config-core/iai/parse/config_core",
"package_dir":"targets/config-core",
"profiles":[
{"data":{"parts":[],"total":{"metrics":{"AtTEndBlocks":{"change":null,"values":{"new":0}}},"regressions":[]}},
 "duration_ns":1000,"process_ns":900,"started_at":"2026-09-25T16:02:04.121681251Z","tool":"DHAT"},
{"data":{"parts":[],"total":{"metrics":{
"D1MissRate":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":0.33444816053511706,"old":0.33444816053511706}},
"Dr":{"change":null,"values":{"old":161}},
"EstimatedCycles":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":1092,"old":1092}},
"Ir":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":687,"old":700}},
"L1HitRate":{"change":null,"values":{"new":99.59432048681542}},
"L1hits":{"change":null,"values":{"new":982}},
"RamHits":{"change":{"diff_pct":"0","factor":"1"},"values":{"new":3,"old":3}}},
"regressions":[]}},
 "duration_ns":200542320,"process_ns":200490228,"started_at":"2026-09-25T16:02:04.121681251Z","tool":"Callgrind"}],
"project_root":"/project","started_at":"2026-09-25T16:02:04.121680298Z","version":"7"}"#;

/// `(bench, metric, value)` of each measurement, checking what every one shares.
#[track_caller]
fn rows(ms: &[Measurement]) -> Vec<(String, String, f64)> {
    for m in ms {
        assert!(m.lower_is_better && m.samples.is_empty() && m.interval.is_none());
        let unit = if m.metric == Metric::Instructions {
            Unit::Instructions
        } else if m.metric.as_str().starts_with("dhat_") {
            Unit::Count
        } else {
            Unit::Events
        };
        assert_eq!(m.unit, unit, "{}", m.metric);
    }
    ms.iter()
        .map(|m| (m.bench.clone(), m.metric.to_string(), m.value))
        .collect()
}

#[track_caller]
fn check(json: &str, expected: &[(&str, &str, f64)]) {
    let ms = parse_summary(json).expect("parses");
    let expected: Vec<(String, String, f64)> = expected
        .iter()
        .map(|&(b, m, v)| (b.to_string(), m.to_string(), v))
        .collect();
    assert_eq!(rows(&ms), expected);
}

#[test]
fn v6_first_run_reads_every_integer_event() {
    let b = "iai::parse::config_core.small";
    check(
        V6_FIRST_RUN,
        &[
            (b, "instructions", 38966.0),
            (b, "callgrind_d1mr", 25.0),
            (b, "callgrind_d1mw", 70.0),
            (b, "callgrind_dlmr", 19.0),
            (b, "callgrind_dlmw", 68.0),
            (b, "callgrind_dr", 10113.0),
            (b, "callgrind_dw", 5600.0),
            (b, "callgrind_estimated_cycles", 67261.0),
            (b, "callgrind_i1mr", 283.0),
            (b, "callgrind_ilmr", 282.0),
            (b, "callgrind_l1hits", 54301.0),
            (b, "callgrind_llhits", 9.0),
            (b, "callgrind_ram_hits", 369.0),
            (b, "callgrind_total_rw", 54679.0),
        ],
    );
}

#[test]
fn v6_second_run_takes_the_new_side_and_skips_old_only() {
    let b = "iai::parse::config_core.medium";
    check(
        V6_SECOND_RUN,
        &[
            (b, "instructions", 384264.0),
            (b, "callgrind_estimated_cycles", 575505.0),
            (b, "callgrind_l1hits", 535910.0),
            (b, "callgrind_total_rw", 537229.0),
        ],
    );
}

#[test]
fn v7_reads_new_values_and_uses_the_module_path_without_an_id() {
    let b = "iai::parse::config_core";
    check(
        V7,
        &[
            (b, "instructions", 687.0),
            (b, "callgrind_estimated_cycles", 1092.0),
            (b, "callgrind_l1hits", 982.0),
            (b, "callgrind_ram_hits", 3.0),
            (b, "dhat_at_tend_blocks", 0.0),
        ],
    );
    let with_id = V7.replace(r#""group":"parse","#, r#""group":"parse","id":"small","#);
    let ms = parse_summary(&with_id).expect("parses");
    assert_eq!(ms[0].bench, "iai::parse::config_core.small");
}

#[test]
fn bad_summaries_say_what_is_wrong() {
    let err = parse_summary("{").expect_err("truncated");
    assert!(matches!(err, SummaryError::NotASummary(_)), "{err}");
    assert!(
        err.to_string().starts_with("not an iai-callgrind summary"),
        "{err}"
    );

    let err = parse_summary(&V6_FIRST_RUN.replace(r#""version":"6""#, r#""version":"5""#))
        .expect_err("old version");
    assert!(
        matches!(&err, SummaryError::Version(v) if v == "5"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("summary version 5 is not supported"),
        "{err}"
    );

    let err = parse_summary(&V6_FIRST_RUN.replace(r#""tool":"Callgrind""#, r#""tool":"DHAT""#))
        .expect_err("no callgrind");
    assert!(matches!(err, SummaryError::NoCallgrindProfile), "{err}");
    assert_eq!(
        err.to_string(),
        "no Callgrind or Cachegrind profile in the summary"
    );

    let err = parse_summary(&V6_FIRST_RUN.replace(r#""Ir":"#, r#""Xr":"#)).expect_err("no Ir");
    assert!(matches!(err, SummaryError::NoInstructions), "{err}");
    assert_eq!(
        err.to_string(),
        "no `Ir` (instruction count) in the Callgrind totals"
    );

    let err = parse_summary(&V7.replace(
        r#""data":{"parts":[],"total""#,
        r#""data":{"parts":[],"totals""#,
    ))
    .expect_err("renamed field");
    assert!(
        matches!(err, SummaryError::Profile { version: 7, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("unexpected Callgrind profile in a version 7 summary"),
        "{err}"
    );
}

#[test]
fn event_names_become_snake_case() {
    for (name, snake) in [
        ("EstimatedCycles", "estimated_cycles"),
        ("TotalRW", "total_rw"),
        ("RamHits", "ram_hits"),
        ("L1hits", "l1hits"),
        ("LLhits", "llhits"),
        ("ILmr", "ilmr"),
        ("SysCount", "sys_count"),
        ("Bcm", "bcm"),
    ] {
        assert_eq!(snake_case(name), snake);
    }
}

#[test]
fn the_runner_version_is_read_in_both_wordings() {
    let real = "iai_callgrind_runner: Error: No version information found for iai-callgrind but iai-callgrind-runner (0.16.1) is >= '0.3.0'. Please update iai-callgrind to '0.16.1' in your Cargo.toml file\n";
    assert_eq!(
        runner_version(real, &IAI_CALLGRIND),
        Some("0.16.1".to_string())
    );
    assert_eq!(
        runner_version("gungraun-runner 0.20.0\n", &GUNGRAUN),
        Some("0.20.0".to_string())
    );
    assert_eq!(runner_version("usage: …", &IAI_CALLGRIND), None);
}

#[test]
fn runner_problems_are_recognised_in_stderr() {
    // Real stderr of `cargo bench --bench iai` with a runner that reports 0.16.1 against a
    // library of 0.17.0 and of 0.15.2, and with no runner at all (iai-callgrind 0.16.1).
    let older = "     Running benches/iai.rs (target/release/deps/iai-358ac6cdd87db31f)\n\
iai_callgrind_runner: Error: iai-callgrind-runner (0.16.1) is older than iai-callgrind (0.17.0). Please update iai-callgrind-runner by calling 'cargo install --version 0.17.0 iai-callgrind-runner'\n\
error: bench failed, to rerun pass `-p config-core --bench iai`\n";
    let newer = "iai_callgrind_runner: Error: iai-callgrind-runner (0.16.1) is newer than iai-callgrind (0.15.2). Please update iai-callgrind to '0.16.1' in your Cargo.toml file\n";
    let missing = "iai-callgrind: Error: The following errors occurred:\n\
--> Error in iai: Failed to run benchmarks: No such file or directory (os error 2).\n\
\n\
Is iai-callgrind-runner installed and iai-callgrind-runner in your $PATH?.\n\
You can set the environment variable IAI_CALLGRIND_RUNNER to the absolute path of the iai-callgrind-runner executable.\n";
    let mismatch = |runner: &str, library: &str| {
        Some(RunnerProblem::Mismatch {
            runner: runner.to_string(),
            library: library.to_string(),
        })
    };
    assert_eq!(
        runner_problem(older, &IAI_CALLGRIND),
        mismatch("0.16.1", "0.17.0")
    );
    assert_eq!(
        runner_problem(newer, &IAI_CALLGRIND),
        mismatch("0.16.1", "0.15.2")
    );
    assert_eq!(
        runner_problem(missing, &IAI_CALLGRIND),
        Some(RunnerProblem::Missing)
    );
    let panic = "thread 'main' panicked at benches/iai.rs:31:40:\nconfig-core parses\n";
    assert_eq!(runner_problem(panic, &IAI_CALLGRIND), None);
    // gungraun's messages have the same shape with its own names.
    let gungraun = "gungraun-runner (0.20.0) is older than gungraun (0.20.1). Please update";
    assert_eq!(
        runner_problem(gungraun, &GUNGRAUN),
        mismatch("0.20.0", "0.20.1")
    );
    assert_eq!(runner_problem(gungraun, &IAI_CALLGRIND), None);
    // The real messages of gungraun 0.17.2 to 0.20.0's runners (stderr of `cargo bench`).
    let older = "gungraun_runner: Error: gungraun-runner (0.19.4) is older than gungraun (0.20.0). Please update gungraun-runner by calling 'cargo install --version 0.20.0 gungraun-runner'";
    assert_eq!(
        runner_problem(older, &GUNGRAUN),
        mismatch("0.19.4", "0.20.0")
    );
    let newer = "gungraun_runner: Error: gungraun-runner (0.18.2) is newer than gungraun (0.17.2). Please update gungraun to '0.18.2' in your Cargo.toml file";
    assert_eq!(
        runner_problem(newer, &GUNGRAUN),
        mismatch("0.18.2", "0.17.2")
    );
    let missing = "Failed to run benchmarks: No such file or directory (os error 2). Is gungraun-runner installed and gungraun-runner in your $PATH?.";
    assert_eq!(
        runner_problem(missing, &GUNGRAUN),
        Some(RunnerProblem::Missing)
    );
}

#[test]
fn the_install_fix_names_the_library_version() {
    assert_eq!(
        IAI_CALLGRIND.install_fix(Some("0.16.1")),
        "install the runner matching the library with `cargo install --locked iai-callgrind-runner --version 0.16.1` (or run `scripts/setup.sh`)"
    );
    let err = Error::ToolVersion {
        tool: "iai-callgrind-runner".into(),
        found: "0.16.1".into(),
        expected: "0.17.0".into(),
        fix: IAI_CALLGRIND.install_fix(Some("0.17.0")),
    };
    assert_eq!(
        err.to_string(),
        "`iai-callgrind-runner` is version 0.16.1 but 0.17.0 is needed; install the runner matching the library with `cargo install --locked iai-callgrind-runner --version 0.17.0` (or run `scripts/setup.sh`)"
    );
}

#[test]
fn collect_reads_every_summary_sorted_by_id() {
    let home = tempfile::tempdir().expect("temp dir");
    let parse = home.path().join("config-core/iai/parse");
    for (dir, text) in [
        ("config_core.small", V6_FIRST_RUN),
        ("config_core.medium", V6_SECOND_RUN),
    ] {
        fs::create_dir_all(parse.join(dir)).expect("create fixture dir");
        fs::write(parse.join(dir).join("summary.json"), text).expect("write fixture");
        fs::write(
            parse.join(dir).join(format!("callgrind.{dir}.out")),
            "events: Ir\n",
        )
        .expect("write fixture");
    }
    let ms = collect(home.path(), Some("cd34")).expect("collects");
    assert_eq!(ms.len(), 14 + 4);
    assert_eq!(
        (ms[0].bench.as_str(), ms[0].metric.as_str()),
        (
            "iai::parse::config_core.medium",
            "callgrind_estimated_cycles"
        )
    );
    assert_eq!(
        (ms[4].bench.as_str(), ms[4].metric.as_str()),
        ("iai::parse::config_core.small", "callgrind_d1mr")
    );
    assert!(
        ms.iter()
            .all(|m| m.artifact_sha256.as_deref() == Some("cd34"))
    );

    fs::write(
        parse.join("config_core.small/summary.json"),
        "{\"version\":",
    )
    .expect("corrupt");
    match collect(home.path(), None) {
        Err(Error::ToolOutput {
            tool,
            path,
            message,
        }) => {
            assert_eq!(tool, "iai-callgrind");
            assert_eq!(path, parse.join("config_core.small/summary.json"));
            assert!(
                message.starts_with("not an iai-callgrind summary"),
                "{message}"
            );
        }
        other => panic!("expected a tool output error, got {other:?}"),
    }
}

/// A real summary of `tests`' probe crate (`testdata/<version>-<bench>-<run>.json`): one
/// `#[library_benchmark]` over a 4096-byte input, run by each version's runner on valgrind
/// 3.19 (machine paths replaced by `/project`).
fn real(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/run/iai/testdata")
        .join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_released_summary_schema_reads_the_same_benchmark() {
    // v6 from iai-callgrind 0.16.1 and gungraun 0.17.2, 0.18.2 and 0.19.4; v7 from 0.20.0.
    let mut counts = Vec::new();
    for version in [
        "iai-callgrind-0.16.1",
        "0.17.2",
        "0.18.2",
        "0.19.4",
        "0.20.0",
    ] {
        for run in ["summary", "summary-second-run"] {
            let ms = parse_summary(&real(&format!("{version}-instr-long-{run}")))
                .unwrap_or_else(|e| panic!("{version} {run}: {e}"));
            assert_eq!(ms[0].bench, "instr::checksum_group::bench_checksum.long");
            assert_eq!(ms[0].metric, Metric::Instructions, "{version}");
            assert!(
                ms.iter()
                    .any(|m| m.metric == Metric::callgrind_event("estimated_cycles")),
                "{version} {run}"
            );
            counts.push((version, run, ms[0].value));
        }
    }
    // The same code under each version's harness: the counts are close, and a second run
    // (new and old values) reads its new value, the same as the first.
    for pair in counts.chunks(2) {
        assert_eq!(pair[0].2, pair[1].2, "{pair:?}");
    }
    let (min, max) = counts
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), c| (lo.min(c.2), hi.max(c.2)));
    assert!(max / min < 1.05, "{counts:?}");
}

#[test]
fn a_bench_that_asks_for_dhat_gets_its_heap_counts() {
    for version in ["0.17.2", "0.20.0"] {
        let ms = parse_summary(&real(&format!("{version}-tools-long-summary")))
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        let get = |metric: Metric| {
            ms.iter()
                .find(|m| m.metric == metric)
                .unwrap_or_else(|| panic!("{version}: {metric} in {ms:?}"))
                .value
        };
        // The benchmark copies its 4096-byte input once.
        assert_eq!(get(Metric::AllocationsCount), 1.0, "{version}");
        assert_eq!(get(Metric::AllocatedBytes), 4096.0, "{version}");
        assert_eq!(get(Metric::PeakHeap), 4096.0, "{version}");
        assert!(
            matches!(Metric::parse("dhat_reads_bytes"), Metric::Other(_))
                && ms.iter().any(|m| m.metric.as_str() == "dhat_reads_bytes"),
            "{version}"
        );
        // Callgrind's count stays the instructions (Cachegrind's beside it is not read).
        assert_eq!(ms[0].metric, Metric::Instructions);
        assert!(ms[0].value < 100_000.0, "{version}: {}", ms[0].value);
    }
}
