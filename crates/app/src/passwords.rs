//! Passwords and secrets: argon2id hashing on blocking threads, random secrets for sessions and tokens, and the
//! SHA-256 hash under which the store keeps them (never the secret itself).

use std::sync::{Arc, LazyLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// argon2 is meant to be slow (tens of milliseconds of CPU and 19 MiB per hash): it runs on blocking threads, at
/// most one per CPU at a time, so that a burst of sign-ins queues there while the async threads go on answering.
static ARGON2_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ))
});

async fn on_argon2_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let internal = |e: String| AppError::internal(format!("password hashing: {e}"));
    let slot = ARGON2_SLOTS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(slot);
        result
    })
    .await
    .map_err(|e| internal(e.to_string()))
}

fn hash_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::bad_field("password", e.to_string()))
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes a password with argon2id and a random salt (PHC string format), on a blocking thread.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_string();
    on_argon2_thread(move || hash_now(&password)).await?
}

/// Checks a password against a stored hash, on a blocking thread; a malformed hash never matches.
pub async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    on_argon2_thread(move || verify_now(&password, &hash)).await
}

/// A hash to check against when the user does not exist, so that the answer takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("not-a-real-password-anyone-has").unwrap_or_default());

/// Checks `password` against a hash nobody has: what a sign-in of an unknown user costs, so that it takes as long
/// as a wrong password.
pub async fn verify_unknown_user(password: &str) -> AppResult<()> {
    let password = password.to_string();
    on_argon2_thread(move || {
        let _ = verify_now(&password, &DUMMY_HASH);
    })
    .await
}

/// A new random secret: 32 bytes, URL-safe base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a session id or token.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let hash = hash_now("correct horse battery").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_now("correct horse battery", &hash));
        assert!(!verify_now("correct horse batterz", &hash));
    }

    #[test]
    fn secrets_are_stored_as_hashes() {
        let secret = new_secret();
        assert_eq!(secret.len(), 43);
        assert_eq!(secret_hash(&secret).len(), 64);
        assert_ne!(secret_hash(&secret), secret);
    }
}
