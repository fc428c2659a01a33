//! The difference between two callgrind profiles of one bench (A the base, B the head),
//! function by function (its tables are `render::functions`).
//!
//! Functions are matched by name alone, so a function keeps its identity when the binary's
//! path changes between commits; a name found in several objects (`(below main)` in the
//! program and in libc) is one row with the costs summed. The rows that matter come first: the
//! largest change of self cost, where instructions were added or removed, then the largest
//! change of inclusive cost. Pure: profiles in, rows and text out.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::Serialize;

use super::callgrind::{CallgrindProfile, Function};

/// One function's instruction counts in A and in B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionChange {
    /// The function's name as callgrind writes it.
    pub name: String,
    /// Its source file, from B when it is there, else from A (see
    /// [`Function::file`](super::callgrind::Function::file)).
    pub file: String,
    /// Its first line with a cost in `file`, 0 if unknown.
    pub line: u32,
    /// Self cost in A and in B (0 where it is absent).
    pub exclusive: (u64, u64),
    /// Inclusive cost in A and in B (0 where it is absent).
    pub inclusive: (u64, u64),
}

impl FunctionChange {
    /// Self cost B − A: positive when B executes more of the function's own instructions.
    pub fn exclusive_delta(&self) -> i64 {
        delta(self.exclusive)
    }

    /// Inclusive cost B − A.
    pub fn inclusive_delta(&self) -> i64 {
        delta(self.inclusive)
    }

    /// The row as JSON, as `explain --format json` and `compare --explain --format json`
    /// print it: `function`, `file`, `line`, `self` and `inclusive` (each `[A, B]`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "function": self.name,
            "file": self.file,
            "line": self.line,
            "self": [self.exclusive.0, self.exclusive.1],
            "inclusive": [self.inclusive.0, self.inclusive.1],
        })
    }
}

/// The functions whose self or inclusive cost differs between `a` and `b`, by the size of the
/// change of self cost, then of inclusive cost (largest first, either sign), then by name.
pub fn diff(a: &CallgrindProfile, b: &CallgrindProfile) -> Vec<FunctionChange> {
    let (a, b) = (by_name(a), by_name(b));
    let mut names: Vec<&str> = a.keys().chain(b.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    let mut changes: Vec<FunctionChange> = names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (a.get(name), b.get(name));
            let exclusive = (
                old.map_or(0, |s| s.exclusive),
                new.map_or(0, |s| s.exclusive),
            );
            let inclusive = (
                old.map_or(0, |s| s.inclusive),
                new.map_or(0, |s| s.inclusive),
            );
            if exclusive.0 == exclusive.1 && inclusive.0 == inclusive.1 {
                return None;
            }
            let at = new.or(old)?.at;
            Some(FunctionChange {
                name: name.to_string(),
                file: at.file.clone(),
                line: at.line,
                exclusive,
                inclusive,
            })
        })
        .collect();
    changes.sort_by(|x, y| {
        let key = |c: &FunctionChange| {
            (
                Reverse(c.exclusive.0.abs_diff(c.exclusive.1)),
                Reverse(c.inclusive.0.abs_diff(c.inclusive.1)),
            )
        };
        key(x).cmp(&key(y)).then_with(|| x.name.cmp(&y.name))
    });
    changes
}

/// The `n` functions with the largest self cost (none without), largest first, then by name.
pub fn top(profile: &CallgrindProfile, n: usize) -> Vec<&Function> {
    let mut functions: Vec<&Function> = profile
        .functions
        .iter()
        .filter(|f| f.exclusive > 0)
        .collect();
    functions.sort_by(|x, y| {
        y.exclusive
            .cmp(&x.exclusive)
            .then_with(|| x.name.cmp(&y.name))
            .then_with(|| x.object.cmp(&y.object))
    });
    functions.truncate(n);
    functions
}

// ---------------------------------------------------------------------------------------------

/// One name's costs in a profile, summed over objects, and the function that says where it
/// is: the one with the most self cost (then inclusive cost, then the first).
struct Named<'a> {
    exclusive: u64,
    inclusive: u64,
    at: &'a Function,
}

fn by_name(profile: &CallgrindProfile) -> BTreeMap<&str, Named<'_>> {
    let mut out: BTreeMap<&str, Named<'_>> = BTreeMap::new();
    for f in &profile.functions {
        match out.get_mut(f.name.as_str()) {
            Some(named) => {
                named.exclusive = named.exclusive.saturating_add(f.exclusive);
                named.inclusive = named.inclusive.saturating_add(f.inclusive);
                if (f.exclusive, f.inclusive) > (named.at.exclusive, named.at.inclusive) {
                    named.at = f;
                }
            }
            None => {
                out.insert(
                    &f.name,
                    Named {
                        exclusive: f.exclusive,
                        inclusive: f.inclusive,
                        at: f,
                    },
                );
            }
        }
    }
    out
}

/// B − A of a pair of counts, saturated to `i64`.
pub(crate) fn delta((a, b): (u64, u64)) -> i64 {
    let d = i128::from(b) - i128::from(a);
    i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::callgrind::parse;

    fn profile(text: &str) -> CallgrindProfile {
        match parse(text) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn slow_pair() -> Vec<FunctionChange> {
        diff(
            &profile(include_str!("fixtures/slow_a.out")),
            &profile(include_str!("fixtures/slow_b.out")),
        )
    }

    #[test]
    fn the_function_that_doubled_its_self_cost_comes_first() {
        let changes = slow_pair();
        let order: Vec<&str> = changes.iter().map(|c| c.name.as_str()).collect();
        // slow +600 self; fast −10 self; main and work only +590 inclusive (tie: by name)
        assert_eq!(order, vec!["slow", "fast", "main", "work"]);
        assert_eq!(
            changes[0],
            FunctionChange {
                name: "slow".to_string(),
                file: "src/work.rs".to_string(),
                line: 30,
                exclusive: (600, 1200),
                inclusive: (600, 1200),
            }
        );
        assert_eq!(changes[0].exclusive_delta(), 600);
        assert_eq!(changes[1].exclusive_delta(), -10);
        assert_eq!(changes[1].inclusive_delta(), -10);
        assert_eq!(changes[2].exclusive_delta(), 0);
        assert_eq!(changes[2].inclusive_delta(), 590);
        assert_eq!(changes[3].inclusive, (990, 1580));
    }

    #[test]
    fn unchanged_functions_are_dropped_and_missing_ones_count_as_zero() {
        let a = profile("events: Ir\nfn=same\n1 5\nfn=gone\n1 3\n");
        let b = profile("events: Ir\nfn=same\n1 5\nfn=new\n2 4\n");
        let changes = diff(&a, &b);
        let rows: Vec<(&str, (u64, u64), u32)> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.exclusive, c.line))
            .collect();
        assert_eq!(rows, vec![("new", (0, 4), 2), ("gone", (3, 0), 1)]);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn one_name_in_two_objects_is_one_row_with_summed_costs() {
        let a = profile("events: Ir\nob=app\nfn=f\n1 5\nob=libc\nfn=f\n9 2\n");
        let b = profile("events: Ir\nob=app\nfn=f\n1 5\nob=libc\nfn=f\n9 4\n");
        let changes = diff(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].exclusive, (7, 9));
        assert_eq!(changes[0].line, 1, "where the most self cost is");
    }

    #[test]
    fn the_real_profiles_differ_in_their_scanners() {
        let plain = profile(include_str!("fixtures/plain_literal_long.out"));
        let scanner = profile(include_str!("fixtures/scanner_literal_long.out"));
        let changes = diff(&plain, &scanner);
        assert_eq!(
            changes[0].name,
            "config_core::scan_compare::literal_text_end_plain"
        );
        assert_eq!(changes[0].exclusive, (163_845, 0));
        assert_eq!(changes[0].line, 103);
        assert_eq!(
            changes[1].name,
            "config_core::scan_compare::literal_text_end_optimised"
        );
        assert_eq!(changes[1].exclusive, (0, 41_499));
        let net: i64 = changes.iter().map(FunctionChange::exclusive_delta).sum();
        assert_eq!(net, 41_536 - 163_882);
    }

    #[test]
    fn top_lists_the_largest_self_costs() {
        let p = profile(include_str!("fixtures/slow_b.out"));
        let names: Vec<(&str, u64)> = top(&p, 3)
            .iter()
            .map(|f| (f.name.as_str(), f.exclusive))
            .collect();
        assert_eq!(names, vec![("slow", 1200), ("fast", 280), ("work", 100)]);
        assert_eq!(top(&p, 10).len(), 4);
        let real = profile(include_str!("fixtures/plain_literal_long.out"));
        assert_eq!(
            top(&real, 1)[0].name,
            "config_core::scan_compare::literal_text_end_plain"
        );
        assert!(top(&real, 100).iter().all(|f| f.exclusive > 0));
    }
}
