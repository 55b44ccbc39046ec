//! A small, fast hash for short keys (action names, condition key names), and the byte
//! comparisons that confirm what a hash found.

use std::hash::Hasher;

/// A small, fast, non-cryptographic hash for short ASCII keys (the FxHash mixing step).
/// The keys are action names from the policies themselves, so there is no untrusted
/// input to flood the table with collisions beyond what the policy author wrote.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(dst) = w.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// The hash of a lowercase condition key, compared before the key itself so a context
/// lookup costs one integer comparison per entry.
#[inline]
pub(crate) fn key_hash(lower: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(lower.as_bytes());
    h.finish()
}

/// Eight bytes from `at` as a little-endian word (0 past the end, which callers rule
/// out).
#[inline(always)]
fn word(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The bytes of a string shorter than eight as a little-endian word, by two overlapping
/// loads (the overlapping bytes are the same, so OR keeps them).
#[inline(always)]
fn short_word(s: &[u8]) -> u64 {
    let n = s.len();
    let four = |at: usize| {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let two = |at: usize| {
        s.get(at..at + 2)
            .and_then(|w| <[u8; 2]>::try_from(w).ok())
            .map_or(0, |w| u64::from(u16::from_le_bytes(w)))
    };
    if n >= 4 {
        four(0) | (four(n - 4) << (8 * (n - 4)))
    } else if n >= 2 {
        two(0) | (two(n - 2) << (8 * (n - 2)))
    } else {
        s.first().map_or(0, |&b| u64::from(b))
    }
}

/// The length of the common prefix of two byte strings, compared eight bytes at a time
/// without a call into `memcmp` (the strings compared are short: keys, ARN prefixes).
#[inline]
pub(crate) fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let diff = word(a, i) ^ word(b, i);
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i == n {
        return n;
    }
    // The rest: the last eight bytes when there are that many (those before `i` are
    // known equal), else the short strings whole.
    let (start, diff) = if n >= 8 {
        (n - 8, word(a, n - 8) ^ word(b, n - 8))
    } else {
        let (x, y) = (
            a.get(..n).unwrap_or_default(),
            b.get(..n).unwrap_or_default(),
        );
        (0, short_word(x) ^ short_word(y))
    };
    if diff == 0 {
        n
    } else {
        start + (diff.trailing_zeros() / 8) as usize
    }
}

/// Whether two byte strings are equal; see [`common_prefix_len`].
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return short_word(a) == short_word(b);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Whether `s` starts with `prefix`; see [`common_prefix_len`].
#[inline]
pub(crate) fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| bytes_eq(head, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_agree_with_the_slice_ones() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
        ];
        let texts: Vec<String> = words
            .iter()
            .flat_map(|a| words.iter().map(move |b| format!("{a}{b}")))
            .chain(words.iter().map(|w| w.replace('c', "x")))
            .chain([
                "arn:aws:s3:::bucket/key".into(),
                "s3:x-amz-server-side-encryption".into(),
            ])
            .collect();
        for a in &texts {
            for b in &texts {
                let (x, y) = (a.as_bytes(), b.as_bytes());
                let naive = x.iter().zip(y).take_while(|(p, q)| p == q).count();
                assert_eq!(common_prefix_len(x, y), naive, "{a:?} {b:?}");
                assert_eq!(bytes_eq(x, y), x == y, "{a:?} {b:?}");
                assert_eq!(starts_with(x, y), x.starts_with(y), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn common_prefix_len_counts_equal_bytes() {
        let rows: [(&str, &str, usize); 7] = [
            ("", "", 0),
            ("abc", "abd", 2),
            ("abcdefgh", "abcdefgh", 8),
            ("abcdefghij", "abcdefghik", 9),
            ("arn:aws:s3:::bucket/", "arn:aws:s3:::bucket/key", 20),
            ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/", 20),
            ("x", "", 0),
        ];
        for (a, b, n) in rows {
            assert_eq!(common_prefix_len(a.as_bytes(), b.as_bytes()), n, "{a} {b}");
            assert_eq!(bytes_eq(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
        }
    }
}
