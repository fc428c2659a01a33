//! The run stage: each tool run against a build, its output turned into [`Measurement`]s at
//! once. One module per tool; none of them decides anything about regressions.
//!
//! [`Measurement`]: crate::measure::Measurement

pub mod alloc;
pub mod criterion;
pub mod iai;
pub mod size;
pub mod startup;
