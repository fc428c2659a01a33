//! Instruction counts of divan benches: each bench run alone under callgrind, one sample of
//! [`ITERATIONS`] iterations and one of twice as many, counting only the sample's timed
//! region, so that what runs once per sample (the two clock reads, divan's own bookkeeping, a
//! first call's lazy work) cancels out:
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=OUT '--dump-after=*sync_impl' \
//!     EXE --bench --exact speed::encode::64 --sample-count 1 --sample-size N
//! instructions = (Ir(OUT.2, 2N) − Ir(OUT.2, N)) / N
//! ```
//!
//! divan calls its `#[inline(never)]` `sync_impl` right before starting the clock and right
//! after stopping it, so callgrind's second dump (`OUT.2`) holds exactly the timed region.
//! It is there in every build, fat LTO included, where the bench functions and divan's
//! `Bencher::bench` are inlined away, so no toggle on a function name would hold. divan's
//! calibration and timer-precision loops, which depend on time, fall in the first dump. The
//! counts were the same to the instruction in repeated runs of divan 0.1.14, 0.1.17 and
//! 0.1.21, so the measurement has no samples.

use std::path::Path;
use std::process::Command;

use crate::builds::target::{BenchTarget, Built};
use crate::error::{Error, Result};
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;

use super::Row;

/// Iterations of the shorter run (the longer runs twice as many).
pub const ITERATIONS: u64 = 100;

/// The function after which callgrind dumps its counts: divan's fence around a sample.
const DUMP_AFTER: &str = "*sync_impl";

/// The valgrind command counting one run of bench `row` with `iterations` iterations, its
/// callgrind output written to `out_file` (the timed region in `<out_file>.2`).
pub fn command(
    built: &Built,
    bench: &BenchTarget,
    row: &Row,
    iterations: u64,
    out_file: &Path,
) -> Result<Command> {
    let exe = super::super::bench_exe(built, bench, "divan")?;
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(format!("--dump-after={DUMP_AFTER}"))
        .arg(exe)
        .arg("--bench")
        .args(["--color", "never", "--exact"])
        .arg(row.divan_name())
        .args(["--sample-count", "1", "--sample-size"])
        .arg(iterations.to_string())
        .current_dir(&bench.crate_dir)
        .env("CARGO_MANIFEST_DIR", &bench.crate_dir);
    Ok(cmd)
}

/// Callgrind's second dump of a run written to `out_file`: the timed region.
fn timed_dump(out_file: &Path) -> std::path::PathBuf {
    let mut name = out_file.as_os_str().to_owned();
    name.push(".2");
    name.into()
}

/// Pure: the instructions callgrind collected, from its output file's `summary:` (or
/// `totals:`) line, the first event being `Ir`.
pub fn collected(callgrind_out: &str) -> Option<u64> {
    let events = callgrind_out
        .lines()
        .find_map(|l| l.strip_prefix("events:"))?;
    if events.split_whitespace().next() != Some("Ir") {
        return None;
    }
    callgrind_out.lines().find_map(|l| {
        let rest = l
            .strip_prefix("summary:")
            .or_else(|| l.strip_prefix("totals:"))?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Pure: instructions per iteration from the counts of `n` and of `2n` iterations; `None`
/// when the longer run counted fewer (the toggles did not take, or the bench is not the same
/// work each time).
pub fn per_iteration(short: u64, long: u64, n: u64) -> Option<f64> {
    (long >= short && n > 0).then(|| (long - short) as f64 / n as f64)
}

/// Counts the instructions of every bench in `rows` (one divan bench target's), under
/// callgrind, scratch files in `scratch`. valgrind must be on PATH.
pub fn measure(
    built: &Built,
    bench: &BenchTarget,
    rows: &[Row],
    scratch: &Path,
) -> Result<Vec<Measurement>> {
    let sha = built.bench_sha256(bench);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let count = |iterations: u64| -> Result<u64> {
            let file = scratch.join(format!(
                "{}.{}.{iterations}.callgrind",
                bench.name,
                row.id().replace('/', "_")
            ));
            let mut cmd = command(built, bench, row, iterations, &file)?;
            let output = built.run_bench(&mut cmd, &bench.name, built.profile.name())?;
            if !output.status.success() {
                return Err(crate::run::bench_failed(
                    built,
                    &format!("{} ({})", bench.name, row.id()),
                    &cmd,
                    &output,
                ));
            }
            let timed = timed_dump(&file);
            let text = std::fs::read_to_string(&timed).map_err(|source| Error::Io {
                action: "read (callgrind's dump of the timed region)",
                path: timed.clone(),
                source,
            })?;
            collected(&text).ok_or_else(|| Error::ToolOutput {
                tool: "callgrind",
                path: timed.clone(),
                message: "no `Ir` summary in the output".to_string(),
            })
        };
        let short = count(ITERATIONS)?;
        let long = count(2 * ITERATIONS)?;
        let value = per_iteration(short, long, ITERATIONS).ok_or_else(|| Error::ToolOutput {
            tool: "callgrind",
            path: scratch.to_path_buf(),
            message: format!(
                "bench `{}` counted {short} instructions for {ITERATIONS} iterations and {long} for {}; perfgate counts between divan's `sync_impl` fences (is this divan 0.1?)",
                row.divan_name(),
                2 * ITERATIONS
            ),
        })?;
        if short == 0 {
            return Err(Error::ToolOutput {
                tool: "callgrind",
                path: scratch.to_path_buf(),
                message: format!(
                    "bench `{}`: callgrind collected nothing between divan's `sync_impl` fences (were its symbols stripped?)",
                    row.divan_name()
                ),
            });
        }
        out.push(
            Measurement::exact(row.id(), Metric::Instructions, Unit::Instructions, value)
                .with_artifact(sha.clone()),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_read_from_the_summary() {
        let out = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\nevents: Ir\n\nfl=(1) x.rs\nfn=(1) f\n3 100\n\nsummary: 22803\ntotals: 22803\n";
        assert_eq!(collected(out), Some(22803));
        assert_eq!(collected("events: Ir\ntotals: 5\n"), Some(5));
        assert_eq!(collected("events: Dr\nsummary: 5\n"), None);
        assert_eq!(collected("summary: 5\n"), None);
        assert_eq!(collected(""), None);
    }

    #[test]
    fn what_runs_once_cancels_out() {
        // divan 0.1.21, `speed::add`: 7,092 instructions in the timed region of 1,000
        // iterations and 14,092 of 2,000, the same in three runs: 7 per iteration (the
        // constant 92 is the two clock reads and the fence).
        assert_eq!(per_iteration(7_092, 14_092, 1000), Some(7.0));
        assert_eq!(per_iteration(14_092, 7_092, 1000), None);
        assert_eq!(
            timed_dump(Path::new("/s/speed.add.100.callgrind")),
            Path::new("/s/speed.add.100.callgrind.2")
        );
        assert_eq!(per_iteration(1, 2, 0), None);
    }
}
