//! The toml-test decoder: reads a TOML document on stdin and writes its tagged JSON on stdout.
//!
//! This binary owns only the decoder protocol of the official compliance suite
//! (<https://github.com/toml-lang/toml-test>); parsing and encoding live in the library. A
//! toml-test runner drives it once per case, giving the case on stdin:
//!
//! ```text
//! cargo build --release -p config-core --bin toml-test-decoder
//! toml-test test -decoder=target/release/toml-test-decoder -toml=1.0
//! ```
//!
//! Exit codes: 0 when the document was accepted (tagged JSON on stdout), 1 when it was
//! rejected (the parse error on stderr, with its line and column), 2 when stdin or stdout
//! could not be used. No input makes it panic.

use std::io::{self, Read, Write};
use std::process::ExitCode;

/// The document was accepted and its tagged JSON written.
const EXIT_ACCEPTED: u8 = 0;
/// The document was rejected; the parse error is on stderr.
const EXIT_REJECTED: u8 = 1;
/// Reading stdin or writing stdout failed.
const EXIT_IO: u8 = 2;

fn main() -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = io::stdin().lock().read_to_end(&mut input) {
        report(format_args!("toml-test-decoder: cannot read stdin: {e}"));
        return ExitCode::from(EXIT_IO);
    }
    let doc = match config_core::parse_bytes(&input) {
        Ok(doc) => doc,
        Err(e) => {
            report(format_args!("{e}"));
            return ExitCode::from(EXIT_REJECTED);
        }
    };
    let json = config_core::tagged::to_tagged_json(&doc);
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(json.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if let Err(e) = written {
        report(format_args!("toml-test-decoder: cannot write stdout: {e}"));
        return ExitCode::from(EXIT_IO);
    }
    ExitCode::from(EXIT_ACCEPTED)
}

/// Writes a line to stderr. Unlike `eprintln!`, it does not panic when stderr is closed: the
/// exit code still tells the runner what happened.
fn report(message: std::fmt::Arguments) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}
