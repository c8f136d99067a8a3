//! Heap accounting per thread, so that the rule sandbox can bound the memory one rule adds.
//!
//! Rhai bounds the size of each string, array and map a script builds, but not the entries a map gains
//! through `m[key] = value` (docs/robustness.md §1.5 (a)). The binary wraps its allocator in
//! [`Counting`], which keeps, per thread, the bytes allocated minus the bytes freed; the rule runtime
//! reads that count while a rule runs and stops a rule whose heap grows past its budget. Without the
//! wrapper (a program using the library with its own allocator) the count stays 0 and no rule is stopped
//! for memory; the operation limit and the time budget still apply.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

thread_local! {
    // Const-initialised and without a destructor: reading or writing it never allocates, and it stays
    // usable while the thread is torn down, which an allocator needs.
    static NET: Cell<isize> = const { Cell::new(0) };
}

fn add(bytes: isize) {
    let _ = NET.try_with(|c| c.set(c.get().wrapping_add(bytes)));
}

/// Bytes allocated minus bytes freed on this thread so far (0 unless the global allocator is
/// [`Counting`]). Memory freed here but allocated on another thread makes it smaller, never larger.
pub fn thread_net_bytes() -> isize {
    NET.try_with(Cell::get).unwrap_or(0)
}

/// A global allocator that counts, per thread, what it hands out and takes back.
pub struct Counting<A>(pub A);

// SAFETY: every call is forwarded unchanged to the wrapped allocator; only a thread-local counter is
// updated beside it.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}
