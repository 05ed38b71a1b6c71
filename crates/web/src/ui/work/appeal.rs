//! One appeal: its facts, deadlines and steps, and the forms of the steps the viewer may take now.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_core::registry::{Id, PersonRef};
use chainpark_core::workflow::appeals::{
    AppealAction, AppealStatus, AppealStepInput, CASE_CHAIN_ROLES, CASE_PARK_ROLES, permitted_steps,
};
use serde::Deserialize;

use super::{given, name, number, provisional, when};
use crate::AppState;
use crate::error::ApiError;
use crate::ui::form::{self, FormErrors};
use crate::ui::picker;
use crate::ui::{Chrome, FormPost, PageResult, Viewer, render};

/// One form of the loop's next step.
struct ActionForm {
    code: &'static str,
    label: &'static str,
    /// The first form offered: the step that moves the case on.
    primary: bool,
    /// Asks for the person to assign.
    assign: bool,
    /// The enterprise re-opens its closed appeal: the note is what is still not solved.
    reopen: bool,
    /// Offers to mark the case complex.
    accept: bool,
    /// The note is the reply to the enterprise.
    reply: bool,
    /// The note must be given (reply, call-back note, reason to re-open).
    note_required: bool,
    /// What was typed into this form when it was refused, and why.
    note: String,
    assignee: Option<Id>,
    errors: FormErrors,
}

struct StepRow {
    at: String,
    actor: String,
    action: &'static str,
    /// For an assignment: to whom.
    assigned_to: String,
    to_status: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    chrome: Chrome,
    id: Id,
    /// The version the step forms were made for: a step from a page that is out of date answers 409.
    version: i64,
    title: String,
    description: String,
    enterprise: String,
    category: &'static str,
    urgency: &'static str,
    status: &'static str,
    complex: bool,
    received_on: String,
    accept_due: String,
    reply_due: String,
    limit_days: u32,
    /// Why the deadlines are provisional (empty when they are not).
    provisional: String,
    overdue: &'static str,
    handler: String,
    assignee: String,
    /// Whom to call about the case: the office phone of the assignee (else of the handler), when the viewer sees
    /// that person.
    office_phone: String,
    escalated_to: String,
    reply: String,
    rating: String,
    /// The last day the enterprise may re-open the closed appeal (empty when it may not).
    reopen_until: String,
    steps: Vec<StepRow>,
    /// The loop's steps the viewer may take now, as the access policy decides (the rating apart), the step
    /// that moves the case on first.
    actions: Vec<ActionForm>,
    may_rate: bool,
    /// The rating form as typed when it was refused, and why.
    rate_errors: FormErrors,
    filed: bool,
    /// The people holding posts in the appeal's chain or park today ("name · post"), for the assign form.
    people: Vec<(Id, String)>,
}

/// The fields of the step forms, as [`FormErrors`] places their messages.
const STEP_FIELDS: &[&str] = &["note", "assignee_person_id", "satisfied", "rating"];

/// A step form refused for its input: which step, what was typed, and why.
struct Refused {
    action: Option<AppealAction>,
    note: String,
    assignee: Option<Id>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct AppealQuery {
    filed: Option<String>,
}

pub async fn appeal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<AppealQuery>,
) -> PageResult {
    appeal_page(&state, &viewer, id, q.filed.is_some(), None).await
}

/// The appeal's page; with `refused`, the step form that was refused comes back filled in, with its messages.
async fn appeal_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    filed: bool,
    refused: Option<Refused>,
) -> PageResult {
    let store = state.store.as_ref();
    let today = state.clock.today();
    let a = store
        .get_appeal(viewer.actor(), id, today)
        .await
        .map_err(|e| viewer.fail(e))?;
    let steps = store
        .appeal_steps(viewer.actor(), id)
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .map(|s| StepRow {
            at: when(s.at),
            actor: s.actor,
            assigned_to: if s.action == "assign" {
                s.person_name.clone().unwrap_or_default()
            } else {
                String::new()
            },
            action: match s.action.as_str() {
                "file" => viewer.t("appeal.action.file"),
                "escalate" => viewer.t("appeal.action.escalate"),
                other => AppealAction::parse(other)
                    .map(|x| viewer.t(&format!("appeal.action.{}", x.as_str())))
                    .unwrap_or(""),
            },
            to_status: AppealStatus::parse(&s.to_status)
                .map(|x| viewer.t(&format!("appeal.status.{}", x.as_str())))
                .unwrap_or(""),
            note: s.note,
        })
        .collect();
    // The forms of the steps the viewer may take now; the rating has its own form.
    let permitted = permitted_steps(&viewer.actor().scope, &a, today);
    let may_rate = permitted.contains(&AppealAction::Rate);
    let mut refused = refused;
    let mut rate_errors = FormErrors::none();
    let mut actions = Vec::new();
    for action in permitted.iter().filter(|a| **a != AppealAction::Rate) {
        let code = action.as_str();
        let (note, assignee, errors) = match refused.take() {
            Some(r) if r.action == Some(*action) => (r.note, r.assignee, r.errors),
            other => {
                refused = other;
                (String::new(), None, FormErrors::none())
            }
        };
        actions.push(ActionForm {
            code,
            label: if *action == AppealAction::Assign && a.assignee.is_some() {
                viewer.t("appeal.reassign")
            } else {
                viewer.t(&format!("appeal.action.{code}"))
            },
            primary: actions.is_empty(),
            assign: *action == AppealAction::Assign,
            reopen: *action == AppealAction::Reopen,
            accept: *action == AppealAction::Accept,
            reply: *action == AppealAction::Reply,
            note_required: matches!(
                action,
                AppealAction::Reply | AppealAction::Close | AppealAction::Reopen
            ),
            note,
            assignee,
            errors,
        });
    }
    if let Some(r) = refused {
        rate_errors = r.errors;
    }
    let people = if permitted.contains(&AppealAction::Assign) {
        let mut chains: Vec<Id> = [a.chain_id, a.route_chain_id]
            .into_iter()
            .flatten()
            .collect();
        chains.dedup();
        let mut parks: Vec<Id> = [a.park_id, a.route_park_id].into_iter().flatten().collect();
        parks.dedup();
        let mut people = picker::post_holders(
            state,
            viewer,
            (&chains, &CASE_CHAIN_ROLES),
            (&parks, &CASE_PARK_ROLES),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
        // The person a rule routed the case to may be assigned even without a post there.
        if let Some(h) = &a.handler
            && !people.iter().any(|(id, _)| *id == h.id)
        {
            people.push((h.id, h.name.clone()));
        }
        people
    } else {
        Vec::new()
    };
    Ok(render(AppealPage {
        people,
        chrome: viewer.chrome(a.title.clone(), "appeals"),
        id: a.id,
        version: a.version,
        description: a.description,
        enterprise: a.enterprise_name,
        category: viewer.t(&format!("appeal.category.{}", a.category.as_str())),
        urgency: viewer.t(&format!("appeal.urgency.{}", a.urgency.as_str())),
        status: viewer.t(&format!("appeal.status.{}", a.status.as_str())),
        complex: a.complex,
        received_on: a.received_on.to_string(),
        accept_due: a.accept_due.to_string(),
        reply_due: a.reply_due.to_string(),
        limit_days: a.limit_days,
        provisional: provisional(viewer, a.provisional_year),
        overdue: match a.overdue {
            Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
            None => "",
        },
        office_phone: office_phone(store, viewer, a.assignee.as_ref().or(a.handler.as_ref())).await,
        handler: name(&a.handler),
        assignee: name(&a.assignee),
        escalated_to: name(&a.escalated_to),
        reply: a.reply,
        rating: a.rating.map(|r| r.to_string()).unwrap_or_default(),
        reopen_until: match (a.status, a.reopen_until) {
            (AppealStatus::Closed, Some(until)) if today <= until => until.to_string(),
            _ => String::new(),
        },
        steps,
        actions,
        may_rate,
        rate_errors,
        filed,
        title: a.title,
    }))
}

/// The office phone of the person handling a case, as far as the viewer sees that person.
async fn office_phone(
    store: &dyn chainpark_store::Store,
    viewer: &Viewer,
    person: Option<&PersonRef>,
) -> String {
    match person {
        Some(p) => store
            .get_person(viewer.actor(), p.id)
            .await
            .map(|p| p.office_phone)
            .unwrap_or_default(),
        None => String::new(),
    }
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    assignee_person_id: Option<String>,
    #[serde(default)]
    complex: Option<String>,
    #[serde(default)]
    satisfied: Option<String>,
    #[serde(default)]
    rating: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub async fn step_appeal(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<StepForm>,
) -> Response {
    let refused_action = AppealAction::parse(form.action.trim());
    let result = async {
        let action = AppealAction::parse(form.action.trim()).ok_or_else(|| {
            ApiError::bad_field("action", format!("unknown step {:?}", form.action))
        })?;
        let rating = given(&form.rating)
            .map(|r| {
                r.parse::<i32>()
                    .map_err(|_| ApiError::bad_field("rating", "must be 1 to 5"))
            })
            .transpose()?;
        let (step, note, _) = AppealStepInput {
            action,
            note: form.note.clone(),
            assignee_person_id: number("assignee_person_id", &form.assignee_person_id)?,
            complex: Some(given(&form.complex).is_some()),
            satisfied: given(&form.satisfied).map(|s| s == "true"),
            rating,
            at: None,
            version: None,
        }
        .parse()?;
        let version = number("version", &form.version)?;
        state
            .store
            .step_appeal(
                viewer.actor(),
                id,
                step,
                note,
                state.clock.now(),
                version,
                state.appeals,
                state.clock.now(),
            )
            .await?;
        Ok(format!("/appeals/{id}"))
    }
    .await;
    let assignee = given(&form.assignee_person_id).and_then(|v| v.parse().ok());
    let lang = viewer.lang;
    form::answer(lang, result, STEP_FIELDS, |errors| async move {
        let refused = Refused {
            action: refused_action,
            note: form.note,
            assignee,
            errors,
        };
        appeal_page(&state, &viewer, id, false, Some(refused)).await
    })
    .await
}
