//! How config-core's parse time grows with hostile input shapes (criterion,
//! `Throughput::Bytes`): linear time shows as the same MB/s at every size.
//!
//! Groups `scaling/<kind>`, one id per size (1x, 10x, 100x), config-core only:
//! - `many_aot_headers`: `[[a]]` repeated, 100_000 / 1_000_000 / 10_000_000 bytes;
//! - `wide_table`: one table with 1_000 / 10_000 / 100_000 keys;
//! - `long_dotted_key`: a dotted key and a header of 100 / 1_000 / 10_000 segments;
//! - `long_string`: one basic (with escapes) and one literal string, 100_000 / 1_000_000 /
//!   10_000_000 bytes in all.
//!
//! Inputs are generated once, outside the measured closures; each measured call parses and
//! drops one document. Ids are stable: baselines are keyed by them.

use std::hint::black_box;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

#[path = "support/gen.rs"]
mod datagen;

/// One hostile shape: its group name, the sizes (ids) and how to build an input of a size.
struct Kind {
    name: &'static str,
    sizes: [usize; 3],
    generate: fn(usize) -> String,
}

const KINDS: [Kind; 4] = [
    Kind {
        name: "many_aot_headers",
        sizes: [100_000, 1_000_000, 10_000_000],
        generate: datagen::many_aot_headers,
    },
    Kind {
        name: "wide_table",
        sizes: [1_000, 10_000, 100_000],
        generate: datagen::wide_table,
    },
    Kind {
        name: "long_dotted_key",
        sizes: [100, 1_000, 10_000],
        generate: datagen::long_dotted_key,
    },
    Kind {
        name: "long_string",
        sizes: [100_000, 1_000_000, 10_000_000],
        generate: datagen::long_string,
    },
];

fn scaling(c: &mut Criterion) {
    for kind in &KINDS {
        let inputs: Vec<(usize, String)> = kind
            .sizes
            .iter()
            .map(|&size| (size, (kind.generate)(size)))
            .collect();
        let mut group = c.benchmark_group(format!("scaling/{}", kind.name));
        // The largest inputs take tens of milliseconds per parse: few samples, one call each.
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        for (size, src) in &inputs {
            let src = src.as_str();
            // A rejected input would time the error path: report it and leave the id out.
            if let Err(e) = config_core::parse(src) {
                eprintln!(
                    "skipping scaling/{}/{size}: config-core rejects the input:\n{e}",
                    kind.name
                );
                continue;
            }
            group.throughput(Throughput::Bytes(src.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(size), src, |b, src| {
                b.iter(|| black_box(config_core::parse(black_box(src))))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, scaling);
criterion_main!(benches);
