//! Framing: finding where each top-level JSON value starts and ends in a byte stream, the way jq
//! reads its input.
//!
//! Data flow: the file reader keeps a buffer of not-yet-consumed bytes and calls
//! [`Framer::next`] with it (and whether the input has ended). The framer looks at the bytes
//! structurally (strings with their escapes, brace and bracket depth; it does not validate) and
//! answers with a [`Step`]: how many bytes it consumed and what it found — a candidate record
//! (the byte range of one top-level value, or of one element of a top-level array), a bad record
//! it could already recognise (a raw newline inside a string, a stray character, a value cut off
//! by the end of input), a request for more input, or the end. The reader hands each candidate
//! to [`crate::event::Event::from_bytes`], which validates it. The framer keeps its position
//! in lines (1-based) so that every record and every error names the line it starts on.
//!
//! Accepted layouts, mixed freely: JSON lines, pretty-printed objects one after another, and JSON
//! arrays whose elements are the events (a saved API page); whitespace (including CRLF) between
//! values and a UTF-8 byte-order mark at the start of the input are skipped.
//!
//! Resynchronisation after a bad record: the framer skips to the next line whose first
//! non-blank character opens a new value (`{`, `[`, or `]` closing the current array) at an
//! indentation no deeper than the bad record's. A value that is still open when such a line
//! starts (a truncated JSON line followed by the next event) is reported as truncated and the
//! new line is read as the next record. Nested lines of pretty-printed values are always
//! indented deeper than their top-level value, so they do not trigger this.
//!
//! Memory is bounded: a record larger than the configured maximum is reported and skipped
//! without being buffered.

use std::ops::Range;

/// What the framer found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The bytes of one candidate value (relative to the slice passed in), starting on `line`.
    Record {
        /// Where the value is in the slice.
        range: Range<usize>,
        /// The line it starts on (1-based).
        line: u64,
    },
    /// A bad record the framer recognised by itself (the reader counts and reports it).
    Bad {
        /// The line it starts on (1-based).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// More input is needed (or the end of input must be signalled).
    NeedMore,
    /// The input is exhausted.
    End,
}

/// The answer to one [`Framer::next`] call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    /// How many bytes at the front of the slice are done with (the reader drops them).
    pub consumed: usize,
    /// What was found.
    pub outcome: Outcome,
}

/// Byte classes for the scanner.
const PLAIN: u8 = 0;
const QUOTE: u8 = 1;
const BACKSLASH: u8 = 2;
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const NEWLINE: u8 = 5;

static CLASS: [u8; 256] = {
    let mut table = [PLAIN; 256];
    table[b'"' as usize] = QUOTE;
    table[b'\\' as usize] = BACKSLASH;
    table[b'{' as usize] = OPEN;
    table[b'[' as usize] = OPEN;
    table[b'}' as usize] = CLOSE;
    table[b']' as usize] = CLOSE;
    table[b'\n' as usize] = NEWLINE;
    table
};

#[inline]
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// An open top-level array whose elements are records.
#[derive(Debug, Clone, Copy)]
struct ArrayCtx {
    /// Line of the `[`.
    line: u64,
}

/// Skipping input after a bad record.
#[derive(Debug, Clone, Copy)]
struct Resync {
    /// Lines opening a value at this indentation or less end the skipping.
    max_indent: usize,
    /// Whether the position is at the start of a line (else the rest of the line is skipped).
    at_line_start: bool,
}

/// The result of scanning one value.
enum Scan {
    /// The value ends just before this offset.
    Complete(usize),
    /// The slice ended before the value did.
    Incomplete,
    /// A raw newline inside a string at this offset.
    NewlineInString(usize),
    /// A line starting at this offset opens a new value while this one is still open.
    Interrupted(usize),
}

/// Where the scan of a container cut off by the end of the slice goes on, relative to the
/// container's first byte: the next call resumes there instead of rescanning the whole record
/// (a large record arriving in small pieces from a pipe would otherwise take quadratic time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Resume {
    /// Offset of the next byte to scan (the start of an unfinished string or line check).
    pos: usize,
    /// Nesting depth at `pos`.
    depth: usize,
}

/// The incremental framer of one input (a file or stdin).
#[derive(Debug)]
pub(crate) struct Framer {
    /// Line number of the first byte of the unconsumed input (1-based).
    line: u64,
    /// Column (bytes) of the first byte of the unconsumed input.
    column: usize,
    /// At the very start of the input (a byte-order mark may follow).
    at_start: bool,
    array: Option<ArrayCtx>,
    resync: Option<Resync>,
    /// The scan state of a container that was cut off at the end of the last slice, whose
    /// first byte is the first unconsumed byte.
    resume: Option<Resume>,
    max_record: usize,
}

impl Framer {
    /// A framer for a new input; records longer than `max_record` bytes are rejected.
    pub fn new(max_record: usize) -> Framer {
        Framer {
            line: 1,
            column: 0,
            at_start: true,
            array: None,
            resync: None,
            resume: None,
            max_record,
        }
    }

    /// The line number of the first unconsumed byte (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Fast path for JSON lines: when the next value is a line that starts with `{` (outside a
    /// top-level array) and ends with `}`, returns that line's range and number without
    /// consuming anything. If the caller finds it is exactly one valid object, it calls
    /// [`Framer::accept`]; otherwise it calls [`Framer::next`], which frames structurally.
    /// A line that validates as one object is framed the same way by both paths.
    pub fn line_candidate(&self, buf: &[u8], eof: bool) -> Option<(Range<usize>, u64)> {
        if self.at_start || self.resync.is_some() || self.array.is_some() {
            return None;
        }
        let start = buf.iter().position(|b| !is_blank(*b))?;
        if buf[start] != b'{' {
            return None;
        }
        let line_end = match memchr::memchr(b'\n', &buf[start..]) {
            Some(nl) => start + nl,
            None if eof => buf.len(),
            None => return None,
        };
        let mut end = line_end;
        while end > start && is_blank(buf[end - 1]) {
            end -= 1;
        }
        if buf[end - 1] != b'}' {
            return None;
        }
        Some((start..end, self.line_at(buf, start)))
    }

    /// Consumes `buf[..end]` after a [`Framer::line_candidate`] was accepted.
    pub fn accept(&mut self, buf: &[u8], end: usize) {
        self.resume = None;
        self.advance(&buf[..end]);
    }

    /// Finds the next record in `buf` (the unconsumed input). `eof` says no more input follows.
    ///
    /// The caller must drop `consumed` bytes from the front before the next call, and must not
    /// call again with the same bytes after [`Outcome::NeedMore`] unless more input was added
    /// or `eof` became true.
    pub fn next(&mut self, buf: &[u8], eof: bool) -> Step {
        let step = self.find(buf, eof);
        self.advance(&buf[..step.consumed]);
        step
    }

    fn advance(&mut self, consumed: &[u8]) {
        let newlines = memchr::memchr_iter(b'\n', consumed).count() as u64;
        if newlines > 0 {
            self.line += newlines;
            let last = memchr::memrchr(b'\n', consumed).unwrap_or(0);
            self.column = consumed.len() - last - 1;
        } else {
            self.column += consumed.len();
        }
    }

    /// Line number of `buf[pos]`.
    fn line_at(&self, buf: &[u8], pos: usize) -> u64 {
        self.line + memchr::memchr_iter(b'\n', &buf[..pos]).count() as u64
    }

    /// Column of `buf[pos]`.
    fn column_at(&self, buf: &[u8], pos: usize) -> usize {
        match memchr::memrchr(b'\n', &buf[..pos]) {
            Some(nl) => pos - nl - 1,
            None => self.column + pos,
        }
    }

    fn find(&mut self, buf: &[u8], eof: bool) -> Step {
        let resume = self.resume.take();
        let mut pos = 0usize;
        if self.at_start {
            if buf.len() < 3 && !eof && b"\xEF\xBB\xBF".starts_with(buf) {
                return need_more(0);
            }
            self.at_start = false;
            if buf.starts_with(b"\xEF\xBB\xBF") {
                pos = 3;
            }
        }
        if let Some(resync) = self.resync {
            match self.skip_lines(buf, pos, resync, eof) {
                Ok(resume) => {
                    self.resync = None;
                    pos = resume;
                }
                Err(_) if eof => return self.end(buf.len()),
                Err(consumed) => return need_more(consumed),
            }
        }
        loop {
            // Skip blanks (and commas between array elements).
            while pos < buf.len()
                && (is_blank(buf[pos]) || (self.array.is_some() && buf[pos] == b','))
            {
                pos += 1;
            }
            if pos >= buf.len() {
                if eof {
                    return self.end(pos);
                }
                return need_more(pos);
            }
            let start = pos;
            let b = buf[start];
            match b {
                b'[' if self.array.is_none() => {
                    self.array = Some(ArrayCtx {
                        line: self.line_at(buf, start),
                    });
                    pos += 1;
                    continue;
                }
                b']' if self.array.is_some() => {
                    self.array = None;
                    pos += 1;
                    continue;
                }
                b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {}
                _ => {
                    let line = self.line_at(buf, start);
                    let indent = self.column_at(buf, start);
                    let shown = String::from_utf8_lossy(&buf[start..buf.len().min(start + 4)])
                        .chars()
                        .next()
                        .unwrap_or('?');
                    self.resync = Some(Resync {
                        max_indent: indent,
                        at_line_start: false,
                    });
                    return Step {
                        consumed: start + 1,
                        outcome: Outcome::Bad {
                            line,
                            reason: format!("invalid JSON: unexpected character {shown:?}"),
                        },
                    };
                }
            }
            let indent = self.column_at(buf, start);
            let mut cut = None;
            let scan = match b {
                b'{' | b'[' => {
                    // Go on where the last call stopped if this is the same container.
                    let from = resume.filter(|_| start == 0).unwrap_or(Resume {
                        pos: start,
                        depth: 0,
                    });
                    let (scan, at) = scan_container(buf, indent, from);
                    cut = Some(at);
                    scan
                }
                b'"' => scan_string(buf, start + 1).map_or(Scan::Incomplete, |r| r),
                _ => scan_scalar(buf, start, eof),
            };
            if let Scan::Complete(end) = scan {
                if !matches!(b, b'{' | b'[' | b'"') && !plausible_scalar(&buf[start..end]) {
                    // A word such as `this`: not JSON at all; skip the line.
                    let line = self.line_at(buf, start);
                    self.resync = Some(Resync {
                        max_indent: indent,
                        at_line_start: false,
                    });
                    let word =
                        String::from_utf8_lossy(&buf[start..end.min(start + 20)]).into_owned();
                    return Step {
                        consumed: end,
                        outcome: Outcome::Bad {
                            line,
                            reason: format!("invalid JSON: unexpected text {word:?}"),
                        },
                    };
                }
            }
            return match scan {
                // The same limit however the record arrived (in one read or in pieces).
                Scan::Complete(end) if end - start > self.max_record => Step {
                    consumed: end,
                    outcome: Outcome::Bad {
                        line: self.line_at(buf, start),
                        reason: format!(
                            "record larger than the maximum of {} bytes",
                            self.max_record
                        ),
                    },
                },
                Scan::Complete(end) => Step {
                    consumed: end,
                    outcome: Outcome::Record {
                        range: start..end,
                        line: self.line_at(buf, start),
                    },
                },
                Scan::Incomplete if eof => {
                    let line = self.line_at(buf, start);
                    Step {
                        consumed: buf.len(),
                        outcome: Outcome::Bad {
                            line,
                            reason: "truncated JSON value: the input ends inside it".into(),
                        },
                    }
                }
                Scan::Incomplete if buf.len() - start > self.max_record => {
                    let line = self.line_at(buf, start);
                    self.resync = Some(Resync {
                        max_indent: indent,
                        at_line_start: buf.last() == Some(&b'\n'),
                    });
                    Step {
                        consumed: buf.len(),
                        outcome: Outcome::Bad {
                            line,
                            reason: format!(
                                "record larger than the maximum of {} bytes",
                                self.max_record
                            ),
                        },
                    }
                }
                Scan::Incomplete => {
                    // Offsets relative to the container, which the next slice starts with.
                    self.resume = cut.map(|at| Resume {
                        pos: at.pos - start,
                        depth: at.depth,
                    });
                    need_more(start)
                }
                Scan::NewlineInString(nl) => {
                    let line = self.line_at(buf, start);
                    self.resync = Some(Resync {
                        max_indent: indent,
                        at_line_start: true,
                    });
                    Step {
                        consumed: nl + 1,
                        outcome: Outcome::Bad {
                            line,
                            reason: "invalid JSON: line break inside a string (truncated line?)"
                                .into(),
                        },
                    }
                }
                Scan::Interrupted(next_line) => {
                    let line = self.line_at(buf, start);
                    let next = self.line_at(buf, next_line);
                    Step {
                        consumed: next_line,
                        outcome: Outcome::Bad {
                            line,
                            reason: format!(
                                "truncated JSON value: a new value starts on line {next} before it ends"
                            ),
                        },
                    }
                }
            };
        }
    }

    /// The input ended at `pos` (everything before is consumed).
    fn end(&mut self, pos: usize) -> Step {
        if let Some(array) = self.array.take() {
            return Step {
                consumed: pos,
                outcome: Outcome::Bad {
                    line: array.line,
                    reason: "truncated JSON array: the input ends before its closing ']'".into(),
                },
            };
        }
        Step {
            consumed: pos,
            outcome: Outcome::End,
        }
    }

    /// Skips lines after a bad record. Returns `Ok(offset)` of the line start where reading
    /// resumes, or `Err(consumed)` when the slice ran out first (the resync state is updated so
    /// that the next call continues where this one stopped).
    fn skip_lines(
        &mut self,
        buf: &[u8],
        mut pos: usize,
        resync: Resync,
        eof: bool,
    ) -> Result<usize, usize> {
        let mut at_line_start = resync.at_line_start;
        loop {
            if !at_line_start {
                match memchr::memchr(b'\n', &buf[pos..]) {
                    Some(nl) => {
                        pos += nl + 1;
                    }
                    None => {
                        self.resync = Some(Resync {
                            at_line_start: false,
                            ..resync
                        });
                        return Err(buf.len());
                    }
                }
            }
            // At a line start: does it open a new value?
            let mut p = pos;
            while p < buf.len() && matches!(buf[p], b' ' | b'\t') {
                p += 1;
            }
            if p >= buf.len() {
                if eof {
                    return Ok(p);
                }
                // Keep the partial line: its first character decides.
                self.resync = Some(Resync {
                    at_line_start: true,
                    ..resync
                });
                return Err(pos);
            }
            let opens = match buf[p] {
                b'{' => true,
                b'[' => self.array.is_none(),
                b']' => self.array.is_some(),
                _ => false,
            };
            if opens && p - pos <= resync.max_indent {
                return Ok(pos);
            }
            at_line_start = false;
        }
    }
}

fn need_more(consumed: usize) -> Step {
    Step {
        consumed,
        outcome: Outcome::NeedMore,
    }
}

/// Scans a string body from `pos` (just after the opening quote).
/// `None` when the slice ends first.
#[inline]
fn scan_string(buf: &[u8], mut pos: usize) -> Option<Scan> {
    while pos < buf.len() {
        match CLASS[buf[pos] as usize] {
            QUOTE => return Some(Scan::Complete(pos + 1)),
            BACKSLASH => pos += 2,
            NEWLINE => return Some(Scan::NewlineInString(pos)),
            _ => pos += 1,
        }
    }
    None
}

/// Whether a bare token can be a JSON scalar (a literal, or made of number characters).
fn plausible_scalar(token: &[u8]) -> bool {
    matches!(token, b"true" | b"false" | b"null")
        || token
            .iter()
            .all(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
}

/// Scans a number or literal starting at `start`.
fn scan_scalar(buf: &[u8], start: usize, eof: bool) -> Scan {
    let mut pos = start;
    while pos < buf.len() {
        let b = buf[pos];
        if is_blank(b) || matches!(b, b',' | b'{' | b'}' | b'[' | b']' | b'"') {
            return Scan::Complete(pos);
        }
        pos += 1;
    }
    if eof {
        Scan::Complete(pos)
    } else {
        Scan::Incomplete
    }
}

/// Scans a container (`{...}` or `[...]`) from `from` (its first byte, depth 0, or where an
/// earlier call stopped). Returns the result and where to resume when it is
/// [`Scan::Incomplete`]: at an unfinished string's quote, at a newline whose next line could not
/// be checked yet, or at the end of the slice.
fn scan_container(buf: &[u8], indent: usize, from: Resume) -> (Scan, Resume) {
    let Resume { mut pos, mut depth } = from;
    let len = buf.len();
    let cut = |pos, depth| (Scan::Incomplete, Resume { pos, depth });
    while pos < len {
        match CLASS[buf[pos] as usize] {
            PLAIN => pos += 1,
            QUOTE => match scan_string(buf, pos + 1) {
                Some(Scan::Complete(end)) => pos = end,
                Some(other) => return (other, from),
                None => return cut(pos, depth),
            },
            OPEN => {
                depth += 1;
                pos += 1;
            }
            CLOSE => {
                depth = depth.saturating_sub(1);
                pos += 1;
                if depth == 0 {
                    return (Scan::Complete(pos), from);
                }
            }
            NEWLINE => {
                let newline = pos;
                pos += 1;
                // A line opening a value at the indentation of this one: this one was cut off.
                let mut p = pos;
                while p < len && matches!(buf[p], b' ' | b'\t') {
                    p += 1;
                }
                if p < len && buf[p] == b'{' && p - pos <= indent {
                    return (Scan::Interrupted(pos), from);
                }
                if p >= len {
                    // Cannot tell yet whether the next line opens a new value.
                    return cut(newline, depth);
                }
            }
            _ => pos += 2, // a backslash outside a string: invalid, validation reports it
        }
    }
    cut(pos, depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames `input` fed in chunks of `chunk` bytes; returns records as text and bad lines.
    fn frame(input: &[u8], chunk: usize) -> Vec<Result<(u64, String), (u64, String)>> {
        frame_with_max(input, chunk, 1 << 20)
    }

    fn frame_with_max(
        input: &[u8],
        chunk: usize,
        max_record: usize,
    ) -> Vec<Result<(u64, String), (u64, String)>> {
        let mut framer = Framer::new(max_record);
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0usize;
        let mut out = Vec::new();
        let mut guard = 0;
        loop {
            guard += 1;
            assert!(guard < 100_000, "framer does not progress");
            let eof = fed >= input.len();
            let step = framer.next(&buf, eof);
            match &step.outcome {
                Outcome::Record { range, line } => out.push(Ok((
                    *line,
                    String::from_utf8_lossy(&buf[range.clone()]).into_owned(),
                ))),
                Outcome::Bad { line, reason } => out.push(Err((*line, reason.clone()))),
                Outcome::NeedMore => {
                    assert!(!eof, "NeedMore at eof");
                    let take = chunk.min(input.len() - fed);
                    buf.drain(..step.consumed);
                    buf.extend_from_slice(&input[fed..fed + take]);
                    fed += take;
                    continue;
                }
                Outcome::End => break,
            }
            buf.drain(..step.consumed);
        }
        out
    }

    fn all_chunkings(input: &str) -> Vec<Result<(u64, String), (u64, String)>> {
        let whole = frame(input.as_bytes(), usize::MAX / 2);
        for chunk in [1, 2, 3, 7, 64] {
            assert_eq!(frame(input.as_bytes(), chunk), whole, "chunk {chunk}");
        }
        whole
    }

    #[test]
    fn the_record_size_limit_holds_however_the_record_arrives() {
        // 30 bytes over 2 lines, limit 20: rejected whether read whole or in pieces.
        let input = b"{\"a\":\n \"0123456789abcdef\"}\n{\"b\":1}\n";
        for chunk in [1, 5, 64, usize::MAX / 2] {
            let out = frame_with_max(input, chunk, 20);
            assert_eq!(out.len(), 2, "chunk {chunk}: {out:?}");
            assert!(
                matches!(&out[0], Err((1, r)) if r.contains("larger than the maximum of 20")),
                "chunk {chunk}: {out:?}"
            );
            assert_eq!(out[1], ok(3, "{\"b\":1}"), "chunk {chunk}");
        }
    }

    #[test]
    fn a_record_in_pieces_is_scanned_from_where_the_last_piece_ended() {
        let input = b"{\"a\": [1, 2, {\"b\": \"xyz\"}],\n  \"c\": \"q\\\"r\"\n}\n";
        let mut framer = Framer::new(1 << 20);
        let mut last = 0;
        for len in 1..input.len() {
            let step = framer.next(&input[..len], false);
            if step.outcome != Outcome::NeedMore {
                assert_eq!(len, input.len() - 1, "{:?}", step.outcome);
                break;
            }
            assert_eq!(step.consumed, 0);
            let at = framer.resume.expect("a resume point").pos;
            // Never behind the last point, and behind the end only by an unfinished string
            // (at most `"q\"r`) or a line break whose next line is not there yet.
            assert!(at >= last && at + 5 >= len, "len {len}: resume at {at}");
            last = at;
        }
        // The next call starts from the resume point, not from the record's start: a point
        // that claims deeper nesting leaves the record unfinished.
        let mut framer = Framer::new(1 << 20);
        assert_eq!(framer.next(&input[..10], false).outcome, Outcome::NeedMore);
        framer.resume = Some(Resume { pos: 10, depth: 7 });
        let step = framer.next(input, true);
        assert!(
            matches!(&step.outcome, Outcome::Bad { reason, .. } if reason.contains("truncated")),
            "{step:?}"
        );
        // Resuming gives the same record as one whole read.
        let out = frame(input, 1);
        assert_eq!(out, frame(input, usize::MAX / 2));
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn a_large_record_in_small_pieces() {
        let mut input = String::from("{\n");
        for i in 0..10_000 {
            input.push_str(&format!("  \"k{i}\": [\"value {i}\", {{\"n\": {i}}}],\n"));
        }
        input.push_str("  \"end\": true\n}\n");
        let out = frame_with_max(input.as_bytes(), 100, 1 << 24);
        assert_eq!(out.len(), 1);
        assert!(matches!(&out[0], Ok((1, r)) if r.len() + 1 == input.len()));
    }

    fn ok(line: u64, s: &str) -> Result<(u64, String), (u64, String)> {
        Ok((line, s.to_string()))
    }

    #[test]
    fn json_lines() {
        let out = all_chunkings("{\"a\":1}\n{\"b\":\"x}\"}\n\n{\"c\":[1,{\"d\":2}]}\n");
        assert_eq!(
            out,
            vec![
                ok(1, "{\"a\":1}"),
                ok(2, "{\"b\":\"x}\"}"),
                ok(4, "{\"c\":[1,{\"d\":2}]}")
            ]
        );
    }

    #[test]
    fn crlf_bom_and_no_final_newline() {
        let out = all_chunkings("\u{feff}{\"a\":1}\r\n{\"b\":2}");
        assert_eq!(out, vec![ok(1, "{\"a\":1}"), ok(2, "{\"b\":2}")]);
    }

    #[test]
    fn pretty_printed_objects() {
        let input = "{\n  \"a\": {\n    \"b\": [\n      {\"c\": 1}\n    ]\n  }\n}\n{\n  \"d\": \"{\\\"\"\n}\n";
        let out = all_chunkings(input);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0].as_ref().unwrap().0, 1);
        assert_eq!(out[1], ok(8, "{\n  \"d\": \"{\\\"\"\n}"));
    }

    #[test]
    fn arrays_split_into_elements() {
        let input =
            "[\n  {\"a\": 1},\n  {\n    \"b\": [1, 2]\n  }\n]\n{\"c\":3}\n[{\"d\":4},{\"e\":5}]";
        let out = all_chunkings(input);
        assert_eq!(
            out,
            vec![
                ok(2, "{\"a\": 1}"),
                ok(3, "{\n    \"b\": [1, 2]\n  }"),
                ok(7, "{\"c\":3}"),
                ok(8, "{\"d\":4}"),
                ok(8, "{\"e\":5}"),
            ]
        );
    }

    #[test]
    fn strings_with_braces_and_escapes() {
        let input = r#"{"a":"}}]]{[","b":"\"{","c":"\\"}"#.to_string() + "\n";
        let out = all_chunkings(&input);
        assert_eq!(out, vec![ok(1, input.trim_end())]);
    }

    #[test]
    fn scalars_are_records_for_validation() {
        let out = all_chunkings("42\n\"s\"\ntrue\n[1,2]\n");
        // The array is a top-level array whose elements are scalars.
        assert_eq!(
            out,
            vec![
                ok(1, "42"),
                ok(2, "\"s\""),
                ok(3, "true"),
                ok(4, "1"),
                ok(4, "2")
            ]
        );
    }

    #[test]
    fn truncated_value_at_eof() {
        let out = all_chunkings("{\"a\":1}\n{\"b\":{\"c\":2}");
        assert_eq!(out[0], ok(1, "{\"a\":1}"));
        match &out[1] {
            Err((2, reason)) => assert!(reason.contains("truncated"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn truncated_line_then_valid_lines_resync() {
        let out =
            all_chunkings("{\"a\":1}\n{\"b\":{\"c\":2}\n{\"d\":3}\n{\"e\":\"cut\n{\"f\":4}\n");
        assert_eq!(out.len(), 5, "{out:?}");
        assert_eq!(out[0], ok(1, "{\"a\":1}"));
        assert!(
            matches!(&out[1], Err((2, r)) if r.contains("line 3")),
            "{out:?}"
        );
        assert_eq!(out[2], ok(3, "{\"d\":3}"));
        assert!(
            matches!(&out[3], Err((4, r)) if r.contains("line break")),
            "{out:?}"
        );
        assert_eq!(out[4], ok(5, "{\"f\":4}"));
    }

    #[test]
    fn garbage_lines_are_skipped_to_the_next_value() {
        let out = all_chunkings("hello world {\n  \"x\": 1\n}\n{\"a\":1}\n");
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            matches!(&out[0], Err((1, r)) if r.contains("'h'")),
            "{out:?}"
        );
        assert_eq!(out[1], ok(4, "{\"a\":1}"));
    }

    #[test]
    fn a_line_of_words_is_one_bad_record() {
        let out = all_chunkings("this line is not JSON\n{\"a\":1}\nnull\n");
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(
            matches!(&out[0], Err((1, r)) if r.contains("this")),
            "{out:?}"
        );
        assert_eq!(out[1], ok(2, "{\"a\":1}"));
        assert_eq!(out[2], ok(3, "null"));
    }

    #[test]
    fn unclosed_array_is_reported() {
        let out = all_chunkings("[{\"a\":1},\n{\"b\":2}\n");
        assert_eq!(out.len(), 3);
        assert!(
            matches!(&out[2], Err((1, r)) if r.contains("array")),
            "{out:?}"
        );
    }

    #[test]
    fn empty_and_blank_inputs() {
        assert!(all_chunkings("").is_empty());
        assert!(all_chunkings(" \n\r\n\t").is_empty());
        assert!(all_chunkings("[]").is_empty());
    }

    #[test]
    fn oversized_record_is_skipped_with_bounded_buffering() {
        let mut framer = Framer::new(16);
        let big = format!("{{\"a\":\"{}\"}}\n{{\"b\":1}}\n", "x".repeat(100));
        // Feed 8 bytes at a time, dropping what is consumed.
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let mut fed = 0;
        let bytes = big.as_bytes();
        loop {
            let eof = fed >= bytes.len();
            let step = framer.next(&buf, eof);
            match step.outcome {
                Outcome::Record { range, line } => out.push(Ok((
                    line,
                    String::from_utf8_lossy(&buf[range]).into_owned(),
                ))),
                Outcome::Bad { line, reason } => out.push(Err((line, reason))),
                Outcome::NeedMore => {
                    buf.drain(..step.consumed);
                    assert!(buf.len() <= 32, "buffered {}", buf.len());
                    let take = 8.min(bytes.len() - fed);
                    buf.extend_from_slice(&bytes[fed..fed + take]);
                    fed += take;
                    continue;
                }
                Outcome::End => break,
            }
            buf.drain(..step.consumed);
        }
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(matches!(&out[0], Err((1, r)) if r.contains("larger")));
        assert_eq!(out[1], ok(2, "{\"b\":1}"));
    }
}
