//! A YAML document tree whose every node knows where it is in the file.
//!
//! Data flow: the text of one rules file goes through `saphyr-parser`'s event parser; this module
//! folds the events into [`Node`]s (scalars keep their raw text and quoting style, so the reader
//! decides types the way Falco's yaml-cpp does, not YAML 1.2's core schema), resolving aliases to
//! copies of their anchored nodes. Positions are 1-based line and column (characters) plus the
//! byte offset, used to point diagnostics at the offending text.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};

use crate::error::Pos;

/// Where a node starts (and ends) in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Mark {
    /// Line and column (1-based).
    pub pos: Pos,
    /// Byte offset in the source.
    pub byte: usize,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Unquoted.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// One YAML node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Where it starts.
    pub start: Mark,
    /// Where it ends (exclusive).
    pub end: Mark,
    /// What it is.
    pub kind: Kind,
}

/// The content of a node.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// A scalar with its decoded text and style; `tagged` when an explicit tag was given.
    Scalar {
        text: String,
        style: Style,
        tag: Option<String>,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

/// The most that aliases may copy in one file, counted as nodes plus bytes of scalar text: each
/// alias is a copy of its anchored node, so a few lines of nested aliases (`&b [*a, *a]`,
/// `&c [*b, *b]`, ...) would otherwise build a tree of billions of nodes.
pub(crate) const MAX_ALIAS_COPY: usize = 1_000_000;

impl Node {
    /// The size of the tree counted as for [`MAX_ALIAS_COPY`] (without recursion).
    fn weight(&self) -> usize {
        let mut total = 0usize;
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            total = total.saturating_add(1);
            match &n.kind {
                Kind::Scalar { text, .. } => total = total.saturating_add(text.len()),
                Kind::Seq(items) => stack.extend(items),
                Kind::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            }
        }
        total
    }

    /// Whether the node is a YAML null (an empty or `~`/`null` plain scalar without a tag).
    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar {
                text,
                style: Style::Plain,
                tag: None,
            } => matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"),
            _ => false,
        }
    }

    /// The scalar text, when this is a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The scalar style, when this is a scalar.
    pub fn style(&self) -> Option<Style> {
        match &self.kind {
            Kind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The mapping entries, when this is a mapping.
    pub fn map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The sequence items, when this is a sequence.
    pub fn seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Looks up a mapping key given as a string scalar; returns the key node and the value.
    pub fn get(&self, key: &str) -> Option<(&Node, &Node)> {
        self.map()?
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(k, v)| (k, v))
    }
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    /// Where.
    pub mark: Mark,
    /// What.
    pub message: String,
}

/// The source text with a line index, to turn parser markers into positions and back.
#[derive(Debug)]
pub(crate) struct SourceText<'a> {
    /// The text.
    pub text: &'a str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl<'a> SourceText<'a> {
    pub fn new(text: &'a str) -> SourceText<'a> {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        SourceText { text, line_starts }
    }

    /// The text of line `line` (1-based), without its line terminator.
    pub fn line(&self, line: u32) -> Option<&'a str> {
        let idx = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        let s = self.text.get(start..end)?;
        Some(s.strip_suffix('\r').unwrap_or(s))
    }

    /// The mark of a line/column pair given by the parser (1-based line and 1-based column).
    fn mark(&self, line: usize, col: usize) -> Mark {
        self.mark_from(line, col, &mut Memo::default())
    }

    /// [`SourceText::mark`], counting from the position found last when it is on the same line
    /// and not after this one (the parser's markers come mostly in order: a long line of many
    /// values would otherwise be scanned from its start for each of them, in quadratic time).
    fn mark_from(&self, line: usize, col: usize, memo: &mut Memo) -> Mark {
        let line = line.max(1);
        let col = col.max(1);
        let byte = match self.line_starts.get(line - 1) {
            Some(&start) => {
                // The line ends before its '\n' (the next line's start), or at the end of the text.
                let stop = self
                    .line_starts
                    .get(line)
                    .map_or(self.text.len(), |next| next.saturating_sub(1));
                let (from, skip) = if memo.line == line && memo.col <= col && memo.byte >= start {
                    (memo.byte, col - memo.col)
                } else {
                    (start, col - 1)
                };
                let byte = self
                    .text
                    .get(from..stop)
                    .and_then(|s| s.char_indices().nth(skip))
                    .map_or(stop, |(i, _)| from + i);
                *memo = Memo { line, col, byte };
                byte
            }
            None => self.text.len(),
        };
        Mark {
            pos: Pos {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            },
            byte,
        }
    }

    /// The mark of a byte offset.
    pub fn mark_of_byte(&self, byte: usize) -> Mark {
        let byte = byte.min(self.text.len());
        let idx = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx];
        let col = self
            .text
            .get(start..byte)
            .map_or(1, |s| s.chars().count() + 1);
        Mark {
            pos: Pos {
                line: u32::try_from(idx + 1).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            },
            byte,
        }
    }
}

/// The last position [`SourceText::mark_from`] found.
#[derive(Debug, Clone, Copy, Default)]
struct Memo {
    line: usize,
    col: usize,
    byte: usize,
}

fn style_of(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

enum Frame {
    Seq(Mark, usize, Vec<Node>),
    Map(Mark, usize, Vec<(Node, Node)>, Option<Node>),
}

/// Parses `source` into its documents (a `None` entry for an empty document).
pub(crate) fn parse(source: &SourceText<'_>) -> Result<Vec<Option<Node>>, SyntaxError> {
    let mut parser = Parser::new_from_str(source.text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Anchored nodes with their weights, and the weight copied through aliases so far.
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut copied = 0usize;
    let mut doc_root: Option<Node> = None;
    let err = |e: ScanError| {
        let m = e.marker();
        SyntaxError {
            mark: source.mark(m.line(), m.col() + 1),
            message: e.info().to_string(),
        }
    };
    let (mut memo_start, mut memo_end) = (Memo::default(), Memo::default());
    let mut span_marks = |span: Span| {
        (
            source.mark_from(span.start.line(), span.start.col() + 1, &mut memo_start),
            source.mark_from(span.end.line(), span.end.col() + 1, &mut memo_end),
        )
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(err)?;
        let (start, end) = span_marks(span);
        let node = match event {
            Event::StreamStart | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                doc_root = None;
                continue;
            }
            Event::DocumentEnd => {
                docs.push(doc_root.take());
                continue;
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((n, weight)) => {
                    copied = copied.saturating_add(*weight);
                    if copied > MAX_ALIAS_COPY {
                        return Err(SyntaxError {
                            mark: start,
                            message: format!(
                                "aliases copy more than {MAX_ALIAS_COPY} nodes and characters \
                                 (nested aliases?)"
                            ),
                        });
                    }
                    n.clone()
                }
                None => {
                    return Err(SyntaxError {
                        mark: start,
                        message: "alias refers to an unknown anchor".into(),
                    })
                }
            },
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    start,
                    end,
                    kind: Kind::Scalar {
                        text: text.into_owned(),
                        style: style_of(style),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    },
                };
                if anchor > 0 {
                    anchors.insert(anchor, (node.clone(), node.weight()));
                }
                node
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(start, anchor, Vec::new()));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(start, anchor, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(s, anchor, items)) => {
                    let node = Node {
                        start: s,
                        end,
                        kind: Kind::Seq(items),
                    };
                    if anchor > 0 {
                        anchors.insert(anchor, (node.clone(), node.weight()));
                    }
                    node
                }
                _ => {
                    return Err(SyntaxError {
                        mark: start,
                        message: "unbalanced sequence end".into(),
                    })
                }
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(s, anchor, entries, _)) => {
                    let node = Node {
                        start: s,
                        end,
                        kind: Kind::Map(entries),
                    };
                    if anchor > 0 {
                        anchors.insert(anchor, (node.clone(), node.weight()));
                    }
                    node
                }
                _ => {
                    return Err(SyntaxError {
                        mark: start,
                        message: "unbalanced mapping end".into(),
                    })
                }
            },
        };
        match stack.last_mut() {
            None => doc_root = Some(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    if let Some(root) = doc_root.take() {
        docs.push(Some(root));
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_nodes() {
        let text = "# c\n- rule: a b\n  condition: x = \"y\"\n  tags: [p, q]\n";
        let src = SourceText::new(text);
        let docs = parse(&src).unwrap();
        assert_eq!(docs.len(), 1);
        let root = docs[0].as_ref().unwrap();
        let item = &root.seq().unwrap()[0];
        assert_eq!(item.start.pos, Pos { line: 2, col: 3 });
        let (k, v) = item.get("condition").unwrap();
        assert_eq!(k.start.pos, Pos { line: 3, col: 3 });
        assert_eq!(v.start.pos, Pos { line: 3, col: 14 });
        assert_eq!(&text[v.start.byte..v.start.byte + 1], "x");
        assert_eq!(v.scalar(), Some("x = \"y\""));
        let (_, tags) = item.get("tags").unwrap();
        let tags = tags.seq().unwrap();
        assert_eq!(tags[1].scalar(), Some("q"));
        assert_eq!(tags[1].start.pos, Pos { line: 4, col: 13 });
        assert_eq!(src.line(3), Some("  condition: x = \"y\""));
    }

    #[test]
    fn quoted_scalar_starts_at_quote() {
        let text = "- a: \"q\"\n";
        let src = SourceText::new(text);
        let docs = parse(&src).unwrap();
        let (_, v) = docs[0].as_ref().unwrap().seq().unwrap()[0]
            .get("a")
            .unwrap();
        assert_eq!(v.style(), Some(Style::DoubleQuoted));
        assert_eq!(v.start.pos.col, 6);
        assert_eq!(&text[v.start.byte..v.start.byte + 1], "\"");
    }

    #[test]
    fn syntax_error_has_position() {
        let text = "- rule: a\n  desc: [unclosed\n  x: y\n";
        let e = parse(&SourceText::new(text)).unwrap_err();
        assert!(e.mark.pos.line >= 2, "{e:?}");
    }

    #[test]
    fn aliases_and_nulls() {
        let text = "- list: &n a\n- x: *n\n- y:\n- ~\n";
        let docs = parse(&SourceText::new(text)).unwrap();
        let seq = docs[0].as_ref().unwrap().seq().unwrap();
        assert_eq!(seq[1].get("x").unwrap().1.scalar(), Some("a"));
        assert!(seq[2].get("y").unwrap().1.is_null());
        assert!(seq[3].is_null());
    }

    #[test]
    fn multiple_documents_and_empty() {
        let docs = parse(&SourceText::new("")).unwrap();
        assert!(docs.iter().all(Option::is_none));
        let docs = parse(&SourceText::new("- a: 1\n---\n- b: 2\n")).unwrap();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn nested_aliases_are_an_error_not_an_exponential_copy() {
        // 2^40 scalars once expanded.
        let mut text = String::from("- &a0 [x, x]\n");
        for i in 1..40 {
            text.push_str(&format!("- &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        let err = parse(&SourceText::new(&text)).unwrap_err();
        assert!(
            err.message.starts_with("aliases copy more than"),
            "{}",
            err.message
        );
        // Copies within the limit are fine.
        let docs = parse(&SourceText::new("- &a [x, y]\n- [*a, *a, *a]\n")).unwrap();
        let seq = docs[0].as_ref().unwrap().seq().unwrap();
        assert_eq!(seq[1].seq().unwrap().len(), 3);
    }

    #[test]
    fn marks_found_from_the_last_one_agree_with_marks_found_from_the_line_start() {
        let text = "ab\ncdé fg h\r\n\nxyz";
        let src = SourceText::new(text);
        let mut memo = Memo::default();
        // In order, backwards, across lines and past the end of a line.
        for (line, col) in [
            (1, 1),
            (1, 2),
            (2, 3),
            (2, 5),
            (2, 4),
            (2, 20),
            (2, 30),
            (3, 1),
        ]
        .into_iter()
        .chain([(4, 2), (4, 4), (5, 1), (2, 1), (2, 7)])
        {
            assert_eq!(
                src.mark_from(line, col, &mut memo),
                src.mark(line, col),
                "{line}:{col}"
            );
        }
        assert_eq!(src.mark(2, 5).byte, text.find('f').unwrap());
    }

    #[test]
    fn a_long_line_of_many_values_parses_in_linear_time() {
        // Quadratic before (each value's position was counted from the line's start): minutes
        // in a debug build.
        let text = format!("- [{}]\n", "a, ".repeat(100_000));
        let docs = parse(&SourceText::new(&text)).unwrap();
        let items = docs[0].as_ref().unwrap().seq().unwrap()[0].seq().unwrap();
        assert_eq!(items.len(), 100_000);
        assert_eq!(items[99_999].start.byte, 3 + 3 * 99_999);
    }

    #[test]
    fn mark_of_byte_roundtrip() {
        let text = "ab\ncdé f\n";
        let src = SourceText::new(text);
        let m = src.mark_of_byte(text.find('f').unwrap());
        assert_eq!(m.pos, Pos { line: 2, col: 5 });
    }
}
