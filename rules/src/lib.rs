//! The rules a supervision tree is held to, in one place: the `supervision!`
//! macro reports each broken rule at the token that breaks it, and
//! `supervision::Builder` returns the same findings as typed errors for apps
//! defined at run time.
//!
//! Everything here works on plain names and positions, so each caller maps a
//! finding back to its own places: a span for the macro, a role name for the
//! builder. Not meant to be used directly: depend on `supervision`.

pub mod graph;
pub mod limits;
pub mod stop;
pub mod suggest;
