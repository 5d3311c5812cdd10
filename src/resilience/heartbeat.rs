//! Liveness for connections the browser cannot ping: an application-level
//! ping every interval; if nothing (or no matching pong) arrives within the
//! timeout after a ping, the connection is declared dead. Pure logic on a
//! clock the caller passes in.

/// Heartbeat settings for a [`ReconnectingWebSocket`](crate::ReconnectingWebSocket).
///
/// A dead connection is detected at most `interval_ms + timeout_ms` after
/// the last sign of life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatOptions {
    /// Send a ping this often while open (default 30 s).
    pub interval_ms: u32,
    /// Declare the connection dead if no answer comes this long after a
    /// ping (default 10 s).
    pub timeout_ms: u32,
    /// The text message sent as a ping (default `"ping"`).
    pub ping: String,
    /// The text message that answers a ping. `None` (default): any message
    /// proves the connection alive. When set, matching messages are kept
    /// from the message listeners.
    pub pong: Option<String>,
}

impl Default for HeartbeatOptions {
    fn default() -> Self {
        Self {
            interval_ms: 30_000,
            timeout_ms: 10_000,
            ping: "ping".into(),
            pong: None,
        }
    }
}

/// What the heartbeat wants done now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beat {
    Nothing,
    SendPing,
    Dead,
}

/// The heartbeat of one open connection.
#[derive(Debug)]
pub(crate) struct Heartbeat {
    options: HeartbeatOptions,
    next_ping_at: f64,
    /// When the unanswered ping was sent.
    waiting_since: Option<f64>,
}

impl Heartbeat {
    pub(crate) fn start(options: HeartbeatOptions, now: f64) -> Self {
        let next_ping_at = now + f64::from(options.interval_ms);
        Self {
            options,
            next_ping_at,
            waiting_since: None,
        }
    }

    pub(crate) fn ping_text(&self) -> &str {
        &self.options.ping
    }

    /// A message arrived. Returns true if it is the pong and should not
    /// reach the user.
    pub(crate) fn on_message(&mut self, text: Option<&str>) -> bool {
        match &self.options.pong {
            None => {
                self.waiting_since = None;
                false
            }
            Some(pong) if text == Some(pong.as_str()) => {
                self.waiting_since = None;
                true
            }
            Some(_) => false,
        }
    }

    /// Called on a timer: decides whether to ping or give up.
    pub(crate) fn tick(&mut self, now: f64) -> Beat {
        if let Some(since) = self.waiting_since {
            if now - since >= f64::from(self.options.timeout_ms) {
                return Beat::Dead;
            }
        }
        if now >= self.next_ping_at {
            self.next_ping_at = now + f64::from(self.options.interval_ms);
            self.waiting_since.get_or_insert(now);
            return Beat::SendPing;
        }
        Beat::Nothing
    }

    /// How often to call `tick` for timely decisions.
    pub(crate) fn tick_ms(&self) -> u32 {
        (self.options.interval_ms.min(self.options.timeout_ms) / 10).clamp(5, 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pong: Option<&str>) -> HeartbeatOptions {
        HeartbeatOptions {
            interval_ms: 1_000,
            timeout_ms: 500,
            ping: "ping".into(),
            pong: pong.map(Into::into),
        }
    }

    /// Ticks every 10 ms from `from` to `to`; returns (time, beat) of each
    /// non-trivial beat.
    fn run(hb: &mut Heartbeat, from: f64, to: f64) -> Vec<(f64, Beat)> {
        let mut out = Vec::new();
        let mut t = from;
        while t <= to {
            match hb.tick(t) {
                Beat::Nothing => {}
                beat => out.push((t, beat)),
            }
            t += 10.0;
        }
        out
    }

    #[test]
    fn pings_every_interval_while_answers_come() {
        let mut hb = Heartbeat::start(options(None), 0.0);
        assert_eq!(run(&mut hb, 0.0, 990.0), vec![]);
        assert_eq!(run(&mut hb, 1000.0, 1000.0), vec![(1000.0, Beat::SendPing)]);
        assert!(!hb.on_message(Some("anything")));
        assert_eq!(run(&mut hb, 1010.0, 2000.0), vec![(2000.0, Beat::SendPing)]);
    }

    #[test]
    fn silence_is_detected_within_interval_plus_timeout() {
        let mut hb = Heartbeat::start(options(None), 0.0);
        hb.on_message(Some("last sign of life at 0"));
        let beats = run(&mut hb, 0.0, 3000.0);
        assert_eq!(beats[0], (1000.0, Beat::SendPing));
        let (dead_at, beat) = beats[1];
        assert_eq!(beat, Beat::Dead);
        assert!(dead_at <= 1000.0 + 500.0, "dead at {dead_at}");
    }

    #[test]
    fn with_a_pong_only_the_pong_counts_and_is_swallowed() {
        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        assert_eq!(hb.tick(1000.0), Beat::SendPing);
        assert!(
            !hb.on_message(Some("chatter")),
            "other messages go to the user"
        );
        assert!(!hb.on_message(None));
        assert_eq!(hb.tick(1500.0), Beat::Dead, "chatter is no pong");

        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        assert_eq!(hb.tick(1000.0), Beat::SendPing);
        assert!(hb.on_message(Some("pong")));
        assert_eq!(hb.tick(1600.0), Beat::Nothing);
        assert_eq!(hb.ping_text(), "ping");
        assert_eq!(hb.tick_ms(), 50);
    }
}
