//! Falco's generic event fields (`evt.*`): what Falco gives rules of every plugin source besides
//! the plugin's own fields (libsinsp's `sinsp_filter_check_gen_event`), for Okta events.
//!
//! Data flow: the registry rows of the `evt.*` fields call the extractors here through a
//! [`Reader`]. The event time is the event's `published` (as Falco's Okta plugin sets each event's
//! timestamp); the time fields are absent when it does not parse as RFC 3339. The stream's
//! position (`evt.num`, the first event's time for `evt.reltime`) and the host name come from the
//! [`super::FieldState`] that observed the event. The text forms follow libsinsp's
//! `ts_to_string` and `ts_to_iso_8601`, in UTC where Falco prints the host's local time (the
//! same choice as the alert line; see okta-rules' crate docs).
//!
//! The text time fields (`evt.time`, `evt.datetime`, ...) are strings in conditions and outputs;
//! in a JSON alert's `output_fields` Falco writes them as the event time in nanoseconds
//! ([`FieldDef::shown`](super::FieldDef::shown) says so per field, [`Shown::TimeNs`]).

use std::borrow::Cow;
use std::fmt::Write;

use super::{Arg, Reader, Value};

/// How a field's value is shown beyond its plain text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shown {
    /// As the value is.
    Plain,
    /// A number zero-padded to 9 digits in text outputs (libsinsp's `PF_10_PADDED_DEC`:
    /// nanosecond parts).
    Padded9,
    /// A time text whose JSON `output_fields` entry is the event time in nanoseconds, as Falco
    /// writes the time fields there.
    TimeNs,
}

/// The text forms of the event time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeText {
    /// `HH:MM:SS.nnnnnnnnn` (`evt.time`, the alert line's prefix).
    Clock,
    /// `HH:MM:SS` (`evt.time.s`).
    ClockSeconds,
    /// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` (`evt.datetime`).
    DateTime,
    /// `YYYY-MM-DD HH:MM:SS` (`evt.datetime.s`).
    DateTimeSeconds,
    /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (`evt.time.iso8601`, Falco's `time_format_iso_8601`).
    Iso8601,
    /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (the `time` of Falco's JSON alert).
    Rfc3339,
}

/// Writes `time_ns` (nanoseconds since the Unix epoch, UTC) in the form `text` into `out`.
/// Times outside what a date can hold are written as the epoch.
pub fn write_time(time_ns: i128, text: TimeText, out: &mut String) {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(time_ns)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let date = |out: &mut String, sep: char| {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}{sep}",
            t.year(),
            u8::from(t.month()),
            t.day()
        );
    };
    match text {
        TimeText::DateTime | TimeText::DateTimeSeconds => date(out, ' '),
        TimeText::Iso8601 | TimeText::Rfc3339 => date(out, 'T'),
        TimeText::Clock | TimeText::ClockSeconds => {}
    }
    let _ = write!(out, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
    match text {
        TimeText::ClockSeconds | TimeText::DateTimeSeconds => {}
        TimeText::Clock | TimeText::DateTime | TimeText::Iso8601 | TimeText::Rfc3339 => {
            let _ = write!(out, ".{:09}", t.nanosecond());
        }
    }
    match text {
        TimeText::Iso8601 => out.push_str("+0000"),
        TimeText::Rfc3339 => out.push('Z'),
        _ => {}
    }
}

/// The event time in nanoseconds since the epoch, when `published` parses and is not before
/// the epoch (libsinsp's timestamps are unsigned).
fn event_ns(r: &Reader<'_, '_>) -> Option<u64> {
    r.event()
        .published_ns()
        .and_then(|ns| u64::try_from(ns).ok())
}

fn time_text(r: &Reader<'_, '_>, text: TimeText) -> Option<Value<'static>> {
    let ns = event_ns(r)?;
    let mut out = String::with_capacity(40);
    write_time(i128::from(ns), text, &mut out);
    Some(Value::Str(Cow::Owned(out)))
}

const NS_PER_S: u64 = 1_000_000_000;

/// Nanoseconds since the first event of the stream with a time (0 for events published before
/// it, where libsinsp's unsigned subtraction would wrap).
fn reltime(r: &Reader<'_, '_>) -> Option<u64> {
    let first = r.state().first_event_ns()?;
    Some(event_ns(r)?.saturating_sub(first))
}

pub(super) fn num<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    Some(Value::U64(r.state().events_observed()))
}

pub(super) fn time<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    time_text(r, TimeText::Clock)
}

pub(super) fn time_s<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    time_text(r, TimeText::ClockSeconds)
}

pub(super) fn time_iso8601<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    time_text(r, TimeText::Iso8601)
}

pub(super) fn datetime<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    time_text(r, TimeText::DateTime)
}

pub(super) fn datetime_s<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    time_text(r, TimeText::DateTimeSeconds)
}

pub(super) fn rawtime<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    event_ns(r).map(Value::U64)
}

pub(super) fn rawtime_s<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    event_ns(r).map(|ns| Value::U64(ns / NS_PER_S))
}

pub(super) fn rawtime_ns<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    event_ns(r).map(|ns| Value::U64(ns % NS_PER_S))
}

pub(super) fn reltime_all<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    reltime(r).map(Value::U64)
}

pub(super) fn reltime_s<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    reltime(r).map(|ns| Value::U64(ns / NS_PER_S))
}

pub(super) fn reltime_ns<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    reltime(r).map(|ns| Value::U64(ns % NS_PER_S))
}

/// `okta`: the plugin name and the event source of every event here.
pub(super) fn okta<'e>(_: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    Some(Value::Str(Cow::Borrowed("okta")))
}

/// The plugin's summary of an event: Falco's Okta plugin gives the event's JSON.
pub(super) fn plugininfo<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    Some(Value::Str(Cow::Borrowed(r.event().text())))
}

/// Plugin events are never asynchronous.
pub(super) fn is_async<'e>(_: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    Some(Value::Bool(false))
}

/// Only asynchronous events have an async type.
pub(super) fn asynctype<'e>(_: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    None
}

pub(super) fn hostname<'e>(r: &mut Reader<'e, '_>, _: &Arg) -> Option<Value<'e>> {
    let name = r.state().hostname()?;
    Some(Value::Str(Cow::Owned(name.to_string())))
}

#[cfg(test)]
mod tests {
    use crate::fields::{resolve_str, FieldState};
    use crate::Event;

    fn event(published: &str) -> Event {
        let json = format!(r#"{{"uuid":"u","published":"{published}","eventType":"x"}}"#);
        Event::from_bytes(json.into_bytes()).unwrap()
    }

    fn text(name: &str, event: &Event, state: &FieldState) -> String {
        match resolve_str(name).unwrap().extract(event, state) {
            Some(v) => v.to_string(),
            None => "<absent>".into(),
        }
    }

    #[test]
    fn time_texts_follow_libsinsp_in_utc() {
        let mut state = FieldState::new();
        let e = event("2024-05-14T14:07:31.295Z");
        state.observe(&e);
        let got: Vec<String> = [
            "evt.time",
            "evt.time.s",
            "evt.datetime",
            "evt.datetime.s",
            "evt.time.iso8601",
            "evt.rawtime",
            "evt.rawtime.s",
            "evt.rawtime.ns",
        ]
        .iter()
        .map(|n| text(n, &e, &state))
        .collect();
        assert_eq!(
            got,
            [
                "14:07:31.295000000",
                "14:07:31",
                "2024-05-14 14:07:31.295000000",
                "2024-05-14 14:07:31",
                "2024-05-14T14:07:31.295000000+0000",
                "1715695651295000000",
                "1715695651",
                "295000000",
            ]
        );
        // An offset is converted to UTC.
        let e = event("2024-05-14T16:07:31.000000001+02:00");
        assert_eq!(text("evt.time", &e, &state), "14:07:31.000000001");
    }

    #[test]
    fn stream_position_source_and_host() {
        let mut state = FieldState::new();
        let first = event("2024-05-14T14:07:31Z");
        let later = event("2024-05-14T14:08:33.5Z");
        let earlier = event("2024-05-14T14:00:00Z");
        state.observe(&first);
        assert_eq!(text("evt.num", &first, &state), "1");
        assert_eq!(text("evt.reltime", &first, &state), "0");
        state.observe(&later);
        assert_eq!(text("evt.num", &later, &state), "2");
        assert_eq!(text("evt.reltime", &later, &state), "62500000000");
        assert_eq!(text("evt.reltime.s", &later, &state), "62");
        assert_eq!(text("evt.reltime.ns", &later, &state), "500000000");
        state.observe(&earlier);
        assert_eq!(text("evt.reltime", &earlier, &state), "0");
        assert_eq!(text("evt.source", &first, &state), "okta");
        assert_eq!(text("evt.pluginname", &first, &state), "okta");
        assert_eq!(text("evt.plugininfo", &first, &state), first.text());
        assert_eq!(text("evt.is_async", &first, &state), "false");
        assert_eq!(text("evt.asynctype", &first, &state), "<absent>");
        assert_eq!(text("evt.hostname", &first, &state), "<absent>");
        state.set_hostname("falco-host");
        assert_eq!(text("evt.hostname", &first, &state), "falco-host");
    }

    #[test]
    fn time_fields_are_absent_without_a_parsable_published() {
        let mut state = FieldState::new();
        let e = event("yesterday");
        state.observe(&e);
        for name in ["evt.time", "evt.datetime.s", "evt.rawtime", "evt.reltime"] {
            assert_eq!(text(name, &e, &state), "<absent>", "{name}");
        }
        // The first event with a time starts the relative clock.
        let e = event("2024-05-14T14:07:31Z");
        state.observe(&e);
        assert_eq!(text("evt.reltime", &e, &state), "0");
        assert_eq!(text("evt.num", &e, &state), "2");
    }
}
