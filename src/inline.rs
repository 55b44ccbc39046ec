//! A fixed-capacity list kept inline, so that building a response never allocates.

/// A fixed-capacity list kept inline, so building a response never allocates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inline<T: Copy + Default, const N: usize> {
    items: [T; N],
    len: u16,
    dropped: u32,
}

impl<T: Copy + Default, const N: usize> Default for Inline<T, N> {
    fn default() -> Self {
        Inline {
            items: [T::default(); N],
            len: 0,
            dropped: 0,
        }
    }
}

impl<T: Copy + Default, const N: usize> Inline<T, N> {
    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        match self.items.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = item;
                self.len += 1;
            }
            None => self.dropped = self.dropped.saturating_add(1),
        }
    }
    /// Inserts keeping the items sorted by `key` (after equal keys) and, when full, the
    /// smallest: so the result does not depend on the order items arrive in.
    #[inline]
    pub(crate) fn insert_sorted<K: Ord>(&mut self, item: T, key: impl Fn(&T) -> K) {
        let len = usize::from(self.len);
        let k = key(&item);
        let at = self
            .items
            .iter()
            .take(len)
            .position(|x| key(x) > k)
            .unwrap_or(len);
        if at >= N {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if len == N {
            self.dropped = self.dropped.saturating_add(1);
        } else {
            self.len += 1;
        }
        let end = usize::from(self.len);
        if let Some(tail) = self.items.get_mut(at..end) {
            tail.rotate_right(1);
            if let Some(first) = tail.first_mut() {
                *first = item;
            }
        }
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.items.iter().take(usize::from(self.len)).copied()
    }
    /// The items, by value.
    pub(crate) fn into_iter(self) -> impl Iterator<Item = T> {
        self.items.into_iter().take(usize::from(self.len))
    }
    /// Counts items dropped elsewhere as dropped here.
    pub(crate) fn add_dropped(&mut self, n: usize) {
        self.dropped = self
            .dropped
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }
    pub(crate) fn dropped(&self) -> usize {
        self.dropped as usize
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}
