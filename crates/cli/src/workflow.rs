//! Wiring of the chiefs' daily work: loading the demo's projects, transformation records and appeals through the
//! store (so they pass every rule a user's input passes), and starting the background mailer and escalation.
//! Mail goes out when CHAINPARK_SMTP_URL (e.g. `smtp://relay.example.com:587?tls=required`) is set; the sender is
//! CHAINPARK_MAIL_FROM (default `chainpark <noreply@localhost>`).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chainpark_app::notify::{MailSettings, Mailer, spawn_background};
use chainpark_core::demo::DemoZone;
use chainpark_core::list::Paging;
use chainpark_core::registry::{Id, PostRole};
use chainpark_core::time::Clock;
use chainpark_core::workflow::appeals::{
    AppealInput, AppealRuleInput, AppealRules, AppealStep, RouteTarget,
};
use chainpark_core::workflow::demo::{DemoAppealStep, demo_workflow};
use chainpark_core::workflow::projects::{
    InvestmentInput, MilestoneInput, ProjectInput, SigningEventInput,
};
use chainpark_core::workflow::transformation::{RecognitionInput, TransformationProjectInput};
use chainpark_core::workflow::work_orders::{WorkOrderAction, WorkOrderInput, WorkOrderStepInput};
use chainpark_store::prelude::*;
use chainpark_store::{
    Actor, ChainFilter, EnterpriseFilter, ParkFilter, PostFilter, SegmentFilter,
};

fn invalid(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("{e}")
}

fn lookup(map: &HashMap<String, Id>, what: &str, code: &str) -> anyhow::Result<Id> {
    map.get(code)
        .copied()
        .ok_or_else(|| anyhow!("demo {what} {code} is not in the zone"))
}

/// The first person holding `role` in each chain today.
async fn holders(
    store: &Arc<dyn Store>,
    actor: &Actor,
    role: PostRole,
    clock: Clock,
) -> anyhow::Result<HashMap<Id, Id>> {
    let filter = PostFilter {
        role: Some(role),
        on: Some(clock.today()),
        ..Default::default()
    };
    let mut by_chain = HashMap::new();
    for post in store
        .list_posts(actor, &filter, &Paging::all())
        .await?
        .items
    {
        if let Some(chain) = post.chain_id {
            by_chain.entry(chain).or_insert(post.person_id);
        }
    }
    Ok(by_chain)
}

/// The first park-staff member of each park today.
async fn park_staff(
    store: &Arc<dyn Store>,
    actor: &Actor,
    clock: Clock,
) -> anyhow::Result<HashMap<Id, Id>> {
    let filter = PostFilter {
        role: Some(PostRole::ParkStaff),
        on: Some(clock.today()),
        ..Default::default()
    };
    let mut by_park = HashMap::new();
    for post in store
        .list_posts(actor, &filter, &Paging::all())
        .await?
        .items
    {
        if let Some(park) = post.park_id {
            by_park.entry(park).or_insert(post.person_id);
        }
    }
    Ok(by_park)
}

/// Loads the demo's daily work into a store that holds the demo zone; what is overdue at the clock's `now` is
/// escalated at once, as the running server would do.
pub async fn load_demo(
    store: &Arc<dyn Store>,
    zone: &DemoZone,
    clock: Clock,
) -> anyhow::Result<()> {
    let now = clock.now();
    let actor = Actor::system("demo");
    let all = Paging::all();
    let demo = demo_workflow(zone);
    let chains: HashMap<String, Id> = store
        .list_chains(&actor, &ChainFilter::default(), &all)
        .await?
        .items
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    let segments: HashMap<String, Id> = store
        .list_segments(&actor, &SegmentFilter::default(), &all)
        .await?
        .items
        .into_iter()
        .map(|s| (s.code, s.id))
        .collect();
    let parks: HashMap<String, Id> = store
        .list_parks(&actor, &ParkFilter::default(), &all)
        .await?
        .items
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let enterprises: HashMap<String, Id> = store
        .list_enterprises(&actor, &EnterpriseFilter::default(), &all)
        .await?
        .items
        .into_iter()
        .map(|e| (e.credit_code.as_str().to_string(), e.id))
        .collect();
    let chiefs = holders(store, &actor, PostRole::ChainChief, clock).await?;
    let officers = holders(store, &actor, PostRole::ChainTaskForce, clock).await?;

    let mut events = HashMap::new();
    for e in &demo.events {
        let draft = SigningEventInput {
            name: e.name.into(),
            name_en: e.name_en.into(),
            held_on: e.held_on,
            place: e.place.into(),
        }
        .parse()
        .map_err(invalid)?;
        events.insert(e.key, store.create_signing_event(&actor, draft).await?.id);
    }
    for p in &demo.projects {
        let chain = lookup(&chains, "chain", &p.chain_code)?;
        let input = ProjectInput {
            name: p.name.clone(),
            name_en: String::new(),
            investor: p.investor.clone(),
            enterprise_id: None,
            planned_investment: p.planned,
            contracted_investment: p.contracted,
            chain_id: Some(chain),
            segment_id: p
                .segment_code
                .as_deref()
                .map(|s| lookup(&segments, "segment", s))
                .transpose()?,
            park_id: p
                .park_code
                .as_deref()
                .map(|s| lookup(&parks, "park", s))
                .transpose()?,
            chief_person_id: chiefs.get(&chain).copied(),
            officer_person_id: officers.get(&chain).copied(),
            event_id: p.event_key.and_then(|k| events.get(k).copied()),
            stages: p.stages,
        };
        let project = store
            .create_project(&actor, input.parse().map_err(invalid)?)
            .await
            .with_context(|| format!("demo project {}", p.name))?;
        for (year, amount) in &p.plans {
            let i = InvestmentInput {
                month: None,
                year: Some(*year),
                amount: *amount,
            }
            .parse()
            .map_err(invalid)?;
            store.record_investment(&actor, project.id, i).await?;
        }
        for (month, amount) in &p.completed {
            let month = format!("{}-{:02}", month / 100, month % 100);
            let i = InvestmentInput {
                month: Some(month),
                year: None,
                amount: *amount,
            }
            .parse()
            .map_err(invalid)?;
            store.record_investment(&actor, project.id, i).await?;
        }
        for (name, due_on, done_on) in &p.milestones {
            let m = MilestoneInput {
                name: name.clone(),
                due_on: *due_on,
                done_on: *done_on,
            }
            .parse()
            .map_err(invalid)?;
            store
                .create_milestone(&actor, project.id, m, clock.today())
                .await?;
        }
    }
    for t in &demo.transformation {
        let input = TransformationProjectInput {
            enterprise_id: lookup(&enterprises, "enterprise", &t.credit_code)?,
            name: t.name.clone(),
            investment: t.investment,
            started_on: t.started_on,
            completed_on: t.completed_on,
        };
        store
            .create_transformation_project(&actor, input.parse().map_err(invalid)?)
            .await?;
    }
    let mut recognised: Vec<Id> = Vec::new();
    for r in &demo.recognitions {
        let input = RecognitionInput {
            enterprise_id: lookup(&enterprises, "enterprise", &r.credit_code)?,
            kind: r.kind,
            name: r.name.clone(),
            recognised_on: r.recognised_on,
            investment: r.investment,
            cnc_rate_pct: r.cnc_rate_pct,
            key_process_cnc_pct: r.key_process_cnc_pct,
            has_mes: true,
            cost_reduction_pct: r.cost_reduction_pct,
            efficiency_gain_pct: r.efficiency_gain_pct,
            defect_reduction_pct: r.defect_reduction_pct,
            energy_gain_pct: r.energy_gain_pct,
            workshop_ids: r.workshops.iter().map(|i| recognised[*i]).collect(),
        };
        recognised.push(
            store
                .create_recognition(&actor, input.parse().map_err(invalid)?)
                .await?
                .id,
        );
    }
    // One rule beyond the defaults, to show the admin what a rule looks like: utilities go to the park's staff.
    let rule = AppealRuleInput {
        category: chainpark_core::workflow::appeals::AppealCategory::Utilities,
        chain_id: None,
        park_id: None,
        target: RouteTarget::ParkStaff,
        person_id: None,
        note: "水电气问题由园区运维人员先行处置".into(),
    };
    store
        .create_appeal_rule(&actor, rule.parse().map_err(invalid)?, clock.today())
        .await?;
    for a in &demo.appeals {
        let input = AppealInput {
            enterprise_id: lookup(&enterprises, "enterprise", &a.credit_code)?,
            category: a.category,
            urgency: a.urgency,
            title: a.title.clone(),
            description: a.description.clone(),
            received_at: Some(a.received_at),
        };
        let appeal = store
            .file_appeal(&actor, input.parse().map_err(invalid)?, a.received_at, now)
            .await?;
        for step in &a.steps {
            let (step, note, at) = match step {
                DemoAppealStep::Escalate(at) => {
                    store.escalate_overdue(&actor, *at).await?;
                    continue;
                }
                DemoAppealStep::Accept(at) => {
                    (AppealStep::Accept { complex: false }, String::new(), *at)
                }
                DemoAppealStep::Handle(at) => (AppealStep::Handle, String::new(), *at),
                DemoAppealStep::Reply(at, text) => {
                    (AppealStep::Reply { text: text.clone() }, text.clone(), *at)
                }
                DemoAppealStep::Rate(at, satisfied, rating) => (
                    AppealStep::Rate {
                        satisfied: *satisfied,
                        rating: *rating,
                    },
                    String::new(),
                    *at,
                ),
                DemoAppealStep::Close(at, note) => {
                    (AppealStep::Close { note: note.clone() }, note.clone(), *at)
                }
                DemoAppealStep::Reopen(at, reason) => (
                    AppealStep::Reopen {
                        reason: reason.clone(),
                    },
                    reason.clone(),
                    *at,
                ),
            };
            store
                .step_appeal(
                    &actor,
                    appeal.id,
                    step,
                    note,
                    at,
                    None,
                    AppealRules::default(),
                    now,
                )
                .await
                .with_context(|| format!("demo appeal {}", a.title))?;
        }
    }
    let staff = park_staff(store, &actor, clock).await?;
    for o in &demo.work_orders {
        let park = lookup(&parks, "park", &o.park_code)?;
        let input = WorkOrderInput {
            park_id: park,
            facility: o.facility.clone(),
            kind: o.kind,
            urgency: o.urgency,
            title: o.title.clone(),
            description: String::new(),
            limit: None,
            assignee_person_id: staff.get(&park).copied(),
            created_at: Some(o.created_at),
        };
        let order = store
            .create_work_order(&actor, input.parse().map_err(invalid)?, o.created_at, now)
            .await?;
        if order.assignee.is_none() {
            continue;
        }
        let steps = [
            (WorkOrderAction::Start, o.started_at),
            (WorkOrderAction::Finish, o.finished_at),
            (WorkOrderAction::Close, o.closed_at),
        ];
        for (action, at) in steps {
            let Some(at) = at else { break };
            let step = WorkOrderStepInput {
                action,
                note: String::new(),
                assignee_person_id: None,
                at: Some(at),
                version: None,
            };
            store
                .step_work_order(&actor, order.id, step, at, now)
                .await
                .with_context(|| format!("demo work order {}", o.title))?;
        }
    }
    // Whatever is overdue today goes to its chief now, as the running server would do.
    store.escalate_overdue(&actor, now).await?;
    Ok(())
}

/// Starts the mailer (when CHAINPARK_SMTP_URL is set), the escalation of overdue cases and the calendar reminder.
pub fn start_background(
    store: &Arc<dyn Store>,
    clock: Clock,
    rules: chainpark_core::disclosure::DisclosureRules,
) -> anyhow::Result<()> {
    let mailer = match std::env::var("CHAINPARK_SMTP_URL") {
        Ok(url) if !url.is_empty() => {
            let from = std::env::var("CHAINPARK_MAIL_FROM")
                .unwrap_or_else(|_| "chainpark <noreply@localhost>".into());
            let mailer = Mailer::new(&MailSettings {
                smtp_url: url,
                from,
            })
            .map_err(invalid)?;
            tracing::info!("sending notification mail through the configured SMTP server");
            Some(mailer)
        }
        _ => {
            tracing::info!(
                "CHAINPARK_SMTP_URL is not set: notifications stay in the inbox and the mail outbox"
            );
            None
        }
    };
    // Tests shorten the round; nobody else needs to.
    let seconds = std::env::var("CHAINPARK_MAIL_INTERVAL_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(30);
    spawn_background(
        store.clone(),
        mailer,
        std::time::Duration::from_secs(seconds),
        clock,
        rules,
    );
    Ok(())
}

/// `chainpark calendar FILE`: a year the file covers whole (its holidays name all seven festivals) replaces that
/// year; other days are added to years already loaded; provisional deadlines are recounted.
#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// A CSV file with the header `date,kind,name`; kind is `holiday` or `workday` (a make-up working day).
    pub file: std::path::PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long)]
    pub database: Option<String>,
}

pub async fn load_calendar(
    config: Option<&std::path::Path>,
    args: CalendarArgs,
) -> anyhow::Result<()> {
    let settings = crate::config::Settings::load(config, None, args.database)?;
    let store = crate::open(&settings.database).await?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let load = store.load_calendar(&Actor::system("cli"), &text).await?;
    let list = |years: &[i32]| {
        years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !load.loaded_years.is_empty() {
        println!("holiday calendar loaded for {}", list(&load.loaded_years));
    }
    if !load.added_to_years.is_empty() {
        println!("days added to {}", list(&load.added_to_years));
    }
    println!(
        "provisional deadlines recounted: {} appeal(s), {} work order(s); the calendar covers {}",
        load.recounted_appeals.len(),
        load.recounted_work_orders.len(),
        list(&load.years)
    );
    Ok(())
}
