//! What the scanner's text loops are worth (criterion, `Throughput::Bytes`): the loops the
//! parser runs over basic-string, literal-string and comment text, beside a plain
//! byte-at-a-time loop doing the same job, on the same inputs in the same run.
//!
//! The scanner tests a 256-entry class table per byte and, in string bodies, eight bytes at a
//! time for any byte that needs a look; the plain loop is `while pos < len && !stop(bytes[pos])`
//! with the stop test written as comparisons. Both come from `config_core::scan_compare`, which
//! checks that they return the same offsets.
//!
//! Groups and ids (stable: baselines are keyed by them):
//! - `scan` with functions `plain/<input>`, `scanner/<input>` and `memchr/<input>`. Inputs are
//!   64 KiB of prose (words, punctuation, some non-ASCII): `basic-long`, `literal-long` and
//!   `comment-long` are one text each (a string body with escapes and tabs, a literal body with
//!   backslashes, a comment with quotes and backslashes); `basic-short`, `literal-short` and
//!   `comment-short` are texts of 4 to 80 bytes, one call per text, as a parser meets them.
//!   `memchr` is a reference for a generic SIMD search: `memchr3` for `"`, `\` and `\n`
//!   (stepping over escapes), `memchr2` for `'` and `\n`, `memchr` for `\n`. It does not check
//!   the other control characters, so it does less than TOML asks: a lower bound to compare
//!   with, not a replacement.
//! - `scan-parse` with function `config-core/long-texts`: `config_core::parse` of a 64 KiB
//!   document of comments, basic strings and literal strings of 512 bytes to 4 KiB each, to
//!   show what the whole parser makes of such input.
//!
//! Run with `cargo bench -p config-core --bench scanner`.

use std::hint::black_box;

use config_core::scan_compare::{self as sc, Kind};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use memchr_scan::{basic_text_end_memchr, comment_text_end_memchr, literal_text_end_memchr};

#[path = "support/memchr_scan.rs"]
mod memchr_scan;

/// Bytes per input.
const LEN: usize = 64 * 1024;

type TextEnd = fn(&[u8], usize) -> usize;

/// The three ways to find the end of a text of `kind`: plain, scanner, memchr.
fn ways(kind: Kind) -> [(&'static str, TextEnd); 3] {
    match kind {
        Kind::Basic => [
            ("plain", sc::basic_text_end_plain),
            ("scanner", sc::basic_text_end_optimised),
            ("memchr", basic_text_end_memchr),
        ],
        Kind::Literal => [
            ("plain", sc::literal_text_end_plain),
            ("scanner", sc::literal_text_end_optimised),
            ("memchr", literal_text_end_memchr),
        ],
        Kind::Comment => [
            ("plain", sc::comment_text_end_plain),
            ("scanner", sc::comment_text_end_optimised),
            ("memchr", comment_text_end_memchr),
        ],
    }
}

fn inputs() -> Vec<(String, Kind, String)> {
    let kinds = [
        ("basic", Kind::Basic),
        ("literal", Kind::Literal),
        ("comment", Kind::Comment),
    ];
    let mut out = Vec::new();
    for (name, kind) in kinds {
        out.push((format!("{name}-long"), kind, sc::text(kind, LEN)));
    }
    for (name, kind) in kinds {
        out.push((format!("{name}-short"), kind, sc::texts(kind, LEN)));
    }
    out
}

fn scan(c: &mut Criterion) {
    let inputs = inputs();
    // The three ways agree on these inputs (memchr only because they hold no other control
    // character), so each measured call does the same work.
    for (name, kind, src) in &inputs {
        let [plain, scanner, memchr] = ways(*kind).map(|(_, f)| sc::walk(src.as_bytes(), f));
        assert!(
            plain == scanner && scanner == memchr,
            "{name}: {plain} {scanner} {memchr}"
        );
    }
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Bytes(LEN as u64));
    for (name, kind, src) in &inputs {
        let bytes = src.as_bytes();
        for (way, text_end) in ways(*kind) {
            group.bench_function(format!("{way}/{name}"), |b| {
                b.iter(|| sc::walk(black_box(bytes), text_end))
            });
        }
    }
    group.finish();

    let doc = sc::document(LEN);
    let mut group = c.benchmark_group("scan-parse");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("config-core/long-texts", |b| {
        b.iter(|| black_box(config_core::parse(black_box(&doc)).expect("config-core parses")))
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
