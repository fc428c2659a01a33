//! Binary size: the file size of each `[[bin]]` executable of a build, as built and after
//! `strip --strip-all`. Deterministic, one value per binary; it decides nothing.
//!
//! The stripped size is measured on a copy in a temporary directory, so the build's own
//! executables (which start-up and allocation timing run next) are never modified.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::builds::target::Built;
use crate::error::{Error, Result};
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::process::{self, hint};

/// Measures `binary_size_bytes` and `stripped_size_bytes` (bench `binary/<name>`) of every
/// binary of `built`, each tied to the binary's sha256. A target without binaries gives none.
pub fn measure(built: &Built) -> Result<Vec<Measurement>> {
    if built.bins.is_empty() {
        return Ok(Vec::new());
    }
    let tmp = crate::atomic::scratch_dir()?;
    let mut out = Vec::with_capacity(2 * built.bins.len());
    for (name, exe) in &built.bins {
        let size = file_size(exe)?;
        let copy = tmp.path().join(name);
        fs::copy(exe, &copy).map_err(|source| Error::Io {
            action: "copy",
            path: exe.clone(),
            source,
        })?;
        process::run(
            Command::new("strip").arg("--strip-all").arg(&copy),
            hint::BINUTILS,
        )?;
        let stripped = file_size(&copy)?;
        let sha = bin_sha256(built, name)?;
        let bench = format!("binary/{name}");
        // File sizes are far below 2^53 bytes, so the conversion to f64 is exact.
        out.push(
            Measurement::exact(&bench, Metric::BinarySize, Unit::Bytes, size as f64)
                .with_artifact(sha.clone()),
        );
        out.push(
            Measurement::exact(&bench, Metric::StrippedSize, Unit::Bytes, stripped as f64)
                .with_artifact(sha),
        );
    }
    Ok(out)
}

fn file_size(path: &Path) -> Result<u64> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })
}

/// The sha256 of binary target `name` of `built`: the one the build recorded, or else the
/// hash of its executable file, so that a measurement of a binary always names its artifact.
pub(crate) fn bin_sha256(built: &Built, name: &str) -> Result<Option<String>> {
    if let Some(sha) = built.artifact_sha256(name, "bin") {
        return Ok(Some(sha));
    }
    match built.bin(name) {
        Some(exe) => crate::fingerprint::sha256_file(exe).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::startup::tests::built;

    #[test]
    fn no_binaries_no_sizes() {
        assert!(measure(&built(&[])).expect("nothing to do").is_empty());
    }

    #[test]
    fn each_binary_has_its_size_and_stripped_size() {
        // This test executable carries debug info and symbols, so stripping shrinks it.
        let exe = std::env::current_exe().expect("test executable");
        let mut built = built(&[]);
        built.bins.insert("me".to_string(), exe.clone());
        let ms = measure(&built).expect("sizes");
        let size = fs::metadata(&exe).expect("metadata").len() as f64;
        let metrics: Vec<(&str, &str)> = ms
            .iter()
            .map(|m| (m.bench.as_str(), m.metric.as_str()))
            .collect();
        assert_eq!(
            metrics,
            [
                ("binary/me", "binary_size_bytes"),
                ("binary/me", "stripped_size_bytes"),
            ]
        );
        assert_eq!(ms[0].value, size);
        assert!(ms[1].value > 0.0 && ms[1].value < size, "{}", ms[1].value);
        assert_eq!(fs::metadata(&exe).expect("metadata").len() as f64, size);
        let sha = crate::fingerprint::sha256_file(&exe).expect("hash");
        for m in &ms {
            assert_eq!((m.unit, m.samples.len()), (Unit::Bytes, 0));
            assert_eq!(m.artifact_sha256.as_deref(), Some(sha.as_str()));
        }
    }

    #[test]
    fn sha256_is_lowercase_hex_of_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("abc");
        fs::write(&path, b"abc").expect("write fixture");
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            crate::fingerprint::sha256_file(&path).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
