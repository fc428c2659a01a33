//! `perfgate run --profile-rounds N`: the profile matrix measured the paired way. Once every
//! profile is measured, each other profile's wall-time units (its criterion and divan bench
//! targets, its start-up block) run against release's in a warm-up round and N paired rounds,
//! both profiles' processes back to back in each round, which first alternating, as
//! `compare --run` runs a base and a head ([`interleaved::run_rounds`]). Drift common to both
//! processes of a round cancels in its log ratio; the ratios are stored with the profile
//! (`ProfileRun::paired`) and the report draws each gain with their signed-rank interval.

use crate::gate::{GateRules, Sequential};
use crate::interleave::{self, Side};
use crate::pipeline::Measured;
use crate::plan::Plan;
use crate::profile::Profile;
use crate::store::PairedSeries;

use super::interleaved::{self, Frozen, RoundsSetup, Sides};

/// Runs the paired profile rounds of `plan` on `measured` (a no-op for `profile_rounds` 0)
/// and puts each profile's paired series into its run; returns whether any was measured.
pub(super) fn pair_profiles(measured: &mut Measured, plan: &Plan) -> anyhow::Result<bool> {
    let rounds = plan.profile_rounds;
    if rounds == 0 {
        return Ok(false);
    }
    let release = Profile::Release.name();
    let Some(release_built) = measured.builds.get(release) else {
        eprintln!(
            "perfgate: profile rounds pair each profile with `release`, which this run did not build; add it to --profiles"
        );
        return Ok(false);
    };
    // Nothing else is built into these target directories while the rounds run, so each
    // profile's build is run where it is.
    let mut frozen = Frozen::new();
    for (profile, built) in measured.builds.iter().filter(|(p, _)| *p != release) {
        frozen.insert((Side::Base, profile.clone()), release_built.clone());
        frozen.insert((Side::Head, profile.clone()), built.clone());
    }
    let sides = Sides {
        base: measured,
        head: measured,
        frozen,
    };
    let units: Vec<interleave::Unit> = interleaved::units(&sides, plan.startup.as_ref(), false)
        .into_iter()
        .filter(|u| u.profile() != release)
        .collect();
    if units.is_empty() {
        eprintln!(
            "perfgate: profile rounds: no wall-time bench or start-up to pair besides release's"
        );
        return Ok(false);
    }
    eprintln!(
        "perfgate: {rounds} paired rounds of {} unit(s) against release",
        units.len()
    );
    let rules = GateRules::default();
    let setup = RoundsSetup {
        seed: interleave::seed(&measured.baseline.commit.sha, release, 1),
        full: !plan.quick,
        startup: plan.startup.as_ref(),
        rules: &rules,
        names: [release, "profile"],
    };
    let schedule = Sequential::fixed(rounds);
    let scratch = crate::atomic::scratch_dir()?;
    let (_, paired) = interleaved::run_rounds(
        &setup,
        &sides,
        &units,
        schedule,
        &scratch.path().join("results"),
    )?;
    // The series come ordered by profile, bench and metric, so each run's stay sorted.
    for (key, series) in paired.finish(|_| Vec::new()) {
        if let Some(run) = measured.baseline.profiles.get_mut(&key.profile) {
            run.paired.push(PairedSeries {
                bench: key.bench,
                metric: key.metric,
                against: release.to_string(),
                log_ratios: series.log_ratios,
            });
        }
    }
    Ok(true)
}
