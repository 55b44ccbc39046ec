//! Size limits on untrusted policies.
//!
//! Policies come from customers, so every dimension that costs memory or time has a
//! limit. The defaults accept every AWS managed policy (the largest is about 135 KB
//! without whitespace, with a 1 548-action `Action` list) and every one can be changed.
//! Like AWS, sizes do not count whitespace: "IAM does not count white space when
//! calculating the size of a policy"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>).

/// Limits applied when a policy is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_policy_bytes: usize,
    max_source_bytes: usize,
    max_depth: usize,
    max_statements: usize,
    max_values: usize,
    max_pattern_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_policy_bytes: 256 * 1024,
            max_source_bytes: 4 * 1024 * 1024,
            max_depth: 32,
            max_statements: 4096,
            max_values: 50_000,
            max_pattern_len: 4096,
        }
    }
}

impl Limits {
    /// The largest policy accepted, in bytes not counting whitespace outside strings
    /// (default 256 KiB).
    pub fn max_policy_bytes(&self) -> usize {
        self.max_policy_bytes
    }
    /// The largest document accepted as written, whitespace included (default 4 MiB):
    /// it bounds the work of reading a document padded with whitespace.
    pub fn max_source_bytes(&self) -> usize {
        self.max_source_bytes
    }
    /// The deepest JSON nesting accepted (default 32; a valid policy nests at most 6 deep).
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
    /// The most statements in one policy (default 4 096).
    pub fn max_statements(&self) -> usize {
        self.max_statements
    }
    /// The most values in one policy, all lists together: actions, resources,
    /// principals and condition values (default 50 000). AWS limits no single list.
    pub fn max_values(&self) -> usize {
        self.max_values
    }
    /// The longest action, resource, principal or condition value, in bytes (default 4 096).
    pub fn max_pattern_len(&self) -> usize {
        self.max_pattern_len
    }
    /// Sets the largest policy accepted, in bytes without whitespace.
    #[must_use]
    pub fn with_max_policy_bytes(mut self, n: usize) -> Self {
        self.max_policy_bytes = n;
        self
    }
    /// Sets the largest document accepted as written.
    #[must_use]
    pub fn with_max_source_bytes(mut self, n: usize) -> Self {
        self.max_source_bytes = n;
        self
    }
    /// Sets the deepest JSON nesting accepted.
    #[must_use]
    pub fn with_max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }
    /// Sets the most statements in one policy.
    #[must_use]
    pub fn with_max_statements(mut self, n: usize) -> Self {
        self.max_statements = n;
        self
    }
    /// Sets the most values in one policy, all lists together.
    #[must_use]
    pub fn with_max_values(mut self, n: usize) -> Self {
        self.max_values = n;
        self
    }
    /// Sets the longest single value, in bytes.
    #[must_use]
    pub fn with_max_pattern_len(mut self, n: usize) -> Self {
        self.max_pattern_len = n;
        self
    }
}

/// The size of a JSON document as AWS counts it: every byte but the whitespace between
/// tokens (whitespace inside strings counts).
pub(crate) fn size_without_whitespace(src: &str) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    let mut n = 0;
    for &b in src.as_bytes() {
        if in_string {
            n += 1;
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            n += 1;
            in_string = b == b'"';
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_between_tokens_does_not_count() {
        assert_eq!(size_without_whitespace("{ \"a b\" :\n\t[ 1 ,2 ] }"), 13);
        assert_eq!(size_without_whitespace("{\"a b\":[1,2]}"), 13);
        assert_eq!(
            size_without_whitespace("\"x\\\" y\""),
            7,
            "an escaped quote"
        );
        assert_eq!(size_without_whitespace(""), 0);
    }
}
