//! The rows `warta seed` loads: every row a pure function of the plan and
//! its index, written in `COPY`'s text format.

use chrono::{DateTime, Days, NaiveDate, TimeZone as _, Utc};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::{
    search::{Lexicon, Parsed, Vector},
    text,
};

/// Rows per COPY batch (and per random stream).
pub(super) const CHUNK: u64 = 50_000;

/// The longest an article waits between being begun and being published.
pub(super) const LONGEST_DELAY: chrono::Duration = chrono::Duration::hours(6);

/// The most favorites one article gets: the most read would otherwise be
/// saved by more readers than a test database has.
const MOST_FAVORITES: u64 = 20_000;

/// The most comments under one article.
const MOST_COMMENTS: u64 = 300;

/// One `COPY` statement and its data.
pub(super) struct Copy {
    pub(super) statement: &'static str,
    pub(super) data: Vec<u8>,
}

/// The three years articles are spread over.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) start: DateTime<Utc>,
    seconds: i64,
}

impl Span {
    pub(super) fn three_years_until(until: NaiveDate) -> Self {
        let end = Utc.from_utc_datetime(&until.and_hms_opt(23, 59, 59).expect("a valid time"));
        let start_day = until.checked_sub_days(Days::new(3 * 365)).unwrap_or(until);
        let start = Utc.from_utc_datetime(&start_day.and_hms_opt(0, 0, 0).expect("a valid time"));
        Self {
            start,
            seconds: (end - start).num_seconds().max(1),
        }
    }

    fn at(&self, offset: i64) -> DateTime<Utc> {
        self.start + chrono::Duration::seconds(offset.clamp(0, self.seconds))
    }
}

/// What to generate; every row is a pure function of the plan and its index.
pub(super) struct Plan {
    pub(super) seed: u64,
    pub(super) span: Span,
    pub(super) first_user: i64,
    pub(super) users: u64,
    pub(super) first_article: i64,
    pub(super) articles: u64,
    /// One argon2id hash of [`super::DEMO_PASSWORD`] shared by every seeded
    /// user: hashing a million passwords would take hours.
    pub(super) password_hash: String,
    /// Whether this is a bulk load, with the row triggers disabled (see
    /// `bulk`): the articles' rows carry their favorites' count and their
    /// author's listing rows are written too. Otherwise (rows appended to
    /// a running site) the triggers do both.
    pub(super) bulk: bool,
    /// The pool paragraphs' search vectors (see `search`).
    pub(super) lexicon: Lexicon,
    pub(super) paragraphs: Vec<Parsed>,
}

/// Prepares the lexicon for loading: the generator's own words met (from a
/// thousand articles of a stream no load uses), each looked up in the
/// articles' configuration (`search::stem_words`), and every lexeme
/// numbered in sort order, so that nearly every vector comes out sorted
/// without sorting strings (see `search::Vector::write`).
pub(super) async fn vocabulary(
    pool: &sqlx::PgPool,
    lexicon: Lexicon,
    mut paragraphs: Vec<Parsed>,
) -> anyhow::Result<(Lexicon, Vec<Parsed>)> {
    let mut vector = Vector::new(lexicon, &paragraphs);
    let mut rng = ChaCha8Rng::seed_from_u64(u64::MAX);
    for _ in 0..1_000 {
        text::article(&mut rng, 1, &mut vector);
        vector.clear();
    }
    let lexicon = super::search::stem_words(pool, vector.into_lexicon()).await?;
    let lexicon = lexicon.sort(&mut paragraphs);
    Ok((lexicon, paragraphs))
}

impl Plan {
    fn rng(&self, table: u64, chunk: u64) -> ChaCha8Rng {
        // Distinct, well-mixed streams per (seed, table, chunk).
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(table << 48 | chunk);
        rng
    }

    fn chunk_range(total: u64, chunk: u64) -> std::ops::Range<u64> {
        chunk * CHUNK..((chunk + 1) * CHUNK).min(total)
    }

    pub(super) fn user_chunk(&self, chunk: u64) -> Vec<Copy> {
        let mut rng = self.rng(1, chunk);
        let mut data = Vec::with_capacity(CHUNK as usize * 160);
        for index in Self::chunk_range(self.users, chunk) {
            let id = self.first_user + index as i64;
            let user = text::user(&mut rng, id);
            let created = self.span.at(rng.random_range(0..self.span.seconds));
            let bio = if rng.random_bool(0.7) {
                text::sentence(&mut rng)
            } else {
                String::new()
            };
            Row::new(&mut data)
                .display(id)
                .text(&user.username)
                .text(&user.email)
                .text(&self.password_hash)
                .text(&bio)
                .time(created)
                .time(created)
                // Demo readers' addresses count as verified: they follow
                // authors and are emailed, as real readers are once they
                // open their verification link.
                .display(true)
                .end();
        }
        vec![Copy {
            statement: "COPY users (id, username, email, password_hash, bio, created_at, updated_at, email_verified) FROM STDIN",
            data,
        }]
    }

    pub(super) fn article_chunk(&self, chunk: u64) -> Vec<Copy> {
        let mut rng = self.rng(2, chunk);
        let mut articles = Vec::with_capacity(CHUNK as usize * 6_000);
        Binary::header(&mut articles);
        let mut slugs = Vec::with_capacity(CHUNK as usize * 90);
        let mut tags = Vec::with_capacity(CHUNK as usize * 60);
        let mut favorites = Vec::with_capacity(CHUNK as usize * 80);
        let mut comments = Vec::with_capacity(CHUNK as usize * 80);
        let mut publications = Vec::with_capacity(if self.bulk { CHUNK as usize * 90 } else { 0 });
        // Tags, favorites and comments each draw from a stream of their
        // own, so adding them changed no article's text.
        let mut tag_rng = self.rng(3, chunk);
        let mut favorite_rng = self.rng(4, chunk);
        let mut comment_rng = self.rng(5, chunk);
        let mut vector = Vector::new(self.lexicon.clone(), &self.paragraphs);
        for index in Self::chunk_range(self.articles, chunk) {
            let id = self.first_article + index as i64;
            // Authorship is heavy-tailed: a few prolific writers, a long tail.
            let author = self.first_user + (self.users as f64 * rng.random::<f64>().powi(3)) as i64;
            let article = text::article(&mut rng, id, &mut vector);
            let created = self.span.at(rng.random_range(0..self.span.seconds));
            let published = rng.random_bool(0.9);
            let (status, published_at, views) = if published {
                let delay = rng.random_range(0..LONGEST_DELAY.num_seconds());
                let at = self.span.at((created - self.span.start).num_seconds() + delay);
                (text::PUBLISHED, Some(at), pareto_views(&mut rng))
            } else {
                (text::DRAFT, None, 0)
            };
            // Readers save and answer what they read: both follow the views.
            let saved = match published_at {
                Some(published) => {
                    let read = Read {
                        article: id,
                        created,
                        published,
                        views,
                    };
                    self.comments(&mut comment_rng, &mut comments, read);
                    self.favorites(&mut favorite_rng, &mut favorites, read)
                }
                None => 0,
            };
            Binary::new(&mut articles, 13)
                .int8(id)
                .int8(author)
                .text(&article.slug)
                .text(&article.title)
                .text(&article.description)
                .text(&article.body)
                .text(status)
                .int8(views)
                .time(created)
                .optional_time(published_at)
                .time(published_at.unwrap_or(created))
                .int4(if self.bulk { saved as i32 } else { 0 })
                .with(|out| vector.write(out));
            if let (true, Some(at)) = (self.bulk, published_at) {
                Row::new(&mut publications)
                    .display(id)
                    .time(created)
                    .display(author)
                    .time(at)
                    .end();
            }
            Row::new(&mut slugs)
                .text(&article.slug)
                .display(id)
                .time(created)
                .time(created)
                .end();
            for (position, tag) in text::tags(&mut tag_rng).iter().enumerate() {
                Row::new(&mut tags)
                    .display(id)
                    .time(created)
                    .text(tag)
                    .display(position + 1)
                    .optional_time(published_at)
                    .end();
            }
        }
        Binary::trailer(&mut articles);
        let mut copies = vec![
            // In binary: Postgres reads the search vectors several times
            // faster than their text form.
            Copy {
                statement: "COPY articles (id, user_id, slug, title, description, body, status, views, \
                            created_at, published_at, updated_at, favorites_count, search) \
                            FROM STDIN WITH (FORMAT binary)",
                data: articles,
            },
            Copy {
                statement: "COPY article_slugs (slug, article_id, article_created_at, created_at) FROM STDIN",
                data: slugs,
            },
            // Each batch's counts reach `tag_counts` in one statement (its
            // trigger runs per statement).
            Copy {
                statement: "COPY article_tags (article_id, article_created_at, tag, position, published_at) FROM STDIN",
                data: tags,
            },
            Copy {
                statement: "COPY favorites (user_id, article_id, article_created_at, created_at) FROM STDIN",
                data: favorites,
            },
            Copy {
                statement: "COPY comments (article_id, article_created_at, user_id, body, created_at, updated_at) \
                            FROM STDIN",
                data: comments,
            },
        ];
        if self.bulk {
            copies.push(Copy {
                statement: "COPY author_publications (article_id, created_at, user_id, published_at) FROM STDIN",
                data: publications,
            });
        }
        copies
    }

    /// An article's favorites, one in a few dozen of its views (at most
    /// [`MOST_FAVORITES`]), each by a different reader, saved after it was
    /// published. Returns how many.
    fn favorites(&self, rng: &mut ChaCha8Rng, out: &mut Vec<u8>, read: Read) -> u64 {
        let count = ((read.views as f64 * rng.random_range(0.0..0.04)) as u64).min(MOST_FAVORITES.min(self.users));
        if count == 0 {
            return 0;
        }
        // Distinct readers: a walk through the users with a stride that
        // shares no factor with their number visits each at most once.
        let start = rng.random_range(0..self.users);
        let mut stride = rng.random_range(1..self.users.max(2)) | 1;
        while gcd(stride, self.users) != 1 {
            stride += 2;
        }
        for n in 0..count {
            let reader = self.first_user + ((start + n * stride) % self.users) as i64;
            Row::new(out)
                .display(reader)
                .display(read.article)
                .time(read.created)
                .time(self.after(rng, read.published))
                .end();
        }
        count
    }

    /// An article's comments, one in a few hundred of its views (at most
    /// [`MOST_COMMENTS`]): a sentence or three each, from readers of whom a
    /// few comment a lot.
    fn comments(&self, rng: &mut ChaCha8Rng, out: &mut Vec<u8>, read: Read) {
        let count = ((read.views as f64 * rng.random_range(0.0..0.015)) as u64).min(MOST_COMMENTS);
        for _ in 0..count {
            let reader = self.first_user + (self.users as f64 * rng.random::<f64>().powi(2)) as i64;
            let body = (0..rng.random_range(1..=3))
                .map(|_| text::sentence(rng))
                .collect::<Vec<_>>()
                .join(" ");
            let at = self.after(rng, read.published);
            Row::new(out)
                .display(read.article)
                .time(read.created)
                .display(reader)
                .text(&body)
                .time(at)
                .time(at)
                .end();
        }
    }

    /// A moment between `at` and the end of the span.
    fn after(&self, rng: &mut ChaCha8Rng, at: DateTime<Utc>) -> DateTime<Utc> {
        let from = (at - self.span.start).num_seconds();
        self.span.at(rng.random_range(from..=self.span.seconds.max(from)))
    }
}

/// A published article, as its favorites and comments are made for it.
#[derive(Debug, Clone, Copy)]
struct Read {
    article: i64,
    created: DateTime<Utc>,
    published: DateTime<Utc>,
    views: i64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Views follow a Pareto distribution (alpha 1.2): most articles are read a
/// few dozen times, a handful hundreds of thousands.
fn pareto_views(rng: &mut ChaCha8Rng) -> i64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    (10.0 / u.powf(1.0 / 1.2)).min(5_000_000.0) as i64
}

/// Writes one row in `COPY`'s binary format: the field count, then each
/// field as its length and its bytes in the type's binary form.
struct Binary<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> Binary<'a> {
    /// Microseconds from the Unix epoch to Postgres's, 2000-01-01.
    const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

    /// What begins the data: the signature, no flags, no extension.
    fn header(out: &mut Vec<u8>) {
        out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        out.extend_from_slice(&0_u32.to_be_bytes());
        out.extend_from_slice(&0_u32.to_be_bytes());
    }

    /// What ends it.
    fn trailer(out: &mut Vec<u8>) {
        out.extend_from_slice(&(-1_i16).to_be_bytes());
    }

    fn new(out: &'a mut Vec<u8>, fields: i16) -> Self {
        out.extend_from_slice(&fields.to_be_bytes());
        Self { out }
    }

    fn field(self, bytes: &[u8]) -> Self {
        self.out
            .extend_from_slice(&i32::try_from(bytes.len()).expect("a field under 2 GB").to_be_bytes());
        self.out.extend_from_slice(bytes);
        self
    }

    fn int8(self, value: i64) -> Self {
        self.field(&value.to_be_bytes())
    }

    fn int4(self, value: i32) -> Self {
        self.field(&value.to_be_bytes())
    }

    fn text(self, value: &str) -> Self {
        self.field(value.as_bytes())
    }

    fn time(self, at: DateTime<Utc>) -> Self {
        self.int8(at.timestamp_micros() - Self::POSTGRES_EPOCH_MICROS)
    }

    fn optional_time(self, at: Option<DateTime<Utc>>) -> Self {
        match at {
            Some(at) => self.time(at),
            None => {
                self.out.extend_from_slice(&(-1_i32).to_be_bytes());
                self
            }
        }
    }

    /// A field `write` writes, as the last of the row.
    fn with(self, write: impl FnOnce(&mut Vec<u8>)) {
        let at = self.out.len();
        self.out.extend_from_slice(&[0; 4]);
        write(self.out);
        let length = i32::try_from(self.out.len() - at - 4).expect("a field under 2 GB");
        self.out[at..at + 4].copy_from_slice(&length.to_be_bytes());
    }
}

/// Writes one row in `COPY` text format: tab-separated, escaped, `\N` for
/// NULL.
struct Row<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out, first: true }
    }

    fn separator(&mut self) {
        if !self.first {
            self.out.push(b'\t');
        }
        self.first = false;
    }

    fn text(mut self, field: &str) -> Self {
        self.separator();
        for &byte in field.as_bytes() {
            match byte {
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                _ => self.out.push(byte),
            }
        }
        self
    }

    fn display(self, field: impl std::fmt::Display) -> Self {
        self.text(&field.to_string())
    }

    fn time(self, at: DateTime<Utc>) -> Self {
        self.text(&at.to_rfc3339())
    }

    fn optional_time(mut self, at: Option<DateTime<Utc>>) -> Self {
        match at {
            Some(at) => self.time(at),
            None => {
                self.separator();
                self.out.extend_from_slice(b"\\N");
                self
            }
        }
    }

    fn end(self) {
        self.out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Plan {
        /// A plan whose pool paragraphs have empty vectors (parsing them
        /// needs Postgres).
        fn for_tests(seed: u64, users: u64, articles: u64) -> Self {
            Self {
                seed,
                span: Span::three_years_until(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()),
                first_user: 1,
                users,
                first_article: 1,
                articles,
                password_hash: String::new(),
                bulk: true,
                lexicon: Lexicon::default(),
                paragraphs: vec![Parsed::default(); text::paragraphs().len()],
            }
        }
    }

    #[test]
    fn copy_rows_escape_tabs_newlines_and_backslashes() {
        let mut out = Vec::new();
        Row::new(&mut out)
            .text("a\tb")
            .text("line\nnext\\")
            .optional_time(None)
            .end();
        assert_eq!(String::from_utf8(out).unwrap(), "a\\tb\tline\\nnext\\\\\t\\N\n");
    }

    #[test]
    fn the_same_seed_generates_the_same_rows() {
        let plan = |seed| Plan::for_tests(seed, 100, 100);
        let a = plan(7).article_chunk(0);
        let b = plan(7).article_chunk(0);
        let c = plan(8).article_chunk(0);
        assert_eq!(a[0].data, b[0].data);
        assert_ne!(a[0].data, c[0].data);
    }

    #[test]
    fn an_articles_favorites_are_by_distinct_readers() {
        for users in [1_u64, 2, 10, 1_000_000] {
            let plan = Plan::for_tests(3, users, 1);
            let mut rng = ChaCha8Rng::seed_from_u64(users);
            let mut out = Vec::new();
            let at = plan.span.at(0);
            let read = Read {
                article: 1,
                created: at,
                published: at,
                views: 1_000_000_000_000,
            };
            let count = plan.favorites(&mut rng, &mut out, read);
            assert_eq!(count, users.min(MOST_FAVORITES), "{users} users");
            let readers: std::collections::HashSet<&str> = std::str::from_utf8(&out)
                .unwrap()
                .lines()
                .map(|line| line.split('\t').next().unwrap())
                .collect();
            assert_eq!(readers.len() as u64, count, "{users} users");
        }
    }

    #[test]
    fn views_are_heavy_tailed() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut views: Vec<i64> = (0..10_000).map(|_| pareto_views(&mut rng)).collect();
        views.sort_unstable();
        let median = views[views.len() / 2];
        let top = views[views.len() - 1];
        assert!(median < 30, "median {median}");
        assert!(top > 100 * median, "top {top}, median {median}");
    }
}
