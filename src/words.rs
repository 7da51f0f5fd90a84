//! Eight bytes at a time: which bytes of a word (read little-endian, so the first byte is
//! the lowest) are in a class, and a buffer written a word at a time. A scanner flags the
//! bytes that may end a run in one mask and jumps to the first of them; each mask flags a
//! byte with its high bit, and its lowest flag is exact (a higher one may be false once a
//! lower byte is flagged).

/// A word with every byte `b`.
const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

const HIGH: u64 = splat(0x80);

/// Flags the bytes of `x` equal to `b`.
pub(crate) const fn equal(x: u64, b: u8) -> u64 {
    let y = x ^ splat(b);
    y.wrapping_sub(splat(1)) & !y & HIGH
}

/// Flags the bytes of `x` below `b` (at most 0x80).
pub(crate) const fn below(x: u64, b: u8) -> u64 {
    x.wrapping_sub(splat(b)) & !x & HIGH
}

/// Flags the bytes of `x` from 0x80 up.
pub(crate) const fn non_ascii(x: u64) -> u64 {
    x & HIGH
}

/// The index of the first flagged byte of a mask that is not 0.
pub(crate) const fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Where the first byte of `bytes` that `stops` flags is, or the length of `bytes`; the
/// last bytes, fewer than eight, are tested one at a time by `stop`, which tells the same
/// of one byte.
#[inline(always)]
pub(crate) fn find(bytes: &[u8], stop: impl Fn(u8) -> bool, stops: impl Fn(u64) -> u64) -> usize {
    let mut i = 0;
    while let Some(word) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let mask = stops(u64::from_le_bytes(*word));
        if mask != 0 {
            return i + first(mask);
        }
        i += 8;
    }
    let tail = bytes.get(i..).unwrap_or_default();
    i + tail.iter().position(|&b| stop(b)).unwrap_or(tail.len())
}

/// Bytes of a block.
pub(crate) const BLOCK: usize = 256;

/// Bytes written a word at a time into a block on the stack and appended to `out` a block
/// at a time: a write is a comparison and a store. The block is the caller's array, apart
/// from this, so that no reference to this leaves the loop writing it and `len` stays in
/// a register.
pub(crate) struct Block<'a> {
    bytes: &'a mut [u8; BLOCK],
    len: usize,
    out: &'a mut Vec<u8>,
}

impl<'a> Block<'a> {
    /// An empty block in `bytes`, appending to `out`.
    pub(crate) fn new(bytes: &'a mut [u8; BLOCK], out: &'a mut Vec<u8>) -> Block<'a> {
        Block { bytes, len: 0, out }
    }

    /// Writes the first `n` bytes of `piece` (at most 8; the store writes all of them).
    #[inline(always)]
    pub(crate) fn put(&mut self, piece: u64, n: usize) {
        if self.len > BLOCK - 8 {
            self.flush();
        }
        if let Some(to) = self.bytes.get_mut(self.len..self.len + 8) {
            to.copy_from_slice(&piece.to_le_bytes());
            self.len += n;
        }
    }

    /// Writes `c` in UTF-8.
    #[inline(always)]
    pub(crate) fn put_char(&mut self, c: char) {
        let mut bytes = [0; 8];
        c.encode_utf8(&mut bytes);
        self.put(u64::from_le_bytes(bytes), c.len_utf8());
    }

    /// Appends what is written to `out`: call it when done.
    #[inline(always)]
    pub(crate) fn flush(&mut self) {
        self.out
            .extend_from_slice(self.bytes.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stops of the parser's strings and of the escapers, each byte alone.
    fn classes(x: u64) -> u64 {
        below(x, 0x20) | equal(x, b'"') | equal(x, 0x7f) | non_ascii(x)
    }

    fn stops_byte(b: u8) -> bool {
        b < 0x20 || b == b'"' || b >= 0x7f
    }

    proptest::proptest! {
        #[test]
        fn find_stops_at_the_first_flagged_byte(bytes in proptest::collection::vec(
            proptest::prop_oneof![8 => proptest::strategy::Just(b'a'), 1 => proptest::prelude::any::<u8>()],
            0..40,
        )) {
            let expected = bytes.iter().position(|&b| stops_byte(b)).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(find(&bytes, stops_byte, classes), expected);
        }
    }

    proptest::proptest! {
        #[test]
        fn a_block_appends_what_is_put(pieces in proptest::collection::vec((proptest::prelude::any::<u64>(), 0..=8usize), 0..200)) {
            let mut out = vec![7];
            let mut bytes = [0; BLOCK];
            let mut block = Block::new(&mut bytes, &mut out);
            let mut expected = vec![7];
            for &(piece, n) in &pieces {
                block.put(piece, n);
                expected.extend_from_slice(&piece.to_le_bytes()[..n]);
            }
            block.flush();
            proptest::prop_assert_eq!(out, expected);
        }
    }

    #[test]
    fn every_byte_in_every_lane() {
        for lane in 0..8 {
            for b in 0..=255u8 {
                let mut word = [b'a'; 8];
                word[lane] = b;
                let at = find(&word, stops_byte, classes);
                assert_eq!(at, if stops_byte(b) { lane } else { 8 }, "{b:#x} at {lane}");
            }
        }
    }
}
