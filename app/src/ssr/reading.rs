//! What readers read: the query layer behind the cache, with one caching
//! policy per kind of page. The pages' server functions and the JSON API
//! both call these, so both see the same data, cached once.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{
    model::{ArticleSummary, Period, Profile, TagCount},
    ssr::{
        AppState,
        cache::{Cache, Policy},
        markdown,
        pagination::Page,
        queries::{
            QueryError,
            articles::{self, ArticleRecord},
            comments::{self, CommentRecord},
            favorites::{self, FavoriteState},
            search, tags, users,
        },
    },
};

/// Listings: new articles show within half a minute; a listing may be
/// served five minutes stale while one request recomputes it.
pub const LISTING: Policy = Policy {
    fresh: Duration::from_secs(30),
    stale: Duration::from_secs(300),
};

/// An article, as the design note says: an hour, dropped whenever it
/// changes.
pub const ARTICLE: Policy = Policy {
    fresh: Duration::from_secs(3600),
    stale: Duration::from_secs(600),
};

/// The popular lists: five minutes, as the design note says, and marked
/// stale whenever views are flushed, so a view shows within seconds while
/// no reader ever waits for the ranking to be recomputed.
pub const POPULAR: Policy = Policy {
    fresh: Duration::from_secs(300),
    stale: Duration::from_secs(300),
};

/// How many articles `/popular` ranks.
pub const POPULAR_SIZE: i64 = 10;

/// How deep an offset a filtered listing (by tag, by author, the follow
/// feed) is read to: every row skipped is read, so deeper pages are refused
/// (the API answers 422, pages say there is nothing more) rather than left
/// as a way to make the database read millions of rows. The latest listing
/// seeks to any depth through its anchors ([`crate::ssr::pagination`]).
pub const MAX_OFFSET: i64 = 10_000;

/// Whether `name` (a slug, username or tag from a URL) could name anything;
/// anything else (NUL, ten kilobytes) is answered as not found without a
/// query or a cache key.
fn nameable(name: &str) -> bool {
    crate::domain::could_name_something(name, crate::domain::NAME_MAX)
}

/// How far apart the offsets of pages readers share are: the pages' links
/// ask for offsets 0, 20, 40… and the API's clients for multiples of their
/// `limit` (10, 20, 50, 100).
const GRID: i64 = 10;

/// Whether a page from `offset`, `limit` long, is one readers share: its
/// offset on the [`GRID`], and its length a page's (a multiple of the grid,
/// or one more, which says whether another page follows). Any other shape
/// is computed (once for all who ask at the same moment) and not kept, so
/// `?offset=N&limit=M` for every N and M cannot make the cache hold a copy
/// of the listing per shape.
fn on_the_grid(offset: i64, limit: i64) -> bool {
    limit > 0 && offset >= 0 && offset % GRID == 0 && limit % GRID <= 1
}

/// `compute` for `name`: through the cache when `keep` (see
/// [`on_the_grid`]), else computed and not kept.
async fn shared_or_computed<T, F, Fut>(
    state: &AppState,
    group: &str,
    name: String,
    keep: bool,
    policy: Policy,
    compute: F,
) -> Result<T, QueryError>
where
    T: crate::ssr::cache::Found + Serialize + serde::de::DeserializeOwned + Send + 'static,
    F: FnOnce(sqlx::PgPool) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, QueryError>> + Send + 'static,
{
    match keep {
        true => state.cache.fetch_in(group, &name, policy, compute).await,
        false => state.cache.compute_in(group, &name, compute).await,
    }
}

/// `limit` of the latest published articles from position `offset`, and
/// how many there are in all.
pub async fn latest(state: &AppState, offset: i64, limit: i64) -> Result<Page, QueryError> {
    let index = state.latest.clone();
    let (name, keep) = (format!("latest:{offset}:{limit}"), on_the_grid(offset, limit));
    shared_or_computed(state, LATEST, name, keep, LISTING, move |db| async move {
        index.page(&db, offset, limit).await
    })
    .await
}

/// The cache group of everything that lists published articles across
/// authors: the latest listing and tag listings. Publishing starts a new
/// generation of it.
const LATEST: &str = "latest";

/// The cache group of `username`'s pages.
fn author_group(username: &str) -> String {
    format!("author:{}", username.to_lowercase())
}

/// `limit` of the latest published articles tagged `tag` from `offset`,
/// and how many there are.
pub async fn tagged(state: &AppState, tag: &str, offset: i64, limit: i64) -> Result<Page, QueryError> {
    // Only a canonical spelling is stored; any other finds nothing, without
    // a query or a cache key.
    if !nameable(tag) || offset > MAX_OFFSET || crate::domain::canonical_tag(tag).as_deref() != Ok(tag) {
        return Ok(Page::default());
    }
    let owned = tag.to_owned();
    let (name, keep) = (format!("tag:{tag}:{offset}:{limit}"), on_the_grid(offset, limit));
    shared_or_computed(state, LATEST, name, keep, LISTING, move |db| async move {
        let (articles, total) = tags::published_with(&db, &owned, limit, offset).await?;
        Ok(Page { articles, total })
    })
    .await
}

/// Sitemaps: an hour old at most (search engines read them daily), kept a
/// day past that while one request recomputes.
pub const SITEMAP: Policy = Policy {
    fresh: Duration::from_secs(3600),
    stale: Duration::from_secs(86_400),
};

/// The cache group of the sitemaps: never bumped, they follow publishing
/// within their freshness.
const SITEMAPS: &str = "sitemaps";

/// How many ids (of articles, of authors) or tags one sitemap covers: at
/// most that many URLs (the protocol allows 50,000).
pub const SITEMAP_SIZE: i64 = 10_000;

/// The series of sitemaps, each numbered from 0: `/sitemaps/{name}-{n}.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sitemap {
    /// Published articles, by id range.
    Articles,
    /// Authors with a published article, by account id range.
    Authors,
    /// Tags published articles carry, in order.
    Tags,
}

impl Sitemap {
    pub const ALL: [Self; 3] = [Self::Articles, Self::Authors, Self::Tags];

    pub fn name(self) -> &'static str {
        match self {
            Self::Articles => "articles",
            Self::Authors => "authors",
            Self::Tags => "tags",
        }
    }

    /// The series and number a sitemap's file name (`tags-3.xml`) names.
    pub fn parse(file: &str) -> Option<(Self, i64)> {
        let (name, number) = file.strip_suffix(".xml")?.rsplit_once('-')?;
        let kind = Self::ALL.into_iter().find(|kind| kind.name() == name)?;
        let number = Some(number)
            .filter(|digits| {
                !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|byte| byte.is_ascii_digit())
            })?
            .parse()
            .ok()?;
        Some((kind, number))
    }
}

/// How many sitemaps of `kind` the index lists (the articles' and authors'
/// always at least one, so the index is never empty).
pub async fn sitemap_count(state: &AppState, kind: Sitemap) -> Result<i64, QueryError> {
    let key = format!("sitemap:count:{}", kind.name());
    state
        .cache
        .fetch_in(SITEMAPS, &key, SITEMAP, move |db| async move {
            Ok(match kind {
                Sitemap::Articles => articles::newest_id(&db).await? / SITEMAP_SIZE + 1,
                Sitemap::Authors => users::newest_id(&db).await? / SITEMAP_SIZE + 1,
                Sitemap::Tags => (tags::listed_count(&db).await? + SITEMAP_SIZE - 1) / SITEMAP_SIZE,
            })
        })
        .await
}

/// Sitemap `number` of `kind`: the path (in English; the sitemap names the
/// other language's twin) and last change of each page on it. A number
/// past the end is empty, without a query (the caller answers 404 first).
pub async fn sitemap_pages(
    state: &AppState,
    kind: Sitemap,
    number: i64,
) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, QueryError> {
    let first = number * SITEMAP_SIZE;
    state
        .cache
        .fetch_in(
            SITEMAPS,
            &format!("sitemap:{}:{number}", kind.name()),
            SITEMAP,
            move |db| async move {
                let pages = match kind {
                    Sitemap::Articles => articles::published_in_id_range(&db, first, SITEMAP_SIZE)
                        .await?
                        .into_iter()
                        .map(|(slug, changed)| (format!("/articles/{slug}"), changed))
                        .collect(),
                    Sitemap::Authors => users::authors_in_id_range(&db, first, SITEMAP_SIZE)
                        .await?
                        .into_iter()
                        .map(|(username, changed)| (format!("/@{username}"), changed))
                        .collect(),
                    Sitemap::Tags => tags::listed(&db, first, SITEMAP_SIZE)
                        .await?
                        .into_iter()
                        .map(|(tag, changed)| (crate::model::tag_path(&tag), changed))
                        .collect(),
                };
                Ok(pages)
            },
        )
        .await
}

/// Why a search was not answered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SearchError {
    /// The searcher's address is over its budget (see
    /// [`crate::ssr::throttle::search`]).
    #[error("too many searches")]
    TooMany(crate::ssr::throttle::TooMany),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl From<SearchError> for crate::error::AppError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::TooMany(too_many) => Self::TooMany(too_many.retry_after),
            SearchError::Query(query) => query.into(),
        }
    }
}

/// `limit` of the published articles matching `query`, best first, from
/// `offset`, and how many match (up to [`search::CANDIDATES`]). Searches
/// are cached like listings, in their group: publishing shows in results at
/// once. An empty or unusable query (control characters, over
/// [`crate::domain::SEARCH_MAX`]) matches nothing without a query.
///
/// A search is the most expensive thing a stranger can ask for, and every
/// new wording misses the cache, so it is bounded three ways: each address
/// (`searcher`) may search `WARTA_SEARCHES_PER_ADDRESS` times a minute (pages a CDN or the page cache answers never reach
/// here); the statement has a time limit of its own, shorter than a page's
/// (`WARTA_SEARCH_TIMEOUT_MS`), after which the reader is asked for
/// something narrower; and snippets are made from the first 20,000
/// characters of a body.
pub async fn search(
    state: &AppState,
    query: &str,
    offset: i64,
    limit: i64,
    searcher: Option<crate::ssr::client::ClientAddress>,
) -> Result<(Vec<search::Hit>, i64), SearchError> {
    let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if query.is_empty()
        || query.chars().count() > crate::domain::SEARCH_MAX
        || crate::domain::check_characters("q", &query, false).is_err()
        || offset >= search::CANDIDATES
    {
        return Ok((Vec::new(), 0));
    }
    if let Some(searcher) = searcher {
        crate::ssr::throttle::search(&state.session_redis, searcher, state.searches_per_address)
            .await
            .map_err(SearchError::TooMany)?;
    }
    let (name, keep) = (
        format!("search:{}:{offset}:{limit}", query.to_lowercase()),
        on_the_grid(offset, limit),
    );
    let time_limit = state.search_timeout;
    Ok(
        shared_or_computed(state, LATEST, name, keep, LISTING, move |db| async move {
            Ok(search::published(&db, &query, limit, offset, time_limit).await?)
        })
        .await?,
    )
}

/// How many authors and how many tags the search page names.
pub const NAMES_SHOWN: i64 = 5;

/// The authors and tags whose names start with `query` (cut to what a name
/// or a tag can be: a query that could be neither finds none, without a
/// query), cached like the search's results and counted in the same
/// budget by the caller's search.
pub async fn search_names(state: &AppState, query: &str) -> Result<crate::model::NameMatches, QueryError> {
    let typed = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let author = crate::domain::Username::parse(&typed)
        .ok()
        .map(|_| typed.to_lowercase());
    let tag = crate::domain::canonical_tag(&typed).ok();
    if author.is_none() && tag.is_none() {
        return Ok(crate::model::NameMatches::default());
    }
    let name = format!(
        "names:{}:{}",
        author.as_deref().unwrap_or(""),
        tag.as_deref().unwrap_or("")
    );
    shared_or_computed(state, LATEST, name, true, LISTING, move |db| async move {
        let authors = match &author {
            Some(prefix) => search::authors_starting(&db, prefix, NAMES_SHOWN).await?,
            None => Vec::new(),
        };
        let tags = match &tag {
            Some(prefix) => search::tags_starting(&db, prefix, NAMES_SHOWN).await?,
            None => Vec::new(),
        };
        Ok(crate::model::NameMatches { authors, tags })
    })
    .await
}

/// The cache group of an article's comments: a new or deleted comment
/// forgets these pages and nothing else.
fn comments_group(slug: &str) -> String {
    format!("comments:{slug}")
}

/// `limit` comments on the article `slug` after the comment `after`,
/// oldest first.
pub async fn comments(
    state: &AppState,
    slug: &str,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<CommentRecord>, QueryError> {
    if !nameable(slug) {
        return Ok(Vec::new());
    }
    let owned = slug.to_owned();
    // The first page is what every reader of the article sees; later ones
    // start after any comment id a URL names, so they are read, not kept.
    let name = format!("comments:{slug}:{}:{limit}", after.unwrap_or(0));
    shared_or_computed(
        state,
        &comments_group(slug),
        name,
        after.is_none(),
        ARTICLE,
        move |db| async move { Ok(comments::on_slug(&db, &owned, after, limit, false).await?) },
    )
    .await
}

/// The same page with the hidden comments in it (marked), for those who
/// may restore them: the article's author and moderators. Read from the
/// primary, never cached: what they see after hiding one must be true.
pub async fn comments_with_hidden(
    state: &AppState,
    slug: &str,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<CommentRecord>, QueryError> {
    if !nameable(slug) {
        return Ok(Vec::new());
    }
    Ok(comments::on_slug(&state.db, slug, after, limit, true).await?)
}

/// Forgets the cached comments of the article `slug` (its current slug).
pub async fn forget_comments(cache: &Cache, slug: &str) {
    cache.bump(&[&comments_group(slug)]).await;
}

/// How many tags the home page and `GET /api/tags` show.
pub const POPULAR_TAGS: i64 = 40;

/// The tags on the most published articles, most used first. In the
/// latest listing's group: publishing shows a new tag at once.
pub async fn popular_tags(state: &AppState) -> Result<Vec<TagCount>, QueryError> {
    state
        .cache
        .fetch_in(LATEST, "tags:popular", LISTING, move |db| async move {
            Ok(tags::popular(&db, POPULAR_TAGS).await?)
        })
        .await
}

/// `username`'s profile, and `limit` of the published articles they saved
/// from `offset`, most recently saved first, with how many there are;
/// `None` when nobody has that name. With the user's other pages: saving
/// forgets them.
pub async fn favorites_of(
    state: &AppState,
    username: &str,
    offset: i64,
    limit: i64,
) -> Result<Option<(Profile, Page)>, QueryError> {
    if !nameable(username) {
        return Ok(None);
    }
    // Past the deepest page a reader may ask for, the reader is still
    // shown, with nothing more to list.
    let (offset, limit) = if offset > MAX_OFFSET { (0, 0) } else { (offset, limit) };
    let owned = username.to_owned();
    let (name, keep) = (
        format!("favorites:{}:{offset}:{limit}", username.to_lowercase()),
        on_the_grid(offset, limit),
    );
    shared_or_computed(
        state,
        &author_group(username),
        name,
        keep,
        LISTING,
        move |db| async move {
            let Some((user_id, profile)) = users::profile(&db, &owned).await? else {
                return Ok(None);
            };
            let (articles, total) = favorites::saved_by(&db, user_id, limit, offset).await?;
            Ok(Some((profile, Page { articles, total })))
        },
    )
    .await
}

/// `reader` (called `reader_name`) saves (`save` true) or unsaves the
/// published article `slug`, and the cached pages showing either change are
/// forgotten: the article (its count) and the reader's favorites. Listings
/// show the new count within their freshness (half a minute). `None` when
/// no published article has that slug.
pub async fn favorite(
    state: &AppState,
    reader: i64,
    reader_name: &str,
    slug: &str,
    save: bool,
) -> Result<Option<FavoriteState>, QueryError> {
    if !nameable(slug) {
        return Ok(None);
    }
    let Some((current, changed)) = favorites::set(&state.db, reader, slug, save).await? else {
        return Ok(None);
    };
    let (article, reader) = (article_key(&current), author_group(reader_name));
    state.cache.bump(&[article.as_str(), reader.as_str()]).await;
    Ok(Some(changed))
}

/// `limit` of `username`'s published articles from `offset`, and how many
/// there are; `None` when nobody has that name.
pub async fn by_author(state: &AppState, username: &str, offset: i64, limit: i64) -> Result<Option<Page>, QueryError> {
    if !nameable(username) {
        return Ok(None);
    }
    if offset > MAX_OFFSET {
        return Ok(Some(Page::default()));
    }
    let owned = username.to_owned();
    let (name, keep) = (
        format!("by-author:{}:{offset}:{limit}", username.to_lowercase()),
        on_the_grid(offset, limit),
    );
    shared_or_computed(
        state,
        &author_group(username),
        name,
        keep,
        LISTING,
        move |db| async move {
            let Some((author_id, _)) = users::profile(&db, &owned).await? else {
                return Ok(None);
            };
            let articles = articles::published_by_author(&db, author_id, limit, offset).await?;
            let total = articles::count_published_by_author(&db, author_id).await?;
            Ok(Some(Page { articles, total }))
        },
    )
    .await
}

/// Forgets every cached page showing the article `slug` by `author`: its
/// page, its author's pages and, when it is or was `listed`, every listing
/// it appears in (latest, tags, popular). One bump, so after a write the
/// primary's position is read once.
pub async fn forget_article_pages(cache: &Cache, slug: &str, author: &str, listed: bool) {
    let (article, author) = (article_key(slug), author_group(author));
    let mut groups = vec![article.as_str(), author.as_str()];
    if listed {
        groups.push(LATEST);
    }
    cache.bump(&groups).await;
}

/// Forgets every cached page a moderation action changes: the pages of
/// the articles `slugs` (hidden, restored, or their author suspended or
/// restored), the comments under each of `commented`, the pages of each of
/// `authors`, and, when `listed`, every listing, feed and sitemap. One
/// bump, so the change shows on every instance at once.
pub async fn forget_moderated(cache: &Cache, slugs: &[String], commented: &[String], authors: &[&str], listed: bool) {
    let mut groups: Vec<String> = slugs.iter().map(|slug| article_key(slug)).collect();
    groups.extend(commented.iter().map(|slug| comments_group(slug)));
    groups.extend(authors.iter().map(|author| author_group(author)));
    if listed {
        groups.push(LATEST.to_owned());
        groups.push(SITEMAPS.to_owned());
    }
    cache.bump(&groups.iter().map(String::as_str).collect::<Vec<_>>()).await;
}

/// The cache name of the popular list of `period`. The lists share a hash
/// tag, so [`refresh_popular`] marks them all stale in one call.
fn popular_name(period: Period) -> String {
    format!("{{popular}}:{}", period.as_str())
}

/// The most-viewed articles of `period`. They belong to the latest
/// listing's group: an article leaves them as soon as it is unpublished.
pub async fn popular(state: &AppState, period: Period) -> Result<Vec<ArticleSummary>, QueryError> {
    state
        .cache
        .fetch_in(LATEST, &popular_name(period), POPULAR, move |db| async move {
            let since = period.window().map(|window| chrono::Utc::now() - window);
            Ok(articles::most_viewed(&db, since, POPULAR_SIZE).await?)
        })
        .await
}

/// Marks the cached popular lists stale after views were added: readers
/// keep getting the old ranking without waiting while one request per list
/// recomputes it.
pub async fn refresh_popular(cache: &Cache) {
    let names = Period::ALL.map(popular_name);
    cache.expire_in(LATEST, &names.each_ref().map(String::as_str)).await;
}

/// A published article, with its body rendered, as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleEntry {
    pub record: ArticleRecord,
    /// The body rendered from Markdown and sanitized.
    pub body_html: String,
    pub reading_minutes: u32,
}

/// The published article with `slug`; `None` when there is none.
pub async fn article(state: &AppState, slug: &str) -> Result<Option<ArticleEntry>, QueryError> {
    if !nameable(slug) {
        return Ok(None);
    }
    let owned = slug.to_owned();
    state
        .cache
        .fetch_in(&article_key(slug), &article_key(slug), ARTICLE, move |db| async move {
            let record = articles::published_by_slug(&db, &owned).await?;
            Ok(record.map(|record| ArticleEntry {
                body_html: markdown::to_safe_html(&record.body),
                reading_minutes: markdown::reading_minutes(&record.body),
                record,
            }))
        })
        .await
}

/// Whether a published article has `slug`: for the view pixel, which must
/// not count (or leave anything behind in Redis for) an article there is
/// not. Cached with the article, so a change to it is seen at once, in a
/// value of a few bytes rather than the whole article.
pub async fn article_exists(state: &AppState, slug: &str) -> Result<bool, QueryError> {
    if !nameable(slug) {
        return Ok(false);
    }
    let owned = slug.to_owned();
    state
        .cache
        .fetch_in(
            &article_key(slug),
            &format!("exists:{slug}"),
            ARTICLE,
            move |db| async move { Ok(articles::published_id_by_slug(&db, &owned).await?.is_some()) },
        )
        .await
}

/// Forgets the cached article with `slug`; for every change to an article.
/// A generation, not a delete: a read that began before the change and
/// ends after it stores the old article under the old generation, where
/// nobody looks again.
pub async fn forget_article(cache: &Cache, slug: &str) {
    cache.bump(&[&article_key(slug)]).await;
}

fn article_key(slug: &str) -> String {
    format!("article:{slug}")
}

/// An author and a page of their published articles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorListing {
    pub profile: Profile,
    pub articles: Vec<ArticleSummary>,
}

/// `username`'s profile and `limit` of their articles from `offset`;
/// `None` when nobody has that name.
pub async fn author(
    state: &AppState,
    username: &str,
    offset: i64,
    limit: i64,
) -> Result<Option<AuthorListing>, QueryError> {
    if !nameable(username) {
        return Ok(None);
    }
    // Past the deepest page a reader may ask for, the author is still
    // shown, with nothing more to list.
    let (offset, limit) = if offset > MAX_OFFSET { (0, 0) } else { (offset, limit) };
    let owned = username.to_owned();
    let (name, keep) = (
        format!("author:{}:{offset}:{limit}", username.to_lowercase()),
        on_the_grid(offset, limit),
    );
    shared_or_computed(
        state,
        &author_group(username),
        name,
        keep,
        LISTING,
        move |db| async move {
            let Some((author_id, profile)) = users::profile(&db, &owned).await? else {
                return Ok(None);
            };
            let articles = articles::published_by_author(&db, author_id, limit, offset).await?;
            Ok(Some(AuthorListing { profile, articles }))
        },
    )
    .await
}

/// Forgets every cached page of each of `usernames` (after a profile
/// changed: a rename names the old and the new), in one bump.
pub async fn forget_authors(cache: &Cache, usernames: &[&str]) {
    let groups: Vec<String> = usernames.iter().map(|username| author_group(username)).collect();
    cache.bump(&groups.iter().map(String::as_str).collect::<Vec<_>>()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::cache::group_kind;

    #[test]
    fn only_pages_on_their_own_grid_are_kept() {
        assert!(on_the_grid(0, 20));
        assert!(on_the_grid(40, 20));
        assert!(
            on_the_grid(40, 21),
            "an author's page, one more to see if another follows"
        );
        assert!(on_the_grid(300, 100));
        assert!(!on_the_grid(41, 20), "an offset between pages");
        assert!(!on_the_grid(3, 7));
        assert!(!on_the_grid(0, 7), "a length no page has");
        assert!(!on_the_grid(0, 0));
        assert!(!on_the_grid(-20, 20));
    }

    #[test]
    fn every_group_reading_names_has_a_kind_of_its_own_for_metrics() {
        let groups = [
            (LATEST.to_owned(), "latest"),
            (SITEMAPS.to_owned(), "sitemaps"),
            (article_key("why-rust"), "article"),
            (author_group("Ada"), "author"),
            (comments_group("why-rust"), "comments"),
        ];
        for (group, kind) in groups {
            assert_eq!(group_kind(&group), kind, "{group}");
        }
    }
}
