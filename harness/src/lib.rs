//! perfgate: builds a target crate under several cargo profiles, measures it, stores one JSON
//! baseline per commit, and gates regressions between commits.
//!
//! The pipeline, one module per stage, data flowing one way:
//! `config` + `cli` → `plan` → `build` (and `pgo`) → `run` (tools, into `measure` types) →
//! `store` (baselines, keyed by `git` commits, with a `fingerprint` of the environment).
//! `command` wires the stages together for each subcommand. Pure logic (`stats`, parsing of
//! tool output) is kept apart from I/O (`process`, cargo, valgrind, git, files).

pub mod atomic;
pub mod builds;
pub mod cli;
pub mod command;
pub mod config;
pub mod databranch;
pub mod env_field;
pub mod error;
pub mod explain;
pub mod fingerprint;
pub mod gate;
pub mod git;
pub mod init;
pub mod interleave;
pub mod lock;
pub mod measure;
pub mod metric;
pub mod pipeline;
pub mod plan;
pub mod process;
pub mod profile;
pub mod progress;
pub mod render;
pub mod report;
pub mod run;
pub mod shard;
pub mod stats;
pub mod store;
