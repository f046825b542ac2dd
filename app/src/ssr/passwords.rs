//! Password hashing, bounded in memory and in time.
//!
//! An argon2id hash (the argon2 crate's defaults: 19 MiB, two passes,
//! OWASP's recommendation) takes tens of milliseconds of one core and
//! 19 MiB of memory. Run for every request that asks, sixty sign-ins at once
//! would hold over a gigabyte. So hashes run on a few threads of their own
//! (about one per core): at most that many are in memory at once, and the
//! allocator keeps reusing the same few blocks instead of growing an arena
//! on every thread of the blocking pool. A request waits its turn for at
//! most [`Passwords::new`]'s `wait`; past that it is refused with
//! [`PasswordError::Busy`] (503 with `Retry-After`), which costs nothing.

use std::{
    panic::AssertUnwindSafe,
    sync::{Arc, LazyLock, Mutex, mpsc},
    time::Duration,
};

use argon2::{
    Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _,
    password_hash::{SaltString, rand_core::OsRng},
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
            Argon2::default()
                .hash_password(password.expose().as_bytes(), &SaltString::generate(&mut OsRng))
                .map(|hash| hash.to_string())
                .map_err(|error| PasswordError::Failed(error.to_string()))
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
            let matches = PasswordHash::new(&stored)
                .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
            known && matches
        })
        .await
    }
}

/// A hash of a password nobody has, for [`Passwords::verify`]'s unknown
/// accounts.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no account has this password", &SaltString::generate(&mut OsRng))
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

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
