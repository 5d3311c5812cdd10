//! Feature `small-allocator`: the npm package's global allocator.
//!
//! Rust's default wasm allocator (dlmalloc) is built for heavy allocation
//! and costs about 3 KB of the gzipped module. The JS class allocates
//! little (payloads, listeners and events stay JS values), so lol_alloc's
//! free-list allocator, which coalesces freed blocks, is enough there.
//! `npm run soak` shows the module's memory flat over 10,000 cycles with it.
//!
//! It must survive a trap. A wasm trap (a stack overflow when deep JS
//! recursion calls into the module, say) unwinds out of the allocator
//! wherever it is, and the module lives on. A lock taken by the allocator
//! would then stay taken, and a spin lock would turn every later
//! allocation into an endless loop: a hung page. [`TrapSafe`] has no lock. It
//! marks itself busy around each call instead; finding the mark already
//! set (which one thread cannot do but after a trap) means the free list
//! may be half updated, so the allocator refuses from then on. Each later
//! allocation fails, Rust aborts, and the caller gets a `RuntimeError`:
//! an error, never a hang (tests/e2e/js-trap.test.mjs).
//!
//! The one module of the crate with `unsafe` code: implementing
//! `GlobalAlloc` requires it. dlmalloc needs none, but would put the plain
//! page over its size budget.
#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicBool, Ordering};

use lol_alloc::{AssumeSingleThreaded, FreeListAllocator};

#[global_allocator]
static ALLOCATOR: TrapSafe = TrapSafe {
    busy: AtomicBool::new(false),
    // SAFETY: the module is built for wasm32 without the atomics feature
    // (wasm-pack's default), so it runs on one thread.
    inner: unsafe { AssumeSingleThreaded::new(FreeListAllocator::new()) },
};

/// A free-list allocator that refuses to work after a trap left it busy.
struct TrapSafe {
    /// Set for the length of one call into `inner`.
    busy: AtomicBool,
    inner: AssumeSingleThreaded<FreeListAllocator>,
}

impl TrapSafe {
    /// Runs `call` on the free list, or returns `refused` if a call before
    /// this one never returned.
    fn enter<R>(
        &self,
        refused: R,
        call: impl FnOnce(&AssumeSingleThreaded<FreeListAllocator>) -> R,
    ) -> R {
        if self.busy.swap(true, Ordering::Relaxed) {
            // Left busy by a trap: never cleared again.
            return refused;
        }
        let result = call(&self.inner);
        self.busy.store(false, Ordering::Relaxed);
        result
    }
}

// SAFETY: every method hands `inner` the arguments it was given, under the
// same contract, and returns what it returned; a refusal returns null (an
// allocation failure, which `GlobalAlloc` allows) or leaks a block.
unsafe impl GlobalAlloc for TrapSafe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.enter(core::ptr::null_mut(), |inner| unsafe {
            inner.alloc(layout)
        })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.enter((), |inner| unsafe { inner.dealloc(ptr, layout) });
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.enter(core::ptr::null_mut(), |inner| unsafe {
            inner.realloc(ptr, layout, new_size)
        })
    }
}
