//! Liveness for connections the browser cannot ping, judged by timestamps:
//! when nothing has arrived for an interval, send an application-level
//! ping; declare the connection dead only when that ping has gone
//! unanswered for the timeout and nothing at all arrived since it was sent.
//! So a timer that fires late (background tabs run timers about once a
//! minute) can delay a verdict but never cause a false one: it has to ping
//! first and then wait the timeout with the line silent. Pure logic on a
//! clock the caller passes in.
use crate::options::heartbeat::HeartbeatOptions;

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
    /// When the last message arrived (at first: when the connection opened).
    last_message_at: f64,
    /// When the ping now unanswered was sent.
    ping_sent_at: Option<f64>,
}

impl Heartbeat {
    pub(crate) fn start(options: HeartbeatOptions, now: f64) -> Self {
        Self {
            options,
            last_message_at: now,
            ping_sent_at: None,
        }
    }

    pub(crate) fn ping_text(&self) -> &str {
        &self.options.ping
    }

    /// A message arrived at `now`. Returns true if it is the pong and
    /// should not reach the user.
    pub(crate) fn on_message(&mut self, text: Option<&str>, now: f64) -> bool {
        self.last_message_at = now;
        self.ping_sent_at = None;
        matches!(&self.options.pong, Some(pong) if text == Some(pong.as_str()))
    }

    /// Called on a timer (on time or late): decides whether to ping or
    /// give up.
    pub(crate) fn tick(&mut self, now: f64) -> Beat {
        match self.ping_sent_at {
            // on_message clears the ping, so nothing arrived since it went.
            Some(sent) if now - sent >= f64::from(self.options.timeout_ms) => Beat::Dead,
            Some(_) => Beat::Nothing,
            None if now - self.last_message_at >= f64::from(self.options.interval_ms) => {
                self.ping_sent_at = Some(now);
                Beat::SendPing
            }
            None => Beat::Nothing,
        }
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
    fn pings_after_an_interval_of_silence_while_answers_come() {
        let mut hb = Heartbeat::start(options(None), 0.0);
        assert_eq!(run(&mut hb, 0.0, 990.0), vec![]);
        assert_eq!(run(&mut hb, 1000.0, 1000.0), vec![(1000.0, Beat::SendPing)]);
        assert!(!hb.on_message(Some("anything"), 1005.0));
        assert_eq!(run(&mut hb, 1010.0, 2010.0), vec![(2010.0, Beat::SendPing)]);
    }

    #[test]
    fn a_busy_connection_is_never_pinged() {
        let mut hb = Heartbeat::start(options(None), 0.0);
        let mut t = 0.0;
        while t < 5000.0 {
            hb.on_message(Some("data"), t);
            assert_eq!(hb.tick(t + 5.0), Beat::Nothing, "at {t}");
            t += 100.0;
        }
    }

    #[test]
    fn silence_is_detected_within_interval_plus_timeout() {
        let mut hb = Heartbeat::start(options(None), 0.0);
        hb.on_message(Some("last sign of life at 0"), 0.0);
        let beats = run(&mut hb, 0.0, 3000.0);
        assert_eq!(beats[0], (1000.0, Beat::SendPing));
        let (dead_at, beat) = beats[1];
        assert_eq!(beat, Beat::Dead);
        assert!(dead_at <= 1000.0 + 500.0, "dead at {dead_at}");
    }

    #[test]
    fn a_late_timer_pings_first_and_never_declares_a_live_connection_dead() {
        // Timers throttled to once a minute; messages every 100 ms.
        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        let mut t = 0.0;
        for minute in 1..=5 {
            while t < f64::from(minute) * 60_000.0 {
                assert!(!hb.on_message(Some("push"), t));
                t += 100.0;
            }
            assert_eq!(hb.tick(t), Beat::Nothing, "minute {minute}");
        }
        // A silent line under the same throttling: the first late tick only
        // pings (although far more than interval + timeout have passed), the
        // next one gives the verdict.
        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        assert_eq!(hb.tick(60_000.0), Beat::SendPing);
        assert_eq!(hb.tick(120_000.0), Beat::Dead);
    }

    #[test]
    fn with_a_pong_it_is_swallowed_and_any_message_counts_as_life() {
        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        assert_eq!(hb.tick(1000.0), Beat::SendPing);
        assert!(
            !hb.on_message(Some("chatter"), 1100.0),
            "other messages go to the user"
        );
        assert_eq!(hb.tick(1600.0), Beat::Nothing, "chatter is a sign of life");
        assert!(!hb.on_message(None, 1700.0));

        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        assert_eq!(hb.tick(1000.0), Beat::SendPing);
        assert!(hb.on_message(Some("pong"), 1010.0));
        assert_eq!(hb.tick(1600.0), Beat::Nothing);
        assert_eq!(hb.ping_text(), "ping");
        assert_eq!(hb.tick_ms(), 50);

        let mut hb = Heartbeat::start(options(Some("pong")), 0.0);
        assert_eq!(hb.tick(1000.0), Beat::SendPing);
        assert_eq!(hb.tick(1500.0), Beat::Dead, "silence after the ping");
    }
}
