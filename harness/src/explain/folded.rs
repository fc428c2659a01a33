//! Folded stacks from a callgrind call graph: the `root;child;grandchild count` lines that
//! inferno's and Brendan Gregg's flamegraph tools read, counted in instructions (`Ir`).
//!
//! Callgrind keeps no stacks, only caller → callee totals, so the stacks are rebuilt from the
//! graph: starting at each root (a function nobody calls, such as the loader's entry or
//! `(below main)`), depth first along the calls. A function reached through a call of cost c
//! is scaled by c / its inclusive cost: its self cost and each of its calls get that share.
//! This assumes every call of a function costs alike, the usual approximation of gprof-style
//! profiles. A function already on the stack (recursion through other functions) is not
//! entered again: the call's share stays with the caller as its own cost. Direct
//! self-recursion never appears, since a function's inclusive cost leaves it out.
//!
//! The shares are whole instructions, split by largest remainder so that every function's
//! lines add up to exactly the share it was given: the lines of a root add up to its inclusive
//! cost, and all lines to the profile's total when the roots account for every instruction
//! (callgrind's files do). Pure; no I/O.

use std::collections::BTreeMap;

use super::callgrind::CallgrindProfile;

/// How deep the stacks go; deeper calls count as the deepest frame's own cost.
pub const MAX_DEPTH: usize = 256;

/// How many frames the walk enters at most, against call graphs with very many paths; past it,
/// calls count as their caller's own cost.
pub const MAX_FRAMES: usize = 2_000_000;

/// The profile as folded stacks: `(stack, instructions)`, frames joined by `;` (a `;` in a
/// name becomes `:`), sorted by stack, identical stacks merged, no zero lines.
pub fn folded_stacks(profile: &CallgrindProfile) -> Vec<(String, u64)> {
    let n = profile.functions.len();
    let mut callees: Vec<Vec<(usize, u64)>> = vec![Vec::new(); n];
    let mut called = vec![false; n];
    for call in &profile.calls {
        if call.caller == call.callee || call.caller >= n || call.callee >= n {
            continue;
        }
        called[call.callee] = true;
        if call.inclusive > 0 {
            callees[call.caller].push((call.callee, call.inclusive));
        }
    }
    let frames: Vec<String> = profile
        .functions
        .iter()
        .map(|f| match f.name.as_str() {
            "" => "???".to_string(),
            name => name.replace(';', ":"),
        })
        .collect();

    let mut walk = Walk {
        callees: &callees,
        frames: &frames,
        exclusive: profile.functions.iter().map(|f| f.exclusive).collect(),
        on_stack: vec![false; n],
        depth: 0,
        entered: 0,
        path: String::new(),
        lines: BTreeMap::new(),
    };

    // Roots first; then, for what no root reaches (a cycle nobody outside calls), the first
    // function of each such cycle.
    let mut reached = vec![false; n];
    let roots = (0..n).filter(|&f| !called[f]).collect::<Vec<_>>();
    let mut order = roots.clone();
    mark_reached(&roots, &callees, &mut reached);
    for f in 0..n {
        if !reached[f] {
            order.push(f);
            mark_reached(&[f], &callees, &mut reached);
        }
    }
    for root in order {
        let cost = inclusive(&walk.exclusive, &callees, root);
        if cost > 0 {
            walk.enter(root, cost);
        }
    }
    walk.lines.into_iter().filter(|(_, c)| *c > 0).collect()
}

/// A function's self cost plus its calls to others, as the walk splits it.
fn inclusive(exclusive: &[u64], callees: &[Vec<(usize, u64)>], f: usize) -> u64 {
    callees[f]
        .iter()
        .fold(exclusive[f], |sum, &(_, c)| sum.saturating_add(c))
}

fn mark_reached(from: &[usize], callees: &[Vec<(usize, u64)>], reached: &mut [bool]) {
    let mut todo: Vec<usize> = from.to_vec();
    while let Some(f) = todo.pop() {
        if std::mem::replace(&mut reached[f], true) {
            continue;
        }
        todo.extend(callees[f].iter().map(|&(g, _)| g).filter(|&g| !reached[g]));
    }
}

struct Walk<'a> {
    callees: &'a [Vec<(usize, u64)>],
    frames: &'a [String],
    exclusive: Vec<u64>,
    on_stack: Vec<bool>,
    depth: usize,
    entered: usize,
    path: String,
    lines: BTreeMap<String, u64>,
}

impl Walk<'_> {
    /// Enters `f` with `cost` instructions to split among its own code and its calls.
    fn enter(&mut self, f: usize, cost: u64) {
        let outer = self.path.len();
        if !self.path.is_empty() {
            self.path.push(';');
        }
        self.path.push_str(&self.frames[f]);
        self.on_stack[f] = true;
        self.depth += 1;
        self.entered += 1;

        let mut own = cost;
        if self.depth < MAX_DEPTH && self.entered < MAX_FRAMES {
            let callees = &self.callees[f];
            let mut parts = Vec::with_capacity(callees.len() + 1);
            parts.push(self.exclusive[f]);
            parts.extend(callees.iter().map(|&(_, c)| c));
            let shares = split(cost, &parts);
            own = shares[0];
            for (&(callee, _), &share) in callees.iter().zip(&shares[1..]) {
                if share == 0 {
                    continue;
                }
                if self.on_stack[callee] || self.entered >= MAX_FRAMES {
                    own += share;
                } else {
                    self.enter(callee, share);
                }
            }
        }
        if own > 0 {
            let line = self.lines.entry(self.path.clone()).or_insert(0);
            *line = line.saturating_add(own);
        }

        self.depth -= 1;
        self.on_stack[f] = false;
        self.path.truncate(outer);
    }
}

/// `cost` split in proportion to `parts`, in whole units that add up to exactly `cost`: each
/// part gets the floor of its share, and what the floors leave goes one unit each to the
/// largest remainders (the earlier part on a tie). All to the first part when the parts are
/// all zero.
fn split(cost: u64, parts: &[u64]) -> Vec<u64> {
    let whole: u128 = parts.iter().map(|&p| u128::from(p)).sum();
    let mut shares = vec![0u64; parts.len()];
    if whole == 0 {
        if let Some(first) = shares.first_mut() {
            *first = cost;
        }
        return shares;
    }
    let mut remainders = Vec::with_capacity(parts.len());
    let mut given: u64 = 0;
    for (i, &p) in parts.iter().enumerate() {
        let scaled = u128::from(cost) * u128::from(p);
        // scaled / whole ≤ cost, since p ≤ whole
        let floor = u64::try_from(scaled / whole).unwrap_or(cost);
        shares[i] = floor;
        given += floor;
        remainders.push((scaled % whole, i));
    }
    let left = usize::try_from(cost - given).unwrap_or(usize::MAX);
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left) {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::callgrind::parse;

    fn folded(text: &str) -> Vec<(String, u64)> {
        match parse(text) {
            Ok(p) => folded_stacks(&p),
            Err(e) => panic!("{e}"),
        }
    }

    fn lines(stacks: &[(String, u64)]) -> Vec<(&str, u64)> {
        stacks.iter().map(|(s, c)| (s.as_str(), *c)).collect()
    }

    #[test]
    fn the_real_profile_folds_to_its_total() {
        for text in [
            include_str!("fixtures/plain_literal_long.out"),
            include_str!("fixtures/scanner_literal_long.out"),
        ] {
            let profile = parse(text).unwrap();
            let stacks = folded_stacks(&profile);
            let sum: u64 = stacks.iter().map(|(_, c)| c).sum();
            assert_eq!(sum, profile.total);
            assert!(stacks.windows(2).all(|w| w[0].0 < w[1].0), "sorted, merged");
            assert!(stacks.iter().all(|(s, c)| *c > 0 && !s.is_empty()));
        }
        let stacks = folded(include_str!("fixtures/plain_literal_long.out"));
        let hot = stacks.iter().max_by_key(|(_, c)| *c).unwrap();
        assert_eq!(hot.1, 163_845);
        assert!(
            hot.0.starts_with("0x000000000001ab70;(below main);__libc_start_main@@GLIBC_2.34;(below main);main;std::rt::lang_start_internal;"),
            "{}",
            hot.0
        );
        assert!(hot.0.ends_with(
            ";iai_scanner::plain::__iai_callgrind_wrapper_mod::plain;config_core::scan_compare::literal_text_end_plain"
        ));
    }

    #[test]
    fn a_call_graph_folds_to_exact_stacks() {
        let stacks = folded(include_str!("fixtures/slow_a.out"));
        assert_eq!(
            lines(&stacks),
            vec![
                ("main", 10),
                ("main;work", 100),
                ("main;work;fast", 290),
                ("main;work;slow", 600),
            ]
        );
    }

    #[test]
    fn a_function_called_from_two_places_is_split_by_call_cost() {
        // c costs 30 in all: 20 through a, 10 through b; its callee d gets the same split.
        let text = "\
events: Ir
fn=main
1 1
cfn=a
calls=1 1
1 25
cfn=b
calls=1 1
1 15
fn=a
1 5
cfn=c
calls=1 1
1 20
fn=b
1 5
cfn=c
calls=1 1
1 10
fn=c
1 6
cfn=d
calls=1 1
1 24
fn=d
1 24
";
        assert_eq!(
            lines(&folded(text)),
            vec![
                ("main", 1),
                ("main;a", 5),
                ("main;a;c", 4),
                ("main;a;c;d", 16),
                ("main;b", 5),
                ("main;b;c", 2),
                ("main;b;c;d", 8),
            ]
        );
    }

    #[test]
    fn remainders_go_to_the_largest_fractions_and_the_sum_stays_exact() {
        assert_eq!(split(4, &[3, 3]), vec![2, 2]);
        assert_eq!(
            split(2, &[1, 2]),
            vec![1, 1],
            "2/3 and 4/3: the larger remainder wins"
        );
        assert_eq!(
            split(10, &[1, 1, 1]),
            vec![4, 3, 3],
            "a tie goes to the earlier part"
        );
        assert_eq!(split(7, &[0, 0]), vec![7, 0]);
        assert_eq!(split(0, &[5, 5]), vec![0, 0]);
        assert_eq!(
            split(u64::MAX, &[u64::MAX, u64::MAX])
                .iter()
                .map(|&s| u128::from(s))
                .sum::<u128>(),
            u128::from(u64::MAX)
        );
        for cost in 0..50u64 {
            let shares = split(cost, &[7, 11, 13, 0, 2]);
            assert_eq!(shares.iter().sum::<u64>(), cost);
        }
    }

    #[test]
    fn recursion_through_another_function_is_not_entered_again() {
        // main → a → b → a: the inner a is on the stack when b calls it; its share stays b's.
        let text = "\
events: Ir
fn=main
1 10
cfn=a
calls=1 1
1 70
fn=a
1 30
cfn=b
calls=1 1
1 50
fn=b
1 40
cfn=a
calls=1 1
1 10
";
        let stacks = folded(text);
        assert_eq!(
            lines(&stacks),
            vec![("main", 10), ("main;a", 26), ("main;a;b", 44)]
        );
        assert_eq!(stacks.iter().map(|(_, c)| c).sum::<u64>(), 80);
    }

    #[test]
    fn direct_recursion_adds_nothing() {
        let text = "\
events: Ir
fn=main
1 5
cfn=fact
calls=1 10
2 60
fn=fact
10 40
cfn=fact
calls=3 10
11 120
cfn=leaf
calls=1 20
12 20
fn=leaf
20 20
";
        assert_eq!(
            lines(&folded(text)),
            vec![("main", 5), ("main;fact", 40), ("main;fact;leaf", 20)]
        );
    }

    #[test]
    fn a_cycle_nobody_calls_is_still_folded() {
        let text = "\
events: Ir
fn=a
1 3
cfn=b
calls=1 1
1 4
fn=b
1 4
cfn=a
calls=1 1
1 2
";
        let stacks = folded(text);
        assert_eq!(lines(&stacks), vec![("a", 3), ("a;b", 4)]);
    }

    #[test]
    fn semicolons_in_names_are_replaced_and_empty_names_shown() {
        let text = "\
events: Ir
fn=<[u8; 4] as Foo>::bar
1 2
cfn=
calls=1 1
1 3
fn=
1 3
";
        assert_eq!(
            lines(&folded(text)),
            vec![
                ("<[u8: 4] as Foo>::bar", 2),
                ("<[u8: 4] as Foo>::bar;???", 3)
            ]
        );
    }

    #[test]
    fn stacks_stop_at_the_depth_limit_with_their_cost() {
        let mut text = String::from("events: Ir\n");
        let depth = MAX_DEPTH + 10;
        for i in 0..depth {
            text.push_str(&format!("fn=f{i}\n1 1\n"));
            if i + 1 < depth {
                text.push_str(&format!("cfn=f{}\ncalls=1 1\n1 {}\n", i + 1, depth - i - 1));
            }
        }
        let profile = parse(&text).unwrap();
        let stacks = folded_stacks(&profile);
        assert_eq!(stacks.len(), MAX_DEPTH);
        assert_eq!(stacks.iter().map(|(_, c)| c).sum::<u64>(), profile.total);
        let deepest = stacks
            .iter()
            .max_by_key(|(s, _)| s.matches(';').count())
            .unwrap();
        assert_eq!(deepest.0.matches(';').count(), MAX_DEPTH - 1);
        assert_eq!(deepest.1, 11, "the deepest frame keeps what lies below it");
    }
}
