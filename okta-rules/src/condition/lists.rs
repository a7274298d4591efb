//! Falco's list expansion, which is TEXTUAL (reference §4.1, `rule_loader_compiler.cpp`
//! `resolve_list` and `compile_list_infos`).
//!
//! Data flow: the loader first builds each list's items with [`expand_list_items`] (an item that
//! names a list defined earlier is replaced by that list's items as written), then, before parsing
//! a macro or rule condition, rewrites the condition text with [`expand_lists`], one list after
//! the other in definition order. The rewritten text is what [`super::parse`] sees, so parse
//! error offsets refer to it.

/// Characters that count as blanks for list expansion (`" \t\n\r"`).
fn is_list_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Characters that may surround a list name for it to be replaced: blanks, `(`, `)`, `,`, `=`.
fn is_list_delim(b: u8) -> bool {
    is_list_blank(b) || matches!(b, b'(' | b')' | b',' | b'=')
}

/// Wraps an item in double quotes if it contains a space and does not start with a quote.
/// Nothing is escaped (as in Falco, where an item containing `"` or `,` breaks the condition).
pub fn quote_list_item(item: &str) -> std::borrow::Cow<'_, str> {
    if item.contains(' ') && !item.starts_with('"') && !item.starts_with('\'') {
        std::borrow::Cow::Owned(format!("\"{item}\""))
    } else {
        std::borrow::Cow::Borrowed(item)
    }
}

/// Builds a list's items: each item equal to the name of a list in `earlier` (the lists defined
/// before this one, as `(name, items as written)`) is replaced by that list's items as written;
/// other items are kept. Names of lists defined later stay plain strings (visibility, §1.13).
///
/// Returns the items and the indexes (into `earlier`) of the lists that were used.
pub fn expand_list_items<N, L, S>(items: &[String], earlier: &[(N, L)]) -> (Vec<String>, Vec<usize>)
where
    N: AsRef<str>,
    L: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut out = Vec::with_capacity(items.len());
    let mut used = Vec::new();
    for item in items {
        match earlier.iter().position(|(n, _)| n.as_ref() == item) {
            Some(i) => {
                out.extend(earlier[i].1.as_ref().iter().map(|s| s.as_ref().to_string()));
                if !used.contains(&i) {
                    used.push(i);
                }
            }
            None => out.push(item.clone()),
        }
    }
    (out, used)
}

/// Rewrites `condition` by substituting every list, in the order given (definition order), and
/// returns the new text and the indexes (into `lists`) of the lists that were substituted.
///
/// For each list, every occurrence of its name that is delimited on both sides by a blank, `(`,
/// `)`, `,`, `=` or the string boundary is replaced, together with the blanks around it, by
/// `" " + items joined by ", " + " "` (items quoted by [`quote_list_item`]). An empty list also
/// removes one adjacent comma. This happens anywhere, including after `=` and inside quoted
/// strings, exactly as Falco does.
pub fn expand_lists_with_usage<N, L, S>(condition: &str, lists: &[(N, L)]) -> (String, Vec<usize>)
where
    N: AsRef<str>,
    L: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut cnd = condition.to_string();
    let mut used = Vec::new();
    for (idx, (name, items)) in lists.iter().enumerate() {
        if substitute_one(&mut cnd, name.as_ref(), items.as_ref()) {
            used.push(idx);
        }
    }
    (cnd, used)
}

/// [`expand_lists_with_usage`] without the usage report.
///
/// ```
/// use okta_rules::condition::expand_lists;
/// let lists = [("admins", vec!["alice".to_string(), "Bob Smith".to_string()])];
/// assert_eq!(
///     expand_lists("okta.actor.name in (admins)", &lists),
///     "okta.actor.name in ( alice, \"Bob Smith\" )"
/// );
/// ```
pub fn expand_lists<N, L, S>(condition: &str, lists: &[(N, L)]) -> String
where
    N: AsRef<str>,
    L: AsRef<[S]>,
    S: AsRef<str>,
{
    expand_lists_with_usage(condition, lists).0
}

/// Substitutes one list in `cnd`; true if it occurred.
fn substitute_one<S: AsRef<str>>(cnd: &mut String, name: &str, items: &[S]) -> bool {
    if name.is_empty() {
        return false;
    }
    let mut used = false;
    let mut from = 0usize;
    while let Some(found) = find_from(cnd, name, from) {
        let b = cnd.as_bytes();
        let mut start = found;
        let mut end = found + name.len();
        let delimited = (start == 0 || is_list_delim(b[start - 1]))
            && (end >= b.len() || is_list_delim(b[end]));
        if !delimited {
            from = found + 1;
            continue;
        }
        while start > 0 && is_list_blank(b[start - 1]) {
            start -= 1;
        }
        while end < b.len() && is_list_blank(b[end]) {
            end += 1;
        }
        let mut sub = String::new();
        for item in items {
            if !sub.is_empty() {
                sub.push_str(", ");
            }
            sub.push_str(&quote_list_item(item.as_ref()));
        }
        if sub.is_empty() {
            if start > 0 && b[start - 1] == b',' {
                start -= 1;
            } else if end < b.len() && b[end] == b',' {
                end += 1;
            }
        }
        let mut next = String::with_capacity(cnd.len() + sub.len() + 2);
        if start > 0 {
            next.push_str(&cnd[..start]);
            next.push(' ');
        }
        next.push_str(&sub);
        next.push(' ');
        next.push_str(&cnd[end..]);
        *cnd = next;
        used = true;
        // Falco continues searching one byte past `start + len(sub) + 1` (the byte after the
        // inserted text, or one further when the match was at the very start).
        from = start + sub.len() + 2;
    }
    used
}

/// `str::find` from byte `from`, tolerant of `from` past the end or inside a UTF-8 sequence.
fn find_from(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let hb = hay.as_bytes();
    if from >= hb.len() {
        return None;
    }
    memchr::memmem::find(&hb[from..], needle.as_bytes()).map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(name: &str, items: &[&str]) -> (String, Vec<String>) {
        (
            name.to_string(),
            items.iter().map(|s| s.to_string()).collect(),
        )
    }

    #[test]
    fn parenthesised_list_expands() {
        let lists = [l("mylist", &["a", "b"])];
        assert_eq!(expand_lists("x in (mylist)", &lists), "x in ( a, b )");
        assert_eq!(
            expand_lists("x in (mylist, extra)", &lists),
            "x in ( a, b , extra)"
        );
        assert_eq!(
            expand_lists("x in (extra,mylist)", &lists),
            "x in (extra, a, b )"
        );
    }

    #[test]
    fn lm_04_empty_list_gives_empty_parentheses() {
        let lists = [l("allowed_countries_list", &[])];
        assert_eq!(
            expand_lists(
                "(okta.client.geo.country in (allowed_countries_list))",
                &lists
            ),
            "(okta.client.geo.country in (  ))"
        );
        // One adjacent comma is removed.
        let lists = [l("e", &[])];
        assert_eq!(expand_lists("x in (a, e)", &lists), "x in (a  )");
        assert_eq!(expand_lists("x in (e, a)", &lists), "x in (   a)");
    }

    #[test]
    fn lm_07_unparenthesised_list_is_plain_text() {
        let lists = [l("mylist", &["a", "b"])];
        assert_eq!(expand_lists("x in mylist", &lists), "x in a, b ");
        let one = [l("mylist", &["a"])];
        assert_eq!(expand_lists("x in mylist", &one), "x in a ");
    }

    #[test]
    fn lm_08_substitution_after_equals() {
        let lists = [l("mylist", &["a"])];
        assert_eq!(expand_lists("x = mylist", &lists), "x = a ");
        assert_eq!(expand_lists("x=mylist", &lists), "x= a ");
    }

    #[test]
    fn lm_09_substitution_inside_quoted_strings() {
        let lists = [l("to", &["into"])];
        assert_eq!(
            expand_lists("okta.message = \"User login to Okta\"", &lists),
            "okta.message = \"User login into Okta\""
        );
        // Not when glued to other characters.
        assert_eq!(expand_lists("x = \"to\"", &lists), "x = \"to\"");
        assert_eq!(expand_lists("x = toto", &lists), "x = toto");
    }

    #[test]
    fn names_must_be_delimited() {
        let lists = [l("adm", &["root"])];
        assert_eq!(expand_lists("x in (admins)", &lists), "x in (admins)");
        assert_eq!(expand_lists("x.adm = 1", &lists), "x.adm = 1");
        assert_eq!(expand_lists("adm", &lists), "root ");
    }

    #[test]
    fn items_with_spaces_are_quoted_once() {
        let lists = [l(
            "names",
            &["Alice Smith", "'Bob Jones'", "\"(systemd)\"", "x"],
        )];
        assert_eq!(
            expand_lists("n in (names)", &lists),
            "n in ( \"Alice Smith\", 'Bob Jones', \"(systemd)\", x )"
        );
    }

    #[test]
    fn every_occurrence_is_replaced_and_usage_reported() {
        let lists = [l("a", &["1"]), l("unused", &["z"]), l("b", &["2"])];
        let (text, used) = expand_lists_with_usage("x in (a) or y in (a, b)", &lists);
        assert_eq!(text, "x in ( 1 ) or y in ( 1 , 2 )");
        assert_eq!(used, vec![0, 2]);
    }

    #[test]
    fn list_containing_its_own_name_does_not_loop() {
        let lists = [l("a", &["a", "a"])];
        assert_eq!(expand_lists("x in (a)", &lists), "x in ( a, a )");
    }

    #[test]
    fn later_list_names_in_items_are_substituted_in_definition_order() {
        // Items are inserted as text; lists later in the order then see them.
        let lists = [l("first", &["second"]), l("second", &["v"])];
        assert_eq!(expand_lists("x in (first)", &lists), "x in ( v )");
        let reversed = [l("second", &["v"]), l("first", &["second"])];
        assert_eq!(expand_lists("x in (first)", &reversed), "x in ( second )");
    }

    #[test]
    fn nested_lists_use_earlier_lists_items_as_written() {
        let earlier = [l("base", &["a", "b"]), l("mid", &["base", "c"])];
        let (items, used) = expand_list_items(
            &["mid".to_string(), "base".to_string(), "later".to_string()],
            &earlier,
        );
        // `mid` contributes its items as written ("base" unexpanded), like Falco.
        assert_eq!(items, vec!["base", "c", "a", "b", "later"]);
        assert_eq!(used, vec![1, 0]);
    }
}
