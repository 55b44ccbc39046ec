//! The `iam-eval` command.
fn main() {}
