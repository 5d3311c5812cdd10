//! The driver while a connection is open: the outbox goes out first, every
//! message shows the browser's buffer drained (nothing left to resend) and
//! feeds the heartbeat, and a heartbeat that hears nothing abandons it.

use gloo_timers::callback::Interval;

use super::{now, Driver, Phase, State};
use crate::resilience::heartbeat::{Beat, Heartbeat};
use crate::resilience::reconnect_event::ReconnectEvent;

impl Driver {
    pub(super) fn on_open(&self, event: &web_sys::Event) {
        let reconnected = {
            let mut state = self.state.borrow_mut();
            state.phase = Phase::Open;
            state.opened_at = Some(now());
            state.connect_timer = None;
            if let Some(options) = &self.options.heartbeat {
                let beat = Heartbeat::start(options.clone(), now());
                state.heard = false;
                let me = self.me.clone();
                state.heartbeat_timer = Some(Interval::new(beat.tick_ms(), move || {
                    if let Some(driver) = me.upgrade() {
                        driver.on_heartbeat_tick();
                    }
                }));
                state.heartbeat = Some(beat);
            }
            // The outbox goes first, in order, before any newer send (with
            // delivery, once the server has answered the HELLO).
            #[cfg(feature = "delivery")]
            let delivering = self.delivery_open(&mut state);
            #[cfg(not(feature = "delivery"))]
            let delivering = false;
            if !delivering {
                state.flush_outbox();
            }
            if state.attempt > 0 {
                state.reconnects += 1;
                Some(state.attempt)
            } else {
                None
            }
        };
        self.events.open.dispatch(event);
        if let Some(attempt) = reconnected {
            self.reconnect
                .dispatch(&ReconnectEvent::Reconnected { attempt });
        }
    }

    pub(super) fn on_message(&self, event: &web_sys::MessageEvent) {
        // One borrow of the state for the message, delivery's check included.
        let mut state = self.state.borrow_mut();
        #[cfg(feature = "delivery")]
        if state.delivery.as_ref().is_some_and(|d| d.numbers()) {
            drop(state);
            return self.on_delivery_message(event);
        }
        let pong = self.noted(&mut state, event);
        drop(state);
        if !pong {
            self.events.message.dispatch(event);
        }
    }

    /// For the npm face's message listener, which the browser calls in
    /// place of [`on_message`](Self::on_message) (delivery off): see
    /// [`noted`](Self::noted).
    #[cfg(feature = "js")]
    pub(crate) fn note_message(&self, event: &web_sys::MessageEvent) -> bool {
        self.noted(&mut self.state.borrow_mut(), event)
    }

    /// What every message of the connection tells the driver (with
    /// delivery off): the browser's buffer may have drained, and the line
    /// is alive. Returns whether it is the heartbeat's pong, which the
    /// user never sees.
    fn noted(&self, state: &mut State, event: &web_sys::MessageEvent) -> bool {
        // A drained buffer while the connection receives: what was sent
        // has left the browser, nothing to keep.
        let drained = !state.sent.is_empty()
            && state
                .socket
                .as_ref()
                .is_some_and(|socket| socket.buffered_amount() == 0);
        if drained {
            state.sent.clear();
        }
        if state.heartbeat.is_none() {
            return false;
        }
        // A sign of life, timed by the next tick: a message costs no clock
        // read, and its data is read only to compare it with a pong (as
        // JS strings).
        state.heard = true;
        self.pong.as_ref().is_some_and(|pong| event.data() == *pong)
    }

    pub(super) fn on_heartbeat_tick(&self) {
        let beat = {
            let mut state = self.state.borrow_mut();
            let heard = std::mem::take(&mut state.heard);
            let beat = match &mut state.heartbeat {
                Some(heartbeat) => {
                    let now = now();
                    // Messages since the last tick count as arriving now:
                    // at most one tick late, which can delay a ping or a
                    // verdict but never declare a live connection dead.
                    if heard {
                        heartbeat.on_message(None, now);
                    }
                    heartbeat.tick(now)
                }
                None => Beat::Nothing,
            };
            if beat == Beat::SendPing {
                if let (Some(socket), Some(heartbeat)) = (&state.socket, &state.heartbeat) {
                    #[cfg(feature = "delivery")]
                    let delivering = Driver::delivery_ping(&state, socket);
                    #[cfg(not(feature = "delivery"))]
                    let delivering = false;
                    // A failed ping needs no handling: the close event follows.
                    if !delivering {
                        let _ = socket.send(heartbeat.ping_text());
                    }
                }
            }
            beat
        };
        if beat == Beat::Dead {
            self.abandon("heartbeat timeout");
        }
    }
}
