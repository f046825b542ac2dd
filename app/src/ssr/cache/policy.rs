//! How long values are kept, and which values say "not found".

use std::time::Duration;

/// How long a value is served, and how long after that it may still be
/// served while being recomputed.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub fresh: Duration,
    pub stale: Duration,
}

/// How long a value saying "there is no such thing" is kept, whatever the
/// policy of the kind: long enough to absorb a burst of requests for one
/// missing article, short enough that made-up names leave nothing behind.
pub const ABSENT: Policy = Policy {
    fresh: Duration::from_secs(10),
    stale: Duration::from_secs(5),
};

/// Whether a cached value found what was asked for. A value that did not
/// (no such article, a page past the end, a search matching nothing) is
/// kept only [`ABSENT`].
pub trait Found {
    fn found(&self) -> bool;
}

impl<T> Found for Option<T> {
    fn found(&self) -> bool {
        self.is_some()
    }
}

impl<T> Found for Vec<T> {
    fn found(&self) -> bool {
        !self.is_empty()
    }
}

/// A list and a count (a page of search results and how many matched).
impl<T> Found for (Vec<T>, i64) {
    fn found(&self) -> bool {
        !self.0.is_empty()
    }
}

/// Authors and tags found by name: something when either was.
impl Found for crate::model::NameMatches {
    fn found(&self) -> bool {
        !self.authors.is_empty() || !self.tags.is_empty()
    }
}

impl Found for bool {
    fn found(&self) -> bool {
        *self
    }
}

/// A count or an id is an answer whatever it is.
impl Found for i64 {
    fn found(&self) -> bool {
        true
    }
}
