//! Process exit codes for how an app ended, so that systemd's
//! `Restart=on-failure` and `RestartPreventExitStatus=` (or a Kubernetes
//! restart policy) can tell the endings apart.
//!
//! The codes follow BSD's `sysexits.h`, the convention systemd's own
//! documentation points to for services beyond its generic `1`:
//!
//! | code | constant | the app ended |
//! |---|---|---|
//! | 0 | [`OK`] | with a clean shutdown |
//! | 69 | [`START_FAILED`] | before it started: a required role could not become ready (`EX_UNAVAILABLE`) |
//! | 70 | [`ESCALATED`] | with an escalation: a required role gave up (`EX_SOFTWARE`) |
//! | 71 | [`SUPERVISOR_LOST`] | without a result: its tokio runtime went away (`EX_OSERR`) |
//! | 75 | [`DEADLINE_EXCEEDED`] | with a shutdown that overran `shutdown_timeout`, the rest aborted (`EX_TEMPFAIL`) |
//! | 78 | [`MISCONFIGURED`] | before it started: the app value did not match its spec, or an override of `Options` could not apply (`EX_CONFIG`) |
//!
//! [`exit_code`] turns what [`App::run`](crate::App::run) returned into the
//! `ExitCode` a `main` returns.

use std::process::ExitCode;

use crate::observe::error::AppError;
use crate::observe::report::ShutdownReport;
use crate::spec::role::Role;

/// A clean shutdown.
pub const OK: u8 = 0;
/// A required role could not become ready: `EX_UNAVAILABLE`.
pub const START_FAILED: u8 = 69;
/// A required role gave up, or a `critical` one failed: `EX_SOFTWARE`.
pub const ESCALATED: u8 = 70;
/// The supervisor ended without a result: `EX_OSERR`.
pub const SUPERVISOR_LOST: u8 = 71;
/// The shutdown overran `shutdown_timeout`: `EX_TEMPFAIL`, a restart may do better.
pub const DEADLINE_EXCEEDED: u8 = 75;
/// The app did not provide one service per role, or an override of `Options`
/// could not apply: `EX_CONFIG`, restarting will
/// not help (a candidate for `RestartPreventExitStatus=`).
pub const MISCONFIGURED: u8 = 78;

/// The exit code for what [`App::run`](crate::App::run) (or
/// [`AppHandle::join`](crate::AppHandle::join)) returned; see the table above.
pub fn exit_code<R: Role>(ended: &Result<ShutdownReport<R>, AppError<R>>) -> ExitCode {
    ExitCode::from(match ended {
        Ok(report) => report.exit_code(),
        Err(error) => error.exit_code(),
    })
}
