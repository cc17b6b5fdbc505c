//! `App::run` under systemd: the notify protocol on a real Unix datagram socket.
//!
//! The environment systemd sets (`NOTIFY_SOCKET`, `WATCHDOG_USEC`,
//! `WATCHDOG_PID`) is read by the process, and setting it here would race with
//! the other tests (and needs `unsafe`). So each test binds a socket and runs
//! one `#[ignore]`d app of this binary in a child process with that
//! environment, as systemd would; the app runs on paused time, and the test
//! reads every datagram once the child has exited.

#![cfg(unix)]

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use supervision::{App, supervision};
use supervision_tests::{Script, secs};

/// Runs the ignored test `app` of this binary in a child with `env`, and
/// returns what it sent to `socket`, read as it comes (a datagram socket
/// queues only a few unread messages).
fn run_child(app: &str, socket: &UnixDatagram, env: &[(&str, &str)]) -> Vec<String> {
    let exe = std::env::current_exe().expect("the test binary is known");
    let mut command = Command::new(exe);
    command
        .args(["--ignored", "--exact", app, "--test-threads=1"])
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .stdout(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("the child runs");
    socket
        .set_read_timeout(Some(std::time::Duration::from_millis(20)))
        .expect("a read timeout");
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let status = loop {
        let exited = child.try_wait().expect("the child can be waited for");
        // Once it has exited, what it sent is all queued: read until empty.
        while let Ok(n) = socket.recv(&mut buf) {
            received.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        if let Some(status) = exited {
            break status;
        }
    };
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut out, &mut stdout);
    }
    assert!(status.success(), "{app} failed:\n{stdout}");
    received
}

fn socket_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("supervision-{name}-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

supervision! {
    app Notified {
        store: Script { restart: critical },
        peer: Script { depends_on: [store], restart: permanent(5 per 1m, backoff: fixed(1500ms)) },
        optional extra: Script { restart: temporary },
    }
}

/// Exits (cleanly, or with an error) at `at` in its first incarnation; runs
/// until stopped otherwise.
fn ends_at(at: u64, fails: bool) -> Script {
    Script::new(move |cx| async move {
        if cx.incarnation() == 0 {
            tokio::select! {
                () = tokio::time::sleep(secs(at)) => {
                    return if fails { Err("lost its peers".into()) } else { Ok(()) };
                }
                () = cx.stop_requested() => {}
            }
        }
        cx.stop_requested().await;
        Ok(())
    })
}

/// The child of `reports_ready_status_watchdog_and_stopping_in_order`: `peer`
/// fails at 5s and is back at 6.5s, `extra` fails for good at 11s, and `store`
/// (critical) ends the app at 15s.
#[ignore = "run by its parent test, in a child with systemd's environment"]
#[tokio::test(start_paused = true)]
async fn child_notified() {
    let app = Notified {
        store: ends_at(15, false),
        peer: ends_at(5, true),
        extra: ends_at(11, true),
    };
    app.run()
        .await
        .expect("a critical role's clean exit ends run with Ok");
}

#[test]
fn reports_ready_status_watchdog_and_stopping_in_order() {
    let path = socket_path("notify");
    let socket = UnixDatagram::bind(&path).expect("binds");
    let path_text = path.to_str().expect("a UTF-8 temp path");
    // A 4s watchdog: pings every 2s, at 0s, 2s, 4s, none at 6s (peer
    // restarting), then 8s ... 14s.
    let received = run_child(
        "child_notified",
        &socket,
        &[("NOTIFY_SOCKET", path_text), ("WATCHDOG_USEC", "4000000")],
    );
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        received,
        [
            "READY=1\nSTATUS=running: 3 roles",
            "WATCHDOG=1",
            "WATCHDOG=1",
            "WATCHDOG=1",
            "STATUS=restarting peer (1/5)",
            "STATUS=running: 3 roles",
            "WATCHDOG=1",
            "WATCHDOG=1",
            "STATUS=degraded: extra disabled",
            "WATCHDOG=1",
            "WATCHDOG=1",
            "STOPPING=1\nSTATUS=stopping: a critical role exited",
        ]
    );
}

supervision! {
    app Single {
        store: Script { restart: critical },
    }
}

/// The child of the tests below: `store` ends the app at 5s.
#[ignore = "run by its parent test, in a child with systemd's environment"]
#[tokio::test(start_paused = true)]
async fn child_single() {
    let app = Single {
        store: ends_at(5, false),
    };
    app.run().await.expect("ends with Ok");
}

#[test]
#[cfg(target_os = "linux")]
fn an_abstract_socket_is_reached_and_another_process_watchdog_is_not_pinged() {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("supervision-notify-{}", std::process::id());
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
        .expect("an abstract name");
    let socket = UnixDatagram::bind_addr(&addr).expect("binds");
    let received = run_child(
        "child_single",
        &socket,
        &[
            ("NOTIFY_SOCKET", &format!("@{name}")),
            ("WATCHDOG_USEC", "1000000"),
            // Inherited from a parent: the watchdog is not this process's.
            ("WATCHDOG_PID", "1"),
        ],
    );
    assert_eq!(
        received,
        [
            "READY=1\nSTATUS=running: 1 role",
            "STOPPING=1\nSTATUS=stopping: a critical role exited",
        ]
    );
}

#[test]
fn without_a_reachable_socket_nothing_is_sent_and_nothing_fails() {
    let path = socket_path("unbound");
    let socket = UnixDatagram::bind(&path).expect("binds");
    let missing = socket_path("missing");
    let missing = missing.to_str().expect("a UTF-8 temp path");
    // Unset, then pointing nowhere: the app runs and ends as usual.
    assert!(run_child("child_single", &socket, &[]).is_empty());
    assert!(run_child("child_single", &socket, &[("NOTIFY_SOCKET", missing)]).is_empty());
    let _ = std::fs::remove_file(&path);
}

supervision! {
    app Wedged {
        store: Script { restart: critical },
        // A failure leaves it restarting for an hour: the process is wedged.
        peer: Script { depends_on: [store], restart: permanent(5 per 1h, backoff: fixed(1h)) },
    }
}

/// The child of `a_harness_speaking_systemds_protocol_restarts_a_wedged_process`,
/// on the real clock: with `WEDGE` set, `peer` fails 300ms after the start and
/// stays down; without it, the app runs until SIGTERM.
#[ignore = "run by its parent test, in a child with systemd's environment"]
#[tokio::test]
async fn child_wedged() {
    let wedge = std::env::var_os("WEDGE").is_some();
    let peer = Script::new(move |cx| async move {
        cx.ready();
        if wedge {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            return Err("deadlocked on its peers".into());
        }
        cx.stop_requested().await;
        Ok(())
    });
    let app = Wedged {
        store: Script::until_stopped(),
        peer,
    };
    let report = app.run().await.expect("SIGTERM ends run with Ok");
    assert!(report.is_clean());
}

/// What systemd does with `Type=notify` and `WatchdogSec=`: wait for
/// `READY=1`, expect `WATCHDOG=1` within every period, kill and restart a
/// process that misses one, and on stop send SIGTERM and wait for it to exit.
/// Real processes on the real clock: periods are generous, and nothing is
/// asserted on timing, only on what the harness saw and did.
#[test]
fn a_harness_speaking_systemds_protocol_restarts_a_wedged_process() {
    use std::time::{Duration, Instant};
    const WATCHDOG: Duration = Duration::from_secs(2);
    let path = socket_path("harness");
    let socket = UnixDatagram::bind(&path).expect("binds");
    let path_text = path.to_str().expect("a UTF-8 temp path").to_owned();
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("a read timeout");
    let exe = std::env::current_exe().expect("the test binary is known");
    let spawn = |wedge: bool| {
        let mut command = Command::new(&exe);
        command
            .args(["--ignored", "--exact", "child_wedged", "--test-threads=1"])
            .env("NOTIFY_SOCKET", &path_text)
            .env("WATCHDOG_USEC", WATCHDOG.as_micros().to_string())
            .env_remove("WATCHDOG_PID")
            .env_remove("WEDGE")
            .stdout(Stdio::null());
        if wedge {
            command.env("WEDGE", "1");
        }
        command.spawn().expect("the child runs")
    };
    // Reads the next datagram, waiting at most `within`.
    let next = |within: Duration| -> Option<String> {
        let until = Instant::now() + within;
        let mut buf = [0u8; 4096];
        while Instant::now() < until {
            if let Ok(n) = socket.recv(&mut buf) {
                return Some(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
        None
    };
    // Follows one process until it is ready, then until it misses a ping
    // (`true`) or `pings` pings have come (`false`).
    let supervise = |pings: usize| -> (Vec<String>, bool) {
        let mut seen = Vec::new();
        loop {
            let message = next(Duration::from_secs(30)).expect("the process reports ready");
            let ready = message.starts_with("READY=1");
            seen.push(message);
            if ready {
                break;
            }
        }
        let mut pinged = 0;
        while pinged < pings {
            match next(WATCHDOG) {
                Some(message) => {
                    pinged += usize::from(message == "WATCHDOG=1");
                    seen.push(message);
                }
                None => return (seen, true),
            }
        }
        (seen, false)
    };

    let mut wedged = spawn(true);
    let (first, missed) = supervise(usize::MAX);
    assert!(missed, "the wedged process stops pinging");
    wedged.kill().expect("the harness kills it");
    let _ = wedged.wait();
    assert_eq!(
        first.first().map(String::as_str),
        Some("READY=1\nSTATUS=running: 2 roles")
    );
    assert_eq!(
        first.last().map(String::as_str),
        Some("STATUS=restarting peer (1/5)"),
        "the last word of the wedged process: {first:?}"
    );

    // The restart: a healthy process reports ready and keeps pinging.
    let mut healthy = spawn(false);
    let (second, missed) = supervise(2);
    assert!(!missed, "the healthy process pings: {second:?}");
    let status = Command::new("kill")
        .args(["-TERM", &healthy.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let stopping =
        std::iter::from_fn(|| next(Duration::from_secs(30))).find(|m| m.starts_with("STOPPING=1"));
    assert_eq!(
        stopping.as_deref(),
        Some("STOPPING=1\nSTATUS=stopping: Ctrl-C or SIGTERM")
    );
    assert!(
        healthy.wait().expect("it exits").success(),
        "a clean stop exits 0"
    );
    let _ = std::fs::remove_file(&path);
}

/// The child of `a_launched_app_reports_to_systemd_too`: the program keeps the
/// handle, as a server with probes does, and shuts down by itself at 2s.
#[ignore = "run by its parent test, in a child with systemd's environment"]
#[tokio::test(start_paused = true)]
async fn child_launched() {
    let handle = Single {
        store: Script::until_stopped(),
    }
    .launch();
    handle.started().await.expect("starts");
    tokio::time::sleep(secs(2)).await;
    let report = handle.shutdown().await;
    assert!(report.is_clean());
    // `join` (inside `shutdown`) waited for systemd's last message.
}

#[test]
fn a_launched_app_reports_to_systemd_too() {
    let path = socket_path("launched");
    let socket = UnixDatagram::bind(&path).expect("binds");
    let path_text = path.to_str().expect("a UTF-8 temp path");
    let received = run_child("child_launched", &socket, &[("NOTIFY_SOCKET", path_text)]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        received,
        [
            "READY=1\nSTATUS=running: 1 role",
            "STOPPING=1\nSTATUS=stopping: requested through the app handle",
        ]
    );
}
