//! `perfgate`: builds a target crate under several cargo profiles, measures it and gates
//! regressions. Until the `run` stage lands this binary only reports its version.

use std::process::ExitCode;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        None | Some("--version") | Some("-V") => {
            println!("perfgate {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown argument `{other}`; only `--version` exists so far");
            ExitCode::from(2)
        }
    }
}
