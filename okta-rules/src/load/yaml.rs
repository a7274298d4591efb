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

impl Node {
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
        let line = line.max(1);
        let col = col.max(1);
        let byte = self
            .line_starts
            .get(line - 1)
            .map(|&start| {
                let rest = &self.text[start..];
                let stop = rest.find('\n').unwrap_or(rest.len());
                start
                    + rest[..stop]
                        .char_indices()
                        .nth(col - 1)
                        .map_or(stop, |(i, _)| i)
            })
            .unwrap_or(self.text.len());
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
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut doc_root: Option<Node> = None;
    let err = |e: ScanError| {
        let m = e.marker();
        SyntaxError {
            mark: source.mark(m.line(), m.col() + 1),
            message: e.info().to_string(),
        }
    };
    let span_marks = |span: Span| {
        (
            source.mark(span.start.line(), span.start.col() + 1),
            source.mark(span.end.line(), span.end.col() + 1),
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
                Some(n) => n.clone(),
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
                    anchors.insert(anchor, node.clone());
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
                        anchors.insert(anchor, node.clone());
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
                        anchors.insert(anchor, node.clone());
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
    fn mark_of_byte_roundtrip() {
        let text = "ab\ncdé f\n";
        let src = SourceText::new(text);
        let m = src.mark_of_byte(text.find('f').unwrap());
        assert_eq!(m.pos, Pos { line: 2, col: 5 });
    }
}
