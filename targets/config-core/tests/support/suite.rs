//! Where the toml-test compliance suite is read from, for the tests that run its cases.
//!
//! The suite is read in place, never copied into the repository: from `$TOML_TEST_DIR` when
//! set (the directory holding `tests/files-toml-1.0.0`, or that `tests/` directory itself),
//! else from `../shared/toml-test` beside the workspace root.

use std::path::{Path, PathBuf};

/// The environment variable naming the toml-test checkout to run.
pub const SUITE_ENV: &str = "TOML_TEST_DIR";
/// The suite's list of the cases that apply to TOML 1.0.0, relative to its `tests/`.
pub const CASE_LIST: &str = "files-toml-1.0.0";
/// Where the suite lives when `$TOML_TEST_DIR` is unset, relative to the workspace root.
pub const DEFAULT_SUITE: &str = "../shared/toml-test";

/// Finds the suite's `tests/` directory: under `$TOML_TEST_DIR`, else under the default place.
pub fn locate_suite() -> Result<PathBuf, String> {
    let (root, origin) = match std::env::var_os(SUITE_ENV) {
        Some(dir) => (PathBuf::from(dir), format!("`${SUITE_ENV}`")),
        None => {
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            (
                workspace.join(DEFAULT_SUITE),
                format!("the default place (`{SUITE_ENV}` is unset)"),
            )
        }
    };
    // Accept the checkout's root or its `tests/` directory itself.
    for dir in [root.join("tests"), root.clone()] {
        if dir.join(CASE_LIST).is_file() {
            return Ok(dir);
        }
    }
    Err(format!(
        "toml-test suite not found at `{}` from {origin}: no `tests/{CASE_LIST}` there; \
         set `{SUITE_ENV}` to a toml-test checkout (the directory holding `tests/`)",
        root.display()
    ))
}
