//! Every size up to 300 (well past the 64-byte block) and some larger ones; for copies
//! between buffers every alignment of either side within 16 bytes, within one buffer every
//! overlap within ±80 bytes; for compares four alignments and a difference at every
//! position. All against answers worked out a byte at a time; canary bytes around each
//! destination catch a write outside it.
//!
//! The expected answers never go through `memcpy`, `memmove` or `memcmp`: built for musl,
//! this test binary runs on the functions under test (its harness included), so the
//! reference loops pass each byte through `black_box`, which LLVM cannot turn back into a
//! call to them.
#![cfg(target_arch = "x86_64")]

use std::cmp::Ordering;
use std::hint::black_box;

use preflight_memfns::{compare, copy};

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && (0..a.len()).all(|i| black_box(a[i]) == black_box(b[i]))
}

/// `buf.copy_within(src..src + n, dest)`, a byte at a time through a copy.
fn reference_move(buf: &mut [u8], src: usize, dest: usize, n: usize) {
    let moved: Vec<u8> = (0..n).map(|i| black_box(buf[src + i])).collect();
    for (i, byte) in moved.into_iter().enumerate() {
        buf[dest + i] = black_box(byte);
    }
}

/// How `a` sorts against `b` (same length): by the first byte that differs, unsigned.
fn reference_order(a: &[u8], b: &[u8]) -> Ordering {
    (0..a.len())
        .map(|i| black_box(a[i]).cmp(&black_box(b[i])))
        .find(|order| order.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Sizes: all up to 300 (every branch and every tail length of the block loop), then some
/// large and odd ones.
fn sizes() -> impl Iterator<Item = usize> {
    (0..=300).chain([511, 512, 513, 1000, 4095, 4096, 4097, 65_537])
}

/// Bytes that differ from one position to the next and cover 0x00..=0xFF (xorshift).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed.to_le_bytes()[3]
        })
        .collect()
}

const CANARY: u8 = 0xA5;
const MARGIN: usize = 32;

#[test]
fn copy_between_separate_buffers_writes_exactly_the_destination() {
    for n in sizes() {
        for src_offset in 0..16 {
            for dest_offset in 0..16 {
                let src = noise(n + 16, n as u64 * 31 + src_offset as u64 + 1);
                let mut dest = vec![CANARY; n + 16 + 2 * MARGIN];
                let at = MARGIN + dest_offset;
                // SAFETY: `src` has `src_offset + n` bytes and `dest` `at + n`.
                unsafe { copy(dest.as_mut_ptr().add(at), src.as_ptr().add(src_offset), n) };
                assert!(
                    same(&dest[at..at + n], &src[src_offset..src_offset + n]),
                    "n={n} src_offset={src_offset} dest_offset={dest_offset}"
                );
                assert!(
                    dest[..at]
                        .iter()
                        .chain(&dest[at + n..])
                        .all(|&b| b == CANARY),
                    "wrote outside the destination: n={n} dest_offset={dest_offset}"
                );
            }
        }
    }
}

#[test]
fn copy_within_one_buffer_moves_as_through_a_copy() {
    for n in sizes().filter(|&n| n <= 4097) {
        for shift in -80isize..=80 {
            let len = n + 2 * 96;
            let original = noise(len, n as u64 * 131 + shift.unsigned_abs() as u64);
            let src_at: usize = 96;
            let dest_at = src_at.checked_add_signed(shift).unwrap();
            let mut expected: Vec<u8> = original.iter().map(|&b| black_box(b)).collect();
            reference_move(&mut expected, src_at, dest_at, n);
            let mut actual = original;
            let base = actual.as_mut_ptr();
            // SAFETY: both ranges lie inside `actual` (96 bytes of room on each side).
            unsafe { copy(base.add(dest_at), base.add(src_at), n) };
            assert!(same(&actual, &expected), "n={n} shift={shift}");
        }
    }
}

#[test]
fn compare_orders_as_unsigned_bytes_at_the_first_difference() {
    for n in sizes().filter(|&n| n <= 1000) {
        for offset in [0, 1, 7, 13] {
            let a = noise(n + offset, n as u64 + 7);
            let a = &a[offset..];
            let mut b: Vec<u8> = (0..n).map(|i| black_box(a[i])).collect();
            // SAFETY (each call): both slices have `n` bytes.
            assert_eq!(
                unsafe { compare(a.as_ptr(), b.as_ptr(), n) },
                0,
                "equal, n={n}"
            );
            for at in 0..n {
                let was = b[at];
                // A difference below and above, and across 0x7F/0x80 (signed bytes would
                // order them the other way).
                for other in [was.wrapping_add(1), was.wrapping_sub(1), was ^ 0x80] {
                    b[at] = other;
                    let got = unsafe { compare(a.as_ptr(), b.as_ptr(), n) };
                    assert_eq!(
                        got.signum(),
                        reference_order(a, &b) as i32,
                        "n={n} at={at} {was:#04x} vs {other:#04x}"
                    );
                    // A second difference after the first must not change the answer.
                    if at + 1 < n {
                        let later = b[n - 1];
                        b[n - 1] = !a[n - 1];
                        let with_later = unsafe { compare(a.as_ptr(), b.as_ptr(), n) };
                        assert_eq!(with_later.signum(), got.signum(), "n={n} at={at}");
                        b[n - 1] = later;
                    }
                }
                b[at] = was;
            }
        }
    }
}

/// The C symbols themselves (musl only, where they are defined): what they return, and that
/// each reaches its function.
#[cfg(target_env = "musl")]
#[test]
fn the_c_symbols_return_what_c_says() {
    use core::ffi::c_void;
    use preflight_memfns::symbols::{bcmp, memcmp, memcpy, memmove};
    let src = noise(100, 3);
    let mut dest = vec![CANARY; 100];
    let (d, s) = (
        dest.as_mut_ptr().cast::<c_void>(),
        src.as_ptr().cast::<c_void>(),
    );
    // SAFETY (each call): both buffers hold 100 bytes.
    assert_eq!(unsafe { memcpy(d, s, 100) }, d);
    assert!(same(&dest, &src));
    assert_eq!(unsafe { memmove(d, d.cast::<u8>().add(1).cast(), 99) }, d);
    assert!(same(&dest[..99], &src[1..]));
    assert_eq!(unsafe { memcmp(d, d, 100) }, 0);
    let (low, high) = ([0x7Fu8, 0], [0x80u8, 0]);
    let order = unsafe { memcmp(low.as_ptr().cast(), high.as_ptr().cast(), 2) };
    assert!(order < 0, "0x7F sorts before 0x80: {order}");
    assert_ne!(
        unsafe { bcmp(low.as_ptr().cast(), high.as_ptr().cast(), 2) },
        0
    );
    assert_eq!(unsafe { bcmp(s, s, 100) }, 0);
}
