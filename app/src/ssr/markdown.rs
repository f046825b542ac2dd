//! Markdown to safe HTML.
//!
//! pulldown-cmark renders CommonMark (with tables, strikethrough and task
//! lists); ammonia then keeps only an allow-list of tags, attributes and URL
//! schemes, so no script, event handler or `javascript:` link survives
//! whatever an author writes, raw HTML included.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        // Links in user content are not endorsements and must not reach
        // back into our page through window.opener. `external` makes the
        // hydrated router leave them to the browser: a whole page load,
        // which passes the server's checks (a forged form refusal in a
        // link's query is stripped there, see the server's `form_errors`).
        .link_rel(Some("noopener noreferrer nofollow ugc external"));
    builder
});

/// Renders `markdown` to sanitized HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    SANITIZER.clean(&unsafe_html).to_string()
}

/// The first words of `markdown` as plain text, at most `max` characters
/// (cut at a word, with an ellipsis): what a search result or link preview
/// shows when the author wrote no description. Only text and code, never
/// markup: the result is text, escaped wherever it is shown.
pub fn excerpt(markdown: &str, max: usize) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut text = String::with_capacity(max + 8);
    for event in Parser::new(markdown) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push(' ')
            }
            _ => {}
        }
        if text.chars().count() > max {
            break;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::with_capacity(max + 4);
    for word in words {
        if out.chars().count() + word.chars().count() + 1 > max {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Minutes a reader needs at about 230 words a minute; at least one.
pub fn reading_minutes(markdown: &str) -> u32 {
    let words = markdown.split_whitespace().count();
    u32::try_from(words.div_ceil(230)).unwrap_or(u32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_plain_text_cut_at_a_word() {
        assert_eq!(
            excerpt("# Engines\n\nThey *hum* `loud`.", 100),
            "Engines They hum loud."
        );
        assert_eq!(excerpt("one two three four", 12), "one two…");
        assert_eq!(excerpt("<script>alert(1)</script>\n\nplain", 100), "plain");
        assert_eq!(excerpt("", 10), "");
    }

    #[test]
    fn markdown_becomes_html() {
        let html = to_safe_html("## Title\n\nSome *emphasis* and `code`.\n\n- one\n- two");
        assert!(html.contains("<h2>Title</h2>"), "{html}");
        assert!(html.contains("<em>emphasis</em>"), "{html}");
        assert!(html.contains("<li>two</li>"), "{html}");
    }

    #[test]
    fn scripts_event_handlers_and_javascript_links_do_not_survive() {
        let hostile = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
                       [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>\n\n\
                       <iframe src=\"https://evil.example\"></iframe><div onclick=\"alert(5)\">hi</div>\n\n\
                       <svg><script>alert(6)</script></svg><p style=\"background:url(javascript:alert(7))\">";
        let html = to_safe_html(hostile).to_lowercase();
        for forbidden in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "<svg",
            "style=",
        ] {
            assert!(!html.contains(forbidden), "{forbidden} survived in {html}");
        }
    }

    #[test]
    fn links_are_kept_but_cannot_reach_the_opener_or_the_router() {
        let html = to_safe_html("[docs](https://example.com/docs)");
        assert!(html.contains(r#"href="https://example.com/docs""#), "{html}");
        assert!(
            html.contains(r#"rel="noopener noreferrer nofollow ugc external""#),
            "{html}"
        );
        // A link to one of our pages is a whole page load too, through the
        // server's checks, not a hop inside the hydrated app.
        let local = to_safe_html("[sign in](/login?__path=/fn/login&__err=e30)");
        assert!(
            local.contains(r#"rel="noopener noreferrer nofollow ugc external""#),
            "{local}"
        );
    }

    #[test]
    fn reading_time_is_rounded_up_and_at_least_a_minute() {
        assert_eq!(reading_minutes(""), 1);
        assert_eq!(reading_minutes(&"word ".repeat(231)), 2);
    }
}
