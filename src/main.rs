//! The `preflight` binary: parses arguments and hands over to [`preflight::cli`].

fn main() -> std::process::ExitCode {
    preflight::cli::main()
}
