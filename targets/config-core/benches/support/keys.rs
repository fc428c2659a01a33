//! The interning workload (the seed's A2), shared by `benches/intern.rs` (wall time) and
//! `benches/iai_intern.rs` (instructions): every key of a parsed document, in document order,
//! kept three ways, and the model's known-key check run over them.
//!
//! - `owned`: each occurrence copied into a `String`, as a model that owns its text would;
//! - `borrowed`: each occurrence a `&str` into the input (config-core's zero-copy keys);
//! - `interned`: each occurrence a [`Sym`], the distinct names stored once in an [`Interner`].
//!
//! The check counts how many occurrences are one of [`KNOWN`] (what the model does for every
//! key of a template): a string comparison per candidate for text; for symbols, the known names
//! are interned first, so they are symbols `0..KNOWN.len()` and the check is one integer
//! comparison (the way compilers pre-intern their keywords). Comparing a symbol against each
//! known symbol in turn is no faster than the text check, whose comparisons mostly stop at the
//! length: the gain is in not comparing at all.

#![allow(dead_code)]

use config_core::intern::{Interner, Sym};
use config_core::{Document, Table, Value};

/// The keys a template or generator table may have: what the check compares against.
pub const KNOWN: [&str; 12] = [
    "source",
    "output",
    "globs",
    "variables",
    "enabled",
    "name",
    "templates",
    "inputs",
    "env",
    "description",
    "language",
    "overwrite",
];

/// Every key of `doc`, depth first, in document order.
pub fn keys<'d>(doc: &'d Document<'_>) -> Vec<&'d str> {
    let mut out = Vec::new();
    walk(doc.root(), &mut out);
    out
}

fn walk<'d>(table: Table<'d, '_>, out: &mut Vec<&'d str>) {
    for (key, value) in table.iter() {
        out.push(key.as_str());
        visit(value, out);
    }
}

fn visit<'d>(value: Value<'d, '_>, out: &mut Vec<&'d str>) {
    match value {
        Value::Table(t) => walk(t, out),
        Value::Array(a) => a.iter().for_each(|v| visit(v, out)),
        _ => {}
    }
}

/// The keys copied into owned strings.
pub fn owned(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

/// The keys interned: the symbols in order and the interner holding each name once, the
/// [`KNOWN`] names first.
pub fn interned(keys: &[&str]) -> (Vec<Sym>, Interner) {
    let mut interner = Interner::new();
    for known in KNOWN {
        interner.intern(known);
    }
    let syms = keys.iter().map(|k| interner.intern(k)).collect();
    (syms, interner)
}

/// How many of `keys` are known, comparing text.
pub fn count_known_text<S: AsRef<str>>(keys: &[S]) -> usize {
    keys.iter()
        .filter(|k| KNOWN.iter().any(|known| *known == k.as_ref()))
        .count()
}

/// How many of `keys` (symbols of an interner made by [`interned`]) are known.
pub fn count_known_syms(keys: &[Sym]) -> usize {
    keys.iter().filter(|k| k.index() < KNOWN.len()).count()
}

/// Heap and inline bytes of each way of keeping the keys: (owned, borrowed, interned).
pub fn memory(keys: &[&str]) -> (usize, usize, usize) {
    let owned = owned(keys);
    let owned_bytes =
        owned.capacity() * size_of::<String>() + owned.iter().map(String::capacity).sum::<usize>();
    let borrowed_bytes = size_of_val(keys);
    let (syms, interner) = interned(keys);
    let interned_bytes = syms.capacity() * size_of::<Sym>() + interner.heap_bytes();
    (owned_bytes, borrowed_bytes, interned_bytes)
}
