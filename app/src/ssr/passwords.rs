//! Password hashing, bounded in memory and in time.
//!
//! An argon2id hash (the argon2 crate's defaults: 19 MiB, two passes,
//! OWASP's recommendation) takes tens of milliseconds of one core and
//! 19 MiB of memory. Run for every request that asks, sixty sign-ins at once
//! would hold over a gigabyte. So hashes run on a few threads of their own
//! (about one per core), each with one 19 MiB block buffer it keeps and
//! reuses: memory for hashing is that many buffers, whatever the load. (A
//! fresh 19 MiB allocation per hash, as `PasswordHasher` makes, was not
//! given back to the system by glibc's allocator: `make bench-signin`
//! measured the process at 368 MB after 60 sign-ins with two threads.) A
//! request waits its turn for at most [`Passwords::new`]'s `wait`; past
//! that it is refused with [`PasswordError::Busy`] (503 with
//! `Retry-After`), which costs nothing.
//!
//! The PHC strings written and read are the argon2 crate's own
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`); only the memory is ours.

use std::{
    cell::RefCell,
    panic::AssertUnwindSafe,
    sync::{Arc, LazyLock, Mutex, mpsc},
    time::Duration,
};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, Salt, SaltString, rand_core::OsRng},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::Password;

/// Why a password could not be hashed or checked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PasswordError {
    /// Every hasher stayed busy for as long as a request may wait.
    #[error("every password hasher is busy")]
    Busy,
    /// The hasher failed (it should not).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

impl PasswordError {
    /// How long to tell a client to wait before trying again, in seconds.
    pub const RETRY_AFTER: u64 = 2;
}

/// Whether `password` is too easy to guess: one of the most common
/// passwords, a keyboard walk or a sequence, or made of `hints` (the
/// account's username and email). Judged by zxcvbn (Dropbox's estimator,
/// with its lists of the most used passwords, names and words): refused
/// below its score 2, which means "found within a million guesses".
/// `password`, `password123` and `qwertyuiop` are; `correct horse` is not.
/// Only the first 100 characters are judged (zxcvbn's own bound).
pub fn too_easy(password: &Password, hints: &[&str]) -> bool {
    let hints: Vec<&str> = hints
        .iter()
        .flat_map(|hint| hint.split(['@', '.', '_', '-']))
        .filter(|part| part.len() >= 3)
        .collect();
    zxcvbn::zxcvbn(password.expose(), &hints).score() < zxcvbn::Score::Two
}

/// [`too_easy`] as a field's fault: `field`'s [`Fault::TooEasy`].
///
/// [`Fault::TooEasy`]: crate::domain::Fault::TooEasy
pub fn strong_enough(field: &'static str, password: &Password, hints: &[&str]) -> Result<(), crate::domain::Invalid> {
    match too_easy(password, hints) {
        true => Err(crate::domain::Invalid::new(field, crate::domain::Fault::TooEasy)),
        false => Ok(()),
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and the permits that admit work to them. Cheap to
/// clone; the threads end when the last clone is dropped.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    wait: Duration,
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("available", &self.permits.available_permits())
            .field("wait", &self.wait)
            .finish()
    }
}

impl Passwords {
    /// `hashers` threads (at least one); a request waits at most `wait`
    /// for one of them.
    pub fn new(hashers: usize, wait: Duration) -> Self {
        let hashers = hashers.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..hashers {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("warta-argon2-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for a job.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A panicking job must not take its thread along.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                })
                .expect("the OS can start a password hashing thread");
        }
        Self {
            permits: Arc::new(Semaphore::new(hashers)),
            wait,
            jobs,
        }
    }

    /// Runs `work` on a hashing thread once one is free.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordError> {
        let permit: OwnedSemaphorePermit = tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| PasswordError::Busy)?
            .map_err(|_| PasswordError::Busy)?;
        let (done, result) = tokio::sync::oneshot::channel();
        // The permit goes with the job: it is returned when the hash is
        // done, even if the request that asked has gone away meanwhile.
        let job: Job = Box::new(move || {
            let _ = done.send(work());
            drop(permit);
        });
        self.jobs
            .send(job)
            .map_err(|_| PasswordError::Failed("the hashing threads have stopped".to_owned()))?;
        result
            .await
            .map_err(|_| PasswordError::Failed("a hashing job panicked".to_owned()))
    }

    /// An argon2id PHC string for `password`, with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<String, PasswordError> {
        let password = password.clone();
        self.run(move || {
            hash_phc(password.expose().as_bytes()).map_err(|error| PasswordError::Failed(error.to_string()))
        })
        .await?
    }

    /// Whether `password` matches the PHC string `stored`. With `None` (no
    /// such account) it is checked against a hash nobody has, so an unknown
    /// email costs as long as a wrong password, and answers `false`.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> Result<bool, PasswordError> {
        let password = password.to_owned();
        self.run(move || {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            known & verify_phc(password.as_bytes(), &stored)
        })
        .await
    }
}

/// The most memory a stored hash may ask for (in KiB): four times ours.
/// Hashes are only ever ours, but a buffer is not grown without bound.
const M_COST_MAX: u32 = 4 * Params::DEFAULT_M_COST;

/// Runs `work` with `count` argon2 memory blocks from this thread's own
/// buffer, allocated once and kept.
fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    thread_local! {
        static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        work(&mut blocks[..count])
    })
}

/// The argon2 output for `password` and `salt` under `argon2`'s settings,
/// `len` bytes long, computed in this thread's buffer.
fn compute(argon2: &Argon2<'_>, password: &[u8], salt: Salt<'_>, len: usize) -> argon2::password_hash::Result<Output> {
    let mut salt_bytes = [0_u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    with_blocks(argon2.params().block_count(), |blocks| {
        Output::init_with(len, |out| {
            argon2
                .hash_password_into_with_memory(password, salt, out, &mut *blocks)
                .map_err(Into::into)
        })
    })
}

/// A new argon2id PHC string for `password` (the crate's default costs).
fn hash_phc(password: &[u8]) -> argon2::password_hash::Result<String> {
    let argon2 = Argon2::default();
    let salt = SaltString::generate(&mut OsRng);
    let output = compute(&argon2, password, salt.as_salt(), Params::DEFAULT_OUTPUT_LEN)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` is the one `stored` (a PHC string) was made from,
/// compared in constant time. Anything that is not an argon2 hash within
/// [`M_COST_MAX`] matches nothing.
fn verify_phc(password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if params.m_cost() > M_COST_MAX {
        return false;
    }
    let argon2 = Argon2::new(algorithm, version, params);
    compute(&argon2, password, salt, expected.len()).is_ok_and(|computed| computed == expected)
}

/// A hash of a password nobody has, for [`Passwords::verify`]'s unknown
/// accounts.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_phc(b"no account has this password").unwrap_or_default());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_passwords_and_ones_own_name_are_too_easy() {
        let parse = |raw: &str| Password::parse(raw).unwrap();
        for easy in [
            "password",
            "password123",
            "12345678",
            "qwertyuiop",
            "iloveyou",
            "sunshine1",
            "abcdefgh",
        ] {
            assert!(too_easy(&parse(easy), &[]), "{easy}");
        }
        assert!(too_easy(&parse("adalovelace"), &["adalovelace", "ada@example.org"]));
        for fine in [
            "correct horse",
            "correct horse battery",
            "warta-demo-password",
            "tea at the kampung warung",
        ] {
            assert!(!too_easy(&parse(fine), &["ada", "ada@example.org"]), "{fine}");
        }
    }

    #[test]
    fn hashes_are_the_argon2_crates_own_both_ways() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let ours = hash_phc(b"correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse", &parsed).is_err());
        let theirs = Argon2::default()
            .hash_password(b"correct horse", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_phc(b"correct horse", &theirs));
        assert!(!verify_phc(b"wrong horse", &theirs));
        for junk in [
            "",
            "x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "$argon2id$v=19$m=4000000,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            assert!(!verify_phc(b"correct horse", junk), "{junk}");
        }
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let passwords = Passwords::new(1, Duration::from_secs(30));
        let hash = passwords
            .hash(&Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(passwords.verify("correct horse", Some(hash.clone())).await.unwrap());
        assert!(!passwords.verify("wrong horse", Some(hash)).await.unwrap());
        assert!(!passwords.verify("no account has this password", None).await.unwrap());
    }

    #[tokio::test]
    async fn past_the_wait_a_request_is_refused_instead_of_queued() {
        let passwords = Passwords::new(1, Duration::from_millis(20));
        // Hold the only hasher until told to let go.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let busy = passwords.run(move || held.recv().ok());
        let waiting = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let refused = passwords.run(|| ()).await;
            release.send(()).unwrap();
            refused
        };
        let (busy, refused) = tokio::join!(busy, waiting);
        assert!(matches!(refused, Err(PasswordError::Busy)), "{refused:?}");
        assert_eq!(busy.unwrap(), Some(()));
        // The hasher is free again.
        assert!(passwords.run(|| 1).await.is_ok());
    }
}
