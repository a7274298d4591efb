//! A buffered writer that hands its output on in whole lines.
//!
//! Data flow: a sink writes a line in as many pieces as it likes (an event's bytes, then `\n`);
//! [`WholeLines`] collects them in a buffer and, once the buffer is full, passes on everything up
//! to the last complete line in one `write_all`, keeping the unfinished line for later. So every
//! write the underlying writer sees ends at a line boundary (only [`WholeLines::flush`] passes on
//! an unfinished line, because the caller asked for it).
//!
//! Why: `std::io::BufWriter` flushes wherever its buffer happens to fill up, often in the middle
//! of a line. When the process is killed (`SIGKILL`, OOM killer) between two of those writes, the
//! reader of the pipe or file is left with half an event. With this writer a kill leaves whole
//! lines in a file. A pipe can still end in half a line: when the reader is slower than the
//! writer, the kernel copies a large `write` in parts (only writes up to `PIPE_BUF`, 4 KiB, are
//! atomic), and a kill between two parts cuts the line. Writing in 4 KiB pieces would close that
//! gap but cost about 60% of raw replay speed into a pipe (one system call per event), so it is
//! not done. (`okta-cli tail` loses no cut line: its checkpoint moves only after a page is
//! flushed, so a restart delivers the line again.)
//!
//! A line longer than the buffer grows the buffer until its newline arrives.
//!
//! ```
//! use std::io::Write;
//! use okta_stream::sink::whole_lines::WholeLines;
//!
//! let mut out = WholeLines::with_capacity(8, Vec::new());
//! out.write_all(b"{\"a\":1}")?;
//! out.write_all(b"\n{\"b\":")?; // the buffer is full: the first line goes out on the next write
//! out.write_all(b"2}\n")?;
//! assert_eq!(out.get_ref().as_slice(), b"{\"a\":1}\n");
//! let inner = out.into_inner()?; // flushes the rest
//! assert_eq!(inner, b"{\"a\":1}\n{\"b\":2}\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Write};

/// Buffers writes and passes them on in whole lines (see the module docs).
#[derive(Debug)]
pub struct WholeLines<W: Write> {
    inner: Option<W>,
    buf: Vec<u8>,
    /// Bytes of `buf` up to and including its last `\n`.
    complete: usize,
    capacity: usize,
}

impl<W: Write> WholeLines<W> {
    /// A writer that passes complete lines on once about `capacity` bytes are buffered.
    pub fn with_capacity(capacity: usize, inner: W) -> WholeLines<W> {
        WholeLines {
            inner: Some(inner),
            buf: Vec::with_capacity(capacity),
            complete: 0,
            capacity: capacity.max(1),
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        // `inner` is only `None` while `into_inner` is taking it out.
        self.inner.as_ref().unwrap_or_else(|| unreachable!())
    }

    /// Bytes buffered and not yet passed on.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Flushes everything and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        self.inner.take().ok_or_else(|| unreachable!())
    }

    /// Drops what is buffered and returns the underlying writer (after a broken pipe).
    pub fn into_inner_discarding(mut self) -> W {
        self.buf.clear();
        self.complete = 0;
        self.inner.take().unwrap_or_else(|| unreachable!())
    }

    /// Passes on `buf[..end]`; what was written leaves the buffer even when an error stops it.
    fn pass_on(&mut self, end: usize) -> io::Result<()> {
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };
        let mut written = 0;
        let result = loop {
            if written == end {
                break Ok(());
            }
            match inner.write(&self.buf[written..end]) {
                Ok(0) => {
                    break Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "failed to write the buffered lines",
                    ))
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        self.buf.drain(..written);
        self.complete = self.complete.saturating_sub(written);
        result
    }
}

impl<W: Write> Write for WholeLines<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // Pass the complete lines on before `data` would overfill the buffer; an error here
        // leaves `data` unwritten, as `Write::write` promises.
        if self.complete > 0 && self.buf.len() + data.len() > self.capacity {
            self.pass_on(self.complete)?;
        }
        if let Some(last) = memchr::memrchr(b'\n', data) {
            self.complete = self.buf.len() + last + 1;
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pass_on(self.buf.len())?;
        match self.inner.as_mut() {
            Some(inner) => inner.flush(),
            None => Ok(()),
        }
    }
}

impl<W: Write> Drop for WholeLines<W> {
    /// Like `BufWriter`, passes on what is left, ignoring errors (call `flush` to see them).
    fn drop(&mut self) {
        if self.inner.is_some() && !self.buf.is_empty() {
            let _ = self.pass_on(self.buf.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records each write the underlying writer receives.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl Write for Writes {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.push(b.to_vec());
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_write_passed_on_ends_with_a_newline() {
        let mut out = WholeLines::with_capacity(100, Writes::default());
        let mut want = Vec::new();
        for i in 0..1000 {
            let line = format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(i % 37));
            // In pieces, as the sinks write: the value, then the newline.
            out.write_all(line.as_bytes()).unwrap();
            out.write_all(b"\n").unwrap();
            want.extend_from_slice(line.as_bytes());
            want.push(b'\n');
        }
        let writes = &out.get_ref().0;
        assert!(writes.len() > 100, "{} writes", writes.len());
        assert!(writes.iter().all(|w| w.ends_with(b"\n")));
        assert!(writes.iter().all(|w| w.len() <= 100));
        let all = out.into_inner().unwrap().0.concat();
        assert_eq!(all, want);
    }

    #[test]
    fn a_line_longer_than_the_buffer_goes_out_whole() {
        let mut out = WholeLines::with_capacity(10, Writes::default());
        out.write_all(b"short\n").unwrap();
        for _ in 0..10 {
            out.write_all(b"0123456789").unwrap();
        }
        out.write_all(b"\nnext\n").unwrap();
        out.write_all(b"more").unwrap();
        let writes = &out.get_ref().0;
        assert_eq!(writes[0], b"short\n");
        assert_eq!(writes[1].len(), 100 + 6);
        assert!(writes[1].ends_with(b"\nnext\n"));
        let inner = out.into_inner().unwrap();
        assert_eq!(inner.0.last().map(Vec::as_slice), Some(&b"more"[..]));
    }

    /// A writer that accepts `room` bytes, then fails.
    struct Fails {
        got: Vec<u8>,
        room: usize,
    }

    impl Write for Fails {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"));
            }
            let n = b.len().min(self.room).min(3);
            self.got.extend_from_slice(&b[..n]);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_error_leaves_the_new_data_unwritten_and_keeps_the_rest() {
        let mut out = WholeLines::with_capacity(
            8,
            Fails {
                got: Vec::new(),
                room: 4,
            },
        );
        out.write_all(b"abcdefg\n").unwrap();
        let err = out.write(b"next\n").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(out.get_ref().got, b"abcd");
        // What was not written stays; the rejected data is not in the buffer.
        assert_eq!(out.buffered(), b"efg\n");
        let inner = out.into_inner_discarding();
        assert_eq!(inner.got, b"abcd");
    }

    #[test]
    fn dropping_passes_on_what_is_left() {
        let mut got = Vec::new();
        {
            let mut out = WholeLines::with_capacity(1024, &mut got);
            out.write_all(b"a\nb").unwrap();
        }
        assert_eq!(got, b"a\nb");
    }
}
