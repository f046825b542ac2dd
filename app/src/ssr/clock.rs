//! The time, as the code is given it: the system's, or a clock a test
//! holds and moves. Whatever depends on time (a link's expiry, when old
//! tokens are cleared away) asks a [`Clock`] rather than the system, so a
//! test can step past an expiry without waiting for it.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Duration, Utc};

/// The time. Cheap to clone; clones of a test clock move together.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// A test's time, in milliseconds since the epoch; `None`: the system's.
    set: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that reads `at` until moved with [`Clock::advance`].
    pub fn at(at: DateTime<Utc>) -> Self {
        Self {
            set: Some(Arc::new(AtomicI64::new(at.timestamp_millis()))),
        }
    }

    /// What time it is.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.set {
            Some(millis) => DateTime::from_timestamp_millis(millis.load(Ordering::Acquire)).unwrap_or_default(),
            None => Utc::now(),
        }
    }

    /// Moves a test clock on by `by`; the system's cannot be moved.
    ///
    /// # Panics
    /// On the system's clock: a test that thinks it moved time must not
    /// pass by waiting instead.
    pub fn advance(&self, by: Duration) {
        let millis = self.set.as_ref().expect("only a test clock can be moved");
        millis.fetch_add(by.num_milliseconds(), Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_stands_still_until_moved_and_clones_move_together() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let clock = Clock::at(start);
        let copy = clock.clone();
        assert_eq!(clock.now(), start);
        copy.advance(Duration::minutes(31));
        assert_eq!(clock.now(), start + Duration::minutes(31));
        assert!((Clock::system().now() - Utc::now()).num_seconds().abs() < 5);
    }
}
