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
///
/// One pass, in time linear in the text: the result is built in `out` while the search moves
/// through the old text. It gives exactly Falco's text, which rebuilds the whole string for each
/// occurrence: the blanks (and, for an empty list, the comma) that an occurrence swallows on its
/// left may lie in text already written, so they are taken back from the end of `out`; the byte
/// before an occurrence is the last byte of `out` when the occurrence starts where the old text
/// resumes.
fn substitute_one<S: AsRef<str>>(cnd: &mut String, name: &str, items: &[S]) -> bool {
    if name.is_empty() {
        return false;
    }
    let old = cnd.as_bytes();
    let mut sub = String::new();
    for item in items {
        if !sub.is_empty() {
            sub.push_str(", ");
        }
        sub.push_str(&quote_list_item(item.as_ref()));
    }
    // The new text is `out` followed by `old[rest..]`; the search goes on from `old[from..]`.
    let mut out: Vec<u8> = Vec::new();
    let mut rest = 0usize;
    let mut from = 0usize;
    let mut used = false;
    while let Some(found) = find_from(old, name.as_bytes(), from) {
        let before = if found > rest {
            Some(old[found - 1])
        } else {
            out.last().copied()
        };
        let mut end = found + name.len();
        let delimited =
            before.is_none_or(is_list_delim) && (end >= old.len() || is_list_delim(old[end]));
        if !delimited {
            from = found + 1;
            continue;
        }
        out.extend_from_slice(&old[rest..found]);
        while out.last().is_some_and(|&b| is_list_blank(b)) {
            out.pop();
        }
        while end < old.len() && is_list_blank(old[end]) {
            end += 1;
        }
        if sub.is_empty() {
            if out.last() == Some(&b',') {
                out.pop();
            } else if end < old.len() && old[end] == b',' {
                end += 1;
            }
        }
        let at_start = out.is_empty();
        if !at_start {
            out.push(b' ');
        }
        out.extend_from_slice(sub.as_bytes());
        out.push(b' ');
        rest = end;
        used = true;
        // Falco goes on searching one byte past `start + len(sub) + 1` in the new text: where
        // the old text resumes, or one byte further when the occurrence was at the very start.
        from = if at_start { end + 1 } else { end };
    }
    if used {
        out.extend_from_slice(&old[rest..]);
        // Only whole UTF-8 sequences were copied (cuts are at ASCII bytes or string ends).
        *cnd = String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    used
}

/// `str::find` from byte `from`, tolerant of `from` past the end or inside a UTF-8 sequence.
fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|i| i + from)
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

    /// Falco's algorithm as written (`resolve_list`): rebuild the whole text per occurrence.
    /// Quadratic, kept here as the oracle for the one-pass [`substitute_one`].
    fn falco_substitute(cnd: &mut String, name: &str, items: &[&str]) -> bool {
        if name.is_empty() {
            return false;
        }
        let mut used = false;
        let mut from = 0usize;
        while let Some(found) = find_from(cnd.as_bytes(), name.as_bytes(), from) {
            let b = cnd.as_bytes();
            let mut start = found;
            let mut end = found + name.len();
            if !((start == 0 || is_list_delim(b[start - 1]))
                && (end >= b.len() || is_list_delim(b[end])))
            {
                from = found + 1;
                continue;
            }
            while start > 0 && is_list_blank(b[start - 1]) {
                start -= 1;
            }
            while end < b.len() && is_list_blank(b[end]) {
                end += 1;
            }
            let sub: Vec<String> = items
                .iter()
                .map(|i| quote_list_item(i).into_owned())
                .collect();
            let sub = sub.join(", ");
            if sub.is_empty() {
                if start > 0 && b[start - 1] == b',' {
                    start -= 1;
                } else if end < b.len() && b[end] == b',' {
                    end += 1;
                }
            }
            let mut next = String::new();
            if start > 0 {
                next.push_str(&cnd[..start]);
                next.push(' ');
            }
            next.push_str(&sub);
            next.push(' ');
            next.push_str(&cnd[end..]);
            *cnd = next;
            used = true;
            from = start + sub.len() + 2;
        }
        used
    }

    #[test]
    fn one_pass_substitution_gives_falco_text_exactly() {
        // Small alphabets make every edge meet: names next to names, blanks on both sides,
        // empty lists eating commas, items ending in blanks, names made of delimiters, text
        // at the very start.
        let alphabet: &[&str] = &["a", "ab", " ", "\t", ",", "(", ")", "=", "b", "é", "\""];
        let names: &[&str] = &["a", "ab", "=a", "a a", ",", "é"];
        let item_sets: &[&[&str]] = &[&[], &["x"], &["a"], &["a b", "c"], &["y\t"], &[" "]];
        let mut rng = crate::testrand::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..200_000 {
            let len = next(12);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let name = names[next(names.len())];
            let items = item_sets[next(item_sets.len())];
            let mut want = text.clone();
            let want_used = falco_substitute(&mut want, name, items);
            let mut got = text.clone();
            let got_used = substitute_one(&mut got, name, items);
            assert_eq!(
                (got, got_used),
                (want, want_used),
                "text {text:?}, list {name:?} = {items:?}"
            );
        }
    }

    #[test]
    fn many_references_to_a_long_list_take_linear_time() {
        // 2,000 references to a 2,000-item list: about 20 MB of text. The old quadratic
        // rewrite needed 27 s; this is a correctness test, so only the result is checked.
        let items: Vec<String> = (0..2000).map(|i| format!("v{i}")).collect();
        let lists = [("big".to_string(), items)];
        let cond = vec!["x in (big)"; 2000].join(" or ");
        let text = expand_lists(&cond, &lists);
        assert_eq!(text.matches("v1999 )").count(), 2000);
        assert_eq!(text.matches(", ").count(), 2000 * 1999);
    }
}
