//! Every rendering perfgate prints or writes, apart from the HTML report: numbers with their
//! units, text columns, Markdown escaping, the gate's table, Markdown and JSON, the run
//! summary, the exports for other dashboards. Pure: data in, text or JSON out; no printing,
//! no files, no clock.
//!
//! An output format is a module here: it takes a [`crate::gate::Comparison`] or a
//! [`crate::store::Baseline`] and returns text.

pub mod columns;
pub mod comment;
pub mod export;
pub mod functions;
pub mod gate;
pub mod markdown;
pub mod noise;
pub mod sizes;
pub mod summary;
