//! Attempt budgets: signing in, registering, asking for reset and
//! verification links, writing (articles, comments, favorites, follows,
//! reports) and searching. Counted in the sessions'
//! Redis (never evicted, out of the cache traffic's reach), so a budget
//! holds across every instance.
//!
//! Fixed windows. The server's middleware counts sign-ins and
//! registrations per client address ([`PER_ADDRESS`] in ten minutes, before
//! a body is read); everything else is counted here, by the handlers, once
//! they know what an attempt is about, whatever the request's encoding.
//!
//! **Signing in punishes the guesser, not the account's owner.** Wrong
//! guesses are counted per account *and address* ([`PER_ACCOUNT_AND_ADDRESS`]
//! in ten minutes): a stranger who spends that budget is refused, from
//! their address, and nobody else is. Across all addresses an account has a
//! much higher ceiling ([`PER_ACCOUNT`]), against guessing spread over many
//! addresses; and that ceiling never refuses an address the account has
//! signed in from in the last [`KNOWN_FOR`] (recorded at each sign-in), so
//! strangers guessing wrong cannot keep the owner out of their own account.
//! The account is the one the email's lookup found (its id), so the budget
//! and the lookup read the address one way; an address nobody has is
//! counted by a hash of its lowercase spelling.
//!
//! Keys are hashes (a 300 KB email is 32 hex digits) with a short window.
//! Budgets that protect an account (sign-in, registration, reset and
//! verification links) refuse when Redis cannot count: signing in needs the
//! sessions' Redis anyway, and an uncounted attempt is an unlimited one.
//! Writing and searching go uncounted while it is down: reading must not
//! fail because a budget cannot be kept.

use std::{sync::LazyLock, time::Duration};

use crate::{
    i18n::Locale,
    ssr::{client::ClientAddress, redis::Redis},
};

/// Sign-ins (and, separately, registrations) one client address may try in
/// a [`WINDOW`] (`WARTA_ATTEMPTS_PER_ADDRESS`).
pub const PER_ADDRESS: i64 = 30;
/// Sign-ins one address may try against one account in a [`WINDOW`].
pub const PER_ACCOUNT_AND_ADDRESS: i64 = 10;
/// Sign-ins against one account from addresses it has not signed in from
/// lately, in a [`WINDOW`], from everywhere together
/// (`WARTA_ATTEMPTS_PER_ACCOUNT`).
pub const PER_ACCOUNT: i64 = 100;
/// Registrations with one email in a [`WINDOW`].
pub const REGISTRATIONS_PER_EMAIL: i64 = 10;
/// Accounts one client address may make in an [`HOUR`]
/// (`WARTA_REGISTRATIONS_PER_ADDRESS`): registrations that passed every
/// check of the form, unlike [`PER_ADDRESS`], which counts attempts.
pub const REGISTRATIONS_PER_ADDRESS: i64 = 20;
/// Comments one account may post in a [`WINDOW`].
pub const COMMENTS_PER_ACCOUNT: i64 = 20;
/// Articles one account may begin in a [`HOUR`] (drafts count: each is a
/// page, and publishing one later is free).
pub const ARTICLES_PER_ACCOUNT: i64 = 10;
/// Favorites, and separately follows, one account may add in a [`MINUTE`].
pub const CLICKS_PER_ACCOUNT: i64 = 30;
/// An hour.
pub const HOUR: Duration = Duration::from_secs(60 * 60);
/// A minute.
pub const MINUTE: Duration = Duration::from_secs(60);
/// Reports one account may file in a [`REPORT_WINDOW`].
pub const REPORTS_PER_ACCOUNT: i64 = 20;
/// The report budget's window: a day.
pub const REPORT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// Searches that reach the database one client address may make in a
/// [`SEARCH_WINDOW`] (`WARTA_SEARCHES_PER_ADDRESS`).
pub const SEARCHES_PER_ADDRESS: i64 = 30;
/// Reset or verification links one address may ask for in a
/// [`LINK_WINDOW`], whatever the accounts.
pub const LINKS_PER_ADDRESS: i64 = 10;
/// Reset or verification links one address may ask for one account in a
/// [`LINK_WINDOW`]: a stranger asking for a stranger's links spends their
/// own budget, not the owner's.
pub const LINKS_PER_ACCOUNT_AND_ADDRESS: i64 = 3;
/// Reset or verification links one account may be sent in a
/// [`LINK_WINDOW`] from everywhere together: what bounds the mail one inbox
/// can be sent.
pub const LINKS_PER_ACCOUNT: i64 = 10;
/// How long most windows last.
pub const WINDOW: Duration = Duration::from_secs(10 * 60);
/// The search budget's window.
pub const SEARCH_WINDOW: Duration = Duration::from_secs(60);
/// The window of the budgets for links sent by email.
pub const LINK_WINDOW: Duration = Duration::from_secs(60 * 60);
/// How long an address an account signed in from stays known to it: well
/// past a session's whole life (30 days), and refreshed while a session is
/// in use, so an owner who stays signed in is still known when they type
/// their password again.
pub const KNOWN_FOR: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// What is being attempted; names the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    SignIn,
    Register,
    Comment,
    Search,
    /// Asking for a password reset link.
    Reset,
    /// Asking for a verification link again.
    Verify,
    /// Reporting an article or a comment.
    Report,
    /// Beginning an article.
    Article,
    /// Favoriting an article.
    Favorite,
    /// Following an author.
    Follow,
}

impl Attempt {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "login",
            Self::Register => "register",
            Self::Comment => "comment",
            Self::Search => "search",
            Self::Reset => "reset",
            Self::Verify => "verify",
            Self::Report => "report",
            Self::Article => "article",
            Self::Favorite => "favorite",
            Self::Follow => "follow",
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

/// Why an attempt that protects an account was not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Over its budget.
    TooMany(TooMany),
    /// The budget could not be counted (the sessions' Redis is down): try
    /// again in a moment.
    Unavailable,
}

impl Refused {
    /// How long to wait, for `Retry-After`.
    pub fn retry_after(self) -> u64 {
        match self {
            Self::TooMany(too_many) => too_many.retry_after,
            Self::Unavailable => 5,
        }
    }

    /// What to tell the person, in `locale`.
    pub fn message(self, locale: Locale) -> String {
        match self {
            Self::TooMany(too_many) => too_many.message(locale),
            Self::Unavailable => crate::t!(locale, "account-limits-unavailable"),
        }
    }
}

/// INCR with the window (`ARGV[1]` seconds) set on first use; returns the
/// count and seconds left in the window.
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

/// One sign-in attempt: counts it against the account from this address
/// (`KEYS[1]`, limit `ARGV[2]`) and against the account (`KEYS[2]`, limit
/// `ARGV[3]`, not applied when `KEYS[3]` says the address is known). All
/// in `ARGV[1]`-second windows. Returns `{0, 0}`, or which budget refused
/// (1: this address's, 2: the account's) and the seconds left in it.
static SIGN_IN: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local pair = redis.call('INCR', KEYS[1])
        if pair == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        if pair > tonumber(ARGV[2]) then return {1, redis.call('TTL', KEYS[1])} end
        local known = redis.call('EXISTS', KEYS[3])
        local account = redis.call('INCR', KEYS[2])
        if account == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
        if account > tonumber(ARGV[3]) and known == 0 then return {2, redis.call('TTL', KEYS[2])} end
        return {0, 0}
        ",
    )
});

/// A key name's part that says whose budget it is: a hash of `who`, so a
/// key is short whatever was typed.
fn hashed(who: &str) -> String {
    crate::ssr::redis::digest(who)
}

/// Counts one `attempt` by `who` against `limit` per `window`: `None` when
/// Redis could not count it.
async fn count(
    redis: &Redis,
    attempt: Attempt,
    who: &str,
    limit: i64,
    window: Duration,
) -> Option<Result<(), TooMany>> {
    let key = redis.key(format_args!("rate:{}:{}", attempt.as_str(), hashed(who)));
    let (count, ttl) = redis
        .run("rate limit", |mut conn| async move {
            HIT.key(&key)
                .arg(window.as_secs())
                .invoke_async::<(i64, i64)>(&mut conn)
                .await
        })
        .await?;
    if count > limit {
        tracing::warn!(attempt = attempt.as_str(), "rate limit reached");
        return Some(Err(TooMany {
            retry_after: u64::try_from(ttl).unwrap_or(1).max(1),
        }));
    }
    Some(Ok(()))
}

/// Counts one `attempt` by `who` (`address:…`) against `limit` in a
/// [`WINDOW`]; not counted when Redis is down (the middleware's budgets,
/// which the handlers' own budgets back up).
pub async fn hit(redis: &Redis, attempt: Attempt, who: &str, limit: i64) -> Result<(), TooMany> {
    count(redis, attempt, who, limit, WINDOW).await.unwrap_or(Ok(()))
}

/// Counts one attempt that protects an account: refused when Redis
/// cannot count it.
async fn guarded(redis: &Redis, attempt: Attempt, who: &str, limit: i64, window: Duration) -> Result<(), Refused> {
    match count(redis, attempt, who, limit, window).await {
        Some(Ok(())) => Ok(()),
        Some(Err(too_many)) => Err(Refused::TooMany(too_many)),
        None => Err(Refused::Unavailable),
    }
}

/// Whose account a sign-in attempt is against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The account the email's lookup found.
    Account(i64),
    /// No account has the address: counted by its lowercase spelling.
    Nobody(String),
}

impl Target {
    fn key_part(&self) -> String {
        match self {
            Self::Account(id) => format!("a{id}"),
            Self::Nobody(email) => format!("e{}", hashed(&email.to_lowercase())),
        }
    }
}

/// The keys of a sign-in attempt against `target` from `client`: the
/// account-and-address counter, the account's counter and the mark that
/// the address is known to the account. They share a hash tag, so one
/// script reaches all three in a Redis Cluster.
fn sign_in_keys(redis: &Redis, target: &Target, client: Option<ClientAddress>) -> [String; 3] {
    let tag = target.key_part();
    let from = hashed(&client.map_or_else(|| "unknown".to_owned(), ClientAddress::holder));
    [
        redis.key(format_args!("rate:login:{{{tag}}}:from:{from}")),
        redis.key(format_args!("rate:login:{{{tag}}}:all")),
        redis.key(format_args!("signin:{{{tag}}}:known:{from}")),
    ]
}

/// Counts one sign-in attempt (or a password check in settings) against
/// `target` from `client`, before any password is checked (see the module
/// documentation), the account's ceiling being `per_account`.
pub async fn sign_in(
    redis: &Redis,
    target: &Target,
    client: Option<ClientAddress>,
    per_account: i64,
) -> Result<(), Refused> {
    let [pair, account, known] = sign_in_keys(redis, target, client);
    let counted = redis
        .run("sign-in budget", |mut conn| async move {
            SIGN_IN
                .key(pair)
                .key(account)
                .key(known)
                .arg(WINDOW.as_secs())
                .arg(PER_ACCOUNT_AND_ADDRESS)
                .arg(per_account)
                .invoke_async::<(i64, i64)>(&mut conn)
                .await
        })
        .await;
    match counted {
        Some((0, _)) => Ok(()),
        Some((budget, ttl)) => {
            let whose = if budget == 1 { "account and address" } else { "account" };
            tracing::warn!(budget = whose, "sign-in budget spent");
            Err(Refused::TooMany(TooMany {
                retry_after: u64::try_from(ttl).unwrap_or(1).max(1),
            }))
        }
        None => Err(Refused::Unavailable),
    }
}

/// Records that account `id` signed in from `client`: for [`KNOWN_FOR`],
/// strangers' wrong guesses cannot keep that address out, and this
/// address's count against the account starts over (it knew the password).
/// Best effort: a sign-in that cannot record it still succeeds.
pub async fn signed_in(redis: &Redis, id: i64, client: Option<ClientAddress>) {
    let [pair, _, known] = sign_in_keys(redis, &Target::Account(id), client);
    redis
        .run("record a sign-in address", |mut conn| async move {
            redis::pipe()
                .cmd("SET")
                .arg(known)
                .arg(1)
                .arg("EX")
                .arg(KNOWN_FOR.as_secs())
                .ignore()
                .cmd("DEL")
                .arg(pair)
                .ignore()
                .query_async::<()>(&mut conn)
                .await
        })
        .await;
}

/// Counts one registration with `email` (any case) from `client`, against
/// the email's budget and the address's `per_address` accounts an hour.
pub async fn registration(
    redis: &Redis,
    email: &str,
    client: Option<ClientAddress>,
    per_address: i64,
) -> Result<(), Refused> {
    let who = format!("email:{}", email.trim().to_lowercase());
    guarded(redis, Attempt::Register, &who, REGISTRATIONS_PER_EMAIL, WINDOW).await?;
    let holder = client.map_or_else(|| "unknown".to_owned(), ClientAddress::holder);
    guarded(
        redis,
        Attempt::Register,
        &format!("accounts-from:{holder}"),
        per_address,
        HOUR,
    )
    .await
}

/// Counts one request for a link sent by email (`attempt` is
/// [`Attempt::Reset`] or [`Attempt::Verify`]) about `whose` (an email, any
/// case, or an account) from `client`: the address's budget, the address's
/// budget for that account, and the account's.
pub async fn link(redis: &Redis, attempt: Attempt, whose: &str, client: Option<ClientAddress>) -> Result<(), Refused> {
    let whose = format!("account:{}", whose.trim().to_lowercase());
    let holder = client.map_or_else(|| "unknown".to_owned(), ClientAddress::holder);
    guarded(
        redis,
        attempt,
        &format!("address:{holder}"),
        LINKS_PER_ADDRESS,
        LINK_WINDOW,
    )
    .await?;
    let pair = format!("{whose}:from:{holder}");
    guarded(redis, attempt, &pair, LINKS_PER_ACCOUNT_AND_ADDRESS, LINK_WINDOW).await?;
    guarded(redis, attempt, &whose, LINKS_PER_ACCOUNT, LINK_WINDOW).await
}

/// Counts one comment by the account `user_id`.
pub async fn comment(redis: &Redis, user_id: i64) -> Result<(), TooMany> {
    count(
        redis,
        Attempt::Comment,
        &format!("account:{user_id}"),
        COMMENTS_PER_ACCOUNT,
        WINDOW,
    )
    .await
    .unwrap_or(Ok(()))
}

/// Counts one `attempt` at writing ([`Attempt::Article`],
/// [`Attempt::Favorite`] or [`Attempt::Follow`]) by the account `user_id`
/// against its budget. Uncounted while Redis is down, like comments.
pub async fn writing(redis: &Redis, attempt: Attempt, user_id: i64) -> Result<(), TooMany> {
    let (limit, window) = match attempt {
        Attempt::Article => (ARTICLES_PER_ACCOUNT, HOUR),
        _ => (CLICKS_PER_ACCOUNT, MINUTE),
    };
    count(redis, attempt, &format!("account:{user_id}"), limit, window)
        .await
        .unwrap_or(Ok(()))
}

/// Counts one report by the account `user_id`. Uncounted while Redis is
/// down, like comments.
pub async fn report(redis: &Redis, user_id: i64) -> Result<(), TooMany> {
    count(
        redis,
        Attempt::Report,
        &format!("account:{user_id}"),
        REPORTS_PER_ACCOUNT,
        REPORT_WINDOW,
    )
    .await
    .unwrap_or(Ok(()))
}

/// Counts one search that reaches the database from `client` against
/// `limit` a [`SEARCH_WINDOW`].
pub async fn search(redis: &Redis, client: ClientAddress, limit: i64) -> Result<(), TooMany> {
    let who = format!("address:{}", client.holder());
    count(redis, Attempt::Search, &who, limit, SEARCH_WINDOW)
        .await
        .unwrap_or(Ok(()))
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

    #[test]
    fn an_account_is_one_budget_however_its_address_was_typed_and_keys_stay_short() {
        assert_eq!(
            Target::Nobody("Ada@Example.org".to_owned()).key_part(),
            Target::Nobody("ada@example.org".to_owned()).key_part()
        );
        assert_ne!(Target::Account(1).key_part(), Target::Account(2).key_part());
        let huge = Target::Nobody("a".repeat(300_000)).key_part();
        assert_eq!(huge.len(), 33, "{huge}");
    }
}
