//! Wires the stages together for each subcommand. Stub until the stages land.

use crate::cli::Cli;

/// Runs the subcommand; returns the exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let _ = cli;
    Ok(crate::error::exit::OK)
}
