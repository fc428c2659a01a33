//! `perfgate noise`'s calibration rows as a terminal table or JSON.

use serde_json::json;

use crate::gate::noise::NoiseRow;
use crate::gate::plain_pct;

/// The rows as aligned columns, with a line that says how to read them.
pub fn table(rows: &[NoiseRow], rounds: usize) -> String {
    let mut lines = vec![
        [
            "profile",
            "bench",
            "metric",
            "rounds",
            "spread",
            "shift",
            "MDE95",
            "gate",
            "false alarms ≤",
            "suggested gate",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in rows {
        lines.push(vec![
            r.key.profile.clone(),
            r.key.bench.clone(),
            r.key.metric.to_string(),
            r.rounds.to_string(),
            plain_pct(r.spread),
            crate::gate::pct(r.shift),
            plain_pct(r.mde),
            plain_pct(r.gate),
            format!("{:.2}%", 100.0 * r.false_alarm),
            plain_pct(r.suggested_gate),
        ]);
    }
    format!(
        "A/A calibration: HEAD against itself, {rounds} paired rounds. spread: of the per-round log ratios (1.4826·MAD); shift: the Hodges–Lehmann estimate of the two copies' difference; MDE95: the smallest shift these rounds detect with 95% power; false alarms: the chance a change-free pull request's estimate crosses the gate here.\n\n{}",
        crate::render::columns::columns(&lines)
    )
}

/// The rows as JSON: `rounds` and `series` (`key`, `rounds`, `spread`, `shift`, `mde`, `gate`,
/// `false_alarm`, `suggested_gate`, fractions).
pub fn json(rows: &[NoiseRow], rounds: usize) -> serde_json::Value {
    json!({
        "rounds": rounds,
        "series": rows.iter().map(|r| json!({
            "key": r.key,
            "rounds": r.rounds,
            "spread": r.spread,
            "shift": r.shift,
            "mde": r.mde,
            "gate": r.gate,
            "false_alarm": r.false_alarm,
            "suggested_gate": r.suggested_gate,
        })).collect::<Vec<_>>(),
    })
}
