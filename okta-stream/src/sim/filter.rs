//! The `filter` (SCIM) and `q` (keyword) parameters of the simulated `/api/v1/logs`.
//!
//! [`Filter::parse`] turns a SCIM expression into a small AST, rejecting what Okta rejects (bad
//! syntax and unknown fields: 400 `E0000053`; `published`, which would clash with `since`/`until`;
//! `co` on `debugContext.debugData.url`/`requestUri`: 400 `E0000031`). [`Filter::matches`] and
//! [`Keywords::matches`] evaluate against a parsed event. Supported: `eq ne co sw ew gt ge lt le pr`,
//! `and`, `or`, `not`, parentheses; string comparisons are case-insensitive; a path through an array
//! (e.g. `target.id`) matches when any element matches.

use serde_json::Value;

/// Why a `filter` or `q` was rejected; [`FilterError::code`] is Okta's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// Invalid SCIM syntax or an unknown field (`E0000053`).
    #[error("{0}")]
    Invalid(String),
    /// An operator not supported on a field (`E0000031`).
    #[error("{0}")]
    Unsupported(String),
    /// A `q` keyword over 40 characters, or too many keywords (`E0000001`).
    #[error("{0}")]
    Keyword(String),
}

impl FilterError {
    /// Okta's `errorCode` for this error.
    pub fn code(&self) -> &'static str {
        match self {
            FilterError::Invalid(_) => "E0000053",
            FilterError::Unsupported(_) => "E0000031",
            FilterError::Keyword(_) => "E0000001",
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// greater than
    Gt,
    /// greater or equal
    Ge,
    /// less than
    Lt,
    /// less or equal
    Le,
}

/// A parsed SCIM filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `path op value`
    Compare(Vec<String>, Op, Value),
    /// `path pr`
    Present(Vec<String>),
    /// `a and b`
    And(Box<Filter>, Box<Filter>),
    /// `a or b`
    Or(Box<Filter>, Box<Filter>),
    /// `not (a)`
    Not(Box<Filter>),
}

const TOP_LEVEL: &[&str] = &[
    "uuid",
    "published",
    "eventType",
    "version",
    "severity",
    "legacyEventType",
    "displayMessage",
    "actor",
    "client",
    "device",
    "authenticationContext",
    "securityContext",
    "request",
    "outcome",
    "target",
    "transaction",
    "debugContext",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(usize, Tok)>,
    pos: usize,
}

impl Filter {
    /// Parses a SCIM filter expression.
    pub fn parse(src: &str) -> Result<Filter, FilterError> {
        let toks = lex(src)?;
        let mut p = Parser { src, toks, pos: 0 };
        let f = p.or()?;
        if let Some((at, t)) = p.toks.get(p.pos) {
            return Err(p.invalid(*at, &format!("Unexpected token {t:?}")));
        }
        Ok(f)
    }

    /// Whether `event` satisfies the filter.
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(event) && b.matches(event),
            Filter::Or(a, b) => a.matches(event) || b.matches(event),
            Filter::Not(a) => !a.matches(event),
            Filter::Present(path) => {
                let mut found = false;
                visit(event, path, &mut |v| found |= !v.is_null());
                found
            }
            Filter::Compare(path, op, want) => {
                let mut found = false;
                let mut any = false;
                visit(event, path, &mut |v| {
                    any = true;
                    found |= compare(v, *op, want);
                });
                if !any && *op == Op::Eq && want.is_null() {
                    return true;
                }
                if !any && *op == Op::Ne {
                    return !want.is_null();
                }
                found
            }
        }
    }
}

fn visit(v: &Value, path: &[String], f: &mut dyn FnMut(&Value)) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| visit(i, path, f)),
        _ if path.is_empty() => f(v),
        Value::Object(m) => {
            if let Some(child) = m.get(&path[0]) {
                visit(child, &path[1..], f);
            }
        }
        _ => {}
    }
}

fn compare(have: &Value, op: Op, want: &Value) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (have, want) {
        (Value::String(a), Value::String(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                Op::Co => return a.contains(&b),
                Op::Sw => return a.starts_with(&b),
                Op::Ew => return a.ends_with(&b),
                _ => Some(a.cmp(&b)),
            }
        }
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    };
    match (op, ord) {
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Ne, None) => true,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        _ => false,
    }
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, FilterError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push((i, Tok::LParen));
                i += 1;
            }
            b')' => {
                out.push((i, Tok::RParen));
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                let mut s = String::new();
                let mut closed = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if i + 1 < bytes.len() => {
                            s.push(char::from(bytes[i + 1]));
                            i += 2;
                        }
                        b'"' => {
                            closed = true;
                            i += 1;
                            break;
                        }
                        _ => {
                            // Copy one UTF-8 character.
                            let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
                            s.push_str(&src[i..i + ch_len]);
                            i += ch_len;
                        }
                    }
                }
                if !closed {
                    return Err(FilterError::Invalid(format!(
                        "Invalid filter '{src}': Unterminated string at position {start}"
                    )));
                }
                out.push((start, Tok::Str(s)));
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b'"')
                {
                    i += 1;
                }
                out.push((start, Tok::Word(src[start..i].to_string())));
            }
        }
    }
    Ok(out)
}

impl Parser<'_> {
    fn invalid(&self, at: usize, what: &str) -> FilterError {
        FilterError::Invalid(format!(
            "Invalid filter '{}': {what} at position {at}",
            self.src
        ))
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some((_, Tok::Word(w))) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.primary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Filter, FilterError> {
        let end = self.src.len();
        let Some((at, tok)) = self.toks.get(self.pos).cloned() else {
            return Err(self.invalid(end, "Unexpected end of filter"));
        };
        self.pos += 1;
        match tok {
            Tok::LParen => {
                let inner = self.or()?;
                match self.toks.get(self.pos) {
                    Some((_, Tok::RParen)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    Some((at, _)) => Err(self.invalid(*at, "Expected ')'")),
                    None => Err(self.invalid(end, "Expected ')'")),
                }
            }
            Tok::Word(attr) => self.comparison(at, attr),
            _ => Err(self.invalid(at, "Expected an attribute path")),
        }
    }

    fn comparison(&mut self, at: usize, attr: String) -> Result<Filter, FilterError> {
        let valid_path = attr
            .split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !valid_path {
            return Err(self.invalid(at, &format!("Invalid attribute path '{attr}'")));
        }
        let path: Vec<String> = attr.split('.').map(str::to_string).collect();
        if !TOP_LEVEL.contains(&path[0].as_str()) {
            return Err(FilterError::Invalid(format!("field is not valid: {attr}")));
        }
        if path[0] == "published" {
            return Err(FilterError::Invalid(format!(
                "Invalid filter '{}': 'published' cannot be used in a filter; use since and until",
                self.src
            )));
        }
        let end = self.src.len();
        let Some((op_at, Tok::Word(op_word))) = self.toks.get(self.pos).cloned() else {
            return Err(self.invalid(
                self.toks.get(self.pos).map_or(end, |t| t.0),
                "Expected an attribute operator",
            ));
        };
        self.pos += 1;
        let op = match op_word.to_ascii_lowercase().as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => {
                return Err(self
                    .invalid(
                        op_at,
                        &format!("Unrecognized attribute operator '{op_word}'"),
                    )
                    .with_expected())
            }
        };
        if op == Op::Co
            && (attr == "debugContext.debugData.url" || attr == "debugContext.debugData.requestUri")
        {
            return Err(FilterError::Unsupported(format!(
                "The supplied combination of operator and field is not currently supported. Operator: co, Field: {attr}"
            )));
        }
        let Some((v_at, tok)) = self.toks.get(self.pos).cloned() else {
            return Err(self.invalid(end, "Expected a value"));
        };
        self.pos += 1;
        let value = match tok {
            Tok::Str(s) => Value::String(s),
            Tok::Word(w) if w == "true" => Value::Bool(true),
            Tok::Word(w) if w == "false" => Value::Bool(false),
            Tok::Word(w) if w == "null" => Value::Null,
            Tok::Word(w) => match w.parse::<serde_json::Number>() {
                Ok(n) => Value::Number(n),
                Err(_) => return Err(self.invalid(v_at, &format!("Invalid value '{w}'"))),
            },
            _ => return Err(self.invalid(v_at, "Expected a value")),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

impl FilterError {
    fn with_expected(self) -> FilterError {
        match self {
            FilterError::Invalid(m) => {
                FilterError::Invalid(format!("{m}. Expected: eq,co,sw,pr,gt,ge,lt,le"))
            }
            other => other,
        }
    }
}

/// The `q` parameter: keywords that must all match (case-insensitively) a whole string value, a
/// whitespace-separated word of one, or a hyphen-separated part of one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keywords(Vec<String>);

/// Most characters per keyword.
pub const MAX_KEYWORD_LEN: usize = 40;
/// Most keywords.
pub const MAX_KEYWORDS: usize = 10;

impl Keywords {
    /// Parses `q` (already URL-decoded).
    pub fn parse(q: &str) -> Result<Keywords, FilterError> {
        let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
        if words.iter().any(|w| w.chars().count() > MAX_KEYWORD_LEN) {
            return Err(FilterError::Keyword(
                "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.".into(),
            ));
        }
        if words.len() > MAX_KEYWORDS {
            return Err(FilterError::Keyword(
                "Api validation failed: 'q': Freeform search cannot contain more than 10 items."
                    .into(),
            ));
        }
        Ok(Keywords(words))
    }

    /// Whether there are no keywords.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every keyword matches somewhere in `event`.
    pub fn matches(&self, event: &Value) -> bool {
        self.0
            .iter()
            .all(|k| any_string(event, &mut |s| token_match(s, k)))
    }
}

fn token_match(s: &str, k: &str) -> bool {
    let lower = s.to_lowercase();
    lower == k
        || lower
            .split_whitespace()
            .any(|w| w == k || w.split('-').any(|p| p == k))
}

fn any_string(v: &Value, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().any(|i| any_string(i, f)),
        Value::Object(m) => m.values().any(|i| any_string(i, f)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev() -> Value {
        json!({"eventType": "user.session.start", "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
               "actor": {"id": "00uABC", "alternateId": "jane.doe@acme.example", "displayName": "Jane Doe"},
               "target": [{"id": "0oa1", "type": "AppInstance"}, {"id": "00g2", "type": "UserGroup"}],
               "securityContext": {"isProxy": true, "asNumber": 14061},
               "debugContext": {"debugData": {"requestId": "abc-def-ghi"}}})
    }

    #[test]
    fn comparisons_and_boolean_logic() {
        let e = ev();
        let t = |f: &str| Filter::parse(f).unwrap().matches(&e);
        assert!(t(r#"eventType eq "user.session.start""#));
        assert!(t(r#"eventType eq "USER.SESSION.START""#));
        assert!(!t(r#"eventType eq "user.session.end""#));
        assert!(t(
            r#"eventType eq "user.session.start" and outcome.result eq "FAILURE""#
        ));
        assert!(t(r#"eventType eq "x" or actor.id eq "00uABC""#));
        assert!(!t(
            r#"eventType eq "x" or (actor.id eq "00uABC" and outcome.result eq "SUCCESS")"#
        ));
        assert!(t(
            r#"actor.alternateId sw "jane" and actor.displayName co "doe""#
        ));
        assert!(t(r#"target.id eq "00g2""#));
        assert!(t(
            "securityContext.isProxy eq true and securityContext.asNumber gt 1000"
        ));
        assert!(t("actor.id pr and not (client.ipAddress pr)"));
        assert!(t(r#"outcome.result ne "SUCCESS""#));
    }

    #[test]
    fn invalid_filters_are_rejected_with_okta_codes() {
        let e = Filter::parse(r#"displayMessage eqq "Create okta user""#).unwrap_err();
        assert_eq!(e.code(), "E0000053");
        assert!(
            e.to_string()
                .contains("Unrecognized attribute operator 'eqq' at position 15"),
            "{e}"
        );
        assert_eq!(
            Filter::parse("some_invalid_field eq \"x\"")
                .unwrap_err()
                .to_string(),
            "field is not valid: some_invalid_field"
        );
        assert_eq!(
            Filter::parse(r#"published gt "2024-01-01""#)
                .unwrap_err()
                .code(),
            "E0000053"
        );
        assert_eq!(
            Filter::parse(r#"debugContext.debugData.url co "x""#)
                .unwrap_err()
                .code(),
            "E0000031"
        );
        for bad in [
            "",
            "eventType",
            "eventType eq",
            r#"(eventType eq "x""#,
            r#"eventType eq "x" and"#,
            r#"eventType eq "x"#,
            r#"eventType eq "x" "y""#,
        ] {
            assert_eq!(Filter::parse(bad).unwrap_err().code(), "E0000053", "{bad}");
        }
    }

    #[test]
    fn keywords_match_case_insensitively_and_on_hyphen_parts() {
        let e = ev();
        assert!(Keywords::parse("jane FAILURE").unwrap().matches(&e));
        assert!(Keywords::parse("def").unwrap().matches(&e));
        assert!(!Keywords::parse("jane bob").unwrap().matches(&e));
        let long = "x".repeat(41);
        assert_eq!(Keywords::parse(&long).unwrap_err().code(), "E0000001");
        assert!(Keywords::parse(&"x".repeat(40)).is_ok());
    }
}
