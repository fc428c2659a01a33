use super::*;

const METADATA: &str = r#"{
  "packages": [{
    "name": "demo",
    "version": "0.1.0",
    "manifest_path": "/src/ws/demo/Cargo.toml",
    "targets": [
      {"kind": ["lib"], "crate_types": ["lib"], "name": "demo", "src_path": "/src/ws/demo/src/lib.rs"},
      {"kind": ["bin"], "crate_types": ["bin"], "name": "demo-cli", "src_path": "/src/ws/demo/src/bin/cli.rs"},
      {"kind": ["bench"], "crate_types": ["bin"], "name": "wall", "src_path": "/src/ws/demo/benches/wall.rs"},
      {"kind": ["bench"], "crate_types": ["bin"], "name": "iai", "src_path": "/src/ws/demo/benches/iai.rs"},
      {"kind": ["bench"], "crate_types": ["bin"], "name": "alloc", "src_path": "/src/ws/demo/benches/alloc.rs"},
      {"kind": ["bench"], "crate_types": ["bin"], "name": "with-serde", "src_path": "/src/ws/demo/benches/with_serde.rs", "required-features": ["serde"]},
      {"kind": ["bin"], "crate_types": ["bin"], "name": "serde-cli", "src_path": "/src/ws/demo/src/bin/serde.rs", "required-features": ["serde"]},
      {"kind": ["test"], "crate_types": ["bin"], "name": "it", "src_path": "/src/ws/demo/tests/it.rs"}
    ]
  }],
  "workspace_root": "/src/ws",
  "target_directory": "/src/ws/target",
  "version": 1
}"#;

fn fake_source(path: &Path) -> Result<String> {
    Ok(match path.file_stem().and_then(|s| s.to_str()) {
        Some("wall") => "use criterion::Criterion;\ncriterion_main!(benches);\n",
        Some("iai") => {
            "use iai_callgrind::{library_benchmark, main};\nmain!(library_benchmark_groups = g);\n"
        }
        _ => "// not criterion_main!, not iai_callgrind::main!\nfn main() {}\n",
    }
    .to_string())
}

/// A toolchain of the fixture, without running rustc.
fn fake_toolchain(dir: &Path) -> Result<Toolchain> {
    let vv = "rustc 1.95.0 (59807616e 2026-04-14)\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n";
    Ok(Toolchain::parse("rustc", dir, vv).expect("complete"))
}

fn info(filter: Option<&[String]>) -> Result<TargetInfo> {
    let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
    target_info(
        metadata,
        Path::new("/src/ws/demo/Cargo.toml"),
        filter,
        true,
        fake_source,
        fake_toolchain,
    )
}

/// The targets that need a feature (`with-serde`, `serde-cli`) are left out: perfgate
/// builds with the default features.
#[test]
fn metadata_gives_the_package_its_benches_and_bins() {
    let info = info(None).expect("valid");
    assert_eq!(info.package, "demo");
    assert_eq!(info.crate_dir, PathBuf::from("/src/ws/demo"));
    assert_eq!(info.workspace_root, PathBuf::from("/src/ws"));
    assert_eq!(
        info.profile_dir("release"),
        PathBuf::from("/src/ws/target/perfgate/release")
    );
    assert_eq!(info.bins, vec!["demo-cli".to_string()]);
    let benches: Vec<(&str, BenchKind)> = info
        .benches
        .iter()
        .map(|b| (b.name.as_str(), b.kind))
        .collect();
    assert_eq!(
        benches,
        vec![
            ("alloc", BenchKind::Other),
            ("iai", BenchKind::Iai),
            ("wall", BenchKind::Criterion),
        ]
    );
}

#[test]
fn the_filter_keeps_named_benches_and_rejects_unknown_ones() {
    let keep = ["iai".to_string()];
    let info = info(Some(&keep)).expect("valid");
    assert_eq!(info.benches.len(), 1);
    assert_eq!(info.benches[0].name, "iai");

    let typo = ["wal".to_string()];
    let err = info_err(Some(&typo));
    assert_eq!(
        err,
        "`demo` has no criterion or iai-callgrind benches named `wal` (its benches: `alloc`, `iai`, `wall`); add a `[[bench]]` target with `harness = false`, or fix `benches` in perfgate.toml"
    );

    let custom_only = ["alloc".to_string()];
    let err = info_err(Some(&custom_only));
    assert!(
        err.starts_with("`demo` has no criterion or iai-callgrind benches among `alloc`;"),
        "{err}"
    );
}

fn info_err(filter: Option<&[String]>) -> String {
    info(filter).expect_err("rejected").to_string()
}

#[test]
fn a_manifest_that_is_no_package_is_not_found() {
    let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
    let err = target_info(
        metadata,
        Path::new("/src/ws/Cargo.toml"),
        None,
        true,
        fake_source,
        fake_toolchain,
    )
    .expect_err("virtual manifest");
    assert!(matches!(err, Error::ManifestNotFound { .. }), "{err}");
    let err = inspect(Path::new("/nonexistent/Cargo.toml"), None).expect_err("missing");
    assert!(matches!(err, Error::ManifestNotFound { .. }), "{err}");
}

#[test]
fn bench_kinds_come_from_the_source() {
    assert_eq!(
        bench_kind("use iai_callgrind::{main, library_benchmark};"),
        BenchKind::Iai
    );
    assert_eq!(
        bench_kind("iai_callgrind::main!(library_benchmark_groups = g);"),
        BenchKind::Iai
    );
    assert_eq!(
        bench_kind(
            "use gungraun::{library_benchmark, main};\nmain!(library_benchmark_groups = g);"
        ),
        BenchKind::Gungraun
    );
    assert_eq!(
        bench_kind("use criterion::{criterion_group, criterion_main};\ncriterion_main!(benches);"),
        BenchKind::Criterion
    );
    assert_eq!(
        bench_kind("//! Like `use iai_callgrind`, but by hand.\ncriterion_main!(b);"),
        BenchKind::Criterion
    );
    assert_eq!(
        bench_kind("fn main() { println!(\"{}\", 1); }"),
        BenchKind::Other
    );
}

/// Cargo's messages of a build of `demo`: a dependency's build script, the library, a
/// bench, the binary (once as itself, once as a bench harness), a warning, the end.
const MESSAGES: &str = concat!(
    r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#quote@1.0.47","manifest_path":"/registry/quote-1.0.47/Cargo.toml","target":{"kind":["custom-build"],"crate_types":["bin"],"name":"build-script-build","src_path":"/registry/quote-1.0.47/build.rs","edition":"2021","doc":false,"doctest":false,"test":false},"profile":{"opt_level":"0","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/src/ws/target/perfgate/release/release/build/quote-1/build-script-build"],"executable":null,"fresh":true}"#,
    "\n",
    r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"demo","src_path":"/src/ws/demo/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/libdemo-1.rlib"],"executable":null,"fresh":false}"#,
    "\n",
    r#"{"reason":"compiler-message","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"demo","src_path":"/src/ws/demo/src/lib.rs"},"message":{"rendered":"warning: demo.1-cgu.0: no profile data available for function _RNv4demo3run Hash = 1 up to 0 count discarded\n","children":[],"level":"warning","message":"no profile data","spans":[]}}"#,
    "\n",
    r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["bench"],"crate_types":["bin"],"name":"wall","src_path":"/src/ws/demo/benches/wall.rs","edition":"2024","doc":false,"doctest":false,"test":false},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":true},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/wall-2"],"executable":"/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/wall-2","fresh":false}"#,
    "\n",
    r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"demo-cli","src_path":"/src/ws/demo/src/bin/cli.rs","edition":"2024","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/demo-cli"],"executable":"/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/demo-cli","fresh":true}"#,
    "\n",
    r#"{"reason":"compiler-artifact","package_id":"path+file:///src/ws/demo#0.1.0","manifest_path":"/src/ws/demo/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"demo-cli","src_path":"/src/ws/demo/src/bin/cli.rs","edition":"2024","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":true},"features":[],"filenames":["/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/demo_cli-3"],"executable":"/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release/deps/demo_cli-3","fresh":false}"#,
    "\n",
    "not json\n",
    r#"{"reason":"build-finished","success":true}"#,
    "\n",
);

#[test]
fn executables_are_the_packages_benches_and_binaries() {
    let messages = parse_messages(MESSAGES);
    assert_eq!(messages.len(), 7);
    let exes = executables(&messages, Path::new("/src/ws/demo/Cargo.toml"));
    let dir = "/src/ws/target/perfgate/release/x86_64-unknown-linux-gnu/release";
    assert_eq!(
        exes,
        vec![
            Executable {
                name: "wall".into(),
                kind: "bench".into(),
                path: PathBuf::from(format!("{dir}/deps/wall-2")),
            },
            Executable {
                name: "demo-cli".into(),
                kind: "bin".into(),
                path: PathBuf::from(format!("{dir}/demo-cli")),
            },
        ]
    );
    let units: Vec<(&str, bool)> = package_units(&messages, Path::new("/src/ws/demo/Cargo.toml"))
        .into_iter()
        .map(|(t, fresh)| (t.name.as_str(), fresh))
        .collect();
    assert_eq!(
        units,
        vec![
            ("demo", false),
            ("wall", false),
            ("demo-cli", true),
            ("demo-cli", false)
        ]
    );
}

#[test]
fn a_failed_build_keeps_the_compiler_messages_without_verbose_noise() {
    let output = BuildOutput {
        messages: parse_messages(MESSAGES),
        stderr: concat!(
            "     Running `rustc --crate-name demo src/lib.rs`\n",
            "       Fresh quote v1.0.47\n",
            "error[E0425]: cannot find value `x` in this scope\n",
            "error: could not compile `demo` (lib) due to 1 previous error\n",
        )
        .to_string(),
    };
    let tail = failure_tail(&output);
    assert!(
        tail.starts_with("warning: demo.1-cgu.0: no profile data"),
        "{tail}"
    );
    assert!(tail.ends_with("due to 1 previous error"), "{tail}");
    assert!(!tail.contains("Running"), "{tail}");
    assert!(!tail.contains("Fresh"), "{tail}");
}

#[test]
fn files_hash_to_their_sha256() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("abc");
    fs::write(&path, b"abc").expect("write");
    assert_eq!(
        hash_file(&path).expect("hash"),
        (
            3,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string()
        )
    );
}

#[test]
fn children_cpu_time_never_decreases() {
    let watch = Stopwatch::start();
    process::run(Command::new("true").arg("x"), "").expect("true runs");
    let cost = watch.stop();
    assert!(cost.cpu_s >= 0.0 && cost.wall_s >= 0.0);
}
