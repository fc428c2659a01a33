//! String interning (the seed's A2), wall time: the keys of the committed `large` input (300
//! templates whose keys repeat) kept as owned strings, as borrowed slices and as interned
//! symbols, and the model's known-key check over each. The workload is in
//! `support/keys.rs`; `iai_intern.rs` counts its instructions.
//!
//! Prints the memory each way holds once (bytes, from capacities), then criterion times:
//! `intern/keep/{owned,borrowed,interned}` (making the list from the parsed document: the walk,
//! then the copy or the interning) and
//! `intern/check/{owned,borrowed,interned}` (the known-key check over a made list).
//!
//! Run with `cargo bench -p config-core --bench intern`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/gen.rs"]
mod datagen;
#[path = "support/keys.rs"]
mod keys;

fn bench(c: &mut Criterion) {
    let src = datagen::load("large");
    let doc = config_core::parse(&src).expect("the committed input parses");
    let all = keys::keys(&doc);
    let (owned_bytes, borrowed_bytes, interned_bytes) = keys::memory(&all);
    let (syms, interner) = keys::interned(&all);
    println!(
        "intern: {} key occurrences, {} distinct; kept owned {owned_bytes} bytes, borrowed \
         {borrowed_bytes} bytes, interned {interned_bytes} bytes; {} known",
        all.len(),
        interner.len() - keys::KNOWN.iter().filter(|k| !all.contains(k)).count(),
        keys::count_known_syms(&syms)
    );

    let mut group = c.benchmark_group("intern");
    group.bench_function("keep/owned", |b| {
        b.iter(|| keys::owned(&keys::keys(black_box(&doc))))
    });
    group.bench_function("keep/borrowed", |b| b.iter(|| keys::keys(black_box(&doc))));
    group.bench_function("keep/interned", |b| {
        b.iter(|| keys::interned(&keys::keys(black_box(&doc))))
    });
    let owned = keys::owned(&all);
    assert_eq!(
        keys::count_known_text(&owned),
        keys::count_known_syms(&syms),
        "the checks agree"
    );
    group.bench_function("check/owned", |b| {
        b.iter(|| keys::count_known_text(black_box(&owned)))
    });
    group.bench_function("check/borrowed", |b| {
        b.iter(|| keys::count_known_text(black_box(&all)))
    });
    group.bench_function("check/interned", |b| {
        b.iter(|| keys::count_known_syms(black_box(&syms)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
