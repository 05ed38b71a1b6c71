//! The sign-in page and signing out. The form carries a one-time token that must match a cookie set with the
//! form (a double-submit check), so another site cannot sign a visitor in; signing out posts the session's CSRF
//! token in a hidden field, checked here because the form cannot send the API's header.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::Lang;
use super::{Chrome, FormPost, render};
use crate::AppState;
use crate::auth::ClientAddress;
use crate::auth::{self, SESSION_LIFETIME, SignInRefused};
use crate::error::retry_after_seconds;

const SIGN_IN_COOKIE: &str = "chainpark_signin";

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    next: String,
    token: String,
    username: String,
    error: Option<&'static str>,
    /// Seconds to wait before the next try, when throttled.
    retry_after: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path of this site is a place to go back to after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn chrome(lang: Lang, next: &str) -> Chrome {
    let href = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .append_pair("lang", lang.other().code())
        .finish();
    Chrome {
        lang,
        title: lang.t("signin.title").to_string(),
        nav: "",
        user: None,
        csrf: String::new(),
        lang_href: format!("/sign-in?{href}"),
        may_import: false,
        may_see_zone: false,
        is_admin: false,
        unread: 0,
        may_see_projects: false,
        may_see_work_orders: false,
    }
}

fn sign_in_page(
    lang: Lang,
    next: String,
    username: String,
    error: Option<&'static str>,
    status: StatusCode,
) -> Response {
    sign_in_page_with_wait(lang, next, username, error, status, None)
}

fn sign_in_page_with_wait(
    lang: Lang,
    next: String,
    username: String,
    error: Option<&'static str>,
    status: StatusCode,
    retry_after: Option<u64>,
) -> Response {
    let token = chainpark_app::passwords::new_secret();
    let cookie =
        format!("{SIGN_IN_COOKIE}={token}; Path=/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600");
    let mut response = render(SignInPage {
        chrome: chrome(lang, &next),
        next,
        token,
        username,
        error,
        retry_after,
    });
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn form(
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::negotiate(uri.query(), &headers);
    sign_in_page(
        lang,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    token: String,
}

/// Signs in like `POST /api/v1/session` (the same function: same throttle, same answer for unknown users) and
/// goes back to the page that asked for it.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = Lang::negotiate(uri.query(), &headers);
    let next = safe_next(form.next.as_deref());
    let expected = auth::cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != form.token {
        return sign_in_page(
            lang,
            next,
            form.username,
            Some("signin.expired"),
            StatusCode::FORBIDDEN,
        );
    }
    let session = match auth::sign_in(&state, &form.username, &form.password, &address).await {
        Ok(session) => session,
        Err(SignInRefused::WrongCredentials) => {
            return sign_in_page(
                lang,
                next,
                form.username,
                Some("signin.failed"),
                StatusCode::UNAUTHORIZED,
            );
        }
        Err(SignInRefused::Wait(wait)) => {
            let seconds = retry_after_seconds(wait);
            let mut page = sign_in_page_with_wait(
                lang,
                next,
                form.username,
                Some("signin.throttled"),
                StatusCode::TOO_MANY_REQUESTS,
                Some(seconds),
            );
            page.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return page;
        }
        Err(SignInRefused::Failed(error)) => {
            return super::PageError {
                lang,
                error,
                chrome: None,
            }
            .into_response();
        }
    };
    let cookie = auth::session_cookie(
        &session.secret,
        SESSION_LIFETIME.as_secs(),
        auth::is_https(&state, &headers),
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("chainpark_signin=; Path=/sign-in; Max-Age=0"),
    );
    response
}

/// The sign-out form: nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct SignOutForm {}

/// Ends the session when the form carries its CSRF token; otherwise nothing changes.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormPost { viewer, .. }: FormPost<SignOutForm>,
) -> Response {
    if let Some(hash) = &viewer.caller.session_hash {
        let _ = state.store.delete_session(hash).await;
    }
    let cookie = auth::session_cookie("", 0, auth::is_https(&state, &headers));
    let mut response = Redirect::to("/sign-in").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_of_this_site_is_a_place_to_return_to() {
        assert_eq!(safe_next(Some("/chains/3?x=1")), "/chains/3?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
