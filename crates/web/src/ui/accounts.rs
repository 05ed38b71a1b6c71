//! The admin's accounts page: who can sign in, with which role and person, and a form to add an account. The
//! store refuses everyone but the admin, so the page does too.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chainpark_core::access::Role;
use chainpark_core::account::{AccountInput, CredentialsEnded};
use chainpark_core::error::Violations;
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_store::AccountEdit;
use serde::Deserialize;

use super::form::{self, FormErrors, Refusal};
use super::picker::{self, Choice};
use super::{Chrome, FormPost, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;

struct AccountRow {
    id: Id,
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
    roles: Vec<(&'static str, &'static str, bool)>,
    created: Option<String>,
    /// The search for the account's person, and the people it found ("name · posts").
    person_q: String,
    people: Vec<Choice>,
    nothing_found: bool,
    /// The form as typed when it was refused (the password never comes back), and why.
    form: NewAccountForm,
    errors: FormErrors,
    /// The admin may disable, enable and reset (the policy's answer): the forms of each row.
    may_administer: bool,
    /// After a change to an account: what was done to whom, and what it ended.
    changed: Option<String>,
    /// A row's password form refused (`password-<id>`), and why; the password never comes back.
    refused: Refusal,
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountsQuery {
    created: Option<String>,
    /// The account changed, what was done (`disabled`, `enabled`, `password`) and what it ended.
    changed: Option<String>,
    done: Option<String>,
    tokens: Option<u64>,
    sessions: Option<u64>,
    /// The admin's search for the person of a new account.
    person_q: Option<String>,
}

/// The fields of the new-account form, as [`FormErrors`] places their messages.
const ACCOUNT_FIELDS: &[&str] = &["username", "password", "role", "person_id", "display_name"];

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<AccountsQuery>,
) -> PageResult {
    accounts_page(
        &state,
        &viewer,
        q,
        (NewAccountForm::default(), FormErrors::none()),
        Refusal::none(),
    )
    .await
}

async fn accounts_page(
    state: &AppState,
    viewer: &Viewer,
    q: AccountsQuery,
    (form, errors): (NewAccountForm, FormErrors),
    refused: Refusal,
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
                .map(|p| p.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        rows.push(AccountRow {
            id: account.id,
            username: account.username,
            display_name: account.display_name,
            role: viewer.t(&format!("role.{}", account.role.as_str())),
            person,
            disabled: account.disabled,
        });
    }
    let roles = Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                viewer.t(&format!("role.{}", r.as_str())),
                form.role == r.as_str(),
            )
        })
        .collect();
    let person_q = q.person_q.as_deref().unwrap_or("").trim().to_string();
    let chosen = form.person_id.trim().parse::<Id>().ok();
    let mut found = Vec::new();
    if !person_q.is_empty() {
        found = picker::people_matching(state, viewer, &person_q)
            .await
            .map_err(|e| viewer.fail(e))?;
    } else if let Some(id) = chosen {
        // Back after a refusal: the person chosen stays chosen.
        if let Ok(p) = store.get_person(actor, id).await {
            found.push((id, p.name));
        }
    }
    let nothing_found = !person_q.is_empty() && found.is_empty();
    let changed = match (q.changed, q.done.as_deref()) {
        (Some(name), Some(done @ ("disabled" | "enabled" | "password"))) => Some(format!(
            "{} {name}：{}",
            viewer.t(&format!("accounts.changed.{done}")),
            viewer
                .t("accounts.ended")
                .replace("{tokens}", &q.tokens.unwrap_or(0).to_string())
                .replace("{sessions}", &q.sessions.unwrap_or(0).to_string())
        )),
        _ => None,
    };
    Ok(render(AccountsPage {
        may_administer: actor.scope.may_administer().is_ok(),
        changed,
        refused,
        chrome: viewer.chrome(viewer.t("accounts.title"), "accounts"),
        rows,
        roles,
        created: q.created,
        person_q,
        people: picker::choices(found, chosen),
        nothing_found,
        form,
        errors,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct NewAccountForm {
    #[serde(default)]
    username: String,
    /// Read, never shown again.
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    display_name: String,
}

pub async fn create(
    State(state): State<AppState>,
    FormPost { viewer, mut form }: FormPost<NewAccountForm>,
) -> Response {
    let result = async {
        viewer
            .actor()
            .scope
            .may_administer()
            .map_err(|d| ApiError::Forbidden(d.0))?;
        let role = Role::parse(&form.role)
            .ok_or_else(|| ApiError::bad_field("role", format!("unknown role {:?}", form.role)))?;
        let person_id = match form.person_id.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| ApiError::bad_field("person_id", "must be a number"))?,
            ),
        };
        let (draft, password) = AccountInput {
            username: form.username.clone(),
            password: std::mem::take(&mut form.password),
            role,
            person_id,
            display_name: form.display_name.clone(),
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
    let result = result.map(|username| {
        format!(
            "/accounts?created={}",
            form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>()
        )
    });
    form::answer(viewer.lang, result, ACCOUNT_FIELDS, |errors| async move {
        accounts_page(
            &state,
            &viewer,
            AccountsQuery::default(),
            (form, errors),
            Refusal::none(),
        )
        .await
    })
    .await
}

/// The page after a change to an account: what was done and how many tokens and sessions it ended.
fn changed_target(username: &str, done: &str, ended: CredentialsEnded) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("changed", username)
        .append_pair("done", done)
        .append_pair("tokens", &ended.tokens_revoked.to_string())
        .append_pair("sessions", &ended.sessions_ended.to_string())
        .finish();
    format!("/accounts?{query}#account-changed")
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    /// "true" disables the account, "false" enables it again.
    disabled: String,
}

/// Disables an account (its tokens revoked for good, every session ended) or enables it again: the admin.
pub async fn set_disabled(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<DisableForm>,
) -> Response {
    let result = async {
        let disabled = match form.disabled.trim() {
            "true" => true,
            "false" => false,
            other => {
                return Err(ApiError::bad_field(
                    "disabled",
                    format!("must be true or false, not {other:?}"),
                ));
            }
        };
        let edit = AccountEdit {
            disabled: Some(disabled),
            keep_session: viewer.caller.session_hash.clone(),
            ..AccountEdit::default()
        };
        let (account, ended) = state.store.update_account(viewer.actor(), id, edit).await?;
        let done = if disabled { "disabled" } else { "enabled" };
        Ok(changed_target(&account.username, done, ended))
    }
    .await;
    match result {
        Ok(target) => Redirect::to(&target).into_response(),
        Err(e) => viewer.fail(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    /// Read, never shown again.
    #[serde(default)]
    password: String,
}

/// Sets a new password for an account (the admin): its API tokens are revoked and its sessions ended.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, mut form }: FormPost<PasswordForm>,
) -> Response {
    let result = async {
        viewer
            .actor()
            .scope
            .may_administer()
            .map_err(|d| ApiError::Forbidden(d.0))?;
        let password = std::mem::take(&mut form.password);
        let mut v = Violations::default();
        chainpark_core::account::check_password(&mut v, "password", &password);
        v.finish(())?;
        let edit = AccountEdit {
            password_hash: Some(chainpark_app::passwords::hash_password(&password).await?),
            keep_session: viewer.caller.session_hash.clone(),
            ..AccountEdit::default()
        };
        let (account, ended) = state.store.update_account(viewer.actor(), id, edit).await?;
        Ok(changed_target(&account.username, "password", ended))
    }
    .await;
    form::answer(viewer.lang, result, &["password"], |errors| async move {
        // Nothing typed comes back: the form is refused with its messages only.
        let refused = Refusal::new(format!("password-{id}"), &(), errors);
        let empty = (NewAccountForm::default(), FormErrors::none());
        accounts_page(&state, &viewer, AccountsQuery::default(), empty, refused).await
    })
    .await
}
