//! The metrics perfgate measures: one [`Metric`] type holding, for each, its stored name, its
//! class (how the gate judges it), its direction, what it measures (for the environment fields
//! it depends on) and its display name. No other module spells a metric's name.
//!
//! The stored spelling is the metric's name (`wall_time_ns`, `instructions`,
//! `callgrind_d1mw`), so the baseline schema does not change. A name perfgate does not know is
//! kept as [`Metric::Other`]: shown, never gated (`docs/gate.md` §2).

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How a metric is judged (`docs/gate.md` §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricClass {
    /// One exact value per side: instructions, sizes, allocations (and callgrind events that
    /// `[gate.metrics]` names).
    Deterministic,
    /// Samples per side, tested: wall time, throughput, start-up, build time.
    Noisy,
    /// Shown against the gate, never gated: start-up percentiles, spread, callgrind's cache
    /// events unless `[gate.metrics]` names them, unknown metrics.
    Informational,
}

/// What a metric measures: the environment fields it depends on follow from it
/// (`docs/gate.md` §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measures {
    /// Instructions and the other callgrind events.
    Instructions,
    /// Heap allocations (DHAT).
    Allocations,
    /// Binary size.
    Size,
    /// Wall time, throughput and start-up latency.
    Time,
    /// Build time.
    Build,
    /// A metric perfgate does not know.
    Other,
}

/// One metric. Compared, ordered and hashed by its stored name.
#[derive(Clone, Debug)]
pub enum Metric {
    /// Executed instructions (callgrind `Ir`).
    Instructions,
    /// Another callgrind event, `callgrind_<event>` (cache hits and misses, estimated cycles,
    /// data reads and writes): the whole stored name.
    CallgrindEvent(String),
    /// Wall time per iteration (criterion, divan), nanoseconds.
    WallTime,
    /// Throughput, `throughput_<unit>_per_s`: the whole stored name.
    Throughput(String),
    /// Median start-up latency of the target binary, nanoseconds.
    StartupWall,
    /// 95th percentile of start-up latency.
    StartupP95,
    /// 99th percentile of start-up latency.
    StartupP99,
    /// Slowest start-up.
    StartupMax,
    /// Coefficient of variation of start-up latency.
    StartupCv,
    /// Wall time of a clean build, seconds.
    BuildWall,
    /// CPU time of a clean build, seconds.
    BuildCpu,
    /// File size of a binary.
    BinarySize,
    /// Size of the binary stripped of symbols.
    StrippedSize,
    /// Heap allocations of one run.
    AllocationsCount,
    /// Bytes allocated in one run.
    AllocatedBytes,
    /// Peak heap size of one run.
    PeakHeap,
    /// A metric perfgate does not know: its stored name.
    Other(String),
}

/// The prefix of callgrind's events other than instructions.
const CALLGRIND_PREFIX: &str = "callgrind_";
/// The prefix of throughput metrics.
const THROUGHPUT_PREFIX: &str = "throughput_";

/// The metrics with a fixed name, with it.
const NAMED: [(Metric, &str); 14] = [
    (Metric::Instructions, "instructions"),
    (Metric::WallTime, "wall_time_ns"),
    (Metric::StartupWall, "startup_wall_ns"),
    (Metric::StartupP95, "startup_p95_ns"),
    (Metric::StartupP99, "startup_p99_ns"),
    (Metric::StartupMax, "startup_max_ns"),
    (Metric::StartupCv, "startup_cv"),
    (Metric::BuildWall, "build_wall_s"),
    (Metric::BuildCpu, "build_cpu_s"),
    (Metric::BinarySize, "binary_size_bytes"),
    (Metric::StrippedSize, "stripped_size_bytes"),
    (Metric::AllocationsCount, "allocations_count"),
    (Metric::AllocatedBytes, "allocated_bytes"),
    (Metric::PeakHeap, "peak_heap_bytes"),
];

impl Metric {
    /// Throughput in bytes per second.
    pub fn throughput_bytes() -> Metric {
        Metric::Throughput("throughput_bytes_per_s".to_string())
    }

    /// Throughput in elements per second.
    pub fn throughput_elements() -> Metric {
        Metric::Throughput("throughput_elements_per_s".to_string())
    }

    /// Throughput in bits per second.
    pub fn throughput_bits() -> Metric {
        Metric::Throughput("throughput_bits_per_s".to_string())
    }

    /// The callgrind event `event` in snake case (`d1mw`, `estimated_cycles`).
    pub fn callgrind_event(event: &str) -> Metric {
        Metric::CallgrindEvent(format!("{CALLGRIND_PREFIX}{event}"))
    }

    /// The metric stored under `name`; a name perfgate does not know is [`Metric::Other`].
    pub fn parse(name: &str) -> Metric {
        if let Some((metric, _)) = NAMED.iter().find(|(_, n)| *n == name) {
            return metric.clone();
        }
        if name.starts_with(CALLGRIND_PREFIX) {
            Metric::CallgrindEvent(name.to_string())
        } else if name.starts_with(THROUGHPUT_PREFIX) {
            Metric::Throughput(name.to_string())
        } else {
            Metric::Other(name.to_string())
        }
    }

    /// The stored name.
    pub fn as_str(&self) -> &str {
        match self {
            Metric::CallgrindEvent(name) | Metric::Throughput(name) | Metric::Other(name) => name,
            fixed => NAMED
                .iter()
                .find(|(m, _)| std::mem::discriminant(m) == std::mem::discriminant(fixed))
                .map_or("", |(_, name)| name),
        }
    }

    /// How the gate judges it by default (`docs/gate.md` §2).
    pub fn class(&self) -> MetricClass {
        match self {
            Metric::Instructions
            | Metric::BinarySize
            | Metric::StrippedSize
            | Metric::AllocationsCount
            | Metric::AllocatedBytes
            | Metric::PeakHeap => MetricClass::Deterministic,
            Metric::WallTime
            | Metric::Throughput(_)
            | Metric::StartupWall
            | Metric::BuildWall
            | Metric::BuildCpu => MetricClass::Noisy,
            Metric::CallgrindEvent(_)
            | Metric::StartupP95
            | Metric::StartupP99
            | Metric::StartupMax
            | Metric::StartupCv
            | Metric::Other(_) => MetricClass::Informational,
        }
    }

    /// What it measures, for the environment fields it depends on.
    pub fn measures(&self) -> Measures {
        match self {
            Metric::Instructions | Metric::CallgrindEvent(_) => Measures::Instructions,
            Metric::AllocationsCount | Metric::AllocatedBytes | Metric::PeakHeap => {
                Measures::Allocations
            }
            Metric::BinarySize | Metric::StrippedSize => Measures::Size,
            Metric::WallTime
            | Metric::Throughput(_)
            | Metric::StartupWall
            | Metric::StartupP95
            | Metric::StartupP99
            | Metric::StartupMax
            | Metric::StartupCv => Measures::Time,
            Metric::BuildWall | Metric::BuildCpu => Measures::Build,
            Metric::Other(_) => Measures::Other,
        }
    }

    /// Whether callgrind counts it (instructions and the other events): such counts have the
    /// floor of `docs/gate.md` §4.
    pub fn is_callgrind_count(&self) -> bool {
        self.measures() == Measures::Instructions
    }

    /// Whether it is a callgrind event other than instructions (informational unless
    /// `[gate.metrics]` names it).
    pub fn is_callgrind_event(&self) -> bool {
        matches!(self, Metric::CallgrindEvent(_))
    }

    /// Whether it is a throughput (samples derived from the bench's wall time when it has
    /// none).
    pub fn is_throughput(&self) -> bool {
        matches!(self, Metric::Throughput(_))
    }

    /// Whether it is a build time (never short-circuited by an identical artifact).
    pub fn is_build_time(&self) -> bool {
        self.measures() == Measures::Build
    }

    /// Whether a smaller value is better (all but throughput).
    pub fn lower_is_better(&self) -> bool {
        !self.is_throughput()
    }
}

impl PartialEq for Metric {
    fn eq(&self, other: &Metric) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Metric {}

impl PartialOrd for Metric {
    fn partial_cmp(&self, other: &Metric) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Metric {
    fn cmp(&self, other: &Metric) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Metric {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Metric {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Metric {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Borrow<str> for Metric {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Metric {
    fn from(name: &str) -> Metric {
        Metric::parse(name)
    }
}

impl From<String> for Metric {
    fn from(name: String) -> Metric {
        Metric::parse(&name)
    }
}

impl From<&Metric> for Metric {
    fn from(metric: &Metric) -> Metric {
        metric.clone()
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Metric, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Metric::parse(&name))
    }
}

/// The relative change of `value` against `reference`, signed so that positive is worse:
/// Δ = s·(value − reference)/reference with s = +1 when lower is better, −1 otherwise.
pub fn relative_change(value: f64, reference: f64, lower_is_better: bool) -> Option<f64> {
    if reference == 0.0 || !reference.is_finite() || !value.is_finite() {
        return None;
    }
    let s = if lower_is_better { 1.0 } else { -1.0 };
    Some(s * (value - reference) / reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_metric_parses_back_to_itself() {
        for (metric, name) in NAMED {
            assert_eq!(metric.as_str(), name);
            assert_eq!(Metric::parse(name), metric);
            assert!(!matches!(Metric::parse(name), Metric::Other(_)), "{name}");
        }
        for name in ["callgrind_d1mw", "throughput_bytes_per_s", "something_new"] {
            assert_eq!(Metric::parse(name).as_str(), name);
        }
        assert!(Metric::parse("callgrind_d1mw").is_callgrind_event());
        assert!(Metric::throughput_bits().is_throughput());
        assert!(matches!(Metric::parse("something_new"), Metric::Other(_)));
    }

    #[test]
    fn classes_and_directions() {
        for name in ["instructions", "binary_size_bytes", "allocations_count"] {
            assert_eq!(
                Metric::parse(name).class(),
                MetricClass::Deterministic,
                "{name}"
            );
        }
        for name in ["wall_time_ns", "throughput_bytes_per_s", "startup_wall_ns"] {
            assert_eq!(Metric::parse(name).class(), MetricClass::Noisy, "{name}");
        }
        for name in [
            "callgrind_estimated_cycles",
            "startup_p99_ns",
            "something_new",
        ] {
            assert_eq!(
                Metric::parse(name).class(),
                MetricClass::Informational,
                "{name}"
            );
        }
        assert!(!Metric::throughput_elements().lower_is_better());
        assert!(Metric::WallTime.lower_is_better());
        assert!(Metric::BuildCpu.is_build_time());
        assert!(Metric::callgrind_event("d1mw").is_callgrind_count());
        assert!(!Metric::AllocationsCount.is_callgrind_count());
    }

    #[test]
    fn ordered_and_stored_by_name() {
        let mut metrics = vec![
            Metric::WallTime,
            Metric::Instructions,
            Metric::parse("callgrind_x"),
        ];
        metrics.sort();
        let names: Vec<&str> = metrics.iter().map(Metric::as_str).collect();
        assert_eq!(names, ["callgrind_x", "instructions", "wall_time_ns"]);
        let json = serde_json::to_string(&metrics).expect("JSON");
        assert_eq!(json, r#"["callgrind_x","instructions","wall_time_ns"]"#);
        let back: Vec<Metric> = serde_json::from_str(&json).expect("parsed");
        assert_eq!(back, metrics);
    }
}
