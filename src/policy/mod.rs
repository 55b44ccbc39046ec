//! Policy documents: JSON with positions, the typed AST, lowering and validation.
pub(crate) mod json;
