//! The park work orders, the forms of the steps the viewer may take on each, and the form to open one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_core::access::Place;
use chainpark_core::list::Paging;
use chainpark_core::registry::{Id, PostRole};
use chainpark_core::workflow::work_orders::{
    WorkOrderAction, WorkOrderInput, WorkOrderKind, WorkOrderStatus, WorkOrderStepInput,
    WorkOrderUrgency, permitted_steps,
};
use chainpark_store::workflow::WorkOrderFilter;
use serde::Deserialize;

use super::{given, name, number, provisional, when};
use crate::AppState;
use crate::error::ApiError;
use crate::ui::form::{self, FormErrors, Refusal};
use crate::ui::picker::{self, Choice};
use crate::ui::{Chrome, FormPost, PageResult, Viewer, render};
use chainpark_core::error::{Invalid, Violations};

struct WorkOrderRow {
    id: Id,
    /// The version the step forms were made for.
    version: i64,
    park_id: Id,
    park: String,
    facility: String,
    title: String,
    kind: &'static str,
    urgency: &'static str,
    status: &'static str,
    due_at: String,
    /// Why the deadline is provisional (empty when it is not).
    provisional: String,
    overdue: bool,
    assignee: String,
    /// The steps the viewer may take now, as the access policy decides.
    steps: Vec<(&'static str, &'static str)>,
    /// The park's current staff, for the assign form (empty: no assign form).
    staff: Vec<(Id, String)>,
}

#[derive(Template)]
#[template(path = "work_orders.html")]
struct WorkOrdersPage {
    chrome: Chrome,
    rows: Vec<WorkOrderRow>,
    total: i64,
    statuses: Vec<(&'static str, &'static str, bool)>,
    overdue: String,
    /// The parks the viewer may open orders in (empty: no form).
    create_parks: Vec<Choice>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    urgencies: Vec<(&'static str, &'static str, bool)>,
    /// The form to open an order as typed when it was refused, and why.
    form: WorkOrderForm,
    errors: FormErrors,
    filter_query: String,
    pager: crate::ui::Pager,
    sorting: crate::ui::sort::Sorting,
}

/// The people holding a park-staff post of `park` today, by name, whom the page offers as a work order's assignee
/// (the API also takes the park's chief, `CASE_PARK_ROLES`; the chief assigns to the staff); none when the viewer
/// may not list them.
pub(super) async fn park_staff(state: &AppState, viewer: &Viewer, park: Id) -> Vec<(Id, String)> {
    picker::post_holders(state, viewer, (&[], &[]), (&[park], &[PostRole::ParkStaff]))
        .await
        .unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkOrdersQuery {
    status: Option<String>,
    overdue: Option<String>,
    offset: Option<i64>,
    sort: Option<String>,
    dir: Option<String>,
}

/// The columns the work-order list sorts by (the store's keys); by default the earliest deadline first.
const SORTABLE: &[&str] = &["facility", "title", "kind", "urgency", "status", "due_at"];

pub async fn work_orders(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<WorkOrdersQuery>,
) -> PageResult {
    work_orders_page(
        &state,
        &viewer,
        q,
        WorkOrderForm::default(),
        FormErrors::none(),
    )
    .await
}

/// The list and the form to open an order (as typed in `form`, with `errors` beside its fields after a refusal).
async fn work_orders_page(
    state: &AppState,
    viewer: &Viewer,
    q: WorkOrdersQuery,
    form: WorkOrderForm,
    errors: FormErrors,
) -> PageResult {
    let status = given(&q.status).and_then(WorkOrderStatus::parse);
    let overdue = crate::ui::sort::overdue_filter(given(&q.overdue));
    let filter = WorkOrderFilter {
        park_id: None,
        status,
        kind: None,
        assignee_person_id: None,
        overdue,
        at: state.clock.now(),
    };
    let filter_query = crate::ui::sort::case_filter_query(status.map(|s| s.as_str()), overdue);
    let sorting = crate::ui::sort::Sorting::read(
        "/work-orders",
        filter_query.clone(),
        q.sort.as_deref(),
        q.dir.as_deref(),
        SORTABLE,
        ("due_at", false),
    )
    .map_err(|e| viewer.fail(e))?;
    let offset = q.offset.unwrap_or(0).max(0);
    let page = state
        .store
        .list_work_orders(
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
    let pager = crate::ui::Pager::new(
        "/work-orders",
        &sorting.query(),
        offset,
        page.items.len(),
        page.total,
    );
    // The parks' names; a park the viewer may not see shows its number.
    let parks: std::collections::HashMap<Id, String> = state
        .store
        .list_parks(
            viewer.actor(),
            &chainpark_store::ParkFilter::default(),
            &Paging::all(),
        )
        .await
        .map(|p| p.items.into_iter().map(|p| (p.id, p.name)).collect())
        .unwrap_or_default();
    let scope = &viewer.actor().scope;
    let mut staff_of: std::collections::HashMap<Id, Vec<(Id, String)>> =
        std::collections::HashMap::new();
    let mut rows = Vec::new();
    for w in page.items {
        let codes: Vec<&'static str> = permitted_steps(scope, &w)
            .into_iter()
            .map(WorkOrderAction::as_str)
            .collect();
        let staff = if codes.contains(&"assign") {
            match staff_of.get(&w.park_id) {
                Some(known) => known.clone(),
                None => {
                    let found = park_staff(state, viewer, w.park_id).await;
                    staff_of.insert(w.park_id, found.clone());
                    found
                }
            }
        } else {
            Vec::new()
        };
        rows.push(WorkOrderRow {
            id: w.id,
            version: w.version,
            steps: codes
                .iter()
                .map(|c| (*c, viewer.t(&format!("work_order.action.{c}"))))
                .collect(),
            staff,
            park_id: w.park_id,
            park: parks
                .get(&w.park_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", w.park_id)),
            kind: viewer.t(&format!("work_order.kind.{}", w.kind.as_str())),
            urgency: viewer.t(&format!("work_order.urgency.{}", w.urgency.as_str())),
            status: viewer.t(&format!("work_order.status.{}", w.status.as_str())),
            due_at: when(w.due_at),
            provisional: provisional(viewer, w.provisional_year),
            overdue: w.overdue,
            assignee: name(&w.assignee),
            facility: w.facility,
            title: w.title,
        });
    }
    // The parks the viewer may open orders in, as the access policy decides.
    let opens = scope.opens_work_orders();
    let mut create_parks: Vec<(Id, String)> = parks
        .iter()
        .filter(|(id, _)| {
            opens.admits(Place {
                parks: std::slice::from_ref(*id),
                ..Place::default()
            })
        })
        .map(|(id, name)| (*id, name.clone()))
        .collect();
    create_parks.sort();
    let chosen_park = given(&form.park_id).and_then(|p| p.parse::<Id>().ok());
    Ok(render(WorkOrdersPage {
        filter_query,
        pager,
        sorting,
        create_parks: picker::choices(create_parks, chosen_park),
        kinds: WorkOrderKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    viewer.t(&format!("work_order.kind.{}", k.as_str())),
                    form.kind == k.as_str(),
                )
            })
            .collect(),
        urgencies: WorkOrderUrgency::ALL
            .iter()
            .map(|u| {
                (
                    u.as_str(),
                    viewer.t(&format!("work_order.urgency.{}", u.as_str())),
                    form.urgency == u.as_str(),
                )
            })
            .collect(),
        form,
        errors,
        chrome: viewer.chrome(viewer.t("work_orders.title"), "work_orders"),
        rows,
        total: page.total,
        statuses: WorkOrderStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    viewer.t(&format!("work_order.status.{}", s.as_str())),
                    Some(*s) == status,
                )
            })
            .collect(),
        overdue: given(&q.overdue).unwrap_or_default().to_string(),
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkOrderForm {
    park_id: Option<String>,
    #[serde(default)]
    facility: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

pub async fn create_work_order(
    State(state): State<AppState>,
    FormPost { viewer, form }: FormPost<WorkOrderForm>,
) -> Response {
    let result: Result<String, ApiError> = async {
        // Every bad field at once: the form's own fields, then the domain's checks.
        let mut v = Violations::default();
        let park_id = number("park_id", &form.park_id)
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                v.add("park_id", "is required");
                0
            });
        let kind = WorkOrderKind::parse(form.kind.trim()).unwrap_or_else(|| {
            v.add("kind", "is required");
            WorkOrderKind::ALL[0]
        });
        let urgency = WorkOrderUrgency::parse(form.urgency.trim()).unwrap_or_else(|| {
            v.add("urgency", "is required");
            WorkOrderUrgency::ALL[0]
        });
        let parsed = WorkOrderInput {
            park_id,
            facility: form.facility.clone(),
            kind,
            urgency,
            title: form.title.clone(),
            description: form.description.clone(),
            limit: None,
            assignee_person_id: None,
            created_at: None,
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
        state
            .store
            .create_work_order(viewer.actor(), draft, state.clock.now(), state.clock.now())
            .await?;
        Ok("/work-orders".to_string())
    }
    .await;
    form::answer(
        viewer.lang,
        result,
        WORK_ORDER_FIELDS,
        |errors| async move {
            work_orders_page(&state, &viewer, WorkOrdersQuery::default(), form, errors).await
        },
    )
    .await
}

/// The fields of the form to open an order, as [`FormErrors`] places their messages.
const WORK_ORDER_FIELDS: &[&str] = &[
    "park_id",
    "facility",
    "kind",
    "urgency",
    "title",
    "description",
];

#[derive(Debug, Deserialize, serde::Serialize)]
pub struct WorkOrderStepForm {
    action: String,
    /// Where the step was taken: "page" (the order's page) or the list.
    #[serde(default)]
    back: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    assignee_person_id: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub async fn step_work_order(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<WorkOrderStepForm>,
) -> Response {
    let result = async {
        let action = WorkOrderAction::parse(form.action.trim()).ok_or_else(|| {
            ApiError::bad_field("action", format!("unknown step {:?}", form.action))
        })?;
        let step = WorkOrderStepInput {
            action,
            note: form.note.clone(),
            assignee_person_id: number("assignee_person_id", &form.assignee_person_id)?,
            at: None,
            version: number("version", &form.version)?,
        }
        .parse()?;
        state
            .store
            .step_work_order(
                viewer.actor(),
                id,
                step,
                state.clock.now(),
                state.clock.now(),
            )
            .await?;
        Ok(if form.back == "page" {
            format!("/work-orders/{id}")
        } else {
            format!("/work-orders#work-order-{id}")
        })
    }
    .await;
    let form_id = format!("step-{}", form.action.trim());
    form::answer(viewer.lang, result, STEP_FIELDS, |errors| async move {
        let refused = Refusal::new(form_id, &form, errors);
        super::work_order::work_order_page(&state, &viewer, id, refused).await
    })
    .await
}

/// The fields of a step form, as [`FormErrors`] places their messages.
const STEP_FIELDS: &[&str] = &["assignee_person_id", "note"];
