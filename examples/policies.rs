//! Each restart policy and each strategy in action; ends by itself.
//!
//! `cargo run --example policies`. First one app shows the four restart
//! policies side by side; then the same small topology runs under each
//! strategy, with the same role failing once, so the restarted set differs.
//! Every app ends when its `critical` clock exits cleanly.

use std::process::ExitCode;
use std::time::Duration;

use supervision::{App, BoxError, Context, Service, supervision};
use supervision_examples::{Flags, run_daemon};

/// How an incarnation ends, after `Behaviour::after`.
#[derive(Clone, Copy, Debug)]
enum Ending {
    Clean,
    Error,
    Panic,
}

/// Incarnation `i` ends as `endings[i]`; later incarnations run until stopped.
struct Behaviour {
    after: Duration,
    endings: &'static [Ending],
}

impl Behaviour {
    const fn new(after_ms: u64, endings: &'static [Ending]) -> Self {
        Behaviour {
            after: Duration::from_millis(after_ms),
            endings,
        }
    }
}

impl Service for Behaviour {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        let ending = usize::try_from(cx.incarnation())
            .ok()
            .and_then(|i| self.endings.get(i));
        let Some(ending) = ending else {
            tracing::info!("running until stopped");
            cx.stop_requested().await;
            return Ok(());
        };
        tracing::info!("will end with {ending:?} in {:?}", self.after);
        tokio::select! {
            () = cx.stop_requested() => return Ok(()),
            () = tokio::time::sleep(self.after) => {}
        }
        match ending {
            Ending::Clean => Ok(()),
            Ending::Error => Err(format!("{} gave up", cx.role()).into()),
            Ending::Panic => panic!("{} hit a bug", cx.role()),
        }
    }
}

supervision! {
    /// One role per restart policy.
    app Policies {
        strategy: one_for_one,
        /// Exits cleanly once: `permanent` restarts it anyway.
        ticker: Behaviour { restart: permanent(3 per 10s, backoff: fixed(200ms)) },
        /// Fails, then exits cleanly: `transient` restarts only the failure.
        worker: Behaviour { restart: transient(3 per 10s, backoff: fixed(200ms)) },
        /// Panics: `temporary` never restarts; being optional, it is disabled.
        optional probe: Behaviour { restart: temporary },
        /// Exits cleanly after 2s: `critical` ends the app gracefully.
        clock: Behaviour { restart: critical },
    }
}

/// The same topology under each strategy: `store` fails once, `index` depends
/// on it, `mailer` is independent.
macro_rules! strategy_app {
    ($(#[$doc:meta])* $name:ident, $strategy:ident) => {
        supervision! {
            $(#[$doc])*
            app $name {
                strategy: $strategy,
                store: Behaviour { restart: permanent(3 per 10s, backoff: fixed(100ms)) },
                index: Behaviour { depends_on: [store] },
                mailer: Behaviour,
                clock: Behaviour { restart: critical },
            }
        }
    };
}

strategy_app!(
    /// `one_for_one`: only `store` restarts.
    OneForOne,
    one_for_one
);
strategy_app!(
    /// `rest_for_one`: `store` and its dependent `index` restart.
    RestForOne,
    rest_for_one
);
strategy_app!(
    /// `one_for_all`: every role restarts.
    OneForAll,
    one_for_all
);

const FAILS_ONCE: Behaviour = Behaviour::new(300, &[Ending::Error]);
const STEADY: Behaviour = Behaviour::new(0, &[]);
// One_for_all restarts the clock too; its second run ends the app.
const CLOCK: Behaviour = Behaviour::new(1500, &[Ending::Clean, Ending::Clean]);

async fn show<A: App>(title: &str, app: A) -> ExitCode {
    println!("\n=== {title} ===");
    run_daemon(app, Flags::default()).await
}

#[tokio::main]
async fn main() -> ExitCode {
    // Panics are part of the demo: report them in one line.
    std::panic::set_hook(Box::new(|info| eprintln!("(panic) {info}")));

    let policies = Policies {
        ticker: Behaviour::new(300, &[Ending::Clean]),
        worker: Behaviour::new(300, &[Ending::Error, Ending::Clean]),
        probe: Behaviour::new(500, &[Ending::Panic]),
        clock: Behaviour::new(2000, &[Ending::Clean]),
    };
    let mut code = show("restart policies", policies).await;
    for outcome in [
        show(
            "one_for_one",
            OneForOne {
                store: FAILS_ONCE,
                index: STEADY,
                mailer: STEADY,
                clock: CLOCK,
            },
        )
        .await,
        show(
            "rest_for_one",
            RestForOne {
                store: FAILS_ONCE,
                index: STEADY,
                mailer: STEADY,
                clock: CLOCK,
            },
        )
        .await,
        show(
            "one_for_all",
            OneForAll {
                store: FAILS_ONCE,
                index: STEADY,
                mailer: STEADY,
                clock: CLOCK,
            },
        )
        .await,
    ] {
        if outcome != ExitCode::SUCCESS {
            code = outcome;
        }
    }
    code
}
