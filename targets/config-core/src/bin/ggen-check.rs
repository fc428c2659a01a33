//! `ggen-check`: `ggen-config check` alone, for the A3 and D1/D2 comparison. The same program
//! is built twice: without features it builds the configuration with the hand-written model
//! (`Config::from_document`), with `--features serde` through the serde-derive path
//! (`config_core::de::SerdeConfig`). `scripts/build-cost.sh` compares the two builds' size and
//! build time; use `ggen-config` otherwise.
//!
//! ```text
//! ggen-check FILE   parse, type-check and check every path on disk; "ok: …"
//! ```
//!
//! Paths are relative to FILE's directory. Exit codes: 0 done, 2 bad input, with one message
//! on stderr naming the key path and its position.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use config_core::{Config, Document, fscheck};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file] = args.as_slice() else {
        eprintln!("usage: ggen-check FILE");
        return ExitCode::from(2);
    };
    match check(Path::new(file)) {
        Ok(text) => {
            // A closed pipe is not an error.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ggen-check: {file}: {message}");
            ExitCode::from(2)
        }
    }
}

/// The configuration, through the hand-written model.
#[cfg(not(feature = "serde"))]
fn build<'d>(doc: &'d Document<'_>) -> Result<Config<'d>, String> {
    Config::from_document(doc).map_err(|e| e.to_string())
}

/// The configuration, through the serde-derive path.
#[cfg(feature = "serde")]
fn build<'d>(doc: &'d Document<'_>) -> Result<Config<'d>, String> {
    config_core::de::SerdeConfig::from_document(doc)
        .map(Config::from)
        .map_err(|e| e.to_string())
}

fn check(file: &Path) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read it: {e}"))?;
    let doc = config_core::parse_bytes(&bytes).map_err(|e| e.to_string())?;
    let config = build(&doc)?;
    let base = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let checked = fscheck::check_config(base, &config, doc.source()).map_err(|e| e.to_string())?;
    Ok(checked.summary(&config))
}
