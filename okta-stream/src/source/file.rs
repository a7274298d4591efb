//! Replay of exported System Log files and stdin.
//!
//! Data flow: [`FileSource`] holds a list of inputs (paths, `-` for stdin). Iterating it opens
//! them one after another; each is read in 64 KiB chunks through a gzip decoder when its first
//! two bytes are the gzip magic `1f 8b` (whatever its name), and the bytes go to the
//! `framing` scanner, which finds each top-level JSON value (or each element of a top-level
//! array). Every value is copied out of the read buffer and validated by
//! [`Event::from_bytes`]. Memory stays bounded by the buffer and the largest record, whatever
//! the input size.
//!
//! Items are `Result<_, SourceError>`: one bad record (invalid JSON, a value that is not an
//! object, a value cut off) is a recoverable [`SourceError::BadRecord`] item naming the file and
//! line, and reading goes on with the next record; in strict mode it ends the iteration instead.
//! Fatal errors (a file that cannot be opened or read) are yielded once and end the iteration.
//! Counters ([`SourceStats`]) are shared so that a progress display can read them while the
//! iteration runs.
//!
//! Reading is blocking (`std::fs`); [`FileSource::into_stream`] wraps the iterator as a
//! [`futures::Stream`] for pipelines built from Stream adapters. Under an async runtime, drive it
//! from a blocking-friendly context (a dedicated thread, `spawn_blocking`) if other tasks must
//! not wait on disk reads.
//!
//! ```
//! use okta_stream::source::file::FileSource;
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("events.jsonl");
//! std::fs::write(&path, "{\"eventType\":\"user.session.start\"}\n[{\"eventType\":\"a\"},{\"eventType\":\"b\"}]")?;
//! let source = FileSource::new([&path]);
//! let stats = source.stats();
//! let types: Vec<String> = source
//!     .iter()
//!     .filter_map(|item| item.ok())
//!     .filter_map(|event| event.event_type().map(|t| t.into_owned()))
//!     .collect();
//! assert_eq!(types, ["user.session.start", "a", "b"]);
//! assert_eq!(stats.events(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod framing;

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use flate2::read::MultiGzDecoder;
use futures::Stream;

use self::framing::{Framer, Outcome};
use crate::event::Event;

/// Size of each read from an input.
const CHUNK: usize = 64 * 1024;
/// Default largest accepted record (a LogEvent is a few KiB).
pub const DEFAULT_MAX_RECORD: usize = 16 * 1024 * 1024;

/// One input of a [`FileSource`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes already in memory (e.g. the embedded sample log), with a name for messages.
    Memory {
        /// The name used in messages.
        name: Arc<str>,
        /// The content (JSON lines, arrays, gzip, ... as for files).
        data: bytes::Bytes,
    },
}

impl Input {
    /// `-` is stdin, anything else a path.
    pub fn parse(arg: impl AsRef<Path>) -> Input {
        let path = arg.as_ref();
        if path.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(path.to_path_buf())
        }
    }

    /// The name used in messages (`<stdin>` for stdin).
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
            Input::Memory { name, .. } => name.to_string(),
        }
    }
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The input's name (the path as given, or `<stdin>`).
    pub file: Arc<str>,
    /// The line the record starts on (1-based; in decompressed text for gzip input).
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// An event with its origin.
#[derive(Debug, Clone)]
pub struct Record {
    /// The event.
    pub event: Event,
    /// Where it was read.
    pub origin: Origin,
}

/// Errors of the file source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// One record could not be read as an event; it is skipped (recoverable).
    #[error("{file}:{line}: bad record: {reason}")]
    BadRecord {
        /// The input's name.
        file: Arc<str>,
        /// The line the record starts on.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// An input could not be opened (fatal).
    #[error("cannot open {file}")]
    Open {
        /// The input's name.
        file: Arc<str>,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An input could not be read, or its gzip data is corrupt (fatal).
    #[error("cannot read {file} (at line {line})")]
    Read {
        /// The input's name.
        file: Arc<str>,
        /// The line being read.
        line: u64,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl SourceError {
    /// Whether the error ends the iteration (everything but a bad record, which ends it only in
    /// strict mode).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, SourceError::BadRecord { .. })
    }
}

/// Counters of a file source, readable while it runs (from any thread).
#[derive(Debug, Default)]
pub struct SourceStats {
    events: AtomicU64,
    bad_records: AtomicU64,
    bytes: AtomicU64,
    input_bytes: AtomicU64,
}

impl SourceStats {
    /// Events read so far.
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    /// Bad records skipped so far.
    pub fn bad_records(&self) -> u64 {
        self.bad_records.load(Ordering::Relaxed)
    }

    /// Bytes of JSON text read so far (after decompression).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Bytes read from the inputs so far, as stored (compressed for gzip files); compare with
    /// [`FileSource::total_input_bytes`] for progress.
    pub fn input_bytes(&self) -> u64 {
        self.input_bytes.load(Ordering::Relaxed)
    }
}

/// Replays exported logs from files and stdin (see the module docs).
#[derive(Debug, Clone)]
pub struct FileSource {
    inputs: Vec<Input>,
    strict: bool,
    max_record: usize,
    stats: Arc<SourceStats>,
}

impl FileSource {
    /// A source reading `paths` in order (`-` is stdin).
    pub fn new<I, P>(paths: I) -> FileSource
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        FileSource::from_inputs(paths.into_iter().map(Input::parse))
    }

    /// A source reading `inputs` in order.
    pub fn from_inputs(inputs: impl IntoIterator<Item = Input>) -> FileSource {
        FileSource {
            inputs: inputs.into_iter().collect(),
            strict: false,
            max_record: DEFAULT_MAX_RECORD,
            stats: Arc::default(),
        }
    }

    /// A source reading stdin.
    pub fn stdin() -> FileSource {
        FileSource::from_inputs([Input::Stdin])
    }

    /// In strict mode the first bad record ends the iteration (after being yielded).
    pub fn strict(mut self, strict: bool) -> FileSource {
        self.strict = strict;
        self
    }

    /// Whether the source is in strict mode.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// The largest record accepted, in bytes (larger ones are bad records); default 16 MiB.
    pub fn max_record(mut self, bytes: usize) -> FileSource {
        self.max_record = bytes.max(1);
        self
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The counters, shared with every iteration of this source.
    pub fn stats(&self) -> Arc<SourceStats> {
        Arc::clone(&self.stats)
    }

    /// The total size of the inputs as stored, when known (not for stdin or pipes). Fails
    /// with [`SourceError::Open`] for an input that does not exist: call it to check the
    /// inputs before producing output.
    pub fn total_input_bytes(&self) -> Result<Option<u64>, SourceError> {
        let mut total = Some(0u64);
        for input in &self.inputs {
            match input {
                Input::Stdin => total = None,
                Input::Memory { data, .. } => total = total.map(|t| t + data.len() as u64),
                Input::Path(path) => {
                    let meta = std::fs::metadata(path).map_err(|source| SourceError::Open {
                        file: input.name().into(),
                        source,
                    })?;
                    if meta.is_dir() {
                        return Err(SourceError::Open {
                            file: input.name().into(),
                            source: io::Error::other("is a directory"),
                        });
                    }
                    total = match (total, meta.is_file()) {
                        (Some(t), true) => Some(t + meta.len()),
                        _ => None,
                    };
                }
            }
        }
        Ok(total)
    }

    /// Iterates the records (events with their origin).
    pub fn records(&self) -> Records {
        Records {
            pending: self.inputs.iter().cloned().collect(),
            current: None,
            strict: self.strict,
            max_record: self.max_record,
            stats: Arc::clone(&self.stats),
            done: false,
        }
    }

    /// Iterates the events.
    pub fn iter(&self) -> Events {
        Events(self.records())
    }

    /// The events as a [`futures::Stream`] (reads block; see the module docs).
    pub fn into_stream(self) -> impl Stream<Item = Result<Event, SourceError>> + Send + Unpin {
        futures::stream::iter(self.iter())
    }

    /// The records as a [`futures::Stream`].
    pub fn into_record_stream(
        self,
    ) -> impl Stream<Item = Result<Record, SourceError>> + Send + Unpin {
        futures::stream::iter(self.records())
    }
}

impl IntoIterator for FileSource {
    type Item = Result<Event, SourceError>;
    type IntoIter = Events;

    fn into_iter(self) -> Events {
        self.iter()
    }
}

impl IntoIterator for &FileSource {
    type Item = Result<Event, SourceError>;
    type IntoIter = Events;

    fn into_iter(self) -> Events {
        self.iter()
    }
}

/// Iterator over the events of a [`FileSource`].
#[derive(Debug)]
pub struct Events(Records);

impl Iterator for Events {
    type Item = Result<Event, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.0.next()?.map(|r| r.event))
    }
}

/// Iterator over the records of a [`FileSource`].
pub struct Records {
    pending: VecDeque<Input>,
    current: Option<Reader>,
    strict: bool,
    max_record: usize,
    stats: Arc<SourceStats>,
    done: bool,
}

impl fmt::Debug for Records {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Records")
            .field("current", &self.current.as_ref().map(|r| &r.name))
            .field("pending", &self.pending)
            .field("done", &self.done)
            .finish()
    }
}

/// An open input being framed.
struct Reader {
    name: Arc<str>,
    inner: Box<dyn Read + Send>,
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    start: usize,
    /// End of the valid bytes in `buf`.
    filled: usize,
    eof: bool,
    framer: Framer,
}

/// Counts the bytes read from an input as stored.
struct Counted<R> {
    inner: R,
    stats: Arc<SourceStats>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.stats
            .input_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `raw`, decompressing when it starts with the gzip magic bytes.
fn decode<R: Read + Send + 'static>(
    raw: R,
    stats: &Arc<SourceStats>,
) -> io::Result<Box<dyn Read + Send>> {
    let mut reader = BufReader::with_capacity(
        CHUNK,
        Counted {
            inner: raw,
            stats: Arc::clone(stats),
        },
    );
    // Look at the first two bytes without consuming them (a pipe may deliver one at a time).
    let mut head: Vec<u8> = Vec::with_capacity(2);
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.len() >= 2 || available.is_empty() {
            head.extend_from_slice(&available[..available.len().min(2)]);
            break;
        }
        // One byte buffered: BufReader only refills when empty, so take it and chain it back.
        let first = available[0];
        reader.consume(1);
        let mut second = [0u8; 1];
        let n = loop {
            match reader.read(&mut second) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let prefix = [first, second[0]];
        let prefix = prefix[..1 + n].to_vec();
        let gz = prefix == [0x1f, 0x8b];
        let chained = io::Cursor::new(prefix).chain(reader);
        return Ok(if gz {
            Box::new(MultiGzDecoder::new(BufReader::with_capacity(
                CHUNK, chained,
            )))
        } else {
            Box::new(chained)
        });
    }
    if head == [0x1f, 0x8b] {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

impl Reader {
    fn open(
        input: &Input,
        stats: &Arc<SourceStats>,
        max_record: usize,
    ) -> Result<Reader, SourceError> {
        let name: Arc<str> = input.name().into();
        let open_err = |source| SourceError::Open {
            file: Arc::clone(&name),
            source,
        };
        let inner = match input {
            Input::Stdin => decode(io::stdin(), stats).map_err(open_err)?,
            Input::Memory { data, .. } => {
                decode(io::Cursor::new(data.clone()), stats).map_err(open_err)?
            }
            Input::Path(path) => {
                let file = File::open(path).map_err(open_err)?;
                if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                    return Err(open_err(io::Error::other("is a directory")));
                }
                decode(file, stats).map_err(open_err)?
            }
        };
        Ok(Reader {
            name,
            inner,
            buf: Vec::new(),
            start: 0,
            filled: 0,
            eof: false,
            framer: Framer::new(max_record),
        })
    }

    /// Reads more input after the unconsumed bytes.
    fn fill(&mut self) -> io::Result<()> {
        // Move the unconsumed bytes to the front.
        if self.start > 0 {
            self.buf.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.start = 0;
        }
        // Read at least a chunk, and as much as is buffered (amortised for large records).
        let want = CHUNK.max(self.filled);
        if self.buf.len() < self.filled + want {
            self.buf.resize(self.filled + want, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Shrinks the buffer after a large record so that memory follows the records in flight.
    fn shrink(&mut self) {
        if self.start == self.filled && self.buf.len() > 4 * CHUNK {
            self.buf = Vec::new();
            self.start = 0;
            self.filled = 0;
        }
    }
}

impl Records {
    fn bad(&mut self, file: Arc<str>, line: u64, reason: String) -> Result<Record, SourceError> {
        self.stats.bad_records.fetch_add(1, Ordering::Relaxed);
        if self.strict {
            self.done = true;
        }
        Err(SourceError::BadRecord { file, line, reason })
    }

    fn fatal(&mut self, e: SourceError) -> Option<Result<Record, SourceError>> {
        self.done = true;
        self.current = None;
        Some(Err(e))
    }
}

impl Iterator for Records {
    type Item = Result<Record, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if self.current.is_none() {
                let input = self.pending.pop_front()?;
                match Reader::open(&input, &self.stats, self.max_record) {
                    Ok(reader) => self.current = Some(reader),
                    Err(e) => return self.fatal(e),
                }
            }
            let Some(reader) = self.current.as_mut() else {
                continue;
            };
            let unconsumed = &reader.buf[reader.start..reader.filled];
            // JSON lines: try the whole line first; the structural framer handles the rest.
            if let Some((range, line)) = reader.framer.line_candidate(unconsumed, reader.eof) {
                let end = range.end;
                if let Ok(event) = Event::from_bytes(Bytes::copy_from_slice(&unconsumed[range])) {
                    reader.framer.accept(unconsumed, end);
                    reader.start += end;
                    self.stats.bytes.fetch_add(end as u64, Ordering::Relaxed);
                    self.stats.events.fetch_add(1, Ordering::Relaxed);
                    return Some(Ok(Record {
                        event,
                        origin: Origin {
                            file: Arc::clone(&reader.name),
                            line,
                        },
                    }));
                }
            }
            let step = reader.framer.next(unconsumed, reader.eof);
            let name = Arc::clone(&reader.name);
            match step.outcome {
                Outcome::Record { range, line } => {
                    let bytes = Bytes::copy_from_slice(&unconsumed[range]);
                    reader.start += step.consumed;
                    self.stats
                        .bytes
                        .fetch_add(step.consumed as u64, Ordering::Relaxed);
                    match Event::from_bytes(bytes) {
                        Ok(event) => {
                            self.stats.events.fetch_add(1, Ordering::Relaxed);
                            return Some(Ok(Record {
                                event,
                                origin: Origin { file: name, line },
                            }));
                        }
                        Err(e) => return Some(self.bad(name, line, e.to_string())),
                    }
                }
                Outcome::Bad { line, reason } => {
                    reader.start += step.consumed;
                    self.stats
                        .bytes
                        .fetch_add(step.consumed as u64, Ordering::Relaxed);
                    return Some(self.bad(name, line, reason));
                }
                Outcome::NeedMore => {
                    reader.start += step.consumed;
                    self.stats
                        .bytes
                        .fetch_add(step.consumed as u64, Ordering::Relaxed);
                    reader.shrink();
                    if let Err(source) = reader.fill() {
                        let line = reader.framer.line();
                        return self.fatal(SourceError::Read {
                            file: name,
                            line,
                            source,
                        });
                    }
                }
                Outcome::End => {
                    self.stats
                        .bytes
                        .fetch_add(step.consumed as u64, Ordering::Relaxed);
                    self.current = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn collect(source: &FileSource) -> Vec<Result<(String, u64, String), String>> {
        source
            .records()
            .map(|r| match r {
                Ok(r) => Ok((
                    r.origin.file.to_string(),
                    r.origin.line,
                    String::from_utf8(r.event.raw().to_vec()).unwrap(),
                )),
                Err(e) => Err(e.to_string()),
            })
            .collect()
    }

    #[test]
    fn several_files_in_order_with_gzip_detected_by_magic() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let b = dir.path().join("b.json"); // gzip without a .gz name
        let c = dir.path().join("c.json.gz"); // plain text despite the name
        std::fs::write(&a, "{\"n\":1}\n{\"n\":2}\n").unwrap();
        std::fs::write(&b, gzip(b"[\n {\"n\":3},\n {\"n\":4}\n]\n")).unwrap();
        std::fs::write(&c, "{\n  \"n\": 5\n}\n").unwrap();
        let source = FileSource::new([&a, &b, &c]);
        let out = collect(&source);
        let texts: Vec<_> = out.iter().map(|r| r.as_ref().unwrap().2.clone()).collect();
        assert_eq!(
            texts,
            [
                "{\"n\":1}",
                "{\"n\":2}",
                "{\"n\":3}",
                "{\"n\":4}",
                "{\n  \"n\": 5\n}"
            ]
        );
        assert_eq!(out[3].as_ref().unwrap().1, 3);
        assert!(out[2].as_ref().unwrap().0.ends_with("b.json"));
        let stats = source.stats();
        assert_eq!(stats.events(), 5);
        assert_eq!(stats.bad_records(), 0);
        let total = source.total_input_bytes().unwrap().unwrap();
        assert_eq!(stats.input_bytes(), total);
        assert!(stats.bytes() > 0);
    }

    #[test]
    fn bad_records_are_items_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        std::fs::write(
            &a,
            "{\"n\":1}\n{\"n\":}\n[1]\n\"str\"\n{\"n\":2,\n{\"n\":3}\n",
        )
        .unwrap();
        let out = collect(&FileSource::new([&a]));
        assert_eq!(out.len(), 6, "{out:?}");
        assert_eq!(out[0].as_ref().unwrap().2, "{\"n\":1}");
        let errs: Vec<&String> = out.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errs.len(), 4);
        assert!(
            errs[0].contains("a.jsonl:2:") && errs[0].contains("invalid JSON"),
            "{}",
            errs[0]
        );
        assert!(
            errs[1].contains(":3:") && errs[1].contains("found a number"),
            "{}",
            errs[1]
        );
        assert!(
            errs[2].contains(":4:") && errs[2].contains("found a string"),
            "{}",
            errs[2]
        );
        assert!(
            errs[3].contains(":5:") && errs[3].contains("truncated"),
            "{}",
            errs[3]
        );
        assert_eq!(out[5].as_ref().unwrap().2, "{\"n\":3}");
    }

    #[test]
    fn strict_mode_stops_at_the_first_bad_record() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "{\"n\":1}\nnope\n{\"n\":2}\n").unwrap();
        let out = collect(&FileSource::new([&a]).strict(true));
        assert_eq!(out.len(), 2);
        assert!(out[1].as_ref().unwrap_err().contains(":2:"));
    }

    #[test]
    fn missing_file_is_fatal_and_ends_the_iteration() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "{\"n\":1}\n").unwrap();
        let missing = dir.path().join("missing.jsonl");
        let source = FileSource::new([&missing, &a]);
        assert!(matches!(
            source.total_input_bytes(),
            Err(SourceError::Open { .. })
        ));
        let items: Vec<_> = source.iter().collect();
        assert_eq!(items.len(), 1);
        let err = items.into_iter().next().unwrap().unwrap_err();
        assert!(err.is_fatal());
        assert!(err.to_string().contains("missing.jsonl"), "{err}");
    }

    #[test]
    fn corrupt_gzip_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.gz");
        let mut data = gzip(&b"{\"n\":1}\n".repeat(1000));
        let mid = data.len() / 2;
        data.truncate(mid);
        std::fs::write(&a, data).unwrap();
        let items: Vec<_> = FileSource::new([&a]).iter().collect();
        let last = items.last().unwrap().as_ref().unwrap_err();
        assert!(last.is_fatal(), "{last}");
    }

    #[test]
    fn large_input_streams_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let mut f = File::create(&a).unwrap();
        let line = format!("{{\"pad\":\"{}\",\"n\":1}}\n", "x".repeat(3000));
        for _ in 0..200 {
            f.write_all(line.as_bytes()).unwrap();
        }
        // One record much larger than a chunk.
        writeln!(f, "{{\"big\":\"{}\"}}", "y".repeat(5 * CHUNK)).unwrap();
        drop(f);
        let mut records = FileSource::new([&a]).records();
        let mut n = 0;
        while let Some(item) = records.next() {
            item.unwrap();
            n += 1;
            let reader = records.current.as_ref();
            // Memory: the buffer never holds much more than a chunk plus the record in flight.
            assert!(reader.is_none_or(|r| r.buf.len() <= 16 * CHUNK));
        }
        assert_eq!(n, 201);
    }

    #[test]
    fn empty_file_yields_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "").unwrap();
        assert!(FileSource::new([&a]).iter().next().is_none());
        let gz = dir.path().join("b.gz");
        std::fs::write(&gz, gzip(b"")).unwrap();
        assert!(FileSource::new([&gz]).iter().next().is_none());
    }

    /// A reader that hands out one byte per read, like a slow pipe.
    struct Trickle(io::Cursor<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn gzip_detection_works_on_one_byte_reads() {
        let stats = Arc::new(SourceStats::default());
        for (data, expect) in [
            (gzip(b"{\"n\":1}\n"), "{\"n\":1}\n"),
            (b"{\"n\":2}\n".to_vec(), "{\"n\":2}\n"),
            (b"{".to_vec(), "{"),
            (Vec::new(), ""),
        ] {
            let mut reader = decode(Trickle(io::Cursor::new(data)), &stats).unwrap();
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            assert_eq!(out, expect);
        }
    }

    #[test]
    fn stream_adapter_yields_the_same_items() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        std::fs::write(&a, "{\"n\":1}\n{\"n\":2}\n").unwrap();
        let items: Vec<_> =
            futures::executor::block_on_stream(FileSource::new([&a]).into_stream()).collect();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|i| i.is_ok()));
    }
}
