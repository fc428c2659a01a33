//! The `perfgate` binary: the whole program is `perfgate::command::main`.

fn main() -> std::process::ExitCode {
    // SAFETY: the first thing the program does; no other thread runs yet.
    unsafe { perfgate::builds::toolchain::let_each_checkout_choose() };
    perfgate::command::main(std::env::args_os().collect())
}
