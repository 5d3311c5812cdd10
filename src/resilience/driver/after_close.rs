//! The driver when a connection or an attempt ends: what the browser never
//! sent goes back to the outbox, the policy (and the application's veto)
//! decides between a retry and giving up, and the close and reconnect
//! listeners hear of it, in that order.

use gloo_timers::callback::Timeout;

use super::{now, Driver, Phase};
use crate::resilience::backoff::{Decision, GiveUpReason};
use crate::resilience::reconnect_event::ReconnectEvent;
use crate::socket::websocket::WebSocket;
use crate::vocabulary::close_event::CloseEvent;

/// A close event of our own making, for connections we abandon (connect
/// timeout, heartbeat) whose browser event we no longer listen for.
fn synthetic_close(code: u16, reason: &str) -> Option<web_sys::CloseEvent> {
    let init = web_sys::CloseEventInit::new();
    init.set_code(code);
    init.set_reason(reason);
    init.set_was_clean(false);
    web_sys::CloseEvent::new_with_event_init_dict("close", &init).ok()
}

impl Driver {
    /// Gives up on the current connection without waiting for the browser
    /// (which may take minutes to notice a dead peer): drops it and goes on
    /// as if it had closed with 1006.
    pub(super) fn abandon(&self, why: &str) {
        let socket = {
            let mut state = self.state.borrow_mut();
            state.forwarders.clear();
            state.socket.take()
        };
        let Some(socket) = socket else {
            // Still asking the providers: that attempt failed.
            self.attempt_failed(format!(
                "{why}: the URL or protocols provider did not answer"
            ));
            return;
        };
        let unsent = socket.buffered_amount();
        // Dropping closes it in the browser; our listeners are gone.
        drop(socket);
        if let Some(event) = synthetic_close(1006, why) {
            self.after_attempt(CloseEvent::from_web(&event), Some(&event), None, unsent);
        }
    }

    pub(super) fn on_close(&self, event: &web_sys::CloseEvent) {
        // The browser keeps counting what it never sent, even now.
        let unsent = self
            .state
            .borrow()
            .socket
            .as_ref()
            .map_or(0, WebSocket::buffered_amount);
        self.after_attempt(CloseEvent::from_web(event), Some(event), None, unsent);
    }

    /// An attempt failed before it had a socket (see `connect`): as a close
    /// with 1006, but no close event fires; `error` says why.
    pub(super) fn attempt_failed(&self, error: String) {
        let close = CloseEvent {
            code: crate::vocabulary::close_event::codes::ABNORMAL,
            reason: String::new(),
            was_clean: false,
        };
        self.after_attempt(close, None, Some(error), 0);
    }

    /// A connection or attempt ended, with `unsent_bytes` never sent:
    /// decides what comes next, tells the close listeners (if there was a
    /// connection) and the reconnect ones.
    pub(super) fn after_attempt(
        &self,
        close: CloseEvent,
        event: Option<&web_sys::CloseEvent>,
        error: Option<String>,
        unsent_bytes: u32,
    ) {
        let (old_socket, decision, restart, resent, possibly_lost, lost_session) = {
            let mut state = self.state.borrow_mut();
            state.stop_connection_timers();
            state.forwarders.clear();
            state.generation += 1;
            let old = state.socket.take();
            let tail = state.sent.split(unsent_bytes);
            let resent = tail.unsent.len() as u32;
            let restart = std::mem::take(&mut state.restart);
            let user_closed = !restart && matches!(state.phase, Phase::Closing | Phase::Closed);
            if !user_closed {
                // Before anything queued since, which is newer; past the
                // outbox's bounds if need be: these were accepted already.
                for (message, size) in tail.unsent.into_iter().rev() {
                    state.outbox.unpop(message, size as usize);
                }
            }
            #[cfg(feature = "delivery")]
            let lost_session = {
                let state = &mut *state;
                state
                    .delivery
                    .as_mut()
                    .and_then(|d| d.connection_ended(close.code, user_closed, &mut state.outbox))
            };
            #[cfg(not(feature = "delivery"))]
            let lost_session: Option<ReconnectEvent> = None;
            let uptime = state.opened_at.take().map_or(0.0, |t| now() - t);
            let decision = if restart {
                // reconnect(): again at once, the backoff reset.
                Some(Decision::Retry {
                    retry: 1,
                    delay_ms: 0,
                })
            } else if user_closed {
                None
            } else {
                let random = state.jitter.next();
                let policy = &self.options.policy;
                Some(policy.decide(close.code, state.retries, uptime, random))
            };
            (
                old,
                decision,
                restart,
                resent,
                tail.possibly_lost,
                lost_session,
            )
        };
        // The application's veto, asked only where the policy would retry,
        // and outside the borrow: it is the application's code.
        let decision = match decision {
            Some(Decision::Retry { .. }) if !restart && self.declines(&close) => {
                Some(Decision::GiveUp(GiveUpReason::Declined {
                    code: close.code,
                }))
            }
            decision => decision,
        };
        self.apply(&decision, restart);
        if let Some(event) = event {
            self.events.close.dispatch(event);
        }
        if let Some(lost) = lost_session {
            self.reconnect.dispatch(&lost);
        }
        match decision {
            Some(Decision::Retry { retry, delay_ms }) => {
                self.reconnect.dispatch(&ReconnectEvent::Reconnecting {
                    attempt: retry,
                    delay_ms,
                    close,
                    resent,
                    possibly_lost,
                    error,
                });
            }
            Some(Decision::GiveUp(reason)) => {
                self.reconnect.dispatch(&ReconnectEvent::GaveUp {
                    reason,
                    close,
                    error,
                });
            }
            None => {}
        }
        drop(old_socket);
    }

    /// Whether the application's `should_reconnect` says no.
    pub(super) fn declines(&self, close: &CloseEvent) -> bool {
        self.options
            .should_reconnect
            .as_ref()
            .is_some_and(|predicate| !predicate.allows(close))
    }

    /// Carries out a decision: the final close, or a retry after its delay.
    pub(super) fn apply(&self, decision: &Option<Decision>, restart: bool) {
        let mut state = self.state.borrow_mut();
        match decision {
            None | Some(Decision::GiveUp(_)) => {
                state.phase = Phase::Closed;
                state.network = None;
            }
            Some(Decision::Retry { retry, delay_ms }) => {
                state.phase = Phase::Waiting;
                // reconnect() resets the backoff: a failure after it is
                // retry 1 again.
                state.retries = if restart { 0 } else { *retry };
                state.attempt = *retry;
                let me = self.me.clone();
                state.retry_timer = Some(Timeout::new(*delay_ms, move || {
                    if let Some(driver) = me.upgrade() {
                        driver.retry();
                    }
                }));
            }
        }
    }
}
