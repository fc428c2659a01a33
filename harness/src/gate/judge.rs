//! Judging one series (`docs/gate.md` §3.2, §4, §6, §8): the identical-artifact short-circuit,
//! the deterministic rule with its floor, the noisy test and its verdict once q is known, and
//! the informational rule.

use std::collections::BTreeMap;

use crate::measure::Measurement;
use crate::metric::{Metric, MetricClass};

use super::model::{AdvisoryCode, History, ReasonCode, SeriesKey, SeriesVerdict, Verdict};
use super::reason::{join_notes, number, pct, plain_pct, trim, values};
use super::rules::{GateRules, class_under, gate_of, metric_class};
use crate::env_field::EnvDifference;
use crate::fingerprint::short_hash;
use crate::stats;
use crate::store::{Baseline, ProfileRun};

use super::paired::{self, Paired, Pairs, Stop};

use super::{
    BOOTSTRAP_RESAMPLES, CONFIDENCE, DEFAULT_FENCE_DETERMINISTIC, DEFAULT_FENCE_NOISY,
    FLOOR_EVENTS, FLOOR_FRACTION, HISTORY_LEN, MIN_SAMPLES, TOLERANCE,
};

/// One side of a series: its measurement and the samples the noisy rule tests.
pub(crate) struct Side<'a> {
    pub(crate) m: &'a Measurement,
    pub(crate) samples: Vec<f64>,
}

/// Every series of a baseline. A throughput measurement without samples gets samples derived
/// from its bench's `wall_time_ns` samples: t_i = throughput · wall / w_i (§6).
pub(crate) fn series_of(baseline: &Baseline) -> BTreeMap<SeriesKey, Side<'_>> {
    let mut out = BTreeMap::new();
    for (profile, run) in &baseline.profiles {
        for m in &run.measurements {
            let key = SeriesKey::of(profile, m);
            let samples = if m.samples.is_empty() && m.metric.is_throughput() {
                derived_throughput(m, run)
            } else {
                m.samples.clone()
            };
            // A baseline has one measurement per key; should one repeat, the first counts.
            out.entry(key).or_insert(Side { m, samples });
        }
    }
    out
}

pub(crate) fn derived_throughput(m: &Measurement, run: &ProfileRun) -> Vec<f64> {
    let Some(wall) = run
        .measurements
        .iter()
        .find(|w| w.bench == m.bench && w.metric == Metric::WallTime)
    else {
        return Vec::new();
    };
    let positive = |v: f64| v > 0.0 && v.is_finite();
    if !positive(wall.value) || !wall.samples.iter().all(|&w| positive(w)) {
        return Vec::new();
    }
    wall.samples
        .iter()
        .map(|w| m.value * wall.value / w)
        .collect()
}

/// A series judged at once, or a noisy series waiting for its q-value.
pub(crate) enum Judged {
    Done(SeriesVerdict),
    Tested(Tested),
}

/// The numbers of a tested noisy series, before Benjamini–Hochberg.
pub(crate) struct Tested {
    pub(crate) shift: f64,
    pub(crate) interval: (f64, f64),
    pub(crate) p: f64,
    pub(crate) n: (usize, usize),
    pub(crate) fence: Fence,
    pub(crate) gate: f64,
    /// The minimal detectable shift at 95% power of the samples (§6.1).
    pub(crate) mde: Option<f64>,
    pub(crate) values: String,
    pub(crate) notes: Vec<String>,
    /// For a series measured in paired rounds (as many as `n`): how they ended, and the α of
    /// the interval.
    pub(crate) paired: Option<(Stop, f64)>,
}

/// A noise fence and where it came from.
#[derive(Clone, Copy)]
pub(crate) struct Fence {
    pub(crate) value: f64,
    /// How many baselines it was computed over; `None` for the default.
    pub(crate) baselines: Option<usize>,
}

impl Fence {
    fn describe(self) -> String {
        match self.baselines {
            Some(n) => format!("fence {} ({n} baselines)", plain_pct(self.value)),
            None => format!("fence {} (default)", plain_pct(self.value)),
        }
    }
}

/// F_s of a series (§4): over its last [`HISTORY_LEN`] values, or `default` with fewer.
pub(crate) fn fence_of(key: &SeriesKey, history: &History, default: f64) -> Fence {
    let fallback = Fence {
        value: default,
        baselines: None,
    };
    let Some(values) = history.values.get(key) else {
        return fallback;
    };
    if values.len() < HISTORY_LEN {
        return fallback;
    }
    let last = &values[values.len() - HISTORY_LEN..];
    match stats::noise_fence(last) {
        Some(f) if f.is_finite() && f >= 0.0 => Fence {
            value: f,
            baselines: Some(HISTORY_LEN),
        },
        _ => fallback,
    }
}

/// The sign s: +1 when lower is better, −1 otherwise (§1).
pub(crate) fn sign(m: &Measurement) -> f64 {
    if m.lower_is_better { 1.0 } else { -1.0 }
}

/// The bytes the bootstrap seed is made of (§6): the series key, then both shas, each ended by
/// a zero byte so that no two inputs run together.
pub(crate) fn seed_bytes(key: &SeriesKey, base_sha: &str, head_sha: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    for part in [
        key.profile.as_str(),
        key.bench.as_str(),
        key.metric.as_str(),
        base_sha,
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    bytes.extend_from_slice(head_sha.as_bytes());
    bytes
}

/// What every series is judged against.
pub(crate) struct Context<'a> {
    pub(crate) base: &'a Baseline,
    pub(crate) head: &'a Baseline,
    /// The base's series, for a bench's instruction count (the floor of §4).
    pub(crate) base_series: &'a BTreeMap<SeriesKey, Side<'a>>,
    pub(crate) history: &'a History,
    pub(crate) rules: &'a GateRules,
    /// The series measured in paired rounds (`compare --run`), judged by §12.2.
    pub(crate) pairs: &'a Pairs,
}

impl Context<'_> {
    /// The absolute floor of a callgrind count of `key` (§4): [`FLOOR_EVENTS`], or
    /// [`FLOOR_FRACTION`] of the bench's base instruction count where that is larger; `None`
    /// for metrics not counted by callgrind.
    fn floor(&self, key: &SeriesKey) -> Option<f64> {
        if !key.metric.is_callgrind_count() {
            return None;
        }
        let instructions = SeriesKey {
            metric: Metric::Instructions,
            ..key.clone()
        };
        let relative = self
            .base_series
            .get(&instructions)
            .map_or(0.0, |side| side.m.value.abs() * FLOOR_FRACTION);
        Some(FLOOR_EVENTS.max(relative))
    }
}

/// The verdict of a series present on both sides, through §3.1, §3.2 and its class rule;
/// `differences` are the environment differences that concern its profile.
pub(crate) fn judge(
    key: &SeriesKey,
    b: &Side<'_>,
    h: &Side<'_>,
    differences: &[&EnvDifference],
    context: &Context<'_>,
) -> Judged {
    let Context {
        base,
        head,
        history,
        rules,
        ..
    } = *context;
    let class = class_under(&key.metric, rules);
    let mut v = placeholder(key, b.m, h.m);
    v.class = class;

    // §3.1 comparability.
    let mut notes = Vec::new();
    let mut incomparable = Vec::new();
    for difference in differences {
        let EnvDifference {
            field,
            base: a,
            head: z,
        } = difference;
        if !field.affects(&key.metric) {
            continue;
        }
        match rules.explained.get(field) {
            Some(why) => {
                let note = format!("({why})");
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            None => incomparable.push(format!(
                "{} {} → {}",
                field.name_in_profile(),
                short_hash(a),
                short_hash(z)
            )),
        }
    }
    if !incomparable.is_empty() {
        v.verdict = Verdict::Incomparable;
        v.reason_code = ReasonCode::Incomparable;
        v.reason = format!("incomparable: {}", incomparable.join(", "));
        return Judged::Done(v);
    }

    // §3.2 identical artifact.
    let build_time = key.metric.is_build_time();
    if let (Some(x), Some(y)) = (&b.m.artifact_sha256, &h.m.artifact_sha256)
        && x == y
        && !build_time
    {
        let what = if ["binary/", "startup/", "alloc/"]
            .iter()
            .any(|p| key.bench.starts_with(p))
        {
            "target binary"
        } else {
            "bench binary"
        };
        let mut reason = format!("{what} identical (sha256 {}…)", x.get(..8).unwrap_or(x));
        if class == MetricClass::Deterministic
            && let Some(d) = relative_change(b.m, h.m)
            && d.abs() > TOLERANCE
        {
            reason.push_str(&format!(
                "; yet the value moved {} > tolerance {} on the same binary ({}): a measurement determinism problem",
                pct(d),
                plain_pct(TOLERANCE),
                values(b.m, h.m)
            ));
        }
        v.verdict = Verdict::Unchanged;
        v.reason_code = ReasonCode::IdenticalArtifact;
        v.reason = join_notes(reason, &notes);
        return Judged::Done(v);
    }

    let gate = gate_of(key, rules);
    match class {
        MetricClass::Deterministic => {
            let fence = fence_of(key, history, DEFAULT_FENCE_DETERMINISTIC);
            let floor = context.floor(key);
            deterministic(&mut v, b.m, h.m, Limits { fence, gate, floor });
            v.reason = join_notes(std::mem::take(&mut v.reason), &notes);
            Judged::Done(v)
        }
        MetricClass::Informational => {
            point_rule(&mut v, b.m, h.m, gate, None);
            v.advise(AdvisoryCode::Informational);
            let why = if key.metric.is_callgrind_event() {
                "informational, not gated (callgrind's cache events move with code layout; \
                 `[gate.metrics]` gates one by name)"
            } else {
                "informational, not gated"
            };
            v.reason = join_notes(format!("{}; {why}", v.reason), &notes);
            Judged::Done(v)
        }
        MetricClass::Noisy => {
            let fence = fence_of(key, history, DEFAULT_FENCE_NOISY);
            if let Some(paired) = context.pairs.get(key)
                && let Some(tested) = paired_test(paired, h.m, fence, gate)
            {
                return Judged::Tested(Tested {
                    values: values(b.m, h.m),
                    notes,
                    ..tested
                });
            }
            let n = (b.samples.len(), h.samples.len());
            let test = if n.0 >= MIN_SAMPLES && n.1 >= MIN_SAMPLES {
                noisy_test(key, b, h, base, head)
            } else {
                None
            };
            match test {
                Some((shift, interval, p)) => Judged::Tested(Tested {
                    shift,
                    interval,
                    p,
                    n,
                    fence,
                    gate,
                    mde: stats::minimal_detectable_shift(&b.samples, &h.samples),
                    values: values(b.m, h.m),
                    notes,
                    paired: None,
                }),
                None => {
                    point_rule(&mut v, b.m, h.m, gate, Some(fence));
                    v.advise(AdvisoryCode::Untested);
                    let tested_none = n.0 >= MIN_SAMPLES && n.1 >= MIN_SAMPLES;
                    if v.reason_code != ReasonCode::NoChange {
                        v.reason_code = if tested_none {
                            ReasonCode::NoTest
                        } else {
                            ReasonCode::TooFewSamples
                        };
                    }
                    let why = if tested_none {
                        "advisory: the samples allow no test (a zero or negative sample, or no spread)"
                            .to_string()
                    } else {
                        format!(
                            "advisory: {}/{} samples, a test needs {MIN_SAMPLES} per side",
                            n.0, n.1
                        )
                    };
                    v.reason = join_notes(format!("{}; {why}", v.reason), &notes);
                    Judged::Done(v)
                }
            }
        }
    }
}

/// Δ̂, [L, U] and p of a noisy series (§6), all worse-positive; `None` where a statistic is
/// undefined.
pub(crate) fn noisy_test(
    key: &SeriesKey,
    b: &Side<'_>,
    h: &Side<'_>,
    base: &Baseline,
    head: &Baseline,
) -> Option<(f64, (f64, f64), f64)> {
    let s = sign(h.m);
    let hl = stats::hodges_lehmann_log_shift(&b.samples, &h.samples)?;
    let seed = stats::seed_from(&seed_bytes(key, &base.commit.sha, &head.commit.sha));
    let interval = worse_interval(&b.samples, &h.samples, h.m.lower_is_better, seed)?;
    let test = stats::mann_whitney_u(&b.samples, &h.samples)?;
    let shift = s * hl.exp_m1();
    let finite = shift.is_finite()
        && interval.0.is_finite()
        && interval.1.is_finite()
        && test.p_value.is_finite();
    finite.then_some((shift, interval, test.p_value))
}

/// The interval [L, U] of §6, signed worse-positive like Δ̂: the seeded percentile bootstrap
/// of the relative shift of the `head` samples against the `base` ones (B =
/// [`BOOTSTRAP_RESAMPLES`], [`CONFIDENCE`]), negated for a metric where bigger is better.
/// `None` where the bootstrap is undefined.
pub fn worse_interval(
    base: &[f64],
    head: &[f64],
    lower_is_better: bool,
    seed: u64,
) -> Option<(f64, f64)> {
    let (lo, hi) =
        stats::bootstrap_relative_shift(base, head, BOOTSTRAP_RESAMPLES, seed, CONFIDENCE)?;
    Some(if lower_is_better {
        (lo, hi)
    } else {
        (-hi, -lo)
    })
}

/// Δ̂, [L, U], p and MDE of a series measured in paired rounds (§12.2): the Hodges–Lehmann
/// estimate of the per-round log ratios, their signed-rank interval at the level the rounds
/// stopped at, and Wilcoxon's signed-rank test. `None` where a statistic is undefined (then
/// the pooled samples are tested as unpaired).
fn paired_test(paired: &Paired, h: &Measurement, fence: Fence, gate: f64) -> Option<Tested> {
    let d = &paired.log_ratios;
    if d.len() < MIN_SAMPLES {
        return None;
    }
    let s = sign(h);
    let shift = paired::relative(stats::walsh_median(d)?, s);
    let interval = paired::interval(d, paired.alpha, s)?;
    let test = stats::wilcoxon_signed_rank(d)?;
    let finite = shift.is_finite() && interval.0.is_finite() && interval.1.is_finite();
    finite.then(|| Tested {
        shift,
        interval,
        p: test.p_value,
        n: (d.len(), d.len()),
        fence,
        gate,
        mde: stats::paired_minimal_detectable_shift(d),
        values: String::new(),
        notes: Vec::new(),
        paired: Some((paired.stop, paired.alpha)),
    })
}

/// A verdict with its key, class, values and unit, and nothing decided yet.
pub(crate) fn placeholder(key: &SeriesKey, b: &Measurement, h: &Measurement) -> SeriesVerdict {
    SeriesVerdict {
        key: key.clone(),
        class: metric_class(&key.metric),
        verdict: Verdict::WithinNoise,
        reason: String::new(),
        reason_code: ReasonCode::default(),
        unit: h.unit,
        base: Some(b.value),
        head: Some(h.value),
        change: None,
        interval: None,
        p_value: None,
        q_value: None,
        fence: None,
        notable: false,
        advisory: false,
        advisory_code: None,
        acknowledged: None,
        ignored: false,
        mde: None,
        rounds: None,
    }
}

/// `new` or `missing`: the series of `m` is absent from `other`.
pub(crate) fn one_sided(
    key: &SeriesKey,
    m: &Measurement,
    verdict: Verdict,
    other: &Baseline,
) -> SeriesVerdict {
    let side = if verdict == Verdict::New {
        "base"
    } else {
        "head"
    };
    let mut reason = if other.profiles.contains_key(&key.profile) {
        format!("not in {side}")
    } else {
        format!("profile `{}` not in {side}", key.profile)
    };
    if verdict == Verdict::Missing {
        reason.push_str(" (renamed? a rename is a migration)");
    }
    let (base, head) = if verdict == Verdict::New {
        (None, Some(m.value))
    } else {
        (Some(m.value), None)
    };
    SeriesVerdict {
        key: key.clone(),
        class: metric_class(&key.metric),
        verdict,
        reason,
        reason_code: if verdict == Verdict::New {
            ReasonCode::OnlyInHead
        } else {
            ReasonCode::OnlyInBase
        },
        unit: m.unit,
        base,
        head,
        change: None,
        interval: None,
        p_value: None,
        q_value: None,
        fence: None,
        notable: false,
        advisory: false,
        advisory_code: None,
        acknowledged: None,
        ignored: false,
        mde: None,
        rounds: None,
    }
}

/// Δ = s·(head − base)/base; `None` for a zero or non-finite base.
pub(crate) fn relative_change(b: &Measurement, h: &Measurement) -> Option<f64> {
    crate::metric::relative_change(h.value, b.value, h.lower_is_better)
}

/// What a deterministic change is held against (§4).
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) fence: Fence,
    pub(crate) gate: f64,
    /// The absolute floor of a callgrind count; `None` for other metrics.
    pub(crate) floor: Option<f64>,
}

/// The deterministic rule (§4), into `v`.
pub(crate) fn deterministic(
    v: &mut SeriesVerdict,
    b: &Measurement,
    h: &Measurement,
    limits: Limits,
) {
    let Limits { fence, gate, floor } = limits;
    v.fence = Some(fence.value);
    let values = values(b, h);
    let moved = (h.value - b.value).abs();
    let beyond_tolerance = relative_change(b, h).is_none_or(|d| d.abs() > TOLERANCE);
    if let Some(floor) = floor.filter(|&floor| moved <= floor && moved > 0.0 && beyond_tolerance) {
        v.change = relative_change(b, h);
        v.verdict = Verdict::WithinNoise;
        v.reason_code = ReasonCode::Floor;
        v.reason = format!(
            "{} event(s) ≤ floor {}; {values}",
            format_count(h.value - b.value),
            format_count(floor)
        );
        return;
    }
    let mut clauses = Vec::new();
    if b.value == 0.0 {
        if h.value == 0.0 {
            v.change = Some(0.0);
            v.verdict = Verdict::WithinNoise;
            v.reason_code = ReasonCode::Tolerance;
            clauses.push(format!("0% ≤ tolerance {}", plain_pct(TOLERANCE)));
        } else {
            let worse = sign(h) * h.value > 0.0;
            v.verdict = if worse {
                Verdict::Regressed
            } else {
                Verdict::Improved
            };
            v.notable = true;
            v.reason_code = ReasonCode::FromZero;
            clauses.push("from zero".to_string());
        }
        clauses.push(values);
        v.reason = clauses.join("; ");
        return;
    }
    let Some(d) = relative_change(b, h) else {
        v.verdict = Verdict::WithinNoise;
        v.reason_code = ReasonCode::NoChange;
        v.advise(AdvisoryCode::NoChange);
        v.reason = format!("no change can be computed; {values}");
        return;
    };
    v.change = Some(d);
    v.notable = d.abs() > fence.value.max(TOLERANCE);
    v.reason_code = if d.abs() <= TOLERANCE {
        ReasonCode::Tolerance
    } else if d.abs() > gate {
        ReasonCode::Gate
    } else {
        ReasonCode::BelowGate
    };
    if d.abs() <= TOLERANCE {
        v.verdict = Verdict::WithinNoise;
        clauses.push(format!("{} ≤ tolerance {}", pct(d), plain_pct(TOLERANCE)));
    } else if d > gate {
        v.verdict = Verdict::Regressed;
        clauses.push(format!("{} > gate {}", pct(d), plain_pct(gate)));
        clauses.push(fence.describe());
    } else if d < -gate {
        v.verdict = Verdict::Improved;
        clauses.push(format!("{} < -gate {}", pct(d), plain_pct(gate)));
        clauses.push(fence.describe());
    } else if v.notable {
        v.verdict = Verdict::WithinNoise;
        clauses.push(format!(
            "{}, notable ({}), below gate {}",
            pct(d),
            fence.describe(),
            plain_pct(gate)
        ));
    } else {
        v.verdict = Verdict::WithinNoise;
        clauses.push(format!(
            "{} within {}, below gate {}",
            pct(d),
            fence.describe(),
            plain_pct(gate)
        ));
    }
    clauses.push(values);
    if fence.value >= gate / 2.0 {
        v.advise(AdvisoryCode::Unstable);
        clauses.push(format!(
            "advisory: unstable, {} ≥ half the gate",
            fence.describe()
        ));
    }
    v.reason = clauses.join("; ");
}

/// A whole count with its sign, as the floor's reason writes a change: `-3`, `+12`.
pub(crate) fn format_count(count: f64) -> String {
    format!("{count:+.0}")
}

/// Δ of the stored values against the gate, no test (§6 with too few samples, §8): with a
/// fence, the change must also exceed it.
pub(crate) fn point_rule(
    v: &mut SeriesVerdict,
    b: &Measurement,
    h: &Measurement,
    gate: f64,
    fence: Option<Fence>,
) {
    v.fence = fence.map(|f| f.value);
    let values = values(b, h);
    let Some(d) = relative_change(b, h) else {
        v.verdict = Verdict::WithinNoise;
        v.reason_code = ReasonCode::NoChange;
        v.reason = format!("no change can be computed (zero base); {values}");
        return;
    };
    v.change = Some(d);
    let beyond = fence.is_none_or(|f| d.abs() > f.value);
    let mut clauses = Vec::new();
    v.reason_code = if d.abs() > gate && beyond {
        ReasonCode::Gate
    } else {
        ReasonCode::BelowGate
    };
    if d > gate && beyond {
        v.verdict = Verdict::Regressed;
        clauses.push(format!("{} > gate {}", pct(d), plain_pct(gate)));
    } else if d < -gate && beyond {
        v.verdict = Verdict::Improved;
        clauses.push(format!("{} < -gate {}", pct(d), plain_pct(gate)));
    } else {
        v.verdict = Verdict::WithinNoise;
        clauses.push(format!("{}, below gate {}", pct(d), plain_pct(gate)));
    }
    if let Some(f) = fence {
        clauses.push(f.describe());
    }
    clauses.push(values);
    v.reason = clauses.join("; ");
}

/// The noisy verdict (§6) once q is known; a series of paired rounds by §12.2.
pub(crate) fn finish_noisy(v: &mut SeriesVerdict, t: Tested, q: f64, alpha: f64) {
    if let Some(paired) = t.paired {
        finish_paired(v, t, q, paired);
        return;
    }
    let (l, u) = t.interval;
    let (f, g) = (t.fence.value, t.gate);
    let significant = q < alpha;
    v.change = Some(t.shift);
    v.interval = Some(t.interval);
    v.p_value = Some(t.p);
    v.q_value = Some(q);
    v.fence = Some(f);
    v.notable = (l > f || u < -f) && significant;
    v.reason_code = ReasonCode::Gate;
    let head = if t.shift > g && l > f && significant {
        v.verdict = Verdict::Regressed;
        let confident = if l > g { ", confident" } else { "" };
        format!("{} > gate {}{confident}", pct(t.shift), plain_pct(g))
    } else if t.shift < -g && u < -f && significant {
        v.verdict = Verdict::Improved;
        let confident = if u < -g { ", confident" } else { "" };
        format!("{} < -gate {}{confident}", pct(t.shift), plain_pct(g))
    } else {
        v.verdict = Verdict::WithinNoise;
        v.reason_code = if !significant {
            ReasonCode::NotSignificant
        } else if v.notable {
            ReasonCode::BelowGate
        } else {
            ReasonCode::Fence
        };
        if !significant {
            format!(
                "{}, not significant (q ≥ α), gate {}",
                pct(t.shift),
                plain_pct(g)
            )
        } else if v.notable {
            format!("{}, notable, below gate {}", pct(t.shift), plain_pct(g))
        } else {
            format!(
                "{}, interval reaches the fence, gate {}",
                pct(t.shift),
                plain_pct(g)
            )
        }
    };
    let stats = format!(
        "CI [{}, {}], q = {}, p = {}, α {}, n = {}/{}",
        pct(l),
        pct(u),
        number(q),
        number(t.p),
        number(alpha),
        t.n.0,
        t.n.1
    );
    v.mde = t.mde;
    let mut parts = vec![head, stats, t.fence.describe(), t.values];
    if let Some(mde) = t.mde.filter(|&mde| mde > g) {
        parts.extend(low_power(v, (l, u), mde, g));
    }
    v.reason = join_notes(parts.join("; "), &t.notes);
}

/// The verdict of a series measured in paired rounds (§12.2), from how its rounds stopped: an
/// interval beyond half the gate b = g/2 fails (or improves), one inside passes, and a budget
/// spent without either is advisory, its verdict by the estimate against b.
fn finish_paired(v: &mut SeriesVerdict, t: Tested, q: f64, (stop, alpha): (Stop, f64)) {
    let rounds = t.n.0;
    let (l, u) = t.interval;
    let g = t.gate;
    let b = paired::boundary(g);
    // The history's fence is the drift between the jobs that stored its values, which the
    // rounds' pairing cancels: it holds a paired series to at most half the gate (§12.2).
    let capped = t.fence.value > b;
    let f = if capped { b } else { t.fence.value };
    v.change = Some(t.shift);
    v.interval = Some(t.interval);
    v.p_value = Some(t.p);
    v.q_value = Some(q);
    v.fence = Some(f);
    v.mde = t.mde;
    v.rounds = Some(rounds);
    v.notable = l > f || u < -f;
    v.reason_code = ReasonCode::Gate;
    v.verdict = if t.shift > b && l > f {
        Verdict::Regressed
    } else if t.shift < -b && u < -f {
        Verdict::Improved
    } else {
        Verdict::WithinNoise
    };
    let head = match v.verdict {
        Verdict::Regressed => format!("{} > half the gate {}", pct(t.shift), plain_pct(b)),
        Verdict::Improved => format!("{} < -half the gate {}", pct(t.shift), plain_pct(b)),
        _ => {
            v.reason_code = if v.notable {
                ReasonCode::BelowGate
            } else {
                ReasonCode::Fence
            };
            format!("{}, within half the gate {}", pct(t.shift), plain_pct(b))
        }
    };
    let stats = format!(
        "paired over {rounds} rounds ({}); CI [{}, {}] at {}; p = {}, q = {}; gate {}",
        stop.describe(),
        pct(l),
        pct(u),
        confidence(alpha),
        number(t.p),
        number(q),
        plain_pct(g)
    );
    let fence = if capped {
        format!("{}, capped at half the gate", t.fence.describe())
    } else {
        t.fence.describe()
    };
    let mut parts = vec![head, stats, fence, t.values];
    if stop == Stop::Budget {
        v.advise(AdvisoryCode::LowPower);
        parts.push(format!(
            "advisory: undecided after the round budget ({} rounds; MDE95 {}, half the gate {})",
            rounds,
            t.mde.map_or_else(|| "—".to_string(), plain_pct),
            plain_pct(b)
        ));
    }
    v.reason = join_notes(parts.join("; "), &t.notes);
}

/// A confidence level 1 − α in words: `95%`, `99.77%`.
fn confidence(alpha: f64) -> String {
    format!("{}%", trim(format!("{:.2}", 100.0 * (1.0 - alpha))))
}

/// §6.1: what low power (MDE95 above the gate) does to a verdict, into `v`, and the clause
/// that says so. Low power is a reason to distrust a pass, never a confident verdict: a
/// regression whose whole interval lies beyond the gate (L > g) stands, and so does an
/// improvement with U < −g. A pass, and a verdict whose interval reaches back inside the gate,
/// become advisory.
pub(crate) fn low_power(
    v: &mut SeriesVerdict,
    (l, u): (f64, f64),
    mde: f64,
    g: f64,
) -> Option<String> {
    let numbers = format!("MDE95 {} > gate {}", plain_pct(mde), plain_pct(g));
    match v.verdict {
        Verdict::Regressed if l > g => None,
        Verdict::Improved if u < -g => None,
        Verdict::WithinNoise => {
            v.advise(AdvisoryCode::LowPower);
            Some(format!(
                "advisory pass: these samples could not have seen a regression of the gate's size ({numbers})"
            ))
        }
        _ => {
            v.advise(AdvisoryCode::LowPower);
            Some(format!(
                "advisory: gate not enforceable here: {numbers}, and the interval reaches inside the gate"
            ))
        }
    }
}
