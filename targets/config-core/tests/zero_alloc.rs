//! Zero-copy as behaviour: keys and strings without escapes are never copied, so the number of
//! heap allocations of a parse does not grow with how many of them a document has, and each of
//! them is a slice of the source. A string with an escape is decoded into the document.
//!
//! A counting global allocator (its own test binary) counts allocations made by the current
//! thread only, so tests running in parallel do not disturb each other's counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use config_core::{Str, Value};

/// `System`, counting the allocation requests (`alloc`, `alloc_zeroed`, `realloc`) of each
/// thread.
struct Counting;

thread_local! {
    // A `const` initialiser with a `Copy` type: accessing it never allocates and registers no
    // destructor, so the allocator can use it.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation(bytes: usize) {
    // During thread teardown the slots may be gone; those allocations are not ours to count.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let _ = BYTES.try_with(|n| n.set(n.get() + bytes as u64));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees hold; counting touches only a thread-local `Cell` and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: same contract as `GlobalAlloc::alloc`, which our caller upholds.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: same contract as `GlobalAlloc::alloc_zeroed`, which our caller upholds.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size);
        // SAFETY: `ptr` was allocated by `System` with `layout`; the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread while parsing `src` and dropping the document.
fn allocations_of_parse(src: &str) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    let doc = config_core::parse(src).expect("test document parses");
    drop(std::hint::black_box(doc));
    ALLOCATIONS.with(Cell::get) - before
}

/// A document with `n_keys` keys and string values, none with an escape: bare and quoted keys,
/// basic and literal strings, in a table and in the root.
fn plain_document(n_keys: usize) -> String {
    let mut src = String::from("title = \"plain\"\n[section]\n");
    for i in 0..n_keys {
        match i % 4 {
            0 => src.push_str(&format!("key_{i} = \"plain value {i}\"\n")),
            1 => src.push_str(&format!("\"quoted key {i}\" = 'literal C:\\path\\{i}'\n")),
            2 => src.push_str(&format!("'literal key {i}' = \"caf\u{e9} {i}\"\n")),
            _ => src.push_str(&format!("key-{i} = ''\n")),
        }
    }
    src
}

/// Whether `s` lies entirely inside `src`'s bytes.
fn points_into(s: &str, src: &str) -> bool {
    let range = src.as_bytes().as_ptr_range();
    let (start, end) = (s.as_ptr(), s.as_ptr().wrapping_add(s.len()));
    range.start <= start && end <= range.end
}

/// Every key and string value of the document, in order.
fn all_strs<'d, 'a>(doc: &'d config_core::Document<'a>) -> Vec<Str<'d, 'a>> {
    fn value<'d, 'a>(v: Value<'d, 'a>, out: &mut Vec<Str<'d, 'a>>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|v| value(v, out)),
            Value::Table(t) => t.iter().for_each(|(k, v)| {
                out.push(k.name);
                value(v, out);
            }),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in doc.root().iter() {
        out.push(k.name);
        value(v, &mut out);
    }
    out
}

/// The largest difference allowed between the allocation counts of plain documents with 100
/// times more keys. Two buffers grow with the key count (the entry list and, for tables of more
/// than a dozen keys, the key index), each geometrically, so a 100-fold growth may cost each
/// up to log2(100) + 1 = 8 more allocations: 16 in all. Copying keys or strings would cost one
/// per key or string, thousands here.
const GROWTH_ALLOCATIONS: u64 = 16;

#[test]
fn plain_strings_cost_no_allocation() {
    // The same keys with string values and with integer values padded to the same length: the
    // documents have the same size and shape, so any difference is the strings' cost.
    let n_keys = 1000;
    let mut strings = String::from("[section]\n");
    let mut integers = String::from("[section]\n");
    for i in 0..n_keys {
        let with_string = format!("key_{i} = \"plain value {i}\"");
        let with_integer = format!("key_{i} = {i}");
        let padding = with_string.len() - with_integer.len();
        strings.push_str(&with_string);
        strings.push('\n');
        integers.push_str(&with_integer);
        integers.push_str(&" ".repeat(padding));
        integers.push('\n');
    }
    assert_eq!(strings.len(), integers.len());
    allocations_of_parse(&integers);
    assert_eq!(
        allocations_of_parse(&strings),
        allocations_of_parse(&integers),
        "{n_keys} plain strings (left) cost allocations that {n_keys} integers (right) do not"
    );
}

#[test]
fn allocations_do_not_grow_per_key() {
    // Warm up whatever the first parse on this thread sets up once.
    allocations_of_parse(&plain_document(10));
    let few = allocations_of_parse(&plain_document(10));
    let many = allocations_of_parse(&plain_document(1000));
    let huge = allocations_of_parse(&plain_document(10_000));
    eprintln!("allocations per parse of 10, 1000 and 10000 plain keys: {few}, {many}, {huge}");
    assert!(
        many <= few + GROWTH_ALLOCATIONS && huge <= many + GROWTH_ALLOCATIONS,
        "plain documents of 10, 1000 and 10000 keys cost {few}, {many} and {huge} \
         allocations: more than {GROWTH_ALLOCATIONS} extra per step, so something is \
         allocated per key or string"
    );
}

#[test]
fn plain_keys_and_strings_borrow_from_the_source() {
    let src = plain_document(1000);
    let doc = config_core::parse(&src).expect("test document parses");
    let strs = all_strs(&doc);
    // `title`, its value, `section`, then a key and a value per line.
    assert_eq!(strs.len(), 3 + 2 * 1000);
    for s in &strs {
        assert!(s.is_borrowed(), "{s:?} was copied, though it has no escape");
        assert!(
            points_into(s.as_str(), &src),
            "{s:?} does not point into the source"
        );
    }
}

#[test]
fn escaped_strings_and_keys_are_decoded() {
    let src = "plain = \"x\"\nescaped = \"tab\\there caf\\u00e9\"\n\"esc\\u0061ped key\" = 'lit'\n";
    let doc = config_core::parse(src).expect("test document parses");
    let root = doc.root();

    let Some(Value::String(escaped)) = root.get("escaped") else {
        panic!("`escaped` is not a string: {root:?}");
    };
    assert!(
        matches!(escaped, Str::Decoded(_)),
        "{escaped:?} is not decoded"
    );
    assert_eq!(escaped.as_str(), "tab\there café");
    assert!(!points_into(escaped.as_str(), src));

    let (key, value) = root.iter().nth(2).expect("the document has a third key");
    assert!(
        matches!(key.name, Str::Decoded(_)),
        "{key:?} is not decoded"
    );
    assert_eq!(key.as_str(), "escaped key");
    let Value::String(lit) = value else {
        panic!("the third value is not a string: {value:?}");
    };
    assert!(lit.is_borrowed() && points_into(lit.as_str(), src));

    let Some(Value::String(plain)) = root.get("plain") else {
        panic!("`plain` is not a string: {root:?}");
    };
    assert!(plain.is_borrowed() && points_into(plain.as_str(), src));
}

/// Allocations and bytes requested by this thread while parsing `src`, building its typed
/// configuration, and dropping both.
fn allocations_of_config(src: &str) -> (u64, u64) {
    let before = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    let doc = config_core::parse(src).expect("the config parses");
    let config = config_core::Config::from_document(&doc).expect("a valid config");
    drop(std::hint::black_box(config));
    drop(doc);
    (
        ALLOCATIONS.with(Cell::get) - before.0,
        BYTES.with(Cell::get) - before.1,
    )
}

#[test]
fn the_same_config_allocates_the_same_every_time() {
    let src = include_str!("../benches/data/generator/ggen.toml");
    let first = allocations_of_config(src);
    assert!(first.0 > 0 && first.1 > 0);
    for _ in 0..5 {
        assert_eq!(
            allocations_of_config(src),
            first,
            "count and bytes are deterministic"
        );
    }
}
