//! Publishing: creating, editing and deleting articles, each in one
//! transaction, then forgetting every cached page the change shows on, so
//! readers see it at once and the author always sees their own write.
//!
//! Slugs come from titles (`Hello, World!` → `hello-world`) and never
//! change afterwards, so links to an article keep working when its title
//! does. A slug some article already has (or had) gets a short random
//! suffix instead (`hello-world-k3x9qa`).

use crate::{
    domain::{ArticleText, CommentBody},
    ssr::{
        AppState, moderation, notifications,
        queries::{
            self, QueryError,
            comments::{self, CommentRecord},
            editing::{self, EditableArticle},
        },
        reading,
        throttle::{self, TooMany},
    },
};

/// How many characters of a title a slug keeps, at most.
const SLUG_MAX: usize = 80;

/// Why a change to an existing article was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("no such article")]
    NotFound,
    #[error("only its author may change an article")]
    Forbidden,
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// A refused or failed write as a page's error. Here rather than in
/// [`crate::error`], so the shared error type knows nothing of publishing.
impl From<WriteError> for crate::error::AppError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::NotFound => Self::NotFound,
            WriteError::Forbidden => Self::Forbidden,
            WriteError::Query(query) => query.into(),
        }
    }
}

/// Why a comment could not be added or deleted.
#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    #[error("no such article")]
    NoArticle,
    #[error("no such comment")]
    NoComment,
    #[error("only its writer, the article's author or a moderator may delete a comment")]
    Forbidden,
    /// The article's author blocked the writer.
    #[error("the article's author blocked you")]
    Blocked,
    #[error("too many comments")]
    TooMany(TooMany),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<sqlx::Error> for CommentError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error.into())
    }
}

/// The published article `slug` (current or former), for its comments.
pub async fn commentable(state: &AppState, slug: &str) -> Result<EditableArticle, CommentError> {
    editing::by_slug(&state.db, slug)
        .await?
        .filter(|article| article.published)
        .ok_or(CommentError::NoArticle)
}

/// `writer` comments on the published article `slug`, within their budget
/// ([`throttle::COMMENTS_PER_ACCOUNT`] in ten minutes), unless its author
/// blocked them; the article's cached comments, and only those, are
/// forgotten.
pub async fn comment(
    state: &AppState,
    writer: i64,
    slug: &str,
    body: &CommentBody,
) -> Result<CommentRecord, CommentError> {
    let article = commentable(state, slug).await?;
    if queries::blocks::blocks(&state.db, article.user_id, writer).await? {
        return Err(CommentError::Blocked);
    }
    throttle::comment(&state.session_redis, writer)
        .await
        .map_err(CommentError::TooMany)?;
    let added = comments::add(&state.db, article.id, article.created_at, writer, body.as_str()).await?;
    reading::forget_comments(&state.cache, &article.slug).await;
    Ok(added)
}

/// `reader` deletes comment `id` on the published article `slug`: their
/// own, or any under their own article, or any as a moderator (those two
/// are recorded in the moderation history).
pub async fn delete_comment(state: &AppState, reader: i64, slug: &str, id: i64) -> Result<(), CommentError> {
    let article = commentable(state, slug).await?;
    let comment = queries::moderation::comment(&state.db, id)
        .await?
        .filter(|comment| comment.article_id == article.id)
        .ok_or(CommentError::NoComment)?;
    let mut tx = state.db.begin().await?;
    if comment.user_id != reader {
        if moderation::steward_of(state, reader, &comment).await?.is_none() {
            return Err(CommentError::Forbidden);
        }
        moderation::record_deletion(&mut *tx, reader, &comment, state.clock.now()).await?;
    }
    comments::delete(&mut *tx, id).await?;
    tx.commit().await?;
    reading::forget_comments(&state.cache, &article.slug).await;
    Ok(())
}

/// Creates an article by `author` (id and username) and returns its slug.
/// `publish` makes it public at once (and queues the emails to its
/// author's followers in the same transaction); otherwise it is a draft.
pub async fn create(
    state: &AppState,
    author_id: i64,
    author: &str,
    text: &ArticleText,
    publish: bool,
) -> Result<String, QueryError> {
    let base = slug_of(&text.title);
    let mut tx = state.db.begin().await?;
    let (id, created_at) = editing::insert(&mut tx, author_id, &base, text, publish).await?;
    let mut slug = base.clone();
    let mut attempts = 0;
    while !editing::claim_slug(&mut tx, id, created_at, &slug).await? {
        attempts += 1;
        if attempts > 8 {
            // 36^6 suffixes: only a broken random source gets here.
            return Err(QueryError::Encoding("no free slug found".into()));
        }
        slug = format!("{base}-{}", random_suffix());
    }
    editing::set_tags(&mut tx, id, created_at, &text.tags).await?;
    if publish {
        notifications::on_publish(&mut *tx, id, created_at).await?;
    }
    tx.commit().await?;
    reading::forget_article_pages(&state.cache, &slug, author, publish).await;
    Ok(slug)
}

/// The article with `slug`, for `user_id` to edit: [`WriteError::NotFound`]
/// when there is none (or it is someone else's draft, whose existence is
/// nobody else's business), [`WriteError::Forbidden`] when it is someone
/// else's published article.
pub async fn editable(state: &AppState, user_id: i64, slug: &str) -> Result<EditableArticle, WriteError> {
    let article = editing::by_slug(&state.db, slug)
        .await
        .map_err(QueryError::from)?
        .ok_or(WriteError::NotFound)?;
    match (article.user_id == user_id, article.published) {
        (true, _) => Ok(article),
        (false, true) => Err(WriteError::Forbidden),
        (false, false) => Err(WriteError::NotFound),
    }
}

/// Replaces `article`'s text; `publish` as in [`editing::update`].
pub async fn update(
    state: &AppState,
    article: &EditableArticle,
    text: &ArticleText,
    publish: Option<bool>,
) -> Result<(), QueryError> {
    let mut tx = state.db.begin().await?;
    // Read (and lock) the status inside the transaction: two publishes of
    // one draft at once must not both see it as a draft.
    let was_published = editing::lock_published(&mut *tx, article.id, article.created_at)
        .await?
        .unwrap_or(article.published);
    editing::update(&mut tx, article.id, article.created_at, text, publish).await?;
    editing::set_tags(&mut tx, article.id, article.created_at, &text.tags).await?;
    if publish == Some(true) && !was_published {
        // A draft going public. Publishing again after unpublishing queues
        // another fan-out, which emails only followers not yet told.
        notifications::on_publish(&mut *tx, article.id, article.created_at).await?;
    }
    tx.commit().await?;
    let listed = article.published || publish == Some(true);
    reading::forget_article_pages(&state.cache, &article.slug, &article.author, listed).await;
    Ok(())
}

/// Deletes `article` for good (its cover's files a little later: pages a
/// CDN still holds may show them for a few minutes).
pub async fn delete(state: &AppState, article: &EditableArticle) -> Result<(), QueryError> {
    let mut tx = state.db.begin().await?;
    let cover = queries::covers::key(&mut *tx, article.id).await?;
    editing::delete(&mut *tx, article.id, article.created_at).await?;
    if let Some(key) = cover {
        crate::ssr::covers::delete_later(&mut *tx, &key).await?;
    }
    tx.commit().await?;
    reading::forget_article_pages(&state.cache, &article.slug, &article.author, article.published).await;
    Ok(())
}

/// A readable slug for `title`: ASCII words joined by hyphens, cut at a word
/// boundary; `article` when nothing readable is left.
pub fn slug_of(title: &str) -> String {
    let slug = slug::slugify(title);
    let mut cut = String::new();
    for word in slug.split('-') {
        if !cut.is_empty() && cut.len() + 1 + word.len() > SLUG_MAX {
            break;
        }
        if !cut.is_empty() {
            cut.push('-');
        }
        cut.push_str(word);
    }
    cut.truncate(SLUG_MAX);
    if cut.is_empty() { "article".to_owned() } else { cut }
}

fn random_suffix() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..6)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_ascii_cut_at_a_word() {
        assert_eq!(slug_of("Hello, World!"), "hello-world");
        assert_eq!(slug_of("Ünïcödé — café"), "unicode-cafe");
        assert_eq!(slug_of("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug_of("!!!"), "article");
        assert_eq!(slug_of("日本語"), "ri-ben-yu");
        let long = slug_of(&"word ".repeat(40));
        assert!(long.len() <= SLUG_MAX && !long.ends_with('-'), "{long}");
        assert_eq!(slug_of(&"x".repeat(100)).len(), SLUG_MAX);
    }

    #[test]
    fn suffixes_are_six_plain_characters() {
        let suffix = random_suffix();
        assert_eq!(suffix.len(), 6);
        assert!(suffix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
