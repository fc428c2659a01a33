//! The fields of the environment a baseline was measured in, and which metrics a difference in
//! each makes incomparable (`docs/gate.md` §3.1): one [`EnvField`] type, so that no module
//! matches on a field's name or on the words that describe it.

use std::fmt;

use serde::ser::SerializeTuple as _;
use serde::{Serialize, Serializer};

use crate::metric::{Measures, Metric};

/// One field of the environment: a fingerprint field, the measuring mode, or one profile's
/// cargo setting or PGO training command.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EnvField {
    /// `rustc -vV`'s release line.
    Rustc,
    /// The compiler's commit hash.
    RustcCommitHash,
    /// The compiler's LLVM version.
    LlvmVersion,
    /// The host triple.
    Host,
    /// The CPU's model name.
    CpuModel,
    /// The CPU's vendor.
    CpuVendor,
    /// The CPU's family, model and stepping.
    CpuFamilyModelStepping,
    /// The hash of the CPU's feature flags.
    CpuFlags,
    /// The number of cores (recorded only).
    Cores,
    /// The kernel release (recorded only).
    Kernel,
    /// The C library's version.
    Glibc,
    /// valgrind's version.
    Valgrind,
    /// The callgrind bench runner's version.
    CallgrindRunner,
    /// perfgate's own version (recorded only).
    PerfgateVersion,
    /// The hash of Cargo.lock.
    CargoLock,
    /// `RUSTFLAGS` at run time.
    Rustflags,
    /// Quick or full measuring mode (recorded only).
    Mode,
    /// A cargo setting of one profile (`opt-level`, `lto`, ...).
    Setting {
        /// The profile.
        profile: String,
        /// The setting's key.
        key: String,
    },
    /// One profile's PGO training command.
    PgoTraining {
        /// The profile.
        profile: String,
    },
}

/// Which metrics a difference in a field makes incomparable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// None: the field is recorded, never compared.
    RecordedOnly,
    /// Instructions, callgrind events, wall time, start-up and build time (the CPU).
    AllButAllocationsAndSize,
    /// Instructions and callgrind events (valgrind and its runner).
    Callgrind,
    /// Everything that runs libc code: instructions, callgrind, allocations, wall time and
    /// start-up.
    AllButSizeAndBuild,
    /// Every metric.
    Every,
    /// Every metric of the field's profile.
    EveryOfProfile,
}

impl EnvField {
    /// The field's stored name: `rustc`, `cpu_model`, `profiles.release.settings.lto`,
    /// `profiles.pgo.pgo.training`.
    pub fn name(&self) -> String {
        match self {
            EnvField::Setting { profile, key } => format!("profiles.{profile}.settings.{key}"),
            EnvField::PgoTraining { profile } => format!("profiles.{profile}.pgo.training"),
            fixed => fixed.fixed_name().to_string(),
        }
    }

    /// The field's name within its profile, as a series' reason gives it: `settings.lto`,
    /// `pgo.training`, or the stored name of a field that is not a profile's.
    pub fn name_in_profile(&self) -> String {
        match self {
            EnvField::Setting { key, .. } => format!("settings.{key}"),
            EnvField::PgoTraining { .. } => "pgo.training".to_string(),
            fixed => fixed.fixed_name().to_string(),
        }
    }

    /// The profile a field belongs to; `None` for fields of the whole environment.
    pub fn profile(&self) -> Option<&str> {
        match self {
            EnvField::Setting { profile, .. } | EnvField::PgoTraining { profile } => Some(profile),
            _ => None,
        }
    }

    /// Which metrics a difference in this field makes incomparable. Fields not named in the
    /// table of `docs/gate.md` §3.1 (the toolchain, the lock file, `RUSTFLAGS`, the profile's
    /// settings) count for every metric.
    pub fn scope(&self) -> Scope {
        match self {
            EnvField::Cores | EnvField::Kernel | EnvField::PerfgateVersion | EnvField::Mode => {
                Scope::RecordedOnly
            }
            EnvField::CpuModel
            | EnvField::CpuVendor
            | EnvField::CpuFamilyModelStepping
            | EnvField::CpuFlags => Scope::AllButAllocationsAndSize,
            EnvField::Valgrind | EnvField::CallgrindRunner => Scope::Callgrind,
            EnvField::Glibc => Scope::AllButSizeAndBuild,
            EnvField::Setting { .. } | EnvField::PgoTraining { .. } => Scope::EveryOfProfile,
            _ => Scope::Every,
        }
    }

    /// Whether a difference in this field makes `metric` incomparable (`docs/gate.md` §3.1);
    /// a metric perfgate does not know depends on every field but the recorded ones.
    pub fn affects(&self, metric: &Metric) -> bool {
        let what = metric.measures();
        match self.scope() {
            Scope::RecordedOnly => false,
            Scope::AllButAllocationsAndSize => {
                what != Measures::Allocations && what != Measures::Size
            }
            Scope::Callgrind => matches!(what, Measures::Instructions | Measures::Other),
            Scope::AllButSizeAndBuild => matches!(
                what,
                Measures::Instructions | Measures::Allocations | Measures::Time | Measures::Other
            ),
            Scope::Every | Scope::EveryOfProfile => true,
        }
    }

    /// The name of a field that is not a profile's.
    fn fixed_name(&self) -> &'static str {
        match self {
            EnvField::Rustc => "rustc",
            EnvField::RustcCommitHash => "rustc_commit_hash",
            EnvField::LlvmVersion => "llvm_version",
            EnvField::Host => "host",
            EnvField::CpuModel => "cpu_model",
            EnvField::CpuVendor => "cpu_vendor",
            EnvField::CpuFamilyModelStepping => "cpu_family_model_stepping",
            EnvField::CpuFlags => "cpu_flags_sha256",
            EnvField::Cores => "cores",
            EnvField::Kernel => "kernel",
            EnvField::Glibc => "glibc",
            EnvField::Valgrind => "valgrind",
            EnvField::CallgrindRunner => "iai_callgrind_runner",
            EnvField::PerfgateVersion => "perfgate_version",
            EnvField::CargoLock => "cargo_lock_sha256",
            EnvField::Rustflags => "rustflags",
            EnvField::Mode => "mode",
            EnvField::Setting { .. } => "settings",
            EnvField::PgoTraining { .. } => "pgo.training",
        }
    }
}

impl fmt::Display for EnvField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A field whose value differs between the base's and the head's environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvDifference {
    /// The field.
    pub field: EnvField,
    /// The base's value (`none` where absent).
    pub base: String,
    /// The head's value (`none` where absent).
    pub head: String,
}

impl EnvDifference {
    /// A difference of `field`: `base` → `head`.
    pub fn new(field: EnvField, base: impl Into<String>, head: impl Into<String>) -> Self {
        EnvDifference {
            field,
            base: base.into(),
            head: head.into(),
        }
    }
}

/// Stored as `[name, base, head]`.
impl Serialize for EnvDifference {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(3)?;
        tuple.serialize_element(&self.field.name())?;
        tuple.serialize_element(&self.base)?;
        tuple.serialize_element(&self.head)?;
        tuple.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_stored() {
        assert_eq!(EnvField::CallgrindRunner.name(), "iai_callgrind_runner");
        let lto = EnvField::Setting {
            profile: "release".into(),
            key: "lto".into(),
        };
        assert_eq!(lto.name(), "profiles.release.settings.lto");
        assert_eq!(lto.name_in_profile(), "settings.lto");
        assert_eq!(lto.profile(), Some("release"));
        let training = EnvField::PgoTraining {
            profile: "pgo".into(),
        };
        assert_eq!(training.name(), "profiles.pgo.pgo.training");
        assert_eq!(training.name_in_profile(), "pgo.training");
        let json = serde_json::to_string(&EnvDifference::new(EnvField::Kernel, "6.1", "6.2"))
            .expect("JSON");
        assert_eq!(json, r#"["kernel","6.1","6.2"]"#);
    }

    #[test]
    fn which_metrics_each_field_affects() {
        let cpu = EnvField::CpuModel;
        assert!(cpu.affects(&Metric::Instructions) && cpu.affects(&Metric::WallTime));
        assert!(!cpu.affects(&Metric::AllocationsCount) && !cpu.affects(&Metric::BinarySize));
        assert!(EnvField::Valgrind.affects(&Metric::callgrind_event("d1mw")));
        assert!(!EnvField::Valgrind.affects(&Metric::WallTime));
        assert!(EnvField::Glibc.affects(&Metric::AllocationsCount));
        assert!(!EnvField::Glibc.affects(&Metric::BinarySize));
        assert!(!EnvField::Glibc.affects(&Metric::BuildWall));
        for recorded in [EnvField::Kernel, EnvField::Cores, EnvField::Mode] {
            assert_eq!(recorded.scope(), Scope::RecordedOnly);
            assert!(!recorded.affects(&Metric::Instructions));
        }
        assert!(EnvField::CargoLock.affects(&Metric::BinarySize));
        assert!(EnvField::Rustc.affects(&Metric::parse("something_new")));
    }
}
