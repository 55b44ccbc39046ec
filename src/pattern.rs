//! IAM wildcard patterns.
