//! systemd's notify protocol (`sd_notify(3)`), spoken by `App::run` when
//! `$NOTIFY_SOCKET` is set: `READY=1` once the start is over, `STATUS=` when
//! the app's condition changes, `STOPPING=1` when the shutdown begins, and
//! `WATCHDOG=1` every half `$WATCHDOG_USEC` while the app is healthy.
//!
//! The notifier is a task of its own that follows the event stream and reads
//! the state table, so the engine never waits on the socket; each message is
//! sent from tokio's blocking pool with a write timeout, so a socket nobody
//! reads cannot hold the runtime, nor the process's exit, for long. The
//! protocol is a few lines over a datagram socket, so no crate is needed for it.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::app::handle::AppHandle;
use crate::observe::event::{Event, EventKind};
use crate::observe::state::Phase;
use crate::spec::AppSpec;
use crate::spec::role::Role;

/// A message that cannot be queued within this (wall-clock) time is dropped:
/// a notifier stuck on a full socket must not hold the process up.
const SEND_TIMEOUT: Duration = Duration::from_secs(1);

/// Where systemd listens, from `$NOTIFY_SOCKET`, and when it wants pings.
pub(crate) struct Target {
    socket: OsString,
    /// Half of `$WATCHDOG_USEC`, when the watchdog is this process's.
    ping: Option<Duration>,
}

impl Target {
    /// From the environment systemd sets; `None` (nothing is sent) without
    /// `$NOTIFY_SOCKET`.
    pub(crate) fn from_env() -> Option<Target> {
        let socket = std::env::var_os("NOTIFY_SOCKET").filter(|s| !s.is_empty())?;
        let usec = std::env::var_os("WATCHDOG_USEC");
        let pid = std::env::var_os("WATCHDOG_PID");
        Some(Target {
            socket,
            ping: ping_interval(usec.as_deref(), pid.as_deref(), std::process::id()),
        })
    }
}

/// Half of `$WATCHDOG_USEC` (pinging twice per period, as `sd_watchdog_enabled(3)`
/// advises), unless it is unset, zero or malformed, or `$WATCHDOG_PID` names
/// another process (the variables were inherited from a parent).
fn ping_interval(usec: Option<&OsStr>, pid: Option<&OsStr>, own: u32) -> Option<Duration> {
    if let Some(pid) = pid
        && pid.to_str().and_then(|p| p.parse::<u32>().ok()) != Some(own)
    {
        return None;
    }
    let usec: u64 = usec?.to_str()?.parse().ok().filter(|&u| u > 0)?;
    Some(Duration::from_micros(usec) / 2)
}

/// `$NOTIFY_SOCKET` as an address: a path, or on Linux an abstract name
/// written with a leading `@`.
fn address(socket: &OsStr) -> io::Result<SocketAddr> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(name) = socket.as_encoded_bytes().strip_prefix(b"@") {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        return SocketAddr::from_abstract_name(name);
    }
    SocketAddr::from_pathname(socket)
}

/// The socket, connected to systemd's.
struct Notifier {
    socket: Arc<UnixDatagram>,
}

impl Notifier {
    fn connect(socket: &OsStr) -> io::Result<Notifier> {
        let datagram = UnixDatagram::unbound()?;
        datagram.connect_addr(&address(socket)?)?;
        datagram.set_write_timeout(Some(SEND_TIMEOUT))?;
        Ok(Notifier {
            socket: Arc::new(datagram),
        })
    }

    /// Sends one message, in order after the previous one; a failure is
    /// logged and otherwise ignored, since the app runs the same whether
    /// systemd hears it or not.
    async fn send(&self, message: &str) {
        let socket = Arc::clone(&self.socket);
        let bytes = message.as_bytes().to_vec();
        let sent = tokio::task::spawn_blocking(move || socket.send(&bytes)).await;
        match sent {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, message, "sd_notify failed"),
            Err(error) => tracing::warn!(%error, message, "sd_notify failed"),
        }
    }
}

/// Starts notifying `target` about the app behind `handle`; `None` if the
/// socket cannot be reached (logged: the app runs without notifying).
pub(crate) fn spawn<R: Role>(
    spec: &'static AppSpec<R>,
    handle: &AppHandle<R>,
    target: Target,
) -> Option<JoinHandle<()>> {
    match Notifier::connect(&target.socket) {
        Ok(notifier) => {
            let about = About {
                spec,
                handle: handle.clone(),
            };
            Some(tokio::spawn(notify(about, notifier, target.ping)))
        }
        Err(error) => {
            let socket = target.socket.to_string_lossy();
            tracing::warn!(%error, %socket, "cannot reach NOTIFY_SOCKET; not notifying systemd");
            None
        }
    }
}

/// The app the notifier reports on.
struct About<R: 'static> {
    spec: &'static AppSpec<R>,
    handle: AppHandle<R>,
}

/// Follows the app until its shutdown is over; see the module's documentation.
async fn notify<R: Role>(about: About<R>, notifier: Notifier, ping: Option<Duration>) {
    let handle = &about.handle;
    let mut events = handle.follow();
    let started = handle.started();
    tokio::pin!(started);
    let mut ready = false;
    let mut status = String::new();
    // Armed once `READY=1` is sent: systemd's watchdog runs from then on.
    let mut pings = ping.map(|period| {
        let mut pings = tokio::time::interval(period);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        pings
    });
    loop {
        tokio::select! {
            biased;
            answer = &mut started, if !ready => {
                if answer.is_err() {
                    // The shutdown's events follow and say the rest.
                    ready = true;
                    pings = None;
                    continue;
                }
                ready = true;
                status = running(handle);
                notifier.send(&format!("READY=1\nSTATUS={status}")).await;
                if let Some(pings) = pings.as_mut() {
                    pings.reset_immediately();
                }
            }
            event = events.recv() => {
                let event = match event {
                    Ok(event) => event,
                    Err(RecvError::Lagged(_)) if handle.state().phase != Phase::Stopped => continue,
                    Err(_) => return,
                };
                if matches!(event.kind, EventKind::ShutdownCompleted) {
                    return;
                }
                if let Some(message) = on_event(&about, &event, ready, &mut status) {
                    notifier.send(&message).await;
                }
            }
            _ = tick(pings.as_mut()), if ready && pings.is_some() => {
                // Pings stop while a required role is down, so systemd restarts a
                // process that stays wedged; a shutdown is bounded by its own timeout.
                let health = handle.health();
                if health.ready || handle.state().phase == Phase::ShuttingDown {
                    notifier.send("WATCHDOG=1").await;
                }
            }
        }
    }
}

async fn tick(pings: Option<&mut tokio::time::Interval>) {
    match pings {
        Some(pings) => {
            pings.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The message an event calls for, if any; `status` is the last `STATUS=` sent.
fn on_event<R: Role>(
    about: &About<R>,
    event: &Event<R>,
    ready: bool,
    status: &mut String,
) -> Option<String> {
    let line = match (&event.kind, event.role) {
        (EventKind::ShutdownRequested { reason }, _) => {
            *status = format!("stopping: {reason}");
            return Some(format!("STOPPING=1\nSTATUS={status}"));
        }
        _ if !ready || about.handle.state().phase != Phase::Running => return None,
        (EventKind::RestartScheduled { attempt, .. }, Some(role)) => {
            let max = about
                .spec
                .restart(role)
                .budget()
                .map_or(0, |(budget, _)| budget.max_restarts);
            format!("restarting {role} ({attempt}/{max})")
        }
        (EventKind::Ready | EventKind::Disabled, _) => running(&about.handle),
        _ => return None,
    };
    if line == *status {
        return None;
    }
    *status = line;
    Some(format!("STATUS={status}"))
}

/// `running: N roles`, or `degraded: a, b disabled`, or what is not ready.
fn running<R: Role>(handle: &AppHandle<R>) -> String {
    let health = handle.health();
    let names = |roles: &[R]| {
        roles
            .iter()
            .map(|r| r.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !health.degraded.is_empty() {
        format!("degraded: {} disabled", names(&health.degraded))
    } else if !health.unready.is_empty() {
        format!("recovering: {} not ready", names(&health.unready))
    } else {
        let n = handle.spec().roles().len();
        format!("running: {n} role{}", if n == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_run_at_half_the_watchdog_period_and_only_for_this_process() {
        let usec = Some(OsStr::new("5000000"));
        assert_eq!(
            ping_interval(usec, None, 7),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            ping_interval(usec, Some(OsStr::new("7")), 7),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(ping_interval(usec, Some(OsStr::new("8")), 7), None);
        assert_eq!(ping_interval(usec, Some(OsStr::new("x")), 7), None);
        assert_eq!(ping_interval(None, None, 7), None);
        assert_eq!(ping_interval(Some(OsStr::new("0")), None, 7), None);
        assert_eq!(ping_interval(Some(OsStr::new("5s")), None, 7), None);
    }
}
