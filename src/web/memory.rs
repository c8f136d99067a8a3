//! Giving memory back when the server is idle. A burst of live assessments allocates on every thread
//! of the blocking pool; mimalloc (the program's allocator, `src/main.rs`) keeps freed pages for reuse.
//! Once no request has finished for [`IDLE`], the heap is collected (`mi_collect(true)`: freed pages and
//! the heaps of exited threads go back to the system), once per burst. The blocking pool itself is
//! bounded and lets idle threads go (`src/cli/serve.rs`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Quiet time after the last request before the heap is collected.
pub const IDLE: Duration = Duration::from_secs(3);

static DIRTY: AtomicBool = AtomicBool::new(false);
/// Milliseconds since [`start`] at the last finished request.
static LAST: AtomicU64 = AtomicU64::new(0);
static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn now_ms() -> u64 {
    let epoch = EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Records that a request finished (called by the guard).
pub fn request_done() {
    LAST.store(now_ms(), Ordering::Relaxed);
    DIRTY.store(true, Ordering::Relaxed);
}

/// Starts the task that collects the heap after a burst (on the current tokio runtime).
pub fn start() {
    now_ms();
    tokio::spawn(async {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let quiet = now_ms().saturating_sub(LAST.load(Ordering::Relaxed));
            if DIRTY.load(Ordering::Relaxed) && quiet >= IDLE.as_millis() as u64 {
                DIRTY.store(false, Ordering::Relaxed);
                // Off the async threads: a collection walks the heap.
                let _ = tokio::task::spawn_blocking(collect).await;
            }
        }
    });
}

fn collect() {
    // SAFETY: `mi_collect` only returns memory the allocator holds unused; it is safe to call from
    // any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
