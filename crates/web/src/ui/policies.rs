//! A chain's 政策清单 (policy list, one of its N图N清单) as a page: its policy documents, the latest issued first, each
//! with its issuer, document number, date, summary and a link to it (or its text). Read with the viewer's actor,
//! so the API's scopes apply unchanged.

use askama::Template;
use axum::extract::{Path, State};
use chainpark_core::policies::Policy;
use chainpark_core::registry::Id;

use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    chrome: Chrome,
    chain_id: Id,
    chain_name: String,
    policies: Vec<Policy>,
}

pub async fn page(State(state): State<AppState>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
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
    }))
}
