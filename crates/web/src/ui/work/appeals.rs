//! The appeals list with its filters, exports and on-time rate, and the form to file an appeal.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chainpark_core::access::Reach;
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_core::workflow::appeals::{AppealCategory, AppealInput, AppealStatus, Urgency};
use chainpark_store::workflow::AppealFilter;
use serde::Deserialize;

use super::{finish, given, name, number, percent, provisional};
use crate::AppState;
use crate::error::ApiError;
use crate::ui::{Chrome, FormPost, PageResult, Viewer, render};

struct AppealRow {
    id: Id,
    title: String,
    enterprise: String,
    category: &'static str,
    status: &'static str,
    received_on: String,
    reply_due: String,
    /// Why the deadline is provisional (empty when it is not).
    provisional: String,
    overdue: &'static str,
    assignee: String,
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct AppealsPage {
    chrome: Chrome,
    rows: Vec<AppealRow>,
    total: i64,
    statuses: Vec<(&'static str, &'static str, bool)>,
    overdue: String,
    filter_query: String,
    /// The enterprises the viewer may file for (an enterprise user's own); officers type the id.
    own_enterprises: Vec<(Id, String)>,
    may_file: bool,
    /// The form offers `own_enterprises` to pick from instead of asking for an id.
    pick_enterprise: bool,
    categories: Vec<(&'static str, &'static str)>,
    /// The on-time rate of the appeals the filter selects, in per cent ("—" when nothing is due yet).
    on_time_rate: String,
    pager: crate::ui::Pager,
    sorting: crate::ui::sort::Sorting,
}

#[derive(Debug, Default, Deserialize)]
pub struct AppealsQuery {
    status: Option<String>,
    overdue: Option<String>,
    offset: Option<i64>,
    sort: Option<String>,
    dir: Option<String>,
}

/// The columns the appeal list sorts by (the store's keys).
const SORTABLE: &[&str] = &[
    "title",
    "enterprise",
    "category",
    "status",
    "received_on",
    "reply_due",
];

pub async fn appeals(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AppealsQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let status = given(&q.status).and_then(AppealStatus::parse);
    let overdue = match given(&q.overdue) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let filter = AppealFilter {
        status,
        overdue,
        as_of: state.clock.today(),
        ..AppealFilter::default()
    };
    let filter_query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = status {
            query.append_pair("status", s.as_str());
        }
        if let Some(o) = overdue {
            query.append_pair("overdue", if o { "true" } else { "false" });
        }
        query.finish()
    };
    let sorting = crate::ui::sort::Sorting::read(
        "/appeals",
        filter_query.clone(),
        q.sort.as_deref(),
        q.dir.as_deref(),
        SORTABLE,
        ("received_on", true),
    )
    .map_err(|e| viewer.fail(e))?;
    let offset = q.offset.unwrap_or(0).max(0);
    let page = store
        .list_appeals(
            viewer.actor(),
            &filter,
            &Paging::new(
                Some(crate::ui::LIST_PAGE),
                Some(offset),
                sorting.store_key().as_deref(),
            ),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let on_time_rate = store
        .appeal_on_time_rate(viewer.actor(), &filter)
        .await
        .map(|r| percent(r.rate_percent))
        .unwrap_or_else(|_| percent(None));
    let shown = page.items.len();
    let rows = page
        .items
        .into_iter()
        .map(|a| AppealRow {
            id: a.id,
            enterprise: a.enterprise_name,
            category: viewer.t(&format!("appeal.category.{}", a.category.as_str())),
            status: viewer.t(&format!("appeal.status.{}", a.status.as_str())),
            received_on: a.received_on.to_string(),
            reply_due: a.reply_due.to_string(),
            provisional: provisional(&viewer, a.provisional_year),
            overdue: match a.overdue {
                Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
                None => "",
            },
            assignee: name(&a.assignee),
            title: a.title,
        })
        .collect();

    // Where the viewer may file: an enterprise user picks one of its enterprises by name, officers type the id.
    let files = viewer.actor().scope.files_appeals();
    let mut own_enterprises = Vec::new();
    let pick_enterprise = files.only_enterprises().is_some();
    for id in files.only_enterprises().unwrap_or_default() {
        if let Ok(e) = store.get_enterprise(viewer.actor(), *id).await {
            own_enterprises.push((*id, e.name));
        }
    }
    let may_file = if pick_enterprise {
        !own_enterprises.is_empty()
    } else {
        files != Reach::nothing()
    };
    let pager = crate::ui::Pager::new("/appeals", &sorting.query(), offset, shown, page.total);
    Ok(render(AppealsPage {
        pager,
        sorting,
        on_time_rate,
        chrome: viewer.chrome(viewer.t("appeals.title"), "appeals"),
        rows,
        total: page.total,
        statuses: AppealStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    viewer.t(&format!("appeal.status.{}", s.as_str())),
                    Some(*s) == status,
                )
            })
            .collect(),
        overdue: given(&q.overdue).unwrap_or_default().to_string(),
        filter_query,
        own_enterprises,
        may_file,
        pick_enterprise,
        categories: AppealCategory::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str(),
                    viewer.t(&format!("appeal.category.{}", c.as_str())),
                )
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct FileForm {
    enterprise_id: Option<String>,
    category: String,
    #[serde(default)]
    urgency: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
}

pub async fn file_appeal(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<FileForm>,
) -> Response {
    let result = async {
        let enterprise_id = number("enterprise_id", &form.enterprise_id)?
            .ok_or_else(|| ApiError::bad_field("enterprise_id", "is required"))?;
        let category = AppealCategory::parse(form.category.trim()).ok_or_else(|| {
            ApiError::bad_field("category", format!("unknown category {:?}", form.category))
        })?;
        let urgency = match given(&form.urgency) {
            None => Urgency::Normal,
            Some(u) => Urgency::parse(u)
                .ok_or_else(|| ApiError::bad_field("urgency", "normal or urgent"))?,
        };
        let draft = AppealInput {
            enterprise_id,
            category,
            urgency,
            title: form.title.clone(),
            description: form.description.clone(),
            received_at: None,
        }
        .parse()?;
        let appeal = state
            .store
            .file_appeal(viewer.actor(), draft, state.clock.now(), state.clock.now())
            .await?;
        Ok(format!("/appeals/{}?filed=1", appeal.id))
    }
    .await;
    finish(&viewer, result)
}
