//! The one way perfgate starts a child process: the command line is recorded, output is
//! captured, and a failure becomes an [`Error::CommandFailed`] carrying the command and the
//! last lines of its stderr. A program that is not installed becomes [`Error::ToolMissing`].

use std::ffi::OsStr;
use std::io::{self, Read as _};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How many lines of stderr an error keeps.
const TAIL_LINES: usize = 20;

/// The command line of `cmd` as a person would type it (environment variables perfgate set
/// first, arguments quoted where they need it).
pub fn command_line(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| format!("{}={}", k.to_string_lossy(), quote(v))))
        .collect();
    parts.push(quote(cmd.get_program()));
    parts.extend(cmd.get_args().map(quote));
    parts.join(" ")
}

fn quote(s: &OsStr) -> String {
    shell_word(&s.to_string_lossy())
}

/// `word` quoted for a POSIX shell where it needs it: as it is when it holds only characters
/// no shell reads specially, else in single quotes.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The last [`TAIL_LINES`] lines of `bytes`, as text.
pub fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

/// How a process ended, as text: `exit 101` or `signal 9`.
pub fn status_text(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        _ => "unknown status".to_string(),
    }
}

/// Runs `cmd` to completion with its output captured; a non-zero exit is an error.
/// `install_hint` says how to install the program if it is missing.
pub fn run(cmd: &mut Command, install_hint: &str) -> Result<Output> {
    let output = spawn_output(cmd, install_hint)?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(Error::CommandFailed {
            command: command_line(cmd),
            status: status_text(output.status),
            stderr_tail: tail(&output.stderr),
            hint: None,
        })
    }
}

/// Runs `cmd` to completion with its output captured, whatever its exit status; only a
/// failure to start it is an error.
pub fn spawn_output(cmd: &mut Command, install_hint: &str) -> Result<Output> {
    cmd.output().map_err(|e| start_error(cmd, e, install_hint))
}

/// Like [`spawn_output`], but a command still running after `limit` is stopped, with every
/// process it started (its descendants, found through `/proc`), and `Ok(None)` says so.
/// `None` as the limit waits for ever.
pub fn spawn_output_limited(
    cmd: &mut Command,
    install_hint: &str,
    limit: Option<Duration>,
) -> Result<Option<Output>> {
    let Some(limit) = limit else {
        return spawn_output(cmd, install_hint).map(Some);
    };
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| start_error(cmd, e, install_hint))?;
    let drain = |pipe: Option<Box<dyn io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn io::Read + Send>),
    );
    let deadline = Instant::now() + limit;
    let wait_error = |e: io::Error| Error::CommandFailed {
        command: command_line(cmd),
        status: format!("could not wait for it: {e}"),
        stderr_tail: String::new(),
        hint: None,
    };
    let status = loop {
        if let Some(status) = child.try_wait().map_err(wait_error)? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            kill_tree(child.id());
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    Ok(status.map(|status| Output {
        status,
        stdout,
        stderr,
    }))
}

/// Stops process `pid` and all its descendants (SIGKILL). The tree is frozen first (SIGSTOP to
/// each process found, then `/proc` read again until no new descendant appears), so that a child
/// forked while the tree was being read cannot escape and keep the output pipes open.
fn kill_tree(pid: u32) {
    let signal = |pid: u32, signal: i32| {
        if let Ok(pid) = i32::try_from(pid) {
            // SAFETY: `kill` with a pid and a signal number has no memory effects.
            unsafe {
                libc::kill(pid, signal);
            }
        }
    };
    let mut family = vec![pid];
    signal(pid, libc::SIGSTOP);
    loop {
        let mut found = Vec::new();
        for &member in &family {
            for child in children_of(member) {
                if !family.contains(&child) && !found.contains(&child) {
                    signal(child, libc::SIGSTOP);
                    found.push(child);
                }
            }
        }
        if found.is_empty() {
            break;
        }
        family.extend(found);
    }
    for pid in family {
        signal(pid, libc::SIGKILL);
    }
}

/// The processes whose parent is `pid`, from `/proc/<n>/stat`.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&n| {
            std::fs::read_to_string(format!("/proc/{n}/stat"))
                .ok()
                .and_then(|stat| parent_in_stat(&stat))
                == Some(pid)
        })
        .collect()
}

/// The parent pid in a `/proc/<n>/stat` line: the field after the state, which follows the
/// command name in parentheses (which may itself hold spaces and parentheses).
fn parent_in_stat(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// The error for a command that could not be started.
pub fn start_error(cmd: &Command, e: io::Error, install_hint: &str) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::ToolMissing {
            tool: cmd.get_program().to_string_lossy().into_owned(),
            fix: install_hint.to_string(),
        }
    } else {
        Error::CommandFailed {
            command: command_line(cmd),
            status: format!("could not start: {e}"),
            stderr_tail: String::new(),
            hint: None,
        }
    }
}

/// The first line of `program args...`'s stdout (or stderr, for tools that print their version
/// there), trimmed.
pub fn first_line(program: &str, args: &[&str], install_hint: &str) -> Result<String> {
    let output = run(Command::new(program).args(args), install_hint)?;
    let text = if output.stdout.iter().any(|b| !b.is_ascii_whitespace()) {
        output.stdout
    } else {
        output.stderr
    };
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string())
}

/// Install hints for the tools perfgate runs.
pub mod hint {
    /// cargo and rustc.
    pub const RUST: &str = "install Rust 1.95 with rustup";
    /// valgrind.
    pub const VALGRIND: &str =
        "install it with `apt-get install valgrind` (or run `scripts/setup.sh`)";
    /// llvm-profdata.
    pub const LLVM: &str =
        "install Debian's `llvm-22` (`apt-get install llvm-22`, or run `scripts/setup.sh`)";
    /// git.
    pub const GIT: &str = "install it with `apt-get install git`";
    /// strip.
    pub const BINUTILS: &str = "install it with `apt-get install binutils`";
    /// The GitHub CLI.
    pub const GH: &str = "install the GitHub CLI (`apt-get install gh`; GitHub's runners have it) and give it a token in `GH_TOKEN`";
    /// A program of the target crate.
    pub const TARGET: &str = "check the command in perfgate.toml";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_quote_what_needs_it() {
        let mut cmd = Command::new("cargo");
        cmd.args(["bench", "--bench", "parse", "--", "a b"])
            .env("CRITERION_HOME", "/tmp/x");
        assert_eq!(
            command_line(&cmd),
            "CRITERION_HOME=/tmp/x cargo bench --bench parse -- 'a b'"
        );
    }

    #[test]
    fn a_missing_program_is_a_missing_tool() {
        let err =
            run(&mut Command::new("perfgate-no-such-tool"), "install it").expect_err("missing");
        assert_eq!(
            err.to_string(),
            "`perfgate-no-such-tool` not found on PATH; install it"
        );
    }

    #[test]
    fn a_failing_command_keeps_its_stderr_tail() {
        let err = run(
            Command::new("sh").args(["-c", "echo one >&2; echo two >&2; exit 3"]),
            "",
        )
        .expect_err("fails");
        let text = err.to_string();
        assert!(
            text.starts_with("`sh -c 'echo one >&2; echo two >&2; exit 3'` failed (exit 3)"),
            "{text}"
        );
        assert!(text.ends_with("one\ntwo"), "{text}");
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn the_parent_pid_is_read_past_a_name_with_spaces_and_parentheses() {
        assert_eq!(parent_in_stat("42 (cargo) S 7 42 42 0"), Some(7));
        assert_eq!(parent_in_stat("43 (a b) (c)) R 12 1 1"), Some(12));
        assert_eq!(parent_in_stat("garbage"), None);
    }

    #[test]
    fn a_command_past_its_limit_is_stopped_with_its_children() {
        // A shell that starts a child which would outlive it, says its pid, then waits. On a
        // loaded machine the limit may come before the shell has started its child; then the
        // limit is doubled until the child was started before it.
        let dir = tempfile::tempdir().expect("temp");
        let pid_file = dir.path().join("pid");
        let mut limit = Duration::from_millis(500);
        let pid = loop {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(format!(
                "sleep 30 & echo $! > '{}'; wait",
                pid_file.display()
            ));
            let out = spawn_output_limited(&mut cmd, "", Some(limit)).expect("started");
            assert!(out.is_none(), "stopped at the limit");
            match std::fs::read_to_string(&pid_file) {
                Ok(pid) if !pid.trim().is_empty() => break pid,
                _ => limit *= 2,
            }
        };
        // Killed, it is reaped (or at most a zombie, state `Z`).
        let alive = || {
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
                .ok()
                .and_then(|stat| {
                    let state = stat[stat.rfind(')')? + 1..]
                        .split_whitespace()
                        .next()?
                        .to_string();
                    Some(state != "Z" && state != "X")
                })
                .unwrap_or(false)
        };
        // SIGKILL is delivered asynchronously: wait for its state (the bound only keeps a
        // broken kill from hanging the suite; a kill takes microseconds).
        let mut polls = 0;
        while alive() && polls < 3000 {
            std::thread::sleep(Duration::from_millis(20));
            polls += 1;
        }
        assert!(!alive(), "the child `sleep` was stopped too");

        let mut quick = Command::new("sh");
        quick.args(["-c", "echo done; echo oops >&2; exit 3"]);
        let out = spawn_output_limited(&mut quick, "", Some(Duration::from_secs(30)))
            .expect("started")
            .expect("finished in time");
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
    }
}
