//! Building the typed configuration from an already-parsed document (the seed's A3): the
//! hand-written `Config::from_document` against the serde-derive path
//! (`config_core::de::SerdeConfig::from_document`, then `Config::from`, which only moves), on
//! the committed generator config `benches/data/generator/ggen.toml` (12 templates,
//! 4 generators). Both make the same checks and produce the same `Config`.
//!
//! Group `model`, functions `hand_written` and `serde_derive`. The document is parsed once,
//! before timing: only the model building is measured. `benches/data/medium.toml` is not used:
//! it is a parser input with keys the configuration does not have, so both paths reject it.
//!
//! Run with `cargo bench -p config-core --features serde --bench deserialize`.

use std::hint::black_box;

use config_core::Config;
use config_core::de::SerdeConfig;
use criterion::{Criterion, criterion_group, criterion_main};

const GENERATOR: &str = include_str!("data/generator/ggen.toml");

fn bench(c: &mut Criterion) {
    let doc = config_core::parse(GENERATOR).expect("the generator config parses");
    let hand = Config::from_document(&doc).expect("a valid config");
    let serde = Config::from(SerdeConfig::from_document(&doc).expect("a valid config"));
    assert_eq!(hand, serde, "both paths build the same configuration");

    let mut group = c.benchmark_group("model");
    group.bench_function("hand_written", |b| {
        b.iter(|| black_box(Config::from_document(black_box(&doc)).expect("a valid config")))
    });
    group.bench_function("serde_derive", |b| {
        b.iter(|| {
            let config = SerdeConfig::from_document(black_box(&doc)).expect("a valid config");
            black_box(Config::from(config))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
