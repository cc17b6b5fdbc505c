//! **The observe room**: what a running app tells about itself: events and
//! their journal, stages, chains and episodes, the one-line display, the state
//! snapshot, the shutdown report and the errors. Imports `spec` only; the
//! engine writes here, handles and users read.

pub(crate) mod chain;
pub(crate) mod display;
pub(crate) mod episode;
pub(crate) mod error;
pub(crate) mod event;
pub mod exit;
pub(crate) mod fifo;
pub(crate) mod follow;
pub(crate) mod footprint;
pub(crate) mod health;
pub(crate) mod journal;
pub(crate) mod number;
pub(crate) mod report;
pub(crate) mod stage;
pub(crate) mod state;
pub(crate) mod stored;
pub(crate) mod subscription;
