//! Size limits on untrusted policies.
//!
//! Policies come from customers, so every dimension that costs memory or time has a
//! limit. The defaults are generous next to AWS's own quotas (an IAM managed policy is at
//! most 6 144 characters, a bucket policy 20 KiB) and every one can be changed.

/// Limits applied when a policy is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_policy_bytes: usize,
    max_depth: usize,
    max_statements: usize,
    max_values: usize,
    max_pattern_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_policy_bytes: 128 * 1024,
            max_depth: 32,
            max_statements: 4096,
            max_values: 1024,
            max_pattern_len: 4096,
        }
    }
}

impl Limits {
    /// The largest policy document accepted, in bytes (default 128 KiB).
    pub fn max_policy_bytes(&self) -> usize {
        self.max_policy_bytes
    }
    /// The deepest JSON nesting accepted (default 32; a valid policy nests at most 6 deep).
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
    /// The most statements in one policy (default 4 096).
    pub fn max_statements(&self) -> usize {
        self.max_statements
    }
    /// The most values in one list: actions, resources, principals of one type, or the
    /// values of one condition key (default 1 024).
    pub fn max_values(&self) -> usize {
        self.max_values
    }
    /// The longest action, resource, principal or condition value, in bytes (default 4 096).
    pub fn max_pattern_len(&self) -> usize {
        self.max_pattern_len
    }
    /// Sets the largest policy document accepted, in bytes.
    #[must_use]
    pub fn with_max_policy_bytes(mut self, n: usize) -> Self {
        self.max_policy_bytes = n;
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
    /// Sets the most values in one list.
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
