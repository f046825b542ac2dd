//! Attempt budgets for signing in, registering and commenting, counted in
//! Redis so a budget holds across every instance.
//!
//! Fixed windows of ten minutes: 30 attempts per client address (the
//! server's middleware counts those, before a body is read) and 10 per
//! account, counted here by the handlers themselves once they have parsed
//! the request, so the key is the email the attempt actually uses, however
//! the body was encoded. If Redis is down nothing is counted (and that is
//! logged by [`Redis`]): a cache outage must not lock everyone out.

use std::{sync::LazyLock, time::Duration};

use crate::{i18n::Locale, ssr::redis::Redis};

/// Attempts allowed per client address in a window.
pub const PER_ADDRESS: i64 = 30;
/// Attempts allowed per account (email) in a window.
pub const PER_ACCOUNT: i64 = 10;
/// Comments one account may post in a window.
pub const COMMENTS_PER_ACCOUNT: i64 = 20;
/// How long a window lasts.
pub const WINDOW: Duration = Duration::from_secs(10 * 60);

/// What is being attempted; names the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    SignIn,
    Register,
    Comment,
}

impl Attempt {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "login",
            Self::Register => "register",
            Self::Comment => "comment",
        }
    }
}

/// An attempt over its budget: wait this many seconds (at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany {
    pub retry_after: u64,
}

impl TooMany {
    /// What to tell the person, in `locale`: how long to wait, in whole
    /// minutes. (The JSON API says it in English.)
    pub fn message(self, locale: Locale) -> String {
        let minutes = self.retry_after.div_ceil(60);
        crate::t!(
            locale,
            "account-too-many",
            count = minutes,
            shown = locale.number(i64::try_from(minutes).unwrap_or(i64::MAX))
        )
    }
}

/// INCR with the window set on first use; returns the count and seconds
/// left in the window.
static HIT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('TTL', KEYS[1])
        return {count, ttl}
        ",
    )
});

/// Counts one `attempt` by `who` (`address:…` or `account:…`) against
/// `limit`.
pub async fn hit(redis: &Redis, attempt: Attempt, who: &str, limit: i64) -> Result<(), TooMany> {
    let key = redis.key(format_args!("rate:{}:{who}", attempt.as_str()));
    let counted = redis
        .run("rate limit", |mut conn| async move {
            HIT.key(&key)
                .arg(WINDOW.as_secs())
                .invoke_async::<(i64, i64)>(&mut conn)
                .await
        })
        .await;
    match counted {
        Some((count, ttl)) if count > limit => {
            tracing::warn!(attempt = attempt.as_str(), "rate limit reached");
            Err(TooMany {
                retry_after: u64::try_from(ttl).unwrap_or(1).max(1),
            })
        }
        _ => Ok(()),
    }
}

/// Counts one `attempt` on the account with `email` (any case, spaces
/// around it ignored: the spelling the account lookup uses).
pub async fn account(redis: &Redis, attempt: Attempt, email: &str) -> Result<(), TooMany> {
    let email = email.trim().to_lowercase();
    hit(redis, attempt, &format!("account:{email}"), PER_ACCOUNT).await
}

/// Counts one comment by the account `user_id`.
pub async fn comment(redis: &Redis, user_id: i64) -> Result<(), TooMany> {
    hit(
        redis,
        Attempt::Comment,
        &format!("account:{user_id}"),
        COMMENTS_PER_ACCOUNT,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_how_many_minutes_to_wait() {
        assert_eq!(
            TooMany { retry_after: 1 }.message(Locale::En),
            "Too many attempts. Please wait 1 minute and try again."
        );
        assert_eq!(
            TooMany { retry_after: 61 }.message(Locale::En),
            "Too many attempts. Please wait 2 minutes and try again."
        );
        assert!(TooMany { retry_after: 61 }.message(Locale::Id).contains("2 menit"));
    }
}
