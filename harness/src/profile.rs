//! The profile matrix: the four ways perfgate builds a target, and the cargo settings each
//! injects with `cargo --config` (never by editing the target's `Cargo.toml`).
//!
//! The stored profile name ([`Profile::name`]) is part of every series key, so it is a stable
//! string; the CLI's spelling is parsed into it by [`Profile::parse`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A way of building the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// The crate's own `release` profile, as it is.
    Release,
    /// `release` with fat LTO and one codegen unit.
    ReleaseLto,
    /// `release` with one codegen unit, no incremental compilation and a fixed job count, so
    /// that builds (and build times) are reproducible.
    ReleaseConsistent,
    /// `release` built with profile-guided optimisation from a training run.
    Pgo,
}

/// The order of stored profile names in a report's lines and columns: release, release-lto,
/// release-consistent, pgo, then any other by name.
pub fn rank(name: &str) -> (usize, String) {
    (
        Profile::ALL
            .iter()
            .position(|p| p.name() == name)
            .unwrap_or(usize::MAX),
        name.to_string(),
    )
}

impl Profile {
    /// Every profile, in the order perfgate builds them.
    pub const ALL: [Profile; 4] = [
        Profile::Release,
        Profile::ReleaseLto,
        Profile::ReleaseConsistent,
        Profile::Pgo,
    ];

    /// The stored name: `release`, `release-lto`, `release-consistent`, `pgo`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Release => "release",
            Profile::ReleaseLto => "release-lto",
            Profile::ReleaseConsistent => "release-consistent",
            Profile::Pgo => "pgo",
        }
    }

    /// Parses a stored or command-line name.
    pub fn parse(name: &str) -> Result<Profile, Error> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == name.trim())
            .ok_or_else(|| Error::UnknownProfile {
                name: name.to_string(),
                known: Profile::ALL
                    .iter()
                    .map(|p| format!("`{}`", p.name()))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Parses a comma-separated list (`release,pgo`), keeping order and dropping repeats.
    pub fn parse_list(list: &str) -> Result<Vec<Profile>, Error> {
        let mut out = Vec::new();
        for name in list.split(',').filter(|s| !s.trim().is_empty()) {
            let p = Profile::parse(name)?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// The cargo profile that `cargo build --profile` is given. The injected profiles get
    /// perfgate's own names, so they never clash with one the target defines.
    pub fn cargo_profile(self) -> &'static str {
        match self {
            Profile::Release | Profile::Pgo => "release",
            Profile::ReleaseLto => "perfgate-release-lto",
            Profile::ReleaseConsistent => "perfgate-release-consistent",
        }
    }

    /// The `--config` values that define the cargo profile (empty for `release` and `pgo`,
    /// which use the crate's `release`; PGO adds its flags through `RUSTFLAGS`).
    pub fn cargo_config(self) -> Vec<String> {
        let p = self.cargo_profile();
        match self {
            Profile::Release | Profile::Pgo => Vec::new(),
            Profile::ReleaseLto => vec![
                format!("profile.{p}.inherits=\"release\""),
                format!("profile.{p}.lto=\"fat\""),
                format!("profile.{p}.codegen-units=1"),
            ],
            Profile::ReleaseConsistent => vec![
                format!("profile.{p}.inherits=\"release\""),
                format!("profile.{p}.codegen-units=1"),
                format!("profile.{p}.incremental=false"),
            ],
        }
    }

    /// The profile settings as recorded in the baseline's fingerprint.
    pub fn settings(self) -> Vec<(String, String)> {
        let mut out = vec![(
            "cargo-profile".to_string(),
            self.cargo_profile().to_string(),
        )];
        for c in self.cargo_config() {
            if let Some((k, v)) = c.split_once('=') {
                let key = k.rsplit('.').next().unwrap_or(k).to_string();
                if key != "inherits" {
                    out.push((key, v.trim_matches('"').to_string()));
                }
            }
        }
        if self == Profile::Pgo {
            out.push(("pgo".to_string(), "profile-use".to_string()));
        }
        out
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for p in Profile::ALL {
            assert_eq!(Profile::parse(p.name()).expect("known"), p);
        }
        let err = Profile::parse("fast").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "unknown profile `fast`; the profiles are `release`, `release-lto`, `release-consistent`, `pgo`"
        );
        assert_eq!(
            Profile::parse_list("pgo, release,pgo").expect("known"),
            vec![Profile::Pgo, Profile::Release]
        );
    }

    #[test]
    fn injected_profiles_inherit_release() {
        let lto = Profile::ReleaseLto.cargo_config();
        assert!(lto.contains(&"profile.perfgate-release-lto.lto=\"fat\"".to_string()));
        assert!(Profile::Release.cargo_config().is_empty());
        assert_eq!(
            Profile::ReleaseConsistent.settings(),
            vec![
                ("cargo-profile".into(), "perfgate-release-consistent".into()),
                ("codegen-units".into(), "1".into()),
                ("incremental".into(), "false".into()),
            ]
        );
    }
}
