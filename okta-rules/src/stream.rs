//! The rule-filter stage as a `futures::Stream` adapter.
//!
//! Data flow: a stream of `Result<Event, E>` (from any okta-stream source) goes through
//! [`RulesStreamExt::apply_rules`], which runs each event through a [`Ruleset`] and yields
//! `Result<Alert, E>`: the alerts in order, and source errors passed through unchanged (the
//! stream goes on after them, so the consumer decides whether an error is fatal).
//! [`RulesStreamExt::apply_rules_with_events`] also yields every event (before its alerts) as
//! [`Output::Event`], for `--events`.
//!
//! Only `futures` is needed: the engine is synchronous and the adapter polls its input only when
//! it has no pending alert, so backpressure from the consumer reaches the source. The input is
//! pinned in a box, so any stream (also `!Unpin` ones such as `async-stream`'s) can be adapted.
//!
//! ```
//! use futures::{executor::block_on, stream, StreamExt};
//! use okta_rules::{EngineOptions, RulesStreamExt, Ruleset};
//! use okta_stream::event::Event;
//!
//! let rules = "- rule: Lockout\n  desc: d\n  condition: okta.evt.type = user.account.lock\n  output: locked %okta.actor.name\n  priority: NOTICE\n  source: okta\n";
//! let ruleset = Ruleset::load_strs(&[("rules.yaml", rules)], &EngineOptions::default()).unwrap();
//! let ev = Event::from_bytes(&br#"{"uuid":"1","published":"2024-05-14T14:07:31.295Z","eventType":"user.account.lock","actor":{"displayName":"Bob"}}"#[..]).unwrap();
//! let events = stream::iter(vec![Ok::<_, std::io::Error>(ev)]);
//! let alerts: Vec<_> = block_on(events.apply_rules(ruleset).collect());
//! assert_eq!(alerts[0].as_ref().unwrap().output, "locked Bob");
//! ```

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use okta_stream::event::Event;

use crate::engine::Ruleset;
use crate::output::Alert;

/// An item of [`RulesStreamExt::apply_rules_with_events`].
#[derive(Debug, Clone)]
pub enum Output {
    /// An input event, passed through.
    Event(Event),
    /// An alert.
    Alert(Alert),
}

/// Adds the rules stage to streams of events.
pub trait RulesStreamExt<E>: Stream<Item = Result<Event, E>> + Sized {
    /// Runs every event through `ruleset`, yielding its alerts (and input errors unchanged).
    fn apply_rules(self, ruleset: Ruleset) -> AlertStream<Self> {
        RuleStage::new(self, ruleset, |ruleset, ev, pending| {
            ruleset.process_with(&ev, |a| pending.push_back(a));
        })
    }

    /// Like [`RulesStreamExt::apply_rules`], also yielding each event before its alerts.
    fn apply_rules_with_events(self, ruleset: Ruleset) -> OutputStream<Self> {
        RuleStage::new(self, ruleset, |ruleset, ev, pending| {
            // The event goes before its alerts.
            let at = pending.len();
            ruleset.process_with(&ev, |a| pending.push_back(Output::Alert(a)));
            pending.insert(at, Output::Event(ev));
        })
    }
}

impl<S, E> RulesStreamExt<E> for S where S: Stream<Item = Result<Event, E>> + Sized {}

/// The stream returned by [`RulesStreamExt::apply_rules`].
pub type AlertStream<S> = RuleStage<S, Alert>;

/// The stream returned by [`RulesStreamExt::apply_rules_with_events`].
pub type OutputStream<S> = RuleStage<S, Output>;

/// The rules stage over a stream `S`, yielding `T`s ([`Alert`]s, or [`Output`]s with the
/// events): each input event is run through the ruleset, which queues what it yields.
#[derive(Debug)]
pub struct RuleStage<S, T> {
    inner: Pin<Box<S>>,
    ruleset: Ruleset,
    pending: VecDeque<T>,
    done: bool,
    /// Runs one event and queues what it yields.
    run: fn(&mut Ruleset, Event, &mut VecDeque<T>),
}

impl<S, T> RuleStage<S, T> {
    fn new(
        inner: S,
        ruleset: Ruleset,
        run: fn(&mut Ruleset, Event, &mut VecDeque<T>),
    ) -> RuleStage<S, T> {
        RuleStage {
            inner: Box::pin(inner),
            ruleset,
            pending: VecDeque::new(),
            done: false,
            run,
        }
    }

    /// The ruleset (for its counters).
    pub fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// Gives back the ruleset (with its state).
    pub fn into_ruleset(self) -> Ruleset {
        self.ruleset
    }
}

impl<S, E, T> Stream for RuleStage<S, T>
where
    S: Stream<Item = Result<Event, E>>,
    T: Unpin,
{
    type Item = Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.pending.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => this.done = true,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(ev))) => (this.run)(&mut this.ruleset, ev, &mut this.pending),
            }
        }
    }
}
