//! The `perfgate` binary: parses the command line, runs the subcommand, prints an error chain
//! once, and maps the outcome to an exit code (0 ok, 1 regression, 2 error).

use std::process::ExitCode;

use clap::Parser;

use perfgate::cli::Cli;
use perfgate::error::exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match perfgate::command::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
