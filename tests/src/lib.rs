//! Runtime behaviour tests live in `tests/`.
