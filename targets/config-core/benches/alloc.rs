//! Heap allocations per parse of config-core beside the `toml` crate and `toml-spanner`, on the
//! committed `small`, `medium` and `large` inputs.
//!
//! A counting global allocator wraps `System` and counts `alloc`, `alloc_zeroed` and `realloc`
//! calls (a `realloc` counts as one allocation, as dhat counts it) and the bytes they request.
//! For each input and parser, one parse warms up, then one parse is counted from the call to
//! the drop of its result (for `toml-spanner` the `Arena` is created and dropped inside it).
//! Counts are deterministic, so one parse is the figure: no timing, no instruction counts.
//!
//! Prints a table; with `--json`, prints one JSON object per row instead, e.g.
//! `{"input":"small","parser":"config-core","allocations":3,"bytes_allocated":4096,"input_bytes":1636}`.
//! Run with `cargo bench -p config-core --bench alloc [-- --json]`. Parser names match the
//! criterion function ids in `benches/parse.rs`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

#[path = "support/gen.rs"]
mod datagen;

/// `System`, counting every allocation request and its size.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees hold; the counters are plain atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as `GlobalAlloc::alloc`, which our caller upholds.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as `GlobalAlloc::alloc_zeroed`, which our caller upholds.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`; the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes requested by one call of `f`, including dropping what it returns.
fn count<R>(f: impl FnOnce() -> R) -> (u64, u64) {
    let allocations = ALLOCATIONS.load(Ordering::SeqCst);
    let bytes = BYTES.load(Ordering::SeqCst);
    drop(black_box(f()));
    (
        ALLOCATIONS.load(Ordering::SeqCst) - allocations,
        BYTES.load(Ordering::SeqCst) - bytes,
    )
}

/// One parse, result dropped at the end; returns the number of top-level keys so the work is
/// observable.
type Parser = fn(&str) -> usize;

fn parse_config_core(src: &str) -> usize {
    config_core::parse(black_box(src))
        .expect("config-core parses")
        .root()
        .len()
}

fn parse_toml_table(src: &str) -> usize {
    black_box(src)
        .parse::<toml::Table>()
        .expect("toml parses")
        .len()
}

fn parse_toml_detable(src: &str) -> usize {
    toml::de::DeTable::parse(black_box(src))
        .expect("toml DeTable parses")
        .get_ref()
        .len()
}

fn parse_toml_spanner(src: &str) -> usize {
    let arena = toml_spanner::Arena::new();
    let doc = toml_spanner::parse(black_box(src), &arena).expect("toml-spanner parses");
    doc.table().len()
}

const PARSERS: [(&str, Parser); 4] = [
    ("config-core", parse_config_core),
    ("toml-table", parse_toml_table),
    ("toml-detable", parse_toml_detable),
    ("toml-spanner", parse_toml_spanner),
];

fn main() {
    // `cargo bench` passes `--bench`; anything but `--json` is ignored.
    let json = std::env::args().any(|a| a == "--json");
    let inputs: Vec<(&str, String)> = datagen::INPUTS
        .iter()
        .map(|(name, _)| (*name, datagen::load(name)))
        .collect();

    if !json {
        println!(
            "{:<7} {:<13} {:>12} {:>12} {:>11}",
            "input", "parser", "allocs/parse", "bytes/parse", "input bytes"
        );
    }
    for (name, src) in &inputs {
        for (parser, parse) in PARSERS {
            black_box(parse(src));
            let (allocations, bytes) = count(|| parse(src));
            if json {
                println!(
                    "{{\"input\":\"{name}\",\"parser\":\"{parser}\",\"allocations\":{allocations},\
                     \"bytes_allocated\":{bytes},\"input_bytes\":{}}}",
                    src.len()
                );
            } else {
                println!(
                    "{name:<7} {parser:<13} {allocations:>12} {bytes:>12} {:>11}",
                    src.len()
                );
            }
        }
    }
    if !json {
        println!(
            "(one parse counted after one warm-up parse, from the call to the drop of its result)"
        );
    }
}
