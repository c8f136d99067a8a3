//! The `itaku` binary: the command line of `itaku_cli`, with the allocator the engine is measured with.

// Assessment allocates many small values on every thread; mimalloc measured ~10% faster than the system
// allocator end to end on two threads (docs/performance.md). `Counting` keeps a per-thread byte count
// beside it, which the rule sandbox uses to bound the heap one rule adds (itaku::heap).
#[global_allocator]
static GLOBAL: itaku::heap::Counting<mimalloc::MiMalloc> =
    itaku::heap::Counting(mimalloc::MiMalloc);

fn main() -> std::process::ExitCode {
    itaku_cli::run()
}
