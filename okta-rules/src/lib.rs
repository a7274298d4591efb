//! # okta-rules
//!
//! A Falco-compatible rules engine for Okta System Log events: point it at the rules files you
//! already run in Falco with the Okta plugin, and get the alerts Falco would give; then add
//! okta-stream's stateful detections.
//!
//! ## Overview
//!
//! - [`load`]: rules files — `rule`, `macro`, `list`, `required_engine_version`,
//!   `required_plugin_versions`, exceptions, append/override, `enabled` — loaded in order with
//!   Falco's semantics; every error and warning carries file, line and column
//!   ([`error::Diagnostic`]).
//! - [`condition`]: Falco's condition grammar → syntax tree; lists expanded textually, macros
//!   substituted in the tree.
//! - [`compile`]: the tree → an evaluator with fields resolved once.
//! - [`engine`]: the [`Ruleset`]: active rules evaluated per event with Falco's `rule_matching`
//!   (`first` or `all`), a minimum priority, and enable/disable selections. Rules are indexed by
//!   event type (as Falco does) and by the values (`=`, `in`) or prefixes (`startswith`) of the
//!   string fields they require, so that an event only runs the rules that could fire on it;
//!   fields are read at most once per event.
//! - [`output`]: `%field` templates, Falco's text line and JSON alert object ([`Alert`]).
//! - [`priority`]: Falco's priorities.
//! - [`state`]: threshold rules (N matches in a window per key), an extension.
//! - [`stream`]: the rule-filter stage as a `futures::Stream` adapter ([`RulesStreamExt`]).
//!
//! The engine is synchronous and has no network or async-runtime dependency.
//!
//! ```
//! use okta_rules::{EngineOptions, Ruleset};
//! use okta_stream::event::Event;
//!
//! let rules = r#"
//! - rule: User has been locked out in OKTA
//!   desc: Detect a user who has been locked out in OKTA
//!   condition: okta.evt.type = "user.account.lock"
//!   output: "A user has been locked out in OKTA (user=%okta.actor.name)"
//!   priority: NOTICE
//!   source: okta
//!   tags: [okta]
//! "#;
//! let mut ruleset = Ruleset::load_strs(&[("my_rules.yaml", rules)], &EngineOptions::default())?;
//! let event = Event::from_bytes(
//!     &br#"{"uuid":"1","published":"2024-05-14T14:07:31.295Z","eventType":"user.account.lock","actor":{"displayName":"Alice Smith"}}"#[..],
//! ).unwrap();
//! let alerts: Vec<_> = ruleset.process(&event).collect();
//! assert_eq!(
//!     alerts[0].to_text(),
//!     "14:07:31.295000000: Notice A user has been locked out in OKTA (user=Alice Smith)"
//! );
//! assert!(alerts[0].to_json().starts_with(r#"{"hostname":"#));
//! # Ok::<(), okta_rules::Error>(())
//! ```
//!
//! The bundled default ruleset ([`default_ruleset`]) is the Falco Okta ruleset with all its rules
//! enabled plus okta-stream's own detections (password spraying and MFA push bombing thresholds,
//! sign-in from a new country, ThreatInsight, high-risk sign-ins).
//!
//! ## Extensions
//!
//! - `threshold: {count, window, by}` on a rule (see [`state`]): the rule alerts when its
//!   condition matched `count` times within `window` per `by` key. Disable extensions with
//!   [`load::LoadOptions::extensions`] to treat the key as Falco does (unknown, ignored).
//! - Fields beyond the Falco Okta plugin's (`okta.debug[KEY]`, `okta.target.name[TYPE]`,
//!   `okta.json[/pointer]`, ...): see `okta-cli fields`.
//!
//! ## Deliberate differences from Falco
//!
//! Each is a place where Falco's behaviour is plainly a defect or cannot apply here:
//!
//! - **All diagnostics, not the first.** Falco stops a file at its first error; okta-rules goes on
//!   reading the file (dropping broken items) and compiles the items that read, to report every
//!   error at once, a rule's output and condition errors both. The load still fails as a whole
//!   and later files are not read, as in Falco.
//! - **Alert time in UTC.** Falco's text line prints `evt.time` in the host's local time zone;
//!   okta-rules prints UTC (the same on every host, and what Okta's `published` is in). Use
//!   [`output::TimeFormat::Iso8601`] for the date as well. The same holds for the generic time
//!   fields (`evt.time`, `evt.time.s`, `evt.datetime`, `evt.datetime.s`) in conditions and outputs.
//! - **Generic event fields** (`evt.num`, `evt.time`, `evt.rawtime`, `evt.reltime`, `evt.source`,
//!   `evt.hostname`, ...; `okta-cli fields` lists them) are there as in Falco, with these
//!   choices: their times are absent when `published` does not parse (Falco's plugin would stamp
//!   such an event with a zero time); `evt.reltime` of an event published before the stream's
//!   first is 0 (libsinsp's unsigned subtraction wraps); `evt.hostname` is the ruleset's host name
//!   ([`EngineOptions::hostname`]); numbers in `output_fields` are JSON numbers.
//! - **Rules without `source:`** are syscall rules in Falco, which would fail to compile okta
//!   fields; okta-rules skips every rule whose source is not `okta` with the warning
//!   `Unknown source <s>, skipping` (as Falco does for unregistered sources).
//! - **`required_plugin_versions`**: any requirement on `okta` holds (okta-rules implements the
//!   okta plugin's field set itself). A requirement naming only other plugins is a warning, not an
//!   error, since their rules are skipped anyway.
//! - **`required_engine_version`** is checked against Falco 0.44's engine version 0.62.0
//!   ([`load::ENGINE_VERSION`]).
//! - **Output field errors** say `unknown field 'x' (did you mean 'y'?)` rather than libsinsp's
//!   `unknown filter: ...`; `skip-if-unknown-filter` treats both alike.
//! - **Threshold rules and `rule_matching: first`**: a threshold rule whose count is not yet
//!   reached does not count as a match, so later rules are still evaluated for that event.
//! - **Output widths count characters.** `%3okta.actor.name` keeps 3 characters; Falco keeps 3
//!   bytes (`std::string::resize`), which can cut a UTF-8 character in half.
//! - **Alert time of events without a parsable `published`**: the time of processing (Falco's
//!   plugin would fail to parse such an event).
//!
//! The condition language's own differences (operators, escapes, plugin quirks) are listed in
//! [`condition`] and [`compile`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod compile;
pub mod condition;
pub mod engine;
pub mod error;
mod index;
pub mod load;
pub mod output;
pub mod priority;
pub mod state;
pub mod stream;
#[cfg(test)]
mod testrand;

pub use engine::{EngineOptions, RuleMatching, Ruleset, Selection};
pub use error::{Diagnostic, Error};
pub use output::Alert;
pub use priority::Priority;
pub use stream::RulesStreamExt;

/// The bundled default rules files, in load order: `(file name, text)`.
///
/// okta-stream's detections come first (so that, with `rule_matching: first`, they are evaluated
/// before Falco's broad rules), then the Falco Okta ruleset unchanged, then the overrides that
/// enable its disabled rules.
pub const DEFAULT_RULES: &[(&str, &str)] = &[
    (
        "okta_stream_rules.yaml",
        include_str!("../rules/okta_stream_rules.yaml"),
    ),
    (
        "falco_okta_rules.yaml",
        include_str!("../rules/falco_okta_rules.yaml"),
    ),
    (
        "okta_stream_falco_overrides.yaml",
        include_str!("../rules/okta_stream_falco_overrides.yaml"),
    ),
];

/// The bundled default ruleset with default options (all its rules enabled).
pub fn default_ruleset() -> Result<Ruleset, Error> {
    default_ruleset_with(&EngineOptions::default())
}

/// The bundled default ruleset with the given options.
pub fn default_ruleset_with(options: &EngineOptions) -> Result<Ruleset, Error> {
    Ruleset::load_strs(DEFAULT_RULES, options)
}
