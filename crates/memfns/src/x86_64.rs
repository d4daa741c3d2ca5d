//! The x86_64 implementations, with SSE2 only (every x86_64 processor has it).
//!
//! Both functions only read `[p, p + n)` of each pointer and `copy` only writes
//! `[dest, dest + n)`: every 8- or 16-byte access below starts at an offset `o` with
//! `o + width <= n`, which each branch's size test proves.

use core::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_storeu_si128,
};
use core::ptr::{read_unaligned, write_unaligned};

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
                let head = read_unaligned(src.cast::<u64>());
                let tail = read_unaligned(src.add(n - 8).cast::<u64>());
                write_unaligned(dest.cast::<u64>(), head);
                write_unaligned(dest.add(n - 8).cast::<u64>(), tail);
            } else if n >= 4 {
                let head = read_unaligned(src.cast::<u32>());
                let tail = read_unaligned(src.add(n - 4).cast::<u32>());
                write_unaligned(dest.cast::<u32>(), head);
                write_unaligned(dest.add(n - 4).cast::<u32>(), tail);
            } else if n >= 2 {
                let head = read_unaligned(src.cast::<u16>());
                let tail = read_unaligned(src.add(n - 2).cast::<u16>());
                write_unaligned(dest.cast::<u16>(), head);
                write_unaligned(dest.add(n - 2).cast::<u16>(), tail);
            } else if n == 1 {
                *dest = *src;
            }
        } else if n <= 32 {
            let head = load(src);
            let tail = load(src.add(n - 16));
            store(dest, head);
            store(dest.add(n - 16), tail);
        } else if n <= 64 {
            let a = load(src);
            let b = load(src.add(16));
            let c = load(src.add(n - 32));
            let d = load(src.add(n - 16));
            store(dest, a);
            store(dest.add(16), b);
            store(dest.add(n - 32), c);
            store(dest.add(n - 16), d);
        } else if (dest as usize).wrapping_sub(src as usize) >= n {
            // `dest` is below `src` or past its end: front to back.
            copy_forward(dest, src, n);
        } else {
            copy_backward(dest, src, n);
        }
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
        let tail = load_block(src.add(n - 64));
        let mut done = 0;
        while n - done > 64 {
            store_block(dest.add(done), load_block(src.add(done)));
            done += 64;
        }
        store_block(dest.add(n - 64), tail);
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
        let head = load_block(src);
        let mut left = n;
        while left > 64 {
            left -= 64;
            store_block(dest.add(left), load_block(src.add(left)));
        }
        store_block(dest, head);
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
            let order = order_of(word::<8>(a, 0), word::<8>(b, 0));
            if order != 0 {
                return order;
            }
            order_of(word::<8>(a, n - 8), word::<8>(b, n - 8))
        } else if n >= 4 {
            let order = order_of(word::<4>(a, 0), word::<4>(b, 0));
            if order != 0 {
                return order;
            }
            order_of(word::<4>(a, n - 4), word::<4>(b, n - 4))
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

#[inline(always)]
unsafe fn store(p: *mut u8, value: __m128i) {
    // SAFETY: the caller's 16 writable bytes at `p`.
    unsafe { _mm_storeu_si128(p.cast(), value) }
}

#[inline(always)]
unsafe fn load_block(p: *const u8) -> [__m128i; 4] {
    // SAFETY: the caller's 64 readable bytes at `p`.
    unsafe { [load(p), load(p.add(16)), load(p.add(32)), load(p.add(48))] }
}

#[inline(always)]
unsafe fn store_block(p: *mut u8, block: [__m128i; 4]) {
    // SAFETY: the caller's 64 writable bytes at `p`.
    unsafe {
        for (at, part) in block.into_iter().enumerate() {
            store(p.add(at * 16), part);
        }
    }
}
