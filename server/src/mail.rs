//! Outgoing email: the transport (SMTP, or `.eml` files in development)
//! and the messages Warta sends.

use std::time::Duration;

use anyhow::Context as _;
use app::{i18n::Locale, t};
use lettre::{
    AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
    transport::smtp::PoolConfig,
};

use crate::config::MailSettings;

mod account;

pub use account::{AccountLink, AccountNotice, account_link_message, account_notice_message};

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server (`SMTP_URL`), over a pool of kept-open connections.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in a folder, for development: a newcomer
    /// reads the mail with any mail program, and nothing leaves the machine.
    /// A file is named by its Message-ID and written whole or not at all, so
    /// a message sent again (a worker killed between sending and recording
    /// it) replaces itself: what a receiving server's duplicate suppression
    /// by Message-ID does.
    Files(std::path::PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::Files(dir) => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused this reader's mailbox for good (550, 551, 553:
    /// no such mailbox): trying again would not help.
    #[error("refused: {0}")]
    Permanent(String),
    /// Anything that may pass on a later try (connection, 4xx, timeout).
    #[error("{0}")]
    Transient(String),
}

impl Mailer {
    /// The transport `settings` ask for.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .context("SMTP_URL: not a usable SMTP URL")?
                    .timeout(Some(Duration::from_secs(30)))
                    .pool_config(PoolConfig::new().max_size(settings.connections))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&settings.outbox)
                    .with_context(|| format!("WARTA_OUTBOX_DIR: cannot create {}", settings.outbox.display()))?;
                Ok(Self::Files(settings.outbox.clone()))
            }
        }
    }

    /// Sends `message`; returns once the server has accepted it (or the
    /// file is written). Counted in metrics by outcome.
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        let sent = self.deliver(message).await;
        let outcome = match &sent {
            Ok(()) => "sent",
            Err(SendError::Permanent(_)) => "refused",
            Err(SendError::Transient(_)) => "failed",
        };
        metrics::counter!(crate::monitoring::names::EMAILS, "outcome" => outcome).increment(1);
        sent
    }

    async fn deliver(&self, message: Message) -> Result<(), SendError> {
        match self {
            Self::Smtp(transport) => transport.send(message).await.map(drop).map_err(|error| {
                // Only a refusal of the mailbox itself is this reader's
                // for good; any other 5xx (bad credentials, sender not
                // allowed, TLS required) is ours to fix, and must fail the
                // job where `warta jobs` shows it, not skip the reader.
                let mailbox_refused = error
                    .status()
                    .is_some_and(|code| matches!(u16::from(code), 550 | 551 | 553));
                if error.is_permanent() && mailbox_refused {
                    SendError::Permanent(error.to_string())
                } else {
                    SendError::Transient(error.to_string())
                }
            }),
            Self::Files(dir) => write_file(dir, &message)
                .await
                .map_err(|error| SendError::Transient(format!("writing to the outbox: {error}"))),
        }
    }
}

/// Writes `message` to `dir` as `<Message-ID>.eml` (a fresh name when it
/// has none): to a temporary file first, then renamed into place.
async fn write_file(dir: &std::path::Path, message: &Message) -> std::io::Result<()> {
    let id = message
        .headers()
        .get_raw("Message-ID")
        .map(file_name)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let temporary = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
    tokio::fs::write(&temporary, message.formatted()).await?;
    tokio::fs::rename(&temporary, dir.join(format!("{id}.eml"))).await
}

/// A Message-ID as a file name: without its angle brackets, and with
/// anything but letters, digits and `.-_@+` replaced.
fn file_name(message_id: &str) -> String {
    message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_@+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `List-Unsubscribe` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail
/// programs may unsubscribe with one POST to the `List-Unsubscribe` URL.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// What a follower is told about a new article.
#[derive(Debug, Clone)]
pub struct NewArticle<'a> {
    pub recipient: Mailbox,
    /// The language the recipient reads Warta in.
    pub locale: Locale,
    pub author: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// The article's absolute URL.
    pub url: &'a str,
    /// The absolute one-click unsubscribe URL.
    pub unsubscribe_url: &'a str,
    /// Names this (article, recipient) pair: the same on every attempt, so
    /// a mail system that saw a message twice can tell.
    pub message_id: String,
}

/// The email for `article`, in the recipient's language: plain text and
/// HTML, with the unsubscribe headers of RFC 2369 and RFC 8058.
pub fn new_article_message(from: &Mailbox, article: &NewArticle<'_>) -> anyhow::Result<Message> {
    let NewArticle {
        locale,
        author,
        title,
        description,
        url,
        unsubscribe_url,
        ..
    } = *article;
    let text = format!(
        "{intro}\n\n{title}\n{description}\n\n{read}\n\n--\n{why}\n{stop}\n",
        intro = t!(locale, "email-intro", author = author),
        read = t!(locale, "email-read-it", url = url),
        why = t!(locale, "email-why", author = author),
        stop = t!(locale, "email-stop", url = unsubscribe_url),
    );
    let e = |value: &str| html_escape::encode_text(value).into_owned();
    let a = |value: &str| html_escape::encode_double_quoted_attribute(value).into_owned();
    // Short lines: a line over 998 characters would force an encoding
    // that makes the raw message unreadable.
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title_text}</title></head>
<body style="font-family: Georgia, serif; max-width: 36rem; margin: 0 auto; padding: 1rem; color: #1c1917">
<p style="color: #57534e">{intro}</p>
<h1 style="font-size: 1.5rem"><a href="{url_attr}" style="color: #1c1917">{title_text}</a></h1>
<p>{description_text}</p>
<p><a href="{url_attr}">{read}</a></p>
<hr style="border: 0; border-top: 1px solid #e7e5e4">
<p style="font-size: 0.8rem; color: #57534e">{why}
<a href="{unsubscribe_attr}">{unsubscribe}</a></p>
</body></html>
"#,
        lang = locale.code(),
        // The catalogue's words are ours; the author's name is escaped
        // before it goes into them.
        intro = t!(locale, "email-intro", author = e(author)),
        why = t!(locale, "email-why", author = e(author)),
        read = t!(locale, "email-read-story"),
        unsubscribe = t!(locale, "email-unsubscribe"),
        title_text = e(title),
        description_text = e(description),
        url_attr = a(url),
        unsubscribe_attr = a(unsubscribe_url),
    );
    Message::builder()
        .from(from.clone())
        .to(article.recipient.clone())
        .subject(t!(locale, "email-subject", author = author, title = title))
        .message_id(Some(article.message_id.clone()))
        .header(ListUnsubscribe(format!("<{unsubscribe_url}>")))
        .header(ListUnsubscribePost)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .context("building the email")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_sent_twice_to_the_outbox_is_one_file() {
        let dir = std::env::temp_dir().join(format!("warta-outbox-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mailer = Mailer::Files(dir.clone());
        let message = |id: &str| {
            Message::builder()
                .from("a@example.org".parse().unwrap())
                .to("b@example.org".parse().unwrap())
                .subject("Hi")
                .message_id(Some(id.to_owned()))
                .body(String::from("Hello"))
                .unwrap()
        };
        mailer
            .send(message("<article-1.reader-2@warta.example>"))
            .await
            .unwrap();
        mailer
            .send(message("<article-1.reader-2@warta.example>"))
            .await
            .unwrap();
        mailer
            .send(message("<article-1.reader-3@warta.example>"))
            .await
            .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "article-1.reader-2@warta.example.eml",
                "article-1.reader-3@warta.example.eml"
            ]
        );
        assert_eq!(file_name("<a/b\\c..@x>"), "a_b_c..@x");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_notification_has_both_parts_escaped_html_and_one_click_unsubscribe() {
        let from: Mailbox = "Warta <no-reply@warta.example>".parse().unwrap();
        let message = new_article_message(
            &from,
            &NewArticle {
                recipient: "reader@example.org".parse().unwrap(),
                locale: Locale::En,
                author: "ada",
                title: "Engines <and> \"looms\"",
                description: "On machines",
                url: "https://warta.example/articles/engines",
                unsubscribe_url: "https://warta.example/unsubscribe/1-2-sig",
                message_id: "<1.2@warta.example>".to_owned(),
            },
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(
            raw.contains("List-Unsubscribe: <https://warta.example/unsubscribe/1-2-sig>"),
            "{raw}"
        );
        assert!(
            raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{raw}"
        );
        assert!(raw.contains("Message-ID: <1.2@warta.example>"), "{raw}");
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(raw.contains("Content-Type: text/html"), "{raw}");
        assert!(
            raw.contains("Engines &lt;and&gt;"),
            "the HTML part escapes the title: {raw}"
        );
        assert!(!raw.contains("<and>\"looms\"</a>"), "{raw}");
        assert!(raw.contains("ada published a new story on Warta:"), "{raw}");
    }

    #[test]
    fn a_notification_is_in_the_readers_language_with_the_name_escaped() {
        let from: Mailbox = "Warta <no-reply@warta.example>".parse().unwrap();
        let message = new_article_message(
            &from,
            &NewArticle {
                recipient: "pembaca@example.org".parse().unwrap(),
                locale: Locale::Id,
                author: "<b>ada</b>",
                title: "Mesin",
                description: "Tentang mesin",
                url: "https://warta.example/id/articles/mesin",
                unsubscribe_url: "https://warta.example/id/unsubscribe/1-2-sig",
                message_id: "<1.3@warta.example>".to_owned(),
            },
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        // Quoted-printable: undo the soft line breaks and `=3D`.
        let raw = raw.replace("=\r\n", "").replace("=3D", "=");
        assert!(raw.contains("menerbitkan tulisan baru di Warta"), "{raw}");
        assert!(raw.contains("<html lang=\"id\">"), "{raw}");
        assert!(
            raw.contains("&lt;b&gt;ada&lt;/b&gt; menerbitkan"),
            "the HTML part escapes the name: {raw}"
        );
        assert!(!raw.contains("published a new story"), "{raw}");
    }
}
