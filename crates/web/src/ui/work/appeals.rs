//! The appeals list with its filters, exports and on-time rate, and the form to file an appeal.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chainpark_core::access::Reach;
use chainpark_core::error::{Invalid, Violations};
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_core::workflow::appeals::{AppealCategory, AppealInput, AppealStatus, Urgency};
use chainpark_store::workflow::AppealFilter;
use serde::Deserialize;

use super::{given, name, number, percent, provisional};
use crate::AppState;
use crate::error::ApiError;
use crate::ui::form::{self, FormErrors};
use crate::ui::picker;
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
    /// The enterprises to file for: an enterprise user's own, or what an officer's search found (only those the
    /// viewer may file for).
    enterprises: Vec<picker::Choice>,
    may_file: bool,
    /// An officer finds the enterprise by a search first (`enterprise_q`); an enterprise user picks its own.
    search_enterprise: bool,
    /// The officer's search, and whether it found nothing.
    enterprise_q: String,
    nothing_found: bool,
    categories: Vec<(&'static str, &'static str, bool)>,
    /// The filing form as typed when it was refused, and why.
    file: FileForm,
    errors: FormErrors,
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
    /// An officer's search for the enterprise to file for.
    enterprise_q: Option<String>,
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
    appeals_page(&state, &viewer, q, FileForm::default(), FormErrors::none()).await
}

/// The list and the filing form (as typed in `file`, with `errors` beside its fields after a refusal).
async fn appeals_page(
    state: &AppState,
    viewer: &Viewer,
    q: AppealsQuery,
    file: FileForm,
    errors: FormErrors,
) -> PageResult {
    let store = state.store.as_ref();
    let status = given(&q.status).and_then(AppealStatus::parse);
    let overdue = crate::ui::sort::overdue_filter(given(&q.overdue));
    let filter = AppealFilter {
        status,
        overdue,
        as_of: state.clock.today(),
        ..AppealFilter::default()
    };
    let filter_query = crate::ui::sort::case_filter_query(status.map(|s| s.as_str()), overdue);
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
            provisional: provisional(viewer, a.provisional_year),
            overdue: match a.overdue {
                Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
                None => "",
            },
            assignee: name(&a.assignee),
            title: a.title,
        })
        .collect();
    // Where the viewer may file: an enterprise user picks one of its enterprises by name, an officer finds one
    // by name or credit code among those the policy lets the officer file for.
    let files = viewer.actor().scope.files_appeals();
    let search_enterprise = files.only_enterprises().is_none();
    let enterprise_q = given(&q.enterprise_q).unwrap_or_default().to_string();
    let chosen = given(&file.enterprise_id).and_then(|v| v.parse::<Id>().ok());
    let mut found = Vec::new();
    if search_enterprise {
        if !enterprise_q.is_empty() {
            found = picker::enterprises_to_file_for(state, viewer, &enterprise_q)
                .await
                .map_err(|e| viewer.fail(e))?;
        } else if let Some(id) = chosen {
            // Back after a refusal: the enterprise chosen stays chosen.
            if let Ok(e) = store.get_enterprise(viewer.actor(), id).await {
                found.push((id, format!("{}（{}）", e.name, e.credit_code)));
            }
        }
    } else {
        for id in files.only_enterprises().unwrap_or_default() {
            if let Ok(e) = store.get_enterprise(viewer.actor(), *id).await {
                found.push((*id, e.name));
            }
        }
    }
    let may_file = if search_enterprise {
        files != Reach::nothing()
    } else {
        !found.is_empty()
    };
    let nothing_found = search_enterprise && !enterprise_q.is_empty() && found.is_empty();
    let chosen = chosen.or_else(|| (found.len() == 1).then(|| found[0].0));
    let enterprises = picker::choices(found, chosen);
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
        enterprises,
        may_file,
        search_enterprise,
        enterprise_q,
        nothing_found,
        categories: AppealCategory::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str(),
                    viewer.t(&format!("appeal.category.{}", c.as_str())),
                    file.category == c.as_str(),
                )
            })
            .collect(),
        file,
        errors,
    }))
}

/// The fields of the filing form, as [`FormErrors`] places their messages.
const FILE_FIELDS: &[&str] = &[
    "enterprise_id",
    "category",
    "urgency",
    "title",
    "description",
];

#[derive(Debug, Default, Deserialize)]
pub struct FileForm {
    enterprise_id: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

impl FileForm {
    fn urgent(&self) -> bool {
        given(&self.urgency) == Some("urgent")
    }
}

pub async fn file_appeal(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<FileForm>,
) -> Response {
    let result: Result<String, ApiError> = async {
        // Every bad field at once: the form's own fields first, then the domain's checks of the text.
        let mut v = Violations::default();
        let enterprise_id = match number("enterprise_id", &form.enterprise_id) {
            Ok(Some(id)) => id,
            Ok(None) => {
                v.add("enterprise_id", "is required");
                0
            }
            Err(_) => {
                v.add("enterprise_id", "must be a number");
                0
            }
        };
        let category = AppealCategory::parse(form.category.trim()).unwrap_or_else(|| {
            v.add("category", "is required");
            AppealCategory::Other
        });
        let urgency = if form.urgent() {
            Urgency::Urgent
        } else {
            Urgency::Normal
        };
        let parsed = AppealInput {
            enterprise_id,
            category,
            urgency,
            title: form.title.clone(),
            description: form.description.clone(),
            received_at: None,
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
        let draft = parsed?;
        let appeal = state
            .store
            .file_appeal(viewer.actor(), draft, state.clock.now(), state.clock.now())
            .await?;
        Ok(format!("/appeals/{}?filed=1", appeal.id))
    }
    .await;
    form::answer(viewer.lang, result, FILE_FIELDS, |errors| async move {
        appeals_page(&state, &viewer, AppealsQuery::default(), form, errors).await
    })
    .await
}
