//! Rewrites baselines of an older schema version into the current one (`perfgate migrate`),
//! as `docs/baseline-schema.md`'s policy asks: never silently, each file atomically, the old
//! version's fields checked before anything is written.
//!
//! - 1 → 2: `profiles.<name>.pgo.differs_from_release` is removed (it was always `true`: a PGO
//!   build identical to `release` fails verification and is never stored).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};

use super::{Baseline, SCHEMA_VERSION, list, save_as};

/// What a migration of a folder did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// The files rewritten.
    pub rewritten: Vec<PathBuf>,
    /// The files already at the current version.
    pub current: usize,
}

/// Migrates every baseline in `dir` to [`SCHEMA_VERSION`]. A file of an unknown or newer
/// version, or one that is not a baseline, is an error naming it; files before it in the
/// folder's order stay migrated (each is whole, old or new).
pub fn migrate_dir(dir: &Path) -> Result<Migrated> {
    let mut out = Migrated::default();
    for path in list(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| Error::BaselineCorrupt {
            path: path.clone(),
            message: format!("not JSON: {e}"),
        })?;
        let found = value.get("schema_version").and_then(Value::as_u64);
        if found == Some(SCHEMA_VERSION) {
            out.current += 1;
            continue;
        }
        let migrated = migrate(value).map_err(|e| Error::BaselineCorrupt {
            path: path.clone(),
            message: e.to_string(),
        })?;
        // It must read as a current baseline before it replaces the old file, and it is
        // written as `perfgate run` writes one.
        let baseline: Baseline =
            serde_json::from_value(migrated).map_err(|e| Error::BaselineCorrupt {
                path: path.clone(),
                message: format!("migrated, it still does not read: {e}"),
            })?;
        let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        else {
            continue;
        };
        save_as(dir, name, &baseline)?;
        out.rewritten.push(path);
    }
    Ok(out)
}

/// Why a baseline cannot be migrated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MigrateError {
    /// No version to start from.
    #[error("no whole-number `schema_version`")]
    NoVersion,
    /// A version no migration starts from.
    #[error("schema version {0} cannot be migrated: this perfgate migrates 1 to {SCHEMA_VERSION}")]
    Unknown(u64),
}

/// One baseline, as JSON, from its version to [`SCHEMA_VERSION`].
pub fn migrate(mut value: Value) -> std::result::Result<Value, MigrateError> {
    let found = value
        .get("schema_version")
        .and_then(Value::as_u64)
        .ok_or(MigrateError::NoVersion)?;
    match found {
        1 => {
            if let Some(profiles) = value.get_mut("profiles").and_then(Value::as_object_mut) {
                for run in profiles.values_mut() {
                    if let Some(pgo) = run.get_mut("pgo").and_then(Value::as_object_mut) {
                        pgo.remove("differs_from_release");
                    }
                }
            }
            value["schema_version"] = Value::from(2);
            Ok(value)
        }
        v if v == SCHEMA_VERSION => Ok(value),
        v => Err(MigrateError::Unknown(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_one_loses_the_field_that_was_always_true() {
        let v1 = serde_json::json!({
            "schema_version": 1,
            "profiles": {
                "pgo": { "pgo": { "training": "benches", "differs_from_release": true } },
                "release": { "pgo": null }
            }
        });
        let v2 = migrate(v1).expect("migrates");
        assert_eq!(v2["schema_version"], 2);
        assert_eq!(
            v2["profiles"]["pgo"]["pgo"],
            serde_json::json!({ "training": "benches" })
        );
        assert_eq!(migrate(v2.clone()).expect("current"), v2);
        let err = migrate(serde_json::json!({ "schema_version": 7 })).expect_err("unknown");
        assert_eq!(err, MigrateError::Unknown(7));
        assert!(
            err.to_string()
                .contains("schema version 7 cannot be migrated"),
            "{err}"
        );
        assert_eq!(
            migrate(serde_json::json!({})).expect_err("none"),
            MigrateError::NoVersion
        );
    }
}
