//! End-to-end tests of the `perfgate` binary: each copies the tiny fixture crate into its own
//! temporary git repository and runs the real binary with real cargo, valgrind and git.

mod bad_input;
mod ci;
mod compare;
mod explain;
mod faults;
mod golden;
mod harnesses;
mod init;
mod noise;
mod report;
mod reuse;
mod run;
mod toolchain;
mod util;
mod workflow;
mod workspaces;
