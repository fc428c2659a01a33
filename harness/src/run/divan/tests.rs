use super::*;

// Real outputs of one bench file (`speed`: a plain bench, `args = [64, 4096]`, a module, a
// generic bench over `u8` and `u64`, and a `Bencher` with a bytes counter) run as `cargo
// bench` runs it, stdout captured (not a terminal), under divan 0.1.14, 0.1.17 and 0.1.21.
const VERSIONS: [&str; 3] = ["0.1.14", "0.1.17", "0.1.21"];

fn output(version: &str, case: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/run/divan/testdata")
        .join(format!("{version}-{case}.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_version_gives_every_leaf_with_its_path() {
    for version in VERSIONS {
        let rows = parse_table(&output(version, "default")).expect(version);
        let mut ids: Vec<String> = rows.iter().map(Row::id).collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                "add",
                "checksum_bytes",
                "encode/4096",
                "encode/64",
                "parse/small",
                "sum_generic/u64",
                "sum_generic/u8"
            ],
            "{version}"
        );
        let encode = rows.iter().find(|r| r.id() == "encode/64").expect("row");
        assert_eq!(encode.divan_name(), "speed::encode::64");
        assert_eq!(encode.samples, 100, "{version}");
        assert!(encode.fastest_ns <= encode.median_ns && encode.median_ns <= encode.slowest_ns);
    }
}

#[test]
fn the_numbers_are_read_in_their_units() {
    // divan 0.1.21, default run: `╰─ 4096  3.448 µs │ 20.08 ms │ 3.467 µs │ 204.6 µs │ 100 │ 100`.
    let rows = parse_table(&output("0.1.21", "default")).expect("table");
    let big = rows.iter().find(|r| r.id() == "encode/4096").expect("row");
    assert_eq!(
        (big.fastest_ns, big.slowest_ns, big.median_ns, big.mean_ns),
        (3448.0, 20.08e6, 3467.0, 204.6e3)
    );
    assert_eq!((big.samples, big.iters), (100, 100));
    let add = rows.iter().find(|r| r.id() == "add").expect("row");
    assert_eq!((add.median_ns, add.iters), (0.379, 409600));
}

#[test]
fn throughput_rows_and_tree_nodes_are_not_benches() {
    // `--bytes-format binary` on the counter bench: a `1.171 GiB/s` row under it.
    for version in VERSIONS {
        let rows = parse_table(&output(version, "bytes_binary")).expect(version);
        assert_eq!(rows.len(), 1, "{version}");
        assert_eq!(rows[0].id(), "checksum_bytes");
    }
    // `--exact speed::encode::64`: one leaf under its node, with narrower columns.
    for version in VERSIONS {
        let rows = parse_table(&output(version, "filter_exact_speed_encode_64")).expect(version);
        assert_eq!(rows.len(), 1, "{version}");
        assert_eq!(rows[0].path, ["speed", "encode", "64"]);
    }
}

#[test]
fn a_timer_line_before_the_table_is_skipped() {
    let rows = parse_table(&output("0.1.14", "samples_10x5")).expect("table");
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.samples == 10 && r.iters == 50));
}

#[test]
fn output_that_is_not_a_divan_table_fails_with_what_perfgate_reads() {
    assert_eq!(parse_table(""), Err(TableError::NoTable));
    assert_eq!(
        parse_table("running 3 benchmarks\ntest a ... bench: 10 ns/iter (+/- 1)\n"),
        Err(TableError::NoTable)
    );
    // A header with other columns (a format perfgate does not know).
    assert_eq!(
        parse_table("speed  fastest │ slowest │ p99 │ mean │ samples │ iters\n"),
        Err(TableError::NoTable)
    );
    let table = "speed    fastest       │ slowest       │ median        │ mean          │ samples │ iters\n\
                 ╰─ add   3.866 ns      │ 14.66 ns      │ 3.866 zz      │ 5.186 ns      │ 10      │ 50\n";
    let err = parse_table(table).expect_err("a bad unit");
    assert!(
        matches!(&err, TableError::BadLine { line: 2, problem, .. } if problem == "median"),
        "{err:?}"
    );
    let cut = "speed    fastest       │ slowest       │ median\n";
    assert_eq!(parse_table(cut), Err(TableError::NoTable));
    let short = "speed    fastest       │ slowest       │ median        │ mean          │ samples │ iters\n\
                 ╰─ add   3.866 ns      │ 14.66 ns\n";
    assert!(matches!(
        parse_table(short),
        Err(TableError::BadLine { line: 2, .. })
    ));
    let orphan = "speed    fastest       │ slowest       │ median        │ mean          │ samples │ iters\n\
                  │  ╰─ x  3.866 ns      │ 14.66 ns      │ 3.866 ns      │ 5.186 ns      │ 10      │ 50\n";
    assert!(matches!(
        parse_table(orphan),
        Err(TableError::BadLine { line: 2, .. })
    ));
}

#[test]
fn durations_in_every_unit() {
    assert_eq!(parse_duration_ns("0.373 ns"), Some(0.373));
    assert_eq!(parse_duration_ns("850 ps"), Some(0.85));
    assert_eq!(parse_duration_ns("3.448 µs"), Some(3448.0));
    assert_eq!(parse_duration_ns("3.448 μs"), Some(3448.0));
    assert_eq!(parse_duration_ns("20.08 ms"), Some(20.08e6));
    assert_eq!(parse_duration_ns("1.5 s"), Some(1.5e9));
    assert_eq!(parse_duration_ns("2 m"), Some(120e9));
    assert_eq!(parse_duration_ns("3.4"), None);
    assert_eq!(parse_duration_ns("-1 ns"), None);
    assert_eq!(parse_duration_ns("NaN ns"), None);
    assert_eq!(parse_duration_ns("1 furlong"), None);
}

#[test]
fn each_process_is_one_sample() {
    let processes: Vec<Vec<Row>> = VERSIONS
        .iter()
        .map(|v| parse_table(&output(v, "default")).expect("table"))
        .collect();
    let ms = to_measurements(&processes, Some("abc"));
    assert_eq!(ms.len(), 7);
    let encode = ms
        .iter()
        .find(|m| m.bench == "encode/64")
        .expect("encode/64");
    assert_eq!(encode.metric, Metric::WallTime);
    assert_eq!(encode.samples.len(), 3);
    // The medians of 0.1.14, 0.1.17 and 0.1.21's runs, and their median.
    let mut sorted = encode.samples.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(encode.value, sorted[1]);
    assert_eq!(encode.artifact_sha256.as_deref(), Some("abc"));
    // A bench only one process printed keeps that one sample.
    let mut partial = processes.clone();
    partial[1].retain(|r| r.id() != "add");
    partial[2].retain(|r| r.id() != "add");
    let ms = to_measurements(&partial, None);
    let add = ms.iter().find(|m| m.bench == "add").expect("add");
    assert_eq!(add.samples.len(), 1);
}

#[test]
fn a_process_asks_for_plain_text_and_its_sampling() {
    assert_eq!(
        DivanSampling::QUICK.args(),
        ["--color", "never", "--sample-count", "20"]
    );
    assert_eq!(DivanSampling::FULL.args(), ["--color", "never"]);
    const { assert!(DivanSampling::QUICK.processes >= 5) };
}
