//! Signed tokens: links that carry their own authority, like the
//! unsubscribe link in an email, which must work without signing in.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// What is stored of a bearer token (an API token, a link's token): its
/// SHA-256, so a copy of the table opens nothing.
pub fn stored_hash(token: &str) -> Vec<u8> {
    use sha2::Digest as _;
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Signs and checks tokens with `WARTA_SECRET`.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    pub fn new(secret: &str) -> Self {
        Self {
            key: secret.as_bytes().to_vec(),
        }
    }

    fn mac(&self, purpose: &str, message: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        mac
    }

    /// A signature over `message` for `purpose`: URL-safe base64 of its
    /// HMAC-SHA256, which [`Signer::verify`] checks.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(purpose, message).finalize().into_bytes())
    }

    /// Whether `signature` is [`Signer::sign`]'s for `purpose` and
    /// `message`, compared in constant time.
    pub fn verify(&self, purpose: &str, message: &str, signature: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|bytes| self.mac(purpose, message).verify_slice(&bytes).is_ok())
    }

    /// The token that stops `follower`'s emails about `author`:
    /// `{follower}-{author}-{signature}`, URL-safe, never expiring (an
    /// unsubscribe link must work in an old email).
    pub fn unsubscribe_token(&self, follower: i64, author: i64) -> String {
        let message = format!("{follower}-{author}");
        let signature = URL_SAFE_NO_PAD.encode(self.mac("unsubscribe", &message).finalize().into_bytes());
        format!("{message}-{signature}")
    }

    /// `(follower, author)` from a token this signer made; `None` for
    /// anything else. The signature is compared in constant time.
    pub fn check_unsubscribe(&self, token: &str) -> Option<(i64, i64)> {
        let mut parts = token.splitn(3, '-');
        let follower: i64 = parts.next()?.parse().ok()?;
        let author: i64 = parts.next()?.parse().ok()?;
        let signature = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        self.mac("unsubscribe", &format!("{follower}-{author}"))
            .verify_slice(&signature)
            .ok()?;
        Some((follower, author))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_checks_out_only_unaltered_and_with_its_key() {
        let signer = Signer::new("k".repeat(32).as_str());
        let token = signer.unsubscribe_token(12, 34);
        assert!(token.starts_with("12-34-"), "{token}");
        assert_eq!(signer.check_unsubscribe(&token), Some((12, 34)));
        assert_eq!(signer.check_unsubscribe(&token.replacen("12-", "13-", 1)), None);
        assert_eq!(signer.check_unsubscribe(&format!("{token}x")), None);
        assert_eq!(signer.check_unsubscribe("12-34-"), None);
        assert_eq!(signer.check_unsubscribe("garbage"), None);
        assert_eq!(Signer::new("other").check_unsubscribe(&token), None);
    }
}
