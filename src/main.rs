//! The `sanctiond` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    sanctiond::cli::main()
}
