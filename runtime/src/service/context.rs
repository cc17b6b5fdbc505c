//! What a running incarnation knows about itself and how it talks back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::Msg;

/// Sends one readiness message to the supervisor, however often `ready()` is called.
#[derive(Debug)]
struct ReadySignal {
    sent: AtomicBool,
    role: usize,
    incarnation: u64,
    tx: mpsc::UnboundedSender<Msg>,
}

/// Handed to `Service::run`: the role's identity, its readiness signal,
/// its stop request and the state drained from the previous incarnation.
#[derive(Clone, Debug)]
pub struct Context {
    role: &'static str,
    incarnation: u64,
    cancel: CancellationToken,
    ready: Arc<ReadySignal>,
    resume: Option<Arc<serde_json::Value>>,
}

impl Context {
    pub(crate) fn new(
        role: &'static str,
        index: usize,
        incarnation: u64,
        tx: mpsc::UnboundedSender<Msg>,
        resume: Option<Arc<serde_json::Value>>,
    ) -> Self {
        Context {
            role,
            incarnation,
            cancel: CancellationToken::new(),
            ready: Arc::new(ReadySignal {
                sent: AtomicBool::new(false),
                role: index,
                incarnation,
                tx,
            }),
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
        let signal = &self.ready;
        if !signal.sent.swap(true, Ordering::AcqRel) {
            // The supervisor is gone only when the app has stopped: nothing to tell.
            let _ = signal.tx.send(Msg::Ready {
                role: signal.role,
                incarnation: signal.incarnation,
            });
        }
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

    /// Asks this incarnation to stop (the supervisor's `stop` action).
    pub(crate) fn cancel(&self) {
        self.cancel.cancel();
    }
}
