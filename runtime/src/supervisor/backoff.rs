//! Delays between restarts, with a small deterministic PRNG for jitter.
//!
//! No `rand` dependency: jitter only needs to spread restarts, not to be
//! unpredictable, and a seed derived from the app name keeps paused-time
//! tests reproducible.

use core::time::Duration;

use crate::spec::Backoff;

/// splitmix64: tiny, fast, and good enough to spread restart delays.
#[derive(Debug, Clone)]
pub(crate) struct Jitter {
    state: u64,
    enabled: bool,
}

impl Jitter {
    pub(crate) fn new(seed: u64, enabled: bool) -> Self {
        Jitter {
            state: seed,
            enabled,
        }
    }

    /// A seed derived from a name (FNV-1a), so each app's sequence is stable.
    pub(crate) fn seed_from(name: &str) -> u64 {
        name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The delay before restart number `attempt` (1-based) within the budget window.
    ///
    /// `exponential(MIN, MAX)`: the cap doubles per attempt from MIN up to MAX; with
    /// full jitter (the default) the delay is drawn uniformly from `[0, cap]`, so the
    /// restarts of many roles failing together spread out instead of colliding.
    pub(crate) fn delay(&mut self, backoff: Backoff, attempt: u32) -> Duration {
        match backoff {
            Backoff::None => Duration::ZERO,
            Backoff::Fixed { delay } => delay,
            Backoff::Exponential { min, max } => {
                let doublings = attempt.saturating_sub(1).min(63);
                let factor = 1u32.checked_shl(doublings.min(31)).unwrap_or(u32::MAX);
                let cap = min.checked_mul(factor).unwrap_or(max).min(max);
                if !self.enabled {
                    return cap;
                }
                let span = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(self.next_u64() % span.saturating_add(1))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_caps_double_up_to_max() {
        let b = Backoff::Exponential {
            min: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let mut exact = Jitter::new(1, false);
        let got: Vec<_> = (1..=6).map(|a| exact.delay(b, a).as_millis()).collect();
        assert_eq!(got, [100, 200, 400, 800, 1000, 1000]);
        let mut jittered = Jitter::new(1, true);
        let caps = [100, 200, 400, 800, 1000, 1000].map(Duration::from_millis);
        for (attempt, cap) in (1..).zip(caps) {
            assert!(jittered.delay(b, attempt) <= cap);
        }
    }
}
