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
      {"kind": ["bench"], "crate_types": ["bin"], "name": "speed", "src_path": "/src/ws/demo/benches/speed.rs"},
      {"kind": ["bench"], "crate_types": ["bin"], "name": "nightly", "src_path": "/src/ws/demo/benches/nightly.rs"},
      {"kind": ["bench"], "crate_types": ["bin"], "name": "fast", "src_path": "/src/ws/demo/benches/fast.rs", "required-features": ["simd"]},
      {"kind": ["test"], "crate_types": ["bin"], "name": "it", "src_path": "/src/ws/demo/tests/it.rs"}
    ],
    "features": {"default": ["simd"], "simd": [], "serde": ["dep:serde", "full"], "full": []}
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
        Some("speed") => "fn main() { divan::main(); }\n#[divan::bench]\nfn add() {}\n",
        Some("nightly") => {
            "#![feature(test)]\nextern crate test;\n#[bench]\nfn b(b: &mut test::Bencher) {}\n"
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

const LOCK: &str = r#"
[[package]]
name = "criterion"
version = "0.3.6"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "demo"
version = "0.1.0"
dependencies = ["criterion", "divan", "iai-callgrind"]

[[package]]
name = "divan"
version = "0.1.21"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

fn info_with(filter: Option<&[String]>, features: &Features) -> Result<TargetInfo> {
    let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
    let select = Selection {
        benches: filter,
        features,
        packages: &[],
        require_benches: true,
    };
    target_info(
        metadata,
        Path::new("/src/ws/demo/Cargo.toml"),
        &select,
        &Lockfile::parse(LOCK).expect("lock"),
        fake_source,
        fake_toolchain,
    )
}

/// `metadata` read for the package at `manifest`, every bench, default features, nothing
/// locked.
fn default_info(metadata: Metadata, manifest: &str) -> Result<TargetInfo> {
    let select = Selection {
        benches: None,
        features: &Features::default(),
        packages: &[],
        require_benches: true,
    };
    target_info(
        metadata,
        Path::new(manifest),
        &select,
        &Lockfile::default(),
        fake_source,
        fake_toolchain,
    )
}

fn info(filter: Option<&[String]>) -> Result<TargetInfo> {
    info_with(filter, &Features::default())
}

/// The targets that need a feature the build does not enable (`with-serde`, `serde-cli`)
/// are left out, with the reason and the fix; `fast` needs `simd`, a default feature. The
/// libtest bench (`nightly`) is listed, not built.
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
            ("alloc", BenchKind::Custom),
            ("fast", BenchKind::Custom),
            ("iai", BenchKind::Iai),
            ("speed", BenchKind::Divan),
            ("wall", BenchKind::Criterion),
        ]
    );
    let versions: Vec<(&str, Option<&str>)> = info
        .benches
        .iter()
        .map(|b| (b.name.as_str(), b.harness_version.as_deref()))
        .collect();
    assert_eq!(
        versions,
        vec![
            ("alloc", None),
            ("fast", None),
            // Cargo.lock does not lock it (yet): unknown.
            ("iai", None),
            ("speed", Some("0.1.21")),
            ("wall", Some("0.3.6")),
        ]
    );
    let left_out: Vec<(&str, &str)> = info
        .unmeasured
        .iter()
        .map(|u| (u.bench.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(
        left_out,
        vec![
            (
                "nightly",
                "uses libtest's `#[bench]`, which needs a nightly compiler"
            ),
            ("with-serde", "needs the features `serde`"),
        ]
    );
    assert_eq!(
        info.unmeasured[1].fix,
        "enable them with `features = [\"serde\"]` (or `all_features = true`) under `[target]` in perfgate.toml"
    );
}

#[test]
fn features_bring_in_the_targets_that_need_them() {
    let serde = Features {
        enable: vec!["serde".into()],
        all: false,
    };
    let info = info_with(None, &serde).expect("valid");
    assert!(info.benches.iter().any(|b| b.name == "with-serde"));
    assert!(info.bins.contains(&"serde-cli".to_string()));
    assert_eq!(info.unmeasured.len(), 1, "{:?}", info.unmeasured);
    assert_eq!(info.features, serde);
    let all = Features {
        enable: Vec::new(),
        all: true,
    };
    let info = info_with(None, &all).expect("valid");
    assert!(info.benches.iter().any(|b| b.name == "with-serde"));
    assert_eq!(serde.cargo_args(), ["--features", "serde"]);
    assert_eq!(all.cargo_args(), ["--all-features"]);
    assert!(Features::default().cargo_args().is_empty());
    // A default feature enables what it names.
    let table = BTreeMap::from([
        ("default".to_string(), vec!["a".to_string()]),
        ("a".to_string(), vec!["b".to_string(), "dep:x".to_string()]),
        ("b".to_string(), vec!["x/y".to_string()]),
    ]);
    let enabled = enabled_features(&table, &Features::default());
    assert_eq!(
        enabled.into_iter().collect::<Vec<_>>(),
        ["a", "b", "default"]
    );
}

#[test]
fn the_filter_keeps_named_benches_and_rejects_unknown_ones() {
    let keep = ["iai".to_string()];
    let kept = info(Some(&keep)).expect("valid");
    assert_eq!(kept.benches.len(), 1);
    assert_eq!(kept.benches[0].name, "iai");

    let typo = ["wal".to_string()];
    let err = info_err(Some(&typo));
    assert_eq!(
        err,
        "`demo` has no bench perfgate can measure named `wal` (its benches: `alloc`, `fast`, `iai`, `speed`, `wall`); add a `[[bench]]` target with `harness = false` (criterion, divan, gungraun, or a `main` writing Bencher Metric Format JSON), or fix `benches` in perfgate.toml"
    );

    let feature_gated = ["with-serde".to_string()];
    let err = info_err(Some(&feature_gated));
    assert_eq!(
        err,
        "bench `with-serde` cannot be measured: it needs the features `serde`; enable them with `features = [\"serde\"]` (or `all_features = true`) under `[target]` in perfgate.toml"
    );

    // An empty filter is no filter (it used to read "among ;").
    let none: [String; 0] = [];
    assert_eq!(info(Some(&none)).expect("valid").benches.len(), 5);
}

#[test]
fn a_crate_whose_benches_cannot_be_measured_says_why() {
    let metadata: Metadata = serde_json::from_str(
        r#"{"packages": [{"name": "n", "manifest_path": "/w/Cargo.toml", "targets": [
            {"kind": ["bench"], "name": "nightly", "src_path": "/w/benches/nightly.rs"},
            {"kind": ["bench"], "name": "with-serde", "src_path": "/w/benches/s.rs", "required-features": ["serde"]}
        ]}], "workspace_root": "/w", "target_directory": "/w/target"}"#,
    )
    .expect("metadata");
    let err = default_info(metadata, "/w/Cargo.toml")
        .expect_err("nothing to measure")
        .to_string();
    assert!(
        err.starts_with("`n` has no bench perfgate can measure (`nightly` uses libtest's `#[bench]`, which needs a nightly compiler: port it"),
        "{err}"
    );
    assert!(
        err.contains("(`with-serde` needs the features `serde`: enable them"),
        "{err}"
    );
}

fn info_err(filter: Option<&[String]>) -> String {
    info(filter).expect_err("rejected").to_string()
}

#[test]
fn a_manifest_that_is_no_package_nor_the_workspace_root_is_not_found() {
    let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
    let err = default_info(metadata, "/src/ws/other/Cargo.toml").expect_err("no package");
    assert!(matches!(err, Error::ManifestNotFound { .. }), "{err}");
    // The workspace root's (virtual) manifest measures its one member with benches.
    let metadata: Metadata = serde_json::from_str(METADATA).expect("fixture parses");
    let info = default_info(metadata, "/src/ws/Cargo.toml").expect("the workspace");
    assert_eq!(info.package, "demo");
    assert!(info.benches.iter().all(|b| b.id_prefix.is_none()));
    let err = inspect(
        Path::new("/nonexistent/Cargo.toml"),
        None,
        &Features::default(),
        &[],
    )
    .expect_err("missing");
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
        BenchKind::Custom
    );
    assert_eq!(
        bench_kind("fn main() {\n    divan::main();\n}\n#[divan::bench]\nfn f() {}"),
        BenchKind::Divan
    );
    assert_eq!(
        bench_kind(
            "#![feature(test)]\nextern crate test;\n#[bench]\nfn b(b: &mut test::Bencher) {}"
        ),
        BenchKind::Libtest
    );
    // The first iai crate's `main!` writes the `main`: a harness perfgate does not know.
    assert_eq!(
        bench_kind(
            "use iai::black_box;
fn bench() {}
iai::main!(bench);"
        ),
        BenchKind::Custom
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
    let exes = executables(&messages, |m| {
        (m == Path::new("/src/ws/demo/Cargo.toml")).then(String::new)
    });
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

/// A virtual workspace of two members with a bench target of the same name, and a member
/// without benches.
const WORKSPACE: &str = r#"{
  "packages": [
    {"name": "core", "id": "path+file:///src/vw/core#0.1.0", "version": "0.1.0", "manifest_path": "/src/vw/core/Cargo.toml", "features": {"fast": []},
     "targets": [
       {"kind": ["lib"], "crate_types": ["lib"], "name": "core", "src_path": "/src/vw/core/src/lib.rs"},
       {"kind": ["bench"], "crate_types": ["bin"], "name": "wall", "src_path": "/src/vw/core/benches/wall.rs"},
       {"kind": ["bench"], "crate_types": ["bin"], "name": "fast", "src_path": "/src/vw/core/benches/fast.rs", "required-features": ["fast"]}
     ]},
    {"name": "cli", "version": "0.1.0", "manifest_path": "/src/vw/cli/Cargo.toml",
     "targets": [
       {"kind": ["bin"], "crate_types": ["bin"], "name": "vw", "src_path": "/src/vw/cli/src/main.rs"},
       {"kind": ["bench"], "crate_types": ["bin"], "name": "wall", "src_path": "/src/vw/cli/benches/wall.rs"}
     ]},
    {"name": "docs", "version": "0.1.0", "manifest_path": "/src/vw/docs/Cargo.toml",
     "targets": [{"kind": ["lib"], "crate_types": ["lib"], "name": "docs", "src_path": "/src/vw/docs/src/lib.rs"}]}
  ],
  "workspace_root": "/src/vw",
  "target_directory": "/src/vw/target",
  "version": 1
}"#;

fn workspace_info(packages: &[String], features: &Features) -> Result<TargetInfo> {
    let select = Selection {
        benches: None,
        features,
        packages,
        require_benches: true,
    };
    target_info(
        serde_json::from_str(WORKSPACE).expect("fixture parses"),
        Path::new("/src/vw/Cargo.toml"),
        &select,
        &Lockfile::default(),
        fake_source,
        fake_toolchain,
    )
}

/// A virtual manifest measures every member with benches; ids and artifacts carry the
/// package, and each bench runs from its own package's directory.
#[test]
fn a_virtual_workspace_measures_each_member_with_benches() {
    let info = workspace_info(&[], &Features::default()).expect("valid");
    assert_eq!(info.package, "vw");
    let names: Vec<&str> = info.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["cli", "core"]);
    // By package id where cargo gave one: a registry crate of the same name is no clash.
    assert_eq!(
        info.package_args(),
        ["-p", "cli", "-p", "path+file:///src/vw/core#0.1.0"]
    );
    let benches: Vec<String> = info
        .benches
        .iter()
        .map(BenchTarget::artifact_name)
        .collect();
    assert_eq!(benches, ["cli/wall", "core/wall"]);
    let core = &info.benches[1];
    assert_eq!(core.crate_dir, Path::new("/src/vw/core"));
    assert_eq!(core.bench_id("parse/small"), "core::parse/small");
    assert_eq!(info.bins, ["vw"]);
    assert_eq!(
        info.artifact_prefix(Path::new("/src/vw/cli/Cargo.toml"))
            .as_deref(),
        Some("cli/")
    );
    assert_eq!(
        info.artifact_prefix(Path::new("/src/vw/docs/Cargo.toml")),
        None
    );
    // A member's gated bench names the feature with its package.
    assert_eq!(info.unmeasured.len(), 1);
    assert_eq!(info.unmeasured[0].bench, "core/fast");
    assert!(
        info.unmeasured[0]
            .fix
            .contains("features = [\"core/fast\"]"),
        "{:?}",
        info.unmeasured
    );
    assert_eq!(info.bench_features, ["core/fast"]);

    // `core/fast` enables the feature in `core` alone.
    let features = Features {
        enable: vec!["core/fast".into()],
        all: false,
    };
    let info = workspace_info(&[], &features).expect("valid");
    assert!(info.unmeasured.is_empty());
    assert_eq!(info.benches.len(), 3);
}

/// `[target] packages` chooses members; one member alone keeps its ids as they are; a name
/// that is not a member is an error listing the members.
#[test]
fn packages_choose_workspace_members() {
    let info = workspace_info(&["core".into()], &Features::default()).expect("valid");
    assert_eq!(info.package, "core");
    assert_eq!(info.benches.len(), 1);
    assert_eq!(info.benches[0].id_prefix, None);
    assert_eq!(info.benches[0].artifact_name(), "wall");
    let err = workspace_info(&["nope".into()], &Features::default()).expect_err("unknown");
    let text = err.to_string();
    assert!(
        text.contains("`nope` is not a package of the workspace"),
        "{text}"
    );
    assert!(text.contains("`core`, `cli`, `docs`"), "{text}");
}
