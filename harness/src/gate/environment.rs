//! Comparability (`docs/gate.md` §3.1): which environment differences make which metrics
//! incomparable.

use std::collections::BTreeSet;

use crate::metric::{Measures, Metric};
use crate::store::{Baseline, ProfileRun};

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

/// Fields recorded in the fingerprint that decide nothing (`docs/gate.md` §3.1).
pub(crate) const RECORDED_ONLY: [&str; 4] = ["kernel", "cores", "perfgate_version", "mode"];
/// The CPU fields.
pub(crate) const CPU: [&str; 4] = [
    "cpu_vendor",
    "cpu_model",
    "cpu_family_model_stepping",
    "cpu_flags_sha256",
];
/// The callgrind tool fields.
pub(crate) const VALGRIND: [&str; 2] = ["valgrind", "iai_callgrind_runner"];

/// Whether a difference in `field` makes `metric` incomparable (`docs/gate.md` §3.1). Fields
/// not named in the table (the toolchain, the lock file, `RUSTFLAGS`, the profile's settings,
/// and any field added later) count for every metric.
pub(crate) fn depends_on(metric: &Metric, field: &str) -> bool {
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
pub(crate) fn environment(base: &Baseline, head: &Baseline) -> Vec<(String, String, String)> {
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
pub(crate) fn profile_differences(
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
pub(crate) fn short_value(value: &str) -> String {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}…", &value[..12])
    } else {
        value.to_string()
    }
}
