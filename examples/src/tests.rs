//! The shared pieces' own tests: the flags, and when the printer reads a
//! restart as over.

use super::*;
use supervision::{Service, supervision};

fn parse(args: &[&str]) -> Result<Flags, String> {
    Flags::parse_with(args, |_, _| Ok(false)).map_err(|e| e.to_string())
}

#[test]
fn flags_parse_and_bad_flags_are_named() {
    let flags = Flags {
        json: true,
        exit_after: Some(Duration::from_secs(3)),
        ..Flags::default()
    };
    assert_eq!(parse(&["--json", "--exit-after", "3"]), Ok(flags));
    assert_eq!(parse(&["--json", "--exit-after=3"]), Ok(flags));
    assert_eq!(
        parse(&["--verbose"]),
        Err("invalid option '--verbose'".into())
    );
    assert_eq!(
        parse(&["--exit-after"]),
        Err("missing argument for option '--exit-after'".into())
    );
    assert_eq!(
        parse(&["--exit-after", "soon"]),
        Err("--exit-after: cannot parse argument \"soon\": invalid digit found in string".into())
    );
}

/// Fails its first incarnation soon after starting.
struct FailsOnce;

impl Service for FailsOnce {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        if cx.incarnation() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            return Err("lost the connection".into());
        }
        cx.stop_requested().await;
        Ok(())
    }
}

struct Idle;

impl Service for Idle {
    async fn run(&self, cx: Context) -> Result<(), BoxError> {
        cx.stop_requested().await;
        Ok(())
    }
}

supervision! {
    app Cascade {
        strategy: rest_for_one,
        base: FailsOnce { restart: permanent(3 per 5s, backoff: fixed(10ms)) },
        dependent: Idle { depends_on: [base] },
        optional extra: Idle { depends_on: [base], restart: temporary },
    }
}

#[tokio::test]
async fn a_restart_is_over_though_a_temporary_bystander_stays_stopped() {
    let handle = Cascade {
        base: FailsOnce,
        dependent: Idle,
        extra: Idle,
    }
    .launch();
    let mut events = handle.follow();
    let mut restarting = BTreeSet::new();
    let over = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let event = events.recv().await?;
            if let Some(&id) = restarts_over(&handle, &mut restarting, &event).first() {
                return Ok::<_, RecvError>(id);
            }
        }
    })
    .await;
    handle.shutdown().await;
    let id = match over {
        Ok(Ok(id)) => id,
        other => panic!("the restart never read as over: {other:?}"),
    };
    let episode = handle.episode(id).expect("the whole episode").to_string();
    for line in ["extra#0", "stopped", "dependent#1", "ready"] {
        assert!(
            episode.contains(line),
            "`{line}` in the episode:\n{episode}"
        );
    }
}
