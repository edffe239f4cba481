//! What a final `no_std` artifact must bring itself: a panic handler and an allocator.
//! Built only with `--cfg nostd_check_bare` (see the crate docs), never into a program
//! that has `std`.

#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// The C library's allocator, as an embedding would supply one; the artifact is only
/// built, never linked into a program.
struct CAllocator;

unsafe extern "C" {
    fn aligned_alloc(align: usize, size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
}

// SAFETY: `aligned_alloc` returns memory aligned to `align` (at least a pointer's size, a
// power of two as `Layout` guarantees) for a size rounded up to a multiple of it, or null.
unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align().max(core::mem::size_of::<usize>());
        let size = layout.size().next_multiple_of(align);
        // SAFETY: see the impl.
        unsafe { aligned_alloc(align, size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
        // SAFETY: `ptr` came from `alloc` above.
        unsafe { free(ptr) }
    }
}

#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

/// An exported entry point, so the static library keeps the verification code: 1 when the
/// examples verify as expected, 0 otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn webhook_verify_nostd_check() -> i32 {
    match crate::verify_examples() {
        Ok(report) => i32::from(report.stripe_id.is_some() && report.discord_id.is_some()),
        Err(_) => 0,
    }
}
