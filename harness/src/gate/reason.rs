//! The numbers in a verdict's reason: percentages, p-values, the two stored values, notes.

use crate::measure::{Measurement, Unit};

/// `reason; (note); (note)`.
pub(crate) fn join_notes(reason: String, notes: &[String]) -> String {
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
pub(crate) fn number(p: f64) -> String {
    if p != 0.0 && p.abs() < 1e-3 {
        format!("{p:.1e}")
    } else {
        trim(format!("{p:.3}"))
    }
}

pub(crate) fn trim(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `base → head` for a reason: exact integers with a unit word for counted units, short values
/// otherwise.
pub(crate) fn values(b: &Measurement, h: &Measurement) -> String {
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
        None => format!("{} → {}", b.unit.format(b.value), h.unit.format(h.value)),
    }
}
