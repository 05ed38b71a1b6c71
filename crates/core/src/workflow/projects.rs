//! Key projects (重点项目) from lead to production: the stages with their dates and the order they must keep,
//! signing events, milestones, and the figures leaders ask for — start rate and production rate of signed
//! projects, investment completed against the annual plan and against the time elapsed (时间进度).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::{Id, PersonRef};
use crate::workflow::appeals::text;
use crate::workflow::{percent, wire_enum};

wire_enum! {
    /// Where a project stands, in the order projects move.
    ProjectStage {
        /// 线索
        Lead = "lead",
        /// 拜访
        Visit = "visit",
        /// 洽谈
        Negotiation = "negotiation",
        /// 签约
        Signed = "signed",
        /// 注册
        Registered = "registered",
        /// 开工
        Started = "started",
        /// 投产
        InProduction = "in_production",
        /// 达产
        AtCapacity = "at_capacity",
    }
}

impl ProjectStage {
    pub fn name_zh(self) -> &'static str {
        match self {
            ProjectStage::Lead => "线索",
            ProjectStage::Visit => "拜访",
            ProjectStage::Negotiation => "洽谈",
            ProjectStage::Signed => "签约",
            ProjectStage::Registered => "注册",
            ProjectStage::Started => "开工",
            ProjectStage::InProduction => "投产",
            ProjectStage::AtCapacity => "达产",
        }
    }

    /// The field that holds the stage's date.
    pub fn date_field(self) -> &'static str {
        match self {
            ProjectStage::Lead => "lead_on",
            ProjectStage::Visit => "visit_on",
            ProjectStage::Negotiation => "negotiation_on",
            ProjectStage::Signed => "signed_on",
            ProjectStage::Registered => "registered_on",
            ProjectStage::Started => "started_on",
            ProjectStage::InProduction => "production_on",
            ProjectStage::AtCapacity => "capacity_on",
        }
    }

    /// The stage that must have been reached before this one. Early stages may go unrecorded (a project signed
    /// at an event often has no recorded visit), but nothing starts before it is signed, produces before it
    /// started, or reaches capacity before it produces.
    pub fn requires(self) -> Option<ProjectStage> {
        match self {
            ProjectStage::Started => Some(ProjectStage::Signed),
            ProjectStage::InProduction => Some(ProjectStage::Started),
            ProjectStage::AtCapacity => Some(ProjectStage::InProduction),
            _ => None,
        }
    }
}

/// The date each stage was reached, where it was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDates {
    #[serde(default)]
    pub lead_on: Option<NaiveDate>,
    #[serde(default)]
    pub visit_on: Option<NaiveDate>,
    #[serde(default)]
    pub negotiation_on: Option<NaiveDate>,
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    #[serde(default)]
    pub registered_on: Option<NaiveDate>,
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    #[serde(default)]
    pub production_on: Option<NaiveDate>,
    #[serde(default)]
    pub capacity_on: Option<NaiveDate>,
}

impl StageDates {
    pub fn get(&self, stage: ProjectStage) -> Option<NaiveDate> {
        match stage {
            ProjectStage::Lead => self.lead_on,
            ProjectStage::Visit => self.visit_on,
            ProjectStage::Negotiation => self.negotiation_on,
            ProjectStage::Signed => self.signed_on,
            ProjectStage::Registered => self.registered_on,
            ProjectStage::Started => self.started_on,
            ProjectStage::InProduction => self.production_on,
            ProjectStage::AtCapacity => self.capacity_on,
        }
    }

    pub fn set(&mut self, stage: ProjectStage, date: Option<NaiveDate>) {
        let slot = match stage {
            ProjectStage::Lead => &mut self.lead_on,
            ProjectStage::Visit => &mut self.visit_on,
            ProjectStage::Negotiation => &mut self.negotiation_on,
            ProjectStage::Signed => &mut self.signed_on,
            ProjectStage::Registered => &mut self.registered_on,
            ProjectStage::Started => &mut self.started_on,
            ProjectStage::InProduction => &mut self.production_on,
            ProjectStage::AtCapacity => &mut self.capacity_on,
        };
        *slot = date;
    }

    /// The furthest stage reached (by the dates), `Lead` when none is recorded.
    pub fn current(&self) -> ProjectStage {
        ProjectStage::ALL
            .iter()
            .rev()
            .copied()
            .find(|s| self.get(*s).is_some())
            .unwrap_or(ProjectStage::Lead)
    }

    /// The furthest stage reached on `day`.
    pub fn stage_on(&self, day: NaiveDate) -> Option<ProjectStage> {
        ProjectStage::ALL
            .iter()
            .rev()
            .copied()
            .find(|s| self.get(*s).is_some_and(|d| d <= day))
    }

    /// Checks that stage dates never go back in time and that no stage is reached before the one it needs.
    /// Fields are named `{prefix}{stage}_on`.
    pub fn check(&self, v: &mut Violations, prefix: &str) {
        let mut latest: Option<(ProjectStage, NaiveDate)> = None;
        for stage in ProjectStage::ALL.iter().copied() {
            let Some(date) = self.get(stage) else {
                continue;
            };
            let field = format!("{prefix}{}", stage.date_field());
            if let Some((before, before_date)) = latest
                && date < before_date
            {
                v.add(
                    &field,
                    format!(
                        "{date} is before the {} date {before_date}",
                        before.as_str()
                    ),
                );
            }
            if let Some(needed) = stage.requires()
                && self.get(needed).is_none()
            {
                v.add(
                    &field,
                    format!(
                        "a project is {} only after it is {}",
                        stage.as_str(),
                        needed.as_str()
                    ),
                );
            }
            latest = Some((stage, date));
        }
    }
}

/// A signing event (签约活动), such as the opening of the Smart China Expo 2021.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SigningEvent {
    pub id: Id,
    pub name: String,
    pub name_en: String,
    pub held_on: NaiveDate,
    pub place: String,
    /// Projects signed at it and their contracted investment in 万元.
    pub project_count: i64,
    pub contracted_investment: i64,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningEventInput {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub held_on: NaiveDate,
    #[serde(default)]
    pub place: String,
}

pub type SigningEventDraft = SigningEventInput;

impl SigningEventInput {
    pub fn parse(self) -> Result<SigningEventDraft, Invalid> {
        let mut v = Violations::default();
        let draft = SigningEventInput {
            name: text(&mut v, "name", &self.name, true, 200),
            name_en: text(&mut v, "name_en", &self.name_en, false, 300),
            held_on: self.held_on,
            place: text(&mut v, "place", &self.place, false, 200),
        };
        v.finish(draft)
    }
}

/// A key project. Money is in 万元 (10,000 yuan).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Project {
    pub id: Id,
    pub name: String,
    pub name_en: String,
    /// Who invests (a company or group, perhaps not yet registered in the zone).
    pub investor: String,
    /// The enterprise in the registry once the project has one.
    pub enterprise_id: Option<Id>,
    pub planned_investment: i64,
    pub contracted_investment: i64,
    /// Investment completed so far, summed over the months recorded.
    pub completed_investment: i64,
    pub chain_id: Option<Id>,
    pub segment_id: Option<Id>,
    pub park_id: Option<Id>,
    /// The responsible chain chief and the officer who follows the project.
    pub chief: Option<PersonRef>,
    pub officer: Option<PersonRef>,
    pub event_id: Option<Id>,
    pub stage: ProjectStage,
    pub stages: StageDates,
    pub archived: bool,
    /// Counts the changes: every change adds one, and of two changes decided on the same version only the first
    /// is written (the other answers 409).
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub investor: String,
    #[serde(default)]
    pub enterprise_id: Option<Id>,
    #[serde(default)]
    pub planned_investment: i64,
    #[serde(default)]
    pub contracted_investment: i64,
    #[serde(default)]
    pub chain_id: Option<Id>,
    #[serde(default)]
    pub segment_id: Option<Id>,
    #[serde(default)]
    pub park_id: Option<Id>,
    #[serde(default)]
    pub chief_person_id: Option<Id>,
    #[serde(default)]
    pub officer_person_id: Option<Id>,
    #[serde(default)]
    pub event_id: Option<Id>,
    #[serde(default)]
    pub stages: StageDates,
}

pub type ProjectDraft = ProjectInput;

impl ProjectInput {
    pub fn parse(self) -> Result<ProjectDraft, Invalid> {
        let mut v = Violations::default();
        for (field, value) in [
            ("planned_investment", self.planned_investment),
            ("contracted_investment", self.contracted_investment),
        ] {
            if value < 0 {
                v.add(field, "cannot be negative");
            }
        }
        if self.event_id.is_some() && self.stages.signed_on.is_none() {
            v.add(
                "stages.signed_on",
                "a project signed at an event has a signing date",
            );
        }
        self.stages.check(&mut v, "stages.");
        let draft = ProjectInput {
            name: text(&mut v, "name", &self.name, true, 200),
            name_en: text(&mut v, "name_en", &self.name_en, false, 300),
            investor: text(&mut v, "investor", &self.investor, true, 200),
            ..self
        };
        v.finish(draft)
    }
}

impl Project {
    pub fn to_input(&self) -> ProjectInput {
        ProjectInput {
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            investor: self.investor.clone(),
            enterprise_id: self.enterprise_id,
            planned_investment: self.planned_investment,
            contracted_investment: self.contracted_investment,
            chain_id: self.chain_id,
            segment_id: self.segment_id,
            park_id: self.park_id,
            chief_person_id: self.chief.as_ref().map(|p| p.id),
            officer_person_id: self.officer.as_ref().map(|p| p.id),
            event_id: self.event_id,
            stages: self.stages,
        }
    }
}

/// Moving a project on: the stage reached and the day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageMoveInput {
    pub stage: ProjectStage,
    pub on: NaiveDate,
}

/// The stage dates after a move, or why the move is impossible: a project moves forward only, in date order.
pub fn move_to(
    stages: &StageDates,
    to: ProjectStage,
    on: NaiveDate,
) -> Result<StageDates, Invalid> {
    let current = stages.current();
    if stages.get(current).is_some() && to <= current {
        return Err(Invalid::field(
            "stage",
            format!(
                "the project is already {}; it cannot move to {}",
                current.as_str(),
                to.as_str()
            ),
        ));
    }
    if let Some(needed) = to.requires()
        && stages.get(needed).is_none()
    {
        return Err(Invalid::field(
            "stage",
            format!(
                "a project is {} only after it is {}",
                to.as_str(),
                needed.as_str()
            ),
        ));
    }
    let mut next = *stages;
    next.set(to, Some(on));
    let mut v = Violations::default();
    next.check(&mut v, "");
    v.finish(()).map_err(|e| {
        Invalid(
            e.0.into_iter()
                .map(|mut f| {
                    if f.field == to.date_field() {
                        f.field = "on".into();
                    } else {
                        f.field = "stage".into();
                    }
                    f
                })
                .collect(),
        )
    })?;
    Ok(next)
}

/// Investment completed in one month, or the plan for one year, in 万元.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestmentInput {
    /// `YYYY-MM` for investment completed in that month.
    #[serde(default)]
    pub month: Option<String>,
    /// A year for the annual plan.
    #[serde(default)]
    pub year: Option<i32>,
    pub amount: i64,
}

/// A checked investment figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Investment {
    /// Completed in the month `yyyymm`.
    Completed {
        month: i32,
        amount: i64,
    },
    Planned {
        year: i32,
        amount: i64,
    },
}

impl InvestmentInput {
    pub fn parse(self) -> Result<Investment, Invalid> {
        let mut v = Violations::default();
        if self.amount < 0 {
            v.add("amount", "cannot be negative");
        }
        let parsed = match (self.month.as_deref(), self.year) {
            (Some(month), None) => {
                match NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d") {
                    Ok(d) => Some(Investment::Completed {
                        month: d.year() * 100 + d.month() as i32,
                        amount: self.amount,
                    }),
                    Err(_) => {
                        v.add("month", "is not a month (YYYY-MM)");
                        None
                    }
                }
            }
            (None, Some(year)) if (2000..=2100).contains(&year) => Some(Investment::Planned {
                year,
                amount: self.amount,
            }),
            (None, Some(_)) => {
                v.add("year", "is out of range");
                None
            }
            _ => {
                v.add("month", "give either a month (completed) or a year (plan)");
                None
            }
        };
        match parsed {
            Some(p) => v.finish(p),
            None => Err(v.into_invalid()),
        }
    }
}

/// A milestone of a project, with its due date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Milestone {
    pub id: Id,
    pub project_id: Id,
    pub project_name: String,
    pub name: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    /// Not done and past its due date on the day asked about.
    pub overdue: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub name: String,
    pub due_on: NaiveDate,
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

pub type MilestoneDraft = MilestoneInput;

impl MilestoneInput {
    pub fn parse(self) -> Result<MilestoneDraft, Invalid> {
        let mut v = Violations::default();
        let name = text(&mut v, "name", &self.name, true, 200);
        v.finish(MilestoneInput { name, ..self })
    }
}

/// A milestone is overdue from the day after its due date until it is done.
pub fn milestone_overdue(due_on: NaiveDate, done_on: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    done_on.is_none() && as_of > due_on
}

/// What the figures need of one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    /// The group the project counts in (a chain, park, chief or event), with its name.
    pub key: Option<Id>,
    pub name: String,
    pub stages: StageDates,
    /// The annual plan for the year asked about, and what was completed in that year up to the month asked about.
    pub planned_year: i64,
    pub completed_year: i64,
}

/// The figures of one group of projects on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProjectFigures {
    pub key: Option<Id>,
    pub name: String,
    pub projects: i64,
    pub signed: i64,
    pub started: i64,
    pub in_production: i64,
    /// Started ÷ signed, per cent.
    pub start_rate_percent: Option<f64>,
    /// In production ÷ signed, per cent.
    pub production_rate_percent: Option<f64>,
    /// 万元
    pub planned_year: i64,
    pub completed_year: i64,
    /// Completed ÷ annual plan, per cent.
    pub plan_completion_percent: Option<f64>,
    /// Months elapsed ÷ 12, per cent (时间进度): completion below it is behind schedule.
    pub time_progress_percent: f64,
    pub behind_schedule: bool,
}

/// Rolls project facts up by their key on `as_of`: signed, started and in production count the stages reached
/// by that day; investment counts the year of `as_of` up to its month.
pub fn project_figures(facts: &[ProjectFacts], as_of: NaiveDate) -> Vec<ProjectFigures> {
    let time = percent(i64::from(as_of.month()), 12);
    let mut groups: BTreeMap<(Option<Id>, String), ProjectFigures> = BTreeMap::new();
    for f in facts {
        let g = groups
            .entry((f.key, f.name.clone()))
            .or_insert_with(|| ProjectFigures {
                key: f.key,
                name: f.name.clone(),
                projects: 0,
                signed: 0,
                started: 0,
                in_production: 0,
                start_rate_percent: None,
                production_rate_percent: None,
                planned_year: 0,
                completed_year: 0,
                plan_completion_percent: None,
                time_progress_percent: time,
                behind_schedule: false,
            });
        g.projects += 1;
        let reached = |d: Option<NaiveDate>| d.is_some_and(|d| d <= as_of);
        if reached(f.stages.signed_on) {
            g.signed += 1;
            if reached(f.stages.started_on) {
                g.started += 1;
            }
            if reached(f.stages.production_on) {
                g.in_production += 1;
            }
        }
        g.planned_year += f.planned_year;
        g.completed_year += f.completed_year;
    }
    groups
        .into_values()
        .map(|mut g| {
            if g.signed > 0 {
                g.start_rate_percent = Some(percent(g.started, g.signed));
                g.production_rate_percent = Some(percent(g.in_production, g.signed));
            }
            if g.planned_year > 0 {
                let done = percent(g.completed_year, g.planned_year);
                g.plan_completion_percent = Some(done);
                g.behind_schedule = done < g.time_progress_percent;
            }
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    #[test]
    fn stage_date_before_the_previous_stage_is_refused() {
        let stages = StageDates {
            signed_on: Some(d("2021-08-18")),
            started_on: Some(d("2021-08-01")),
            ..Default::default()
        };
        let mut v = Violations::default();
        stages.check(&mut v, "stages.");
        let e = v.into_invalid();
        assert_eq!(e.0[0].field, "stages.started_on");
    }

    #[test]
    fn nothing_starts_before_it_is_signed() {
        let stages = StageDates {
            negotiation_on: Some(d("2021-08-01")),
            ..Default::default()
        };
        let e = move_to(&stages, ProjectStage::Started, d("2021-09-01")).unwrap_err();
        assert_eq!(e.0[0].field, "stage");
        assert!(move_to(&stages, ProjectStage::Signed, d("2021-09-01")).is_ok());
    }

    #[test]
    fn a_project_moves_forward_only_and_in_date_order() {
        let stages = StageDates {
            signed_on: Some(d("2021-08-18")),
            ..Default::default()
        };
        assert_eq!(
            move_to(&stages, ProjectStage::Visit, d("2021-08-19"))
                .unwrap_err()
                .0[0]
                .field,
            "stage"
        );
        assert_eq!(
            move_to(&stages, ProjectStage::Started, d("2021-08-17"))
                .unwrap_err()
                .0[0]
                .field,
            "on"
        );
        let moved = move_to(&stages, ProjectStage::Started, d("2021-10-10")).expect("forward");
        assert_eq!(moved.current(), ProjectStage::Started);
    }

    #[test]
    fn rates_count_signed_projects_on_the_day() {
        let f =
            |signed: Option<&str>, started: Option<&str>, production: Option<&str>| ProjectFacts {
                key: Some(1),
                name: "汽车".into(),
                stages: StageDates {
                    signed_on: signed.map(d),
                    started_on: started.map(d),
                    production_on: production.map(d),
                    ..Default::default()
                },
                planned_year: 100,
                completed_year: 30,
            };
        let facts = [
            f(Some("2021-08-18"), Some("2021-09-01"), Some("2021-09-20")),
            f(Some("2021-08-18"), Some("2021-09-01"), None),
            f(Some("2021-08-18"), Some("2021-11-01"), None),
            f(None, None, None),
        ];
        let g = &project_figures(&facts, d("2021-09-30"))[0];
        assert_eq!(
            (g.projects, g.signed, g.started, g.in_production),
            (4, 3, 2, 1)
        );
        assert_eq!(g.start_rate_percent, Some(66.7));
        assert_eq!(g.production_rate_percent, Some(33.3));
        assert_eq!(g.plan_completion_percent, Some(30.0));
        assert_eq!(g.time_progress_percent, 75.0);
        assert!(g.behind_schedule);
    }

    #[test]
    fn investment_needs_a_month_or_a_year() {
        let e = InvestmentInput {
            month: Some("2021-13".into()),
            year: None,
            amount: 5,
        }
        .parse()
        .unwrap_err();
        assert_eq!(e.0[0].field, "month");
        assert_eq!(
            InvestmentInput {
                month: Some("2021-09".into()),
                year: None,
                amount: 5
            }
            .parse(),
            Ok(Investment::Completed {
                month: 202109,
                amount: 5
            })
        );
    }

    #[test]
    fn a_new_project_may_enter_at_any_stage_before_the_start() {
        for &stage in ProjectStage::ALL {
            let moved = move_to(&StageDates::default(), stage, d("2021-08-18"));
            assert_eq!(moved.is_ok(), stage.requires().is_none(), "{stage}");
        }
    }

    #[test]
    fn a_project_does_not_move_to_the_stage_it_is_in() {
        let stages = StageDates {
            visit_on: Some(d("2021-08-01")),
            ..Default::default()
        };
        let error = move_to(&stages, ProjectStage::Visit, d("2021-08-02")).unwrap_err();
        assert_eq!(error.0[0].field, "stage");
    }

    #[test]
    fn production_needs_a_start_and_capacity_needs_production() {
        let signed = StageDates {
            signed_on: Some(d("2021-08-18")),
            ..Default::default()
        };
        let e = move_to(&signed, ProjectStage::InProduction, d("2021-09-01")).unwrap_err();
        assert!(e.0[0].message.contains("after it is started"), "{e}");
        let started = move_to(&signed, ProjectStage::Started, d("2021-09-01")).expect("started");
        let e = move_to(&started, ProjectStage::AtCapacity, d("2021-10-01")).unwrap_err();
        assert!(e.0[0].message.contains("after it is in_production"), "{e}");
        let producing =
            move_to(&started, ProjectStage::InProduction, d("2021-10-01")).expect("producing");
        assert!(move_to(&producing, ProjectStage::AtCapacity, d("2021-12-01")).is_ok());
    }

    #[test]
    fn a_move_keeps_the_dates_of_earlier_stages() {
        let stages = StageDates {
            lead_on: Some(d("2021-06-01")),
            signed_on: Some(d("2021-08-18")),
            ..Default::default()
        };
        let moved = move_to(&stages, ProjectStage::Registered, d("2021-08-30")).expect("moved");
        assert_eq!(
            (moved.lead_on, moved.signed_on, moved.registered_on),
            (
                Some(d("2021-06-01")),
                Some(d("2021-08-18")),
                Some(d("2021-08-30"))
            )
        );
    }
}
