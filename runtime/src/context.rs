//! What a running incarnation knows about itself and how it talks back.

use std::sync::Arc;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Handed to `Service::run`: the role's identity, its readiness signal,
/// its stop request and the state drained from the previous incarnation.
#[derive(Clone, Debug)]
pub struct Context {
    role: &'static str,
    incarnation: u64,
    cancel: CancellationToken,
    ready: Arc<watch::Sender<bool>>,
    resume: Option<Arc<serde_json::Value>>,
}

impl Context {
    pub(crate) fn new(
        role: &'static str,
        incarnation: u64,
        cancel: CancellationToken,
        ready: Arc<watch::Sender<bool>>,
        resume: Option<Arc<serde_json::Value>>,
    ) -> Self {
        Context {
            role,
            incarnation,
            cancel,
            ready,
            resume,
        }
    }

    /// The role's lease name.
    pub fn role(&self) -> &'static str {
        self.role
    }

    /// 0 for the first run, then +1 per restart.
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    /// Signals readiness (for `ready: signaled(..)`); later calls do nothing.
    pub fn ready(&self) {
        self.ready.send_replace(true);
    }

    /// Completes when this incarnation must stop.
    pub async fn stop_requested(&self) {
        self.cancel.cancelled().await;
    }

    /// Whether this incarnation has been asked to stop.
    pub fn is_stop_requested(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The token cancelled when this incarnation must stop, for `select!` and child tasks.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// The state the previous incarnation's `drain(.., resume_state)` returned, if any
    /// and if it reads as a `T`.
    pub fn resume_state<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let value = self.resume.as_deref()?;
        T::deserialize(value).ok()
    }
}
