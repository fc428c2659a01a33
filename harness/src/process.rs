//! The one way perfgate starts a child process: the command line is recorded, output is
//! captured, and a failure becomes an [`Error::CommandFailed`] carrying the command and the
//! last lines of its stderr. A program that is not installed becomes [`Error::ToolMissing`].

use std::ffi::OsStr;
use std::io;
use std::process::{Command, ExitStatus, Output};

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
    let s = s.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
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
