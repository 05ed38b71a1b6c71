//! Signing in and who is calling: password hashing (argon2id), server-side sessions in a cookie with a CSRF
//! token, API tokens sent as `Authorization: Bearer`, and throttling of failed sign-ins. Session ids and tokens are
//! random and stored only as SHA-256 hashes; nothing secret is ever logged.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use base64::Engine;
use chainpark_core::account::Account;
use chainpark_store::Actor;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "chainpark_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::bad_field("password", e.to_string()))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to check against when the user does not exist, so that the answer takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not-a-real-password-anyone-has").unwrap_or_default());

pub fn verify_unknown_user(password: &str) {
    let _ = verify_password(password, &DUMMY_HASH);
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

/// Failed sign-ins are counted per account and per address over a window; past the limit, sign-in is refused
/// until the window has passed (even with the right password).
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    pub const PER_ACCOUNT: usize = 5;
    pub const PER_ADDRESS: usize = 20;

    pub fn new() -> Self {
        Throttle {
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn recent(&self, key: &str) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match map.get_mut(key) {
            Some(times) => {
                times.retain(|t| now.duration_since(*t) < Self::WINDOW);
                times.len()
            }
            None => 0,
        }
    }

    pub fn is_blocked(&self, username: &str, address: &str) -> bool {
        self.recent(&format!("user:{username}")) >= Self::PER_ACCOUNT
            || self.recent(&format!("addr:{address}")) >= Self::PER_ADDRESS
    }

    pub fn record_failure(&self, username: &str, address: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        for key in [format!("user:{username}"), format!("addr:{address}")] {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn record_success(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("user:{username}"));
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

/// The caller's network address, for throttling.
pub fn client_address(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Whether the request came over HTTPS (directly configured, or through a proxy that says so).
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.https
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub fn session_cookie(value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    Token,
}

/// Who is calling: the signed-in account and the actor it acts as today. Extracting it refuses the request
/// with 401 when nobody is signed in, and a cookie-authenticated change without the session's CSRF token
/// with 403.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub actor: Actor,
    pub credential: Credential,
    /// The CSRF token of the session (empty for API tokens).
    pub csrf_token: String,
    /// The hash of the session id, to sign out.
    pub session_hash: Option<String>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        self.actor.clone()
    }
}

fn safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::Unauthorized("use Authorization: Bearer <token>".into())
                })?;
            let account = state
                .store
                .token(&secret_hash(token))
                .await?
                .ok_or_else(|| {
                    ApiError::Unauthorized("the token is unknown, expired or revoked".into())
                })?;
            let actor = state.store.actor_for(&account).await?;
            return Ok(Caller {
                account,
                actor,
                credential: Credential::Token,
                csrf_token: String::new(),
                session_hash: None,
            });
        }
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ApiError::Unauthorized("sign in first".into()));
        };
        let hash = secret_hash(&session);
        let (account, csrf_token) = state.store.session(&hash).await?.ok_or_else(|| {
            ApiError::Unauthorized("the session has expired; sign in again".into())
        })?;
        if !safe_method(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
                return Err(ApiError::Forbidden(format!(
                    "send this session's CSRF token in the {CSRF_HEADER} header"
                )));
            }
        }
        let actor = state.store.actor_for(&account).await?;
        Ok(Caller {
            account,
            actor,
            credential: Credential::Session,
            csrf_token,
            session_hash: Some(hash),
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let hash = hash_password("correct horse battery").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
    }

    #[test]
    fn throttle_blocks_after_five_failures_for_one_account() {
        let throttle = Throttle::new();
        for _ in 0..Throttle::PER_ACCOUNT {
            assert!(!throttle.is_blocked("zhang", "10.0.0.1"));
            throttle.record_failure("zhang", "10.0.0.1");
        }
        assert!(throttle.is_blocked("zhang", "10.0.0.2"));
        assert!(!throttle.is_blocked("wang", "10.0.0.2"));
    }

    #[test]
    fn secrets_are_stored_as_hashes() {
        let secret = new_secret();
        assert_eq!(secret.len(), 43);
        assert_eq!(secret_hash(&secret).len(), 64);
        assert_ne!(secret_hash(&secret), secret);
    }
}
