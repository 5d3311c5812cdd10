//! When to reconnect, by the [`ReconnectPolicy`] (defined with the other
//! options, in `options/`): exponential backoff with full jitter, retry
//! limits, close codes that mean "do not retry", and the uptime after which
//! the backoff starts over. Pure logic with a seeded random source, so
//! native tests check every decision without sleeping.

use crate::options::reconnect_policy::ReconnectPolicy;

/// Why reconnecting stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GiveUpReason {
    /// `max_retries` consecutive retries failed.
    RetriesExhausted {
        /// How many retries were made.
        retries: u32,
    },
    /// The connection closed with a code in `no_retry_codes`.
    NoRetryCode(u16),
    /// The application's [`ShouldReconnect`](crate::ShouldReconnect)
    /// returned false for a close with this code.
    Declined {
        /// The close code it declined.
        code: u16,
    },
}

impl std::fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RetriesExhausted { retries } => write!(f, "gave up after {retries} retries"),
            Self::NoRetryCode(code) => write!(f, "close code {code} means do not retry"),
            Self::Declined { code } => write!(f, "shouldReconnect declined close code {code}"),
        }
    }
}

/// What to do after a connection (or an attempt) closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait `delay_ms`, then make retry number `retry`.
    Retry { retry: u32, delay_ms: u32 },
    /// Stop for good.
    GiveUp(GiveUpReason),
}

impl ReconnectPolicy {
    /// Decides after a close with `code`. `failed_retries` counts the
    /// consecutive retries that failed before this close; `uptime_ms` is
    /// how long the connection was open (0 if it never opened).
    pub(crate) fn decide(
        &self,
        code: u16,
        failed_retries: u32,
        uptime_ms: f64,
        random: f64,
    ) -> Decision {
        if self.no_retry_codes.contains(&code) {
            return Decision::GiveUp(GiveUpReason::NoRetryCode(code));
        }
        let done = if uptime_ms >= f64::from(self.min_uptime_ms) {
            0
        } else {
            failed_retries
        };
        if self.max_retries.is_some_and(|max| done >= max) {
            return Decision::GiveUp(GiveUpReason::RetriesExhausted { retries: done });
        }
        let retry = done + 1;
        Decision::Retry {
            retry,
            delay_ms: self.delay_ms(retry, random),
        }
    }
}

/// A small seeded random source (SplitMix64): reproducible in tests,
/// seeded from `Math.random` in the browser.
#[derive(Debug, Clone)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn seeded(seed: u64) -> Self {
        Self(seed)
    }

    /// A number in `[0, 1)`.
    pub(crate) fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_grow_by_the_factor_and_stop_at_the_maximum() {
        let policy = ReconnectPolicy {
            min_delay_ms: 100,
            max_delay_ms: 1_000,
            factor: 3.0,
            ..Default::default()
        };
        let ceilings: Vec<u32> = (1..=5).map(|n| policy.delay_ceiling_ms(n)).collect();
        assert_eq!(ceilings, [300, 900, 1_000, 1_000, 1_000]);
    }

    #[test]
    fn jittered_delays_stay_within_the_bounds_and_spread_out() {
        let policy = ReconnectPolicy::default();
        let mut jitter = Jitter::seeded(42);
        for retry in 1..=12 {
            let delays: Vec<u32> = (0..200)
                .map(|_| policy.delay_ms(retry, jitter.next()))
                .collect();
            let (lo, hi) = (*delays.iter().min().unwrap(), *delays.iter().max().unwrap());
            assert!(lo >= 500, "retry {retry}: {lo}");
            assert!(hi <= policy.delay_ceiling_ms(retry), "retry {retry}: {hi}");
            assert!(
                hi - lo > (policy.delay_ceiling_ms(retry) - 500) / 2,
                "jitter spreads"
            );
        }
        assert_eq!(policy.delay_ms(1, 0.999_999), 999);
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let (mut a, mut b) = (Jitter::seeded(7), Jitter::seeded(7));
        let xs: Vec<f64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<f64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert_ne!(xs[0], xs[1]);
    }

    #[test]
    fn retries_count_up_and_give_up_at_the_limit() {
        let policy = ReconnectPolicy {
            max_retries: Some(3),
            ..Default::default()
        };
        assert_eq!(
            policy.decide(1006, 0, 0.0, 0.0),
            Decision::Retry {
                retry: 1,
                delay_ms: 500
            }
        );
        assert!(matches!(
            policy.decide(1006, 2, 0.0, 0.0),
            Decision::Retry { retry: 3, .. }
        ));
        assert_eq!(
            policy.decide(1006, 3, 100.0, 0.5),
            Decision::GiveUp(GiveUpReason::RetriesExhausted { retries: 3 })
        );
    }

    #[test]
    fn a_long_enough_uptime_resets_the_backoff() {
        let policy = ReconnectPolicy {
            max_retries: Some(3),
            ..Default::default()
        };
        assert!(matches!(
            policy.decide(1006, 3, 5_000.0, 0.0),
            Decision::Retry { retry: 1, .. }
        ));
        assert!(matches!(
            policy.decide(1006, 3, 4_999.0, 0.0),
            Decision::GiveUp(_)
        ));
    }

    #[test]
    fn no_retry_codes_stop_at_once_and_are_configurable() {
        let policy = ReconnectPolicy::default();
        assert_eq!(
            policy.decide(1008, 0, 60_000.0, 0.0),
            Decision::GiveUp(GiveUpReason::NoRetryCode(1008))
        );
        assert!(matches!(
            policy.decide(1000, 0, 0.0, 0.0),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            policy.decide(4000, 0, 0.0, 0.0),
            Decision::Retry { .. }
        ));
        let custom = ReconnectPolicy {
            no_retry_codes: vec![4000],
            ..Default::default()
        };
        assert!(matches!(
            custom.decide(1008, 0, 0.0, 0.0),
            Decision::Retry { .. }
        ));
        assert_eq!(
            custom.decide(4000, 0, 0.0, 0.0),
            Decision::GiveUp(GiveUpReason::NoRetryCode(4000))
        );
        assert_eq!(
            GiveUpReason::NoRetryCode(4000).to_string(),
            "close code 4000 means do not retry"
        );
    }
}
