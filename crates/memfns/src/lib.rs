//! `memcpy`, `memmove`, `memcmp` and `bcmp` for preflight's static x86_64 musl builds.
//!
//! The Linux release archives and the container image hold a static musl binary (it runs on
//! any distribution, Alpine included). musl's x86_64 `memcpy` is `rep movsq` between two
//! byte-at-a-time loops, and its `memcmp` compares a byte at a time: fine for large copies,
//! slow for the short ones a scan makes by the million (strings, spans, moved structs,
//! hash-map keys). On the 10,000-file benchmark tree `memcpy` alone took a fifth of the musl
//! build's CPU, against 4.5% for glibc's. The same slowness is astral-sh/uv#10610.
//!
//! On x86_64 musl this crate defines those four symbols, so the linker takes them instead of
//! libc.a's for all the code in the binary (Rust, jemalloc, tree-sitter). On other x86_64
//! targets it only compiles the functions, for the tests; on other architectures it is empty.
//! The approach is the usual one for short sizes (glibc's, the kernel's): every size up to
//! 64 bytes is two or four possibly overlapping unaligned loads (of 1, 2, 4, 8 or 16 bytes)
//! followed by the stores, with no loop and no alignment prologue.
//!
//! `#![no_builtins]`: without it LLVM may recognise the copy loops as `memcpy` and call
//! the function being defined.
#![no_std]
#![no_builtins]

#[cfg(target_arch = "x86_64")]
mod x86_64;

#[cfg(target_arch = "x86_64")]
pub use x86_64::{compare, copy};

/// The C symbols. Only on musl: glibc's are fast (and a second definition there would be
/// ignored or clash, depending on how the binary is linked).
#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
pub mod symbols {
    use core::ffi::{c_int, c_void};

    /// # Safety
    /// As C's `memmove`: both ranges valid for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memmove(d: *mut c_void, s: *const c_void, n: usize) -> *mut c_void {
        // SAFETY: the caller's promise is `copy`'s, which allows overlap.
        unsafe { crate::copy(d.cast(), s.cast(), n) };
        d
    }

    /// `memmove` itself: overlap costs nothing here (the ranges are only compared past 64
    /// bytes). `copy` is called, not `memmove`: a call between exported symbols goes
    /// through the GOT in a static-pie binary.
    ///
    /// # Safety
    /// As C's `memcpy`: both ranges valid for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcpy(d: *mut c_void, s: *const c_void, n: usize) -> *mut c_void {
        // SAFETY: the caller's promise, which is `copy`'s and more.
        unsafe { crate::copy(d.cast(), s.cast(), n) };
        d
    }

    /// # Safety
    /// As C's `memcmp`: both ranges readable for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn memcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
        // SAFETY: the caller's promise is `compare`'s.
        unsafe { crate::compare(a.cast(), b.cast(), n) }
    }

    /// `memcmp` itself (only zero or not counts), calling `compare` for the reason
    /// `memcpy` does.
    ///
    /// # Safety
    /// As C's `bcmp`: both ranges readable for `n` bytes.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn bcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
        // SAFETY: the caller's promise is `compare`'s.
        unsafe { crate::compare(a.cast(), b.cast(), n) }
    }
}
