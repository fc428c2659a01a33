//! Heap allocations: the start-up command run once under valgrind's DHAT, its profile reduced
//! to three totals. DHAT's JSON format stays in this module; what leaves it are
//! [`Measurement`]s, and nothing here decides whether they regressed.
//!
//! The counts are deterministic for a deterministic program: the same binary on the same input
//! allocates the same blocks, so one run is one exact value.

use std::fs;
use std::io;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::builds::target::Built;
use crate::error::{Error, Result};
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::plan::Startup;
use crate::process::{self, hint};
use crate::run::startup;

/// The DHAT file format this module reads (`dhatFileVersion`; valgrind 3.15 and later write 2).
const DHAT_FILE_VERSION: u64 = 2;

/// Runs the start-up command once under DHAT (`valgrind -q --tool=dhat`, from the crate's
/// directory, stdin from the configured file or empty) and returns, for bench
/// `alloc/<binary>`, each tied to the binary's sha256:
///
/// - `allocations_count` (unit `Count`): heap blocks allocated over the whole run;
/// - `allocated_bytes` (unit `Bytes`): their total size;
/// - `peak_heap_bytes` (unit `Bytes`): the bytes live at the global heap peak (DHAT's
///   t-gmax).
///
/// All three count the whole process: the Rust runtime's and libc's start-up allocations
/// too, not only the program's own. A non-zero exit is [`Error::BenchFailed`] with the
/// program's stderr; an unreadable profile is [`Error::ToolOutput`], and its temporary
/// directory is then kept for inspection.
pub fn measure(built: &Built, startup: &Startup) -> Result<Vec<Measurement>> {
    let exe = startup::binary(built, &startup.binary)?;
    process::first_line("valgrind", &["--version"], hint::VALGRIND)?;
    let tmp = crate::atomic::scratch_dir()?;
    let profile_path = tmp.path().join("dhat.json");
    let stdin = startup.stdin.as_ref().map(|p| built.crate_dir.join(p));

    let mut cmd = Command::new("valgrind");
    // `-q` keeps DHAT's summary off stderr, which then holds only the program's own output
    // and valgrind's errors, for the failure message.
    cmd.arg("-q")
        .arg("--tool=dhat")
        .arg(format!("--dhat-out-file={}", profile_path.display()))
        .arg(exe)
        .args(&startup.args)
        .current_dir(&built.crate_dir)
        .stdin(startup::stdin_of(stdin.as_deref())?)
        .stdout(Stdio::null());
    let output = process::spawn_output(&mut cmd, hint::VALGRIND)?;
    let bench = format!("alloc/{}", startup.binary);
    if !output.status.success() {
        return Err(Error::BenchFailed {
            bench,
            profile: built.profile.name().to_string(),
            command: startup::shell_line(&cmd, stdin.as_deref()),
            status: process::status_text(output.status),
            stderr_tail: process::tail(&output.stderr),
        });
    }

    let parsed = match fs::read_to_string(&profile_path) {
        Ok(json) => parse_dhat(&json),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(DhatError::Missing),
        Err(e) => Err(DhatError::Unreadable(e)),
    };
    let (allocations, bytes, peak) = parsed.map_err(|e| Error::ToolOutput {
        tool: "dhat",
        // Kept, so that the path in the message still exists.
        path: tmp.keep().join("dhat.json"),
        message: e.to_string(),
    })?;

    let sha = super::size::bin_sha256(built, &startup.binary)?;
    // Counts below 2^53 convert to f64 exactly; a run allocating more is not a start-up.
    Ok([
        (Metric::AllocationsCount, Unit::Count, allocations),
        (Metric::AllocatedBytes, Unit::Bytes, bytes),
        (Metric::PeakHeap, Unit::Bytes, peak),
    ]
    .into_iter()
    .map(|(metric, unit, value)| {
        Measurement::exact(&bench, metric, unit, value as f64).with_artifact(sha.clone())
    })
    .collect())
}

/// The part of a DHAT profile that is read; other fields are ignored.
#[derive(Deserialize)]
struct DhatFile {
    #[serde(rename = "dhatFileVersion")]
    version: u64,
    /// `heap` for `--tool=dhat` without `--mode`; `copy` and `ad-hoc` profiles count other
    /// things.
    mode: String,
    /// Whether block lifetimes were tracked; only then do program points carry `gb`.
    bklt: bool,
    /// The program points: one per distinct allocation stack.
    pps: Vec<ProgramPoint>,
}

/// One allocation stack's totals. The names are DHAT's (valgrind's `dhat/dh_main.c` writes
/// them, `dh_view.js` reads them): a `k` suffix counts blocks, no suffix counts bytes.
#[derive(Deserialize)]
struct ProgramPoint {
    /// Total bytes allocated here.
    tb: u64,
    /// Total blocks allocated here.
    tbk: u64,
    /// Bytes allocated here and live at the global heap peak (t-gmax).
    gb: Option<u64>,
}

/// Why a DHAT profile cannot be read ([`parse_dhat`]).
#[derive(Debug, thiserror::Error)]
pub enum DhatError {
    /// DHAT wrote no profile.
    #[error("DHAT wrote no profile")]
    Missing,
    /// The profile could not be read.
    #[error("cannot read it: {0}")]
    Unreadable(io::Error),
    /// Not JSON of a DHAT profile's shape.
    #[error("not a DHAT profile: {0}")]
    NotAProfile(serde_json::Error),
    /// Another file version.
    #[error("DHAT file version {0}, perfgate reads version {DHAT_FILE_VERSION}")]
    Version(u64),
    /// Not a heap profile with block lifetimes.
    #[error("a DHAT `{mode}` profile{}, perfgate reads heap profiles with block lifetimes", if *block_lifetimes { "" } else { " without block lifetimes" })]
    Mode {
        /// DHAT's mode.
        mode: String,
        /// Whether it recorded block lifetimes.
        block_lifetimes: bool,
    },
    /// A program point without its peak bytes.
    #[error("program point {0} has no `gb`")]
    NoPeak(usize),
    /// Totals past 64 bits.
    #[error("totals overflow 64 bits")]
    Overflow,
}

/// Reads a DHAT heap profile (`dhat.json`, format version 2) and returns
/// `(allocations, allocated bytes, peak heap bytes)`, summed over its program points:
///
/// - allocations = Σ `tbk` (total blocks),
/// - allocated bytes = Σ `tb` (total bytes),
/// - peak heap bytes = Σ `gb` (bytes at t-gmax, the moment the live heap was largest; every
///   program point's share of that one moment, so their sum is the peak).
///
/// These are the "Total: B bytes in N blocks" and "At t-gmax: B bytes" lines DHAT prints on
/// exit. The error is a message for [`Error::ToolOutput`].
pub fn parse_dhat(json: &str) -> std::result::Result<(u64, u64, u64), DhatError> {
    let file: DhatFile = serde_json::from_str(json).map_err(DhatError::NotAProfile)?;
    if file.version != DHAT_FILE_VERSION {
        return Err(DhatError::Version(file.version));
    }
    if file.mode != "heap" || !file.bklt {
        return Err(DhatError::Mode {
            mode: file.mode,
            block_lifetimes: file.bklt,
        });
    }
    let overflow = || DhatError::Overflow;
    let (mut blocks, mut bytes, mut peak) = (0u64, 0u64, 0u64);
    for (i, pp) in file.pps.iter().enumerate() {
        let gb = pp.gb.ok_or(DhatError::NoPeak(i))?;
        blocks = blocks.checked_add(pp.tbk).ok_or_else(overflow)?;
        bytes = bytes.checked_add(pp.tb).ok_or_else(overflow)?;
        peak = peak.checked_add(gb).ok_or_else(overflow)?;
    }
    Ok((blocks, bytes, peak))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::startup::tests::{built, startup};

    /// A real DHAT profile of `toml-test-decoder < small.toml` (valgrind 3.19), trimmed to
    /// three of its twenty program points, their frames renumbered, and paths cut to file
    /// names. Totals: 2 + 1 + 7 = 10 blocks, 360 + 544 + 4064 = 4968 bytes, and
    /// 0 + 544 + 2048 = 2592 bytes at t-gmax.
    const DECODER_PROFILE: &str = r#"{"dhatFileVersion":2
,"mode":"heap","verb":"Allocated"
,"bklt":true,"bkacc":true
,"tu":"instrs","Mtu":"Minstr"
,"tuth":500
,"cmd":"toml-test-decoder"
,"pid":11092
,"te":503209
,"tg":493823
,"pps":
 [{"tb":360,"tbk":2
  ,"tl":152456
  ,"mb":240,"mbk":1
  ,"gb":0,"gbk":0
  ,"eb":0,"ebk":0
  ,"rb":6018,"wb":4778
  ,"fs":[1,4,5,2,3]
  }
 ,{"tb":544,"tbk":1
  ,"tl":114357
  ,"mb":0,"mbk":0
  ,"gb":544,"gbk":1
  ,"eb":544,"ebk":1
  ,"rb":76,"wb":60
  ,"acc":[-16,3,-80,0,-40,2,-402,0,-2,4,-4,0]
  ,"fs":[1,7,6,3]
  }
 ,{"tb":4064,"tbk":7
  ,"tl":108224
  ,"mb":2048,"mbk":1
  ,"gb":2048,"gbk":1
  ,"eb":0,"ebk":0
  ,"rb":8508,"wb":3652
  ,"fs":[1,11,12,13,14,15,16,8,9,10,3]
  }
 ]
,"ftbl":
 ["[root]"
 ,"0x48417B4: malloc (in vgpreload_dhat-amd64-linux.so)"
 ,"0x15631D: std::rt::lang_start_internal (in toml-test-decoder)"
 ,"0x124C94: main (in toml-test-decoder)"
 ,"0x48F1C9E: getdelim (iogetdelim.c:62)"
 ,"0x4905784: pthread_getattr_np@@GLIBC_2.32 (pthread_getattr_np.c:122)"
 ,"0x15644C: std::rt::lang_start_internal (in toml-test-decoder)"
 ,"0x158B59: std::sys::pal::unix::stack_overflow::thread_info::set_current_info (in toml-test-decoder)"
 ,"0x1248F2: std::sys::backtrace::__rust_begin_short_backtrace (in toml-test-decoder)"
 ,"0x1248E8: std::rt::lang_start::{{closure}} (in toml-test-decoder)"
 ,"0x156513: std::rt::lang_start_internal (in toml-test-decoder)"
 ,"0x14B7BF: <alloc::raw_vec::RawVecInner>::finish_grow (in toml-test-decoder)"
 ,"0x1454F1: <alloc::raw_vec::RawVecInner<_>>::reserve::do_reserve_and_handle::<alloc::alloc::Global> (in toml-test-decoder)"
 ,"0x145641: std::io::default_read_to_end::small_probe_read::<std::sys::stdio::unix::Stdin> (in toml-test-decoder)"
 ,"0x13B4E3: std::io::default_read_to_end::<std::sys::stdio::unix::Stdin> (in toml-test-decoder)"
 ,"0x15B25F: <std::io::buffered::bufreader::BufReader<std::io::stdio::StdinRaw> as std::io::Read>::read_to_end (in toml-test-decoder)"
 ,"0x12425B: toml_test_decoder::main (in toml-test-decoder)"
 ]
}
"#;

    #[track_caller]
    fn check_err(json: &str, expected: &str) {
        let err = parse_dhat(json).expect_err("not readable").to_string();
        assert!(err.starts_with(expected), "{err}");
    }

    #[test]
    fn totals_are_summed_over_program_points() {
        assert_eq!(parse_dhat(DECODER_PROFILE).ok(), Some((10, 4968, 2592)));
    }

    #[test]
    fn a_profile_without_program_points_allocated_nothing() {
        let json = r#"{"dhatFileVersion":2,"mode":"heap","bklt":true,"pps":[],"ftbl":["[root]"]}"#;
        assert_eq!(parse_dhat(json).ok(), Some((0, 0, 0)));
    }

    #[test]
    fn unreadable_profiles_say_why() {
        check_err("", "not a DHAT profile: EOF");
        check_err(&DECODER_PROFILE[..400], "not a DHAT profile: EOF");
        check_err(
            &DECODER_PROFILE.replace(r#""tbk":7"#, r#""tbk":-7"#),
            "not a DHAT profile: invalid value: integer `-7`",
        );
        check_err(
            &DECODER_PROFILE.replace(r#""tb":544,"#, ""),
            "not a DHAT profile: missing field `tb`",
        );
        check_err(
            &DECODER_PROFILE.replace(r#""dhatFileVersion":2"#, r#""dhatFileVersion":3"#),
            "DHAT file version 3, perfgate reads version 2",
        );
        check_err(
            &DECODER_PROFILE.replace(r#""mode":"heap""#, r#""mode":"copy""#),
            "a DHAT `copy` profile, perfgate reads heap profiles",
        );
        check_err(
            &DECODER_PROFILE.replace(r#","gb":2048,"gbk":1"#, ""),
            "program point 2 has no `gb`",
        );
        let huge = format!(r#""tb":{}"#, u64::MAX);
        check_err(
            &DECODER_PROFILE.replace(r#""tb":4064"#, &huge),
            "totals overflow 64 bits",
        );
    }

    #[test]
    fn a_program_under_dhat_gives_three_exact_counts() {
        let built = built(&[("ok", "true")]);
        let ms = measure(&built, &startup("ok", &[], 1)).expect("true succeeds");
        let metrics: Vec<(&str, &str, Unit)> = ms
            .iter()
            .map(|m| (m.bench.as_str(), m.metric.as_str(), m.unit))
            .collect();
        assert_eq!(
            metrics,
            [
                ("alloc/ok", "allocations_count", Unit::Count),
                ("alloc/ok", "allocated_bytes", Unit::Bytes),
                ("alloc/ok", "peak_heap_bytes", Unit::Bytes),
            ]
        );
        assert!(
            ms.iter()
                .all(|m| m.samples.is_empty() && m.artifact_sha256.is_some())
        );
    }

    #[test]
    fn a_failing_program_under_dhat_is_a_failed_bench_with_its_stderr() {
        let built = built(&[("fails", "sh")]);
        let err = measure(
            &built,
            &startup("fails", &["-c", "echo broken >&2; exit 3"], 1),
        )
        .expect_err("exit 3");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "bench `alloc/fails` failed under profile `release`: `valgrind -q --tool=dhat "
            ),
            "{text}"
        );
        assert!(text.ends_with("(exit 3)\nbroken"), "{text}");
    }
}
