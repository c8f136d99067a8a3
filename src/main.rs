//! The `itaku` command line: parses arguments, calls the library, chooses an exit code.

mod cli;

// Assessment allocates many small values on every thread; mimalloc measured ~10% faster than the system
// allocator end to end on two threads (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
