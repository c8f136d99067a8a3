//! The `itaku` command line: parses arguments, calls the library, chooses an exit code.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
