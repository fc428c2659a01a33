//! `parse_bytes` on any bytes: it returns (never panics), a document it accepts encodes as
//! tagged JSON, and the streaming reader accepts exactly what it accepts.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = config_core::parse_bytes(data);
    if let Ok(doc) = &parsed {
        let json = config_core::tagged::to_tagged_json(doc);
        assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
    }
    let streamed = config_core::stream::check(data);
    assert_eq!(
        parsed.is_ok(),
        streamed.is_ok(),
        "parse_bytes and stream::check disagree: parse {:?}, stream {:?}",
        parsed.as_ref().err().map(ToString::to_string),
        streamed.as_ref().err().map(ToString::to_string),
    );
});
