//! Signing in and who is calling: server-side sessions in a cookie with a CSRF token, API tokens sent as
//! `Authorization: Bearer`, and throttling of failed sign-ins per (account, client address). Passwords are hashed
//! and secrets made by `chainpark_app::passwords`; session ids and tokens are random and stored only as SHA-256
//! hashes; nothing secret is ever logged.

mod client_address;
mod throttle;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use chainpark_app::passwords::{new_secret, secret_hash, verify_password, verify_unknown_user};
use chainpark_core::account::Account;
use chainpark_store::Actor;

pub use client_address::TrustedProxies;
pub use throttle::Throttle;

use crate::AppState;
use crate::cache::CallerKey;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "chainpark_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The caller's network address, for throttling: the peer, or the client a trusted proxy names.
pub fn client_address(parts: &Parts, trusted: &TrustedProxies) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    trusted.client_address(peer, &parts.headers)
}

/// A client's address: the connection's peer, or the client a trusted proxy names in `X-Forwarded-For`.
pub struct ClientAddress(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts, &state.trusted_proxies)))
    }
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
                .map_err(|e| SignInRefused::Failed(e.into()))?;
            (matches && !account.disabled).then_some(account)
        }
        None => {
            verify_unknown_user(password)
                .await
                .map_err(|e| SignInRefused::Failed(e.into()))?;
            None
        }
    };
    let account = account.ok_or(SignInRefused::WrongCredentials)?;
    state.throttle.succeeded(&username, address, Instant::now());
    let secret = new_secret();
    let csrf_token = new_secret();
    let now = state.clock.now();
    let expires_at = now + chrono::Duration::seconds(SESSION_LIFETIME.as_secs() as i64);
    state
        .store
        .create_session(
            &secret_hash(&secret),
            account.id,
            &csrf_token,
            expires_at,
            now,
        )
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
    /// A digest of the actor's scope: callers with the same reach see the same roll-ups (see `cache::reach`).
    pub reach: String,
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
            return token_caller(state, &secret_hash(token))
                .await?
                .ok_or_else(|| {
                    ApiError::Unauthorized("the token is unknown, expired or revoked".into())
                });
        }
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ApiError::Unauthorized("sign in first".into()));
        };
        let caller = session_caller(state, &secret_hash(&session))
            .await?
            .ok_or_else(|| {
                ApiError::Unauthorized("the session has expired; sign in again".into())
            })?;
        if !safe_method(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), caller.csrf_token.as_bytes()) {
                return Err(ApiError::Forbidden(format!(
                    "send this session's CSRF token in the {CSRF_HEADER} header"
                )));
            }
        }
        Ok(caller)
    }
}

/// The caller of an API token (by its hash), today by the application's clock: remembered from an earlier request
/// until something changes, a minute passes or the token expires; otherwise asked of the store.
async fn token_caller(state: &AppState, hash: &str) -> Result<Option<Caller>, ApiError> {
    let key = CallerKey {
        token: true,
        hash: hash.to_string(),
        day: state.clock.today(),
    };
    if let Some(caller) = state.cache.caller(&key) {
        return Ok(Some(caller));
    }
    let version = state.cache.version();
    let Some((account, token)) = state.store.token(hash, state.clock.now()).await? else {
        return Ok(None);
    };
    let actor = state.store.actor_for(&account, key.day).await?;
    let caller = Caller {
        reach: crate::cache::reach(&actor),
        account,
        actor,
        credential: Credential::Token {
            may_create_tokens: token.may_create_tokens,
        },
        csrf_token: String::new(),
        session_hash: None,
    };
    let until = remaining(state, token.expires_at);
    state
        .cache
        .remember_caller(key, caller.clone(), version, until);
    Ok(Some(caller))
}

/// The caller of a session (by the hash of its id), today by the application's clock: remembered like a token's
/// caller, until the session expires at the latest. The CSRF token is the caller's to check.
pub async fn session_caller(state: &AppState, hash: &str) -> Result<Option<Caller>, ApiError> {
    let key = CallerKey {
        token: false,
        hash: hash.to_string(),
        day: state.clock.today(),
    };
    if let Some(caller) = state.cache.caller(&key) {
        return Ok(Some(caller));
    }
    let version = state.cache.version();
    let Some((account, csrf_token, expires_at)) =
        state.store.session(hash, state.clock.now()).await?
    else {
        return Ok(None);
    };
    let actor = state.store.actor_for(&account, key.day).await?;
    let caller = Caller {
        reach: crate::cache::reach(&actor),
        account,
        actor,
        credential: Credential::Session,
        csrf_token,
        session_hash: Some(hash.to_string()),
    };
    state
        .cache
        .remember_caller(key, caller.clone(), version, remaining(state, expires_at));
    Ok(Some(caller))
}

/// The monotonic instant at which `expires_at` comes on the application's clock (which sessions and tokens expire
/// on); a fixed clock never gets there, so the cache's own minute decides.
fn remaining(state: &AppState, expires_at: chrono::DateTime<chrono::Utc>) -> Instant {
    let left = (expires_at - state.clock.now())
        .to_std()
        .unwrap_or(Duration::ZERO);
    Instant::now() + left
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
