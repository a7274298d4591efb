//! JSON-lines output to stdout (or any writer).
//!
//! Data flow: a pipeline hands events to a [`JsonLinesSink`] one by one ([`JsonLinesSink::send`]),
//! or drives a whole iterator ([`JsonLinesSink::send_iter`]) or [`futures::Stream`]
//! ([`JsonLinesSink::send_all`]) into it. By default each event's raw bytes are written unchanged
//! followed by `\n`; in select mode ([`JsonLinesSink::select`]) each event becomes one JSON object
//! whose keys are the selected field names, in the order given, and whose values are the
//! extracted values (`null` when a field is absent for the event). An event that spans several
//! lines (read from pretty-printed input) is written with the whitespace between its tokens
//! removed, so that the output stays one event per line; its content is unchanged. Output goes through a 64 KiB
//! buffer that passes on whole lines only ([`WholeLines`]: a killed process leaves no half
//! event behind), flushed by [`JsonLinesSink::flush`] and [`JsonLinesSink::finish`].
//!
//! When the reader goes away (a broken pipe, as with `okta-cli replay x.jsonl | head`), the sink
//! reports [`Sent::Closed`] instead of an error, so that the pipeline stops quietly.
//!
//! ```
//! use okta_stream::{sink::stdout::JsonLinesSink, Event};
//!
//! let event = Event::from_bytes(&br#"{"eventType":"user.session.start","actor":{"displayName":"Jane"}}"#[..])?;
//! let mut sink = JsonLinesSink::new(Vec::new()).select(&["okta.evt.type", "okta.actor.name"])?;
//! sink.send(&event)?;
//! let out = sink.finish()?;
//! assert_eq!(out, b"{\"okta.evt.type\":\"user.session.start\",\"okta.actor.name\":\"Jane\"}\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, Stdout, Write};

use futures::{Stream, StreamExt};

use crate::error::Error;
use crate::event::Event;
use crate::fields::{self, Field, FieldError, FieldState, Reader, Value};
use crate::sink::whole_lines::WholeLines;

/// Output buffer size.
const BUFFER: usize = 64 * 1024;

/// What happened to an event given to the sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The event was written (to the buffer).
    Written,
    /// The reader went away (broken pipe): nothing more will be written; stop sending.
    Closed,
}

/// What a sink did over its life, or over one `send_all`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Events written.
    pub written: u64,
    /// Whether the output was closed by the reader (broken pipe).
    pub closed: bool,
}

/// Why driving a stream into the sink stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SendError<E> {
    /// The stream yielded an error (the sink has been flushed).
    #[error(transparent)]
    Source(E),
    /// Writing failed.
    #[error(transparent)]
    Sink(#[from] Error),
}

enum Mode {
    Raw,
    Select {
        fields: Vec<(String, Field)>,
        state: FieldState,
    },
}

/// Writes events as JSON lines (see the module docs).
pub struct JsonLinesSink<W: Write = Stdout> {
    out: WholeLines<W>,
    mode: Mode,
    name: &'static str,
    summary: Summary,
}

impl<W: Write> fmt::Debug for JsonLinesSink<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = match &self.mode {
            Mode::Raw => Vec::new(),
            Mode::Select { fields, .. } => fields.iter().map(|(n, _)| n.as_str()).collect(),
        };
        f.debug_struct("JsonLinesSink")
            .field("output", &self.name)
            .field("select", &fields)
            .field("summary", &self.summary)
            .finish()
    }
}

impl JsonLinesSink<Stdout> {
    /// A sink writing to stdout.
    pub fn stdout() -> JsonLinesSink<Stdout> {
        let mut sink = JsonLinesSink::new(io::stdout());
        sink.name = "stdout";
        sink
    }
}

impl<W: Write> JsonLinesSink<W> {
    /// A sink writing events unchanged to `writer`.
    pub fn new(writer: W) -> JsonLinesSink<W> {
        JsonLinesSink {
            out: WholeLines::with_capacity(BUFFER, writer),
            mode: Mode::Raw,
            name: "output",
            summary: Summary::default(),
        }
    }

    /// Select mode: write objects of these fields (names as in rules, e.g. `okta.debug[dtHash]`)
    /// instead of the events. An empty list keeps raw mode.
    pub fn select<S: AsRef<str>>(self, names: &[S]) -> Result<JsonLinesSink<W>, FieldError> {
        let fields = names
            .iter()
            .map(|n| {
                let name = n.as_ref().trim();
                fields::resolve_str(name).map(|f| (name.to_string(), f))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.select_fields(fields))
    }

    /// Select mode with fields already resolved, each with the key to write it under.
    pub fn select_fields(mut self, fields: Vec<(String, Field)>) -> JsonLinesSink<W> {
        self.mode = if fields.is_empty() {
            Mode::Raw
        } else {
            Mode::Select {
                fields,
                state: FieldState::new(),
            }
        };
        self
    }

    /// What was written so far.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// Writes one event.
    pub fn send(&mut self, event: &Event) -> Result<Sent, Error> {
        if self.summary.closed {
            return Ok(Sent::Closed);
        }
        let result = match &mut self.mode {
            Mode::Raw => write_event_line(&mut self.out, event),
            Mode::Select { fields, state } => {
                state.observe(event);
                write_selected(&mut self.out, fields, &mut Reader::new(event, state))
            }
        };
        match result {
            Ok(()) => {
                self.summary.written += 1;
                Ok(Sent::Written)
            }
            Err(e) => self.failed(e),
        }
    }

    fn failed(&mut self, e: io::Error) -> Result<Sent, Error> {
        if e.kind() == io::ErrorKind::BrokenPipe {
            self.summary.closed = true;
            Ok(Sent::Closed)
        } else {
            Err(Error::Io {
                context: format!("writing to {}", self.name),
                source: e,
            })
        }
    }

    /// Flushes the buffer (a broken pipe is not an error).
    pub fn flush(&mut self) -> Result<(), Error> {
        if self.summary.closed {
            return Ok(());
        }
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) => self.failed(e).map(|_| ()),
        }
    }

    /// Flushes and returns the writer (after a broken pipe, unwritten output is dropped).
    pub fn finish(mut self) -> Result<W, Error> {
        self.flush()?;
        if self.summary.closed {
            return Ok(self.out.into_inner_discarding());
        }
        let name = self.name;
        self.out.into_inner().map_err(|e| Error::Io {
            context: format!("writing to {name}"),
            source: e,
        })
    }

    /// Writes every event of `events`, stopping at the first error item (returned as
    /// [`SendError::Source`]) or when the output is closed; flushes at the end.
    pub fn send_iter<I, E>(&mut self, events: I) -> Result<Summary, SendError<E>>
    where
        I: IntoIterator<Item = Result<Event, E>>,
    {
        let mut summary = Summary::default();
        for item in events {
            if !self.count_item(item, &mut summary)? {
                break;
            }
        }
        self.end_run(summary)
    }

    /// Async version of [`JsonLinesSink::send_iter`] for a [`futures::Stream`] (the writes
    /// themselves are blocking).
    pub async fn send_all<S, E>(&mut self, events: S) -> Result<Summary, SendError<E>>
    where
        S: Stream<Item = Result<Event, E>>,
    {
        let mut events = std::pin::pin!(events);
        let mut summary = Summary::default();
        while let Some(item) = events.next().await {
            if !self.count_item(item, &mut summary)? {
                break;
            }
        }
        self.end_run(summary)
    }

    /// One item of [`JsonLinesSink::send_iter`] / [`JsonLinesSink::send_all`]: an event is sent
    /// and counted (`false` when the output is closed); an error item flushes and ends the run.
    fn count_item<E>(
        &mut self,
        item: Result<Event, E>,
        summary: &mut Summary,
    ) -> Result<bool, SendError<E>> {
        match item {
            Ok(event) => Ok(self.count(&event, summary)?),
            Err(e) => {
                self.flush()?;
                Err(SendError::Source(e))
            }
        }
    }

    /// The end of a run: flush, and say whether the output was closed.
    fn end_run<E>(&mut self, mut summary: Summary) -> Result<Summary, SendError<E>> {
        self.flush()?;
        summary.closed = self.summary.closed;
        Ok(summary)
    }

    /// Sends one event and counts it; `false` when the output is closed.
    fn count(&mut self, event: &Event, summary: &mut Summary) -> Result<bool, Error> {
        match self.send(event)? {
            Sent::Written => {
                summary.written += 1;
                Ok(true)
            }
            Sent::Closed => Ok(false),
        }
    }
}

/// Writes `event` as one JSON line: its bytes unchanged when they hold no newline, otherwise
/// compacted (pretty-printed input) so that the output stays one event per line.
pub fn write_event_line(out: &mut impl Write, event: &Event) -> io::Result<()> {
    let raw = event.raw();
    if memchr::memchr(b'\n', raw).is_some() {
        let mut compact = Vec::with_capacity(raw.len());
        compact_json(raw, &mut compact);
        out.write_all(&compact)?;
    } else {
        out.write_all(raw)?;
    }
    out.write_all(b"\n")
}

/// Copies valid JSON text without the whitespace between tokens (strings are kept as they are).
pub fn compact_json(json: &[u8], out: &mut Vec<u8>) {
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
        }
    }
}

fn write_selected(
    out: &mut impl Write,
    fields: &[(String, Field)],
    reader: &mut Reader<'_, '_>,
) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (name, field)) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, name.as_str())?;
        out.write_all(b":")?;
        match field.read(reader) {
            None => out.write_all(b"null")?,
            Some(Value::Str(s)) => serde_json::to_writer(&mut *out, &*s)?,
            Some(Value::U64(n)) => write!(out, "{n}")?,
            Some(Value::Bool(b)) => write!(out, "{b}")?,
            Some(list @ Value::List(_)) => serde_json::to_writer(&mut *out, &list.to_json())?,
        }
    }
    out.write_all(b"}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        Event::from_bytes(json.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn raw_mode_writes_bytes_unchanged() {
        let text = "{ \"eventType\" : \"a\",\t \"x\":{\"unknown\":[1, 2]} }";
        let mut sink = JsonLinesSink::new(Vec::new());
        assert_eq!(sink.send(&event(text)).unwrap(), Sent::Written);
        assert_eq!(sink.send(&event("{}")).unwrap(), Sent::Written);
        assert_eq!(sink.summary().written, 2);
        let out = sink.finish().unwrap();
        assert_eq!(out, format!("{text}\n{{}}\n").into_bytes());
    }

    #[test]
    fn multi_line_events_are_compacted_to_one_line() {
        let text = "{\n  \"a\": \"x y\\\" {\",\r\n  \"b\": [1, 2]\n}";
        let mut sink = JsonLinesSink::new(Vec::new());
        sink.send(&event(text)).unwrap();
        let out = sink.finish().unwrap();
        assert_eq!(out, b"{\"a\":\"x y\\\" {\",\"b\":[1,2]}\n");
        let reparsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(reparsed, original);
    }

    #[test]
    fn select_mode_writes_objects_with_nulls_for_absent_fields() {
        let mut sink = JsonLinesSink::new(Vec::new())
            .select(&["okta.actor.name", " okta.evt.type"])
            .unwrap();
        sink.send(&event(
            r#"{"eventType":"user.session.start","actor":{"displayName":"Jane \"J\" Doe"}}"#,
        ))
        .unwrap();
        sink.send(&event(r#"{"uuid":"x"}"#)).unwrap();
        let out = String::from_utf8(sink.finish().unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["okta.actor.name"], "Jane \"J\" Doe");
        assert_eq!(lines[0]["okta.evt.type"], "user.session.start");
        // Keys keep the order given.
        assert!(out
            .lines()
            .next()
            .unwrap()
            .starts_with("{\"okta.actor.name\""));
        // Missing values follow each field's model ("" for these plugin fields).
        assert_eq!(lines[1]["okta.evt.type"], "");
    }

    #[test]
    fn select_rejects_unknown_fields() {
        let err = JsonLinesSink::new(Vec::new())
            .select(&["okta.evt.typ"])
            .unwrap_err();
        assert!(err.to_string().contains("okta.evt.type"), "{err}");
    }

    /// A writer that fails like a closed pipe after `ok` writes.
    struct Pipe {
        ok: usize,
        data: Vec<u8>,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            self.ok -= 1;
            self.data.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_is_a_clean_stop() {
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(BUFFER));
        let events = (0..10).map(|_| Ok::<_, io::Error>(event(&big)));
        let mut sink = JsonLinesSink::new(Pipe {
            ok: 1,
            data: Vec::new(),
        });
        let summary = sink.send_iter(events).unwrap();
        assert!(summary.closed);
        assert!(summary.written < 10);
        assert_eq!(sink.send(&event("{}")).unwrap(), Sent::Closed);
        assert!(sink.finish().is_ok());
    }

    #[test]
    fn other_write_errors_are_errors() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut sink = JsonLinesSink::new(Full);
        sink.send(&event("{}")).unwrap(); // buffered
        let err = sink.flush().unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
    }

    #[test]
    fn send_all_drives_a_stream_and_stops_at_errors() {
        let items: Vec<Result<Event, &str>> =
            vec![Ok(event("{\"a\":1}")), Err("boom"), Ok(event("{}"))];
        let mut sink = JsonLinesSink::new(Vec::new());
        let err =
            futures::executor::block_on(sink.send_all(futures::stream::iter(items))).unwrap_err();
        assert!(matches!(err, SendError::Source("boom")));
        assert_eq!(sink.finish().unwrap(), b"{\"a\":1}\n");
    }
}
