//! Tracing: each incarnation runs inside its own `role` span, with the role and
//! the incarnation as fields, so a service's own logs say who wrote them; and
//! the supervisor's own records say what happened at a level that fits.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use supervision::{App, supervision};
use supervision_tests::{DrainScript, Script, ms};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A span as opened: its name and its fields, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Opened {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

/// What the subscriber saw: spans by id, the entered stack, and each event's
/// `marker` with the fields of the innermost `role` span around it.
#[derive(Default)]
struct Seen {
    spans: Vec<Opened>,
    stack: Vec<u64>,
    events: Vec<(String, Option<BTreeMap<String, String>>)>,
    /// The supervisor's records: level and fields (`message` among them).
    records: Vec<(tracing::Level, BTreeMap<String, String>)>,
}

#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Seen>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Recorder {
    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        self.seen().spans.push(Opened {
            name: span.metadata().name(),
            fields,
        });
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        if event.metadata().target() == "supervision" {
            let level = *event.metadata().level();
            self.seen().records.push((level, fields));
            return;
        }
        let Some(marker) = fields.remove("marker") else {
            return;
        };
        let mut seen = self.seen();
        let around = seen
            .stack
            .iter()
            .rev()
            .filter_map(|id| seen.spans.get(usize::try_from(id - 1).ok()?))
            .find(|span| span.name == "role")
            .map(|span| span.fields.clone());
        seen.events.push((marker, around));
    }

    fn enter(&self, span: &Id) {
        self.seen().stack.push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut seen = self.seen();
        if let Some(at) = seen.stack.iter().rposition(|id| *id == span.into_u64()) {
            seen.stack.remove(at);
        }
    }
}

supervision! {
    app Traced {
        strategy: one_for_one,
        store: Script { restart: permanent(3 per 10s, backoff: none) },
        api: Script { depends_on: [store] },
    }
}

fn role(name: &str, incarnation: u64) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("incarnation".to_owned(), incarnation.to_string()),
        ("role".to_owned(), name.to_owned()),
    ])
}

#[tokio::test(start_paused = true)]
async fn every_incarnation_runs_in_a_role_span_with_its_role_and_incarnation() {
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    // `store` logs once per incarnation and fails its first run.
    let store = Script::new(|cx| async move {
        tracing::info!(marker = "store says hello");
        if cx.incarnation() == 0 {
            tokio::time::sleep(ms(10)).await;
            return Err("first run fails".into());
        }
        cx.stop_requested().await;
        Ok(())
    });
    let api = Script::new(|cx| async move {
        tracing::info!(marker = "api says hello");
        cx.stop_requested().await;
        Ok(())
    });
    let handle = Traced { store, api }.start().await.expect("starts");
    tokio::time::sleep(ms(100)).await;
    handle.shutdown().await;

    let seen = recorder.seen();
    let role_spans: Vec<_> = seen
        .spans
        .iter()
        .filter(|span| span.name == "role")
        .map(|span| span.fields.clone())
        .collect();
    assert_eq!(
        role_spans,
        vec![role("store", 0), role("api", 0), role("store", 1)]
    );
    assert_eq!(
        seen.events,
        vec![
            ("store says hello".to_owned(), Some(role("store", 0))),
            ("api says hello".to_owned(), Some(role("api", 0))),
            ("store says hello".to_owned(), Some(role("store", 1))),
        ]
    );
}

supervision! {
    app Logged {
        strategy: one_for_one,
        store: Script { restart: permanent(3 per 10s, backoff: fixed(250ms)) },
        queue: DrainScript { stop: [drain(1s), release_lease, stop(2s)] },
    }
}

#[tokio::test(start_paused = true)]
async fn restarts_lost_drains_and_aborts_are_logged_above_debug_with_their_fields() {
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());
    let store = Script::new(|cx| async move {
        if cx.incarnation() == 0 {
            tokio::time::sleep(ms(10)).await;
            return Err("disk full".into());
        }
        cx.stop_requested().await;
        Ok(())
    });
    // Ignores its stop and never finishes draining: the drain times out and
    // the stop is aborted, both of which can lose work.
    let queue = DrainScript::new(|_| std::future::pending(), |_| std::future::pending());
    let handle = Logged { store, queue }.start().await.expect("starts");
    tokio::time::sleep(ms(500)).await;
    handle.shutdown().await;

    let seen = recorder.seen();
    let above_debug: Vec<[String; 4]> = seen
        .records
        .iter()
        .filter(|(level, _)| *level < tracing::Level::DEBUG)
        .map(|(level, fields)| {
            let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
            let detail = ["error", "delay", "reason"]
                .iter()
                .map(|k| field(k))
                .find(|v| !v.is_empty())
                .unwrap_or_default();
            [level.to_string(), field("role"), field("message"), detail]
        })
        .collect();
    let row = |level: &str, role: &str, message: &str, detail: &str| {
        [level, role, message, detail].map(str::to_owned)
    };
    assert_eq!(
        above_debug,
        vec![
            row("WARN", "store", "role failed", "disk full"),
            row("INFO", "store", "restart scheduled", "250ms"),
            row(
                "INFO",
                "",
                "shutdown requested",
                "requested through the app handle"
            ),
            row(
                "WARN",
                "queue",
                "drain timed out: in-flight work may be lost",
                ""
            ),
            row(
                "WARN",
                "queue",
                "role aborted: it did not stop within its grace period",
                ""
            ),
            row("INFO", "", "shutdown completed", ""),
        ]
    );
    // Every record carries the event's place in the stream.
    assert!(
        seen.records
            .iter()
            .all(|(_, fields)| fields.contains_key("seq"))
    );
}
