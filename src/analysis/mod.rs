//! The engine under universal questions about a policy set: a lazy DPLL(T) solver and
//! exact theories of IAM's value languages.
#![expect(dead_code, reason = "used by the analysis encoder")]

#[doc(hidden)]
pub mod bench;
pub(crate) mod budget;
pub(crate) mod deps;
pub(crate) mod logic;
pub(crate) mod multi;
pub(crate) mod sat;
pub(crate) mod solve;
pub(crate) mod theory;

#[cfg(test)]
mod tests;
