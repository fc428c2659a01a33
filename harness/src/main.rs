//! The `perfgate` binary: the whole program is `perfgate::command::main`.

fn main() -> std::process::ExitCode {
    perfgate::command::main(std::env::args_os().collect())
}
