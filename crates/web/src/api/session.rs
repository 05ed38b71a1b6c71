//! Signing in and out, API tokens, and accounts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_core::account::{Account, AccountChange, AccountInput, ApiToken};
use chainpark_core::error::Violations;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::Id;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::{self, Caller, SESSION_LIFETIME};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// The signed-in account, and the token to send in `X-CSRF-Token` with every change made with the cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub account: Account,
    pub csrf_token: String,
}

/// A client's address, taken from the connection.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(auth::client_address(parts)))
    }
}

/// Signs in with a username and password and sets the session cookie. A wrong password and an unknown user get
/// the same answer; after too many failures the account (and the address) must wait.
#[utoipa::path(post, path = "/api/v1/session", tag = "access", request_body = SignIn,
    responses((status = 200, body = SessionInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> ApiResult<Response> {
    let username = body.username.trim().to_lowercase();
    if state.throttle.is_blocked(&username, &address) {
        return Err(ApiError::TooManyAttempts(
            "too many failed sign-ins; wait 15 minutes".into(),
        ));
    }
    let account = match state.store.account_for_login(&username).await? {
        Some((account, hash)) => {
            let matches = auth::verify_password(&body.password, &hash);
            (matches && !account.disabled).then_some(account)
        }
        None => {
            auth::verify_unknown_user(&body.password);
            None
        }
    };
    let Some(account) = account else {
        state.throttle.record_failure(&username, &address);
        return Err(ApiError::Unauthorized("wrong username or password".into()));
    };
    state.throttle.record_success(&username);
    let session = auth::new_secret();
    let csrf_token = auth::new_secret();
    let expires_at = Utc::now() + Duration::seconds(SESSION_LIFETIME.as_secs() as i64);
    state
        .store
        .create_session(
            &auth::secret_hash(&session),
            account.id,
            &csrf_token,
            expires_at,
        )
        .await?;
    let cookie = auth::session_cookie(
        &session,
        SESSION_LIFETIME.as_secs(),
        auth::is_https(&state, &headers),
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SessionInfo {
            account,
            csrf_token,
        }),
    )
        .into_response())
}

/// The signed-in account and its CSRF token.
#[utoipa::path(get, path = "/api/v1/session", tag = "access",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn current(caller: Caller) -> Json<SessionInfo> {
    Json(SessionInfo {
        account: caller.account,
        csrf_token: caller.csrf_token,
    })
}

/// Signs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "access",
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> ApiResult<Response> {
    if let Some(hash) = &caller.session_hash {
        state.store.delete_session(hash).await?;
    }
    let cookie = auth::session_cookie("", 0, auth::is_https(&state, &headers));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the signed-in account's own password; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/session/password", tag = "access", request_body = PasswordChange,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let current_ok = match state
        .store
        .account_for_login(&caller.account.username)
        .await?
    {
        Some((_, hash)) => auth::verify_password(&body.current_password, &hash),
        None => false,
    };
    if !current_ok {
        return Err(ApiError::Forbidden("the current password is wrong".into()));
    }
    let mut v = Violations::default();
    chainpark_core::account::check_password(&mut v, "new_password", &body.new_password);
    v.finish(())?;
    let hash = auth::hash_password(&body.new_password)?;
    state
        .store
        .update_account(
            &caller.actor(),
            caller.account.id,
            None,
            None,
            None,
            None,
            Some(hash),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "statistics bureau sync".
    pub name: String,
    /// Days until it expires (1–365, default 90).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// A new token: the only time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: String,
    pub info: ApiToken,
}

/// Creates an API token for the signed-in account, to send as `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let mut v = Violations::default();
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        v.add("name", "is required (at most 100 characters)");
    }
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        v.add("expires_in_days", "must be between 1 and 365");
    }
    v.finish(())?;
    let token = auth::new_secret();
    let info = state
        .store
        .create_token(
            &caller.actor(),
            &name,
            &auth::secret_hash(&token),
            Utc::now() + Duration::days(days),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, info })))
}

/// The signed-in account's tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", responses((status = 200, body = Vec<ApiToken>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(state.store.list_tokens(&caller.actor()).await?))
}

/// Revokes a token at once.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<ApiToken>> {
    Ok(Json(state.store.revoke_token(&caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Lists accounts (admin).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "access", params(AccountQuery),
    responses((status = 200, body = Page<Account>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Json<Page<Account>>> {
    let paging = Paging::new(q.limit, q.offset, None);
    Ok(Json(
        state.store.list_accounts(&caller.actor(), &paging).await?,
    ))
}

/// Creates an account (admin). Chief, owner, staff and enterprise accounts name the person whose posts give
/// their scope.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "access", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AccountInput>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    caller
        .actor
        .scope
        .may_administer()
        .map_err(|d| ApiError::Forbidden(d.0))?;
    let (draft, password) = input.parse()?;
    let hash = auth::hash_password(&password)?;
    let account = state
        .store
        .create_account(&caller.actor(), draft, hash)
        .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// One account (admin).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
) -> ApiResult<Json<Account>> {
    Ok(Json(state.store.get_account(&caller.actor(), id).await?))
}

/// Changes an account (admin): role, person, display name, disabled, or a new password.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "access", params(("id" = i64, Path)), request_body = AccountChange,
    responses((status = 200, body = Account), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Id>,
    ApiJson(change): ApiJson<AccountChange>,
) -> ApiResult<Json<Account>> {
    caller
        .actor
        .scope
        .may_administer()
        .map_err(|d| ApiError::Forbidden(d.0))?;
    let hash = match &change.password {
        Some(password) => {
            let mut v = Violations::default();
            chainpark_core::account::check_password(&mut v, "password", password);
            v.finish(())?;
            Some(auth::hash_password(password)?)
        }
        None => None,
    };
    let person = change.person_id.map(Some);
    Ok(Json(
        state
            .store
            .update_account(
                &caller.actor(),
                id,
                change.role,
                person,
                change.display_name,
                change.disabled,
                hash,
            )
            .await?,
    ))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in, current, sign_out))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(get_account, update_account))
}
