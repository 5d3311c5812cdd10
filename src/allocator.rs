//! Feature `small-allocator`: the npm package's global allocator.
//!
//! Rust's default wasm allocator (dlmalloc) is built for heavy allocation
//! and costs about 3 KB of the gzipped module. The JS class allocates
//! little (payloads, listeners and events stay JS values), so lol_alloc's
//! free-list allocator, which coalesces freed blocks, is enough there.
//! `npm run soak` shows the module's memory flat over 10,000 cycles with it.

#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
