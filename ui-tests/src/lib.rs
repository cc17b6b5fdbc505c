//! Compile-fail and pass cases for `supervision!`, run by `tests/ui.rs`.
