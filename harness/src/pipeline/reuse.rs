//! Measurements taken over from an earlier commit instead of measured again: when a step's
//! key (the sha256 of the executable it runs and of everything else its measurements depend
//! on) equals the key of the same step under the same profile in the base's baseline, the
//! base's measurements of that step are copied into the head's, marked with the commit they
//! were measured at. The base is the nearest first-parent ancestor with a stored baseline of
//! the same mode and environment (`docs/baseline-schema.md`, "Reuse").

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::git::Repo;
use crate::measure::Measurement;
use crate::metric::Measures;
use crate::store::{self, Baseline};

/// How far back along the first-parent history a base for reuse is looked for.
pub const REUSE_DEPTH: usize = 64;

/// The baseline whose measurements a run may take over.
#[derive(Clone, Debug)]
pub struct ReuseBase {
    /// The base's baseline.
    pub baseline: Baseline,
}

/// Which of a step's measurements it produced, so that exactly those are taken over.
#[derive(Clone, Debug, PartialEq)]
pub enum Produced {
    /// Everything measured on the executable with this sha256 (a bench target).
    Artifact(String),
    /// What the executable with this sha256 gave of one kind (start-up, allocations).
    ArtifactMeasures(String, Measures),
    /// The build-time metrics.
    BuildTime,
}

impl Produced {
    fn contains(&self, m: &Measurement) -> bool {
        match self {
            Produced::Artifact(sha) => m.artifact_sha256.as_deref() == Some(sha),
            Produced::ArtifactMeasures(sha, measures) => {
                m.artifact_sha256.as_deref() == Some(sha) && m.metric.measures() == *measures
            }
            Produced::BuildTime => m.metric.measures() == Measures::Build,
        }
    }
}

/// The sha256 of `parts`, each length-prefixed so that no two lists of parts collide.
pub fn key<S: AsRef<[u8]>>(parts: &[S]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        let part = part.as_ref();
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    crate::fingerprint::sha256_hex(&hasher.finalize())
}

/// One digest of the files at `paths` (relative to `dir`; a folder stands for every file
/// under it): each file's path and contents, in path order. A path that does not exist is an
/// error ([`Error::InputMissing`]): a declared input is never skipped in silence.
pub fn inputs_digest(dir: &Path, paths: &[&PathBuf], what: &'static str) -> Result<String> {
    let mut files = Vec::new();
    for path in paths {
        let full = dir.join(path);
        if !full.exists() {
            return Err(Error::InputMissing { path: full, what });
        }
        collect_files(&full, &mut files)?;
    }
    files.sort();
    files.dedup();
    let mut parts = Vec::with_capacity(2 * files.len());
    for file in &files {
        let rel = file.strip_prefix(dir).unwrap_or(file);
        parts.push(rel.to_string_lossy().into_owned());
        parts.push(crate::fingerprint::sha256_file(file)?);
    }
    Ok(key(&parts))
}

/// Every file at or under `path`.
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|source| Error::Io {
        action: "list",
        path: path.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            action: "list",
            path: path.to_path_buf(),
            source,
        })?;
        collect_files(&entry.path(), out)?;
    }
    Ok(())
}

impl ReuseBase {
    /// The base's measurements of step `step` of `profile`, if the base ran that step with
    /// the same `key` and it produced any; each marked with the commit it was measured at
    /// (the base, or the commit the base itself took it from).
    pub fn take(
        &self,
        profile: &str,
        step: &str,
        key: &str,
        produced: &Produced,
    ) -> Option<Vec<Measurement>> {
        let run = self.baseline.profiles.get(profile)?;
        run.steps
            .iter()
            .find(|s| s.name == step && s.key.as_deref() == Some(key))?;
        let sha = &self.baseline.commit.sha;
        let taken: Vec<Measurement> = run
            .measurements
            .iter()
            .filter(|m| produced.contains(m))
            .map(|m| Measurement {
                reused_from: Some(m.reused_from.clone().unwrap_or_else(|| sha.clone())),
                ..m.clone()
            })
            .collect();
        (!taken.is_empty()).then_some(taken)
    }

    /// How long step `step` of `profile` took in the base (the shards' balance).
    pub fn seconds(&self, profile: &str, step: &str) -> Option<f64> {
        self.baseline
            .profiles
            .get(profile)?
            .steps
            .iter()
            .find(|s| s.name == step && s.reused_from.is_none())
            .map(|s| s.seconds)
    }
}

/// Whether `baseline` may lend its measurements to a run of `mode` in the environment
/// `fingerprint`: a clean, whole baseline of the same mode, measured in an identical
/// environment (every field, the kernel and the core count too).
pub fn lends_to(baseline: &Baseline, mode: &str, fingerprint: &Fingerprint) -> bool {
    !baseline.dirty
        && baseline.mode == mode
        && baseline.fingerprint == *fingerprint
        && baseline.profiles.values().all(|run| run.shard.is_none())
}

/// The nearest of `sha`'s first-parent ancestors (not `sha` itself) within [`REUSE_DEPTH`]
/// whose stored whole baseline `accept`s; `None` when there is none. An unreadable baseline
/// is passed over: what an earlier baseline lends only saves time, it never fails a run.
pub fn find_base(
    repo: &Repo,
    baselines: &Path,
    sha: &str,
    accept: impl Fn(&Baseline) -> bool,
) -> Option<ReuseBase> {
    let history = repo.first_parent_history(sha, REUSE_DEPTH + 1).ok()?;
    history.iter().skip(1).find_map(|commit| {
        let path = baselines.join(format!("{}.json", commit.sha));
        let baseline = store::load(&path).ok()?;
        accept(&baseline).then_some(ReuseBase { baseline })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Metric;
    use crate::store::{ProfileRun, Step};
    use std::collections::BTreeMap;

    fn measured(bench: &str, metric: Metric, sha: &str) -> Measurement {
        Measurement::exact(bench, metric, crate::measure::Unit::Nanoseconds, 10.0)
            .with_artifact(Some(sha.to_string()))
    }

    fn base() -> ReuseBase {
        let mut baseline: Baseline =
            serde_json::from_str(&crate::store::tests::documented_example())
                .expect("the documented example is a baseline");
        baseline.commit.sha = "b".repeat(40);
        let run = ProfileRun {
            settings: BTreeMap::new(),
            artifacts: Vec::new(),
            pgo: None,
            measurements: vec![
                measured("parse/small", Metric::WallTime, "e1"),
                measured("parse/large", Metric::WallTime, "e1"),
                measured("scan/a", Metric::WallTime, "e2"),
                measured("startup", Metric::StartupWall, "bin"),
                measured("binary/tiny", Metric::AllocationsCount, "bin"),
                Measurement {
                    reused_from: Some("a".repeat(40)),
                    ..measured("scan/b", Metric::WallTime, "e3")
                },
            ],
            paired: Vec::new(),
            steps: vec![
                step("bench parse", "k1"),
                step("bench scan", "k2"),
                step("bench old", "k3"),
                step("startup", "k4"),
                step("build", "k5"),
            ],
            shard: None,
        };
        baseline.profiles = BTreeMap::from([("release".to_string(), run)]);
        ReuseBase { baseline }
    }

    fn step(name: &str, key: &str) -> Step {
        Step {
            name: name.into(),
            seconds: 1.0,
            key: Some(key.into()),
            reused_from: None,
        }
    }

    #[test]
    fn a_step_with_the_same_key_takes_exactly_its_measurements() {
        let base = base();
        let taken = base
            .take(
                "release",
                "bench parse",
                "k1",
                &Produced::Artifact("e1".into()),
            )
            .expect("same key");
        let benches: Vec<&str> = taken.iter().map(|m| m.bench.as_str()).collect();
        assert_eq!(benches, ["parse/small", "parse/large"]);
        assert!(taken.iter().all(|m| m.reused_from == Some("b".repeat(40))));
        let startup = base
            .take(
                "release",
                "startup",
                "k4",
                &Produced::ArtifactMeasures("bin".into(), Measures::Time),
            )
            .expect("same key");
        assert_eq!(startup.len(), 1);
        assert_eq!(startup[0].metric, Metric::StartupWall);
    }

    #[test]
    fn another_key_profile_or_step_measures_again() {
        let base = base();
        let parse = Produced::Artifact("e1".into());
        assert!(base.take("release", "bench parse", "k2", &parse).is_none());
        assert!(base.take("pgo", "bench parse", "k1", &parse).is_none());
        assert!(base.take("release", "bench other", "k1", &parse).is_none());
        // The key matches but the base has nothing of it: measured, not an empty reuse.
        let none = Produced::Artifact("e9".into());
        assert!(base.take("release", "build", "k5", &none).is_none());
    }

    #[test]
    fn a_reused_measurement_keeps_the_commit_it_was_measured_at() {
        let taken = base()
            .take(
                "release",
                "bench old",
                "k3",
                &Produced::Artifact("e3".into()),
            )
            .expect("same key");
        assert_eq!(taken[0].reused_from, Some("a".repeat(40)));
    }

    #[test]
    fn an_input_digest_follows_every_file_under_a_folder_and_refuses_a_missing_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("data/deep")).expect("mkdir");
        std::fs::write(dir.path().join("data/a.toml"), "a = 1").expect("write");
        std::fs::write(dir.path().join("data/deep/b.toml"), "b = 1").expect("write");
        let data = PathBuf::from("data");
        let digest = || inputs_digest(dir.path(), &[&data], "[run.inputs]").expect("digest");
        let first = digest();
        assert_eq!(digest(), first);
        std::fs::write(dir.path().join("data/deep/b.toml"), "b = 2").expect("write");
        let second = digest();
        assert_ne!(second, first, "a file deep under the folder changed");
        std::fs::rename(
            dir.path().join("data/deep/b.toml"),
            dir.path().join("data/deep/c.toml"),
        )
        .expect("rename");
        assert_ne!(digest(), second, "a file's name is part of it");
        let missing = PathBuf::from("nope.toml");
        let err = inputs_digest(dir.path(), &[&missing], "[run.inputs]").expect_err("missing");
        assert!(
            err.to_string()
                .contains("nope.toml` ([run.inputs]) does not exist"),
            "{err}"
        );
    }

    #[test]
    fn keys_differ_when_the_parts_are_split_differently() {
        assert_eq!(key(&["ab", "c"]), key(&["ab", "c"]));
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_ne!(key(&["ab", "c"]), key(&["abc"]));
    }

    #[test]
    fn only_a_clean_whole_baseline_of_the_same_mode_and_environment_lends() {
        let base = base().baseline;
        let env = base.fingerprint.clone();
        assert!(lends_to(&base, &base.mode, &env));
        assert!(!lends_to(&base, "other-mode", &env));
        let mut elsewhere = env.clone();
        elsewhere.kernel.push_str("-other");
        assert!(!lends_to(&base, &base.mode, &elsewhere));
        let mut dirty = base.clone();
        dirty.dirty = true;
        assert!(!lends_to(&dirty, &base.mode, &env));
        let mut sharded = base.clone();
        for run in sharded.profiles.values_mut() {
            run.shard = Some(crate::shard::Shard { index: 1, count: 2 });
        }
        assert!(!lends_to(&sharded, &base.mode, &env));
    }
}
