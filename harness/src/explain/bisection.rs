//! The search of `perfgate bisect`: the first commit of a range whose value crossed from the
//! good side to the bad side, found by halving.
//!
//! A commit is bad when its value is at least halfway from the good endpoint's value to the bad
//! endpoint's: for a deterministic metric (instructions, bytes) that splits one step cleanly,
//! and a step made of several smaller ones is blamed on the commit where most of it had
//! happened. Pure: the caller measures.

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub struct FirstBad {
    /// The index of the first bad commit in the range.
    pub index: usize,
    /// The value before it (the last good commit's, or the good endpoint's).
    pub before: f64,
    /// Its value.
    pub after: f64,
    /// The indices measured, in the order they were.
    pub measured: Vec<usize>,
}

/// Finds the first bad commit of a range of `len` commits (oldest first; the last is the bad
/// endpoint, whose value is `bad`; the good endpoint, just before the range, has `good`).
/// `value(i)` measures commit `i`. Returns `None` when the endpoints do not differ in the bad
/// direction (`bad <= good`, larger being worse).
pub fn first_bad<E>(
    len: usize,
    good: f64,
    bad: f64,
    mut value: impl FnMut(usize) -> Result<f64, E>,
) -> Result<Option<FirstBad>, E> {
    if len == 0 || bad <= good {
        return Ok(None);
    }
    let threshold = good + (bad - good) / 2.0;
    // Invariant: `lo` is good (or the good endpoint, -1), `hi` is bad.
    let (mut lo, mut hi) = (-1_isize, len as isize - 1);
    let (mut lo_value, mut hi_value) = (good, bad);
    let mut measured = Vec::new();
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let v = value(mid as usize)?;
        measured.push(mid as usize);
        if v >= threshold {
            hi = mid;
            hi_value = v;
        } else {
            lo = mid;
            lo_value = v;
        }
    }
    Ok(Some(FirstBad {
        index: hi as usize,
        before: lo_value,
        after: hi_value,
        measured,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of a range where commit `step` (and every later one) is `bad`.
    fn stepped(step: usize) -> impl Fn(usize) -> Result<f64, ()> {
        move |i| Ok(if i >= step { 120.0 } else { 100.0 })
    }

    #[test]
    fn finds_every_step_position_in_logarithmic_measurements() {
        for len in 1..40 {
            for step in 0..len {
                let found = first_bad(len, 100.0, 120.0, stepped(step))
                    .expect("no error")
                    .expect("a step");
                assert_eq!(found.index, step, "len {len}");
                assert_eq!((found.before, found.after), (100.0, 120.0));
                let bound = (len as f64).log2().ceil() as usize;
                assert!(
                    found.measured.len() <= bound,
                    "len {len}: {:?}",
                    found.measured
                );
                assert!(!found.measured.contains(&(len - 1)), "the bad end is known");
            }
        }
    }

    #[test]
    fn a_step_in_two_parts_is_blamed_on_the_larger_share() {
        // +5 at commit 3, +15 more at commit 7: commit 7 crosses the halfway mark (110).
        let values = |i: usize| -> Result<f64, ()> {
            Ok(100.0 + if i >= 3 { 5.0 } else { 0.0 } + if i >= 7 { 15.0 } else { 0.0 })
        };
        let found = first_bad(10, 100.0, 120.0, values)
            .expect("ok")
            .expect("found");
        assert_eq!(found.index, 7);
        assert_eq!((found.before, found.after), (105.0, 120.0));
    }

    #[test]
    fn no_worsening_no_search_and_errors_pass_through() {
        assert_eq!(first_bad(5, 100.0, 100.0, stepped(2)), Ok(None));
        assert_eq!(first_bad(5, 100.0, 90.0, stepped(2)), Ok(None));
        assert_eq!(first_bad(0, 100.0, 120.0, stepped(0)), Ok(None));
        let failing = |_: usize| -> Result<f64, &str> { Err("build failed") };
        assert_eq!(first_bad(5, 1.0, 2.0, failing), Err("build failed"));
    }
}
