//! Cargo.lock, read for the versions perfgate must speak to: which version of a bench harness
//! library (criterion, divan, iai-callgrind, gungraun) a package of the target depends on. A
//! harness's command-line options, its output and its runner depend on that version, so the
//! run stage asks for it here. Read with config-core (Cargo.lock is TOML); pure but for
//! [`Lockfile::read`].

use std::path::Path;

/// The packages of a Cargo.lock, with what each depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lockfile {
    packages: Vec<LockedPackage>,
}

/// One `[[package]]` of a Cargo.lock.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LockedPackage {
    name: String,
    version: String,
    /// `true` for a path package (a member of the workspace): it has no `source`.
    local: bool,
    /// Its dependencies as Cargo.lock writes them: `name`, or `name version` when several
    /// versions of `name` are locked (a `(source)` may follow).
    dependencies: Vec<String>,
}

impl Lockfile {
    /// Reads the Cargo.lock at `path`; a missing or unreadable one is `None` (cargo makes it
    /// on the first build; until then no version is known).
    pub fn read(path: &Path) -> Option<Lockfile> {
        Lockfile::parse(&std::fs::read_to_string(path).ok()?)
    }

    /// Parses a Cargo.lock text; one that is not TOML is `None`. Entries without a name or
    /// a version are skipped.
    pub fn parse(text: &str) -> Option<Lockfile> {
        let doc = config_core::parse(text).ok()?;
        let mut packages = Vec::new();
        let Some(list) = doc.get("package").and_then(|p| p.as_array()) else {
            return Some(Lockfile { packages });
        };
        for entry in list.iter() {
            let Some(table) = entry.as_table() else {
                continue;
            };
            let field = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
            let (Some(name), Some(version)) = (field("name"), field("version")) else {
                continue;
            };
            let dependencies = table
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|deps| {
                    deps.iter()
                        .filter_map(|d| d.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            packages.push(LockedPackage {
                name,
                version,
                local: table.get("source").is_none(),
                dependencies,
            });
        }
        Some(Lockfile { packages })
    }

    /// The version of `library` that the workspace package `package` depends on (normal or
    /// dev-dependency: Cargo.lock does not tell them apart). When `package` is not in the
    /// lock, or lists `library` by name alone, the one locked version of `library`; `None`
    /// when it is not locked at all.
    pub fn dependency_version(&self, package: &str, library: &str) -> Option<String> {
        let member = self.packages.iter().find(|p| p.name == package && p.local);
        if let Some(member) = member {
            for dep in &member.dependencies {
                let mut words = dep.split_whitespace();
                if words.next() != Some(library) {
                    continue;
                }
                if let Some(version) = words.next() {
                    return Some(version.to_string());
                }
                return self.version(library);
            }
            return None;
        }
        self.version(library)
    }

    /// The version of `library` (the first locked, if several are).
    pub fn version(&self, library: &str) -> Option<String> {
        self.packages
            .iter()
            .find(|p| p.name == library)
            .map(|p| p.version.clone())
    }
}

/// A harness library's version as `(major, minor)`: `0.3.6` → `(0, 3)`. A version perfgate
/// cannot read is `None`.
pub fn major_minor(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts
        .next()?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "criterion"
version = "0.3.6"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "criterion"
version = "0.5.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "divan"
version = "0.1.21"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "old-benches"
version = "0.1.0"
dependencies = [
 "criterion 0.3.6",
 "divan",
]

[[package]]
name = "new-benches"
version = "0.1.0"
dependencies = [
 "criterion 0.5.1 (registry+https://github.com/rust-lang/crates.io-index)",
]
"#;

    #[test]
    fn a_member_gets_the_version_it_depends_on() {
        let lock = Lockfile::parse(LOCK).expect("toml");
        assert_eq!(
            lock.dependency_version("old-benches", "criterion")
                .as_deref(),
            Some("0.3.6")
        );
        assert_eq!(
            lock.dependency_version("new-benches", "criterion")
                .as_deref(),
            Some("0.5.1")
        );
        // Listed by name alone: the one version locked.
        assert_eq!(
            lock.dependency_version("old-benches", "divan").as_deref(),
            Some("0.1.21")
        );
        // A member that does not depend on it.
        assert_eq!(lock.dependency_version("new-benches", "divan"), None);
        // A package the lock does not have yet: the first version locked.
        assert_eq!(
            lock.dependency_version("unknown", "criterion").as_deref(),
            Some("0.3.6")
        );
        assert_eq!(lock.version("gungraun"), None);
    }

    #[test]
    fn bad_locks_know_no_version() {
        assert_eq!(Lockfile::parse("not = [toml"), None);
        let empty = Lockfile::parse("version = 4\n").expect("toml");
        assert_eq!(empty.version("criterion"), None);
        let odd =
            Lockfile::parse("[[package]]\nname = \"x\"\n[[package]]\nversion = 3\n").expect("toml");
        assert_eq!(odd, Lockfile::default());
        assert_eq!(Lockfile::read(Path::new("/nonexistent/Cargo.lock")), None);
    }

    #[test]
    fn versions_read_as_major_and_minor() {
        assert_eq!(major_minor("0.3.6"), Some((0, 3)));
        assert_eq!(major_minor("0.8.2"), Some((0, 8)));
        assert_eq!(major_minor("1.0.0-rc.1"), Some((1, 0)));
        assert_eq!(major_minor("1"), None);
        assert_eq!(major_minor("x.y"), None);
    }
}
