//! The decision stage of `perfgate compare`: two baselines, the history of earlier ones and the
//! gate rules become a [`Comparison`], one [`SeriesVerdict`] per series, and pass or fail.
//!
//! The rules, in order, with their formulas, are `docs/gate.md`; every step here names its
//! section there. This module owns the metric classes, which environment fields each class
//! depends on, the identical-artifact short-circuit, the deterministic and noisy rules, the
//! Benjamini–Hochberg step over the noisy family, acknowledgements, ignores and budgets.
//!
//! It is pure: it never touches the file system or git, never prints, and reads no clock.
//! The statistics come from [`crate::stats`]; the bootstrap is seeded from the series and the
//! two commits, so the same input always gives the same comparison. Finding the baselines,
//! filling the [`History`], deciding whether a rule has expired and printing are the command
//! layer's; rendering is `gate_render`'s.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::git::CommitInfo;
use crate::measure::{Measurement, Unit};
use crate::metric::{Measures, Metric};
use crate::stats;
use crate::store::{Baseline, ProfileRun};
use crate::summary::format_value;

/// The tolerance τ of deterministic metrics: |Δ| ≤ 0.01% is jitter, not change (§4).
pub const TOLERANCE: f64 = 1e-4;
/// The fence of a deterministic series without enough history: 0.2% (rustc-perf's default).
pub const DEFAULT_FENCE_DETERMINISTIC: f64 = 0.002;
/// The fence of a noisy series without enough history: 1% (criterion's noise threshold).
pub const DEFAULT_FENCE_NOISY: f64 = 0.01;
/// How many earlier values of a series the fence is computed over; fewer use the default.
pub const HISTORY_LEN: usize = 30;
/// The fewest samples per side for the noisy test; fewer make the series advisory.
pub const MIN_SAMPLES: usize = 5;
/// The bootstrap resamples B of the noisy interval.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// The confidence level of the noisy interval.
pub const CONFIDENCE: f64 = 0.95;
/// The absolute floor of callgrind counts (§4): a change of at most this many events is
/// code-layout jitter, not change, whatever its relative size.
pub const FLOOR_EVENTS: f64 = 10.0;
/// The relative floor of callgrind counts (§4), as a fraction of the bench's instruction count:
/// a cache event that moved by less than 0.01% of the instructions executed is within noise.
pub const FLOOR_FRACTION: f64 = 1e-4;

/// The outcome for one series, declared in order of severity (the comparison is sorted by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Worse by more than the gate (and, for noisy metrics, significant and beyond the fence).
    Regressed,
    /// Better by more than the gate.
    Improved,
    /// Inside the gate, not significant, or below the fence.
    WithinNoise,
    /// The same artifact on both sides: nothing to compare.
    Unchanged,
    /// Measured in environments that differ in a field the metric depends on.
    Incomparable,
    /// Only in the head.
    New,
    /// Only in the base.
    Missing,
}

impl Verdict {
    /// Every verdict, in order of severity.
    pub const ALL: [Verdict; 7] = [
        Verdict::Regressed,
        Verdict::Improved,
        Verdict::WithinNoise,
        Verdict::Unchanged,
        Verdict::Incomparable,
        Verdict::New,
        Verdict::Missing,
    ];

    /// The verdict's name as serialised: `regressed`, `within-noise`...
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::WithinNoise => "within-noise",
            Verdict::Unchanged => "unchanged",
            Verdict::Incomparable => "incomparable",
            Verdict::New => "new",
            Verdict::Missing => "missing",
        }
    }
}

/// What a series is: the target's profile × bench × metric (the target is the comparison's).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SeriesKey {
    /// The profile name (`release`, `pgo`...).
    pub profile: String,
    /// The bench id.
    pub bench: String,
    /// The metric.
    pub metric: Metric,
}

impl SeriesKey {
    /// The key of measurement `m` under `profile`.
    pub fn of(profile: &str, m: &Measurement) -> SeriesKey {
        SeriesKey {
            profile: profile.to_string(),
            bench: m.bench.clone(),
            metric: m.metric.clone(),
        }
    }
}

pub use crate::metric::MetricClass;

/// The class of a metric (`docs/gate.md` §2): [`Metric::class`].
pub fn metric_class(metric: &Metric) -> MetricClass {
    metric.class()
}

/// The class a comparison judges a metric by: [`metric_class`], except that a callgrind event
/// named in `[gate.metrics]` is gated as a deterministic count (§2).
pub fn class_under(metric: &Metric, rules: &GateRules) -> MetricClass {
    if metric.is_callgrind_event() && rules.per_metric.contains_key(metric.as_str()) {
        MetricClass::Deterministic
    } else {
        metric_class(metric)
    }
}

/// The verdict of one series, with every number that decided it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesVerdict {
    /// The series.
    pub key: SeriesKey,
    /// How its metric is judged.
    pub class: MetricClass,
    /// The outcome.
    pub verdict: Verdict,
    /// One line with every number used.
    pub reason: String,
    /// The unit of `base` and `head`.
    pub unit: Unit,
    /// The base's stored value.
    pub base: Option<f64>,
    /// The head's stored value.
    pub head: Option<f64>,
    /// The change Δ, positive when worse (a fraction: 0.12 is +12%). For noisy metrics the
    /// Hodges–Lehmann shift Δ̂ of the samples.
    pub change: Option<f64>,
    /// The bootstrap interval [L, U] of a noisy change, worse-positive like `change`.
    pub interval: Option<(f64, f64)>,
    /// The Mann–Whitney U p-value of a noisy series.
    pub p_value: Option<f64>,
    /// Its Benjamini–Hochberg q-value over the noisy family.
    pub q_value: Option<f64>,
    /// The noise fence F_s used (a fraction).
    pub fence: Option<f64>,
    /// A real change (beyond the fence, and significant if noisy), whatever the gate says.
    pub notable: bool,
    /// The verdict is shown but never fails the gate.
    pub advisory: bool,
    /// The reason of the acknowledgement that keeps this regression from failing the gate.
    pub acknowledged: Option<String>,
    /// An ignore entry drops this series from the gate.
    pub ignored: bool,
    /// A pass of a noisy series whose samples could not have seen a regression of the gate's
    /// size (MDE95 > gate, §6.1): advisory, and said so in the verdict line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub low_power: bool,
}

impl SeriesVerdict {
    /// Whether this series fails the gate: regressed, not advisory, not acknowledged, not
    /// ignored.
    pub fn fails_gate(&self) -> bool {
        self.verdict == Verdict::Regressed
            && !self.advisory
            && self.acknowledged.is_none()
            && !self.ignored
    }
}

/// The values of earlier baselines, per series, oldest first. The command layer fills it from
/// the base's first-parent history, within one environment; the last [`HISTORY_LEN`] values of
/// a series give its noise fence.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Series → its values, oldest first.
    pub values: BTreeMap<SeriesKey, Vec<f64>>,
}

/// An `[[ignore]]` or `[[acknowledge]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// A bench glob: `*` matches any run of characters.
    pub bench: String,
    /// The metric (a glob too); every metric if `None`.
    pub metric: Option<String>,
    /// The profile (a glob too); every profile if `None`.
    pub profile: Option<String>,
    /// Why; shown with the series.
    pub reason: String,
    /// A commit sha (prefix) from which on the rule no longer applies.
    pub until: Option<String>,
    /// Whether `until` has been reached (the command layer decides); an expired rule applies
    /// to nothing and is mentioned where it would have.
    pub expired: bool,
}

impl Rule {
    /// Whether the rule names this series (expired or not).
    pub fn matches(&self, key: &SeriesKey) -> bool {
        glob_match(&self.bench, &key.bench)
            && self
                .metric
                .as_deref()
                .is_none_or(|m| glob_match(m, key.metric.as_str()))
            && self
                .profile
                .as_deref()
                .is_none_or(|p| glob_match(p, &key.profile))
    }
}

/// An absolute limit on one series of the head.
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// The bench id (exact).
    pub bench: String,
    /// The metric.
    pub metric: String,
    /// The profile; every profile of the head that has the series if `None`.
    pub profile: Option<String>,
    /// The largest value allowed, in the metric's unit.
    pub max: f64,
}

/// What the gate applies: thresholds, the false discovery rate, and the entries of
/// perfgate.toml.
#[derive(Clone, Debug, PartialEq)]
pub struct GateRules {
    /// The gate g in percent (10 by default).
    pub threshold_pct: f64,
    /// Metric name → gate in percent, overriding `threshold_pct`.
    pub per_metric: BTreeMap<String, f64>,
    /// Bench glob → gate in percent, overriding both (the most specific glob wins).
    pub per_bench: BTreeMap<String, f64>,
    /// Series dropped from the gate.
    pub ignore: Vec<Rule>,
    /// Regressions accepted (still shown as regressed).
    pub acknowledge: Vec<Rule>,
    /// Absolute limits on the head.
    pub budgets: Vec<Budget>,
    /// The false discovery rate α of the noisy family (0.05 by default).
    pub alpha: f64,
    /// Environment fields whose difference the commits themselves explain (a `Cargo.lock`
    /// changed in base..head): field name as in `Fingerprint::differences` → why. Such a
    /// difference does not make a pair incomparable; the reason carries the why.
    pub explained: BTreeMap<String, String>,
}

impl Default for GateRules {
    /// A 10% gate, α = 0.05, no overrides or entries.
    fn default() -> Self {
        GateRules {
            threshold_pct: 10.0,
            per_metric: BTreeMap::new(),
            per_bench: BTreeMap::new(),
            ignore: Vec::new(),
            acknowledge: Vec::new(),
            budgets: Vec::new(),
            alpha: 0.05,
            explained: BTreeMap::new(),
        }
    }
}

/// One budget checked against the head.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetResult {
    /// The bench id.
    pub bench: String,
    /// The metric.
    pub metric: String,
    /// The profile checked (`*` when the head has the series under no profile).
    pub profile: String,
    /// The limit.
    pub max: f64,
    /// The head's value, if the head has the series.
    pub value: Option<f64>,
    /// Its unit.
    pub unit: Option<Unit>,
    /// value ≤ max (false when the series is absent).
    pub ok: bool,
}

/// Two baselines compared: one verdict per series, budgets, and the environment differences.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The base commit.
    pub base: CommitInfo,
    /// The head commit.
    pub head: CommitInfo,
    /// The target both baselines measure.
    pub target: String,
    /// Every environment difference: (field, base value, head value). Fingerprint fields by
    /// their stored name, then `mode`, then `profiles.<name>.settings.<key>` and
    /// `profiles.<name>.pgo.training`.
    pub environment: Vec<(String, String, String)>,
    /// Every series, sorted by severity, then key.
    pub series: Vec<SeriesVerdict>,
    /// Every budget, in the order given.
    pub budgets: Vec<BudgetResult>,
    /// What besides a regression decides the outcome (`--strict`, `--fail-on-missing`).
    pub policy: ExitPolicy,
}

impl Comparison {
    /// Whether the gate fails: a regression that is not advisory, acknowledged or ignored, a
    /// broken budget, or (under `--fail-on-missing`) a missing series that is not ignored.
    pub fn failed(&self) -> bool {
        self.series.iter().any(SeriesVerdict::fails_gate)
            || self.budgets.iter().any(|b| !b.ok)
            || self.failing_missing() > 0
    }

    /// How many missing series fail the gate: those not ignored, under `--fail-on-missing`.
    pub fn failing_missing(&self) -> usize {
        if !self.policy.fail_on_missing {
            return 0;
        }
        self.series
            .iter()
            .filter(|s| s.verdict == Verdict::Missing && !s.ignored)
            .count()
    }

    /// How many series have this verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.series.iter().filter(|s| s.verdict == verdict).count()
    }

    /// The regressions that fail the gate (see [`SeriesVerdict::fails_gate`]).
    pub fn regressions(&self) -> impl Iterator<Item = &SeriesVerdict> {
        self.series.iter().filter(|s| s.fails_gate())
    }

    /// The outcome under its policy (§11): a failed gate ([`Comparison::failed`]); otherwise,
    /// under `--strict`, an incomparable series gives its own outcome; otherwise a pass.
    pub fn outcome(&self) -> Outcome {
        if self.failed() {
            Outcome::Regression
        } else if self.policy.strict && self.count(Verdict::Incomparable) > 0 {
            Outcome::Incomparable
        } else {
            Outcome::Pass
        }
    }

    /// Records the confirmation passes of a noisy regression (§12.1): `regressed_in` of
    /// `passes` passes regressed. A confirmed regression keeps its verdict; an unconfirmed one
    /// becomes `within-noise`. The reason says which.
    pub fn confirm(&mut self, key: &SeriesKey, regressed_in: usize, passes: usize) {
        let Some(v) = self.series.iter_mut().find(|s| &s.key == key) else {
            return;
        };
        if confirmed(regressed_in, passes) {
            v.reason = format!("{}; confirmed {regressed_in}/{passes}", v.reason);
        } else {
            v.verdict = Verdict::WithinNoise;
            v.acknowledged = None;
            v.reason = format!(
                "{}; regressed in {regressed_in}/{passes} passes only, not confirmed",
                v.reason
            );
        }
        self.sort();
    }

    /// Records the determinism check of a deterministic regression (§4): the head measured
    /// once more gave `again`. A second value that differs from the first by more than the
    /// tolerance makes the verdict advisory: the measurement is not deterministic.
    pub fn reproduce(&mut self, key: &SeriesKey, again: f64) {
        let Some(v) = self.series.iter_mut().find(|s| &s.key == key) else {
            return;
        };
        let Some(first) = v.head else {
            return;
        };
        let moved = if first == 0.0 {
            again != 0.0
        } else {
            ((again - first) / first).abs() > TOLERANCE
        };
        if moved {
            v.advisory = true;
            v.reason = format!(
                "{}; advisory: nondeterministic measurement, the head measured again gave {} (first {})",
                v.reason,
                number(again),
                number(first)
            );
        } else {
            v.reason = format!(
                "{}; reproduced by a second measurement of the head",
                v.reason
            );
        }
    }

    /// Sorts the series by severity, then key (§9).
    fn sort(&mut self) {
        self.series
            .sort_by(|a, b| (a.verdict, &a.key).cmp(&(b.verdict, &b.key)));
    }
}

/// Whether a regression is confirmed: it regressed in more than half of the passes (2 of 3,
/// §12.1).
pub fn confirmed(regressed_in: usize, passes: usize) -> bool {
    regressed_in * 2 > passes
}

/// Which outcomes other than a regression change the exit code (§11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExitPolicy {
    /// `--strict`: an incomparable series gives [`Outcome::Incomparable`].
    pub strict: bool,
    /// `--fail-on-missing`: a series of the base missing from the head fails the gate.
    pub fail_on_missing: bool,
}

/// What a comparison ends in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing fails the gate.
    Pass,
    /// A regression (or a broken budget, or a missing series under `--fail-on-missing`).
    Regression,
    /// Nothing fails, but a series is incomparable and `--strict` was given.
    Incomparable,
}

/// Compares `head` against `base` (`docs/gate.md` §3). `history` sharpens the noise fences;
/// `rules` holds the gate, overrides, entries and budgets.
///
/// Errors only for baselines of different targets, with a message for the user.
pub fn compare(
    base: &Baseline,
    head: &Baseline,
    history: &History,
    rules: &GateRules,
) -> Result<Comparison, String> {
    if base.target != head.target {
        return Err(format!(
            "the base measures `{}` and the head `{}`; compare baselines of one target",
            base.target, head.target
        ));
    }
    let environment = environment(base, head);
    let base_series = series_of(base);
    let head_series = series_of(head);
    let keys: BTreeSet<&SeriesKey> = base_series.keys().chain(head_series.keys()).collect();

    let mut series = Vec::with_capacity(keys.len());
    let mut tested = Vec::new();
    for key in keys {
        let verdict = match (base_series.get(key), head_series.get(key)) {
            (Some(b), Some(h)) => {
                let differences = profile_differences(&environment, &key.profile);
                let context = Context {
                    base,
                    head,
                    base_series: &base_series,
                    history,
                    rules,
                };
                match judge(key, b, h, &differences, &context) {
                    Judged::Done(v) => v,
                    Judged::Tested(t) => {
                        tested.push((series.len(), t));
                        placeholder(key, b.m, h.m)
                    }
                }
            }
            (None, Some(h)) => one_sided(key, h.m, Verdict::New, base),
            (Some(b), None) => one_sided(key, b.m, Verdict::Missing, head),
            // Every key comes from one side or the other.
            (None, None) => continue,
        };
        series.push(verdict);
    }

    // §7: Benjamini–Hochberg over the tested noisy series, then their verdicts.
    let p_values: Vec<f64> = tested.iter().map(|(_, t)| t.p).collect();
    let q_values = stats::benjamini_hochberg(&p_values);
    for ((index, test), q) in tested.into_iter().zip(q_values) {
        let verdict = &mut series[index];
        finish_noisy(verdict, test, q, rules.alpha);
    }

    for verdict in &mut series {
        apply_entries(verdict, rules);
    }
    let mut comparison = Comparison {
        base: base.commit.clone(),
        head: head.commit.clone(),
        target: base.target.clone(),
        environment,
        series,
        budgets: check_budgets(head, &rules.budgets),
        policy: ExitPolicy::default(),
    };
    comparison.sort();
    Ok(comparison)
}

/// Whether `text` matches `pattern`, in which `*` matches any run of characters (none
/// included, `/` included) and every other character itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen, and the text position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            // Let the last `*` swallow one more character and retry.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Which metrics a difference in this environment field makes incomparable, in words (for the
/// renderings; `docs/gate.md` §3.1).
pub fn field_scope(field: &str) -> &'static str {
    match field {
        f if RECORDED_ONLY.contains(&f) => "none (recorded only)",
        f if CPU.contains(&f) => "instructions, callgrind, wall time, start-up, build time",
        f if VALGRIND.contains(&f) => "instructions, callgrind",
        "glibc" => "instructions, callgrind, allocations, wall time, start-up",
        _ => "every metric",
    }
}

// ---------------------------------------------------------------------------------------------
// Series and environment.

/// One side of a series: its measurement and the samples the noisy rule tests.
struct Side<'a> {
    m: &'a Measurement,
    samples: Vec<f64>,
}

/// Every series of a baseline. A throughput measurement without samples gets samples derived
/// from its bench's `wall_time_ns` samples: t_i = throughput · wall / w_i (§6).
fn series_of(baseline: &Baseline) -> BTreeMap<SeriesKey, Side<'_>> {
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

fn derived_throughput(m: &Measurement, run: &ProfileRun) -> Vec<f64> {
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

/// Fields recorded in the fingerprint that decide nothing (`docs/gate.md` §3.1).
const RECORDED_ONLY: [&str; 4] = ["kernel", "cores", "perfgate_version", "mode"];
/// The CPU fields.
const CPU: [&str; 4] = [
    "cpu_vendor",
    "cpu_model",
    "cpu_family_model_stepping",
    "cpu_flags_sha256",
];
/// The callgrind tool fields.
const VALGRIND: [&str; 2] = ["valgrind", "iai_callgrind_runner"];

/// Whether a difference in `field` makes `metric` incomparable (`docs/gate.md` §3.1). Fields
/// not named in the table (the toolchain, the lock file, `RUSTFLAGS`, the profile's settings,
/// and any field added later) count for every metric.
fn depends_on(metric: &Metric, field: &str) -> bool {
    let what = metric.measures();
    if RECORDED_ONLY.contains(&field) {
        false
    } else if CPU.contains(&field) {
        what != Measures::Allocations && what != Measures::Size
    } else if VALGRIND.contains(&field) {
        matches!(what, Measures::Instructions | Measures::Other)
    } else if field == "glibc" {
        matches!(
            what,
            Measures::Instructions | Measures::Allocations | Measures::Time | Measures::Other
        )
    } else {
        true
    }
}

/// Every environment difference: fingerprint fields, the mode, then each common profile's
/// settings and PGO training command.
fn environment(base: &Baseline, head: &Baseline) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = base
        .fingerprint
        .differences(&head.fingerprint)
        .into_iter()
        .map(|(field, a, b)| (field.to_string(), a, b))
        .collect();
    if base.mode != head.mode {
        out.push(("mode".to_string(), base.mode.clone(), head.mode.clone()));
    }
    let none = || "none".to_string();
    for (profile, b) in &base.profiles {
        let Some(h) = head.profiles.get(profile) else {
            continue;
        };
        let keys: BTreeSet<&String> = b.settings.keys().chain(h.settings.keys()).collect();
        for key in keys {
            let (bv, hv) = (b.settings.get(key), h.settings.get(key));
            if bv != hv {
                out.push((
                    format!("profiles.{profile}.settings.{key}"),
                    bv.cloned().unwrap_or_else(none),
                    hv.cloned().unwrap_or_else(none),
                ));
            }
        }
        let training = |r: &ProfileRun| r.pgo.as_ref().map(|p| p.training.clone());
        if training(b) != training(h) {
            out.push((
                format!("profiles.{profile}.pgo.training"),
                training(b).unwrap_or_else(none),
                training(h).unwrap_or_else(none),
            ));
        }
    }
    out
}

/// The differences that concern one profile's series: the global ones, and that profile's own
/// (renamed to `settings.<key>` and `pgo.training`).
fn profile_differences(
    environment: &[(String, String, String)],
    profile: &str,
) -> Vec<(String, String, String)> {
    let prefix = format!("profiles.{profile}.");
    environment
        .iter()
        .filter_map(|(field, a, b)| {
            if let Some(own) = field.strip_prefix(&prefix) {
                Some((own.to_string(), a.clone(), b.clone()))
            } else if field.starts_with("profiles.") {
                None
            } else {
                Some((field.clone(), a.clone(), b.clone()))
            }
        })
        .collect()
}

/// A value for a reason: hashes shortened to 12 digits.
fn short_value(value: &str) -> String {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}…", &value[..12])
    } else {
        value.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Judging one series.

/// A series judged at once, or a noisy series waiting for its q-value.
enum Judged {
    Done(SeriesVerdict),
    Tested(Tested),
}

/// The numbers of a tested noisy series, before Benjamini–Hochberg.
struct Tested {
    shift: f64,
    interval: (f64, f64),
    p: f64,
    n: (usize, usize),
    fence: Fence,
    gate: f64,
    /// The minimal detectable shift at 95% power of the samples (§6.1).
    mde: Option<f64>,
    values: String,
    notes: Vec<String>,
}

/// A noise fence and where it came from.
#[derive(Clone, Copy)]
struct Fence {
    value: f64,
    /// How many baselines it was computed over; `None` for the default.
    baselines: Option<usize>,
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
fn fence_of(key: &SeriesKey, history: &History, default: f64) -> Fence {
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

/// The gate g of a series as a fraction (§5): the most specific bench glob, else the metric's,
/// else the default.
fn gate_of(key: &SeriesKey, rules: &GateRules) -> f64 {
    let specificity = |glob: &str| glob.chars().filter(|&c| c != '*').count();
    let mut best: Option<(&String, f64)> = None;
    for (glob, &pct) in &rules.per_bench {
        if glob_match(glob, &key.bench)
            && best.is_none_or(|(b, _)| specificity(glob) > specificity(b))
        {
            best = Some((glob, pct));
        }
    }
    let pct = match best {
        Some((_, pct)) => pct,
        None => rules
            .per_metric
            .get(key.metric.as_str())
            .copied()
            .unwrap_or(rules.threshold_pct),
    };
    pct / 100.0
}

/// The sign s: +1 when lower is better, −1 otherwise (§1).
fn sign(m: &Measurement) -> f64 {
    if m.lower_is_better { 1.0 } else { -1.0 }
}

/// The bytes the bootstrap seed is made of (§6): the series key, then both shas, each ended by
/// a zero byte so that no two inputs run together.
fn seed_bytes(key: &SeriesKey, base_sha: &str, head_sha: &str) -> Vec<u8> {
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
struct Context<'a> {
    base: &'a Baseline,
    head: &'a Baseline,
    /// The base's series, for a bench's instruction count (the floor of §4).
    base_series: &'a BTreeMap<SeriesKey, Side<'a>>,
    history: &'a History,
    rules: &'a GateRules,
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
fn judge(
    key: &SeriesKey,
    b: &Side<'_>,
    h: &Side<'_>,
    differences: &[(String, String, String)],
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
    for (field, a, z) in differences {
        if !depends_on(&key.metric, field) {
            continue;
        }
        match rules.explained.get(field) {
            Some(why) => {
                let note = format!("({why})");
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            None => incomparable.push(format!("{field} {} → {}", short_value(a), short_value(z))),
        }
    }
    if !incomparable.is_empty() {
        v.verdict = Verdict::Incomparable;
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
            v.advisory = true;
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
                }),
                None => {
                    point_rule(&mut v, b.m, h.m, gate, Some(fence));
                    v.advisory = true;
                    let why = if n.0 >= MIN_SAMPLES && n.1 >= MIN_SAMPLES {
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
fn noisy_test(
    key: &SeriesKey,
    b: &Side<'_>,
    h: &Side<'_>,
    base: &Baseline,
    head: &Baseline,
) -> Option<(f64, (f64, f64), f64)> {
    let s = sign(h.m);
    let hl = stats::hodges_lehmann_log_shift(&b.samples, &h.samples)?;
    let seed = stats::seed_from(&seed_bytes(key, &base.commit.sha, &head.commit.sha));
    let (lo, hi) = stats::bootstrap_relative_shift(
        &b.samples,
        &h.samples,
        BOOTSTRAP_RESAMPLES,
        seed,
        CONFIDENCE,
    )?;
    let test = stats::mann_whitney_u(&b.samples, &h.samples)?;
    let shift = s * hl.exp_m1();
    let interval = if s > 0.0 { (lo, hi) } else { (-hi, -lo) };
    let finite = shift.is_finite()
        && interval.0.is_finite()
        && interval.1.is_finite()
        && test.p_value.is_finite();
    finite.then_some((shift, interval, test.p_value))
}

/// A verdict with its key, class, values and unit, and nothing decided yet.
fn placeholder(key: &SeriesKey, b: &Measurement, h: &Measurement) -> SeriesVerdict {
    SeriesVerdict {
        key: key.clone(),
        class: metric_class(&key.metric),
        verdict: Verdict::WithinNoise,
        reason: String::new(),
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
        acknowledged: None,
        ignored: false,
        low_power: false,
    }
}

/// `new` or `missing`: the series of `m` is absent from `other`.
fn one_sided(
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
        acknowledged: None,
        ignored: false,
        low_power: false,
    }
}

/// Δ = s·(head − base)/base; `None` for a zero or non-finite base.
fn relative_change(b: &Measurement, h: &Measurement) -> Option<f64> {
    crate::summary::relative_change(h.value, b.value, h.lower_is_better)
}

/// What a deterministic change is held against (§4).
#[derive(Clone, Copy)]
struct Limits {
    fence: Fence,
    gate: f64,
    /// The absolute floor of a callgrind count; `None` for other metrics.
    floor: Option<f64>,
}

/// The deterministic rule (§4), into `v`.
fn deterministic(v: &mut SeriesVerdict, b: &Measurement, h: &Measurement, limits: Limits) {
    let Limits { fence, gate, floor } = limits;
    v.fence = Some(fence.value);
    let values = values(b, h);
    let moved = (h.value - b.value).abs();
    let beyond_tolerance = relative_change(b, h).is_none_or(|d| d.abs() > TOLERANCE);
    if let Some(floor) = floor.filter(|&floor| moved <= floor && moved > 0.0 && beyond_tolerance) {
        v.change = relative_change(b, h);
        v.verdict = Verdict::WithinNoise;
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
            clauses.push(format!("0% ≤ tolerance {}", plain_pct(TOLERANCE)));
        } else {
            let worse = sign(h) * h.value > 0.0;
            v.verdict = if worse {
                Verdict::Regressed
            } else {
                Verdict::Improved
            };
            v.notable = true;
            clauses.push("from zero".to_string());
        }
        clauses.push(values);
        v.reason = clauses.join("; ");
        return;
    }
    let Some(d) = relative_change(b, h) else {
        v.verdict = Verdict::WithinNoise;
        v.advisory = true;
        v.reason = format!("no change can be computed; {values}");
        return;
    };
    v.change = Some(d);
    v.notable = d.abs() > fence.value.max(TOLERANCE);
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
        v.advisory = true;
        clauses.push(format!(
            "advisory: unstable, {} ≥ half the gate",
            fence.describe()
        ));
    }
    v.reason = clauses.join("; ");
}

/// A whole count with its sign, as the floor's reason writes a change: `-3`, `+12`.
fn format_count(count: f64) -> String {
    format!("{count:+.0}")
}

/// Δ of the stored values against the gate, no test (§6 with too few samples, §8): with a
/// fence, the change must also exceed it.
fn point_rule(
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
        v.reason = format!("no change can be computed (zero base); {values}");
        return;
    };
    v.change = Some(d);
    let beyond = fence.is_none_or(|f| d.abs() > f.value);
    let mut clauses = Vec::new();
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

/// The noisy verdict (§6) once q is known.
fn finish_noisy(v: &mut SeriesVerdict, t: Tested, q: f64, alpha: f64) {
    let (l, u) = t.interval;
    let (f, g) = (t.fence.value, t.gate);
    let significant = q < alpha;
    v.change = Some(t.shift);
    v.interval = Some(t.interval);
    v.p_value = Some(t.p);
    v.q_value = Some(q);
    v.fence = Some(f);
    v.notable = (l > f || u < -f) && significant;
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
    let mut parts = vec![head, stats, t.fence.describe(), t.values];
    if let Some(mde) = t.mde.filter(|&mde| mde > g) {
        parts.extend(low_power(v, (l, u), mde, g));
    }
    v.reason = join_notes(parts.join("; "), &t.notes);
}

/// §6.1: what low power (MDE95 above the gate) does to a verdict, into `v`, and the clause
/// that says so. Low power is a reason to distrust a pass, never a confident verdict: a
/// regression whose whole interval lies beyond the gate (L > g) stands, and so does an
/// improvement with U < −g. A pass, and a verdict whose interval reaches back inside the gate,
/// become advisory.
fn low_power(v: &mut SeriesVerdict, (l, u): (f64, f64), mde: f64, g: f64) -> Option<String> {
    let numbers = format!("MDE95 {} > gate {}", plain_pct(mde), plain_pct(g));
    match v.verdict {
        Verdict::Regressed if l > g => None,
        Verdict::Improved if u < -g => None,
        Verdict::WithinNoise => {
            v.advisory = true;
            v.low_power = true;
            Some(format!(
                "advisory pass: these samples could not have seen a regression of the gate's size ({numbers})"
            ))
        }
        _ => {
            v.advisory = true;
            Some(format!(
                "advisory: gate not enforceable here: {numbers}, and the interval reaches inside the gate"
            ))
        }
    }
}

/// Acknowledgements and ignores (§10), into `v`.
fn apply_entries(v: &mut SeriesVerdict, rules: &GateRules) {
    let mut notes = Vec::new();
    for rule in rules.ignore.iter().filter(|r| r.matches(&v.key)) {
        if rule.expired {
            notes.push(format!("ignore expired{}: {}", until(rule), rule.reason));
        } else if !v.ignored {
            v.ignored = true;
            notes.push(format!("ignored: {}{}", rule.reason, until(rule)));
        }
    }
    if v.verdict == Verdict::Regressed {
        for rule in rules.acknowledge.iter().filter(|r| r.matches(&v.key)) {
            if rule.expired {
                notes.push(format!(
                    "acknowledgement expired{}: {}",
                    until(rule),
                    rule.reason
                ));
            } else if v.acknowledged.is_none() {
                v.acknowledged = Some(rule.reason.clone());
                notes.push(format!("acknowledged: {}{}", rule.reason, until(rule)));
            }
        }
    }
    for note in notes {
        v.reason.push_str("; ");
        v.reason.push_str(&note);
    }
}

fn until(rule: &Rule) -> String {
    rule.until
        .as_deref()
        .map(|u| format!(" (until {u})"))
        .unwrap_or_default()
}

/// Every budget against the head's values (§10.3).
/// Every budget checked on `head`'s stored values, in the order given (§10.3).
pub fn check_budgets(head: &Baseline, budgets: &[Budget]) -> Vec<BudgetResult> {
    let mut out = Vec::new();
    for budget in budgets {
        let find = |run: &'_ ProfileRun| {
            run.measurements
                .iter()
                .find(|m| m.bench == budget.bench && m.metric == budget.metric.as_str())
                .map(|m| (m.value, m.unit))
        };
        let mut checked: Vec<(String, Option<(f64, Unit)>)> = match &budget.profile {
            Some(p) => vec![(p.clone(), head.profiles.get(p).and_then(find))],
            None => head
                .profiles
                .iter()
                .filter_map(|(p, run)| find(run).map(|found| (p.clone(), Some(found))))
                .collect(),
        };
        if checked.is_empty() {
            checked.push(("*".to_string(), None));
        }
        for (profile, found) in checked {
            out.push(BudgetResult {
                bench: budget.bench.clone(),
                metric: budget.metric.clone(),
                profile,
                max: budget.max,
                value: found.map(|(v, _)| v),
                unit: found.map(|(_, u)| u),
                ok: found.is_some_and(|(v, _)| v <= budget.max),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Numbers in reasons.

/// `reason; (note); (note)`.
fn join_notes(reason: String, notes: &[String]) -> String {
    if notes.is_empty() {
        reason
    } else {
        format!("{reason} {}", notes.join(" "))
    }
}

/// A signed change in percent, with as many decimals as its size needs: `+12.0%`, `+0.50%`,
/// `-0.004%`, `0%`.
pub fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 {
        return "0%".to_string();
    }
    let decimals = if p.abs() >= 1.0 {
        1
    } else if p.abs() >= 0.1 {
        2
    } else {
        3
    };
    format!("{p:+.decimals$}%")
}

/// An unsigned percentage without trailing zeros: `10%`, `0.2%`, `0.01%`, `0.312%`.
pub fn plain_pct(x: f64) -> String {
    format!("{}%", trim(format!("{:.3}", x * 100.0)))
}

/// A probability: `4.0e-4` below 0.001, else up to three decimals (`0.31`).
fn number(p: f64) -> String {
    if p != 0.0 && p.abs() < 1e-3 {
        format!("{p:.1e}")
    } else {
        trim(format!("{p:.3}"))
    }
}

fn trim(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `base → head` for a reason: exact integers with a unit word for counted units, short values
/// otherwise.
fn values(b: &Measurement, h: &Measurement) -> String {
    let word = match h.unit {
        Unit::Instructions => Some("instructions"),
        Unit::Events => Some("events"),
        Unit::Bytes => Some("bytes"),
        Unit::Count => Some("count"),
        _ => None,
    };
    let exact = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{v:.0}")
        } else {
            trim(format!("{v:.2}"))
        }
    };
    match word {
        Some(word) => format!("{} → {} {word}", exact(b.value), exact(h.value)),
        None => format!(
            "{} → {}",
            format_value(b.value, b.unit),
            format_value(h.value, h.unit)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::Fingerprint;
    use crate::measure::Interval;

    const BASE_SHA: &str = "1111111111111111111111111111111111111111";
    const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

    fn fingerprint() -> Fingerprint {
        Fingerprint {
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
            rustc_commit_hash: "59807616e1fa2540724bfbac14d7976d7e4a3860".into(),
            llvm_version: "22.1.2".into(),
            host: "x86_64-unknown-linux-gnu".into(),
            cpu_model: "AMD EPYC 9554 64-Core Processor".into(),
            cpu_vendor: "AuthenticAMD".into(),
            cpu_family_model_stepping: "25/17/1".into(),
            cpu_flags_sha256: "ab".repeat(32),
            cores: 4,
            kernel: "6.1.0-41-amd64".into(),
            glibc: Some("2.36".into()),
            valgrind: Some("valgrind-3.19.0".into()),
            iai_callgrind_runner: Some("iai-callgrind-runner v0.16.1".into()),
            perfgate_version: "0.1.0".into(),
            cargo_lock_sha256: Some("cd".repeat(32)),
            rustflags: None,
        }
    }

    fn commit(sha: &str) -> CommitInfo {
        CommitInfo {
            sha: sha.into(),
            parents: Vec::new(),
            subject: format!("commit {}", &sha[..4]),
            time: 1_767_182_400,
            author: "Ada".into(),
        }
    }

    /// A baseline of target `tiny` at `sha` with these measurements under `release`.
    fn baseline(sha: &str, measurements: Vec<Measurement>) -> Baseline {
        let mut measurements = measurements;
        measurements.sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
        Baseline {
            schema_version: 1,
            perfgate_version: "0.1.0".into(),
            commit: commit(sha),
            dirty: false,
            mode: "full".into(),
            created: 1_767_183_012,
            target: "tiny".into(),
            fingerprint: fingerprint(),
            profiles: BTreeMap::from([(
                "release".to_string(),
                ProfileRun {
                    settings: BTreeMap::from([("cargo-profile".into(), "release".into())]),
                    artifacts: Vec::new(),
                    pgo: None,
                    measurements,
                },
            )]),
        }
    }

    fn instr(bench: &str, value: f64) -> Measurement {
        Measurement::exact(bench, "instructions", Unit::Instructions, value)
    }

    fn wall(bench: &str, samples: &[f64]) -> Measurement {
        let value = stats::median(samples).expect("samples");
        Measurement::sampled(
            bench,
            "wall_time_ns",
            Unit::Nanoseconds,
            value,
            samples.to_vec(),
        )
    }

    fn scaled(samples: &[f64], factor: f64) -> Vec<f64> {
        samples.iter().map(|s| s * factor).collect()
    }

    /// Ten wall-time samples around 1000 ns with about 1% spread.
    const NOISE: [f64; 10] = [
        1003.0, 998.0, 1010.0, 995.0, 1001.0, 1007.0, 992.0, 1005.0, 999.0, 1012.0,
    ];

    fn compare_default(base: &Baseline, head: &Baseline) -> Comparison {
        compare(base, head, &History::default(), &GateRules::default()).expect("one target")
    }

    #[track_caller]
    fn series<'c>(c: &'c Comparison, bench: &str, metric: &str) -> &'c SeriesVerdict {
        c.series
            .iter()
            .find(|s| s.key.bench == bench && s.key.metric == metric)
            .unwrap_or_else(|| panic!("no series {bench} {metric} in {:#?}", c.series))
    }

    fn key(bench: &str, metric: &str) -> SeriesKey {
        SeriesKey {
            profile: "release".into(),
            bench: bench.into(),
            metric: metric.into(),
        }
    }

    #[test]
    fn a_callgrind_event_is_gated_where_gate_metrics_names_it() {
        for name in [
            "callgrind_estimated_cycles",
            "callgrind_d1mw",
            "callgrind_dlmw",
        ] {
            let m = Metric::parse(name);
            let rules = GateRules {
                per_metric: BTreeMap::from([(name.to_string(), 5.0)]),
                ..GateRules::default()
            };
            assert_eq!(class_under(&m, &rules), MetricClass::Deterministic, "{m}");
            assert_eq!(
                class_under(&m, &GateRules::default()),
                MetricClass::Informational
            );
        }
        // Naming a metric that is not a callgrind event changes nothing.
        let rules = GateRules {
            per_metric: BTreeMap::from([("startup_p99_ns".to_string(), 5.0)]),
            ..GateRules::default()
        };
        assert_eq!(
            class_under(&Metric::StartupP99, &rules),
            MetricClass::Informational
        );
    }

    #[test]
    fn every_verdict_is_reachable() {
        let base = baseline(
            BASE_SHA,
            vec![
                instr("up", 1000.0),
                instr("down", 1000.0),
                instr("same", 1000.0),
                instr("gone", 1000.0),
                instr("hashed", 1000.0).with_artifact(Some("a".repeat(64))),
                Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 5000.0),
            ],
        );
        let mut head = baseline(
            HEAD_SHA,
            vec![
                instr("up", 1200.0),
                instr("down", 800.0),
                instr("same", 1000.0),
                instr("fresh", 1000.0),
                instr("hashed", 1000.5).with_artifact(Some("a".repeat(64))),
                Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 9000.0),
            ],
        );
        head.fingerprint.valgrind = Some("valgrind-3.22.0".into());
        let c = compare_default(&base, &head);
        let verdicts: Vec<(&str, &str, Verdict)> = c
            .series
            .iter()
            .map(|s| (s.key.bench.as_str(), s.key.metric.as_str(), s.verdict))
            .collect();
        // Valgrind changed: instructions are incomparable, the size is not.
        assert_eq!(
            verdicts,
            [
                ("binary/x", "binary_size_bytes", Verdict::Regressed),
                ("down", "instructions", Verdict::Incomparable),
                ("hashed", "instructions", Verdict::Incomparable),
                ("same", "instructions", Verdict::Incomparable),
                ("up", "instructions", Verdict::Incomparable),
                ("fresh", "instructions", Verdict::New),
                ("gone", "instructions", Verdict::Missing),
            ]
        );
        assert_eq!(
            series(&c, "up", "instructions").reason,
            "incomparable: valgrind valgrind-3.19.0 → valgrind-3.22.0"
        );
        assert_eq!(series(&c, "fresh", "instructions").reason, "not in base");
        assert_eq!(
            series(&c, "gone", "instructions").reason,
            "not in head (renamed? a rename is a migration)"
        );

        let incomparable = c.count(Verdict::Incomparable);
        head.fingerprint.valgrind = base.fingerprint.valgrind.clone();
        let c = compare_default(&base, &head);
        let verdict = |bench| series(&c, bench, "instructions").verdict;
        assert_eq!(verdict("up"), Verdict::Regressed);
        assert_eq!(verdict("down"), Verdict::Improved);
        assert_eq!(verdict("same"), Verdict::WithinNoise);
        assert_eq!(verdict("hashed"), Verdict::Unchanged);
        for v in Verdict::ALL {
            let reached = c.count(v)
                + if v == Verdict::Incomparable {
                    incomparable
                } else {
                    0
                };
            assert!(reached > 0, "{v:?} reached");
        }
        assert_eq!(
            series(&c, "up", "instructions").reason,
            "+20.0% > gate 10%; fence 0.2% (default); 1000 → 1200 instructions"
        );
        assert!(c.failed());
        assert_eq!(c.regressions().count(), 2, "up and the binary size");
    }

    #[test]
    fn the_comparison_is_sorted_by_severity_then_key() {
        let base = baseline(
            BASE_SHA,
            vec![instr("b", 100.0), instr("a", 100.0), instr("c", 100.0)],
        );
        let head = baseline(
            HEAD_SHA,
            vec![instr("b", 100.0), instr("a", 100.0), instr("c", 150.0)],
        );
        let c = compare_default(&base, &head);
        let order: Vec<&str> = c.series.iter().map(|s| s.key.bench.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
    }

    #[test]
    fn different_targets_are_an_error() {
        let base = baseline(BASE_SHA, vec![]);
        let mut head = baseline(HEAD_SHA, vec![]);
        head.target = "other".into();
        let err = compare(&base, &head, &History::default(), &GateRules::default())
            .expect_err("two targets");
        assert_eq!(
            err,
            "the base measures `tiny` and the head `other`; compare baselines of one target"
        );
    }

    #[test]
    fn tolerance_absorbs_instruction_jitter() {
        let base = baseline(BASE_SHA, vec![instr("x", 1_000_000.0)]);
        let head = baseline(HEAD_SHA, vec![instr("x", 1_000_040.0)]);
        let c = compare_default(&base, &head);
        let s = series(&c, "x", "instructions");
        assert_eq!(s.verdict, Verdict::WithinNoise);
        assert!(!s.notable);
        assert_eq!(
            s.reason,
            "+0.004% ≤ tolerance 0.01%; 1000000 → 1000040 instructions"
        );
    }

    #[test]
    fn a_change_above_the_fence_is_notable_within_noise() {
        let base = baseline(BASE_SHA, vec![instr("x", 1_000_000.0)]);
        let head = baseline(HEAD_SHA, vec![instr("x", 1_005_000.0)]);
        let c = compare_default(&base, &head);
        let s = series(&c, "x", "instructions");
        assert_eq!(s.verdict, Verdict::WithinNoise);
        assert!(s.notable);
        assert_eq!(s.fence, Some(0.002));
        assert_eq!(
            s.reason,
            "+0.50%, notable (fence 0.2% (default)), below gate 10%; 1000000 → 1005000 instructions"
        );

        // Thirty baselines that moved by up to 1% make 0.5% ordinary.
        let noisy_history: Vec<f64> = (0..30)
            .map(|i| 1_000_000.0 * (1.0 + 0.01 * f64::from(i % 3)))
            .collect();
        let history = History {
            values: BTreeMap::from([(key("x", "instructions"), noisy_history)]),
        };
        let c = compare(&base, &head, &history, &GateRules::default()).expect("compared");
        let s = series(&c, "x", "instructions");
        assert_eq!(s.verdict, Verdict::WithinNoise);
        assert!(!s.notable, "{s:?}");
        assert!(s.fence.expect("a fence") > 0.005, "{s:?}");
        assert!(s.reason.contains("(30 baselines)"), "{}", s.reason);

        // Fewer than 30 baselines: the default fence.
        let short = History {
            values: BTreeMap::from([(key("x", "instructions"), vec![1e6; 29])]),
        };
        let c = compare(&base, &head, &short, &GateRules::default()).expect("compared");
        assert_eq!(series(&c, "x", "instructions").fence, Some(0.002));
    }

    #[test]
    fn an_unstable_series_is_advisory() {
        // Consecutive changes of 0 and about 10%: the fence is far above half the gate.
        let history: Vec<f64> = (0..30)
            .map(|i| if i % 4 < 2 { 1000.0 } else { 1100.0 })
            .collect();
        let history = History {
            values: BTreeMap::from([(key("x", "instructions"), history)]),
        };
        let base = baseline(BASE_SHA, vec![instr("x", 1000.0)]);
        let head = baseline(HEAD_SHA, vec![instr("x", 1300.0)]);
        let c = compare(&base, &head, &history, &GateRules::default()).expect("compared");
        let s = series(&c, "x", "instructions");
        assert_eq!(s.verdict, Verdict::Regressed);
        assert!(s.advisory, "{s:?}");
        assert!(s.reason.contains("advisory: unstable"), "{}", s.reason);
        assert!(!c.failed());
    }

    #[test]
    fn from_zero_is_a_regression_without_a_percentage() {
        let m = |v| Measurement::exact("alloc/x", "allocations_count", Unit::Count, v);
        let c = compare_default(
            &baseline(BASE_SHA, vec![m(0.0)]),
            &baseline(HEAD_SHA, vec![m(3.0)]),
        );
        let s = series(&c, "alloc/x", "allocations_count");
        assert_eq!(s.verdict, Verdict::Regressed);
        assert_eq!(s.change, None);
        assert_eq!(s.reason, "from zero; 0 → 3 count");
        let c = compare_default(
            &baseline(BASE_SHA, vec![m(0.0)]),
            &baseline(HEAD_SHA, vec![m(0.0)]),
        );
        assert_eq!(
            series(&c, "alloc/x", "allocations_count").verdict,
            Verdict::WithinNoise
        );
    }

    /// A callgrind event of bench `x`.
    fn event(metric: &str, value: f64) -> Measurement {
        Measurement::exact("x", metric, Unit::Events, value)
    }

    #[test]
    fn callgrind_events_are_shown_but_not_gated() {
        let c = compare_default(
            &baseline(BASE_SHA, vec![event("callgrind_estimated_cycles", 100.0)]),
            &baseline(HEAD_SHA, vec![event("callgrind_estimated_cycles", 150.0)]),
        );
        let s = series(&c, "x", "callgrind_estimated_cycles");
        assert_eq!(s.class, MetricClass::Informational);
        assert_eq!(s.verdict, Verdict::Regressed);
        assert!(s.advisory);
        assert!(
            s.reason.contains("`[gate.metrics]` gates one by name"),
            "{}",
            s.reason
        );
        assert!(!c.failed());
    }

    #[test]
    fn a_cache_miss_from_zero_is_not_a_regression() {
        // The false alarm of a commit that moved code next to an untouched bench: 0 → 1 D1
        // write misses.
        let c = compare_default(
            &baseline(
                BASE_SHA,
                vec![instr("x", 20_000.0), event("callgrind_d1mw", 0.0)],
            ),
            &baseline(
                HEAD_SHA,
                vec![instr("x", 20_000.0), event("callgrind_d1mw", 1.0)],
            ),
        );
        let s = series(&c, "x", "callgrind_d1mw");
        assert_eq!(s.class, MetricClass::Informational);
        assert!(s.advisory && !s.fails_gate(), "{s:?}");
        assert!(!c.failed());
    }

    #[test]
    fn a_gated_cache_event_holds_changes_below_the_floor_within_noise() {
        let rules = GateRules {
            per_metric: BTreeMap::from([("callgrind_d1mw".to_string(), 10.0)]),
            ..GateRules::default()
        };
        let judge = |instructions: f64, base: f64, head: f64| {
            let c = compare(
                &baseline(
                    BASE_SHA,
                    vec![instr("x", instructions), event("callgrind_d1mw", base)],
                ),
                &baseline(
                    HEAD_SHA,
                    vec![instr("x", instructions), event("callgrind_d1mw", head)],
                ),
                &History::default(),
                &rules,
            )
            .expect("one target");
            series(&c, "x", "callgrind_d1mw").clone()
        };
        // Named in [gate.metrics]: judged as a deterministic count.
        let s = judge(1000.0, 0.0, 1.0);
        assert_eq!(s.class, MetricClass::Deterministic);
        assert_eq!(s.verdict, Verdict::WithinNoise, "{s:?}");
        assert_eq!(s.reason, "+1 event(s) ≤ floor +10; 0 → 1 events");
        // Ten events is the floor; eleven from zero is a regression.
        assert_eq!(judge(1000.0, 0.0, 10.0).verdict, Verdict::WithinNoise);
        let s = judge(1000.0, 0.0, 11.0);
        assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
        assert!(s.fails_gate() && s.reason.starts_with("from zero"), "{s:?}");
        // A bench of ten million instructions has a floor of 1,000 events (0.01%): +900 misses
        // over 1,000 are +90% and still within noise; +1,100 fail.
        let s = judge(1e7, 1000.0, 1900.0);
        assert_eq!(s.verdict, Verdict::WithinNoise, "{s:?}");
        assert_eq!(s.change.map(|c| (c * 100.0).round()), Some(90.0));
        assert!(s.reason.contains("≤ floor +1000"), "{}", s.reason);
        assert_eq!(judge(1e7, 1000.0, 2100.0).verdict, Verdict::Regressed);
        // Fewer misses by less than the floor: within noise too, not improved.
        assert_eq!(judge(1e7, 1900.0, 1000.0).verdict, Verdict::WithinNoise);
    }

    #[test]
    fn instructions_have_the_floor_too() {
        let judge = |base: f64, head: f64| {
            let c = compare_default(
                &baseline(BASE_SHA, vec![instr("x", base)]),
                &baseline(HEAD_SHA, vec![instr("x", head)]),
            );
            series(&c, "x", "instructions").clone()
        };
        assert_eq!(
            judge(40.0, 48.0).verdict,
            Verdict::WithinNoise,
            "+20%, 8 events"
        );
        assert_eq!(
            judge(0.0, 5.0).verdict,
            Verdict::WithinNoise,
            "from zero, 5 events"
        );
        assert_eq!(
            judge(40.0, 60.0).verdict,
            Verdict::Regressed,
            "+50%, 20 events"
        );
        // The relative tolerance still governs large counts.
        assert_eq!(judge(1e6, 1.15e6).verdict, Verdict::Regressed);
    }

    #[test]
    fn allocation_counts_have_no_floor() {
        let m = |v| Measurement::exact("alloc/x", "allocations_count", Unit::Count, v);
        let c = compare_default(
            &baseline(BASE_SHA, vec![m(0.0)]),
            &baseline(HEAD_SHA, vec![m(1.0)]),
        );
        let s = series(&c, "alloc/x", "allocations_count");
        assert_eq!(
            s.verdict,
            Verdict::Regressed,
            "one allocation on a path that had none"
        );
    }

    #[test]
    fn informational_metrics_are_advisory() {
        let m = |v| Measurement::exact("startup/x", "startup_p99_ns", Unit::Nanoseconds, v);
        let c = compare_default(
            &baseline(BASE_SHA, vec![m(1e6)]),
            &baseline(HEAD_SHA, vec![m(1.5e6)]),
        );
        let s = series(&c, "startup/x", "startup_p99_ns");
        assert_eq!((s.verdict, s.advisory), (Verdict::Regressed, true));
        assert_eq!(
            s.reason,
            "+50.0% > gate 10%; 1.00 ms → 1.50 ms; informational, not gated"
        );
        assert!(!c.failed());
    }

    #[test]
    fn gates_per_metric_and_per_bench() {
        let base = baseline(
            BASE_SHA,
            vec![
                instr("parse/large/a", 100_000.0),
                instr("parse/small/a", 100_000.0),
                instr("other", 100_000.0),
            ],
        );
        let head = baseline(
            HEAD_SHA,
            vec![
                instr("parse/large/a", 112_000.0),
                instr("parse/small/a", 112_000.0),
                instr("other", 106_000.0),
            ],
        );
        let rules = GateRules {
            per_metric: BTreeMap::from([("instructions".to_string(), 5.0)]),
            per_bench: BTreeMap::from([
                ("parse/*".to_string(), 11.0),
                ("parse/large/*".to_string(), 15.0),
            ]),
            ..GateRules::default()
        };
        let c = compare(&base, &head, &History::default(), &rules).expect("compared");
        // The metric's 5% applies to `other`; `parse/*` (11%) to small; the more specific
        // `parse/large/*` (15%) to large.
        assert_eq!(
            series(&c, "other", "instructions").verdict,
            Verdict::Regressed
        );
        assert_eq!(
            series(&c, "parse/small/a", "instructions").verdict,
            Verdict::Regressed
        );
        assert_eq!(
            series(&c, "parse/large/a", "instructions").verdict,
            Verdict::WithinNoise
        );
        assert!(
            series(&c, "parse/large/a", "instructions")
                .reason
                .contains("gate 15%")
        );
    }

    #[test]
    fn the_identical_artifact_short_circuits_except_build_time() {
        let sha = Some("1a2b3c4d".repeat(8));
        let build = |v| {
            Measurement::sampled("build/tiny", "build_wall_s", Unit::Seconds, v, vec![v])
                .with_artifact(sha.clone())
        };
        let base = baseline(
            BASE_SHA,
            vec![
                wall("w", &NOISE).with_artifact(sha.clone()),
                instr("i", 1000.0).with_artifact(sha.clone()),
                build(4.0),
            ],
        );
        let head = baseline(
            HEAD_SHA,
            vec![
                wall("w", &scaled(&NOISE, 1.5)).with_artifact(sha.clone()),
                instr("i", 1001.0).with_artifact(sha.clone()),
                build(6.0),
            ],
        );
        let c = compare_default(&base, &head);
        let w = series(&c, "w", "wall_time_ns");
        assert_eq!(w.verdict, Verdict::Unchanged);
        assert_eq!(w.reason, "bench binary identical (sha256 1a2b3c4d…)");
        let i = series(&c, "i", "instructions");
        assert_eq!(i.verdict, Verdict::Unchanged);
        assert!(
            i.reason.contains("a measurement determinism problem"),
            "{}",
            i.reason
        );
        let b = series(&c, "build/tiny", "build_wall_s");
        assert_eq!(
            b.verdict,
            Verdict::Regressed,
            "build time is never short-circuited"
        );
        assert!(b.advisory, "one sample a side");
        assert!(
            b.reason
                .contains("advisory: 1/1 samples, a test needs 5 per side"),
            "{}",
            b.reason
        );
    }

    #[test]
    fn comparability_depends_on_the_metric() {
        let base = baseline(
            BASE_SHA,
            vec![
                wall("w", &NOISE),
                instr("i", 1000.0),
                Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 5000.0),
                Measurement::exact("alloc/x", "allocations_count", Unit::Count, 10.0),
            ],
        );
        let mut head = baseline(
            HEAD_SHA,
            vec![
                wall("w", &NOISE),
                instr("i", 1000.0),
                Measurement::exact("binary/x", "binary_size_bytes", Unit::Bytes, 5000.0),
                Measurement::exact("alloc/x", "allocations_count", Unit::Count, 10.0),
            ],
        );
        head.fingerprint.cpu_model = "Intel Xeon".into();
        head.fingerprint.kernel = "6.12".into();
        let c = compare_default(&base, &head);
        let verdict = |b, m| series(&c, b, m).verdict;
        assert_eq!(verdict("w", "wall_time_ns"), Verdict::Incomparable);
        assert_eq!(verdict("i", "instructions"), Verdict::Incomparable);
        assert_eq!(
            verdict("binary/x", "binary_size_bytes"),
            Verdict::WithinNoise
        );
        assert_eq!(
            verdict("alloc/x", "allocations_count"),
            Verdict::WithinNoise
        );
        assert_eq!(
            c.environment,
            [
                (
                    "cpu_model".to_string(),
                    "AMD EPYC 9554 64-Core Processor".to_string(),
                    "Intel Xeon".to_string()
                ),
                (
                    "kernel".to_string(),
                    "6.1.0-41-amd64".to_string(),
                    "6.12".to_string()
                ),
            ]
        );

        // A profile setting counts for every metric of that profile.
        let mut head = baseline(HEAD_SHA, vec![instr("i", 1000.0)]);
        head.profiles
            .get_mut("release")
            .expect("release")
            .settings
            .insert("lto".into(), "fat".into());
        let c = compare_default(&baseline(BASE_SHA, vec![instr("i", 1000.0)]), &head);
        assert_eq!(
            series(&c, "i", "instructions").reason,
            "incomparable: settings.lto none → fat"
        );
        assert_eq!(c.environment[0].0, "profiles.release.settings.lto");
    }

    #[test]
    fn an_explained_difference_compares_normally() {
        let base = baseline(BASE_SHA, vec![instr("i", 1000.0)]);
        let mut head = baseline(HEAD_SHA, vec![instr("i", 1200.0)]);
        head.fingerprint.cargo_lock_sha256 = Some("ef".repeat(32));
        let c = compare_default(&base, &head);
        assert_eq!(
            series(&c, "i", "instructions").reason,
            "incomparable: cargo_lock_sha256 cdcdcdcdcdcd… → efefefefefef…"
        );
        let rules = GateRules {
            explained: BTreeMap::from([(
                "cargo_lock_sha256".to_string(),
                "Cargo.lock changed in range".to_string(),
            )]),
            ..GateRules::default()
        };
        let c = compare(&base, &head, &History::default(), &rules).expect("compared");
        let s = series(&c, "i", "instructions");
        assert_eq!(s.verdict, Verdict::Regressed);
        assert!(
            s.reason.ends_with("(Cargo.lock changed in range)"),
            "{}",
            s.reason
        );
    }

    #[test]
    fn noisy_regression_and_improvement() {
        let base = baseline(
            BASE_SHA,
            vec![
                wall("slow", &NOISE),
                wall("fast", &NOISE),
                wall("flat", &NOISE),
            ],
        );
        let head = baseline(
            HEAD_SHA,
            vec![
                wall("slow", &scaled(&NOISE, 1.2)),
                wall("fast", &scaled(&NOISE, 0.8)),
                wall("flat", &NOISE.iter().rev().copied().collect::<Vec<_>>()),
            ],
        );
        let c = compare_default(&base, &head);
        let slow = series(&c, "slow", "wall_time_ns");
        assert_eq!(slow.verdict, Verdict::Regressed, "{slow:?}");
        assert!(slow.notable);
        let change = slow.change.expect("a shift");
        assert!((change - 0.2).abs() < 1e-9, "{change}");
        let (l, u) = slow.interval.expect("an interval");
        assert!(l <= change && change <= u && l > 0.01, "{l} {u}");
        assert!(slow.q_value.expect("q") < 0.05);
        assert!(
            slow.reason
                .starts_with("+20.0% > gate 10%, confident; CI ["),
            "{}",
            slow.reason
        );
        let fast = series(&c, "fast", "wall_time_ns");
        assert_eq!(fast.verdict, Verdict::Improved, "{fast:?}");
        assert!(fast.change.expect("a shift") < -0.1);
        let flat = series(&c, "flat", "wall_time_ns");
        assert_eq!(flat.verdict, Verdict::WithinNoise, "{flat:?}");
        assert!(!flat.notable);
        assert!(flat.reason.contains("not significant"), "{}", flat.reason);
    }

    /// Ten wall-time samples around 1000 ns with about 20% spread: MDE95 of 10 against 10
    /// such samples is far above a 10% gate.
    const WIDE: [f64; 10] = [
        800.0, 1200.0, 950.0, 1300.0, 700.0, 1100.0, 1000.0, 1250.0, 850.0, 1150.0,
    ];

    /// The verdict of the series "wide" when the head's samples are the base's `WIDE` times
    /// `factor`, with the MDE95 of its samples.
    fn wide_verdict(factor: f64) -> (SeriesVerdict, f64) {
        let head_samples = scaled(&WIDE, factor);
        let mde = stats::minimal_detectable_shift(&WIDE, &head_samples).expect("a spread");
        let base = baseline(BASE_SHA, vec![wall("wide", &WIDE)]);
        let head = baseline(HEAD_SHA, vec![wall("wide", &head_samples)]);
        let c = compare_default(&base, &head);
        (series(&c, "wide", "wall_time_ns").clone(), mde)
    }

    #[test]
    fn a_confident_regression_fails_whatever_the_detectable_shift() {
        // Twice as slow: the whole interval lies beyond the gate, however wide the samples.
        let (v, mde) = wide_verdict(2.0);
        assert!(mde > 0.10, "MDE95 {mde}");
        assert_eq!(v.verdict, Verdict::Regressed, "{v:?}");
        let (l, _) = v.interval.expect("an interval");
        assert!(l > 0.10, "{v:?}");
        assert!(v.fails_gate() && !v.advisory, "{v:?}");
        assert!(v.reason.contains(", confident;"), "{}", v.reason);
        assert!(!v.reason.contains("advisory"), "{}", v.reason);
    }

    #[test]
    fn a_confident_improvement_stands_whatever_the_detectable_shift() {
        let (v, mde) = wide_verdict(0.5);
        assert!(mde > 0.10, "MDE95 {mde}");
        assert_eq!(v.verdict, Verdict::Improved, "{v:?}");
        let (_, u) = v.interval.expect("an interval");
        assert!(u < -0.10, "{v:?}");
        assert!(!v.advisory && !v.reason.contains("advisory"), "{v:?}");
    }

    #[test]
    fn a_regression_whose_interval_reaches_inside_the_gate_is_advisory_under_low_power() {
        // 35% slower: beyond the gate and significant, but the interval reaches below it.
        let (v, mde) = wide_verdict(1.35);
        assert!(mde > 0.10, "MDE95 {mde}");
        assert_eq!(v.verdict, Verdict::Regressed, "{v:?}");
        let (l, _) = v.interval.expect("an interval");
        assert!(l <= 0.10, "{v:?}");
        assert!(v.advisory && !v.fails_gate(), "{v:?}");
        assert!(
            v.reason
                .contains("advisory: gate not enforceable here: MDE95 ",)
                && v.reason
                    .contains("and the interval reaches inside the gate"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn an_improvement_whose_interval_reaches_inside_the_gate_is_advisory_under_low_power() {
        let (v, mde) = wide_verdict(0.75);
        assert!(mde > 0.10, "MDE95 {mde}");
        assert_eq!(v.verdict, Verdict::Improved, "{v:?}");
        let (_, u) = v.interval.expect("an interval");
        assert!(u >= -0.10, "{v:?}");
        assert!(v.advisory, "{v:?}");
        assert!(
            v.reason.contains("advisory: gate not enforceable here"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn a_pass_under_low_power_is_advisory_and_says_so() {
        let (v, mde) = wide_verdict(1.02);
        assert!(mde > 0.10, "MDE95 {mde}");
        assert_eq!(v.verdict, Verdict::WithinNoise, "{v:?}");
        assert!(v.advisory && v.low_power && !v.fails_gate(), "{v:?}");
        assert!(
            v.reason.contains(
                "advisory pass: these samples could not have seen a regression of the gate's size (MDE95 "
            ),
            "{}",
            v.reason
        );
    }

    #[test]
    fn tight_samples_enforce_the_gate_without_a_power_note() {
        // About 1% spread: MDE95 is far below the gate.
        let base = baseline(BASE_SHA, vec![wall("tight", &NOISE)]);
        let head = baseline(HEAD_SHA, vec![wall("tight", &scaled(&NOISE, 1.5))]);
        let c = compare_default(&base, &head);
        let v = series(&c, "tight", "wall_time_ns");
        assert!(v.fails_gate() && !v.reason.contains("MDE95"), "{v:?}");
        let head = baseline(HEAD_SHA, vec![wall("tight", &scaled(&NOISE, 1.01))]);
        let c = compare_default(&base, &head);
        let v = series(&c, "tight", "wall_time_ns");
        assert!(!v.advisory && !v.reason.contains("MDE95"), "{v:?}");
    }

    #[test]
    fn confirmation_passes_keep_or_clear_a_noisy_regression() {
        let base = baseline(BASE_SHA, vec![wall("a", &NOISE), wall("b", &NOISE)]);
        let head = baseline(
            HEAD_SHA,
            vec![
                wall("a", &scaled(&NOISE, 1.2)),
                wall("b", &scaled(&NOISE, 1.2)),
            ],
        );
        let mut c = compare_default(&base, &head);
        c.confirm(&key("a", "wall_time_ns"), 2, 3);
        c.confirm(&key("b", "wall_time_ns"), 1, 3);
        let a = series(&c, "a", "wall_time_ns");
        assert_eq!(a.verdict, Verdict::Regressed);
        assert!(a.reason.ends_with("; confirmed 2/3"), "{}", a.reason);
        let b = series(&c, "b", "wall_time_ns");
        assert_eq!(b.verdict, Verdict::WithinNoise);
        assert!(
            b.reason
                .ends_with("; regressed in 1/3 passes only, not confirmed"),
            "{}",
            b.reason
        );
        assert!(c.failed());
        assert_eq!(c.series[0].key.bench, "a", "still sorted by severity");
    }

    #[test]
    fn two_of_three_passes_confirm() {
        assert!(confirmed(3, 3));
        assert!(confirmed(2, 3));
        assert!(!confirmed(1, 3));
        assert!(!confirmed(0, 3));
    }

    #[test]
    fn a_deterministic_regression_must_reproduce() {
        let base = baseline(BASE_SHA, vec![instr("x", 1000.0), instr("y", 1000.0)]);
        let head = baseline(HEAD_SHA, vec![instr("x", 1200.0), instr("y", 1200.0)]);
        let mut c = compare_default(&base, &head);
        c.reproduce(&key("x", "instructions"), 1200.0);
        c.reproduce(&key("y", "instructions"), 1210.0);
        let x = series(&c, "x", "instructions");
        assert!(x.fails_gate());
        assert!(
            x.reason
                .ends_with("reproduced by a second measurement of the head")
        );
        let y = series(&c, "y", "instructions");
        assert_eq!(y.verdict, Verdict::Regressed);
        assert!(y.advisory && !y.fails_gate());
        assert!(
            y.reason.contains("nondeterministic measurement"),
            "{}",
            y.reason
        );
    }

    #[test]
    fn throughput_is_worse_when_it_falls() {
        let thr = |v: f64, samples: &[f64]| Measurement {
            lower_is_better: false,
            ..Measurement::sampled(
                "t",
                "throughput_bytes_per_s",
                Unit::BytesPerSecond,
                v,
                samples.to_vec(),
            )
        };
        let base = baseline(BASE_SHA, vec![thr(1e8, &scaled(&NOISE, 1e5))]);
        let faster = baseline(HEAD_SHA, vec![thr(1.2e8, &scaled(&NOISE, 1.2e5))]);
        let c = compare_default(&base, &faster);
        let s = series(&c, "t", "throughput_bytes_per_s");
        assert_eq!(s.verdict, Verdict::Improved, "{s:?}");
        assert!(
            s.change.expect("a shift") < -0.19,
            "a rise is negative: {s:?}"
        );
        let (l, u) = s.interval.expect("an interval");
        assert!(l <= u && u < 0.0, "{l} {u}");

        let slower = baseline(HEAD_SHA, vec![thr(0.8e8, &scaled(&NOISE, 0.8e5))]);
        let c = compare_default(&base, &slower);
        let s = series(&c, "t", "throughput_bytes_per_s");
        assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
        assert!(
            s.change.expect("a shift") > 0.19,
            "a fall is positive: {s:?}"
        );
        // The stored-value rule agrees on the sign.
        let point = |v| Measurement {
            lower_is_better: false,
            ..Measurement::exact("t", "throughput_x", Unit::PerSecond, v)
        };
        let c = compare_default(
            &baseline(BASE_SHA, vec![point(100.0)]),
            &baseline(HEAD_SHA, vec![point(80.0)]),
        );
        assert_eq!(series(&c, "t", "throughput_x").change, Some(0.2));
    }

    #[test]
    fn throughput_samples_come_from_wall_time() {
        let thr = |v: f64| Measurement {
            lower_is_better: false,
            ..Measurement::exact("t", "throughput_bytes_per_s", Unit::BytesPerSecond, v)
        };
        let w = wall("t", &NOISE);
        // 1000 bytes per iteration: throughput = 1000 / (wall / 1e9).
        let base = baseline(BASE_SHA, vec![thr(1000.0 * 1e9 / w.value), w.clone()]);
        let w2 = wall("t", &scaled(&NOISE, 1.25));
        let head = baseline(HEAD_SHA, vec![thr(1000.0 * 1e9 / w2.value), w2]);
        let c = compare_default(&base, &head);
        let s = series(&c, "t", "throughput_bytes_per_s");
        assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
        assert!(s.reason.contains("n = 10/10"), "{}", s.reason);
        assert!(
            (s.change.expect("a shift") - 0.2).abs() < 1e-9,
            "1 − 1/1.25: {s:?}"
        );
    }

    #[test]
    fn few_samples_make_a_noisy_series_advisory() {
        let base = baseline(BASE_SHA, vec![wall("w", &NOISE[..4])]);
        let head = baseline(HEAD_SHA, vec![wall("w", &scaled(&NOISE[..4], 1.3))]);
        let c = compare_default(&base, &head);
        let s = series(&c, "w", "wall_time_ns");
        assert_eq!((s.verdict, s.advisory), (Verdict::Regressed, true));
        assert_eq!(s.p_value, None);
        assert!(s.reason.contains("4/4 samples"), "{}", s.reason);
        assert!(!c.failed());
    }

    /// Ten samples a side, +15% apart, with overlapping tails: 22 of the 100 pairs are
    /// inverted, so the exact two-sided p is 0.0355 (between α/2 and α).
    fn borderline() -> (Vec<f64>, Vec<f64>) {
        let mut base: Vec<f64> = (0..8).map(|i| 1000.0 + f64::from(i)).collect();
        base.extend([1152.5, 1300.0]);
        let mut head = vec![900.0];
        head.extend((0..9).map(|i| 1150.0 + f64::from(i)));
        (base, head)
    }

    #[test]
    fn benjamini_hochberg_can_turn_a_borderline_p() {
        let (b, h) = borderline();
        let alone = compare_default(
            &baseline(BASE_SHA, vec![wall("edge", &b)]),
            &baseline(HEAD_SHA, vec![wall("edge", &h)]),
        );
        let s = series(&alone, "edge", "wall_time_ns");
        let p = s.p_value.expect("tested");
        assert!((p - 0.035_462_989).abs() < 1e-6, "{p}");
        assert_eq!(s.q_value, Some(p), "a family of one");
        // With one more series of p = 1, q = 2p > α.
        let with = compare_default(
            &baseline(BASE_SHA, vec![wall("edge", &b), wall("flat", &NOISE)]),
            &baseline(HEAD_SHA, vec![wall("edge", &h), wall("flat", &NOISE)]),
        );
        let s2 = series(&with, "edge", "wall_time_ns");
        assert_eq!(s2.p_value, Some(p));
        assert!((s2.q_value.expect("q") - 2.0 * p).abs() < 1e-12);
        assert_eq!(s.verdict, Verdict::Regressed, "{s:?}");
        assert_eq!(s2.verdict, Verdict::WithinNoise, "{s2:?}");
        assert!(s2.reason.contains("not significant"), "{}", s2.reason);
    }

    #[test]
    fn acknowledged_regressions_stay_regressed_but_pass() {
        let base = baseline(
            BASE_SHA,
            vec![instr("iai::parse::big", 100.0), instr("other", 100.0)],
        );
        let head = baseline(
            HEAD_SHA,
            vec![instr("iai::parse::big", 150.0), instr("other", 100.0)],
        );
        let ack = Rule {
            bench: "iai::parse::*".into(),
            metric: Some("instructions".into()),
            profile: None,
            reason: "a bigger grammar".into(),
            until: Some("abc1234".into()),
            expired: false,
        };
        let rules = GateRules {
            acknowledge: vec![ack.clone()],
            ..GateRules::default()
        };
        let c = compare(&base, &head, &History::default(), &rules).expect("compared");
        let s = series(&c, "iai::parse::big", "instructions");
        assert_eq!(s.verdict, Verdict::Regressed);
        assert_eq!(s.acknowledged.as_deref(), Some("a bigger grammar"));
        assert!(
            s.reason
                .ends_with("; acknowledged: a bigger grammar (until abc1234)"),
            "{}",
            s.reason
        );
        assert_eq!(series(&c, "other", "instructions").acknowledged, None);
        assert!(!c.failed());
        assert_eq!(c.count(Verdict::Regressed), 1);
        assert_eq!(c.regressions().count(), 0);

        let rules = GateRules {
            acknowledge: vec![Rule {
                expired: true,
                ..ack
            }],
            ..GateRules::default()
        };
        let c = compare(&base, &head, &History::default(), &rules).expect("compared");
        let s = series(&c, "iai::parse::big", "instructions");
        assert_eq!(s.acknowledged, None);
        assert!(
            s.reason
                .ends_with("; acknowledgement expired (until abc1234): a bigger grammar"),
            "{}",
            s.reason
        );
        assert!(c.failed());
    }

    #[test]
    fn ignored_series_leave_the_gate() {
        let base = baseline(BASE_SHA, vec![instr("rival/x", 100.0)]);
        let head = baseline(HEAD_SHA, vec![instr("rival/x", 150.0)]);
        let rules = GateRules {
            ignore: vec![Rule {
                bench: "rival/*".into(),
                metric: None,
                profile: Some("rel*".into()),
                reason: "a rival, shown for reference".into(),
                until: None,
                expired: false,
            }],
            ..GateRules::default()
        };
        let c = compare(&base, &head, &History::default(), &rules).expect("compared");
        let s = series(&c, "rival/x", "instructions");
        assert_eq!(s.verdict, Verdict::Regressed);
        assert!(s.ignored);
        assert!(
            s.reason
                .ends_with("; ignored: a rival, shown for reference"),
            "{}",
            s.reason
        );
        assert!(!c.failed());
    }

    #[test]
    fn budgets_check_the_head() {
        let base = baseline(BASE_SHA, vec![instr("a", 100.0)]);
        let head = baseline(HEAD_SHA, vec![instr("a", 100.0), instr("b", 300.0)]);
        let budget = |bench: &str, profile: Option<&str>, max| Budget {
            bench: bench.into(),
            metric: "instructions".into(),
            profile: profile.map(str::to_string),
            max,
        };
        let rules = GateRules {
            budgets: vec![
                budget("a", None, 100.0),
                budget("b", Some("release"), 200.0),
                budget("renamed", None, 1.0),
                budget("a", Some("pgo"), 1.0),
            ],
            ..GateRules::default()
        };
        let c = compare(&base, &head, &History::default(), &rules).expect("compared");
        let summary: Vec<(&str, &str, Option<f64>, bool)> = c
            .budgets
            .iter()
            .map(|b| (b.bench.as_str(), b.profile.as_str(), b.value, b.ok))
            .collect();
        assert_eq!(
            summary,
            [
                ("a", "release", Some(100.0), true),
                ("b", "release", Some(300.0), false),
                ("renamed", "*", None, false),
                ("a", "pgo", None, false),
            ]
        );
        assert!(c.failed());
        assert_eq!(c.regressions().count(), 0, "a budget is not a regression");
        let rules = GateRules {
            budgets: vec![budget("a", None, 100.0)],
            ..GateRules::default()
        };
        assert!(
            !compare(&base, &head, &History::default(), &rules)
                .expect("compared")
                .failed()
        );
    }

    #[test]
    fn the_same_input_gives_the_same_comparison() {
        let base = baseline(
            BASE_SHA,
            vec![wall("a", &NOISE), wall("b", &NOISE), instr("i", 1000.0)],
        );
        let head = baseline(
            HEAD_SHA,
            vec![
                wall("a", &scaled(&NOISE, 1.03)),
                wall("b", &scaled(&NOISE, 1.15)),
                instr("i", 1003.0),
            ],
        );
        let one = compare_default(&base, &head);
        let two = compare_default(&base, &head);
        assert_eq!(one, two);
        assert_eq!(
            serde_json::to_string(&one).expect("json"),
            serde_json::to_string(&two).expect("json")
        );
        // Another head sha reseeds the bootstrap but changes neither the shift nor p.
        let mut other = head.clone();
        other.commit.sha = "3".repeat(40);
        let three = compare_default(&base, &other);
        assert_eq!(
            series(&one, "a", "wall_time_ns").change,
            series(&three, "a", "wall_time_ns").change
        );
    }

    #[test]
    fn a_new_profile_is_new_everywhere() {
        let base = baseline(BASE_SHA, vec![instr("a", 1.0)]);
        let mut head = baseline(HEAD_SHA, vec![instr("a", 1.0)]);
        let run = head.profiles["release"].clone();
        head.profiles.insert("pgo".into(), run);
        let c = compare_default(&base, &head);
        let s = c
            .series
            .iter()
            .find(|s| s.key.profile == "pgo")
            .expect("a pgo series");
        assert_eq!(s.verdict, Verdict::New);
        assert_eq!(s.reason, "profile `pgo` not in base");
    }

    #[test]
    fn glob_matching() {
        for (pattern, text, want) in [
            ("parse/*", "parse/large/config-core", true),
            ("parse/*/toml", "parse/large/toml", true),
            ("parse/*/toml", "parse/large/toml-edit", false),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("*::medium", "iai::parse::config_core.medium", false),
            ("*.medium", "iai::parse::config_core.medium", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
        ] {
            assert_eq!(glob_match(pattern, text), want, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn percentages_in_reasons() {
        assert_eq!(pct(0.12), "+12.0%");
        assert_eq!(pct(-0.11), "-11.0%");
        assert_eq!(pct(0.005), "+0.50%");
        assert_eq!(pct(0.00004), "+0.004%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(plain_pct(0.1), "10%");
        assert_eq!(plain_pct(0.002), "0.2%");
        assert_eq!(plain_pct(0.0001), "0.01%");
        assert_eq!(number(0.0004), "4.0e-4");
        assert_eq!(number(0.31), "0.31");
        assert_eq!(number(1.0), "1");
    }

    #[test]
    fn unused_interval_of_the_tool_is_not_the_verdicts() {
        // The tool's own interval is kept in the baseline; the verdict's interval is the
        // bootstrap's, in the worse-positive direction.
        let mut m = wall("w", &NOISE);
        m.interval = Some(Interval {
            lower: 1.0,
            upper: 2.0,
            confidence: 0.95,
        });
        let c = compare_default(
            &baseline(BASE_SHA, vec![m.clone()]),
            &baseline(HEAD_SHA, vec![m]),
        );
        let (l, u) = series(&c, "w", "wall_time_ns")
            .interval
            .expect("an interval");
        assert!(l <= 0.0 && u >= 0.0, "{l} {u}");
    }
}
