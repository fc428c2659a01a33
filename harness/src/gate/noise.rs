//! The A/A calibration of a machine (`perfgate noise`, `docs/gate.md` §12.3): HEAD measured
//! against itself in paired rounds, and per series what the paired gate can see here: the
//! spread of the per-round log ratios, the minimal detectable shift at the configured gate,
//! the predicted false-alarm rate, and a suggested gate.

use super::model::SeriesKey;
use super::paired::Pairs;
use super::rules::{GateRules, gate_of};
use crate::stats;

/// What one series' A/A rounds say about the gate.
#[derive(Clone, Debug, PartialEq)]
pub struct NoiseRow {
    /// The series.
    pub key: SeriesKey,
    /// The paired rounds it was measured in.
    pub rounds: usize,
    /// σ̂_d: 1.4826 · MAD of the per-round log ratios.
    pub spread: f64,
    /// The Hodges–Lehmann shift of the copies, e^HL − 1: near zero unless where or how a copy
    /// runs (its path, its place in memory) moves its speed.
    pub shift: f64,
    /// MDE95 of the paired test over these rounds.
    pub mde: f64,
    /// The configured gate of the series.
    pub gate: f64,
    /// The predicted chance that a change-free pull request's estimate crosses the gate:
    /// P(HL > ln(1 + g)) for HL ~ N(0, σ̂_d²·π/(3n)), an upper bound of the rule's false alarms
    /// (the rule also needs the interval beyond the fence and q < α).
    pub false_alarm: f64,
    /// The smallest whole percent at or above MDE95 (at least 1%): a gate these rounds enforce.
    pub suggested_gate: f64,
}

/// The calibration rows of every paired series with at least two rounds, in key order.
pub fn calibrate(pairs: &Pairs, rules: &GateRules) -> Vec<NoiseRow> {
    pairs
        .iter()
        .filter_map(|(key, paired)| {
            let d = &paired.log_ratios;
            let spread = stats::paired_spread(d)?;
            let shift = stats::walsh_median(d)?.exp_m1();
            let mde = stats::detectable_shift(spread, d.len());
            let n = d.len() as f64;
            let gate = gate_of(key, rules);
            // The Hodges–Lehmann estimate's standard error at the normal: σ·√(π/(3n)).
            let se = spread * (std::f64::consts::PI / (3.0 * n)).sqrt();
            let false_alarm = if se > 0.0 {
                stats::normal_tail((1.0 + gate).ln() / se)
            } else {
                0.0
            };
            let suggested_gate = ((mde * 100.0).ceil() / 100.0).max(0.01);
            Some(NoiseRow {
                key: key.clone(),
                rounds: d.len(),
                spread,
                shift,
                mde,
                gate,
                false_alarm,
                suggested_gate,
            })
        })
        .collect()
}

/// The first line of the block `perfgate noise --write` keeps in perfgate.toml.
pub const TOML_BLOCK_START: &str = "# perfgate noise: suggested wall-time gates";

/// The commented block of suggested per-bench gates for perfgate.toml: one `"bench" = pct`
/// line per bench whose suggestion differs from its gate (the largest over its profiles and
/// metrics), all commented out for a person to accept. Empty when no gate would change.
pub fn toml_block(rows: &[NoiseRow], rounds: usize) -> String {
    let mut by_bench: std::collections::BTreeMap<&str, (f64, f64)> = Default::default();
    for row in rows {
        let entry = by_bench
            .entry(row.key.bench.as_str())
            .or_insert((row.suggested_gate, row.gate));
        entry.0 = entry.0.max(row.suggested_gate);
    }
    let lines: Vec<String> = by_bench
        .into_iter()
        .filter(|(_, (suggested, gate))| (suggested - gate).abs() > 1e-9)
        .map(|(bench, (suggested, _))| {
            format!(
                "# \"{}\" = {}",
                bench.replace('\\', "\\\\").replace('"', "\\\""),
                (suggested * 100.0).round()
            )
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "{TOML_BLOCK_START} (an A/A calibration of {rounds} paired rounds on this machine:\n\
         # the smallest whole percent each bench's MDE95 allows). Uncomment to accept; merge the\n\
         # lines into an existing [gate.benches] table if there is one.\n\
         # [gate.benches]\n{}\n# perfgate noise: end\n",
        lines.join("\n")
    )
}

/// `config` with its earlier noise block (if any) replaced by `block`, or `block` appended.
pub fn with_block(config: &str, block: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in config.lines() {
        if line.starts_with(TOML_BLOCK_START) {
            skipping = true;
            continue;
        }
        if skipping {
            if line == "# perfgate noise: end" {
                skipping = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut out = out.trim_end_matches('\n').to_string();
    if !out.is_empty() {
        out.push('\n');
    }
    if !block.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{Paired, Stop};

    fn pairs() -> Pairs {
        let mut pairs = Pairs::new();
        for (bench, wobble, offset) in [
            ("quiet", 0.002, 0.0),
            ("loud", 0.03, 0.0),
            ("placed", 0.002, 0.03),
        ] {
            pairs.insert(
                SeriesKey {
                    profile: "release".into(),
                    bench: bench.into(),
                    metric: "wall_time_ns".into(),
                },
                Paired {
                    log_ratios: (0..24)
                        .map(|r| (1.0f64 + offset).ln() + [wobble, -wobble][r % 2])
                        .collect(),
                    stop: Stop::Budget,
                    alpha: 0.05,
                },
            );
        }
        pairs
    }

    #[test]
    fn a_quiet_series_keeps_a_tight_gate_a_loud_one_gets_a_wider_one() {
        let rows = calibrate(&pairs(), &GateRules::default());
        let row = |bench: &str| rows.iter().find(|r| r.key.bench == bench).expect("a row");
        let quiet = row("quiet");
        assert_eq!(quiet.rounds, 24);
        assert!((quiet.spread - 1.4826 * 0.002).abs() < 1e-9);
        assert_eq!(quiet.suggested_gate, 0.01);
        assert!(quiet.false_alarm < 1e-12);
        let loud = row("loud");
        // MDE95 = exp(3.6048 · 1.4826 · 0.03 / √24) − 1 = 3.33%: a 4% gate.
        assert!((loud.mde - 0.0332).abs() < 5e-4, "{}", loud.mde);
        assert_eq!(loud.suggested_gate, 0.04);
        assert!(loud.false_alarm > quiet.false_alarm);
        assert_eq!(loud.gate, 0.10);
        // Two copies of one build that run 3% apart (a copy's place, not noise): the shift says
        // so, the spread does not.
        assert!(quiet.shift.abs() < 1e-12 && loud.shift.abs() < 1e-12);
        let placed = row("placed");
        assert!((placed.shift - 0.03).abs() < 1e-12, "{}", placed.shift);
        assert!((placed.spread - quiet.spread).abs() < 1e-12);
    }

    #[test]
    fn the_block_is_commented_and_replaced_not_repeated() {
        let rows = calibrate(&pairs(), &GateRules::default());
        let block = toml_block(&rows, 24);
        assert!(block.starts_with(TOML_BLOCK_START));
        assert!(
            block.contains("# [gate.benches]\n# \"loud\" = 4\n# \"placed\" = 1\n# \"quiet\" = 1\n"),
            "{block}"
        );
        assert!(block.lines().all(|l| l.starts_with('#')), "{block}");
        let config = "[run]\nbuild_time_samples = 1\n";
        let once = with_block(config, &block);
        assert!(once.starts_with(config));
        let twice = with_block(&once, &block);
        assert_eq!(once, twice);
        assert_eq!(with_block(&once, ""), config);
        // perfgate reads the config with the block as without it: every line is a comment.
        let path = std::path::Path::new("perfgate.toml");
        let with = crate::config::Config::parse(&once, path).expect("a config");
        let without = crate::config::Config::parse(config, path).expect("a config");
        assert_eq!(format!("{with:?}"), format!("{without:?}"));
    }
}
