//! Instructions per parse (gungraun 0.20.0, callgrind `Ir`) of config-core beside the
//! `toml` crate and `toml-spanner`, on the committed `small`, `medium` and `large` inputs.
//!
//! Group `parse`; one benchmark function per parser (`config_core`, `toml_table`,
//! `toml_detable`, `toml_spanner`) and one id per input, so results land in
//! `target/gungraun/config-core/iai/parse/<parser>.<input>/`. Reading the input is done by `setup`
//! and not counted; each counted call builds the document and drops it (for `toml-spanner`,
//! the `Arena` too), which is what one parse costs a user. Ids are stable: baselines are keyed
//! by them.

use std::hint::black_box;

use gungraun::{library_benchmark, library_benchmark_group, main};

#[path = "support/gen.rs"]
mod datagen;

/// Reads a committed input. It is leaked so that the benchmark function borrows it and its
/// deallocation is not counted against any parser.
fn load_input(name: &str) -> &'static str {
    Box::leak(datagen::load(name).into_boxed_str())
}

// The benchmark macro wraps each function in a module of the same name, so crates are named
// by absolute paths (`::config_core`) where a function shares the crate's name.
#[library_benchmark]
#[bench::small(args = ("small"), setup = load_input)]
#[bench::medium(args = ("medium"), setup = load_input)]
#[bench::large(args = ("large"), setup = load_input)]
fn config_core(src: &'static str) -> usize {
    let doc = black_box(::config_core::parse(src).expect("config-core parses"));
    doc.root().len()
}

#[library_benchmark]
#[bench::small(args = ("small"), setup = load_input)]
#[bench::medium(args = ("medium"), setup = load_input)]
#[bench::large(args = ("large"), setup = load_input)]
fn toml_table(src: &'static str) -> usize {
    let table = black_box(src.parse::<toml::Table>().expect("toml parses"));
    table.len()
}

#[library_benchmark]
#[bench::small(args = ("small"), setup = load_input)]
#[bench::medium(args = ("medium"), setup = load_input)]
#[bench::large(args = ("large"), setup = load_input)]
fn toml_detable(src: &'static str) -> usize {
    let table = black_box(toml::de::DeTable::parse(src).expect("toml DeTable parses"));
    table.get_ref().len()
}

#[library_benchmark]
#[bench::small(args = ("small"), setup = load_input)]
#[bench::medium(args = ("medium"), setup = load_input)]
#[bench::large(args = ("large"), setup = load_input)]
fn toml_spanner(src: &'static str) -> usize {
    let arena = ::toml_spanner::Arena::new();
    let doc = black_box(::toml_spanner::parse(src, &arena).expect("toml-spanner parses"));
    doc.table().len()
}

library_benchmark_group!(
    name = parse;
    benchmarks = config_core, toml_table, toml_detable, toml_spanner
);

main!(library_benchmark_groups = parse);
