//! The size limits every command that reads policies can set.

use iam_eval::Limits;

/// Limits on the policies read (see the library's `Limits` for the defaults).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LimitArgs {
    /// The largest policy accepted, in bytes not counting whitespace (as AWS counts).
    #[arg(long, value_name = "N")]
    max_bytes: Option<usize>,
    /// The most values in one policy: actions, resources, principals and condition
    /// values together.
    #[arg(long, value_name = "N")]
    max_values: Option<usize>,
    /// The most statements in one policy.
    #[arg(long, value_name = "N")]
    max_statements: Option<usize>,
}

impl LimitArgs {
    pub(crate) fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        if let Some(n) = self.max_bytes {
            limits = limits.with_max_policy_bytes(n);
        }
        if let Some(n) = self.max_values {
            limits = limits.with_max_values(n);
        }
        if let Some(n) = self.max_statements {
            limits = limits.with_max_statements(n);
        }
        limits
    }
}
