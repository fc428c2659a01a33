//! The environment fingerprint: everything about the machine and toolchain that can move a
//! measurement without the code changing (compiler, LLVM, CPU, libc, valgrind, the
//! iai-callgrind runner, Cargo.lock, `RUSTFLAGS`). Every baseline records one, so that
//! `compare` can call a pair measured in different environments `incomparable` instead of
//! regressed (see the gate rules, §2.2).
//!
//! This module only collects and records; which fields matter for which metric is decided by
//! `compare`. The parsers of tool output are pure functions tested on fixture texts; the
//! collection around them reads `/proc` and runs the tools through [`crate::process`]. Also
//! home of the sha256 helpers the other modules share.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::builds::toolchain::Toolchain;
use crate::env_field::{EnvDifference, EnvField};
use crate::error::{Error, Result};
use crate::process::{self, hint};

/// What a field holds when the source that should give it says nothing.
/// The value of a field that could not be read.
pub const UNKNOWN: &str = "unknown";

/// The environment a baseline was measured in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The first line of `rustc -vV`: `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub rustc: String,
    /// rustc's full commit hash (`commit-hash:`).
    pub rustc_commit_hash: String,
    /// The LLVM version rustc was built with: `22.1.2`.
    pub llvm_version: String,
    /// rustc's host triple: `x86_64-unknown-linux-gnu`.
    pub host: String,
    /// The CPU's model name (`/proc/cpuinfo` `model name`).
    pub cpu_model: String,
    /// The CPU vendor (`vendor_id`, or `CPU implementer` on ARM).
    pub cpu_vendor: String,
    /// `family/model/stepping` (x86), or `architecture/variant/part/revision` (ARM).
    pub cpu_family_model_stepping: String,
    /// The sha256 of the CPU's feature flags, sorted, deduplicated and joined by spaces.
    pub cpu_flags_sha256: String,
    /// The number of logical processors.
    pub cores: usize,
    /// The kernel release (`uname -r`).
    pub kernel: String,
    /// The glibc version (`2.36`), from `ldd --version`; `None` if that fails (no glibc).
    pub glibc: Option<String>,
    /// `valgrind --version`: `valgrind-3.19.0`; `None` if valgrind is not installed.
    pub valgrind: Option<String>,
    /// The installed iai-callgrind (or gungraun) runner, as `cargo install --list` names it:
    /// `iai-callgrind-runner v0.16.1`; several are joined by `, `. `None` if none is installed.
    pub iai_callgrind_runner: Option<String>,
    /// The version of perfgate that measured.
    pub perfgate_version: String,
    /// The sha256 of the target's Cargo.lock; `None` if it has none.
    pub cargo_lock_sha256: Option<String>,
    /// `RUSTFLAGS` at run time; `None` if unset or empty.
    pub rustflags: Option<String>,
}

impl Fingerprint {
    /// Whether two baselines were measured in one environment class: the same toolchain,
    /// host, CPU model and valgrind. Noise fences and trend segments never span two classes.
    pub fn same_environment(&self, other: &Fingerprint) -> bool {
        self.rustc == other.rustc
            && self.host == other.host
            && self.cpu_model == other.cpu_model
            && self.valgrind == other.valgrind
    }

    /// The fields in which `self` and `other` differ, with this value and the other value, in
    /// field order. Absent optional values read `none`.
    pub fn differences(&self, other: &Fingerprint) -> Vec<EnvDifference> {
        let fields = |f: &Fingerprint| -> [(EnvField, String); 16] {
            let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
            [
                (EnvField::Rustc, f.rustc.clone()),
                (EnvField::RustcCommitHash, f.rustc_commit_hash.clone()),
                (EnvField::LlvmVersion, f.llvm_version.clone()),
                (EnvField::Host, f.host.clone()),
                (EnvField::CpuModel, f.cpu_model.clone()),
                (EnvField::CpuVendor, f.cpu_vendor.clone()),
                (
                    EnvField::CpuFamilyModelStepping,
                    f.cpu_family_model_stepping.clone(),
                ),
                (EnvField::CpuFlags, f.cpu_flags_sha256.clone()),
                (EnvField::Cores, f.cores.to_string()),
                (EnvField::Kernel, f.kernel.clone()),
                (EnvField::Glibc, opt(&f.glibc)),
                (EnvField::Valgrind, opt(&f.valgrind)),
                (EnvField::CallgrindRunner, opt(&f.iai_callgrind_runner)),
                (EnvField::PerfgateVersion, f.perfgate_version.clone()),
                (EnvField::CargoLock, opt(&f.cargo_lock_sha256)),
                (EnvField::Rustflags, opt(&f.rustflags)),
            ]
        };
        fields(self)
            .into_iter()
            .zip(fields(other))
            .filter(|((_, a), (_, b))| a != b)
            .map(|((field, a), (_, b))| EnvDifference::new(field, a, b))
            .collect()
    }
}

/// Collects the fingerprint of this machine for a target whose lock file is `cargo_lock`.
///
/// The compiler's fields come from `toolchain`, the one the target builds with (see
/// [`Toolchain`]). A missing valgrind, glibc or runner is recorded as `None`. Unreadable
/// `/proc` files give `unknown` fields.
pub fn collect(cargo_lock: &Path, toolchain: &Toolchain) -> Result<Fingerprint> {
    let rustc = toolchain.version.clone();
    let rustc_commit_hash = toolchain.commit_hash.clone();
    let llvm_version = toolchain.llvm_version.clone();
    let host = toolchain.host.clone();

    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let (cpu_vendor, cpu_model, cpu_family_model_stepping, cpu_flags_sha256, mut cores) =
        parse_cpuinfo(&cpuinfo);
    if cores == 0 {
        cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    }
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| UNKNOWN.to_string());

    let glibc = process::first_line("ldd", &["--version"], "")
        .ok()
        .and_then(|line| parse_ldd_version(&line));
    let valgrind = process::first_line("valgrind", &["--version"], hint::VALGRIND)
        .ok()
        .filter(|v| !v.is_empty());
    let iai_callgrind_runner = process::run(
        Command::new("cargo").args(["install", "--list"]),
        hint::RUST,
    )
    .ok()
    .and_then(|out| parse_install_list(&String::from_utf8_lossy(&out.stdout)));

    let cargo_lock_sha256 = match sha256_file(cargo_lock) {
        Ok(sha) => Some(sha),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let rustflags = std::env::var("RUSTFLAGS")
        .ok()
        .filter(|f| !f.trim().is_empty());

    Ok(Fingerprint {
        rustc,
        rustc_commit_hash,
        llvm_version,
        host,
        cpu_model,
        cpu_vendor,
        cpu_family_model_stepping,
        cpu_flags_sha256,
        cores,
        kernel,
        glibc,
        valgrind,
        iai_callgrind_runner,
        perfgate_version: env!("CARGO_PKG_VERSION").to_string(),
        cargo_lock_sha256,
        rustflags,
    })
}

/// Reads `/proc/cpuinfo`: `(vendor, model name, family/model/stepping, flags sha256,
/// logical processors)`.
///
/// The first processor's block describes the CPU (all processors of a machine report the
/// same identity); the processor count is the number of `processor` lines. ARM kernels
/// report `CPU implementer`, `CPU architecture/variant/part/revision` and `Features` instead
/// of the x86 fields, and are read as such. Missing fields read `unknown`.
pub fn parse_cpuinfo(text: &str) -> (String, String, String, String, usize) {
    let pairs = || {
        text.lines().filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            Some((key.trim(), value.trim()))
        })
    };
    let cores = pairs().filter(|(k, _)| *k == "processor").count();
    // The first block: up to the first blank line after some content.
    let first: Vec<(&str, &str)> = {
        let block = text.trim_start().split("\n\n").next().unwrap_or_default();
        block
            .lines()
            .filter_map(|line| {
                let (key, value) = line.split_once(':')?;
                Some((key.trim(), value.trim()))
            })
            .collect()
    };
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| first.iter().find(|(k, _)| k == key).map(|(_, v)| *v))
            // ARM puts `Hardware` and `Serial` in a trailing block, outside the first one.
            .or_else(|| {
                keys.iter()
                    .find_map(|key| pairs().find(|(k, _)| k == key).map(|(_, v)| v))
            })
            .filter(|v| !v.is_empty())
    };
    let vendor = get(&["vendor_id", "CPU implementer"]).unwrap_or(UNKNOWN);
    let model = get(&["model name", "Processor", "Hardware", "cpu model"]).unwrap_or(UNKNOWN);
    let fms: Vec<&str> = if get(&["cpu family"]).is_some() {
        ["cpu family", "model", "stepping"]
            .iter()
            .map(|k| get(&[k]).unwrap_or("?"))
            .collect()
    } else if get(&["CPU part"]).is_some() {
        [
            "CPU architecture",
            "CPU variant",
            "CPU part",
            "CPU revision",
        ]
        .iter()
        .map(|k| get(&[k]).unwrap_or("?"))
        .collect()
    } else {
        vec![UNKNOWN]
    };
    let mut flags: Vec<&str> = get(&["flags", "Features"])
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    flags.sort_unstable();
    flags.dedup();
    (
        vendor.to_string(),
        model.to_string(),
        fms.join("/"),
        sha256_hex(flags.join(" ").as_bytes()),
        cores,
    )
}

/// The version at the end of `ldd --version`'s first line (`ldd (Debian GLIBC 2.36-9) 2.36`
/// → `2.36`), if it is one.
fn parse_ldd_version(line: &str) -> Option<String> {
    line.split_whitespace()
        .last()
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
}

/// The iai-callgrind and gungraun runners in `cargo install --list`: its package lines read
/// `iai-callgrind-runner v0.16.1:` (binaries follow, indented).
fn parse_install_list(text: &str) -> Option<String> {
    let runners: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with(char::is_whitespace))
        .filter_map(|line| line.trim().strip_suffix(':'))
        .filter(|pkg| {
            pkg.starts_with("iai-callgrind-runner ") || pkg.starts_with("gungraun-runner ")
        })
        .collect();
    (!runners.is_empty()).then(|| runners.join(", "))
}

/// The sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The sha256 of a file's contents, lowercase hex, read in chunks (bench binaries are large).
pub fn sha256_file(path: &Path) -> Result<String> {
    let io_error = |source| Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::open(path).map_err(io_error)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(e)),
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// A fixed fingerprint for the tests of this and other modules.
/// A value as a reason or a table shows it: a sha256 shortened to its first 12 digits and `…`,
/// anything else as it is.
pub fn short_hash(value: &str) -> String {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}…", &value[..12])
    } else {
        value.to_string()
    }
}

#[cfg(test)]
pub(crate) fn test_fixture() -> Fingerprint {
    Fingerprint {
        rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
        rustc_commit_hash: "59807616e1fa2540724bfbac14d7976d7e4a3860".into(),
        llvm_version: "22.1.2".into(),
        host: "x86_64-unknown-linux-gnu".into(),
        cpu_model: "AMD EPYC".into(),
        cpu_vendor: "AuthenticAMD".into(),
        cpu_family_model_stepping: "25/17/1".into(),
        cpu_flags_sha256: sha256_hex(b"avx2"),
        cores: 2,
        kernel: "6.1.0".into(),
        glibc: Some("2.36".into()),
        valgrind: Some("valgrind-3.19.0".into()),
        iai_callgrind_runner: Some("iai-callgrind-runner v0.16.1".into()),
        perfgate_version: "0.1.0".into(),
        cargo_lock_sha256: None,
        rustflags: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two processors of an x86 machine, flags shortened, in a different order each.
    const CPUINFO_X86: &str = "\
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC 9554 64-Core Processor
stepping\t: 1
microcode\t: 0x1000065
cpu MHz\t\t: 2596.154
flags\t\t: fpu vme sse sse2 avx2 avx512f
bogomips\t: 5192.30

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC 9554 64-Core Processor
stepping\t: 1
cpu MHz\t\t: 2400.000
flags\t\t: avx512f avx2 fpu sse sse2 vme
bogomips\t: 5192.30
";

    const CPUINFO_ARM: &str = "\
processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
CPU revision\t: 1

processor\t: 1
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
CPU revision\t: 1
";

    #[test]
    fn cpuinfo_gives_identity_flags_hash_and_count() {
        let (vendor, model, fms, flags, cores) = parse_cpuinfo(CPUINFO_X86);
        assert_eq!(vendor, "AuthenticAMD");
        assert_eq!(model, "AMD EPYC 9554 64-Core Processor");
        assert_eq!(fms, "25/17/1");
        assert_eq!(flags, sha256_hex(b"avx2 avx512f fpu sse sse2 vme"));
        assert_eq!(cores, 2);
        // The flag order does not matter; the flags do.
        let reordered = CPUINFO_X86.replace(
            "fpu vme sse sse2 avx2 avx512f",
            "sse2 sse fpu vme avx512f avx2",
        );
        assert_eq!(parse_cpuinfo(&reordered).3, flags);
        let fewer = CPUINFO_X86.replace(" avx512f\n", "\n");
        assert_ne!(parse_cpuinfo(&fewer).3, flags);

        let (vendor, model, fms, flags, cores) = parse_cpuinfo(CPUINFO_ARM);
        assert_eq!((vendor.as_str(), model.as_str()), ("0x41", UNKNOWN));
        assert_eq!(fms, "8/0x3/0xd0c/1");
        assert_eq!(
            flags,
            sha256_hex(b"aes asimd crc32 evtstrm fp pmull sha1 sha2")
        );
        assert_eq!(cores, 2);

        let (vendor, _, fms, _, cores) = parse_cpuinfo("");
        assert_eq!(
            (vendor.as_str(), fms.as_str(), cores),
            (UNKNOWN, UNKNOWN, 0)
        );
    }

    #[test]
    fn ldd_and_install_list_lines() {
        assert_eq!(
            parse_ldd_version("ldd (Debian GLIBC 2.36-9+deb12u14) 2.36").as_deref(),
            Some("2.36")
        );
        assert_eq!(parse_ldd_version("musl libc (x86_64)"), None);
        let list = "\
cargo-nextest v0.9.143:
    cargo-nextest
iai-callgrind-runner v0.16.1:
    iai-callgrind-runner
";
        assert_eq!(
            parse_install_list(list).as_deref(),
            Some("iai-callgrind-runner v0.16.1")
        );
        assert_eq!(
            parse_install_list("gungraun-runner v0.17.0:\n    gungraun-runner\n").as_deref(),
            Some("gungraun-runner v0.17.0")
        );
        assert_eq!(parse_install_list("cargo-nextest v0.9.143:\n"), None);
    }

    #[test]
    fn sha256_of_bytes_and_files_agree() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &bytes).expect("write");
        assert_eq!(sha256_file(&path).expect("read"), sha256_hex(&bytes));
        let err = sha256_file(&dir.path().join("missing")).expect_err("missing");
        assert!(matches!(err, Error::Io { action: "read", .. }), "{err}");
    }

    #[test]
    fn differences_name_the_field_and_both_values() {
        let a = test_fixture();
        assert!(a.differences(&a).is_empty());
        let b = Fingerprint {
            llvm_version: "22.1.3".into(),
            cores: 4,
            valgrind: None,
            rustflags: Some("-Ctarget-cpu=native".into()),
            ..test_fixture()
        };
        assert_eq!(
            a.differences(&b),
            vec![
                EnvDifference::new(EnvField::LlvmVersion, "22.1.2", "22.1.3"),
                EnvDifference::new(EnvField::Cores, "2", "4"),
                EnvDifference::new(EnvField::Valgrind, "valgrind-3.19.0", "none"),
                EnvDifference::new(EnvField::Rustflags, "none", "-Ctarget-cpu=native"),
            ]
        );
        // Every field is compared: the names match the stored JSON keys.
        let json = serde_json::to_value(&a).expect("serialise");
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<String> = a
            .differences(&Fingerprint {
                rustc: String::new(),
                rustc_commit_hash: String::new(),
                llvm_version: String::new(),
                host: String::new(),
                cpu_model: String::new(),
                cpu_vendor: String::new(),
                cpu_family_model_stepping: String::new(),
                cpu_flags_sha256: String::new(),
                cores: 0,
                kernel: String::new(),
                glibc: None,
                valgrind: None,
                iai_callgrind_runner: None,
                perfgate_version: String::new(),
                cargo_lock_sha256: Some(String::new()),
                rustflags: Some(String::new()),
            })
            .into_iter()
            .map(|d| d.field.name())
            .collect();
        names.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(names, keys);
    }

    #[test]
    fn collect_reads_this_machine() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = dir.path().join("Cargo.lock");
        let toolchain = Toolchain::resolve(dir.path()).expect("rustc is installed");
        let fp = collect(&lock, &toolchain).expect("collect");
        assert_eq!(fp.rustc, toolchain.version);
        assert_eq!(fp.host, toolchain.host);
        assert!(fp.rustc.starts_with("rustc "), "{}", fp.rustc);
        assert_eq!(fp.cargo_lock_sha256, None, "no lock file");
        assert_eq!(fp.perfgate_version, env!("CARGO_PKG_VERSION"));
        assert!(fp.cores >= 1);
        fs::write(&lock, "# lock\n").expect("write");
        let fp = collect(&lock, &toolchain).expect("collect");
        assert_eq!(fp.cargo_lock_sha256, Some(sha256_hex(b"# lock\n")));
    }
}
