//! Byte classes eight bytes at a time (SWAR), or sixteen as one vector
//! (`wide`: SSE2 on x86-64, in safe code) where the loop is hot enough
//! to show it (the tokenizer's skips, digit runs), for the detectors' skip
//! loops (the tokenizer's skip to a trigger, the name matcher's skip to a
//! capital, the address matcher's skips over Latin words and digits) and
//! the locators' (JSON string ends, CSV quotes and field content).
//!
//! Owns the tricks they share, so each loop states only which bytes it
//! wants. Word flags are bit 7 of each byte of the result; the word is
//! read little-endian, so the lowest flagged byte is the first in the
//! buffer (`flags.trailing_zeros() / 8`). Vector flags are one bit per
//! byte (`flags.trailing_zeros()`).

/// `0x01` in every byte.
pub const LO: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes `buf[at..at + 8]` as one word (callers check the
/// bounds; out of bounds reads as zeros).
#[inline(always)]
pub fn load(buf: &[u8], at: usize) -> u64 {
    let bytes = buf.get(at..at + 8).and_then(|b| b.try_into().ok());
    u64::from_le_bytes(bytes.unwrap_or([0; 8]))
}

/// The sixteen bytes `buf[at..at + 16]` as one vector (callers check the
/// bounds).
#[inline(always)]
fn load16(buf: &[u8], at: usize) -> wide::u8x16 {
    let bytes: [u8; 16] = buf[at..at + 16].try_into().unwrap_or([0; 16]);
    wide::u8x16::new(bytes)
}

/// Bit `k` set when `buf[at + k]` is in `lo..=hi` (any `lo <= hi`), for
/// the sixteen bytes at `at`: one vector compare (`wide` compiles it to
/// SSE2 on x86-64), where two SWAR words cost twice the instructions.
#[inline(always)]
pub fn in_range16(buf: &[u8], at: usize, lo: u8, hi: u8) -> u32 {
    lanes_in(load16(buf, at), lo, hi).to_bitmask()
}

/// Lanes of `v` in `lo..=hi` set to 0xFF, the others to 0.
#[inline(always)]
fn lanes_in(v: wide::u8x16, lo: u8, hi: u8) -> wide::u8x16 {
    // Shifted so `lo` is 0, a byte is in range when it is at most
    // `hi - lo` (unsigned; bytes below `lo` wrap to large values).
    let x = v - wide::u8x16::splat(lo);
    x.min(wide::u8x16::splat(hi - lo)).simd_eq(x)
}

/// Bit `k` set when `buf[at + k]` is an ASCII letter, digit or `_` (a
/// word byte of identifiers, hashes, base64), for the sixteen bytes at
/// `at`.
#[inline(always)]
pub fn ascii_word16(buf: &[u8], at: usize) -> u32 {
    let v = load16(buf, at);
    // `| 0x20` folds A-Z onto a-z and moves no other byte into that range.
    let letters = lanes_in(v | wide::u8x16::splat(0x20), b'a', b'z');
    let rest = lanes_in(v, b'0', b'9') | v.simd_eq(wide::u8x16::splat(b'_'));
    (letters | rest).to_bitmask()
}

/// Bit `k` set when `buf[at + k] == b`, for the sixteen bytes at `at`.
#[inline(always)]
pub fn eq16(buf: &[u8], at: usize, b: u8) -> u32 {
    load16(buf, at).simd_eq(wide::u8x16::splat(b)).to_bitmask()
}

/// Flags the bytes of `v` in `lo..=hi`, where every byte of `v` is below
/// 0x80 (mask the high bits off first). Exact per byte: seven-bit lanes
/// neither carry nor borrow into their neighbours.
#[inline(always)]
pub fn in_range7(v: u64, lo: u8, hi: u8) -> u64 {
    v.wrapping_add(LO * (0x80 - u64::from(lo))) & (LO * (0x80 + u64::from(hi))).wrapping_sub(v) & HI
}

/// Flags the ASCII bytes of `w` in `lo..=hi` (`lo`, `hi` below 0x80).
/// Exact per byte.
#[inline(always)]
pub fn ascii_in(w: u64, lo: u8, hi: u8) -> u64 {
    in_range7(w & !HI, lo, hi) & !w & HI
}

/// Flags the ASCII letters and digits of `w`. Exact per byte: `b | 0x20`
/// folds A-Z onto a-z and moves no other byte into that range.
#[inline(always)]
pub fn ascii_alnum(w: u64) -> u64 {
    let low = w & !HI;
    (in_range7(low | (LO * 0x20), b'a', b'z') | in_range7(low, b'0', b'9')) & !w & HI
}

/// Flags the bytes of `w` equal to `b`. May also flag a byte above a true
/// one (the borrow runs upwards), never one below it: the lowest flag is
/// always a true one, and a word with no flag has no such byte.
#[inline(always)]
pub fn eq(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// Flags the bytes of `w` below `n` (`n` at most 0x80). Like [`eq`], may
/// also flag a byte above a true one, never one below it.
#[inline(always)]
pub fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(LO * u64::from(n)) & !w & HI
}

/// End of the run of ASCII bytes in `lo..=hi` at `p` (`hi` below 0x80):
/// sixteen bytes at a time, then eight (the first byte outside, found
/// with one mask), then byte by byte near the end of `buf`.
#[inline]
pub fn ascii_run_end(buf: &[u8], mut p: usize, lo: u8, hi: u8) -> usize {
    while p + 16 <= buf.len() {
        let other = !in_range16(buf, p, lo, hi) & 0xFFFF;
        if other != 0 {
            return p + other.trailing_zeros() as usize;
        }
        p += 16;
    }
    while p + 8 <= buf.len() {
        let other = !ascii_in(load(buf, p), lo, hi) & HI;
        if other != 0 {
            return p + (other.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while buf.get(p).is_some_and(|&b| (lo..=hi).contains(&b)) {
        p += 1;
    }
    p
}

/// End of the run of ASCII digits at `p`. Logs are full of numbers: the
/// tokenizer's chain parser and the address matcher both skip runs with
/// it.
#[inline]
pub fn digits_end(buf: &[u8], p: usize) -> usize {
    ascii_run_end(buf, p, b'0', b'9')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sixteen-byte tests agree with the plain comparisons on every
    /// byte value in every lane.
    #[test]
    fn vector_classes_agree_with_byte_comparisons() {
        for lane in 0..16 {
            for b in 0..=255u8 {
                for fill in [0x00u8, 0x7F, 0xFF, 0x41, 0x30] {
                    let mut bytes = [fill; 17];
                    bytes[lane + 1] = b;
                    let bit = |flags: u32| flags >> lane & 1 == 1;
                    assert_eq!(
                        bit(in_range16(&bytes, 1, 0x30, 0x3A)),
                        (0x30..=0x3A).contains(&b)
                    );
                    assert_eq!(
                        bit(in_range16(&bytes, 1, 0x80, 0xBF)),
                        (0x80..=0xBF).contains(&b)
                    );
                    assert_eq!(bit(eq16(&bytes, 1, b'@')), b == b'@');
                    assert_eq!(
                        bit(ascii_word16(&bytes, 1)),
                        b.is_ascii_alphanumeric() || b == b'_'
                    );
                }
            }
        }
    }

    /// Every byte value in every lane against the plain comparisons.
    #[test]
    fn classes_agree_with_byte_comparisons() {
        for lane in 0..8 {
            for b in 0..=255u8 {
                // Neighbours that could disturb a lane: 0x00, 0x7F, 0xFF.
                for fill in [0x00u8, 0x7F, 0xFF, 0x41] {
                    let mut bytes = [fill; 8];
                    bytes[lane] = b;
                    let w = u64::from_le_bytes(bytes);
                    let bit = |flags: u64| flags >> (8 * lane + 7) & 1 == 1;
                    assert_eq!(bit(ascii_in(w, 0x30, 0x3A)), (0x30..=0x3A).contains(&b));
                    assert_eq!(bit(ascii_alnum(w)), b.is_ascii_alphanumeric());
                    assert_eq!(bit(ascii_in(w, b'_', b'_')), b == b'_');
                    assert_eq!(
                        bit(in_range7(w & !HI, 0x41, 0x5A)),
                        (0x41..=0x5A).contains(&(b & 0x7F))
                    );
                    let first_below = (below(w, 0x20).trailing_zeros() / 8) as usize;
                    assert_eq!(
                        first_below,
                        bytes.iter().position(|&c| c < 0x20).unwrap_or(8)
                    );
                    let first = (eq(w, b'@').trailing_zeros() / 8) as usize;
                    assert_eq!(first, bytes.iter().position(|&c| c == b'@').unwrap_or(8));
                }
            }
        }
    }
}
