//! The rules from perfgate.toml (`docs/gate.md` §5, §10): gates per metric and per bench, globs,
//! acknowledgements, ignores and budgets.

use std::collections::BTreeMap;

use std::path::Path;

use crate::config::Config;
use crate::env_field::EnvField;
use crate::error::{Error, Result};
use crate::measure::Unit;
use crate::metric::{Metric, MetricClass};

use super::model::{BudgetResult, SeriesKey, SeriesVerdict, Verdict};
use crate::store::{Baseline, ProfileRun};

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
    /// changed in base..head): field → why. Such a
    /// difference does not make a pair incomparable; the reason carries the why.
    pub explained: BTreeMap<EnvField, String>,
}

impl GateRules {
    /// The rules perfgate.toml (read from `path`) gives: the gate, α, the per-metric and
    /// per-bench gates, the entries and the budgets. `expired` says whether an entry's `until`
    /// commit is the head or one of its ancestors (`None`: it names no commit, an error that
    /// names the entry).
    pub fn from_config(
        config: &Config,
        path: &Path,
        mut expired: impl FnMut(&str) -> Result<Option<bool>>,
    ) -> Result<GateRules> {
        let defaults = GateRules::default();
        let mut rules = GateRules {
            threshold_pct: config.threshold_pct.unwrap_or(defaults.threshold_pct),
            alpha: config.alpha.unwrap_or(defaults.alpha),
            per_metric: config.gate_metrics.clone(),
            per_bench: config.gate_benches.clone(),
            ..defaults
        };
        for (section, entries) in [
            ("ignore", &config.ignore),
            ("acknowledge", &config.acknowledge),
        ] {
            for (i, entry) in entries.iter().enumerate() {
                let expired = match &entry.until {
                    None => false,
                    Some(until) => expired(until)?.ok_or_else(|| Error::ConfigInvalid {
                        path: path.to_path_buf(),
                        key: format!("{section}[{i}].until"),
                        problem: format!("names no commit (`{until}`); give a commit sha"),
                    })?,
                };
                let rule = Rule {
                    bench: entry.bench.clone(),
                    metric: entry.metric.clone(),
                    profile: entry.profile.clone(),
                    reason: entry.reason.clone(),
                    until: entry.until.clone(),
                    expired,
                };
                if section == "ignore" {
                    rules.ignore.push(rule);
                } else {
                    rules.acknowledge.push(rule);
                }
            }
        }
        rules.budgets = config
            .budgets
            .iter()
            .map(|b| Budget {
                bench: b.bench.clone(),
                metric: b.metric.clone(),
                profile: b.profile.clone(),
                max: b.max,
            })
            .collect();
        Ok(rules)
    }
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

/// The gate g of a series as a fraction (§5): the most specific bench glob, else the metric's,
/// else the default.
pub fn gate_of(key: &SeriesKey, rules: &GateRules) -> f64 {
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

/// Acknowledgements and ignores (§10), into `v`.
pub(crate) fn apply_entries(v: &mut SeriesVerdict, rules: &GateRules) {
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

pub(crate) fn until(rule: &Rule) -> String {
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
