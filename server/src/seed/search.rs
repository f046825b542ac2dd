//! Articles' search vectors, composed while their text is generated.
//!
//! Parsing every body in Postgres (`article_search_vector`, the trigger's
//! function) was two thirds of a 5M-article load. The seed writes the same
//! vectors itself, from two facts about its text and `tsvector`s:
//!
//! - bodies are made of pieces joined by whitespace, and `a || b` on two
//!   vectors shifts `b`'s positions past `a`'s last, which is exactly where
//!   parsing `a b` puts them. So each of the 2,048 pool paragraphs (which
//!   hold Markdown and links, whose parsing is Postgres's own business) is
//!   parsed once, by Postgres, and reused wherever it appears;
//! - everything else the seed writes (titles, sentences, headings, code
//!   blocks) is ASCII words and numbers between spaces and punctuation,
//!   from a closed vocabulary. Each word takes one position and becomes one
//!   lexeme or none (a stop word): Postgres says which, once per word, for
//!   the `english` configuration every seeded article is indexed with (see
//!   [`stem_words`]).
//!
//! `server/tests/api/seed.rs` checks every seeded vector against the
//! function's.

use std::collections::HashMap;

use anyhow::Context as _;
use sqlx::PgPool;

/// A lexeme's weight: title, description, body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    A,
    B,
    C,
}

/// A pool paragraph's vector, as Postgres parsed it: lexemes (by their
/// number in the [`Lexicon`]) at positions, the last of those positions,
/// and how many positions the paragraph takes in a longer text (stop words
/// take one each without a lexeme, so this may be more).
#[derive(Debug, Default, Clone)]
pub(super) struct Parsed {
    entries: Vec<(u32, u16)>,
    last: u16,
    words: u16,
}

/// Every lexeme met so far, numbered, and what each plain word becomes.
#[derive(Debug, Default, Clone)]
pub(super) struct Lexicon {
    numbers: HashMap<String, u32>,
    lexemes: Vec<String>,
    /// A lowercase word's lexeme (by number), or `None` for a stop word.
    words: HashMap<String, Option<u32>>,
    /// Words met that [`stem_words`] has not looked up yet.
    unstemmed: Vec<String>,
    /// Lexemes numbered below this are numbered in their sort order, so a
    /// vector of only those, sorted by number, is sorted by lexeme.
    sorted: u32,
}

impl Lexicon {
    fn number(&mut self, lexeme: &str) -> u32 {
        if let Some(&number) = self.numbers.get(lexeme) {
            return number;
        }
        let number = u32::try_from(self.lexemes.len()).expect("fewer than 4 billion lexemes");
        self.numbers.insert(lexeme.to_owned(), number);
        self.lexemes.push(lexeme.to_owned());
        number
    }

    /// Renumbers every lexeme in sort order, here and in `paragraphs`.
    pub(super) fn sort(mut self, paragraphs: &mut [Parsed]) -> Self {
        let mut order: Vec<u32> = (0..self.lexemes.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.lexemes[a as usize].cmp(&self.lexemes[b as usize]));
        let mut renumbered = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumbered[old as usize] = new as u32;
        }
        self.lexemes = order
            .iter()
            .map(|&old| std::mem::take(&mut self.lexemes[old as usize]))
            .collect();
        for number in self.numbers.values_mut() {
            *number = renumbered[*number as usize];
        }
        for number in self.words.values_mut().flatten() {
            *number = renumbered[*number as usize];
        }
        self.sorted = self.lexemes.len() as u32;
        for paragraph in paragraphs {
            for (lexeme, _) in &mut paragraph.entries {
                *lexeme = renumbered[*lexeme as usize];
            }
        }
        self
    }
}

/// The language of every seeded article (the text is English words).
pub(super) const LANGUAGE: &str = "en";

/// Parses each paragraph with the trigger's own function (as a body, in
/// [`LANGUAGE`]: its weights are dropped, the seed applies its own).
pub(super) async fn parse_paragraphs(pool: &PgPool, paragraphs: &[String]) -> anyhow::Result<(Lexicon, Vec<Parsed>)> {
    let rows = sqlx::query!(
        r#"SELECT p.number AS "number!", v.lexeme AS "lexeme!", v.positions AS "positions!"
           FROM unnest($1::text[]) WITH ORDINALITY AS p (body, number),
                unnest(article_search_vector('', '', p.body, $2)) AS v"#,
        paragraphs,
        LANGUAGE
    )
    .fetch_all(pool)
    .await
    .context("parsing the seed's paragraphs")?;
    // Every token a dictionary looks at takes a position, a stop word too.
    let words = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM ts_debug(search_config($2), p.body) d WHERE d.dictionaries <> '{}') AS "words!"
           FROM unnest($1::text[]) WITH ORDINALITY AS p (body, number)
           ORDER BY p.number"#,
        paragraphs,
        LANGUAGE
    )
    .fetch_all(pool)
    .await
    .context("counting the seed's paragraphs' words")?;
    let mut lexicon = Lexicon::default();
    let mut parsed: Vec<Parsed> = words
        .iter()
        .map(|row| {
            Ok(Parsed {
                words: u16::try_from(row.words).context("a paragraph's words")?,
                ..Parsed::default()
            })
        })
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(parsed.len() == paragraphs.len(), "a word count per paragraph");
    for row in rows {
        let paragraph = usize::try_from(row.number - 1)
            .ok()
            .and_then(|index| parsed.get_mut(index))
            .context("a paragraph's number")?;
        let lexeme = lexicon.number(&row.lexeme);
        for position in row.positions {
            let position = u16::try_from(position).context("a position")?;
            paragraph.entries.push((lexeme, position));
            paragraph.last = paragraph.last.max(position);
        }
    }
    Ok((lexicon, parsed))
}

/// Asks Postgres what each word met but not yet looked up becomes in
/// [`LANGUAGE`]'s configuration: one lexeme (stemmed: `lessons` is
/// `lesson`), or none for a stop word (`the`), which still takes its
/// position, as in Postgres's own vectors.
pub(super) async fn stem_words(pool: &PgPool, mut lexicon: Lexicon) -> anyhow::Result<Lexicon> {
    let words = std::mem::take(&mut lexicon.unstemmed);
    let rows = sqlx::query!(
        r#"SELECT w.word AS "word!", array(SELECT lexeme FROM unnest(to_tsvector(search_config($2), w.word))) AS "lexemes!"
           FROM unnest($1::text[]) AS w (word)"#,
        &words,
        LANGUAGE
    )
    .fetch_all(pool)
    .await
    .context("stemming the seed's words")?;
    for row in rows {
        let lexeme = match row.lexemes.as_slice() {
            [] => None,
            [lexeme] => Some(lexicon.number(lexeme)),
            more => anyhow::bail!("the seed's word {:?} makes several lexemes: {more:?}", row.word),
        };
        lexicon.words.insert(row.word, lexeme);
    }
    Ok(lexicon)
}

/// A lexeme (by number), a position and its weight.
type Entry = (u32, u16, Weight);

/// One article's vector, as it is written.
#[derive(Debug)]
pub(super) struct Vector<'a> {
    lexicon: Lexicon,
    paragraphs: &'a [Parsed],
    /// In the order written.
    entries: Vec<Entry>,
    /// The positions taken so far in this field of the text.
    last: u16,
    /// The last position that holds a lexeme: where the next field starts
    /// (`a || b` shifts `b` past `a`'s last lexeme, not past its trailing
    /// stop words).
    last_lexeme: u16,
}

impl<'a> Vector<'a> {
    /// An empty vector; `lexicon` and `paragraphs` are [`parse_paragraphs`]'.
    pub(super) fn new(lexicon: Lexicon, paragraphs: &'a [Parsed]) -> Self {
        Self {
            lexicon,
            paragraphs,
            entries: Vec::with_capacity(1_024),
            last: 0,
            last_lexeme: 0,
        }
    }

    /// Text of ASCII words and numbers (anything else separates them). A
    /// word not yet looked up (see [`stem_words`]) is kept as it is written,
    /// which is right for numbers and is remembered for the lookup.
    pub(super) fn words(&mut self, text: &str, weight: Weight) {
        for word in text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
        {
            let lower = word.to_ascii_lowercase();
            self.last += 1;
            let lexeme = match self.lexicon.words.get(&lower) {
                Some(Some(lexeme)) => *lexeme,
                Some(None) => continue,
                None => {
                    if !word.bytes().all(|b| b.is_ascii_digit()) && !self.lexicon.unstemmed.contains(&lower) {
                        self.lexicon.unstemmed.push(lower.clone());
                    }
                    self.lexicon.number(&lower)
                }
            };
            self.entries.push((lexeme, self.last, weight));
            self.last_lexeme = self.last;
        }
    }

    /// Ends a field (the title, the description): the next starts past its
    /// last lexeme, as `article_search_vector` joins them.
    pub(super) fn end_field(&mut self) {
        self.last = self.last_lexeme;
    }

    /// Pool paragraph number `index`.
    pub(super) fn paragraph(&mut self, index: usize, weight: Weight) {
        let parsed = &self.paragraphs[index];
        self.entries.extend(
            parsed
                .entries
                .iter()
                .map(|&(lexeme, position)| (lexeme, self.last + position, weight)),
        );
        if !parsed.entries.is_empty() {
            self.last_lexeme = self.last + parsed.last;
        }
        self.last += parsed.words;
    }

    /// Writes the vector in `tsvector`'s binary form (what `COPY … (FORMAT
    /// binary)` reads: Postgres parses it many times faster than the text
    /// form) and starts the next one: the number of lexemes, then each
    /// lexeme, NUL-terminated, with its count of positions and the
    /// positions, each carrying its weight in the top two bits.
    pub(super) fn write(&mut self, out: &mut Vec<u8>) {
        self.entries
            .sort_unstable_by_key(|&(lexeme, position, _)| (lexeme, position));
        let mut groups: Vec<(&str, &[Entry])> = self
            .entries
            .chunk_by(|a, b| a.0 == b.0)
            .map(|group| (self.lexicon.lexemes[group[0].0 as usize].as_str(), group))
            .collect();
        // Postgres wants them sorted. Lexemes met after `Lexicon::sort`
        // come last by number, and only then are strings compared.
        if self
            .entries
            .last()
            .is_some_and(|&(lexeme, _, _)| lexeme >= self.lexicon.sorted)
        {
            groups.sort_unstable_by_key(|(lexeme, _)| *lexeme);
        }
        out.extend_from_slice(&(groups.len() as u32).to_be_bytes());
        for (lexeme, positions) in groups {
            out.extend_from_slice(lexeme.as_bytes());
            out.push(0);
            out.extend_from_slice(&(positions.len() as u16).to_be_bytes());
            for &(_, position, weight) in positions {
                let weight: u16 = match weight {
                    Weight::A => 3,
                    Weight::B => 2,
                    Weight::C => 1,
                };
                out.extend_from_slice(&(weight << 14 | position).to_be_bytes());
            }
        }
        self.clear();
    }

    /// The lexemes met so far.
    pub(super) fn into_lexicon(self) -> Lexicon {
        self.lexicon
    }

    /// Starts the next vector.
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.last = 0;
        self.last_lexeme = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text form of a vector [`Vector::write`] wrote.
    fn render(bytes: &[u8]) -> String {
        let count = u32::from_be_bytes(bytes[..4].try_into().unwrap());
        let mut rest = &bytes[4..];
        let mut lexemes = Vec::new();
        for _ in 0..count {
            let end = rest.iter().position(|&b| b == 0).unwrap();
            let lexeme = std::str::from_utf8(&rest[..end]).unwrap().replace('\'', "''");
            let positions = u16::from_be_bytes(rest[end + 1..end + 3].try_into().unwrap());
            rest = &rest[end + 3..];
            let mut rendered = Vec::new();
            for _ in 0..positions {
                let position = u16::from_be_bytes(rest[..2].try_into().unwrap());
                rest = &rest[2..];
                let weight = ["", "C", "B", "A"][usize::from(position >> 14)];
                rendered.push(format!("{}{weight}", position & 0x3fff));
            }
            lexemes.push(format!("'{lexeme}':{}", rendered.join(",")));
        }
        assert!(rest.is_empty(), "nothing after the last lexeme");
        lexemes.join(" ")
    }

    #[test]
    fn words_and_paragraphs_take_positions_in_order_and_lexemes_sort() {
        let mut lexicon = Lexicon::default();
        let quoted = lexicon.number("it's");
        let link = lexicon.number("example.com");
        // A paragraph ending in a stop word: four positions, three lexemes.
        let paragraphs = [Parsed {
            entries: vec![(quoted, 1), (link, 2), (quoted, 3)],
            last: 3,
            words: 4,
        }];
        let write = |vector: &mut Vector<'_>| {
            vector.words("How to: 7 Ways", Weight::A);
            vector.words("ways.", Weight::B);
            vector.paragraph(0, Weight::C);
            vector.words("- `end`", Weight::C);
            let mut out = Vec::new();
            vector.write(&mut out);
            render(&out)
        };
        let expected = "'7':3A 'end':10C 'example.com':7C 'how':1A 'it''s':6C,8C 'to':2A 'ways':4A,5B";
        let mut vector = Vector::new(lexicon, &paragraphs);
        assert_eq!(write(&mut vector), expected);

        // Renumbered in sort order, the same vector comes out the same.
        let mut sorted_paragraphs = paragraphs.to_vec();
        let lexicon = vector.into_lexicon().sort(&mut sorted_paragraphs);
        assert_eq!(lexicon.sorted, 7);
        let mut vector = Vector::new(lexicon, &sorted_paragraphs);
        assert_eq!(write(&mut vector), expected);

        // The next article starts afresh; a word never met sorts too.
        let mut out = Vec::new();
        vector.words("Again zebra apple", Weight::A);
        vector.write(&mut out);
        assert_eq!(render(&out), "'again':1A 'apple':3A 'zebra':2A");
    }

    #[test]
    fn stop_words_take_a_position_and_a_field_starts_after_the_last_lexeme() {
        let mut lexicon = Lexicon::default();
        let lesson = lexicon.number("lesson");
        lexicon.words.insert("the".to_owned(), None);
        lexicon.words.insert("lessons".to_owned(), Some(lesson));
        lexicon.words.insert("of".to_owned(), None);
        let mut vector = Vector::new(lexicon, &[]);
        // As Postgres: to_tsvector('english', 'The lessons of the') is
        // 'lesson':2, and `||` starts the next field after that position,
        // not after the two stop words that follow it.
        vector.words("The lessons of the", Weight::A);
        vector.end_field();
        vector.words("Lessons, years.", Weight::B);
        let mut out = Vec::new();
        vector.write(&mut out);
        assert_eq!(render(&out), "'lesson':2A,3B 'years':4B");
        assert_eq!(
            vector.into_lexicon().unstemmed,
            ["years"],
            "a word not looked up yet is kept as written, and remembered"
        );
    }
}
