//! The admin's accounts page: who can sign in, with which role and person, and a form to add an account. The
//! store refuses everyone but the admin, so the page does too.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chainpark_core::access::Role;
use chainpark_core::account::AccountInput;
use chainpark_core::list::Paging;
use serde::Deserialize;

use super::{Chrome, FormPost, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;

struct AccountRow {
    username: String,
    display_name: String,
    role: &'static str,
    person: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    rows: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    created: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AccountsQuery {
    created: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<AccountsQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let accounts = store
        .list_accounts(actor, &Paging::new(Some(Paging::MAX_LIMIT), None, None))
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let mut rows = Vec::with_capacity(accounts.len());
    for account in accounts {
        let person = match account.person_id {
            Some(id) => store
                .get_person(actor, id)
                .await
                .map(|p| format!("{} (#{id})", p.name))
                .unwrap_or_else(|_| format!("#{id}")),
            None => String::new(),
        };
        rows.push(AccountRow {
            username: account.username,
            display_name: account.display_name,
            role: viewer.t(&format!("role.{}", account.role.as_str())),
            person,
            disabled: account.disabled,
        });
    }
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str(), viewer.t(&format!("role.{}", r.as_str()))))
        .collect();
    Ok(render(AccountsPage {
        chrome: viewer.chrome(viewer.t("accounts.title"), "accounts"),
        rows,
        roles,
        created: q.created,
    }))
}

#[derive(Debug, Deserialize)]
pub struct NewAccountForm {
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    display_name: String,
}

pub async fn create(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<NewAccountForm>,
) -> Response {
    let result = async {
        let role = Role::parse(&form.role)
            .ok_or_else(|| ApiError::bad_field("role", format!("unknown role {:?}", form.role)))?;
        let person_id = match form.person_id.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| ApiError::bad_field("person_id", "must be a number"))?,
            ),
        };
        viewer
            .actor()
            .scope
            .may_administer()
            .map_err(|d| ApiError::Forbidden(d.0))?;
        let (draft, password) = AccountInput {
            username: form.username,
            password: form.password,
            role,
            person_id,
            display_name: form.display_name,
        }
        .parse()?;
        let hash = chainpark_app::passwords::hash_password(&password).await?;
        let account = state
            .store
            .create_account(viewer.actor(), draft, hash)
            .await?;
        Ok::<String, ApiError>(account.username)
    }
    .await;
    match result {
        Ok(username) => Redirect::to(&format!(
            "/accounts?created={}",
            form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>()
        ))
        .into_response(),
        Err(e) => viewer.fail(e).into_response(),
    }
}
