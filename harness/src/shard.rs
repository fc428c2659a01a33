//! Shards of a run (`perfgate run --shard K/N`): the units of a profile's measuring (each
//! bench target, the start-up with its allocations, the clean builds of the build time) split
//! over N jobs, deterministically, balanced by how long each unit took in the last baseline.
//! Pure: the units and their durations in, each unit's shard out.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One of `count` parts of a profile's units, numbered from 1 (`2/3` is the second of three).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    /// Which part, 1 ..= `count`.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

/// The most shards a run may be split into.
pub const MAX_SHARDS: usize = 64;

impl Shard {
    /// Reads `K/N` (1 ≤ K ≤ N ≤ [`MAX_SHARDS`]); the error says what is wrong.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!("`{text}` is not a shard; write K/N with 1 ≤ K ≤ N ≤ {MAX_SHARDS}, e.g. `1/2`")
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl TryFrom<String> for Shard {
    type Error = String;
    fn try_from(text: String) -> Result<Shard, String> {
        Shard::parse(&text)
    }
}

impl From<Shard> for String {
    fn from(shard: Shard) -> String {
        shard.to_string()
    }
}

/// The shard (1-based) of each unit, in the order given: the longest unit first goes to the
/// shard with the least work so far (the lowest-numbered one on a tie), which keeps the
/// slowest shard within the longest unit of the best split. A unit of unknown duration
/// (`None`: new, or no earlier baseline) counts as the median of the known ones, or 1 s when
/// none is known. The same units and durations always give the same split.
pub fn assign(units: &[(&str, Option<f64>)], count: usize) -> Vec<usize> {
    let count = count.max(1);
    let mut known: Vec<f64> = units
        .iter()
        .filter_map(|(_, d)| *d)
        .filter(|d| d.is_finite() && *d >= 0.0)
        .collect();
    known.sort_by(f64::total_cmp);
    let fallback = if known.is_empty() {
        1.0
    } else {
        known[known.len() / 2]
    };
    let duration = |d: Option<f64>| d.filter(|d| d.is_finite() && *d >= 0.0).unwrap_or(fallback);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        duration(units[b].1)
            .total_cmp(&duration(units[a].1))
            .then_with(|| units[a].0.cmp(units[b].0))
    });
    let mut load = vec![0.0f64; count];
    let mut out = vec![1; units.len()];
    for i in order {
        let lightest = (0..count)
            .min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b)))
            .expect("at least one shard");
        load[lightest] += duration(units[i].1);
        out[i] = lightest + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_reads_and_writes_as_k_of_n() {
        let shard = Shard::parse("2/3").expect("a shard");
        assert_eq!(shard, Shard { index: 2, count: 3 });
        assert_eq!(shard.to_string(), "2/3");
        for bad in ["0/2", "3/2", "1/0", "2", "a/b", "1/65", ""] {
            let err = Shard::parse(bad).expect_err(bad);
            assert!(err.contains("K/N"), "{err}");
        }
    }

    #[test]
    fn the_longest_units_are_spread_first() {
        let units = [
            ("parse", Some(60.0)),
            ("scaling", Some(50.0)),
            ("iai", Some(30.0)),
            ("alloc", Some(20.0)),
            ("startup", Some(10.0)),
        ];
        // 60 → 1; 50 → 2; 30 → 2 (80); 20 → 1 (80); 10 → 1 (90), ties to the lower shard.
        assert_eq!(assign(&units, 2), vec![1, 2, 2, 1, 1]);
        assert_eq!(assign(&units, 1), vec![1; 5]);
        // More shards than units: each unit alone, the last shards empty.
        assert_eq!(assign(&units, 7), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn unknown_durations_count_as_the_median_and_the_split_is_stable() {
        let units = [
            ("a", Some(10.0)),
            ("b", None),
            ("c", Some(30.0)),
            ("d", Some(20.0)),
        ];
        // b counts as 20 (the median of 10, 20, 30): c 30 → 1; b 20 (before d, by name) → 2;
        // d 20 → 2 (20 < 30); a 10 → 1 (30 < 40).
        let first = assign(&units, 2);
        assert_eq!(first, vec![1, 2, 1, 2]);
        assert_eq!(assign(&units, 2), first);
        let none = [("x", None), ("y", None), ("z", None)];
        assert_eq!(assign(&none, 2), vec![1, 2, 1]);
    }
}
