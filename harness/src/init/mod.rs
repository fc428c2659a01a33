//! `perfgate init`, as pure logic: the files it writes into a crate that has never been measured
//! (a commented `perfgate.toml`, the GitHub workflow, and, when the crate has no benches, a
//! criterion and a gungraun bench calling its public API), and the commands to run next.
//! [`write`] writes them and adds the bench dependencies with `cargo add`.

pub mod write;

/// The action a crate's workflows use: this repository's `action.yml`, at a release tag.
pub const ACTION: &str = "perfgate/perfgate@v0.1.0";

/// The gungraun version of the generated instruction bench (its runner must be the same).
pub const GUNGRAUN: &str = "0.20.0";
/// The criterion version of the generated bench.
pub const CRITERION: &str = "0.8.2";

/// The pull-request gate of a crate (`.github/workflows/perf.yml`): the action measures the
/// head, compares it with the merge-base, and writes the comment's body, the annotations and
/// the report; on main it stores the baseline on the data branch. The action installs
/// perfgate, valgrind, llvm and the gungraun or iai-callgrind runner the crate's Cargo.lock
/// asks for.
pub fn workflow() -> String {
    format!(
        "# perfgate: fail a pull request that makes the crate slower, and say why.\n\
         name: perf\n\
         on:\n\
         \x20 pull_request:\n\
         \x20 push:\n\
         \x20   branches: [main]\n\
         permissions:\n\
         \x20 contents: write # the data branch of baselines, pushed from main\n\
         jobs:\n\
         \x20 perf:\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   container: rust:1.95-bookworm\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@v4\n\
         \x20       with:\n\
         \x20         fetch-depth: 0\n\
         \x20     - uses: {ACTION}\n\
         \x20       with:\n\
         \x20         comment: on-change # always, on-change or never\n"
    )
}

/// The workflow that posts the comment (`.github/workflows/perf-comment.yml`): on
/// `workflow_run`, with a write token, running none of the pull request's code.
pub fn comment_workflow() -> String {
    format!(
        "# perfgate: post the pull request's comment once `perf` measured it. It runs with a write\n\
         # token and never checks out the pull request's code (safe for forks).\n\
         name: perf comment\n\
         on:\n\
         \x20 workflow_run:\n\
         \x20   workflows: [perf]\n\
         \x20   types: [completed]\n\
         permissions:\n\
         \x20 actions: read\n\
         \x20 issues: write\n\
         \x20 pull-requests: write\n\
         jobs:\n\
         \x20 comment:\n\
         \x20   if: github.event.workflow_run.event == 'pull_request'\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   steps:\n\
         \x20     - uses: {ACTION}\n\
         \x20       with:\n\
         \x20         step: comment\n"
    )
}

/// A commented `perfgate.toml` for a crate at `target_path` (relative to the repository root)
/// with the bench targets `benches`, built with `features` (those some bench needs).
pub fn config(
    target_path: &str,
    benches: &[String],
    features: &[String],
    bin: Option<&str>,
) -> String {
    let quoted = |names: &[String]| -> String {
        names
            .iter()
            .map(|b| format!("\"{b}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let features = if features.is_empty() {
        String::new()
    } else {
        format!(
            "# The features its bench targets need (`required-features`).\nfeatures = [{}]\n",
            quoted(features)
        )
    };
    let mut text = format!(
        "# perfgate's settings (every key is optional; unknown keys are errors).\n\
         \n\
         [target]\n\
         # The crate to measure, relative to the repository root.\n\
         path = \"{target_path}\"\n\
         # Its bench targets: criterion or divan (wall time), gungraun or iai-callgrind\n\
         # (instructions; divan's too), custom ones writing Bencher Metric Format.\n\
         benches = [{}]\n\
         {features}\
         \n\
         [run]\n\
         # release, release-lto (fat LTO), release-consistent (one codegen unit), pgo.\n\
         profiles = [\"release\", \"release-lto\", \"release-consistent\", \"pgo\"]\n\
         baselines = \"baselines\"\n\
         \n\
         [gate]\n\
         # `perfgate compare` fails on a regression over this many percent.\n\
         threshold_pct = 10\n",
        quoted(benches)
    );
    match bin {
        Some(bin) => text.push_str(&format!(
            "\n\
             [startup]\n\
             # Start-up latency and allocations of one of the crate's binaries.\n\
             binary = \"{bin}\"\n\
             args = []\n"
        )),
        None => text.push_str(
            "\n\
             # [startup]\n\
             # binary = \"my-bin\"   # start-up latency and allocations of a binary of the crate\n",
        ),
    }
    text
}

/// A public function of the crate that a generated bench can call with literal arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its name.
    pub name: String,
    /// A literal for each argument, in order.
    pub args: Vec<String>,
}

/// A literal for an argument of type `ty`, if it is a plain one.
fn literal(ty: &str) -> Option<&'static str> {
    Some(match ty.trim() {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => "64",
        "f32" | "f64" => "1.5",
        "bool" => "true",
        "char" => "'x'",
        "&str" | "&'static str" => "\"perfgate bench input\"",
        "String" => "String::from(\"perfgate bench input\")",
        _ => return None,
    })
}

/// The first top-level `pub fn` of `lib_rs` that is not generic, not `async` or `unsafe`, and
/// takes only plain arguments (integers, floats, `bool`, `char`, `&str`, `String`).
pub fn find_entry(lib_rs: &str) -> Option<Entry> {
    for line in lib_rs.lines() {
        let Some(rest) = line.strip_prefix("pub fn ") else {
            continue;
        };
        let Some(open) = rest.find('(') else {
            continue;
        };
        let name = &rest[..open];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let Some(close) = rest[open..].find(')') else {
            continue;
        };
        let params = &rest[open + 1..open + close];
        let mut args = Vec::new();
        let mut plain = true;
        for param in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match param.split_once(':').and_then(|(_, ty)| literal(ty)) {
                Some(lit) => args.push(lit.to_string()),
                None => plain = false,
            }
        }
        if plain {
            return Some(Entry {
                name: name.to_string(),
                args,
            });
        }
    }
    None
}

/// The call of the entry from a bench, each argument through `black_box`.
fn call(krate: &str, entry: &Entry) -> String {
    let args: Vec<String> = entry
        .args
        .iter()
        .map(|a| format!("black_box({a})"))
        .collect();
    format!("{krate}::{}({})", entry.name, args.join(", "))
}

/// The criterion bench (`benches/perfgate_wall.rs`) calling `entry` of crate `krate` (its
/// library name).
pub fn criterion_bench(krate: &str, entry: &Entry) -> String {
    format!(
        "//! Wall time of `{krate}::{name}` (criterion), written by `perfgate init`: make it call\n\
         //! the code whose speed matters, with realistic input.\n\
         \n\
         use criterion::{{Criterion, criterion_group, criterion_main}};\n\
         use std::hint::black_box;\n\
         \n\
         fn bench(c: &mut Criterion) {{\n\
         \x20   c.bench_function(\"{name}\", |b| b.iter(|| black_box({call})));\n\
         }}\n\
         \n\
         criterion_group!(benches, bench);\n\
         criterion_main!(benches);\n",
        name = entry.name,
        call = call(krate, entry),
    )
}

/// The gungraun bench (`benches/perfgate_instructions.rs`) calling `entry`.
pub fn gungraun_bench(krate: &str, entry: &Entry) -> String {
    format!(
        "//! Instructions of `{krate}::{name}` (gungraun {GUNGRAUN}), written by `perfgate init`:\n\
         //! make it call the code whose speed matters, with realistic input.\n\
         \n\
         use gungraun::{{library_benchmark, library_benchmark_group, main}};\n\
         use std::hint::black_box;\n\
         \n\
         #[library_benchmark]\n\
         fn {name}() {{\n\
         \x20   black_box({call});\n\
         }}\n\
         \n\
         library_benchmark_group!(name = perfgate; benchmarks = {name});\n\
         main!(library_benchmark_groups = perfgate);\n",
        name = entry.name,
        call = call(krate, entry),
    )
}

/// The `[[bench]]` sections of the two generated benches, to append to Cargo.toml.
pub const BENCH_SECTIONS: &str = "\n[[bench]]\nname = \"perfgate_wall\"\nharness = false\n\n[[bench]]\nname = \"perfgate_instructions\"\nharness = false\n";

/// The commands to run next, as `perfgate init` prints them: commit what it wrote (a baseline
/// belongs to a commit), measure, and write the report.
pub fn next_commands(written: &[String]) -> [String; 3] {
    [
        format!(
            "git add {} && git commit -m \"Measure performance with perfgate\"",
            written.join(" ")
        ),
        "perfgate run --quick".to_string(),
        "perfgate report   # then open reports/index.html".to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflows_for_a_crate_use_the_action() {
        let w = workflow();
        assert!(w.contains(&format!("      - uses: {ACTION}\n")), "{w}");
        assert!(w.contains("pull_request:") && w.contains("fetch-depth: 0"));
        assert!(w.lines().count() <= 20, "a short workflow:\n{w}");
        let c = comment_workflow();
        assert!(
            c.contains("workflow_run:") && c.contains("step: comment"),
            "{c}"
        );
        assert!(!c.contains("pull_request_target") && !c.contains("actions/checkout"));
    }

    #[test]
    fn entries_with_plain_arguments_are_found() {
        let lib = "pub struct S;\npub fn generic<T>(t: T) {}\npub fn takes(s: S) {}\n    pub fn nested(x: u8) {}\npub fn add(left: u64, right: u64) -> u64 {\n    left + right\n}\n";
        let entry = find_entry(lib).expect("found");
        assert_eq!(entry.name, "add");
        assert_eq!(entry.args, ["64", "64"]);
        assert_eq!(find_entry("pub fn go() {}").expect("found").args.len(), 0);
        assert_eq!(find_entry("fn private(x: u8) {}"), None);
        let s = find_entry("pub fn count(text: &str) -> usize { 0 }").expect("found");
        assert_eq!(s.args, ["\"perfgate bench input\""]);
    }

    #[test]
    fn benches_call_the_entry_through_black_box() {
        let entry = Entry {
            name: "add".into(),
            args: vec!["64".into(), "64".into()],
        };
        let c = criterion_bench("my_crate", &entry);
        assert!(
            c.contains("black_box(my_crate::add(black_box(64), black_box(64)))"),
            "{c}"
        );
        assert!(c.contains("criterion_main!(benches);"));
        let i = gungraun_bench("my_crate", &entry);
        assert!(i.contains("use gungraun::{library_benchmark"), "{i}");
        assert!(i.contains("#[library_benchmark]\nfn add() {"), "{i}");
        assert!(i.contains("main!(library_benchmark_groups = perfgate);"));
    }

    #[test]
    fn the_config_parses_and_names_the_benches() {
        let text = config(
            ".",
            &["perfgate_wall".into(), "perfgate_instructions".into()],
            &["serde".into()],
            Some("cli"),
        );
        let doc = config_core::parse(&text).expect("valid TOML");
        assert!(doc.get("target").is_some() && doc.get("startup").is_some());
        assert!(text.contains("benches = [\"perfgate_wall\", \"perfgate_instructions\"]"));
        assert!(text.contains("features = [\"serde\"]\n"), "{text}");
        let without = config("crates/x", &[], &[], None);
        assert!(!without.contains("features ="), "{without}");
        assert!(
            config_core::parse(&without)
                .expect("valid")
                .get("startup")
                .is_none()
        );
    }

    #[test]
    fn next_commands_commit_measure_report() {
        let [commit, run, report] = next_commands(&["perfgate.toml".into()]);
        assert!(commit.starts_with("git add perfgate.toml && git commit"));
        assert_eq!(run, "perfgate run --quick");
        assert!(report.starts_with("perfgate report"));
    }
}
