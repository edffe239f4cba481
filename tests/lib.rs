//! Cross-crate tests live in `parity.rs`; this library is empty.
