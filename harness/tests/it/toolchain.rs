//! A target whose `rust-toolchain.toml` names a toolchain other than the default: the
//! fingerprint, the build and PGO must all use it. The toolchain is made offline, as rustup
//! links a local one: the installed toolchain's programs and libraries, with a `rustc` that
//! logs every call and tells itself apart in `rustc -vV` (its version line ends in `linked`,
//! its LLVM version reads 99.0.0). Nothing of it reaches a compilation: only `-vV` differs.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{Fixture, assert_exit, build_lock, text};

/// A toolchain linked into rustup under a name of its own; unlinked when dropped.
struct LinkedToolchain {
    name: String,
    dir: tempfile::TempDir,
}

impl LinkedToolchain {
    /// Links a copy of the default toolchain (its files by symlink, `rustc` wrapped).
    fn new() -> LinkedToolchain {
        let dir = tempfile::tempdir().expect("temp dir");
        let scratch = tempfile::tempdir().expect("temp dir");
        let sysroot = output(
            Command::new("rustc")
                .args(["--print", "sysroot"])
                .current_dir(scratch.path())
                .env_remove("RUSTUP_TOOLCHAIN"),
        );
        let real = PathBuf::from(sysroot.trim());
        let bin = dir.path().join("bin");
        let lib = dir.path().join("lib");
        std::fs::create_dir_all(&bin).expect("mkdir");
        std::fs::create_dir_all(&lib).expect("mkdir");
        for entry in std::fs::read_dir(real.join("bin")).expect("the toolchain's bin") {
            let entry = entry.expect("an entry");
            if entry.file_name() != "rustc" {
                std::os::unix::fs::symlink(entry.path(), bin.join(entry.file_name()))
                    .expect("link a program");
            }
        }
        for entry in std::fs::read_dir(real.join("lib")).expect("the toolchain's lib") {
            let entry = entry.expect("an entry");
            std::os::unix::fs::symlink(entry.path(), lib.join(entry.file_name()))
                .expect("link a library");
        }
        let log = dir.path().join("rustc.log");
        let rustc = bin.join("rustc");
        std::fs::write(
            &rustc,
            format!(
                "#!/bin/sh\n\
                 echo \"$*\" >> '{log}'\n\
                 if [ \"$1\" = \"-vV\" ]; then\n  \
                 '{real}/bin/rustc' -vV | sed -e '1s/$/ linked/' -e 's/^LLVM version: .*/LLVM version: 99.0.0/'\n  \
                 exit 0\n\
                 fi\n\
                 exec '{real}/bin/rustc' \"$@\"\n",
                log = log.display(),
                real = real.display()
            ),
        )
        .expect("write the wrapper");
        std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let name = format!("perfgate-linked-{}", std::process::id());
        output(
            Command::new("rustup")
                .args(["toolchain", "link", &name])
                .arg(dir.path()),
        );
        LinkedToolchain { name, dir }
    }

    /// Every `rustc` call made through the linked toolchain, one line each.
    fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("rustc.log")).unwrap_or_default()
    }
}

impl Drop for LinkedToolchain {
    fn drop(&mut self) {
        let _ = Command::new("rustup")
            .args(["toolchain", "uninstall", &self.name])
            .output();
    }
}

/// The stdout of a command that must succeed.
fn output(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

#[test]
fn a_toolchain_file_picks_the_compiler_of_the_fingerprint_the_build_and_pgo() {
    let _lock = build_lock();
    let linked = LinkedToolchain::new();
    let fixture = Fixture::tiny();
    fixture.write(
        "rust-toolchain.toml",
        &format!("[toolchain]\nchannel = \"{}\"\n", linked.name),
    );
    fixture.commit("build with the linked toolchain");

    let out = fixture.perfgate(&["run", "--quick", "--profiles", "release"]);
    assert_exit(&out, 0);
    let baselines = fixture.baselines();
    assert_eq!(baselines.len(), 1);
    let fingerprint = &load(&baselines[0])["fingerprint"];
    let rustc = fingerprint["rustc"].as_str().expect("rustc");
    assert!(
        rustc.ends_with(" linked"),
        "the fingerprint's compiler: {rustc}"
    );
    assert_eq!(fingerprint["llvm_version"], "99.0.0");
    let calls = linked.calls();
    assert!(
        calls.contains("--crate-name tiny"),
        "the target was compiled by the linked toolchain:\n{calls}"
    );

    // PGO picks `llvm-profdata` by the linked toolchain's LLVM major, and there is none for
    // 99: refused before anything is built, naming that major.
    let out = fixture.perfgate(&["run", "--quick", "--profiles", "pgo"]);
    assert_exit(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains("llvm-profdata-99") || err.contains("LLVM 99"),
        "{err}"
    );
}
