//! The x86_64 implementations, with SSE2 only (every x86_64 processor has it).
//!
//! Both functions only read `[p, p + n)` of each pointer and `copy` only writes
//! `[dest, dest + n)`: every access below starts at an offset `o` with `o + width <= n`,
//! which each branch's size test proves.
//!
//! Accesses wider than a byte are `read_unaligned`/`write_unaligned` of a fixed-size type,
//! which LLVM emits as moves of that width (16 bytes: `movups`), never as calls.

use core::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8};
use core::ptr::{read_unaligned, write_unaligned};

/// What the long copies move at a time: four 16-byte registers.
type Block = [__m128i; 4];
const BLOCK: usize = size_of::<Block>();

/// Copies `n` bytes from `src` to `dest`; the ranges may overlap (`memmove`'s contract).
///
/// Up to 64 bytes everything is loaded before anything is stored, so overlap needs no care;
/// longer copies go in 64-byte blocks in the direction that never reads a byte already
/// overwritten.
///
/// # Safety
/// `src` must be readable and `dest` writable for `n` bytes.
#[inline]
pub unsafe fn copy(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY (whole body): each access is at an offset `o` of width `w` with `o + w <= n`,
    // by the branch's bounds on `n`.
    unsafe {
        if n <= 16 {
            if n >= 8 {
                copy_ends::<u64>(dest, src, n);
            } else if n >= 4 {
                copy_ends::<u32>(dest, src, n);
            } else if n >= 2 {
                copy_ends::<u16>(dest, src, n);
            } else if n == 1 {
                *dest = *src;
            }
        } else if n <= 32 {
            copy_ends::<__m128i>(dest, src, n);
        } else if n <= BLOCK {
            copy_ends::<[__m128i; 2]>(dest, src, n);
        } else if (dest as usize).wrapping_sub(src as usize) >= n {
            // `dest` is below `src` or past its end: front to back.
            copy_forward(dest, src, n);
        } else {
            copy_backward(dest, src, n);
        }
    }
}

/// The first and the last `size_of::<T>()` bytes (together all `n`, overlapping when `n`
/// is less than twice that), both read before either is written.
///
/// # Safety
/// As [`copy`], with `size_of::<T>() <= n`.
#[inline(always)]
unsafe fn copy_ends<T>(dest: *mut u8, src: *const u8, n: usize) {
    let last = n - size_of::<T>();
    // SAFETY: both accesses end at or before `n`.
    unsafe {
        let head = read_unaligned(src.cast::<T>());
        let tail = read_unaligned(src.add(last).cast::<T>());
        write_unaligned(dest.cast::<T>(), head);
        write_unaligned(dest.add(last).cast::<T>(), tail);
    }
}

/// `n > 64`, and `dest` below `src` or not overlapping it. The last 64 bytes are read first,
/// before any store can reach them; every block read after that lies at or above the bytes
/// stored so far, since `dest <= src`.
///
/// # Safety
/// As [`copy`], with `n > 64`.
#[inline]
unsafe fn copy_forward(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: blocks start at `done` with `done + 64 < n`; the tail starts at `n - 64 >= 1`.
    unsafe {
        let tail = read_unaligned(src.add(n - BLOCK).cast::<Block>());
        let mut done = 0;
        while n - done > BLOCK {
            let block = read_unaligned(src.add(done).cast::<Block>());
            write_unaligned(dest.add(done).cast::<Block>(), block);
            done += BLOCK;
        }
        write_unaligned(dest.add(n - BLOCK).cast::<Block>(), tail);
    }
}

/// `n > 64` and `dest` above `src` within its range: [`copy_forward`] mirrored (the first
/// 64 bytes are read first, blocks are copied from the end down).
///
/// # Safety
/// As [`copy`], with `n > 64`.
#[inline]
unsafe fn copy_backward(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: blocks end at `left <= n` and start at `left - 64 > 0`.
    unsafe {
        let head = read_unaligned(src.cast::<Block>());
        let mut left = n;
        while left > BLOCK {
            left -= BLOCK;
            let block = read_unaligned(src.add(left).cast::<Block>());
            write_unaligned(dest.add(left).cast::<Block>(), block);
        }
        write_unaligned(dest.cast::<Block>(), head);
    }
}

/// Compares `n` bytes as unsigned values: negative, zero or positive as `a`'s bytes sort
/// before, equal or after `b`'s (`memcmp`'s contract; `bcmp` reads only zero or not).
///
/// # Safety
/// `a` and `b` must be readable for `n` bytes.
#[inline]
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY (whole body): as in `copy`, each read at offset `o` of width `w` has
    // `o + w <= n`.
    unsafe {
        if n < 16 {
            return compare_short(a, b, n);
        }
        let mut at = 0;
        while n - at > 16 {
            if let Some(order) = compare_16(a, b, at) {
                return order;
            }
            at += 16;
        }
        // The last 16 bytes, overlapping those already found equal.
        compare_16(a, b, n - 16).unwrap_or(0)
    }
}

/// Fewer than 16 bytes. Big-endian words compare as their bytes do, and when the first word
/// is equal the second (overlapping it) decides.
///
/// # Safety
/// As [`compare`], with `n < 16`.
#[inline]
unsafe fn compare_short(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the word reads are at 0 and `n - width`, with `width <= n`; the byte loop
    // stays below `n`.
    unsafe {
        if n >= 8 {
            compare_ends::<8>(a, b, n)
        } else if n >= 4 {
            compare_ends::<4>(a, b, n)
        } else {
            for at in 0..n {
                let (x, y) = (*a.add(at), *b.add(at));
                if x != y {
                    return i32::from(x) - i32::from(y);
                }
            }
            0
        }
    }
}

/// The order of `n` bytes, `W <= n < 2 * W`, by their first and last `W`.
///
/// # Safety
/// As [`compare`], with `W <= n`.
#[inline(always)]
unsafe fn compare_ends<const W: usize>(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the words end at `W` and at `n`.
    unsafe {
        let order = order_of(word::<W>(a, 0), word::<W>(b, 0));
        if order != 0 {
            return order;
        }
        order_of(word::<W>(a, n - W), word::<W>(b, n - W))
    }
}

/// The order of the 16 bytes at `at`, or `None` when they are equal.
///
/// # Safety
/// `a` and `b` readable for `at + 16` bytes.
#[inline]
unsafe fn compare_16(a: *const u8, b: *const u8, at: usize) -> Option<i32> {
    // SAFETY: the caller's bound; the byte read is within the 16.
    unsafe {
        let (x, y) = (load(a.add(at)), load(b.add(at)));
        // One bit per byte, set where the bytes are equal.
        let equal = _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)).cast_unsigned() & 0xFFFF;
        if equal == 0xFFFF {
            return None;
        }
        let first = at + (!equal).trailing_zeros() as usize;
        Some(i32::from(*a.add(first)) - i32::from(*b.add(first)))
    }
}

/// The `W` (4 or 8) bytes at `at` as a big-endian number, so that numbers compare as the
/// bytes do.
///
/// # Safety
/// `p` readable for `at + W` bytes.
#[inline(always)]
unsafe fn word<const W: usize>(p: *const u8, at: usize) -> u64 {
    // SAFETY: the caller's bound.
    let bytes: [u8; W] = unsafe { read_unaligned(p.add(at).cast::<[u8; W]>()) };
    let mut value = 0u64;
    for byte in bytes {
        value = (value << 8) | u64::from(byte);
    }
    value
}

#[inline(always)]
fn order_of(x: u64, y: u64) -> i32 {
    match x.cmp(&y) {
        core::cmp::Ordering::Less => -1,
        core::cmp::Ordering::Equal => 0,
        core::cmp::Ordering::Greater => 1,
    }
}

#[inline(always)]
unsafe fn load(p: *const u8) -> __m128i {
    // SAFETY: the caller's 16 readable bytes at `p`; unaligned loads need no alignment.
    unsafe { _mm_loadu_si128(p.cast()) }
}
