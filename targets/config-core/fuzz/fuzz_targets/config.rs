//! The typed model on any document the parser accepts: `Config::from_document` returns (a
//! config or an error, never a panic), and the paths of a config it builds can be listed.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = config_core::parse_bytes(data) else {
        return;
    };
    match config_core::Config::from_document(&doc) {
        Ok(config) => {
            let items = config_core::fscheck::items(&config);
            assert!(items.iter().all(|item| !item.key_path.is_empty()));
        }
        Err(error) => {
            // The error's text is what a person sees: building it must not panic either.
            let _ = error.to_string();
        }
    }
});
