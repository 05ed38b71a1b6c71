//! The inbox: the viewer's messages, and marking them read.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_store::workflow::in_language;
use serde::Deserialize;

use super::{finish, number, when};
use crate::AppState;
use crate::ui::{Chrome, FormPost, PageResult, Viewer, render};

struct MessageRow {
    id: Id,
    subject: String,
    body: String,
    at: String,
    unread: bool,
    href: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<MessageRow>,
    unread: i64,
    total: i64,
}

pub async fn inbox(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let store = state.store.as_ref();
    let page = store
        .list_inbox(viewer.actor(), false, &Paging::new(Some(200), None, None))
        .await
        .map_err(|e| viewer.fail(e))?;
    let counts = store
        .inbox_counts(viewer.actor())
        .await
        .map_err(|e| viewer.fail(e))?;
    let english = viewer.lang == crate::ui::i18n::Lang::En;
    let rows = page
        .items
        .into_iter()
        .map(|m| MessageRow {
            id: m.id,
            href: match m.object_kind.as_str() {
                "appeal" => format!("/appeals/{}", m.object_id),
                "work_order" => "/work-orders".to_string(),
                "project" => format!("/projects/{}", m.object_id),
                "enterprise" => format!("/enterprises/{}", m.object_id),
                _ => String::new(),
            },
            subject: in_language(&m.subject, english).to_string(),
            body: in_language(&m.body, english).to_string(),
            at: when(m.created_at),
            unread: m.read_at.is_none(),
        })
        .collect();
    Ok(render(InboxPage {
        chrome: viewer.chrome(viewer.t("inbox.title"), "inbox"),
        rows,
        unread: counts.unread,
        total: counts.total,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    /// One message; empty marks them all.
    #[serde(default)]
    id: Option<String>,
}

pub async fn inbox_read(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<ReadForm>,
) -> Response {
    let result = async {
        let id = number("id", &form.id)?;
        state.store.mark_read(viewer.actor(), id).await?;
        Ok("/inbox".to_string())
    }
    .await;
    finish(&viewer, result)
}
