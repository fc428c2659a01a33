//! The streaming reader through a tiny read buffer: the input's first byte picks the capacity
//! (1..=16 bytes), so lines and sections arrive split across many reads. The whole input is
//! the document (the byte is not cut off, so the seed corpus stays the suite's files as they
//! are). It must accept exactly what `parse_bytes` accepts.

#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let capacity = data.first().map_or(1, |&b| usize::from(b % 16) + 1);
    let streamed = config_core::stream::check(BufReader::with_capacity(capacity, data));
    let parsed = config_core::parse_bytes(data);
    assert_eq!(
        parsed.is_ok(),
        streamed.is_ok(),
        "parse_bytes and stream::check (buffer of {capacity}) disagree: parse {:?}, stream {:?}",
        parsed.as_ref().err().map(ToString::to_string),
        streamed.as_ref().err().map(ToString::to_string),
    );
});
