//! One park work order: its facts and deadline, the alarm it came from, its history, and the forms of the steps
//! the viewer may take now (the access policy decides which). A step refused for its input comes back here with
//! the message beside the field and the input kept, whether it was taken on this page or in the list.

use askama::Template;
use axum::extract::{Path, State};
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_core::workflow::work_orders::{WorkOrderAction, WorkOrderStatus, permitted_steps};
use chainpark_store::parkops::AlarmFilter;

use super::{name, provisional, when};
use crate::AppState;
use crate::ui::form::Refusal;
use crate::ui::{Chrome, PageResult, Viewer, render};

/// One form of a step the viewer may take now.
struct StepForm {
    code: &'static str,
    label: &'static str,
    /// Asks for the person to do the work (no default: a required choice).
    assign: bool,
    /// Asks what is still wrong (required).
    reject: bool,
}

struct HistoryRow {
    at: String,
    actor: String,
    action: &'static str,
    /// For an assignment: to whom.
    assigned_to: String,
    to_status: &'static str,
    note: String,
}

/// The alarm the order was raised for.
struct AlarmLink {
    meter: String,
    rule: &'static str,
    detail: String,
    started_at: String,
    ended_at: String,
}

#[derive(Template)]
#[template(path = "work_order.html")]
struct WorkOrderPage {
    chrome: Chrome,
    id: Id,
    version: i64,
    park_id: Id,
    park: String,
    facility: String,
    title: String,
    description: String,
    kind: &'static str,
    urgency: &'static str,
    status: &'static str,
    created_at: String,
    created_by: String,
    due_at: String,
    provisional: String,
    overdue: bool,
    assignee: String,
    escalated_to: String,
    done_at: String,
    closed_at: String,
    alarm: Option<AlarmLink>,
    history: Vec<HistoryRow>,
    steps: Vec<StepForm>,
    /// The park's staff, for the assign form ("name").
    staff: Vec<(Id, String)>,
    /// The step form refused for its input, as typed, and why (the form's id is `step-<action>`).
    refused: Refusal,
}

pub async fn work_order(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
) -> PageResult {
    work_order_page(&state, &viewer, id, Refusal::none()).await
}

/// The order's page, with `refused` (a step form as typed, and why) after a refusal.
pub(super) async fn work_order_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    refused: Refusal,
) -> PageResult {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let w = store
        .get_work_order(viewer.actor(), id, now)
        .await
        .map_err(|e| viewer.fail(e))?;
    let steps = store
        .work_order_steps(viewer.actor(), id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let park = store
        .get_park(viewer.actor(), w.park_id)
        .await
        .map(|p| viewer.lang.pick(&p.name, &p.name_en).to_string())
        .unwrap_or_else(|_| format!("#{}", w.park_id));
    // The alarm the order came from, when the viewer sees the park's alarms.
    let alarm = store
        .list_alarms(
            viewer.actor(),
            &AlarmFilter {
                park_id: Some(w.park_id),
                ..AlarmFilter::default()
            },
            &Paging::all(),
        )
        .await
        .map(|page| page.items)
        .unwrap_or_default()
        .into_iter()
        .find(|a| a.work_order_id == Some(id))
        .map(|a| AlarmLink {
            meter: a.meter_code,
            rule: viewer.t(&format!("meters.rule.{}", a.rule)),
            // An alarm's order is described by the alarm's detail: shown once, as the order's description.
            detail: if a.detail == w.description {
                String::new()
            } else {
                a.detail
            },
            started_at: when(a.started_at),
            ended_at: a.ended_at.map(when).unwrap_or_default(),
        });
    let codes = permitted_steps(&viewer.actor().scope, &w);
    let staff = if codes.contains(&WorkOrderAction::Assign) {
        super::work_orders::park_staff(state, viewer, w.park_id).await
    } else {
        Vec::new()
    };
    let step_forms = codes
        .into_iter()
        .map(|a| StepForm {
            code: a.as_str(),
            label: viewer.t(&format!("work_order.action.{}", a.as_str())),
            assign: a == WorkOrderAction::Assign,
            reject: a == WorkOrderAction::Reject,
        })
        .collect();
    let status_label = |s: &str| {
        WorkOrderStatus::parse(s)
            .map(|x| viewer.t(&format!("work_order.status.{}", x.as_str())))
            .unwrap_or("")
    };
    let history = steps
        .into_iter()
        .map(|s| {
            let action = WorkOrderAction::parse(&s.action);
            HistoryRow {
                at: when(s.at),
                actor: s.actor,
                assigned_to: if action == Some(WorkOrderAction::Assign) {
                    s.person_name.unwrap_or_default()
                } else {
                    String::new()
                },
                action: step_label(viewer, &s.action),
                to_status: status_label(&s.to_status),
                // The escalation's note is the system's ("overdue: due … UTC"): said in the viewer's language.
                note: if s.action == "escalate" {
                    format!(
                        "{} {}",
                        viewer.t("work_order.escalated_note"),
                        when(w.due_at)
                    )
                } else {
                    s.note
                },
            }
        })
        .collect();
    Ok(render(WorkOrderPage {
        chrome: viewer.chrome(w.title.clone(), "work_orders"),
        id: w.id,
        version: w.version,
        park_id: w.park_id,
        park,
        kind: viewer.t(&format!("work_order.kind.{}", w.kind.as_str())),
        urgency: viewer.t(&format!("work_order.urgency.{}", w.urgency.as_str())),
        status: viewer.t(&format!("work_order.status.{}", w.status.as_str())),
        created_at: when(w.created_at),
        created_by: w.created_by,
        due_at: when(w.due_at),
        provisional: provisional(viewer, w.provisional_year),
        overdue: w.overdue,
        assignee: name(&w.assignee),
        escalated_to: name(&w.escalated_to),
        done_at: w.done_at.map(when).unwrap_or_default(),
        closed_at: w.closed_at.map(when).unwrap_or_default(),
        facility: w.facility,
        title: w.title,
        description: w.description,
        alarm,
        history,
        steps: step_forms,
        staff,
        refused,
    }))
}

/// The label of a step in the order's history: the steps people take, and the two the system records (the order's
/// opening, by a person or an alarm, and its escalation when overdue).
fn step_label(viewer: &Viewer, action: &str) -> &'static str {
    match WorkOrderAction::parse(action) {
        Some(x) => viewer.t(&format!("work_order.action.{}", x.as_str())),
        None => match action {
            "create" => viewer.t("work_order.action.create"),
            "escalate" => viewer.t("work_order.action.escalate"),
            _ => viewer.t("work_order.action.other"),
        },
    }
}
