//! The `itaku` binary: the command line of `itaku_cli`, with the allocator the engine is measured with.

// Assessment allocates many small values on every thread; mimalloc measured ~10% faster than the system
// allocator end to end on two threads (docs/performance.md). `Counting` keeps a per-thread byte count
// beside it, which the rule sandbox uses to bound the heap one rule adds (itaku::heap).
#[global_allocator]
static GLOBAL: itaku::heap::Counting<mimalloc::MiMalloc> =
    itaku::heap::Counting(mimalloc::MiMalloc);

fn main() -> std::process::ExitCode {
    without_huge_pages();
    itaku_cli::run()
}

/// Transparent huge pages off for this process. mimalloc's arenas touch memory sparsely, and with huge
/// pages every first touch zeroes 2 MiB: assessing one 20,000-operation YAML file spent a third of its
/// time in the kernel zeroing pages, and JSON Lines streams held ~30 % more memory (docs/performance.md,
/// issue 27). Output is unaffected; only how the kernel backs the heap changes.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `PR_SET_THP_DISABLE` only sets a flag of this process; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
