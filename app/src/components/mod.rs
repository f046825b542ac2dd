//! Building blocks shared by pages.

pub mod article_list;
pub mod avatar;
pub mod block;
pub mod fields;
pub mod layout;
pub mod meta;
pub mod pager;
pub mod tags;
pub mod theme;

/// What to give a `<textarea>` as `inner_html` so it shows `text` exactly.
///
/// Leptos 0.8 (tachys 0.2) writes a textarea's children into server HTML
/// without escaping them, so a child string holding `</textarea><script>`
/// would end the element and run the script. Escaped and passed as inner
/// HTML instead, it is right in both places it lands: in the server's HTML,
/// and in the browser's `innerHTML`, which parses a textarea's content as
/// text with entities (RCDATA), so `&lt;` comes back as `<`.
pub fn textarea_content(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn textarea_content_cannot_close_the_element() {
        assert_eq!(
            super::textarea_content("a < b & </textarea><script>x()</script>"),
            "a &lt; b &amp; &lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;"
        );
    }
}
