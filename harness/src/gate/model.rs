//! What a comparison is made of: verdicts, series keys, series verdicts, the comparison and
//! its outcome (`docs/gate.md` §9, §11).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::env_field::EnvDifference;
use crate::git::CommitInfo;
use crate::measure::{Measurement, Unit};
use crate::metric::{Metric, MetricClass};
use crate::store::Baseline;

use super::TOLERANCE;
use super::reason::number;

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

/// Which rule decided a verdict (`docs/gate.md` §3–§8), for machines: the JSON carries it as
/// `reason_code` beside the sentence, in kebab case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// §3.1: a difference of the environment the metric depends on.
    Incomparable,
    /// §3.2: the same artifact on both sides.
    IdenticalArtifact,
    /// Only in the head.
    OnlyInHead,
    /// Only in the base.
    OnlyInBase,
    /// §4: |Δ| within the tolerance τ.
    Tolerance,
    /// §4: a callgrind count moved by no more than its floor.
    Floor,
    /// §4: from a zero base.
    FromZero,
    /// The change crossed the gate (regressed or improved).
    Gate,
    /// The change is real or not, but inside the gate.
    #[default]
    BelowGate,
    /// §6: not significant after Benjamini–Hochberg.
    NotSignificant,
    /// §6: the interval reaches the fence.
    Fence,
    /// §6: too few samples for a test; the stored values against the gate.
    TooFewSamples,
    /// §6: the samples allow no test (a zero or negative sample, or no spread).
    NoTest,
    /// No change can be computed (a zero or non-finite base).
    NoChange,
}

/// Why a verdict is advisory (shown, never failing), for machines: the JSON's
/// `advisory_code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvisoryCode {
    /// §8: an informational metric.
    Informational,
    /// §6: too few samples, or none that allow a test.
    Untested,
    /// §6.1: the samples could not have seen a change of the gate's size.
    LowPower,
    /// §4: the noise fence is at least half the gate.
    Unstable,
    /// §4: the head measured again gave another value.
    Nondeterministic,
    /// No change can be computed.
    NoChange,
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
    /// The rule that decided, for machines.
    pub reason_code: ReasonCode,
    /// Why the verdict is advisory, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory_code: Option<AdvisoryCode>,
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
    /// The minimal detectable shift at 95% power of the samples the noisy test used (§6.1,
    /// §12.2); `None` for other series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mde: Option<f64>,
    /// For a series measured in paired rounds (`compare --run`): how many rounds its decision
    /// took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
}

impl SeriesVerdict {
    /// Makes the verdict advisory for `code`; the first cause recorded is the one kept.
    pub fn advise(&mut self, code: AdvisoryCode) {
        self.advisory = true;
        self.advisory_code.get_or_insert(code);
    }

    /// A pass whose samples could not have seen a regression of the gate's size (§6.1).
    pub fn is_blind_pass(&self) -> bool {
        self.verdict == Verdict::WithinNoise && self.advisory_code == Some(AdvisoryCode::LowPower)
    }

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

impl History {
    /// The history of `base`'s series over `baselines` (oldest first): only those of the same
    /// target measured in the same environment class, so that no fence spans a change of
    /// toolchain, host, CPU or valgrind.
    pub fn of(base: &Baseline, baselines: &[Baseline]) -> History {
        let mut history = History::default();
        let same_class = |b: &Baseline| {
            b.target == base.target && b.fingerprint.same_environment(&base.fingerprint)
        };
        for baseline in baselines.iter().filter(|b| same_class(b)) {
            for (profile, run) in &baseline.profiles {
                for m in &run.measurements {
                    let key = SeriesKey::of(profile, m);
                    history.values.entry(key).or_default().push(m.value);
                }
            }
        }
        history
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
    /// Every environment difference: fingerprint fields in their order, then the mode, then
    /// each profile's settings and PGO training command.
    pub environment: Vec<EnvDifference>,
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
            v.advise(AdvisoryCode::Nondeterministic);
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
    pub(crate) fn sort(&mut self) {
        self.series
            .sort_by(|a, b| (a.verdict, &a.key).cmp(&(b.verdict, &b.key)));
    }
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
