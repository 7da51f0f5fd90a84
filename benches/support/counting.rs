//! A global allocator that counts: allocations made, and the peak of bytes held, so that a
//! bench can report what one render allocates beside its time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting.
pub struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn held(grown: usize) {
    let now = HELD.fetch_add(grown, Ordering::Relaxed) + grown;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on unchanged to the system allocator, which upholds
// `GlobalAlloc`'s contract; the counters only observe. A counting allocator cannot be
// written without `unsafe`, and it lives in the benches only.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        held(layout.size());
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator (so from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        if new_size >= layout.size() {
            held(new_size - layout.size());
        } else {
            HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as `GlobalAlloc::realloc` requires, passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What `f` allocated: the number of allocations (a `realloc` counts as one) and the
/// peak of bytes held while it ran, beyond what was held before.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let base = HELD.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let out = f();
    let count = ALLOCATIONS.load(Ordering::Relaxed) - before;
    (out, count, PEAK.load(Ordering::Relaxed) - base)
}
