use super::*;
use crate::builds::parse_messages;
use crate::builds::target::BenchTarget;

#[test]
fn llvm_versions_and_majors() {
    assert_eq!(llvm_major("22.1.2"), Some("22".to_string()));
    assert_eq!(llvm_major("x"), None);
    assert_eq!(
        parse_llvm_version("Debian LLVM version 22.1.8\n  Optimized build.\n"),
        Some("22.1.8".to_string())
    );
    assert_eq!(
        parse_llvm_version(
            "LLVM (http://llvm.org/):\n  LLVM version 22.1.2-rust-1.95.0-stable\n  Optimized build.\n"
        ),
        Some("22.1.2-rust-1.95.0-stable".to_string())
    );
    assert_eq!(
        parse_llvm_version("Ubuntu LLVM version 14.0.6\n"),
        Some("14.0.6".to_string())
    );
    assert_eq!(parse_llvm_version("Unknown command!\n"), None);
}

#[test]
fn profile_summaries_count_functions_with_counts() {
    let show = "Instrumentation level: IR  entry_first = 0  instrument_loop_entries = 0\nTotal functions: 8150\nMaximum function count: 1371907865\nMaximum internal block count: 749195522\nTotal number of blocks: 67150\nTotal count: 15902591352\nNumber of functions with maximum count (< 1): 6761\nNumber of functions with maximum count (>= 1): 1389\n";
    assert_eq!(
        ProfileSummary::parse(show),
        Some(ProfileSummary {
            total_functions: 8150,
            functions_with_counts: 1389
        })
    );
    let older = "Total functions: 12\nMaximum function count: 3\n";
    assert_eq!(
        ProfileSummary::parse(older).map(|s| s.functions_with_counts),
        Some(12)
    );
    let never_ran = "Total functions: 12\nMaximum function count: 0\n";
    assert_eq!(
        ProfileSummary::parse(never_ran).map(|s| s.functions_with_counts),
        Some(0)
    );
    assert_eq!(ProfileSummary::parse("error: no profile\n"), None);
}

#[test]
fn missing_function_warnings_are_counted() {
    let stderr = "   Compiling demo v0.1.0 (/src/ws/demo)\nwarning: demo.1-cgu.4: no profile data available for function _RNv4demo3run Hash = 7 up to 0 count discarded\nwarning: wall.2-cgu.0: no profile data available for function _RNv4wall4main Hash = 8 up to 0 count discarded\nwarning: demo.1-cgu.0: function control flow change detected (hash mismatch) _RNv4demo4scan Hash = 9 up to 3 count discarded\n";
    assert_eq!(count_missing_function_warnings(stderr), 2);
    assert_eq!(count_missing_function_warnings(""), 0);
}

fn demo_target() -> TargetInfo {
    TargetInfo {
        package: "demo".into(),
        packages: vec![crate::builds::target::Package {
            name: "demo".into(),
            spec: "demo".into(),
            manifest_path: "/src/ws/demo/Cargo.toml".into(),
        }],
        manifest_path: "/src/ws/demo/Cargo.toml".into(),
        crate_dir: "/src/ws/demo".into(),
        toolchain: Toolchain::parse(
            "rustc",
            Path::new("/src/ws/demo"),
            "rustc 1.95.0 (59807616e 2026-04-14)\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n",
        )
        .expect("complete"),
        workspace_root: "/src/ws".into(),
        cargo_target_dir: "/src/ws/target".into(),
        member_dirs: vec!["/src/ws/demo".into()],
        benches: vec![BenchTarget {
            name: "wall".into(),
            package: "demo".into(),
            package_spec: "demo".into(),
            crate_dir: "/src/ws/demo".into(),
            id_prefix: None,
            features: Vec::new(),
            kind: BenchKind::Criterion,
            src_path: "/src/ws/demo/benches/wall.rs".into(),
            harness_version: Some("0.8.2".into()),
            filter: None,
        }],
        bins: vec!["demo-cli".into()],
        unmeasured: Vec::new(),
        features: Default::default(),
        bench_features: Vec::new(),
    }
}

fn artifact(name: &str, fresh: bool, kind: &str, src: &str) -> String {
    format!(
        r#"{{"reason":"compiler-artifact","manifest_path":"/src/ws/demo/Cargo.toml","target":{{"kind":["{kind}"],"crate_types":["bin"],"name":"{name}","src_path":"/src/ws/demo/{src}"}},"profile":{{"test":false}},"executable":null,"fresh":{fresh}}}"#
    )
}

const HOST: &str = "x86_64-unknown-linux-gnu";
const FLAG: &str = "-Cprofile-use=/src/ws/target/perfgate/pgo-data/merged.profdata";

fn rustc_line(crate_name: &str, src: &str, flags: &str) -> String {
    format!(
        "     Running `/toolchain/bin/rustc --crate-name {crate_name} --edition=2024 {src} --error-format=json -C opt-level=3 --target {HOST} -L dependency=/src/ws/target/perfgate/pgo/{HOST}/release/deps {flags}`"
    )
}

fn verbose_build(fresh_bin: bool, bin_flags: &str, dep_flags: &str) -> BuildOutput {
    let stdout = [
        artifact("build-script-build", false, "custom-build", "build.rs"),
        artifact("demo", false, "lib", "src/lib.rs"),
        artifact("wall", false, "bench", "benches/wall.rs"),
        artifact("demo-cli", fresh_bin, "bin", "src/bin/cli.rs"),
    ]
    .join("\n");
    let full = format!("{FLAG} -Cllvm-args=-pgo-warn-missing-function");
    let stderr = [
        "       Fresh quote v1.0.47".to_string(),
        "     Running `/toolchain/bin/rustc --crate-name build_script_build demo/build.rs -C opt-level=0`".to_string(),
        rustc_line("memchr", "/registry/memchr-2.7.4/src/lib.rs", dep_flags),
        rustc_line("demo", "demo/src/lib.rs", &full),
        rustc_line("wall", "demo/benches/wall.rs", &full),
        rustc_line("demo_cli", "demo/src/bin/cli.rs", bin_flags),
        "    Finished `release` profile [optimized] target(s) in 1.00s".to_string(),
    ]
    .join("\n");
    BuildOutput {
        messages: parse_messages(&stdout),
        stderr,
    }
}

#[test]
fn the_profile_must_be_on_every_rustc_command_line_of_the_package() {
    let target = demo_target();
    let full = format!("{FLAG} -Cllvm-args=-pgo-warn-missing-function");
    assert_eq!(
        check_profile_use(&verbose_build(false, &full, &full), &target, HOST, FLAG),
        Ok(4)
    );

    let err = check_profile_use(&verbose_build(false, "-Cfoo", &full), &target, HOST, FLAG)
        .expect_err("flag missing");
    assert_eq!(
        err,
        format!("`{FLAG}` is missing from the rustc command line of `demo-cli` of `demo`")
    );

    let err = check_profile_use(&verbose_build(true, &full, &full), &target, HOST, FLAG)
        .expect_err("reused");
    assert!(err.starts_with("cargo reused `demo-cli`"), "{err}");

    let dep_without = verbose_build(false, &full, "-Cfoo");
    let err = check_profile_use(&dep_without, &target, HOST, FLAG).expect_err("dep");
    assert!(err.ends_with("of crate `memchr`"), "{err}");

    let mut quiet = verbose_build(false, &full, &full);
    quiet.stderr.clear();
    let err = check_profile_use(&quiet, &target, HOST, FLAG).expect_err("not verbose");
    assert!(
        err.starts_with("cargo's verbose output has no rustc command line for `demo`"),
        "{err}"
    );
}

fn art(name: &str, kind: &str, sha: &str) -> Artifact {
    Artifact {
        name: name.into(),
        kind: kind.into(),
        path: format!("deps/{name}"),
        size_bytes: 1,
        sha256: sha.into(),
    }
}

#[test]
fn artifacts_are_compared_by_name_and_kind() {
    let release = [art("wall", "bench", "aa"), art("demo-cli", "bin", "bb")];
    assert_eq!(
        differing_artifacts(
            &[art("wall", "bench", "cc"), art("demo-cli", "bin", "bb")],
            &release
        ),
        (1, 2)
    );
    assert_eq!(
        differing_artifacts(
            &[art("wall", "bench", "aa"), art("demo-cli", "bin", "bb")],
            &release
        ),
        (0, 2)
    );
    assert_eq!(
        differing_artifacts(&[art("wall", "bin", "cc")], &release),
        (0, 0)
    );
}

#[test]
fn rustflags_with_spaces_are_encoded() {
    let plain = ["-Cprofile-use=/a/b.profdata".to_string(), "-Cx".to_string()];
    assert_eq!(
        rustflags_env(&plain),
        (
            "RUSTFLAGS".to_string(),
            "-Cprofile-use=/a/b.profdata -Cx".to_string()
        )
    );
    let spaced = [
        "-Cprofile-use=/a b/c.profdata".to_string(),
        "-Cx".to_string(),
    ];
    assert_eq!(
        rustflags_env(&spaced),
        (
            "CARGO_ENCODED_RUSTFLAGS".to_string(),
            "-Cprofile-use=/a b/c.profdata\u{1f}-Cx".to_string()
        )
    );
}

#[test]
fn training_commands_are_shown_as_typed() {
    let argv = ["sh", "-c", "$PERFGATE_BIN_DIR/demo-cli < in.toml"];
    assert_eq!(
        argv.iter()
            .map(|a| process::shell_word(a))
            .collect::<Vec<_>>()
            .join(" "),
        "sh -c '$PERFGATE_BIN_DIR/demo-cli < in.toml'"
    );
}
