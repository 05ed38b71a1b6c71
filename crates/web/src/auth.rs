//! Signing in and who is calling: password hashing (argon2id, on blocking threads), server-side sessions in a
//! cookie with a CSRF token, API tokens sent as `Authorization: Bearer`, and throttling of failed sign-ins per
//! (account, client address). Session ids and tokens are random and stored only as SHA-256 hashes; nothing secret
//! is ever logged.

mod client_address;
mod throttle;

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
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
use tokio::sync::Semaphore;

pub use client_address::TrustedProxies;
pub use throttle::Throttle;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "chainpark_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// argon2 is meant to be slow (tens of milliseconds of CPU and 19 MiB per hash): it runs on blocking threads, at
/// most one per CPU at a time, so that a burst of sign-ins queues there while the async threads go on answering.
static ARGON2_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ))
});

async fn on_argon2_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let internal = |e: String| {
        ApiError::Store(chainpark_store::StoreError::Corrupt(format!(
            "password hashing: {e}"
        )))
    };
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

fn hash_now(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::bad_field("password", e.to_string()))
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
pub async fn hash_password(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    on_argon2_thread(move || hash_now(&password)).await?
}

/// Checks a password against a stored hash, on a blocking thread; a malformed hash never matches.
pub async fn verify_password(password: &str, hash: &str) -> Result<bool, ApiError> {
    let (password, hash) = (password.to_string(), hash.to_string());
    on_argon2_thread(move || verify_now(&password, &hash)).await
}

/// A hash to check against when the user does not exist, so that the answer takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("not-a-real-password-anyone-has").unwrap_or_default());

async fn verify_unknown_user(password: &str) -> Result<(), ApiError> {
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

/// The caller's network address, for throttling: the peer, or the client a trusted proxy names.
pub fn client_address(parts: &Parts, trusted: &TrustedProxies) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    trusted.client_address(peer, &parts.headers)
}

/// Why a sign-in did not happen.
#[derive(Debug)]
pub enum SignInRefused {
    /// Wrong password, unknown user or disabled account: one answer for all three.
    WrongCredentials,
    /// This account from this address must wait before trying again.
    Wait(Duration),
    Failed(ApiError),
}

/// A new session: the secret for the cookie (only its hash is stored) and its CSRF token.
pub struct NewSession {
    pub account: Account,
    pub secret: String,
    pub csrf_token: String,
}

/// Signs in, for the API and the sign-in page alike: one throttled attempt for the pair (account, address), the
/// password checked on a blocking thread, and on success a new server-side session.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<NewSession, SignInRefused> {
    let username = username.trim().to_lowercase();
    state
        .throttle
        .attempt(&username, address, Instant::now())
        .map_err(SignInRefused::Wait)?;
    let account = match state
        .store
        .account_for_login(&username)
        .await
        .map_err(|e| SignInRefused::Failed(e.into()))?
    {
        Some((account, hash)) => {
            let matches = verify_password(password, &hash)
                .await
                .map_err(SignInRefused::Failed)?;
            (matches && !account.disabled).then_some(account)
        }
        None => {
            verify_unknown_user(password)
                .await
                .map_err(SignInRefused::Failed)?;
            None
        }
    };
    let account = account.ok_or(SignInRefused::WrongCredentials)?;
    state.throttle.succeeded(&username, address, Instant::now());
    let secret = new_secret();
    let csrf_token = new_secret();
    let expires_at =
        chrono::Utc::now() + chrono::Duration::seconds(SESSION_LIFETIME.as_secs() as i64);
    state
        .store
        .create_session(&secret_hash(&secret), account.id, &csrf_token, expires_at)
        .await
        .map_err(|e| SignInRefused::Failed(e.into()))?;
    Ok(NewSession {
        account,
        secret,
        csrf_token,
    })
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
    Token { may_create_tokens: bool },
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

    /// A signed-in person may create API tokens; a token only when it was created with that right.
    pub fn may_create_tokens(&self) -> bool {
        match self.credential {
            Credential::Session => true,
            Credential::Token { may_create_tokens } => may_create_tokens,
        }
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
            let (account, token) =
                state
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
                credential: Credential::Token {
                    may_create_tokens: token.may_create_tokens,
                },
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
