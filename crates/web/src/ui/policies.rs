//! A chain's 政策清单 (policy list, one of its N图N清单) as pages: its policy documents, the latest issued first, each
//! with its issuer, document number, date, summary and a link to it (or its text); and, for those the access policy
//! lets steer the chain (its chiefs and task force, the admin), a form to file a new document, one to change a
//! document and a button to delete (archive) it. Read and written with the viewer's actor, so the API's scopes
//! apply unchanged; a refused form comes back with each message beside its field and the input kept.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chainpark_core::error::{Invalid, Violations};
use chainpark_core::policies::{Policy, PolicyDraft, PolicyInput};
use chainpark_core::registry::Id;
use chainpark_store::StoreError;
use chrono::NaiveDate;
use serde::Deserialize;

use super::form::{self, FormErrors};
use super::{Chrome, FormPost, PageResult, Viewer, render};
use crate::AppState;
use crate::error::ApiError;

/// A policy document as the form posts it (and shows it again when refused).
#[derive(Debug, Default, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    summary: String,
}

impl From<&Policy> for PolicyForm {
    fn from(p: &Policy) -> PolicyForm {
        PolicyForm {
            title: p.title.clone(),
            issuer: p.issuer.clone(),
            document_number: p.document_number.clone(),
            issued_on: p.issued_on.to_string(),
            url: p.url.clone(),
            text: p.text.clone(),
            summary: p.summary.clone(),
        }
    }
}

/// The fields of the policy form, as [`FormErrors`] places their messages.
const FIELDS: &[&str] = &[
    "title",
    "issuer",
    "document_number",
    "issued_on",
    "url",
    "text",
    "summary",
];

impl PolicyForm {
    /// The checked document for `chain`: the date read here, every other rule the domain's, every bad field at once.
    fn draft(&self, chain: Id) -> Result<PolicyDraft, ApiError> {
        let mut v = Violations::default();
        let issued_on = NaiveDate::parse_from_str(self.issued_on.trim(), "%Y-%m-%d")
            .unwrap_or_else(|_| {
                v.add("issued_on", "must be a date (YYYY-MM-DD)");
                NaiveDate::MIN
            });
        let parsed = PolicyInput {
            chain_id: chain,
            title: self.title.clone(),
            issuer: self.issuer.clone(),
            document_number: self.document_number.clone(),
            issued_on,
            url: self.url.clone(),
            text: self.text.clone(),
            summary: self.summary.clone(),
        }
        .parse();
        if let Err(Invalid(errors)) = &parsed {
            for e in errors {
                v.add(&e.field, e.message.clone());
            }
        }
        if !v.is_empty() {
            return Err(v.into_invalid().into());
        }
        Ok(parsed?)
    }
}

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    chrome: Chrome,
    chain_id: Id,
    chain_name: String,
    policies: Vec<Policy>,
    /// The viewer may file, change and delete the chain's documents (the new-document form and the edit links).
    may_steer: bool,
    /// The new-document form: empty, or as typed when it was refused.
    form: PolicyForm,
    errors: FormErrors,
    form_action: String,
    /// The text key of the form's button.
    submit_label: &'static str,
}

pub async fn page(State(state): State<AppState>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    list_page(
        &state,
        &viewer,
        id,
        PolicyForm::default(),
        FormErrors::none(),
    )
    .await
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    form: PolicyForm,
    errors: FormErrors,
) -> PageResult {
    let actor = viewer.actor();
    let chain = state
        .store
        .get_chain(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let policies = state
        .store
        .list_policies(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let chain_name = viewer.lang.pick(&chain.name, &chain.name_en).to_string();
    Ok(render(PoliciesPage {
        chrome: viewer.chrome(
            format!("{} · {}", viewer.t("policies.title"), chain_name),
            "chains",
        ),
        chain_id: id,
        chain_name,
        policies,
        may_steer: actor.scope.may_steer_chain(id).is_ok(),
        form,
        errors,
        form_action: format!("/chains/{id}/policies"),
        submit_label: "policies.add",
    }))
}

/// Files a new document under the chain, then back to the list at it; a refused form comes back on the list page.
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<PolicyForm>,
) -> Response {
    let result = async {
        let actor = viewer.actor();
        // Who may not file here learns that first (or that the chain is not there for them), before the input.
        state.store.get_chain(actor, id).await?;
        actor.scope.may_steer_chain(id).map_err(StoreError::from)?;
        let policy = state.store.create_policy(actor, form.draft(id)?).await?;
        Ok::<_, ApiError>(format!("/chains/{id}/policies#policy-{}", policy.id))
    }
    .await;
    form::answer(viewer.lang, result, FIELDS, |errors| async move {
        list_page(&state, &viewer, id, form, errors).await
    })
    .await
}

#[derive(Template)]
#[template(path = "policy_edit.html")]
struct EditPage {
    chrome: Chrome,
    policy_id: Id,
    chain_id: Id,
    chain_name: String,
    /// The document as stored, or as typed when the change was refused.
    form: PolicyForm,
    errors: FormErrors,
    form_action: String,
    /// The text key of the form's button.
    submit_label: &'static str,
}

/// A document the viewer may change: it must be readable to them (404 or 403 as the API answers), and its chain
/// one they steer (403).
async fn steerable(state: &AppState, viewer: &Viewer, id: Id) -> Result<Policy, ApiError> {
    let actor = viewer.actor();
    let policy = state.store.get_policy(actor, id).await?;
    actor
        .scope
        .may_steer_chain(policy.chain_id)
        .map_err(StoreError::from)?;
    Ok(policy)
}

pub async fn edit(State(state): State<AppState>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    let policy = steerable(&state, &viewer, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    edit_page(
        &state,
        &viewer,
        &policy,
        PolicyForm::from(&policy),
        FormErrors::none(),
    )
    .await
}

async fn edit_page(
    state: &AppState,
    viewer: &Viewer,
    policy: &Policy,
    form: PolicyForm,
    errors: FormErrors,
) -> PageResult {
    let chain = state
        .store
        .get_chain(viewer.actor(), policy.chain_id)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(render(EditPage {
        chrome: viewer.chrome(
            format!("{} · {}", viewer.t("policies.edit_title"), policy.title),
            "chains",
        ),
        policy_id: policy.id,
        chain_id: policy.chain_id,
        chain_name: viewer.lang.pick(&chain.name, &chain.name_en).to_string(),
        form,
        errors,
        form_action: format!("/policies/{}", policy.id),
        submit_label: "policies.save",
    }))
}

/// Changes a document, then back to the chain's list at it; a refused form comes back on the edit page.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<PolicyForm>,
) -> Response {
    let policy = match steerable(&state, &viewer, id).await {
        Ok(policy) => policy,
        Err(e) => return viewer.fail(e).into_response(),
    };
    let result = async {
        let draft = form.draft(policy.chain_id)?;
        state.store.update_policy(viewer.actor(), id, draft).await?;
        Ok::<_, ApiError>(format!("/chains/{}/policies#policy-{id}", policy.chain_id))
    }
    .await;
    form::answer(viewer.lang, result, FIELDS, |errors| async move {
        edit_page(&state, &viewer, &policy, form, errors).await
    })
    .await
}

/// The delete button: nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct ArchiveForm {}

/// Deletes a document from the chain's list (it is archived: the audit trail keeps it), then back to the list.
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, .. }: FormPost<ArchiveForm>,
) -> Response {
    match state.store.archive_policy(viewer.actor(), id).await {
        Ok(policy) => {
            Redirect::to(&format!("/chains/{}/policies", policy.chain_id)).into_response()
        }
        Err(e) => viewer.fail(e).into_response(),
    }
}
