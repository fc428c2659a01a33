//! `cargo perfgate …`: cargo runs `cargo-perfgate perfgate …`, so the subcommand's own name
//! is dropped before the arguments reach the same program as `perfgate`.

fn main() -> std::process::ExitCode {
    // SAFETY: the first thing the program does; no other thread runs yet.
    unsafe { perfgate::builds::toolchain::let_each_checkout_choose() };
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "perfgate") {
        args.remove(1);
    }
    if let Some(name) = args.first_mut() {
        *name = "cargo perfgate".into();
    }
    perfgate::command::main(args)
}
