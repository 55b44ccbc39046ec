//! A small, fast hash for short keys: action names and condition key names.

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
