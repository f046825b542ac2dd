//! Plausible words for demo data: names, titles and Markdown bodies.

use std::{fmt::Write as _, sync::OnceLock};

use rand::{Rng, SeedableRng as _, seq::IndexedRandom as _};
use rand_chacha::ChaCha8Rng;

use super::search::{Vector, Weight};

pub(super) const PUBLISHED: &str = "published";
pub(super) const DRAFT: &str = "draft";

const FIRST_NAMES: &[&str] = &[
    "ada", "alan", "amara", "ana", "arjun", "aya", "bao", "bea", "carlos", "chen", "dara", "dewi", "eli", "emma",
    "farah", "femi", "grace", "hana", "ivan", "jamal", "jia", "kai", "kofi", "lars", "lea", "lina", "luca", "maya",
    "mei", "nadia", "nia", "noah", "olu", "omar", "priya", "putri", "rafael", "rina", "sami", "sara", "sekar", "tariq",
    "tomas", "uma", "vera", "wayan", "yuki", "zara",
];
const LAST_NAMES: &[&str] = &[
    "abara", "becker", "costa", "dewanti", "eriksen", "fischer", "garcia", "haddad", "ibrahim", "jensen", "kato",
    "kusuma", "larsen", "mendes", "nakamura", "novak", "okafor", "patel", "quinn", "rossi", "santoso", "schmidt",
    "silva", "tanaka", "utomo", "virtanen", "wibowo", "xu", "yilmaz", "zhang",
];
const TOPICS: &[&str] = &[
    "distributed systems",
    "slow travel",
    "urban gardening",
    "sourdough",
    "open source",
    "remote work",
    "climate adaptation",
    "typography",
    "street food",
    "bicycle repair",
    "public libraries",
    "night photography",
    "household budgets",
    "rust",
    "postgres",
    "small businesses",
    "local elections",
    "coffee farming",
    "mountain trails",
    "jazz records",
    "language learning",
    "city buses",
    "rainwater",
    "old maps",
    "chess openings",
    "batik",
    "volcanoes",
    "reef restoration",
    "board games",
    "sleep",
    "running",
    "kitchen knives",
    "tea",
    "poetry",
    "community radio",
    "solar panels",
    "bird watching",
    "ferries",
    "bookbinding",
    "databases",
];
const ADJECTIVES: &[&str] = &[
    "quiet",
    "practical",
    "honest",
    "surprising",
    "patient",
    "unfinished",
    "careful",
    "small",
    "stubborn",
    "gentle",
    "forgotten",
    "everyday",
    "modest",
    "curious",
    "simple",
    "long",
    "hidden",
    "useful",
];
const VERBS: &[&str] = &[
    "learn",
    "fix",
    "start with",
    "think about",
    "teach",
    "measure",
    "build",
    "explain",
    "slow down with",
    "write about",
    "plan for",
    "fall in love with",
];
const WORDS: &[&str] = &[
    "the",
    "a",
    "we",
    "it",
    "this",
    "that",
    "every",
    "most",
    "some",
    "our",
    "their",
    "small",
    "long",
    "careful",
    "work",
    "time",
    "people",
    "city",
    "morning",
    "question",
    "answer",
    "idea",
    "habit",
    "street",
    "market",
    "year",
    "system",
    "problem",
    "reason",
    "story",
    "neighbour",
    "window",
    "garden",
    "kitchen",
    "river",
    "notebook",
    "is",
    "was",
    "becomes",
    "keeps",
    "needs",
    "shows",
    "makes",
    "takes",
    "gives",
    "means",
    "changes",
    "holds",
    "quietly",
    "slowly",
    "again",
    "often",
    "rarely",
    "together",
    "later",
    "almost",
    "never",
    "always",
    "still",
    "and",
    "but",
    "because",
    "so",
    "while",
    "when",
    "after",
    "before",
    "until",
    "unless",
    "though",
    "if",
    "in",
    "on",
    "with",
    "without",
    "under",
    "over",
    "between",
    "through",
    "across",
    "around",
    "near",
    "about",
    "simple",
    "honest",
    "useful",
    "strange",
    "familiar",
    "patient",
    "bright",
    "heavy",
    "light",
    "open",
    "clear",
    "measure",
    "notice",
    "remember",
    "repair",
    "share",
    "borrow",
    "return",
    "listen",
    "write",
    "read",
    "wait",
];

/// A generated user's names.
pub(super) struct User {
    pub(super) username: String,
    pub(super) email: String,
}

/// A user whose names are unique through their id.
pub(super) fn user(rng: &mut ChaCha8Rng, id: i64) -> User {
    let first = FIRST_NAMES.choose(rng).expect("names");
    let last = LAST_NAMES.choose(rng).expect("names");
    let username = format!("{first}_{last}_{id}");
    let email = format!("{first}.{last}.{id}@example.com");
    User { username, email }
}

/// Up to three distinct tags from the topics (`slow-travel`, `rust`),
/// popularity falling off steeply: a few tags carry most articles, as on a
/// real site, so tag pages range from a handful of articles to hundreds of
/// thousands.
pub(super) fn tags(rng: &mut impl Rng) -> Vec<String> {
    let count = rng.random_range(0..=3);
    let mut tags: Vec<String> = Vec::with_capacity(count);
    for _ in 0..count {
        let rank = (TOPICS.len() as f64 * rng.random::<f64>().powi(2)) as usize;
        let tag = TOPICS[rank.min(TOPICS.len() - 1)].replace(' ', "-");
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// A generated article's text.
pub(super) struct Article {
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) body: String,
}

/// An article: a title from a pattern, a one-sentence description and a
/// Markdown body of roughly 1.5 to 4.5 KB.
pub(super) fn article(rng: &mut ChaCha8Rng, id: i64, search: &mut Vector<'_>) -> Article {
    let title = title(rng);
    let slug = format!("{}-{}", slugify(&title), base36(id as u64));
    let description = sentence(rng);
    search.words(&title, Weight::A);
    search.end_field();
    search.words(&description, Weight::B);
    search.end_field();
    let body = body(rng, &title, search);
    Article {
        slug,
        title,
        description,
        body,
    }
}

fn title(rng: &mut ChaCha8Rng) -> String {
    let topic = *TOPICS.choose(rng).expect("topics");
    let other = *TOPICS.choose(rng).expect("topics");
    let adjective = *ADJECTIVES.choose(rng).expect("adjectives");
    let verb = *VERBS.choose(rng).expect("verbs");
    let mut title = match rng.random_range(0..7) {
        0 => format!("How to {verb} {topic}"),
        1 => format!("Why {topic} matters more than you think"),
        2 => format!("{} lessons from a year of {topic}", rng.random_range(3..13)),
        3 => format!("The {adjective} guide to {topic}"),
        4 => format!("Notes on {topic} and {other}"),
        5 => format!("What {topic} taught me about {other}"),
        _ => format!("In praise of {adjective} {topic}"),
    };
    capitalise(&mut title);
    title
}

/// One sentence of 8 to 20 words.
pub(super) fn sentence(rng: &mut impl Rng) -> String {
    let count = rng.random_range(8..=20);
    let mut sentence = String::with_capacity(count * 7);
    for i in 0..count {
        if i > 0 {
            sentence.push(' ');
        }
        sentence.push_str(WORDS.choose(rng).expect("words"));
    }
    capitalise(&mut sentence);
    sentence.push('.');
    sentence
}

/// Paragraphs to build bodies from, made once from a fixed seed. Picking
/// whole paragraphs keeps generation fast enough for millions of articles
/// (and lets Postgres parse each for the search vectors once: see
/// `search`).
pub(super) fn paragraphs() -> &'static [String] {
    static POOL: OnceLock<Vec<String>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(0x0057_4152_5441);
        (0..2_048)
            .map(|_| {
                let count = rng.random_range(3..=6);
                let mut paragraph = String::new();
                for i in 0..count {
                    if i > 0 {
                        paragraph.push(' ');
                    }
                    let mut s = sentence(&mut rng);
                    // Some inline Markdown, as people write it.
                    match rng.random_range(0..12) {
                        0 => s = format!("**{s}**"),
                        1 => s = format!("_{s}_"),
                        2 => s = format!("{} [more here](https://example.com/{}).", s.trim_end_matches('.'), i),
                        3 => {
                            s = format!(
                                "{} `{}`.",
                                s.trim_end_matches('.'),
                                WORDS.choose(&mut rng).expect("words")
                            )
                        }
                        _ => {}
                    }
                    paragraph.push_str(&s);
                }
                paragraph
            })
            .collect()
    })
}

/// A Markdown body of pool paragraphs, headings, lists, quotes and code,
/// its words added to `search` as they are written.
fn body(rng: &mut ChaCha8Rng, title: &str, search: &mut Vector<'_>) -> String {
    let pool = paragraphs();
    let target = rng.random_range(1_500..4_500);
    let mut body = String::with_capacity(target + 600);
    let paragraph = |rng: &mut ChaCha8Rng, search: &mut Vector<'_>| {
        let index = rng.random_range(0..pool.len());
        search.paragraph(index, Weight::C);
        &pool[index]
    };
    let first = paragraph(rng, search);
    let _ = writeln!(body, "{first}\n");
    let mut section = 0;
    // Everything but the pool's paragraphs is plain words: what is
    // written goes to `search` as it is.
    let plain = |body: &mut String, search: &mut Vector<'_>, text: std::fmt::Arguments<'_>| {
        let from = body.len();
        let _ = body.write_fmt(text);
        search.words(&body[from..], Weight::C);
    };
    while body.len() < target {
        if rng.random_bool(0.3) {
            section += 1;
            let heading = TOPICS.choose(rng).expect("topics");
            plain(&mut body, search, format_args!("## {section}. On {heading}\n\n"));
        }
        match rng.random_range(0..10) {
            0 => {
                for _ in 0..rng.random_range(2..5) {
                    plain(&mut body, search, format_args!("- {}\n", sentence(rng)));
                }
                body.push('\n');
            }
            1 => {
                let quoted = paragraph(rng, search);
                let _ = writeln!(body, "> {quoted}\n");
            }
            2 => {
                let word = WORDS.choose(rng).expect("words");
                plain(
                    &mut body,
                    search,
                    format_args!("```sh\n# {}\necho \"{word}\"\n```\n\n", title.to_lowercase()),
                );
            }
            _ => {
                let next = paragraph(rng, search);
                let _ = writeln!(body, "{next}\n");
            }
        }
    }
    body.truncate(body.trim_end().len());
    body
}

fn capitalise(text: &mut String) {
    if let Some(first) = text.get(0..1) {
        let upper = first.to_uppercase();
        text.replace_range(0..1, &upper);
    }
}

/// `How to fix Rust!` → `how-to-fix-rust`.
fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii digits")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::search::{Lexicon, Parsed};

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert_eq!(slugify("How to fix Rust!"), "how-to-fix-rust");
        assert_eq!(slugify("  A -- b  "), "a-b");
    }

    #[test]
    fn base36_round_trips() {
        for n in [0_u64, 35, 36, 5_000_000, u64::MAX] {
            assert_eq!(u64::from_str_radix(&base36(n), 36).unwrap(), n);
        }
    }

    #[test]
    fn bodies_are_a_few_kilobytes_of_markdown() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let paragraphs = vec![Parsed::default(); paragraphs().len()];
        let mut search = Vector::new(Lexicon::default(), &paragraphs);
        for id in 0..50 {
            let article = article(&mut rng, id, &mut search);
            assert!(
                (1_400..6_000).contains(&article.body.len()),
                "{} bytes",
                article.body.len()
            );
            assert!(article.slug.ends_with(&base36(id as u64)));
        }
    }
}
