//! `Link` response headers (RFC 8288) as Okta sends them.
//!
//! Okta sends `rel="self"` and `rel="next"` as separate `link:` header lines, but a proxy may fold
//! them into one comma-separated value; both forms are read here. The output is the raw URL text of
//! each relation, which the poller follows verbatim (the `after` cursor inside it is opaque).

/// The relations of one response that the poller cares about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The `rel="next"` URL, if any.
    pub next: Option<String>,
    /// The `rel="self"` URL, if any.
    pub self_: Option<String>,
}

/// Parses every `Link` header value of a response. Unparsable parts are ignored: a missing
/// `next` is reported to the caller as "no next link", which it decides how to treat.
pub fn parse_links<'a>(values: impl IntoIterator<Item = &'a str>) -> Links {
    let mut links = Links::default();
    for value in values {
        for (url, rels) in link_values(value) {
            for rel in rels.split_ascii_whitespace() {
                if rel.eq_ignore_ascii_case("next") && links.next.is_none() {
                    links.next = Some(url.to_string());
                } else if rel.eq_ignore_ascii_case("self") && links.self_.is_none() {
                    links.self_ = Some(url.to_string());
                }
            }
        }
    }
    links
}

/// Splits one header value into `(url, rel)` pairs. Commas inside `<...>` or inside quoted
/// parameter values do not split.
fn link_values(value: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after_open = &rest[open + 1..];
        let Some(close) = after_open.find('>') else {
            break;
        };
        let url = after_open[..close].trim();
        let mut params = &after_open[close + 1..];
        // The parameters run to the next comma outside quotes.
        let mut end = params.len();
        let mut in_quotes = false;
        for (i, c) in params.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let next_rest = &params[end..];
        params = &params[..end];
        let mut rel = String::new();
        for param in params.split(';') {
            let param = param.trim();
            if let Some((name, val)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("rel") {
                    rel = val.trim().trim_matches('"').to_string();
                }
            }
        }
        out.push((url, rel));
        rest = next_rest.strip_prefix(',').unwrap_or(next_rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELF: &str = "https://acme.okta.com/api/v1/logs?since=2024-01-01T00%3A00%3A00Z&sortOrder=ASCENDING&limit=1000";
    const NEXT: &str =
        "https://acme.okta.com/api/v1/logs?sortOrder=ASCENDING&limit=1000&after=1627500044869_1";

    #[test]
    fn separate_header_lines() {
        let a = format!("<{SELF}>; rel=\"self\"");
        let b = format!("<{NEXT}>; rel=\"next\"");
        let links = parse_links([a.as_str(), b.as_str()]);
        assert_eq!(links.next.as_deref(), Some(NEXT));
        assert_eq!(links.self_.as_deref(), Some(SELF));
    }

    #[test]
    fn one_comma_separated_value_in_any_order_and_spacing() {
        let v = format!("<{NEXT}>;rel=next ,  <{SELF}> ; rel=\"self\"");
        let links = parse_links([v.as_str()]);
        assert_eq!(links.next.as_deref(), Some(NEXT));
        assert_eq!(links.self_.as_deref(), Some(SELF));
    }

    #[test]
    fn commas_inside_urls_and_quotes_do_not_split() {
        let url = "https://acme.okta.com/api/v1/logs?q=a,b&after=x";
        let v = format!("<{url}>; title=\"x, y\"; rel=\"next\"");
        let links = parse_links([v.as_str()]);
        assert_eq!(links.next.as_deref(), Some(url));
    }

    #[test]
    fn multiple_rel_values_and_case() {
        let v = format!("<{NEXT}>; REL=\"self NEXT\"");
        let links = parse_links([v.as_str()]);
        assert_eq!(links.next.as_deref(), Some(NEXT));
        assert_eq!(links.self_.as_deref(), Some(NEXT));
    }

    #[test]
    fn absent_or_garbage_means_no_next() {
        assert_eq!(parse_links([]), Links::default());
        let self_only = format!("<{SELF}>; rel=\"self\"");
        assert_eq!(parse_links([self_only.as_str()]).next, None);
        for junk in ["", "garbage", "<unterminated; rel=next", "rel=\"next\""] {
            assert_eq!(parse_links([junk]).next, None, "{junk}");
        }
    }
}
