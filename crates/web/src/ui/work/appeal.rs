//! One appeal: its facts, deadlines and steps, and the forms of the steps the viewer may take now.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_core::list::Paging;
use chainpark_core::registry::{Id, PersonRef};
use chainpark_core::workflow::appeals::{
    AppealAction, AppealStatus, AppealStepInput, permitted_steps,
};
use serde::Deserialize;

use super::{finish, given, name, number, provisional, when};
use crate::AppState;
use crate::error::ApiError;
use crate::ui::{Chrome, FormPost, PageResult, Viewer, render};

/// One form of the loop's next step.
struct ActionForm {
    code: &'static str,
    label: &'static str,
    /// Asks for the person to assign.
    assign: bool,
    /// Offers to mark the case complex.
    accept: bool,
    /// The note is the reply to the enterprise.
    reply: bool,
    /// The note must be given (reply, call-back note).
    note_required: bool,
}

struct StepRow {
    at: String,
    actor: String,
    action: &'static str,
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
    steps: Vec<StepRow>,
    /// The loop's steps the viewer may take now, as the access policy decides (the rating apart).
    actions: Vec<ActionForm>,
    may_rate: bool,
    filed: bool,
    /// The people holding posts in the appeal's chain or park today, for the assign form.
    people: Vec<(Id, String)>,
}

/// The people holding a post (any role) in one of `chains` or `parks` today, by name.
async fn post_holders(
    state: &AppState,
    viewer: &Viewer,
    chains: &[Id],
    parks: &[Id],
) -> Vec<(Id, String)> {
    let store = state.store.as_ref();
    let mut filters = Vec::new();
    for chain in chains {
        filters.push(chainpark_store::PostFilter {
            chain_id: Some(*chain),
            on: Some(state.clock.today()),
            ..Default::default()
        });
    }
    for park in parks {
        filters.push(chainpark_store::PostFilter {
            park_id: Some(*park),
            on: Some(state.clock.today()),
            ..Default::default()
        });
    }
    let mut ids = Vec::new();
    for filter in &filters {
        if let Ok(posts) = store
            .list_posts(viewer.actor(), filter, &Paging::all())
            .await
        {
            ids.extend(posts.items.into_iter().map(|p| p.person_id));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let mut people = Vec::new();
    for id in ids {
        if let Ok(person) = store.get_person(viewer.actor(), id).await {
            people.push((id, person.name));
        }
    }
    people
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
    let store = state.store.as_ref();
    let a = store
        .get_appeal(viewer.actor(), id, state.clock.today())
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
    let permitted = permitted_steps(&viewer.actor().scope, &a);
    let may_rate = permitted.contains(&AppealAction::Rate);
    let actions = permitted
        .iter()
        .filter(|action| **action != AppealAction::Rate)
        .map(|action| {
            let code = action.as_str();
            ActionForm {
                code,
                label: viewer.t(&format!("appeal.action.{code}")),
                assign: *action == AppealAction::Assign,
                accept: *action == AppealAction::Accept,
                reply: *action == AppealAction::Reply,
                note_required: matches!(action, AppealAction::Reply | AppealAction::Close),
            }
        })
        .collect();
    let people = if permitted.contains(&AppealAction::Assign) {
        let mut chains: Vec<Id> = [a.chain_id, a.route_chain_id]
            .into_iter()
            .flatten()
            .collect();
        chains.dedup();
        let mut parks: Vec<Id> = [a.park_id, a.route_park_id].into_iter().flatten().collect();
        parks.dedup();
        post_holders(&state, &viewer, &chains, &parks).await
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
        provisional: provisional(&viewer, a.provisional_year),
        overdue: match a.overdue {
            Some(step) => viewer.t(&format!("appeal.overdue.{}", step.as_str())),
            None => "",
        },
        office_phone: office_phone(store, &viewer, a.assignee.as_ref().or(a.handler.as_ref()))
            .await,
        handler: name(&a.handler),
        assignee: name(&a.assignee),
        escalated_to: name(&a.escalated_to),
        reply: a.reply,
        rating: a.rating.map(|r| r.to_string()).unwrap_or_default(),
        steps,
        actions,
        may_rate,
        filed: q.filed.is_some(),
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
                state.clock.now(),
            )
            .await?;
        Ok(format!("/appeals/{id}"))
    }
    .await;
    finish(&viewer, result)
}
