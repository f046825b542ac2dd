//! The emails about an account itself: the links that reset a password or
//! verify an address, and the notices that a password or an address
//! changed. Plain text and HTML, in the account's language; user-written
//! values (the username) are escaped before they go into the HTML.

use anyhow::Context as _;
use app::{i18n::Locale, ssr::queries::links::Purpose, ssr::recovery::Notice, t};
use lettre::{
    Message,
    message::{Mailbox, MultiPart},
};

/// A link to reset a password or to verify an address.
#[derive(Debug, Clone)]
pub struct AccountLink<'a> {
    pub recipient: Mailbox,
    pub locale: Locale,
    pub username: &'a str,
    pub purpose: Purpose,
    /// The address being verified (the recipient's).
    pub email: &'a str,
    /// The link's absolute URL.
    pub url: &'a str,
    pub message_id: String,
}

/// The email carrying `link`.
pub fn account_link_message(from: &Mailbox, link: &AccountLink<'_>) -> anyhow::Result<Message> {
    let AccountLink {
        locale,
        username,
        purpose,
        email,
        url,
        ..
    } = *link;
    let (subject, intro, action, line, ignore) = match purpose {
        Purpose::Reset => (
            t!(locale, "email-reset-subject"),
            t!(locale, "email-reset-intro"),
            t!(locale, "email-reset-action"),
            t!(locale, "email-reset-link", url = url),
            t!(locale, "email-reset-ignore"),
        ),
        Purpose::Verify => (
            t!(locale, "email-verify-subject"),
            t!(locale, "email-verify-intro", email = email),
            t!(locale, "email-verify-action"),
            t!(locale, "email-verify-link", url = url),
            t!(locale, "email-verify-ignore"),
        ),
    };
    let greeting = t!(locale, "email-greeting", username = username);
    let expires = t!(locale, "email-link-expires");
    let text = format!("{greeting}\n\n{intro}\n\n{line}\n\n{expires}\n{ignore}\n");
    let e = |value: &str| html_escape::encode_text(value).into_owned();
    let html_intro = match purpose {
        Purpose::Reset => intro.clone(),
        Purpose::Verify => t!(locale, "email-verify-intro", email = e(email)),
    };
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{subject}</title></head>
<body style="font-family: Georgia, serif; max-width: 36rem; margin: 0 auto; padding: 1rem; color: #1c1917">
<p>{greeting}</p>
<p>{html_intro}</p>
<p><a href="{url_attr}" style="display: inline-block; padding: 0.6rem 1rem; background: #1c1917; color: #fafaf9; text-decoration: none; border-radius: 0.375rem">{action}</a></p>
<p style="font-size: 0.8rem; color: #57534e">{expires} {ignore}</p>
</body></html>
"#,
        lang = locale.code(),
        subject = e(&subject),
        greeting = t!(locale, "email-greeting", username = e(username)),
        url_attr = html_escape::encode_double_quoted_attribute(url),
    );
    Message::builder()
        .from(from.clone())
        .to(link.recipient.clone())
        .subject(subject)
        .message_id(Some(link.message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .context("building the email")
}

/// A notice that something that signs the account in changed.
#[derive(Debug, Clone)]
pub struct AccountNotice<'a> {
    pub recipient: Mailbox,
    pub locale: Locale,
    pub username: &'a str,
    pub notice: &'a Notice,
    /// Where to ask for a new password (absolute).
    pub forgot_url: &'a str,
    pub message_id: String,
}

/// The email carrying `notice` (plain text: it has nothing to click but a
/// link it names in full).
pub fn account_notice_message(from: &Mailbox, notice: &AccountNotice<'_>) -> anyhow::Result<Message> {
    let AccountNotice {
        locale,
        username,
        forgot_url,
        ..
    } = *notice;
    let (subject, body) = match notice.notice {
        Notice::PasswordChanged => (
            t!(locale, "email-password-changed-subject"),
            t!(locale, "email-password-changed-text", url = forgot_url),
        ),
        Notice::EmailChanged { old, new, .. } => (
            t!(locale, "email-address-changed-subject"),
            t!(
                locale,
                "email-address-changed-text",
                old = old.as_str(),
                new = new.as_str()
            ),
        ),
    };
    let greeting = t!(locale, "email-greeting", username = username);
    Message::builder()
        .from(from.clone())
        .to(notice.recipient.clone())
        .subject(subject)
        .message_id(Some(notice.message_id.clone()))
        .body(format!("{greeting}\n\n{body}\n"))
        .context("building the email")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        "Warta <no-reply@warta.example>".parse().unwrap()
    }

    #[test]
    fn a_reset_link_is_in_the_readers_language_with_the_name_escaped() {
        let message = account_link_message(
            &from(),
            &AccountLink {
                recipient: "ada@example.org".parse().unwrap(),
                locale: Locale::Id,
                username: "<b>ada</b>",
                purpose: Purpose::Reset,
                email: "ada@example.org",
                url: "https://warta.example/id/reset-password/abc",
                message_id: "<reset-1@warta.example>".to_owned(),
            },
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Buat kata sandi"), "{raw}");
        assert!(raw.contains("https://warta.example/id/reset-password/abc"));
        assert!(raw.contains("&lt;b&gt;ada&lt;/b&gt;"), "the name is escaped in HTML");
        assert!(!raw.contains("<p>Halo <b>"), "{raw}");
    }
}
