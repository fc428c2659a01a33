//! The Rust toolchain a checkout builds with, resolved once per checkout the way cargo resolves
//! it: `$RUSTC` when set, else the `rustc` that rustup picks in the target's directory (its
//! `rust-toolchain.toml`, a directory override, or the default). The build (`--target
//! <host>`), PGO (the LLVM major that picks `llvm-profdata`, the toolchain's sysroot) and the
//! fingerprint all read this one value, so they never disagree about the compiler.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};
use crate::process;

/// What `rustc -vV` says of the compiler in one directory, and how to run it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// The program: `$RUSTC`, else `rustc`.
    pub program: String,
    /// The directory it runs in (the target crate's, where cargo runs too).
    pub dir: PathBuf,
    /// The first line of `rustc -vV`: `rustc 1.95.0 (59807616e 2026-04-14)`.
    pub version: String,
    /// `release:` (`1.95.0`).
    pub release: String,
    /// `commit-hash:`.
    pub commit_hash: String,
    /// `LLVM version:` (`22.1.2`).
    pub llvm_version: String,
    /// `host:` (`x86_64-unknown-linux-gnu`).
    pub host: String,
}

/// What a field of `rustc -vV` reads when it is missing.
pub const UNKNOWN: &str = "unknown";

impl Toolchain {
    /// The toolchain cargo would use in `dir`: runs `$RUSTC -vV` (or `rustc -vV`) there. A
    /// missing compiler is [`Error::ToolMissing`]; output without `host:`, `release:` or
    /// `LLVM version:` is [`Error::ToolOutput`].
    pub fn resolve(dir: &Path) -> Result<Toolchain> {
        let program = std::env::var("RUSTC")
            .ok()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| "rustc".to_string());
        let mut cmd = Command::new(&program);
        cmd.arg("-vV");
        if dir.is_dir() {
            cmd.current_dir(dir);
        }
        let output = process::run(&mut cmd, process::hint::RUST)?;
        let text = String::from_utf8_lossy(&output.stdout);
        Toolchain::parse(&program, dir, &text).ok_or_else(|| Error::ToolOutput {
            tool: "rustc",
            path: PathBuf::from("-"),
            message: format!(
                "`{} -vV` names no `host:`, `release:` or `LLVM version:`",
                program
            ),
        })
    }

    /// Reads the output of `rustc -vV`; `None` if `host:`, `release:` or `LLVM version:` is
    /// missing.
    pub fn parse(program: &str, dir: &Path, text: &str) -> Option<Toolchain> {
        let field = |key: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(key))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let version = text
            .lines()
            .next()
            .map(str::trim)
            .filter(|l| !l.is_empty())?
            .to_string();
        Some(Toolchain {
            program: program.to_string(),
            dir: dir.to_path_buf(),
            version,
            release: field("release:")?,
            commit_hash: field("commit-hash:").unwrap_or_else(|| UNKNOWN.to_string()),
            llvm_version: field("LLVM version:")?,
            host: field("host:")?,
        })
    }

    /// `rustc ARGS` of this toolchain, in its directory.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        if self.dir.is_dir() {
            cmd.current_dir(&self.dir);
        }
        cmd
    }

    /// The toolchain's sysroot (`rustc --print sysroot`), where rustup's `llvm-tools` put
    /// their programs; `None` if it cannot be read.
    pub fn sysroot(&self) -> Option<PathBuf> {
        let mut cmd = self.command();
        cmd.args(["--print", "sysroot"]);
        let output = process::run(&mut cmd, process::hint::RUST).ok()?;
        let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
        (!sysroot.is_empty()).then(|| PathBuf::from(sysroot))
    }

    /// The major of the compiler's LLVM (`22.1.2` → `22`), which `llvm-profdata` must share.
    pub fn llvm_major(&self) -> Option<String> {
        llvm_major(&self.llvm_version)
    }
}

/// Where rustup says its choice of toolchain came from (rustup 1.28 and later set it for the
/// programs its proxies start).
pub const RUSTUP_SOURCE: &str = "RUSTUP_TOOLCHAIN_SOURCE";

/// Whether an inherited `RUSTUP_TOOLCHAIN` was chosen for perfgate's own directory rather than
/// asked for: rustup's proxies pass their choice on to every child (so `cargo perfgate` or a
/// test harness would force it on the target), and only a choice made on the command line
/// (`cargo +nightly perfgate`) or in the environment should outrank the target's own
/// `rust-toolchain.toml`.
pub fn inherited_choice(source: Option<&str>) -> bool {
    source.is_some_and(|s| s != "cli" && s != "env")
}

/// Lets each checkout choose its toolchain as cargo would from its own directory: drops a
/// `RUSTUP_TOOLCHAIN` that rustup chose for the directory perfgate was started in
/// ([`inherited_choice`]).
///
/// # Safety
/// It changes the process environment: call it before any other thread starts (the first
/// thing in `main`).
pub unsafe fn let_each_checkout_choose() {
    let source = std::env::var(RUSTUP_SOURCE).ok();
    if inherited_choice(source.as_deref()) {
        // SAFETY: the caller guarantees that no other thread runs yet.
        unsafe {
            std::env::remove_var("RUSTUP_TOOLCHAIN");
            std::env::remove_var(RUSTUP_SOURCE);
        }
    }
}

/// The major of an LLVM version (`22.1.2` → `22`).
pub fn llvm_major(version: &str) -> Option<String> {
    let major: String = version
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!major.is_empty()).then_some(major)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUSTC_VV: &str = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\ncommit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860\ncommit-date: 2026-04-14\nhost: x86_64-unknown-linux-gnu\nrelease: 1.95.0\nLLVM version: 22.1.2\n";

    #[test]
    fn rustc_vv_is_read_whole() {
        let t = Toolchain::parse("rustc", Path::new("/x"), RUSTC_VV).expect("complete");
        assert_eq!(t.version, "rustc 1.95.0 (59807616e 2026-04-14)");
        assert_eq!(t.release, "1.95.0");
        assert_eq!(t.commit_hash, "59807616e1fa2540724bfbac14d7976d7e4a3860");
        assert_eq!(t.llvm_version, "22.1.2");
        assert_eq!(t.host, "x86_64-unknown-linux-gnu");
        assert_eq!(t.llvm_major().as_deref(), Some("22"));
        assert_eq!(
            Toolchain::parse("rustc", Path::new("/x"), "rustc 1.95.0\nhost: x\n"),
            None
        );
        assert_eq!(Toolchain::parse("rustc", Path::new("/x"), ""), None);
        assert_eq!(llvm_major("banana"), None);
    }

    #[test]
    fn only_an_asked_for_toolchain_outranks_the_checkouts_own() {
        for source in ["default", "path-override", "toolchain-file"] {
            assert!(inherited_choice(Some(source)), "{source}");
        }
        assert!(!inherited_choice(Some("cli")));
        assert!(!inherited_choice(Some("env")));
        assert!(
            !inherited_choice(None),
            "an older rustup, or none: left alone"
        );
    }

    #[test]
    fn resolve_runs_the_compiler_here() {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = Toolchain::resolve(dir.path()).expect("rustc runs");
        assert!(t.version.starts_with("rustc "), "{t:?}");
        assert!(t.llvm_major().is_some(), "{t:?}");
        assert!(t.sysroot().is_some_and(|s| s.is_dir()), "{t:?}");
    }
}
