//! Instructions (gungraun 0.20.0, callgrind `Ir`) of the scanner's text loops beside a
//! plain byte-at-a-time loop doing the same job: the instruction-count twin of the `scanner`
//! criterion bench, on 16 KiB inputs.
//!
//! Group `scan`; benchmark functions `plain` (`while pos < len && !stop(bytes[pos])`, the stop
//! test written as comparisons), `scanner` (the functions the parser calls: a class table per
//! byte, and eight bytes at a time in string bodies) and `memchr` (a generic SIMD search for
//! `"`/`\`/`\n`, `'`/`\n` or `\n`: it does not check the other control characters, so it is a
//! lower bound, not a replacement). Ids are the inputs: `basic_long`, `literal_long`,
//! `comment_long` (one text of 16 KiB each) and `basic_short`, `literal_short`,
//! `comment_short` (texts of 4 to 80 bytes, one call per text), so results land in
//! `target/gungraun/config-core/iai_scanner/scan/<function>.<input>/`. Group `scan_parse`, function
//! `parse`, id `long_texts`: `config_core::parse` of a 16 KiB document of long comments and
//! strings. Building the input is done by `setup` and not counted. Ids are stable: baselines
//! are keyed by them.
//!
//! Run with `cargo bench -p config-core --bench iai_scanner` (needs valgrind and
//! `gungraun-runner` 0.20.0).

use std::hint::black_box;

use config_core::scan_compare::{self as sc, Kind};
use gungraun::{library_benchmark, library_benchmark_group, main};
use memchr_scan::{basic_text_end_memchr, comment_text_end_memchr, literal_text_end_memchr};

#[path = "support/memchr_scan.rs"]
mod memchr_scan;

/// Bytes per input.
const LEN: usize = 16 * 1024;

/// An input of `kind`: one long text, or many short ones. Leaked so that freeing it is not
/// counted.
fn input(kind: Kind, long: bool) -> (Kind, &'static [u8]) {
    let text = if long {
        sc::text(kind, LEN)
    } else {
        sc::texts(kind, LEN)
    };
    (kind, Box::leak(text.into_boxed_str()).as_bytes())
}

/// The parse input. Leaked so that freeing it is not counted.
fn document() -> &'static str {
    Box::leak(sc::document(LEN).into_boxed_str())
}

#[library_benchmark]
#[bench::basic_long(args = (Kind::Basic, true), setup = input)]
#[bench::literal_long(args = (Kind::Literal, true), setup = input)]
#[bench::comment_long(args = (Kind::Comment, true), setup = input)]
#[bench::basic_short(args = (Kind::Basic, false), setup = input)]
#[bench::literal_short(args = (Kind::Literal, false), setup = input)]
#[bench::comment_short(args = (Kind::Comment, false), setup = input)]
fn plain((kind, bytes): (Kind, &'static [u8])) -> usize {
    let bytes = black_box(bytes);
    match kind {
        Kind::Basic => sc::walk(bytes, sc::basic_text_end_plain),
        Kind::Literal => sc::walk(bytes, sc::literal_text_end_plain),
        Kind::Comment => sc::walk(bytes, sc::comment_text_end_plain),
    }
}

#[library_benchmark]
#[bench::basic_long(args = (Kind::Basic, true), setup = input)]
#[bench::literal_long(args = (Kind::Literal, true), setup = input)]
#[bench::comment_long(args = (Kind::Comment, true), setup = input)]
#[bench::basic_short(args = (Kind::Basic, false), setup = input)]
#[bench::literal_short(args = (Kind::Literal, false), setup = input)]
#[bench::comment_short(args = (Kind::Comment, false), setup = input)]
fn scanner((kind, bytes): (Kind, &'static [u8])) -> usize {
    let bytes = black_box(bytes);
    match kind {
        Kind::Basic => sc::walk(bytes, sc::basic_text_end_optimised),
        Kind::Literal => sc::walk(bytes, sc::literal_text_end_optimised),
        Kind::Comment => sc::walk(bytes, sc::comment_text_end_optimised),
    }
}

#[library_benchmark]
#[bench::basic_long(args = (Kind::Basic, true), setup = input)]
#[bench::literal_long(args = (Kind::Literal, true), setup = input)]
#[bench::comment_long(args = (Kind::Comment, true), setup = input)]
#[bench::basic_short(args = (Kind::Basic, false), setup = input)]
#[bench::literal_short(args = (Kind::Literal, false), setup = input)]
#[bench::comment_short(args = (Kind::Comment, false), setup = input)]
fn memchr((kind, bytes): (Kind, &'static [u8])) -> usize {
    let bytes = black_box(bytes);
    match kind {
        Kind::Basic => sc::walk(bytes, basic_text_end_memchr),
        Kind::Literal => sc::walk(bytes, literal_text_end_memchr),
        Kind::Comment => sc::walk(bytes, comment_text_end_memchr),
    }
}

#[library_benchmark]
#[bench::long_texts(setup = document)]
fn parse(src: &'static str) -> usize {
    let doc = black_box(config_core::parse(src).expect("config-core parses"));
    doc.root().len()
}

library_benchmark_group!(
    name = scan;
    benchmarks = plain, scanner, memchr
);

library_benchmark_group!(
    name = scan_parse;
    benchmarks = parse
);

main!(library_benchmark_groups = scan, scan_parse);
