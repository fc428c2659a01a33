//! Instructions to build the typed configuration from an already-parsed document
//! (gungraun 0.20.0, callgrind `Ir`): the hand-written `Config::from_document` against the
//! serde-derive path (`config_core::de::SerdeConfig::from_document`, then `Config::from`), on
//! the committed generator config `benches/data/generator/ggen.toml`.
//!
//! Group `model`; functions `hand_written` and `serde_derive`, id `generator`, so results land
//! in `target/gungraun/config-core/iai_deserialize/model/<function>.generator/`. Parsing is done by
//! `setup` and not counted; each counted call builds the configuration and drops it.
//!
//! Run with `cargo bench -p config-core --features serde --bench iai_deserialize`.

use std::hint::black_box;

use config_core::de::SerdeConfig;
use config_core::{Config, Document};
use gungraun::{library_benchmark, library_benchmark_group, main};

const GENERATOR: &str = include_str!("data/generator/ggen.toml");

/// Parses the committed config. The document is leaked so that its deallocation is not counted
/// against either path.
fn parsed(src: &'static str) -> &'static Document<'static> {
    Box::leak(Box::new(
        config_core::parse(src).expect("the generator config parses"),
    ))
}

#[library_benchmark]
#[bench::generator(args = (GENERATOR), setup = parsed)]
fn hand_written(doc: &'static Document<'static>) -> usize {
    let config = black_box(Config::from_document(doc).expect("a valid config"));
    config.templates.len()
}

#[library_benchmark]
#[bench::generator(args = (GENERATOR), setup = parsed)]
fn serde_derive(doc: &'static Document<'static>) -> usize {
    let config = SerdeConfig::from_document(doc).expect("a valid config");
    let config = black_box(Config::from(config));
    config.templates.len()
}

library_benchmark_group!(
    name = model;
    benchmarks = hand_written, serde_derive
);

main!(library_benchmark_groups = model);
