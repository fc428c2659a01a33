//! The baseline store: one JSON file per measured commit in the baselines directory, and the
//! only code that writes there.
//!
//! The file format is a versioned contract, documented field by field in
//! `docs/baseline-schema.md` (a test here checks that the document's example still reads).
//! Writes are atomic: a baseline is written to a temporary file in the same directory and
//! renamed into place, so a reader never sees half a baseline. Reads check
//! [`SCHEMA_VERSION`] before anything else and refuse other versions. This module does not
//! measure, compare or decide anything: it stores and finds.

mod history;
mod migrate;

pub use history::{Along, along};
pub use migrate::{MigrateError, Migrated, migrate, migrate_dir};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::env_field::EnvField;
use crate::error::{Error, Result};
use crate::fingerprint::Fingerprint;
use crate::git::CommitInfo;
use crate::measure::{Artifact, Measurement, PgoInfo, Unmeasured};

/// The version of the baseline format this perfgate writes and reads. Bumped on every change
/// an older reader would misread (a removed or renamed field, a changed unit or meaning);
/// adding an optional field is not such a change.
pub const SCHEMA_VERSION: u64 = 2;

/// Everything measured at one commit: the contents of one baseline file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The format version, [`SCHEMA_VERSION`] when written by this perfgate.
    pub schema_version: u64,
    /// The version of perfgate that wrote it.
    pub perfgate_version: String,
    /// The commit measured.
    pub commit: CommitInfo,
    /// Whether the work tree had uncommitted changes (the file is then `<sha>-dirty.json`).
    pub dirty: bool,
    /// `quick` or `full`.
    pub mode: String,
    /// When the run finished, in unix seconds.
    pub created: i64,
    /// The target's package name.
    pub target: String,
    /// The environment measured in.
    pub fingerprint: Fingerprint,
    /// Profile name (`release`, `release-lto`, `release-consistent`, `pgo`) → its run.
    pub profiles: BTreeMap<String, ProfileRun>,
    /// The bench targets found but not measured, each with why and the fix (absent when
    /// every bench was measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmeasured: Vec<Unmeasured>,
}

/// The build and measurements of the target under one profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRun {
    /// The profile's resolved cargo settings (`cargo-profile`, `lto`, `codegen-units`...).
    pub settings: BTreeMap<String, String>,
    /// The executables the build produced, hashed.
    pub artifacts: Vec<Artifact>,
    /// What was verified of the PGO build (the `pgo` profile only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgo: Option<PgoInfo>,
    /// Every measurement, sorted by bench, then metric.
    pub measurements: Vec<Measurement>,
    /// The wall-time series measured against another profile of the same commit in paired
    /// rounds (`perfgate run --profile-rounds N`), sorted by bench, then metric; absent when
    /// the profiles were measured one after the other only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paired: Vec<PairedSeries>,
    /// What the run did under this profile, in order, each with its time and, when its
    /// measurements were taken over from an earlier commit, which (absent in baselines written
    /// before steps were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// The shard of the bench targets this run measured (`perfgate run --shard K/N`), until
    /// `perfgate merge` joins the shards; absent for a whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::Shard>,
}

/// One step of a profile's run: the build, the clean builds of the build time, one bench
/// target, the sizes, the start-up and the allocations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What the step did: `build`, `build time`, `bench <target>`, `sizes`, `startup`,
    /// `allocations`.
    pub name: String,
    /// How long it took, in seconds (a reused step took the time to load its measurements).
    pub seconds: f64,
    /// The sha256 of everything the step's measurements depend on (the executable, its
    /// inputs, the settings), when perfgate can name all of it; a later commit whose step has
    /// the same key takes the measurements over instead of measuring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The commit whose measurements this step took over, when it did not measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<String>,
}

/// One series of a profile measured against another profile's build of the same commit, in
/// paired rounds: each round ran both profiles' processes back to back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedSeries {
    /// The bench id.
    pub bench: String,
    /// The metric (`wall_time_ns`, `startup_wall_ns`).
    pub metric: crate::metric::Metric,
    /// The profile measured against (`release`).
    pub against: String,
    /// Per round, ln(this profile's value) − ln(the other's), in round order.
    pub log_ratios: Vec<f64>,
}

/// The file name of the baseline of commit `sha`: `<sha>.json`, or `<sha>-dirty.json` when
/// measured from a dirty work tree.
pub fn file_name(sha: &str, dirty: bool) -> String {
    if dirty {
        format!("{sha}-dirty.json")
    } else {
        format!("{sha}.json")
    }
}

/// Writes `baseline` to `dir` (created if missing) as pretty JSON with a trailing newline,
/// atomically, replacing an earlier baseline of the same commit; returns its path.
///
/// The output is deterministic: maps are `BTreeMap`s and measurements keep their order, so
/// the same baseline always gives the same bytes.
pub fn save(dir: &Path, baseline: &Baseline) -> Result<PathBuf> {
    save_as(
        dir,
        &file_name(&baseline.commit.sha, baseline.dirty),
        baseline,
    )
}

/// The folder of partial baselines inside the baseline folder.
pub const PARTIAL_DIR: &str = "partial";

/// Writes a part of a commit's baseline (some of its profiles, measured by one job of a
/// matrix) as `<dir>/partial/<sha>[-dirty].<profile>+<profile>.json`, atomically.
pub fn save_partial(dir: &Path, baseline: &Baseline) -> Result<PathBuf> {
    let profiles: Vec<&str> = baseline.profiles.keys().map(String::as_str).collect();
    let stem = file_name(&baseline.commit.sha, baseline.dirty);
    let stem = stem.strip_suffix(".json").unwrap_or(&stem);
    let shard = baseline
        .profiles
        .values()
        .find_map(|run| run.shard)
        .map_or_else(String::new, |s| {
            format!(".shard-{}-of-{}", s.index, s.count)
        });
    save_as(
        &dir.join(PARTIAL_DIR),
        &format!("{stem}.{}{shard}.json", profiles.join("+")),
        baseline,
    )
}

/// The partial baselines of commit `sha` in `<dir>/partial/`, sorted.
pub fn partials(dir: &Path, sha: &str) -> Result<Vec<PathBuf>> {
    let (clean, dirty) = (format!("{sha}."), format!("{sha}-dirty."));
    Ok(list(&dir.join(PARTIAL_DIR))?
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&clean) || n.starts_with(&dirty))
        })
        .collect())
}

/// Why the parts of a baseline cannot be joined ([`merge`]): each names the part that differs.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    /// No parts were given.
    #[error("no partial baselines to merge")]
    NoParts,
    /// A part of another target, commit or mode.
    #[error("`{part}` has {what} `{found}`, `{first}` has `{expected}`")]
    Differs {
        /// The part.
        part: String,
        /// The first part, which the others must match.
        first: String,
        /// `target`, `commit` or `mode`.
        what: &'static str,
        /// The first part's value.
        expected: String,
        /// This part's value.
        found: String,
    },
    /// A part of a dirty work tree beside a clean one, or the other way round.
    #[error("`{part}` and `{first}` differ in work-tree state (dirty)")]
    Dirty {
        /// The part.
        part: String,
        /// The first part.
        first: String,
    },
    /// A part measured in another environment.
    #[error("`{part}` was measured in another environment than `{first}`: {}; measure every part on one kind of runner", differences.join(", "))]
    Environment {
        /// The part.
        part: String,
        /// The first part.
        first: String,
        /// Each differing field with both values.
        differences: Vec<String>,
    },
    /// A profile measured by two parts.
    #[error("profile `{profile}` is in more than one part (`{part}`)")]
    ProfileTwice {
        /// The profile.
        profile: String,
        /// The second part that has it.
        part: String,
    },
    /// Shards of one profile that do not make it whole: one missing, or split another way.
    #[error(
        "profile `{profile}` has shards {have} of {count}; measure the missing ones (`perfgate run --shard K/{count}`) or merge shards of one split"
    )]
    Shards {
        /// The profile.
        profile: String,
        /// The shards found, `1/3, 3/3`.
        have: String,
        /// How many there should be.
        count: usize,
    },
}

/// Joins the parts of one commit's baseline into one (pure). The parts must be of one
/// target, commit, work-tree state and mode, measured in one environment (every fingerprint
/// field but `kernel` and `cores`), and name each profile once; the error says which part
/// differs and how.
pub fn merge(parts: &[(String, Baseline)]) -> std::result::Result<Baseline, MergeError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    let mut merged = first.clone();
    for (name, part) in &parts[1..] {
        let same = [
            ("target", &first.target, &part.target),
            ("commit", &first.commit.sha, &part.commit.sha),
            ("mode", &first.mode, &part.mode),
        ];
        for (what, a, b) in same {
            if a != b {
                return Err(MergeError::Differs {
                    part: name.clone(),
                    first: first_name.clone(),
                    what,
                    expected: a.clone(),
                    found: b.clone(),
                });
            }
        }
        if part.dirty != first.dirty {
            return Err(MergeError::Dirty {
                part: name.clone(),
                first: first_name.clone(),
            });
        }
        let differences: Vec<String> = first
            .fingerprint
            .differences(&part.fingerprint)
            .into_iter()
            .filter(|d| !matches!(d.field, EnvField::Kernel | EnvField::Cores))
            .map(|d| format!("{} `{}` vs `{}`", d.field, d.base, d.head))
            .collect();
        if !differences.is_empty() {
            return Err(MergeError::Environment {
                part: name.clone(),
                first: first_name.clone(),
                differences,
            });
        }
        for (profile, run) in &part.profiles {
            match merged.profiles.get_mut(profile) {
                None => {
                    merged.profiles.insert(profile.clone(), run.clone());
                }
                Some(have) => match (&have.shard, &run.shard) {
                    (Some(_), Some(shard)) => join_shard(have, run, *shard),
                    _ => {
                        return Err(MergeError::ProfileTwice {
                            profile: profile.clone(),
                            part: name.clone(),
                        });
                    }
                },
            }
        }
        merged.created = merged.created.max(part.created);
    }
    for (profile, run) in &mut merged.profiles {
        let Some(shard) = run.shard else { continue };
        let mut have: Vec<usize> = shards_of(parts, profile);
        have.sort_unstable();
        have.dedup();
        let counts_agree = parts
            .iter()
            .filter_map(|(_, b)| b.profiles.get(profile).and_then(|r| r.shard))
            .all(|s| s.count == shard.count);
        if !counts_agree || have != (1..=shard.count).collect::<Vec<_>>() {
            let listed: Vec<String> = parts
                .iter()
                .filter_map(|(_, b)| b.profiles.get(profile).and_then(|r| r.shard))
                .map(|s| s.to_string())
                .collect();
            return Err(MergeError::Shards {
                profile: profile.clone(),
                have: listed.join(", "),
                count: shard.count,
            });
        }
        run.shard = None;
        run.measurements
            .sort_by(|a, b| (&a.bench, &a.metric).cmp(&(&b.bench, &b.metric)));
    }
    Ok(merged)
}

/// The shard indices of `profile` among the parts.
fn shards_of(parts: &[(String, Baseline)], profile: &str) -> Vec<usize> {
    parts
        .iter()
        .filter_map(|(_, b)| b.profiles.get(profile).and_then(|r| r.shard))
        .map(|s| s.index)
        .collect()
}

/// Adds shard `shard`'s measurements and steps of one profile to the run joined so far. Each
/// shard built the profile itself; the artifacts, settings and PGO checks stay the lowest
/// shard's (every measurement names its own executable's sha256).
fn join_shard(have: &mut ProfileRun, run: &ProfileRun, shard: crate::shard::Shard) {
    if let Some(own) = have.shard {
        for step in &mut have.steps {
            if step.name == "build" {
                step.name = format!("build (shard {own})");
            }
        }
    }
    have.measurements.extend(run.measurements.iter().cloned());
    have.paired.extend(run.paired.iter().cloned());
    let lower = have.shard.is_some_and(|s| shard.index < s.index);
    let mut steps = run.steps.clone();
    for step in &mut steps {
        if step.name == "build" {
            step.name = format!("build (shard {shard})");
        }
    }
    have.steps.extend(steps);
    if lower {
        have.artifacts.clone_from(&run.artifacts);
        have.pgo.clone_from(&run.pgo);
        have.shard = Some(shard);
    }
}

/// Writes `baseline` as `dir/name`, atomically.
pub(crate) fn save_as(dir: &Path, name: &str, baseline: &Baseline) -> Result<PathBuf> {
    let path = dir.join(name);
    let mut text = serde_json::to_string_pretty(baseline)
        .expect("a baseline has string keys and finite numbers, so it serialises");
    text.push('\n');
    crate::atomic::write(&path, text.as_bytes())?;
    Ok(path)
}

/// Reads a baseline file.
///
/// The schema version is checked first, on the bare JSON, so that a baseline of another
/// version is reported as such ([`Error::SchemaVersion`]) rather than as whichever field
/// happens not to fit. Anything else wrong (not JSON, a missing or mistyped field) is
/// [`Error::BaselineCorrupt`], with serde's message and its line and column.
pub fn load(path: &Path) -> Result<Baseline> {
    let text = fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let corrupt = |message: String| Error::BaselineCorrupt {
        path: path.to_path_buf(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| corrupt(format!("not JSON: {e}")))?;
    let version = value
        .get("schema_version")
        .ok_or_else(|| corrupt("no `schema_version`".to_string()))?;
    let found = version
        .as_u64()
        .ok_or_else(|| corrupt(format!("`schema_version` is {version}, not a whole number")))?;
    if found != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    // Parsed from the text again, not from `value`, so the error has a line and column.
    serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))
}

/// The baseline in `dir` of the commit whose sha is, or starts with, `sha_or_prefix`
/// (case-insensitive). A clean baseline (`<sha>.json`) is preferred over a dirty one
/// (`<sha>-dirty.json`). `None` when no baseline matches, or the prefix is empty.
///
/// A prefix that matches baselines of several commits is an [`Error::ConfigInvalid`] naming
/// the baselines directory, the prefix and the candidates (no variant fits better: it is
/// neither a corrupt baseline nor a git error).
pub fn find(dir: &Path, sha_or_prefix: &str) -> Result<Option<PathBuf>> {
    let prefix = sha_or_prefix.trim().to_ascii_lowercase();
    if prefix.is_empty() {
        return Ok(None);
    }
    // sha → (clean, dirty)
    let mut found: BTreeMap<String, (Option<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
    for path in list(dir)? {
        let Some((sha, dirty)) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_file_name)
        else {
            continue;
        };
        if sha.starts_with(&prefix) {
            let entry = found.entry(sha.to_string()).or_default();
            if dirty {
                entry.1 = Some(path);
            } else {
                entry.0 = Some(path);
            }
        }
    }
    if found.len() > 1 {
        let candidates: Vec<String> = found.keys().map(|sha| format!("`{sha}`")).collect();
        return Err(Error::ConfigInvalid {
            path: dir.to_path_buf(),
            key: sha_or_prefix.to_string(),
            problem: format!(
                "matches the baselines of several commits ({}); give more characters of the sha",
                candidates.join(", ")
            ),
        });
    }
    Ok(found
        .into_values()
        .next()
        .and_then(|(clean, dirty)| clean.or(dirty)))
}

/// The `*.json` files in `dir`, sorted by name; an empty list if `dir` does not exist.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let list_error = |source| Error::Io {
        action: "list",
        path: dir.to_path_buf(),
        source,
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(list_error(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(list_error)?.path();
        if path.extension().is_some_and(|ext| ext == "json") && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `(sha, dirty)` of a baseline file name, or `None` if the name is not one
/// ([`file_name`]'s inverse).
pub fn parse_file_name(name: &str) -> Option<(&str, bool)> {
    let stem = name.strip_suffix(".json")?;
    let (sha, dirty) = match stem.strip_suffix("-dirty") {
        Some(sha) => (sha, true),
        None => (stem, false),
    };
    let is_sha = !sha.is_empty()
        && sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    is_sha.then_some((sha, dirty))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::measure::{Interval, Unit};

    const SHA: &str = "3f2a9c0d1b4e5f60718293a4b5c6d7e8f9012345";

    fn fingerprint() -> Fingerprint {
        crate::fingerprint::test_fixture()
    }

    fn baseline(sha: &str, dirty: bool) -> Baseline {
        let wall = Measurement {
            interval: Some(Interval {
                lower: 1180.5,
                upper: 1230.25,
                confidence: 0.95,
            }),
            ..Measurement::sampled(
                "parse/small/config-core",
                "wall_time_ns",
                Unit::Nanoseconds,
                1204.75,
                vec![1190.0, 1204.75, 1222.5],
            )
            .with_artifact(Some("cd".repeat(32)))
        };
        let run = ProfileRun {
            settings: [("cargo-profile".to_string(), "release".to_string())].into(),
            artifacts: vec![Artifact {
                name: "parse".into(),
                kind: "bench".into(),
                path: "release/deps/parse-0123abcd".into(),
                size_bytes: 4_200_000,
                sha256: "cd".repeat(32),
            }],
            pgo: None,
            measurements: vec![
                wall,
                Measurement::exact(
                    "iai::parse.small",
                    "instructions",
                    Unit::Instructions,
                    38966.0,
                ),
            ],
            paired: Vec::new(),
            steps: Vec::new(),
            shard: None,
        };
        Baseline {
            schema_version: SCHEMA_VERSION,
            perfgate_version: "0.1.0".into(),
            commit: CommitInfo {
                sha: sha.into(),
                parents: vec!["1".repeat(40)],
                subject: "parse: faster keys".into(),
                time: 1_760_000_000,
                author: "Ada".into(),
            },
            dirty,
            mode: "quick".into(),
            created: 1_760_000_500,
            target: "config-core".into(),
            fingerprint: fingerprint(),
            profiles: [("release".to_string(), run)].into(),
            unmeasured: Vec::new(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn file_names_and_their_inverse() {
        assert_eq!(file_name(SHA, false), format!("{SHA}.json"));
        assert_eq!(file_name(SHA, true), format!("{SHA}-dirty.json"));
        assert_eq!(parse_file_name(&file_name(SHA, true)), Some((SHA, true)));
        assert_eq!(parse_file_name(&file_name(SHA, false)), Some((SHA, false)));
        assert_eq!(parse_file_name("notes.json"), None);
        assert_eq!(parse_file_name("-dirty.json"), None);
        assert_eq!(parse_file_name(&format!("{SHA}.json.tmp")), None);
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let into = dir.path().join("baselines");
        let original = baseline(SHA, false);
        let path = save(&into, &original).expect("save");
        assert_eq!(path, into.join(format!("{SHA}.json")));
        assert_eq!(load(&path).expect("load"), original);
        let text = fs::read_to_string(&path).expect("read");
        assert!(
            text.ends_with("}\n") && !text.ends_with("\n\n"),
            "one trailing newline"
        );
        assert!(text.starts_with("{\n  \"schema_version\": 2,\n"), "{text}");

        // Saving again replaces the file with the same bytes; no temporary file is left.
        save(&into, &original).expect("save again");
        assert_eq!(fs::read_to_string(&path).expect("read"), text);
        save(&into, &baseline(SHA, true)).expect("save dirty");
        assert_eq!(
            names(&into),
            vec![format!("{SHA}-dirty.json"), format!("{SHA}.json")]
        );
    }

    #[test]
    fn corrupt_and_foreign_baselines_are_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(format!("{SHA}.json"));

        fs::write(&path, "{\"schema_version\": 1,\n  \"commit\": ").expect("write");
        let err = load(&path).expect_err("truncated");
        assert!(matches!(err, Error::BaselineCorrupt { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "baseline `{}` is corrupt: not JSON:",
                path.display()
            )),
            "{text}"
        );
        assert!(text.contains("line 2 column"), "{text}");

        let mut value = serde_json::to_value(baseline(SHA, false)).expect("value");
        value["fingerprint"]
            .as_object_mut()
            .expect("object")
            .remove("rustc");
        fs::write(&path, serde_json::to_string_pretty(&value).expect("json")).expect("write");
        let text = load(&path).expect_err("missing field").to_string();
        assert!(text.contains("missing field `rustc` at line"), "{text}");

        fs::write(&path, "{\"commit\": {}}").expect("write");
        let text = load(&path).expect_err("no version").to_string();
        assert!(text.contains("is corrupt: no `schema_version`"), "{text}");

        value["schema_version"] = serde_json::json!(99);
        value["something_new"] = serde_json::json!({"a": 1});
        fs::write(&path, value.to_string()).expect("write");
        let err = load(&path).expect_err("newer schema");
        assert!(
            matches!(
                err,
                Error::SchemaVersion {
                    found: 99,
                    supported: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "baseline `{}` has schema version 99, this perfgate reads 2; it was written by a newer perfgate: upgrade perfgate, or re-run `perfgate run` on that commit",
                path.display()
            )
        );

        let err = load(&dir.path().join("missing.json")).expect_err("missing");
        assert!(matches!(err, Error::Io { action: "read", .. }), "{err:?}");
    }

    #[test]
    fn find_by_sha_or_prefix_prefers_clean_baselines() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        assert_eq!(
            list(&root.join("absent")).expect("missing dir"),
            Vec::<PathBuf>::new()
        );
        assert_eq!(
            find(&root.join("absent"), "3f2a").expect("missing dir"),
            None
        );

        let other = "3f2b000000000000000000000000000000000000";
        save(root, &baseline(SHA, true)).expect("save");
        assert_eq!(
            find(root, "3f2a9").expect("find"),
            Some(root.join(format!("{SHA}-dirty.json"))),
            "a dirty baseline when there is no clean one"
        );
        save(root, &baseline(SHA, false)).expect("save");
        save(root, &baseline(other, false)).expect("save");
        fs::write(root.join("README.md"), "not a baseline").expect("write");
        fs::write(root.join("notes.json"), "{}").expect("write");

        let clean = Some(root.join(format!("{SHA}.json")));
        assert_eq!(find(root, SHA).expect("full sha"), clean);
        assert_eq!(find(root, "3F2A9C").expect("any case"), clean);
        assert_eq!(
            find(root, "3f2b").expect("other"),
            Some(root.join(format!("{other}.json")))
        );
        assert_eq!(find(root, "ffff").expect("none"), None);
        assert_eq!(find(root, "").expect("empty"), None);

        let err = find(root, "3f2").expect_err("ambiguous");
        assert!(matches!(err, Error::ConfigInvalid { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.ends_with(&format!(
                "`3f2` matches the baselines of several commits (`{SHA}`, `{other}`); give more characters of the sha"
            )),
            "{text}"
        );

        let listed: Vec<String> = list(root)
            .expect("list")
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            listed,
            [
                format!("{SHA}-dirty.json"),
                format!("{SHA}.json"),
                format!("{other}.json"),
                "notes.json".to_string(),
            ]
        );
    }

    /// The one ```json block of `docs/baseline-schema.md`.
    pub(crate) fn documented_example() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/baseline-schema.md");
        let doc = fs::read_to_string(path).expect("docs/baseline-schema.md exists");
        let mut blocks = doc.split("```json\n").skip(1);
        let block = blocks.next().expect("the schema doc has a ```json example");
        assert!(
            blocks.next().is_none(),
            "the schema doc has one ```json block"
        );
        block
            .split("\n```")
            .next()
            .expect("split yields at least one piece")
            .to_string()
    }

    /// The JSON pointer of the first place `a` and `b` differ, with both values there.
    fn first_difference(
        a: &serde_json::Value,
        b: &serde_json::Value,
        at: String,
    ) -> Option<String> {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                x.keys()
                    .chain(y.keys())
                    .find_map(|k| match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => first_difference(u, v, format!("{at}/{k}")),
                        (u, v) => Some(format!("{at}/{k}: {u:?} vs {v:?}")),
                    })
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (u, v))| first_difference(u, v, format!("{at}/{i}"))),
            _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
        }
    }

    #[test]
    fn the_documented_example_is_a_baseline() {
        let text = documented_example();
        let baseline: Baseline = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("docs/baseline-schema.md example: {e}"));
        assert_eq!(baseline.schema_version, SCHEMA_VERSION);
        let as_written: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let read_back = serde_json::to_value(&baseline).expect("serialise");
        assert_eq!(
            first_difference(&as_written, &read_back, String::new()),
            None,
            "docs/baseline-schema.md example vs. the same read into `Baseline` and written back \
             (an unknown field, or an integer where perfgate writes a float?)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let path = save(dir.path(), &baseline).expect("save");
        assert_eq!(load(&path).expect("load"), baseline);
    }

    /// The part of `baseline(SHA, false)` holding only `profile` (renamed from `release`).
    fn part(profile: &str) -> Baseline {
        let mut b = baseline(SHA, false);
        let run = b.profiles.remove("release").expect("release");
        b.profiles.clear();
        b.profiles.insert(profile.to_string(), run);
        b
    }

    #[test]
    fn parts_of_one_commit_merge_into_one_baseline() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = part("release");
        let mut b = part("pgo");
        b.created += 10;
        b.fingerprint.kernel = "another kernel".into();
        let pa = save_partial(dir.path(), &a).expect("saved");
        let pb = save_partial(dir.path(), &b).expect("saved");
        assert_eq!(
            pa.file_name().and_then(|n| n.to_str()),
            Some(format!("{SHA}.release.json").as_str())
        );
        assert_eq!(
            partials(dir.path(), SHA).expect("listed"),
            vec![pb.clone(), pa.clone()]
        );
        assert!(
            find(dir.path(), SHA).expect("no error").is_none(),
            "a part is not a baseline"
        );
        let merged = merge(&[("a".into(), a.clone()), ("b".into(), b.clone())]).expect("merged");
        assert_eq!(merged.profiles.len(), 2);
        assert_eq!(merged.created, b.created);
    }

    /// Shard `index` of `count` of the release part, holding `measurement` only.
    fn shard(index: usize, count: usize, measurement: usize) -> Baseline {
        let mut b = part("release");
        let run = b.profiles.get_mut("release").expect("release");
        let m = run.measurements[measurement].clone();
        run.measurements = vec![m];
        run.shard = Some(crate::shard::Shard { index, count });
        run.steps = vec![Step {
            name: "build".into(),
            seconds: index as f64,
            key: None,
            reused_from: None,
        }];
        b
    }

    #[test]
    fn the_shards_of_a_profile_join_into_one_run() {
        let whole = part("release");
        assert!(whole.profiles["release"].measurements.len() >= 2);
        let dir = tempfile::tempdir().expect("temp dir");
        let saved = save_partial(dir.path(), &shard(2, 2, 1)).expect("saved");
        assert_eq!(
            saved.file_name().and_then(|n| n.to_str()),
            Some(format!("{SHA}.release.shard-2-of-2.json").as_str())
        );
        let merged = merge(&[
            ("two".into(), shard(2, 2, 1)),
            ("one".into(), shard(1, 2, 0)),
        ])
        .expect("merged");
        let run = &merged.profiles["release"];
        assert_eq!(run.shard, None, "whole again");
        let benches: Vec<&str> = run.measurements.iter().map(|m| m.bench.as_str()).collect();
        let mut expected: Vec<&str> = whole.profiles["release"].measurements[..2]
            .iter()
            .map(|m| m.bench.as_str())
            .collect();
        expected.sort_unstable();
        assert_eq!(benches, expected, "both shards' measurements, sorted");
        let steps: Vec<&str> = run.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(steps, ["build (shard 2/2)", "build (shard 1/2)"]);
    }

    #[test]
    fn shards_that_do_not_make_a_whole_are_refused() {
        let err = merge(&[
            ("one".into(), shard(1, 3, 0)),
            ("three".into(), shard(3, 3, 1)),
        ])
        .expect_err("2/3 missing");
        assert_eq!(
            err.to_string(),
            "profile `release` has shards 1/3, 3/3 of 3; measure the missing ones (`perfgate run --shard K/3`) or merge shards of one split"
        );
        let err = merge(&[
            ("one".into(), shard(1, 2, 0)),
            ("two".into(), shard(2, 3, 1)),
        ])
        .expect_err("two splits");
        assert!(matches!(err, MergeError::Shards { .. }), "{err}");
        let err = merge(&[
            ("whole".into(), part("release")),
            ("one".into(), shard(1, 2, 0)),
        ])
        .expect_err("a whole run and a shard");
        assert!(matches!(err, MergeError::ProfileTwice { .. }), "{err}");
    }

    #[test]
    fn parts_that_do_not_fit_are_refused() {
        let a = part("release");
        let mut other_cpu = part("pgo");
        other_cpu.fingerprint.cpu_model = "Another CPU".into();
        let err = merge(&[("a".into(), a.clone()), ("b".into(), other_cpu)]).expect_err("refused");
        assert!(matches!(&err, MergeError::Environment { part, .. } if part == "b"));
        let err = err.to_string();
        assert!(
            err.contains("another environment") && err.contains("cpu_model"),
            "{err}"
        );
        let err = merge(&[("a".into(), a.clone()), ("b".into(), a.clone())]).expect_err("twice");
        assert_eq!(
            err,
            MergeError::ProfileTwice {
                profile: "release".into(),
                part: "b".into()
            }
        );
        let mut other_commit = part("pgo");
        other_commit.commit.sha = "0".repeat(40);
        let err =
            merge(&[("a".into(), a.clone()), ("b".into(), other_commit)]).expect_err("commit");
        assert!(err.to_string().contains("has commit"), "{err}");
        assert_eq!(merge(&[]).expect_err("none"), MergeError::NoParts);
    }
}
