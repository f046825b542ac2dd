//! The reader's language: English at `/…`, Indonesian at `/id/…`.
//!
//! The language is part of the URL, never a cookie, so a page is the same
//! for every anonymous reader of that URL and shared caches can keep it.
//! Every string a reader sees comes from one catalogue per language, in
//! [Fluent](https://projectfluent.org) files under `app/locales/{en,id}/`,
//! through [`t!`](crate::t):
//!
//! ```ignore
//! let locale = use_locale();
//! view! { <a href=locale.href("/popular")>{t!(locale, "nav-popular")}</a> }
//! ```
//!
//! Both catalogues hold the same keys, and every key the code names exists:
//! the tests below read the sources and the files to make sure. Dates and
//! numbers are formatted here by hand ([`Locale::date`], [`Locale::number`]):
//! two languages need a month table and a separator, not the CLDR.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Utc};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

/// A language Warta is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English, at unprefixed paths; the default.
    #[default]
    En,
    /// Indonesian (Bahasa Indonesia), at paths under `/id`.
    Id,
}

/// The Indonesian pages' path prefix.
const ID_PREFIX: &str = "/id";

impl Locale {
    /// Every language, the default first.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Id];

    /// The BCP 47 tag, as `<html lang>` and `hreflang` want it.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Id => "id",
        }
    }

    /// The OpenGraph form of the tag: `en_US`, `id_ID`.
    pub fn og_code(self) -> &'static str {
        match self {
            Locale::En => "en_US",
            Locale::Id => "id_ID",
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Id => "Bahasa Indonesia",
        }
    }

    /// The language a stored code names (`users.locale`); English for
    /// anything else.
    pub fn from_code(code: &str) -> Locale {
        match code {
            "id" => Locale::Id,
            _ => Locale::En,
        }
    }

    /// The path prefix of this language's pages: `""` or `"/id"`.
    pub fn base(self) -> &'static str {
        match self {
            Locale::En => "",
            Locale::Id => ID_PREFIX,
        }
    }

    /// The language of the page at `path` and the path without its prefix:
    /// `/id/popular` is Indonesian `/popular`, `/id` Indonesian `/`.
    pub fn split_path(path: &str) -> (Locale, &str) {
        match path.strip_prefix(ID_PREFIX) {
            Some("") => (Locale::Id, "/"),
            Some(rest) if rest.starts_with('/') || rest.starts_with('?') || rest.starts_with('#') => (Locale::Id, rest),
            _ => (Locale::En, path),
        }
    }

    /// The language of the page at `path`.
    pub fn from_path(path: &str) -> Locale {
        Locale::split_path(path).0
    }

    /// `path` (an unprefixed local path such as `/popular?page=2`) in this
    /// language: `/id/popular?page=2`. A path already in a language is
    /// moved to this one. Whatever `path` holds, the result is a path on
    /// this site ([`crate::site::local_path`]): taking the prefix off
    /// `/id//evil.example` leaves `//evil.example`, which is home instead.
    pub fn href(self, path: &str) -> String {
        let href = self.prefixed(path);
        match crate::site::local_path(&href) {
            // Unchanged: the same text, borrowed whole.
            Cow::Borrowed(safe) if safe == href => href,
            safe => safe.into_owned(),
        }
    }

    /// [`Locale::href`] before its safety check.
    fn prefixed(self, path: &str) -> String {
        let (_, path) = Locale::split_path(path);
        match (self, path) {
            (Locale::En, path) => path.to_owned(),
            (Locale::Id, "/") => ID_PREFIX.to_owned(),
            (Locale::Id, path) if path.starts_with('?') || path.starts_with('#') => format!("{ID_PREFIX}{path}"),
            (Locale::Id, path) if path.starts_with("/?") || path.starts_with("/#") => {
                format!("{ID_PREFIX}{}", &path[1..])
            }
            (Locale::Id, path) => format!("{ID_PREFIX}{path}"),
        }
    }

    /// The message `key` in this language, with `args` in its placeholders.
    /// A key missing from the catalogue (the tests forbid it) shows as the
    /// key itself rather than failing the page.
    pub fn text(self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        BUNDLES.with(|bundles| {
            let bundle = &bundles[self as usize];
            let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else {
                return key.to_owned();
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            text.into_owned()
        })
    }

    /// A date as readers of this language write it: `Mar 4, 2026` or
    /// `4 Mar 2026`.
    pub fn date(self, at: DateTime<Utc>) -> String {
        let month = at.month0() as usize;
        match self {
            Locale::En => format!("{} {}, {}", EN_MONTHS[month], at.day(), at.year()),
            Locale::Id => format!("{} {} {}", at.day(), ID_MONTHS[month], at.year()),
        }
    }

    /// A whole number with this language's thousands separator: `12,345`
    /// or `12.345`.
    pub fn number(self, n: i64) -> String {
        let separator = match self {
            Locale::En => ',',
            Locale::Id => '.',
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const ID_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];

/// One catalogue file, in both languages.
macro_rules! catalogue {
    ($($area:literal),+ $(,)?) => {
        /// Each language's files, in [`Locale`] order, as `(name, text)`.
        pub(crate) const CATALOGUE: [&[(&str, &str)]; 2] = [
            &[$(($area, include_str!(concat!("../locales/en/", $area, ".ftl")))),+],
            &[$(($area, include_str!(concat!("../locales/id/", $area, ".ftl")))),+],
        ];
    };
}

catalogue!(
    "layout",
    "reading",
    "account",
    "recovery",
    "writing",
    "fields",
    "email",
    "moderation",
);

thread_local! {
    /// Each language's messages, parsed once per thread (the browser has
    /// one; a server has one per worker). Fluent's bundles are not `Sync`.
    static BUNDLES: [FluentBundle<FluentResource>; 2] = Locale::ALL.map(bundle);
}

fn bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let language = locale.code().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new(vec![language]);
    // Placeholders are not wrapped in direction isolates: both languages
    // are left-to-right, and the marks would land in titles and emails.
    bundle.set_use_isolating(false);
    for (_, text) in CATALOGUE[locale as usize] {
        let resource = match FluentResource::try_new((*text).to_owned()) {
            Ok(resource) => resource,
            // The tests parse every file; a broken entry loses only itself.
            Err((resource, _)) => resource,
        };
        // Duplicate keys keep their first definition; the tests forbid them.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// A value for a message's placeholder: text or a number (numbers choose
/// plural forms).
pub fn arg<'a>(value: impl Into<FluentValue<'a>>) -> FluentValue<'a> {
    value.into()
}

/// Builds the arguments [`Locale::text`] takes; used by [`t!`](crate::t).
pub fn args<'a>(pairs: impl IntoIterator<Item = (&'a str, FluentValue<'a>)>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for (name, value) in pairs {
        args.set(Cow::Borrowed(name), value);
    }
    args
}

/// The message `key` in `locale`, with named placeholders:
/// `t!(locale, "nav-popular")`,
/// `t!(locale, "articles-count", count = n, shown = locale.number(n))`.
#[macro_export]
macro_rules! t {
    ($locale:expr, $key:literal $(,)?) => {
        $crate::i18n::Locale::text($locale, $key, None)
    };
    ($locale:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::Locale::text(
            $locale,
            $key,
            Some(&$crate::i18n::args([$((stringify!($name), $crate::i18n::arg($value))),+])),
        )
    };
}

/// The language of the page being rendered (English outside one).
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<Locale>().unwrap_or_default()
}

/// The language of the page a request came from: its own path for a page,
/// the `Referer`'s for a form's server function (sent by browsers for
/// same-origin requests under our `strict-origin-when-cross-origin`
/// policy); English without either.
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return use_locale();
    };
    Locale::of_request(parts.uri.path(), &parts.headers)
}

#[cfg(feature = "ssr")]
impl Locale {
    /// The language of a request for `path` with `headers`: the path's own
    /// for a page, else its `Referer`'s (a form posted from a page).
    pub fn of_request(path: &str, headers: &http::HeaderMap) -> Locale {
        let own = Locale::from_path(path);
        if own != Locale::En {
            return own;
        }
        headers
            .get(http::header::REFERER)
            .and_then(|referer| referer.to_str().ok())
            .and_then(|referer| referer.parse::<http::Uri>().ok())
            .map(|referer| Locale::from_path(referer.path()))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;

    use super::*;

    #[test]
    fn paths_carry_the_language() {
        assert_eq!(Locale::split_path("/id"), (Locale::Id, "/"));
        assert_eq!(Locale::split_path("/id/popular"), (Locale::Id, "/popular"));
        assert_eq!(Locale::split_path("/id?page=2"), (Locale::Id, "?page=2"));
        assert_eq!(Locale::split_path("/popular"), (Locale::En, "/popular"));
        // A page whose name starts with "id" is not Indonesian.
        assert_eq!(Locale::split_path("/idea"), (Locale::En, "/idea"));
        assert_eq!(Locale::split_path("/@idris"), (Locale::En, "/@idris"));
    }

    #[test]
    fn hrefs_move_a_path_between_languages() {
        assert_eq!(Locale::Id.href("/"), "/id");
        assert_eq!(Locale::Id.href("/popular?page=2"), "/id/popular?page=2");
        assert_eq!(Locale::Id.href("/?page=2"), "/id?page=2");
        assert_eq!(Locale::Id.href("/id/popular"), "/id/popular");
        assert_eq!(Locale::En.href("/id/popular"), "/popular");
        assert_eq!(Locale::En.href("/id"), "/");
        assert_eq!(Locale::En.href("/tags/tea"), "/tags/tea");
    }

    #[test]
    fn no_path_leaves_the_site_whichever_language_it_is_moved_into() {
        let hostile = [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\r\nLocation: //evil.example",
        ];
        for path in hostile {
            for prefixed in [path.to_owned(), format!("/id{path}"), format!("/id/{path}")] {
                for locale in Locale::ALL {
                    let href = locale.href(&prefixed);
                    assert!(
                        href.starts_with('/')
                            && !href.starts_with("//")
                            && !href.starts_with("/\\")
                            && href.bytes().all(|byte| byte.is_ascii_graphic()),
                        "{locale:?}: {prefixed:?} became {href:?}"
                    );
                }
            }
        }
        // What the 404 page at /id//evil.example links to as "English".
        assert_eq!(Locale::En.href("/id//evil.example"), "/");
        // One character that is not a path is home too.
        assert_eq!(Locale::En.href("x"), "/");
    }

    #[test]
    fn dates_and_numbers_follow_the_language() {
        let at = Utc.with_ymd_and_hms(2026, 5, 4, 12, 0, 0).unwrap();
        assert_eq!(Locale::En.date(at), "May 4, 2026");
        assert_eq!(Locale::Id.date(at), "4 Mei 2026");
        assert_eq!(Locale::En.number(1_234_567), "1,234,567");
        assert_eq!(Locale::Id.number(1_234_567), "1.234.567");
        assert_eq!(Locale::Id.number(-1000), "-1.000");
        assert_eq!(Locale::En.number(999), "999");
    }

    #[test]
    fn messages_fill_their_placeholders_without_isolation_marks() {
        let one = crate::t!(Locale::En, "articles-count", count = 1, shown = Locale::En.number(1));
        let many = crate::t!(
            Locale::En,
            "articles-count",
            count = 1200,
            shown = Locale::En.number(1200)
        );
        assert_eq!(one, "1 article");
        assert_eq!(many, "1,200 articles");
        let id = crate::t!(
            Locale::Id,
            "articles-count",
            count = 1200,
            shown = Locale::Id.number(1200)
        );
        assert_eq!(id, "1.200 artikel");
        let suggestion = crate::t!(Locale::En, "language-suggestion", language = "Bahasa Indonesia");
        assert!(!suggestion.contains('\u{2068}'), "{suggestion:?}");
        assert_eq!(Locale::En.text("no-such-key", None), "no-such-key");
    }

    /// Every file parses, and the two languages hold the same keys with the
    /// same placeholders, file by file.
    #[test]
    fn both_catalogues_hold_the_same_messages() {
        for ((area, en), (_, id)) in CATALOGUE[0].iter().zip(CATALOGUE[1].iter()) {
            let en = messages(area, "en", en);
            let id = messages(area, "id", id);
            let en_keys: BTreeSet<_> = en.iter().map(|(key, _)| key).collect();
            let id_keys: BTreeSet<_> = id.iter().map(|(key, _)| key).collect();
            assert_eq!(en_keys, id_keys, "{area}.ftl: the languages' keys differ");
            // Indonesian has no plural forms, so it may leave out a count
            // English selects on, but it can use no value English lacks.
            for (key, variables) in &en {
                let other = &id.iter().find(|(k, _)| k == key).expect("same keys").1;
                assert!(
                    other.is_subset(variables),
                    "{area}.ftl: {key} uses a placeholder English is not given"
                );
            }
        }
    }

    /// Every key the sources pass to the `t!` macro names a message that exists.
    #[test]
    fn every_key_the_code_uses_exists() {
        let known: BTreeSet<String> = CATALOGUE[0]
            .iter()
            .flat_map(|(area, text)| messages(area, "en", text))
            .map(|(key, _)| key)
            .collect();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut used = 0;
        for dir in ["app/src", "server/src"] {
            for file in rust_files(&format!("{root}/{dir}")) {
                let source = std::fs::read_to_string(&file).expect("readable source");
                for key in keys_used(&source) {
                    used += 1;
                    assert!(
                        known.contains(key),
                        "{}: no message {key:?} in app/locales/en",
                        file.display()
                    );
                }
            }
        }
        assert!(used > 100, "only {used} uses of t! found: is the scan broken?");
    }

    /// The keys of one file and each key's placeholder names, sorted.
    fn messages(area: &str, language: &str, text: &str) -> Vec<(String, BTreeSet<String>)> {
        let resource = FluentResource::try_new(text.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("{language}/{area}.ftl does not parse: {errors:?}"));
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(message) = entry {
                let key = message.id.name.to_owned();
                assert!(seen.insert(key.clone()), "{language}/{area}.ftl: {key} twice");
                let mut variables = BTreeSet::new();
                if let Some(value) = &message.value {
                    collect_variables(value, &mut variables);
                }
                out.push((key, variables));
            }
        }
        out
    }

    fn collect_variables(pattern: &fluent_syntax::ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
        fn inline(expression: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
            if let InlineExpression::VariableReference { id } = expression {
                out.insert(id.name.to_owned());
            }
        }
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                match expression {
                    Expression::Inline(expression) => inline(expression, out),
                    Expression::Select { selector, variants } => {
                        inline(selector, out);
                        for variant in variants {
                            collect_variables(&variant.value, out);
                        }
                    }
                }
            }
        }
    }

    fn rust_files(dir: &str) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).expect("a source directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(rust_files(&path.to_string_lossy()));
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
        files
    }

    /// The string literal after each `t!(` and its first argument.
    fn keys_used(source: &str) -> Vec<&str> {
        let mut keys = Vec::new();
        let mut rest = source;
        while let Some(at) = rest.find("t!(") {
            // `t!(` itself, not the end of `assert!(`.
            let whole = !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
            rest = &rest[at + 3..];
            if !whole {
                continue;
            }
            let Some(comma) = rest.find(',') else { break };
            let after = rest[comma + 1..].trim_start();
            if let Some(literal) = after.strip_prefix('"')
                && let Some(end) = literal.find('"')
            {
                keys.push(&literal[..end]);
            }
        }
        keys
    }
}
