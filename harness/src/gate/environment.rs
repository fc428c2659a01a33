//! Comparability (`docs/gate.md` §3.1): the environment differences of two baselines, and those
//! that concern one profile's series. Which metrics a field affects is [`EnvField::affects`].

use std::collections::BTreeSet;

use crate::env_field::{EnvDifference, EnvField};
use crate::store::{Baseline, ProfileRun};

/// Every environment difference: fingerprint fields, the mode, then each common profile's
/// settings and PGO training command.
pub(crate) fn environment(base: &Baseline, head: &Baseline) -> Vec<EnvDifference> {
    let mut out = base.fingerprint.differences(&head.fingerprint);
    if base.mode != head.mode {
        out.push(EnvDifference::new(
            EnvField::Mode,
            base.mode.clone(),
            head.mode.clone(),
        ));
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
                out.push(EnvDifference::new(
                    EnvField::Setting {
                        profile: profile.clone(),
                        key: key.clone(),
                    },
                    bv.cloned().unwrap_or_else(none),
                    hv.cloned().unwrap_or_else(none),
                ));
            }
        }
        let training = |r: &ProfileRun| r.pgo.as_ref().map(|p| p.training.clone());
        if training(b) != training(h) {
            out.push(EnvDifference::new(
                EnvField::PgoTraining {
                    profile: profile.clone(),
                },
                training(b).unwrap_or_else(none),
                training(h).unwrap_or_else(none),
            ));
        }
    }
    out
}

/// The differences that concern one profile's series: the global ones, and that profile's own.
pub(crate) fn profile_differences<'a>(
    environment: &'a [EnvDifference],
    profile: &str,
) -> Vec<&'a EnvDifference> {
    environment
        .iter()
        .filter(|d| d.field.profile().is_none_or(|p| p == profile))
        .collect()
}
