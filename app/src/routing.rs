//! Route segments the router does not provide.

use std::borrow::Cow;

use leptos_router::{PartialPathMatch, PathSegment, PossibleRouteMatch};

/// Matches `/@{username}`: an `@` and a name in one path segment, as in
/// `/@ada`. The built-in segments match whole segments only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorSegment;

impl PossibleRouteMatch for AuthorSegment {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        let rest = path.strip_prefix("/@")?;
        let length = rest.find('/').unwrap_or(rest.len());
        if length == 0 {
            return None;
        }
        let (matched, remaining) = path.split_at(2 + length);
        Some(PartialPathMatch::new(
            remaining,
            vec![(Cow::Borrowed("username"), rest[..length].to_owned())],
            matched,
        ))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        // One static piece, copied verbatim into the server's route table,
        // where axum reads `{username}` as a parameter after the `@`.
        path.push(PathSegment::Static("/@{username}".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_at_sign_and_a_name() {
        let matched = AuthorSegment.test("/@ada").expect("matches");
        assert!(matched.is_complete());
        assert!(AuthorSegment.test("/@ada/more").is_some_and(|m| !m.is_complete()));
    }

    #[test]
    fn ignores_other_paths() {
        assert!(AuthorSegment.test("/ada").is_none());
        assert!(AuthorSegment.test("/@").is_none());
        assert!(AuthorSegment.test("/articles/x").is_none());
    }
}
