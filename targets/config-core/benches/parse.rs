//! Parse throughput (criterion, `Throughput::Bytes`) of config-core beside the `toml` crate and
//! `toml-spanner`, on the same committed inputs in the same run.
//!
//! Groups and ids (stable: baselines are keyed by them):
//! - `parse/<input>` with functions `config-core`, `toml-table` (`str::parse::<toml::Table>`),
//!   `toml-detable` (`toml::de::DeTable::parse`, borrowed and spanned) and `toml-spanner`
//!   (`toml_spanner::parse` with a fresh `Arena` per parse, as a user would create one).
//! - `stages/<input>` with `parse` and `parse+walk` for config-core only: the walk visits every
//!   value and sums string lengths, so the cost of reading the document shows next to building
//!   it.
//!
//! Every measured closure builds and drops the whole document; inputs are read before timing.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/gen.rs"]
mod datagen;

/// Sums the lengths of every string value and key, and counts every other value, so no part
/// of the document can be skipped.
fn walk_config_core(doc: &config_core::Document<'_>) -> usize {
    fn value(v: config_core::Value<'_, '_>) -> usize {
        match v {
            config_core::Value::String(s) => s.as_str().len(),
            config_core::Value::Integer(i) => i as usize & 1,
            config_core::Value::Float(f) => f.is_sign_negative() as usize,
            config_core::Value::Boolean(b) => b as usize,
            config_core::Value::Datetime(d) => d.date.is_some() as usize,
            config_core::Value::Array(a) => a.iter().map(value).sum(),
            config_core::Value::Table(t) => table(t),
        }
    }
    fn table(t: config_core::Table<'_, '_>) -> usize {
        t.iter().map(|(k, v)| k.as_str().len() + value(v)).sum()
    }
    table(doc.root())
}

fn parsers(c: &mut Criterion) {
    for (name, _) in datagen::INPUTS {
        let src = datagen::load(name);
        let src = src.as_str();
        let mut group = c.benchmark_group(format!("parse/{name}"));
        group.throughput(Throughput::Bytes(src.len() as u64));
        group.bench_function("config-core", |b| {
            b.iter(|| black_box(config_core::parse(black_box(src)).expect("config-core parses")))
        });
        group.bench_function("toml-table", |b| {
            b.iter(|| black_box(black_box(src).parse::<toml::Table>().expect("toml parses")))
        });
        group.bench_function("toml-detable", |b| {
            b.iter(|| {
                black_box(toml::de::DeTable::parse(black_box(src)).expect("toml DeTable parses"))
            })
        });
        group.bench_function("toml-spanner", |b| {
            b.iter(|| {
                // The arena is part of the parse: it is created and dropped per document.
                let arena = toml_spanner::Arena::new();
                let doc = toml_spanner::parse(black_box(src), &arena).expect("toml-spanner parses");
                black_box(&doc);
            })
        });
        group.finish();
    }
}

fn stages(c: &mut Criterion) {
    for (name, _) in datagen::INPUTS {
        let src = datagen::load(name);
        let src = src.as_str();
        let mut group = c.benchmark_group(format!("stages/{name}"));
        group.throughput(Throughput::Bytes(src.len() as u64));
        group.bench_function("parse", |b| {
            b.iter(|| black_box(config_core::parse(black_box(src)).expect("config-core parses")))
        });
        group.bench_function("parse+walk", |b| {
            b.iter(|| {
                let doc = config_core::parse(black_box(src)).expect("config-core parses");
                black_box(walk_config_core(&doc))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, parsers, stages);
criterion_main!(benches);
