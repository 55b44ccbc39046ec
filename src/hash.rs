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

/// [`key_hash`] at compile time, for keys known in advance.
pub(crate) const fn key_hash_const(lower: &str) -> u64 {
    let mut rest = lower.as_bytes();
    let mut hash = 0u64;
    let mut word = 0u64;
    let mut filled = 0;
    while let [byte, tail @ ..] = rest {
        word |= (*byte as u64) << (8 * filled);
        filled += 1;
        if filled == 8 {
            hash = (hash.rotate_left(5) ^ word).wrapping_mul(SEED);
            word = 0;
            filled = 0;
        }
        rest = tail;
    }
    if filled > 0 {
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
    hash
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

/// For ASCII text, whether it has an uppercase letter; `None` for other text. Eight
/// bytes at a time, the last eight (or the whole of a shorter text) in one word.
#[inline]
pub(crate) fn ascii_has_uppercase(s: &[u8]) -> Option<bool> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Per byte below 0x80 (so no carry crosses bytes): the high bit of `w + 0x3f` is set
    // from `A` up, that of `w + 0x25` from just past `Z` up.
    let upper = |w: u64| w.wrapping_add(0x3f * ONES) & !w.wrapping_add(0x25 * ONES) & HIGHS;
    let mut high = 0;
    let mut found = 0;
    if s.len() < 8 {
        let w = short_word(s);
        high = w & HIGHS;
        found = upper(w);
    } else {
        let mut i = 0;
        while i + 8 < s.len() {
            let w = word(s, i);
            high |= w & HIGHS;
            found |= upper(w);
            i += 8;
        }
        let w = word(s, s.len() - 8);
        high |= w & HIGHS;
        found |= upper(w);
    }
    // A byte of 0x80 or more may have carried into the next one: `found` is only
    // trusted for ASCII text.
    (high == 0).then_some(found != 0)
}

/// What building a request needs to know of its action: where its first colon is,
/// whether it has a second one, and whether it has a `*` or `?`; eight bytes at a time.
#[inline]
pub(crate) fn scan_action(s: &[u8]) -> (Option<usize>, bool, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The bytes of `w` equal to `byte`, flagged in their high bit, exactly: a byte of
    // `(x & 0x7f) + 0x7f` has its high bit set when its low seven bits are not all zero,
    // and no carry leaves a byte.
    let equal = |w: u64, byte: u8| {
        let x = w ^ (ONES * u64::from(byte));
        !(((x & LOWS) + LOWS) | x | LOWS)
    };
    let mut first = None;
    let mut second = false;
    let mut wildcard = false;
    let mut i = 0;
    while i < s.len() {
        let chunk = s.get(i..(i + 8).min(s.len())).unwrap_or_default();
        let w = if chunk.len() == 8 {
            word(s, i)
        } else {
            // Padding with `a`, which is none of the bytes looked for.
            short_word(chunk) | (0x6161_6161_6161_6161 << (8 * chunk.len()))
        };
        let colons = equal(w, b':');
        if colons != 0 {
            let at = i + (colons.trailing_zeros() / 8) as usize;
            match first {
                None => {
                    first = Some(at);
                    second |= colons & (colons - 1) != 0;
                }
                Some(_) => second = true,
            }
        }
        wildcard |= (equal(w, b'*') | equal(w, b'?')) != 0;
        i += 8;
    }
    (first, second, wildcard)
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
    fn ascii_has_uppercase_agrees_with_the_byte_tests() {
        let naive = |s: &[u8]| s.is_ascii().then(|| s.iter().any(u8::is_ascii_uppercase));
        let texts = [
            "",
            "a",
            "A",
            "aws:principalarn",
            "aws:PrincipalArn",
            "@[`{zZaAéÉ",
            "0123456789abcdefZ",
            "s3:x-amz-server-side-encryption",
            "ÀÉÎ",
            "abcdefgh\u{7f}",
            "Zabcdefgh",
        ];
        for t in texts {
            assert_eq!(
                ascii_has_uppercase(t.as_bytes()),
                naive(t.as_bytes()),
                "{t}"
            );
        }
        for len in 1..=17 {
            for b in 0..=255u8 {
                for at in [0, len / 2, len - 1] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    assert_eq!(ascii_has_uppercase(&bytes), naive(&bytes), "{len} {b} {at}");
                }
            }
        }
    }

    #[test]
    fn scan_action_agrees_with_the_byte_tests() {
        let naive = |s: &[u8]| {
            let first = s.iter().position(|&b| b == b':');
            let second = first.is_some_and(|f| s[f + 1..].contains(&b':'));
            (first, second, s.iter().any(|&b| b == b'*' || b == b'?'))
        };
        let texts = [
            "",
            ":",
            "s3:GetObject",
            "s3:Get*",
            "s3:Get?bject",
            "a:b:c",
            "abcdefgh:ij",
            "abcdefg:",
            ":abcdefghijk:",
            "é:à:*",
            "ü:x",
            "abcdefghijklmnop?",
            "a\u{80}:",
            "\u{7f}\u{80}:\u{3a}",
            "a:;",
            "s3:;;;;;;;;;;",
            "s3:+@>",
            ";:;",
        ];
        for t in texts {
            assert_eq!(scan_action(t.as_bytes()), naive(t.as_bytes()), "{t:?}");
        }
        for len in 1..=17 {
            for b in [
                b':',
                b';',
                b'*',
                b'+',
                b'?',
                b'@',
                b'a',
                0x80,
                0xff,
                0x3a ^ 0x80,
                0xbb,
            ] {
                for at in 0..len {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = b;
                    bytes[len - 1] = b':';
                    assert_eq!(scan_action(&bytes), naive(&bytes), "{len} {b} {at}");
                }
            }
        }
    }

    #[test]
    fn key_hash_const_is_key_hash() {
        for key in [
            "",
            "a",
            "aws:username",
            "aws:principalarn",
            "s3:x-amz-server-side-encryption",
        ] {
            assert_eq!(key_hash_const(key), key_hash(key), "{key}");
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
