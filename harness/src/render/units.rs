//! Numbers with their units, as every rendering writes them: `1.23 ms`, `4.092 M`,
//! `812.0 KiB`.

use crate::measure::Unit;

/// A value with its unit, short: `1.23 ms`, `4.09 M instr`, `812 KiB`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Nanoseconds => {
            if value >= 1e9 {
                format!("{:.2} s", value / 1e9)
            } else if value >= 1e6 {
                format!("{:.2} ms", value / 1e6)
            } else if value >= 1e3 {
                format!("{:.2} µs", value / 1e3)
            } else {
                format!("{value:.1} ns")
            }
        }
        Unit::Seconds => format!("{value:.2} s"),
        Unit::Instructions | Unit::Events | Unit::Count => {
            if value >= 1e6 {
                format!("{:.3} M", value / 1e6)
            } else if value >= 1e3 {
                format!("{:.2} k", value / 1e3)
            } else {
                format!("{value:.0}")
            }
        }
        Unit::Bytes => {
            if value >= 1024.0 * 1024.0 {
                format!("{:.2} MiB", value / (1024.0 * 1024.0))
            } else if value >= 1024.0 {
                format!("{:.1} KiB", value / 1024.0)
            } else {
                format!("{value:.0} B")
            }
        }
        Unit::Ratio => format!("{value:.3}"),
        Unit::BytesPerSecond => format!("{:.1} MB/s", value / 1e6),
        Unit::PerSecond => format!("{value:.3e}/s"),
    }
}

/// A value as a reason or a table shows it: a sha256 shortened to its first 12 digits and `…`,
/// anything else as it is.
pub fn short_hash(value: &str) -> String {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}…", &value[..12])
    } else {
        value.to_string()
    }
}
