//! String interning (the seed's A2), instructions (gungraun 0.20.0): the same workload as
//! `intern.rs` (`support/keys.rs`) on the committed `large` input. Group `intern`: `keep_*`
//! make the list of keys each way from the parsed document (the walk, then the copy or the
//! interning) (parsing is done by `setup`, not
//! counted; the made list is returned, so its drop is counted: a list is made to be dropped),
//! `check_*` run the known-key check over a list made by `setup`.
//!
//! Run with `cargo bench -p config-core --bench iai_intern`.

use std::hint::black_box;

use config_core::Document;
use config_core::intern::{Interner, Sym};
use gungraun::{library_benchmark, library_benchmark_group, main};

#[path = "support/gen.rs"]
mod datagen;
#[path = "support/keys.rs"]
mod keys;

/// The parsed input, leaked so that dropping it is not counted.
fn document() -> &'static Document<'static> {
    let src: &'static str = Box::leak(datagen::load("large").into_boxed_str());
    Box::leak(Box::new(
        config_core::parse(src).expect("the committed input parses"),
    ))
}

/// The key list, leaked like every input here so that no drop of an input is counted.
fn key_list() -> &'static [&'static str] {
    Box::leak(keys::keys(document()).into_boxed_slice())
}

fn owned_list() -> &'static [String] {
    Box::leak(keys::owned(key_list()).into_boxed_slice())
}

fn interned_list() -> &'static [Sym] {
    let (syms, interner) = keys::interned(key_list());
    Box::leak(Box::new(interner));
    Box::leak(syms.into_boxed_slice())
}

#[library_benchmark]
#[bench::large(setup = document)]
fn keep_owned(doc: &'static Document<'static>) -> Vec<String> {
    black_box(keys::owned(&keys::keys(black_box(doc))))
}

#[library_benchmark]
#[bench::large(setup = document)]
fn keep_borrowed(doc: &'static Document<'static>) -> usize {
    black_box(keys::keys(black_box(doc))).len()
}

#[library_benchmark]
#[bench::large(setup = document)]
fn keep_interned(doc: &'static Document<'static>) -> (Vec<Sym>, Interner) {
    black_box(keys::interned(&keys::keys(black_box(doc))))
}

#[library_benchmark]
#[bench::large(setup = owned_list)]
fn check_owned(owned: &'static [String]) -> usize {
    keys::count_known_text(black_box(owned))
}

#[library_benchmark]
#[bench::large(setup = key_list)]
fn check_borrowed(all: &'static [&'static str]) -> usize {
    keys::count_known_text(black_box(all))
}

#[library_benchmark]
#[bench::large(setup = interned_list)]
fn check_interned(syms: &'static [Sym]) -> usize {
    keys::count_known_syms(black_box(syms))
}

library_benchmark_group!(
    name = intern;
    benchmarks = keep_owned, keep_borrowed, keep_interned, check_owned, check_borrowed, check_interned
);

main!(library_benchmark_groups = intern);
