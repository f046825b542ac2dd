//! Facts about the site that every layer reads: the pages, the server
//! functions, `ssr` state and the server binary.
//!
//! A leaf on purpose (it imports nothing), so reading the site's name or
//! origin never ties a module to the UI code that happens to show them.

/// The site's name, as shown in the header and in page titles.
pub const SITE_NAME: &str = "Warta";

/// The site's public origin (`WARTA_PUBLIC_URL`), without a trailing slash.
/// The server provides it; in the browser the page's own origin is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(pub String);

/// The longest path [`local_path`] passes on; anything longer is home.
pub const LOCAL_PATH_MAX: usize = 2048;

/// `path` as a path on this site, and nothing else: what every `Location`
/// header and every link the site builds goes through, so no input (a
/// `next=` parameter, the path of a 404, a language prefix added or taken
/// away) can make one lead elsewhere.
///
/// The result starts with exactly one `/` followed by something other than
/// `/` or `\` (a browser reads `//host` and `/\host` as another site), and
/// holds only printable ASCII: spaces, control characters (which browsers
/// drop from URLs, so `/\t/evil.example` would become `//evil.example`),
/// backslashes, quotes, angle brackets and anything beyond ASCII are
/// percent-encoded, which keeps a tag like `kopi-ō` reachable while making
/// a tab or a backslash plain text. Anything that does not start with `/`
/// (a scheme, a host, a relative path), starts with `//` or `/\`, or is
/// longer than [`LOCAL_PATH_MAX`], is `/`.
pub fn local_path(path: &str) -> std::borrow::Cow<'_, str> {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    /// What a path may not hold as it is (`%` stays: a path may be encoded
    /// already, as tag paths are).
    const UNSAFE: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'\'')
        .add(b'<')
        .add(b'>')
        .add(b'\\')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'|')
        .add(b'^');
    const HOME: &str = "/";
    let starts_well = |path: &str| {
        let mut bytes = path.bytes();
        bytes.next() == Some(b'/') && !matches!(bytes.next(), Some(b'/' | b'\\'))
    };
    if !starts_well(path) || path.len() > LOCAL_PATH_MAX {
        return HOME.into();
    }
    let encoded: std::borrow::Cow<'_, str> = utf8_percent_encode(path, UNSAFE).into();
    // `/\t/x` passed the first look; encoded it is `/%09/x`, and a path
    // whose second character was encoded is still local. Checked again all
    // the same: this function's promise does not rest on that reasoning.
    if !starts_well(&encoded) || encoded.len() > LOCAL_PATH_MAX {
        return HOME.into();
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a browser resolving `href` against `https://warta.example/x`
    /// stays on `warta.example`: what the result must always do.
    fn stays_here(href: &str) -> bool {
        href.starts_with('/')
            && !href.starts_with("//")
            && !href.starts_with("/\\")
            && href.bytes().all(|byte| byte.is_ascii_graphic() && byte != b'\\')
    }

    #[test]
    fn every_family_of_hostile_path_stays_on_this_site() {
        let hostile = [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\u{0}/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "evil.example",
            "",
            " /",
            "\u{feff}//evil.example",
            "/\u{3000}/evil.example",
            "/\u{ff0f}evil.example",
            "/\u{2215}evil.example",
            "/x\r\nSet-Cookie: a=b",
            "/\"><script>alert(1)</script>",
        ];
        for path in hostile {
            let safe = local_path(path);
            assert!(stays_here(&safe), "{path:?} became {safe:?}");
        }
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\t/evil.example"), "/%09/evil.example");
        assert_eq!(local_path("/x\r\nSet-Cookie: a=b"), "/x%0D%0ASet-Cookie:%20a=b");
        assert_eq!(local_path(&format!("/{}", "a".repeat(LOCAL_PATH_MAX))), "/");
    }

    #[test]
    fn ordinary_paths_pass_unchanged_and_foreign_letters_are_encoded() {
        for path in [
            "/",
            "/popular?period=week",
            "/articles/why-rust#comments",
            "/@ada?page=2",
            "/tags/kopi-%C5%8D",
            "/login?next=/settings",
            "/search?q=kopi&page=2",
        ] {
            assert_eq!(local_path(path), path);
        }
        assert_eq!(local_path("/tags/kopi-ō"), "/tags/kopi-%C5%8D");
    }
}
