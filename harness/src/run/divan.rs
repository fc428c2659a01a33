//! divan benches: runs a bench target's executable one process per sample and reads divan's
//! text table, its only output (divan has no machine-readable format: nvzqz/divan#10).
//!
//! This module owns that table's format, pinned by tests on real outputs of divan 0.1.14,
//! 0.1.17 and 0.1.21 (`run/divan/tests.rs`). A process prints a tree of benchmarks, one row
//! per leaf (a function, or one of its `args`/`types`):
//!
//! ```text
//! speed              fastest       │ slowest       │ median        │ mean          │ samples │ iters
//! ├─ add             3.866 ns      │ 14.66 ns      │ 3.866 ns      │ 5.186 ns      │ 10      │ 50
//! ├─ encode                        │               │               │               │         │
//! │  ├─ 64           52.06 ns      │ 86.66 ns      │ 52.96 ns      │ 57.12 ns      │ 10      │ 50
//! │  ╰─ 4096         3.438 µs      │ 4.505 µs      │ 3.445 µs      │ 3.65 µs       │ 10      │ 50
//! ```
//!
//! The root is the bench target's crate name, each level three characters of tree drawing,
//! and a counter (`bencher.counter(..)`) adds a throughput row under its bench, which is not
//! read. A bench's id is its path below the root joined with `/` (`encode/64`), its divan
//! name the whole path joined with `::` (`speed::encode::64`, what `--exact` takes).
//!
//! One process is one sample: its median time per iteration. [`run`] runs `processes` of
//! them and keeps every process's median as the samples of `wall_time_ns`, whose value is the
//! median of those (the process is the unit of sampling, as in `compare --run`).

use std::path::Path;
use std::process::Command;

use crate::builds::target::{BenchTarget, Built};
use crate::error::{Error, Result};
use crate::measure::{Measurement, Unit};
use crate::metric::Metric;
use crate::process;

/// The tool name in [`Error::ToolOutput`].
const TOOL: &str = "divan";

/// How divan samples within one process, and how many processes [`run`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DivanSampling {
    /// `--sample-count` (`None`: divan's default, 100).
    pub sample_count: Option<u32>,
    /// `--sample-size`, the iterations per sample (`None`: divan chooses per bench).
    pub sample_size: Option<u32>,
    /// Processes per bench target.
    pub processes: usize,
}

impl DivanSampling {
    /// Full mode: divan's own sampling, ten processes.
    pub const FULL: DivanSampling = DivanSampling {
        sample_count: None,
        sample_size: None,
        processes: 10,
    };
    /// Quick mode: 20 samples a process, five processes.
    pub const QUICK: DivanSampling = DivanSampling {
        sample_count: Some(20),
        sample_size: None,
        processes: 5,
    };
    /// A quick burst of `compare --run`: 10 samples (their iterations calibrated, see
    /// [`DivanSampling::calibrated`]).
    pub const QUICK_BURST: DivanSampling = DivanSampling {
        sample_count: Some(10),
        sample_size: None,
        processes: 1,
    };
    /// A full burst of `compare --run`: 30 samples.
    pub const FULL_BURST: DivanSampling = DivanSampling {
        sample_count: Some(30),
        sample_size: None,
        processes: 1,
    };

    /// This sampling with a fixed number of iterations per sample, calibrated from a process's
    /// `measured` wall times so that a sample of the shortest bench takes about `sample_ns`
    /// (1 to 10⁶ iterations); unchanged when nothing was measured.
    pub fn calibrated(self, measured: &[Measurement], sample_ns: f64) -> DivanSampling {
        let shortest = measured
            .iter()
            .filter(|m| m.metric == Metric::WallTime && m.value > 0.0)
            .map(|m| m.value)
            .fold(f64::INFINITY, f64::min);
        if !shortest.is_finite() {
            return self;
        }
        let iterations = (sample_ns / shortest).ceil().clamp(1.0, 1e6) as u32;
        DivanSampling {
            sample_size: Some(iterations),
            ..self
        }
    }

    /// The options of one process (`--color never` so no escape reaches the table).
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--color".to_string(), "never".to_string()];
        if let Some(n) = self.sample_count {
            args.extend(["--sample-count".to_string(), n.to_string()]);
        }
        if let Some(n) = self.sample_size {
            args.extend(["--sample-size".to_string(), n.to_string()]);
        }
        args
    }
}

/// One leaf row of divan's table: a benchmark's times per iteration, in nanoseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The path from the root (the crate name) to the leaf.
    pub path: Vec<String>,
    /// The fastest sample.
    pub fastest_ns: f64,
    /// The slowest sample.
    pub slowest_ns: f64,
    /// The median sample.
    pub median_ns: f64,
    /// The mean of the samples.
    pub mean_ns: f64,
    /// How many samples.
    pub samples: u64,
    /// How many iterations in all.
    pub iters: u64,
}

impl Row {
    /// perfgate's id of the bench: the path below the root, joined with `/`.
    pub fn id(&self) -> String {
        self.path[1..].join("/")
    }

    /// divan's own name of it, for `--exact`: the whole path joined with `::`.
    pub fn divan_name(&self) -> String {
        self.path.join("::")
    }
}

/// Why a divan table could not be read ([`parse_table`]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    /// No header line (`<name> fastest │ slowest │ median │ mean │ samples │ iters`).
    #[error(
        "no result table in divan's output (perfgate reads divan 0.1's table: `fastest │ slowest │ median │ mean │ samples │ iters`); is this divan 0.1, and did a filter match nothing?"
    )]
    NoTable,
    /// A line of the table that does not read.
    #[error("line {line} of divan's table: {problem}: `{text}`")]
    BadLine {
        /// Its number in the output, from 1.
        line: usize,
        /// What is wrong.
        problem: String,
        /// The line.
        text: String,
    },
}

/// The columns of the table, in order.
const COLUMNS: [&str; 6] = ["fastest", "slowest", "median", "mean", "samples", "iters"];

/// Pure: divan's standard output → its leaf rows, in the order printed. Lines before the
/// header (`Timer precision: …`) and blank lines are skipped. A row whose cells are all empty
/// is a node of the tree (a module, or a function with `args`); a row without a name is a
/// throughput row of the bench above it.
pub fn parse_table(stdout: &str) -> Result<Vec<Row>, TableError> {
    let mut lines = stdout.lines().enumerate();
    let (root, name_width) = loop {
        let Some((_, line)) = lines.next() else {
            return Err(TableError::NoTable);
        };
        if let Some(header) = header(line) {
            break header;
        }
    };
    let mut rows = Vec::new();
    // The path to the row being read: the root, then one name per level.
    let mut path: Vec<String> = vec![root];
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: &str| TableError::BadLine {
            line: index + 1,
            problem: problem.to_string(),
            text: line.to_string(),
        };
        let chars: Vec<char> = line.chars().collect();
        let drawing = chars.iter().take_while(|c| is_drawing(**c)).count();
        let name_end = name_width.min(chars.len());
        if drawing > name_end {
            return Err(bad("the tree drawing runs into the columns"));
        }
        let name: String = chars[drawing..name_end].iter().collect();
        let name = name.trim_end();
        let cells: Vec<String> = chars[name_end..]
            .iter()
            .collect::<String>()
            .split('│')
            .map(|c| c.trim().to_string())
            .collect();
        if name.is_empty() {
            // A throughput row of the bench above, or a blank row of the drawing.
            continue;
        }
        if drawing % 3 != 0 || drawing < 3 {
            return Err(bad("a name at no level of the tree"));
        }
        let depth = drawing / 3;
        if depth > path.len() {
            return Err(bad("a name two levels below its parent"));
        }
        path.truncate(depth);
        path.push(name.to_string());
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if cells.len() != COLUMNS.len() {
            return Err(bad(&format!(
                "{} cells where divan writes {}",
                cells.len(),
                COLUMNS.len()
            )));
        }
        let time = |i: usize| parse_duration_ns(&cells[i]).ok_or_else(|| bad(COLUMNS[i]));
        let count = |i: usize| cells[i].parse::<u64>().map_err(|_| bad(COLUMNS[i]));
        rows.push(Row {
            path: path.clone(),
            fastest_ns: time(0)?,
            slowest_ns: time(1)?,
            median_ns: time(2)?,
            mean_ns: time(3)?,
            samples: count(4)?,
            iters: count(5)?,
        });
    }
    Ok(rows)
}

/// The header line: the root's name and the width (in characters) of the name column, where
/// `fastest` starts.
fn header(line: &str) -> Option<(String, usize)> {
    let at = line.find("fastest")?;
    let rest = &line[at..];
    let names: Vec<&str> = rest.split('│').map(str::trim).collect();
    if names != COLUMNS {
        return None;
    }
    let root = line[..at].trim();
    if root.is_empty() || root.contains(char::is_whitespace) {
        return None;
    }
    Some((root.to_string(), line[..at].chars().count()))
}

/// The characters divan draws its tree with, and the spaces between them.
fn is_drawing(c: char) -> bool {
    matches!(c, '│' | '├' | '╰' | '─' | ' ')
}

/// Pure: a divan duration (`3.866 ns`, `52.06 µs`, `1.5 s`, `2 m`) in nanoseconds. divan
/// writes four significant figures and the units `ps ns µs ms s m h d`; `μs` (Greek mu) and
/// `us` are read too.
pub fn parse_duration_ns(cell: &str) -> Option<f64> {
    let (number, unit) = cell.trim().split_once(' ')?;
    let value: f64 = number.parse().ok()?;
    let scale = match unit {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "μs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        "d" => 86400e9,
        _ => return None,
    };
    (value.is_finite() && value >= 0.0).then_some(value * scale)
}

/// Pure: the processes' rows → one `wall_time_ns` per bench, whose samples are each
/// process's median and whose value is their median, in the order of the first process.
/// A bench missing from some process has the samples of the others.
pub fn to_measurements(processes: &[Vec<Row>], artifact_sha256: Option<&str>) -> Vec<Measurement> {
    let mut order: Vec<String> = Vec::new();
    let mut samples: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for rows in processes {
        for row in rows {
            let id = row.id();
            if !samples.contains_key(&id) {
                order.push(id.clone());
            }
            samples.entry(id).or_default().push(row.median_ns);
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let values = samples.remove(&id)?;
            let median = crate::stats::median(&values)?;
            Some(
                Measurement::sampled(id, Metric::WallTime, Unit::Nanoseconds, median, values)
                    .with_artifact(artifact_sha256.map(str::to_string)),
            )
        })
        .collect()
}

/// The command of one process of a divan bench target's executable, as `cargo bench` runs it
/// (`EXE --bench`, from the crate's directory), with `args` after.
pub fn process_command(built: &Built, bench: &BenchTarget, args: &[String]) -> Result<Command> {
    let exe = super::bench_exe(built, bench, TOOL)?;
    let mut cmd = Command::new(exe);
    cmd.arg("--bench")
        .args(args)
        .current_dir(&bench.crate_dir)
        .env("CARGO_MANIFEST_DIR", &bench.crate_dir);
    Ok(cmd)
}

/// Runs one process of a divan bench target and reads its table.
pub fn run_process(
    built: &Built,
    bench: &BenchTarget,
    sampling: &DivanSampling,
) -> Result<Vec<Row>> {
    let mut cmd = process_command(built, bench, &sampling.args())?;
    cmd.args(bench.filter.as_deref());
    let output = built.run_bench(&mut cmd, &bench.name, built.profile.name())?;
    if !output.status.success() {
        return Err(crate::run::bench_failed(built, &bench.name, &cmd, &output));
    }
    let rows =
        parse_table(&String::from_utf8_lossy(&output.stdout)).map_err(|e| Error::ToolOutput {
            tool: TOOL,
            path: Path::new(&process::command_line(&cmd)).to_path_buf(),
            message: e.to_string(),
        })?;
    if rows.is_empty() {
        return Err(Error::ToolOutput {
            tool: TOOL,
            path: Path::new(&process::command_line(&cmd)).to_path_buf(),
            message: format!("bench `{}` printed a table without benchmarks", bench.name),
        });
    }
    Ok(rows)
}

/// Runs `sampling.processes` processes of a divan bench target under `built` for its wall
/// time ([`to_measurements`]), then counts each of its benches' instructions under callgrind
/// ([`instructions::measure`], scratch files in `scratch`).
pub fn run(
    built: &Built,
    bench: &BenchTarget,
    sampling: &DivanSampling,
    scratch: &Path,
) -> Result<Vec<Measurement>> {
    let mut processes = Vec::with_capacity(sampling.processes);
    for _ in 0..sampling.processes.max(1) {
        processes.push(run_process(built, bench, sampling)?);
    }
    let sha = built.bench_sha256(bench);
    let mut out = to_measurements(&processes, sha.as_deref());
    out.extend(instructions::measure(built, bench, &processes[0], scratch)?);
    Ok(out)
}

pub mod instructions;
#[cfg(test)]
mod tests;
