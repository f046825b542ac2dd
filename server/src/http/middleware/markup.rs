//! Leptos's page markup, made valid HTML without changing the document a
//! browser builds from it.
//!
//! - Leptos marks hydration points with `<!>`. The HTML parser reads that
//!   as an empty comment, but it is a parse error ("bogus comment") to the
//!   Nu checker. `<!---->` is the same empty comment node, spelt validly, so
//!   hydration, which walks the DOM, finds exactly what it found before.
//! - In async rendering Leptos writes the resources' data as `<script>`s
//!   after `</html>`. The parser moves anything there into the end of
//!   `<body>`; writing `</body></html>` after them instead builds the same
//!   tree from valid markup.
//!
//! Only markup is touched: text is escaped by the renderer (a `<` in text is
//! `&lt;`), attribute values and the contents of scripts and comments are
//! copied as they are, so nothing a user wrote can be rewritten.

/// What the renderer ends a page with, before the data scripts.
const END: &[u8] = b"</body></html>";

/// `html` with hydration markers spelt as valid comments and the document's
/// end moved after the data scripts.
pub fn tidy(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len() + 512);
    let mut moved_end = false;
    let mut at = 0;
    while at < html.len() {
        let rest = &html[at..];
        let Some(open) = rest.iter().position(|&byte| byte == b'<') else {
            out.extend_from_slice(rest);
            break;
        };
        out.extend_from_slice(&rest[..open]);
        at += open;
        let rest = &html[at..];
        let taken = if rest.starts_with(b"<!>") {
            out.extend_from_slice(b"<!---->");
            3
        } else if rest.starts_with(END) && !moved_end {
            moved_end = true;
            END.len()
        } else {
            let length = if rest.starts_with(b"<!--") {
                through(rest, b"-->")
            } else if starts_with_ignoring_case(rest, b"<script") {
                through(rest, b"</script>")
            } else if rest
                .get(1)
                .is_some_and(|&byte| byte.is_ascii_alphabetic() || byte == b'/' || byte == b'!')
            {
                tag_length(rest)
            } else {
                1
            };
            out.extend_from_slice(&rest[..length]);
            length
        };
        at += taken;
    }
    if moved_end {
        out.extend_from_slice(END);
    }
    out
}

/// The length of `text` up to and including the first `end` (all of it
/// when there is none).
fn through(text: &[u8], end: &[u8]) -> usize {
    text.windows(end.len())
        .position(|window| window.eq_ignore_ascii_case(end))
        .map_or(text.len(), |found| found + end.len())
}

/// The length of the tag `text` starts with: up to the first `>` outside a
/// quoted attribute value.
fn tag_length(text: &[u8]) -> usize {
    let mut quote = None;
    for (i, &byte) in text.iter().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(open), _) if byte == open => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    text.len()
}

fn starts_with_ignoring_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::tidy;

    fn tidied(html: &str) -> String {
        String::from_utf8(tidy(html.as_bytes())).unwrap()
    }

    #[test]
    fn markers_become_valid_empty_comments() {
        assert_eq!(
            tidied("<p>a<!> b</p><ul><!><!></ul>"),
            "<p>a<!----> b</p><ul><!----><!----></ul>"
        );
    }

    #[test]
    fn attribute_values_scripts_and_comments_are_copied_as_they_are() {
        let page = r#"<meta content="<!> x>y" title='<!>'><script>"<!>"</script><!-- <!> --><p>&lt;!&gt;</p>"#;
        assert_eq!(tidied(page), page);
    }

    #[test]
    fn the_data_scripts_move_inside_the_body() {
        assert_eq!(
            tidied("<html><body><main>x</main></body></html><script>a()</script><script>b()</script>"),
            "<html><body><main>x</main><script>a()</script><script>b()</script></body></html>"
        );
        assert_eq!(tidied("<body>x</body></html>"), "<body>x</body></html>");
    }

    #[test]
    fn unfinished_markup_is_copied_not_lost() {
        for page in ["<p class=\"a", "<script>x", "<!-- x", "a < b", "<"] {
            assert_eq!(tidied(page), page);
        }
    }
}
