//! What `perfgate init` does to a repository: reads the crate, writes perfgate.toml and the
//! workflow (each file atomically, none over an existing one unless forced), and, for a crate
//! without benches, two benches calling its first public function with their dev-dependencies.
//! The contents come from the pure functions of [`super`].

use std::path::Path;

use crate::builds;
use crate::config;
use crate::error::{Error, Result};
use crate::plan::Features;

use super as init;

/// What `perfgate init` wrote, and what the user should know about it.
#[derive(Debug, Default)]
pub struct SetUp {
    /// The files written or changed, relative to the repository root.
    pub written: Vec<String>,
    /// Notes for the user (what the generated benches call, or why none were written).
    pub notes: Vec<String>,
}

/// Sets the crate in `crate_dir` up in the repository at `root`; `target_rel` is how
/// perfgate.toml names the crate's directory. Existing perfgate.toml or workflow files are
/// [`Error::AlreadyExists`] unless `force`.
pub fn set_up(root: &Path, crate_dir: &Path, target_rel: &str, force: bool) -> Result<SetUp> {
    let manifest = crate_dir.join("Cargo.toml");
    // Every feature on, so that bench targets behind `required-features` are listed too;
    // perfgate.toml then enables just the ones they need.
    let every_feature = Features {
        enable: Vec::new(),
        all: true,
    };
    let config_file = root.join(config::FILE_NAME);
    let workflow_file = root.join(".github/workflows/perf.yml");
    let comment_file = root.join(".github/workflows/perf-comment.yml");
    for path in [&config_file, &workflow_file, &comment_file] {
        if path.exists() && !force {
            return Err(Error::AlreadyExists { path: path.clone() });
        }
    }
    // Reading the crate resolves a Cargo.lock when it has none: init wrote it, then.
    let had_lock = root.join("Cargo.lock").exists() || crate_dir.join("Cargo.lock").exists();
    let target = builds::inspect_crate(&manifest, &every_feature, &[])?;

    let measured: Vec<String> = target.benches.iter().map(|b| b.artifact_name()).collect();
    let mut written = Vec::new();
    let mut notes = Vec::new();
    let benches = if measured.is_empty() {
        let lib_rs = crate_dir.join("src/lib.rs");
        let source = std::fs::read_to_string(&lib_rs).unwrap_or_default();
        match init::find_entry(&source) {
            Some(entry) => {
                let krate = library_name(&manifest, &target.package);
                let wall = crate_dir.join("benches/perfgate_wall.rs");
                let instructions = crate_dir.join("benches/perfgate_instructions.rs");
                crate::atomic::write(&wall, init::criterion_bench(&krate, &entry).as_bytes())?;
                crate::atomic::write(
                    &instructions,
                    init::gungraun_bench(&krate, &entry).as_bytes(),
                )?;
                add_bench_dependencies(crate_dir, &manifest)?;
                written.extend([relative(root, &wall), relative(root, &instructions)]);
                written.push(relative(root, &manifest));
                written.push(relative(root, &target.workspace_root.join("Cargo.lock")));
                notes.push(format!(
                    "the benches call `{krate}::{}`; make them call the code whose speed matters",
                    entry.name
                ));
                vec![
                    "perfgate_wall".to_string(),
                    "perfgate_instructions".to_string(),
                ]
            }
            None => {
                notes.push(format!(
                    "no bench written: `{}` has no public function with plain arguments to call; add a criterion, divan or gungraun bench and list it in perfgate.toml",
                    lib_rs.display()
                ));
                Vec::new()
            }
        }
    } else {
        measured
    };
    let bin = target.bins.first().map(String::as_str);
    crate::atomic::write(
        &config_file,
        init::config(target_rel, &benches, &target.bench_features, bin).as_bytes(),
    )?;
    crate::atomic::write(&workflow_file, init::workflow().as_bytes())?;
    crate::atomic::write(&comment_file, init::comment_workflow().as_bytes())?;
    let lock = relative(root, &target.workspace_root.join("Cargo.lock"));
    if !had_lock && !written.contains(&lock) {
        written.push(lock);
    }
    written.insert(0, relative(root, &comment_file));
    written.insert(0, relative(root, &workflow_file));
    written.insert(0, config::FILE_NAME.to_string());

    Ok(SetUp { written, notes })
}

/// What `perfgate init` prints: the files written, the notes, the next commands.
pub fn summary(done: &SetUp) -> String {
    let SetUp { written, notes } = done;
    let mut text = String::from("perfgate init wrote:\n");
    for file in written {
        text.push_str(&format!("  {file}\n"));
    }
    for note in notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text.push_str("next:\n");
    for (i, command) in init::next_commands(written).iter().enumerate() {
        text.push_str(&format!("  {}. {command}\n", i + 1));
    }
    text
}

/// `path` relative to `root`, as text.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The library name of the crate: `[lib] name` of its manifest, else the package name with
/// `-` as `_`.
fn library_name(manifest: &Path, package: &str) -> String {
    let from_manifest = std::fs::read_to_string(manifest).ok().and_then(|text| {
        let doc = config_core::parse(&text).ok()?;
        let lib = doc.get("lib")?.as_table()?;
        lib.get("name")?.as_str().map(str::to_string)
    });
    from_manifest.unwrap_or_else(|| package.replace('-', "_"))
}

/// Adds criterion and gungraun as dev-dependencies (`cargo add`) and the two generated
/// benches as `[[bench]]` targets of `manifest`.
fn add_bench_dependencies(crate_dir: &Path, manifest: &Path) -> Result<()> {
    let criterion = format!("criterion@{}", init::CRITERION);
    let gungraun = format!("gungraun@={}", init::GUNGRAUN);
    for args in [
        vec![
            "add",
            "--dev",
            criterion.as_str(),
            "--no-default-features",
            "--features",
            "cargo_bench_support",
        ],
        vec!["add", "--dev", gungraun.as_str()],
    ] {
        crate::process::run(
            std::process::Command::new("cargo")
                .args(&args)
                .current_dir(crate_dir),
            crate::process::hint::RUST,
        )?;
    }
    let mut text = std::fs::read_to_string(manifest).map_err(|source| Error::Io {
        action: "read",
        path: manifest.to_path_buf(),
        source,
    })?;
    text.push_str(init::BENCH_SECTIONS);
    crate::atomic::write(manifest, text.as_bytes())?;
    Ok(())
}
