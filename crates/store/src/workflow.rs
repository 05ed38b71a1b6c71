//! The chiefs' daily work in the store, for both engines (one SQL text): appeals and their routing rules, key
//! projects, transformation recognitions, park work orders, the inbox and the mail outbox. Every method takes the
//! actor first and applies its scope inside the query or the transaction; every change writes an audit entry, and
//! the notifications a change causes are written in the same transaction, so a case is never without them.
//!
//! "Now" is never read here for a rule: changes take the instant they happened (`at`) and reads the day they are
//! asked about (`as_of`), so a deadline can be checked on any day, in a test as in a report.
//!
//! One trait per capability: [`CalendarStore`], [`AppealStore`], [`ProjectStore`], [`TransformationStore`],
//! [`WorkOrderStore`], [`InboxStore`], [`AlertStore`], and [`WorkflowStore`] for what spans them (the check,
//! escalation). Each is implemented in the module of the same name under `src/sql/workflow/`.

use async_trait::async_trait;
use chainpark_core::calendar::WorkCalendar;
use chainpark_core::list::{Page, Paging};
use chainpark_core::registry::{Id, PersonRef};
use chainpark_core::workflow::OnTimeRate;
use chainpark_core::workflow::alerts::Alert;
use chainpark_core::workflow::appeals::*;
use chainpark_core::workflow::projects::*;
use chainpark_core::workflow::transformation::*;
use chainpark_core::workflow::work_orders::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::common::corrupt;
use crate::{Actor, Result, StoreError};

/// What the appeal list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct AppealFilter {
    /// Part of the title or the enterprise's name.
    pub q: Option<String>,
    pub status: Option<AppealStatus>,
    pub category: Option<AppealCategory>,
    pub enterprise_id: Option<Id>,
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
    pub assignee_person_id: Option<Id>,
    /// Only appeals that are (true) or are not (false) overdue on `as_of`.
    pub overdue: Option<bool>,
    /// Only open (not closed) appeals.
    pub open: Option<bool>,
    /// Received on or after / on or before.
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// The day overdue is judged on (China date).
    pub as_of: NaiveDate,
}

/// What the project list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// Part of the name or the investor.
    pub q: Option<String>,
    pub stage: Option<ProjectStage>,
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
    pub event_id: Option<Id>,
    pub chief_person_id: Option<Id>,
    pub include_archived: bool,
}

/// How project figures are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectGrouping {
    /// The zone as one group.
    #[default]
    Zone,
    Chain,
    Park,
    Chief,
    Event,
}

#[derive(Debug, Clone, Default)]
pub struct MilestoneFilter {
    pub project_id: Option<Id>,
    /// Only milestones overdue (true) or not (false) on `as_of`.
    pub overdue: Option<bool>,
    pub as_of: NaiveDate,
}

/// What the transformation lists may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct TransformationFilter {
    pub enterprise_id: Option<Id>,
    /// Only projects completed (recognitions made) on or before this day.
    pub by: Option<NaiveDate>,
    pub kind: Option<RecognitionKind>,
}

/// What the work-order list may be filtered by.
#[derive(Debug, Clone)]
pub struct WorkOrderFilter {
    pub park_id: Option<Id>,
    pub status: Option<WorkOrderStatus>,
    pub kind: Option<WorkOrderKind>,
    pub assignee_person_id: Option<Id>,
    pub overdue: Option<bool>,
    /// The instant overdue is judged at.
    pub at: DateTime<Utc>,
}

/// A message in a person's inbox.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, FromRow)]
pub struct Notification {
    pub id: Id,
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// What it is about: `appeal` or `work_order`, and its id.
    pub object_kind: String,
    pub object_id: Id,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The counts the inbox badge shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct InboxCounts {
    pub unread: i64,
    pub total: i64,
    /// Unread messages by kind (appeal_routed, appeal_escalated, work_order_assigned, ...).
    pub unread_by_kind: std::collections::BTreeMap<String, i64>,
}

/// A mail waiting in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, FromRow)]
pub struct OutboxMail {
    pub id: Id,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    /// When it is (or was) due to be sent: when it was queued, then each retry's time.
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: String,
}

/// One step of a case (an appeal or a work order), as the history shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, FromRow)]
pub struct CaseStep {
    pub id: Id,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    /// Whom the step concerns: for an assignment the person it was assigned to, for any other step the person of
    /// the account that took it.
    pub person_id: Option<Id>,
    /// That person's name, as the history shows it.
    pub person_name: Option<String>,
    pub note: String,
}

/// What an escalation run did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EscalationRun {
    pub as_of: NaiveDate,
    /// Appeals escalated now, with the chief each went to.
    pub appeals: Vec<Escalated>,
    pub work_orders: Vec<Escalated>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Escalated {
    pub id: Id,
    pub to: Option<PersonRef>,
}

/// What loading a holiday calendar did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CalendarLoad {
    /// The years the file covers whole: each replaced that year.
    pub loaded_years: Vec<i32>,
    /// Years already loaded that the file's other days (a make-up working day in the December before, say) were
    /// added to.
    pub added_to_years: Vec<i32>,
    /// Every year the calendar now covers.
    pub years: Vec<i32>,
    /// Appeals and work orders whose provisional deadlines were counted again on the loaded years.
    pub recounted_appeals: Vec<Id>,
    pub recounted_work_orders: Vec<Id>,
}

/// A reminder that a year's holiday calendar is missing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarReminder {
    /// The year to load.
    pub year: i32,
    /// The admin accounts told now (each is told once per year).
    pub notified_accounts: Vec<Id>,
}

/// A case's deadlines before and after a recount, as the audit log keeps them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecountedDeadlines {
    pub(crate) accept_due: Option<NaiveDate>,
    pub(crate) reply_due: Option<NaiveDate>,
    pub(crate) due_at: Option<DateTime<Utc>>,
    pub(crate) provisional_year: Option<i32>,
}

/// The working-day calendar that deadlines count in. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The working-day calendar: the one shipped with the program and the years an admin loaded.
    async fn work_calendar(&self) -> Result<WorkCalendar>;
    /// Loads the holidays and make-up working days in `csv` (`date,kind,name`): a year the file covers whole
    /// replaces that year, other days are added to years already loaded, and a year the file covers in part that
    /// is not loaded refuses the whole file. Provisional deadlines are recounted in the same transaction. Admin only.
    async fn load_calendar(&self, actor: &Actor, csv: &str) -> Result<CalendarLoad>;
    /// Tells every admin account, once per year, that the calendar of the year to load on the China date of `now`
    /// is missing (this year, or from 1 November next year); `None` when nothing is missing. Admin or the program.
    async fn remind_missing_calendar(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Option<CalendarReminder>>;
}

/// Enterprise appeals and the rules that route them. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait AppealStore: Send + Sync {
    async fn list_appeal_rules(&self, actor: &Actor, paging: &Paging) -> Result<Page<AppealRule>>;
    async fn get_appeal_rule(&self, actor: &Actor, id: Id) -> Result<AppealRule>;
    /// Adds a routing rule; someone must hold its post on `today`.
    async fn create_appeal_rule(
        &self,
        actor: &Actor,
        draft: AppealRuleDraft,
        today: NaiveDate,
    ) -> Result<AppealRule>;
    async fn update_appeal_rule(
        &self,
        actor: &Actor,
        id: Id,
        draft: AppealRuleDraft,
        today: NaiveDate,
    ) -> Result<AppealRule>;
    async fn archive_appeal_rule(&self, actor: &Actor, id: Id) -> Result<AppealRule>;
    /// Files an appeal received at `at` (not after `now`), routes it and notifies the handler.
    async fn file_appeal(
        &self,
        actor: &Actor,
        draft: AppealDraft,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Appeal>;
    async fn list_appeals(
        &self,
        actor: &Actor,
        filter: &AppealFilter,
        paging: &Paging,
    ) -> Result<Page<Appeal>>;
    /// One appeal as of a day; one the actor may not see answers 404.
    async fn get_appeal(&self, actor: &Actor, id: Id, as_of: NaiveDate) -> Result<Appeal>;
    async fn appeal_steps(&self, actor: &Actor, id: Id) -> Result<Vec<CaseStep>>;
    /// Takes one step of the closed loop at `at` (not after `now`), under the zone's `rules` (how long a closed
    /// appeal may be re-opened). With `version`, the step was decided on that version of the appeal: when the
    /// appeal has changed since, it answers 409 (`Conflict` on `version`) and changes nothing.
    // The step, its note, when it happened, the version it was decided on, the zone's rules and the clock's now
    // are each a different thing the caller knows; bundling them would only hide which is which.
    #[allow(clippy::too_many_arguments)]
    async fn step_appeal(
        &self,
        actor: &Actor,
        id: Id,
        step: AppealStep,
        note: String,
        at: DateTime<Utc>,
        version: Option<i64>,
        rules: AppealRules,
        now: DateTime<Utc>,
    ) -> Result<Appeal>;
    /// The on-time rate of the appeals the filter selects.
    async fn appeal_on_time_rate(&self, actor: &Actor, filter: &AppealFilter)
    -> Result<OnTimeRate>;
}

/// Signing events and key investment projects: stages, investments, milestones and their figures. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait ProjectStore: Send + Sync {
    async fn list_signing_events(
        &self,
        actor: &Actor,
        paging: &Paging,
    ) -> Result<Page<SigningEvent>>;
    async fn get_signing_event(&self, actor: &Actor, id: Id) -> Result<SigningEvent>;
    async fn create_signing_event(
        &self,
        actor: &Actor,
        draft: SigningEventDraft,
    ) -> Result<SigningEvent>;
    async fn list_projects(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        paging: &Paging,
    ) -> Result<Page<Project>>;
    /// One project; one outside the actor's chains and parks answers 404.
    async fn get_project(&self, actor: &Actor, id: Id) -> Result<Project>;
    async fn create_project(&self, actor: &Actor, draft: ProjectDraft) -> Result<Project>;
    async fn update_project(&self, actor: &Actor, id: Id, draft: ProjectDraft) -> Result<Project>;
    async fn archive_project(&self, actor: &Actor, id: Id) -> Result<Project>;
    /// Moves a project forward to `stage`, reached on `on`. Of two moves at once only the first is written.
    async fn move_project(
        &self,
        actor: &Actor,
        id: Id,
        stage: ProjectStage,
        on: NaiveDate,
    ) -> Result<Project>;
    /// Records investment completed in a month or the plan for a year (replacing what was there).
    async fn record_investment(
        &self,
        actor: &Actor,
        id: Id,
        investment: Investment,
    ) -> Result<Project>;
    /// Adds a milestone; the answer says whether it is overdue on `as_of`.
    async fn create_milestone(
        &self,
        actor: &Actor,
        project: Id,
        draft: MilestoneDraft,
        as_of: NaiveDate,
    ) -> Result<Milestone>;
    async fn update_milestone(
        &self,
        actor: &Actor,
        id: Id,
        draft: MilestoneDraft,
        as_of: NaiveDate,
    ) -> Result<Milestone>;
    async fn list_milestones(
        &self,
        actor: &Actor,
        filter: &MilestoneFilter,
        paging: &Paging,
    ) -> Result<Page<Milestone>>;
    /// Start rate, production rate and investment against plan and time, grouped, on `as_of`.
    async fn project_figures(
        &self,
        actor: &Actor,
        grouping: ProjectGrouping,
        filter: &ProjectFilter,
        as_of: NaiveDate,
    ) -> Result<Vec<ProjectFigures>>;
}

/// Digital transformation projects and recognitions of enterprises. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait TransformationStore: Send + Sync {
    async fn list_transformation_projects(
        &self,
        actor: &Actor,
        filter: &TransformationFilter,
        paging: &Paging,
    ) -> Result<Page<TransformationProject>>;
    async fn get_transformation_project(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<TransformationProject>;
    async fn create_transformation_project(
        &self,
        actor: &Actor,
        draft: TransformationProjectDraft,
    ) -> Result<TransformationProject>;
    async fn update_transformation_project(
        &self,
        actor: &Actor,
        id: Id,
        draft: TransformationProjectDraft,
    ) -> Result<TransformationProject>;
    async fn list_recognitions(
        &self,
        actor: &Actor,
        filter: &TransformationFilter,
        paging: &Paging,
    ) -> Result<Page<Recognition>>;
    async fn get_recognition(&self, actor: &Actor, id: Id) -> Result<Recognition>;
    /// Records a recognition; a factory's workshops must be recognised workshops of the same enterprise.
    async fn create_recognition(
        &self,
        actor: &Actor,
        draft: RecognitionDraft,
    ) -> Result<Recognition>;
    /// Zone-level counts on a day: every signed-in account may read them.
    async fn transformation_summary(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
    ) -> Result<TransformationSummary>;
}

/// Park work orders. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait WorkOrderStore: Send + Sync {
    /// Opens a work order reported at `at` (not after `now`); its assignee (of the park's staff) is notified.
    async fn create_work_order(
        &self,
        actor: &Actor,
        draft: WorkOrderDraft,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WorkOrder>;
    async fn list_work_orders(
        &self,
        actor: &Actor,
        filter: &WorkOrderFilter,
        paging: &Paging,
    ) -> Result<Page<WorkOrder>>;
    async fn get_work_order(&self, actor: &Actor, id: Id, at: DateTime<Utc>) -> Result<WorkOrder>;
    async fn work_order_steps(&self, actor: &Actor, id: Id) -> Result<Vec<CaseStep>>;
    /// Takes a step at `at` (not after `now`); with `step.version`, as for `step_appeal`.
    async fn step_work_order(
        &self,
        actor: &Actor,
        id: Id,
        step: WorkOrderStepInput,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WorkOrder>;
}

/// Notifications in each person's inbox, and the mail outbox. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait InboxStore: Send + Sync {
    /// The messages of the actor's person and those addressed to the actor's account, newest first.
    async fn list_inbox(
        &self,
        actor: &Actor,
        unread_only: bool,
        paging: &Paging,
    ) -> Result<Page<Notification>>;
    async fn inbox_counts(&self, actor: &Actor) -> Result<InboxCounts>;
    /// Marks one message (or, with `None`, all) read; another person's message answers 404.
    async fn mark_read(&self, actor: &Actor, id: Option<Id>) -> Result<InboxCounts>;
    /// Mail due to be sent at `now`, oldest first. For the mailer, which acts for the program.
    async fn due_mail(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxMail>>;
    async fn mail_sent(&self, id: Id, at: DateTime<Utc>) -> Result<()>;
    /// Keeps a mail that could not be sent, to be tried again at `retry_at`.
    async fn mail_failed(&self, id: Id, error: &str, retry_at: DateTime<Utc>) -> Result<()>;
    /// Every mail of the outbox, sent or not, newest last (admins; for checks and tests).
    async fn list_outbox(&self, actor: &Actor) -> Result<Vec<OutboxMail>>;
    /// How many mails wait in the outbox (not sent yet), for `/metrics`.
    async fn outbox_waiting(&self) -> Result<i64>;
}

/// What mailing one scheduled park report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportMailing {
    /// Told to the park's chief (and, when the chief has an e-mail address, put in the outbox with the workbook).
    Mailed {
        person_id: Id,
        outbox_id: Option<Id>,
    },
    /// The schedule's report of that month was mailed before: nothing more.
    AlreadyMailed,
    /// The park has no chief today: nothing stored, tried again on the next round.
    NoChief,
}

/// The park reports mailed on the admin's schedule. Scope rules: the schedules are the admin's; the mailing is the
/// program's own.
#[async_trait]
pub trait ReportMailStore: Send + Sync {
    /// A schedule of a park's monthly report (the admin); one per park.
    async fn create_report_schedule(
        &self,
        actor: &Actor,
        input: chainpark_core::parkops::report_mail::ReportScheduleInput,
        now: DateTime<Utc>,
    ) -> Result<chainpark_core::parkops::report_mail::ReportSchedule>;
    async fn list_report_schedules(
        &self,
        actor: &Actor,
    ) -> Result<Vec<chainpark_core::parkops::report_mail::ReportSchedule>>;
    /// The schedules whose report of a month is due at `at` (China day) and not mailed yet, with that month.
    async fn due_report_schedules(
        &self,
        at: DateTime<Utc>,
    ) -> Result<
        Vec<(
            chainpark_core::parkops::report_mail::ReportSchedule,
            chainpark_core::period::Month,
        )>,
    >;
    /// Mails the schedule's report of `month` to the park's chief today, the workbook attached, in one
    /// transaction keyed by schedule and month: a second mailing of the same month stores nothing.
    #[allow(clippy::too_many_arguments)]
    async fn mail_report(
        &self,
        schedule_id: Id,
        month: chainpark_core::period::Month,
        subject: &str,
        body: &str,
        attachment: chainpark_core::parkops::report_mail::MailAttachment,
        at: DateTime<Utc>,
    ) -> Result<ReportMailing>;
    /// The files attached to a mail of the outbox.
    async fn mail_attachments(
        &self,
        outbox_id: Id,
    ) -> Result<Vec<chainpark_core::parkops::report_mail::MailAttachment>>;
}

/// What spans the workflows: their consistency check and the escalation of overdue cases. Scope rules are those of `chainpark_core::access::Scope`.
#[async_trait]
pub trait WorkflowStore: Send + Sync {
    /// Looks for broken rules in the stored daily work (a factory on fewer than two workshops, stage dates out of
    /// order, a closed appeal without a reply, mail that keeps failing); each problem found is one line.
    async fn check_workflow(&self) -> Result<Vec<String>>;
    /// Escalates every open case that is overdue and not yet escalated, to its chain or park chief, and
    /// notifies them. `at` is the instant of the run; appeals are judged on its China date. Admin (or the program) only.
    async fn escalate_overdue(&self, actor: &Actor, at: DateTime<Utc>) -> Result<EscalationRun>;
}

/// Alerts (预警) in the actor's reach, and their delivery to the responsible chiefs. Implemented in
/// `src/sql/workflow/alerts.rs`; the rules are `chainpark_core::workflow::alerts`.
#[async_trait]
pub trait AlertStore: Send + Sync {
    /// The alerts the actor may see on the China date of `at`, most pressing first: appeals in the reach of
    /// appeals, milestones and projects in the reach of projects, falling output of the firms whose figures the
    /// actor may read.
    async fn alerts(&self, actor: &Actor, at: DateTime<Utc>) -> Result<Vec<Alert>>;
    /// Tells each alert's responsible chief in their inbox (and by mail), once per alert whatever the number of
    /// runs: an appeal's chain chief (else its park chief), a project's responsible chief (else its chain's or
    /// park's), a firm's chain chief (else its park chief). Admin (or the program) only.
    async fn deliver_alerts(&self, actor: &Actor, at: DateTime<Utc>) -> Result<AlertDelivery>;
}

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertDelivery {
    /// Alerts standing at the instant of the run.
    pub alerts: usize,
    /// Messages written now (an alert told before is not told again).
    pub delivered: usize,
    /// Alerts whose chief post nobody holds.
    pub without_chief: usize,
}

#[derive(FromRow)]
pub(crate) struct AppealRuleRow {
    id: i64,
    category: String,
    chain_id: Option<i64>,
    park_id: Option<i64>,
    target: String,
    person_id: Option<i64>,
    note: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl AppealRuleRow {
    pub(crate) fn into_rule(self) -> Result<AppealRule> {
        Ok(AppealRule {
            id: self.id,
            category: AppealCategory::parse(&self.category)
                .ok_or_else(|| corrupt("appeal rule", self.id, "category"))?,
            chain_id: self.chain_id,
            park_id: self.park_id,
            target: RouteTarget::parse(&self.target)
                .ok_or_else(|| corrupt("appeal rule", self.id, "target"))?,
            person_id: self.person_id,
            note: self.note,
            archived: self.archived,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct AppealRow {
    id: i64,
    enterprise_id: i64,
    enterprise_name: String,
    category: String,
    urgency: String,
    complex: bool,
    title: String,
    description: String,
    chain_id: Option<i64>,
    park_id: Option<i64>,
    status: String,
    filed_at: DateTime<Utc>,
    filed_by: String,
    received_on: NaiveDate,
    limit_days: i32,
    accept_due: NaiveDate,
    reply_due: NaiveDate,
    provisional_year: Option<i32>,
    rule_id: Option<i64>,
    route_chain_id: Option<i64>,
    route_park_id: Option<i64>,
    handler_person_id: Option<i64>,
    handler_name: Option<String>,
    assignee_person_id: Option<i64>,
    assignee_name: Option<String>,
    escalated_to_person_id: Option<i64>,
    escalated_name: Option<String>,
    escalated_at: Option<DateTime<Utc>>,
    accepted_at: Option<DateTime<Utc>>,
    replied_at: Option<DateTime<Utc>>,
    replied_on: Option<NaiveDate>,
    closed_at: Option<DateTime<Utc>>,
    reopen_until: Option<NaiveDate>,
    reply: String,
    satisfied: Option<bool>,
    rating: Option<i32>,
    reopen_count: i32,
    pub(crate) last_step_at: DateTime<Utc>,
    version: i64,
    updated_at: DateTime<Utc>,
}

fn person_ref(id: Option<i64>, name: Option<String>) -> Option<PersonRef> {
    id.map(|id| PersonRef {
        id,
        name: name.unwrap_or_default(),
    })
}

impl AppealRow {
    pub(crate) fn replied_on(&self) -> Option<NaiveDate> {
        self.replied_on
    }

    pub(crate) fn reply_due(&self) -> NaiveDate {
        self.reply_due
    }

    /// The people the appeal itself names: its handler, assignee and the chief it was escalated to.
    pub(crate) fn named_people(&self) -> Vec<Id> {
        [
            self.handler_person_id,
            self.assignee_person_id,
            self.escalated_to_person_id,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    pub(crate) fn into_appeal(self, as_of: NaiveDate) -> Result<Appeal> {
        let id = self.id;
        let status =
            AppealStatus::parse(&self.status).ok_or_else(|| corrupt("appeal", id, "status"))?;
        Ok(Appeal {
            id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            category: AppealCategory::parse(&self.category)
                .ok_or_else(|| corrupt("appeal", id, "category"))?,
            urgency: Urgency::parse(&self.urgency)
                .ok_or_else(|| corrupt("appeal", id, "urgency"))?,
            complex: self.complex,
            title: self.title,
            description: self.description,
            chain_id: self.chain_id,
            park_id: self.park_id,
            status,
            filed_at: self.filed_at,
            filed_by: self.filed_by,
            received_on: self.received_on,
            limit_days: u32::try_from(self.limit_days).map_err(|e| corrupt("appeal", id, e))?,
            accept_due: self.accept_due,
            reply_due: self.reply_due,
            deadline_provisional: self.provisional_year.is_some(),
            provisional_year: self.provisional_year,
            rule_id: self.rule_id,
            route_chain_id: self.route_chain_id,
            route_park_id: self.route_park_id,
            handler: person_ref(self.handler_person_id, self.handler_name),
            assignee: person_ref(self.assignee_person_id, self.assignee_name),
            escalated_to: person_ref(self.escalated_to_person_id, self.escalated_name),
            escalated_at: self.escalated_at,
            accepted_at: self.accepted_at,
            replied_at: self.replied_at,
            closed_at: self.closed_at,
            reopen_until: self.reopen_until,
            reply: self.reply,
            satisfied: self.satisfied,
            rating: self.rating,
            reopen_count: self.reopen_count,
            overdue: overdue_step(status, self.accept_due, self.reply_due, as_of),
            version: self.version,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) const APPEAL_COLUMNS: &str = "SELECT a.id, a.enterprise_id, e.name AS enterprise_name, a.category, a.urgency, a.complex, \
     a.title, a.description, a.chain_id, a.park_id, a.status, a.filed_at, a.filed_by, a.received_on, a.limit_days, \
     a.accept_due, a.reply_due, a.provisional_year, a.rule_id, a.route_chain_id, a.route_park_id, a.handler_person_id, hp.name AS handler_name, \
     a.assignee_person_id, ap.name AS assignee_name, a.escalated_to_person_id, xp.name AS escalated_name, a.escalated_at, \
     a.accepted_at, a.replied_at, a.replied_on, a.closed_at, a.reopen_until, a.reply, a.satisfied, a.rating, a.reopen_count, a.last_step_at, a.version, a.updated_at";

pub(crate) const APPEAL_FROM: &str = "FROM appeals a JOIN enterprises e ON e.id = a.enterprise_id \
     LEFT JOIN people hp ON hp.id = a.handler_person_id LEFT JOIN people ap ON ap.id = a.assignee_person_id \
     LEFT JOIN people xp ON xp.id = a.escalated_to_person_id";

/// The instant a China calendar day begins.
pub fn start_of_china_day(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    DateTime::<Utc>::from_naive_utc_and_offset(local - chrono::Duration::hours(8), Utc)
}

/// Refuses an instant after `now` (the application's clock, with five minutes for clocks that disagree): steps are
/// recorded when or after they happen.
pub(crate) fn not_in_future(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if at > now + chrono::Duration::minutes(5) {
        return Err(StoreError::invalid(field, "is in the future"));
    }
    Ok(())
}

/// The answer to a step decided on a version of a case (appeal, work order) that is no longer its version.
pub(crate) fn stale_version(kind: &str, id: Id, seen: i64, current: i64) -> StoreError {
    StoreError::conflict(
        "version",
        format!(
            "{kind} {id} has changed since version {seen} (it is at version {current}): reload it and decide again"
        ),
    )
}

/// The answer to the loser of two changes of one object at once: its guarded `UPDATE` found the row changed.
pub(crate) fn changed_meanwhile(kind: &str, id: Id) -> StoreError {
    StoreError::conflict(
        "version",
        format!(
            "{kind} {id} was changed by someone else at the same moment: reload it and decide again"
        ),
    )
}

/// Between the Chinese and the English text of a notification's subject and body: the inbox page shows the half
/// in the reader's language; mail carries both (its subject joined by " / ").
pub const LANGUAGE_BREAK: &str = "\n—— English ——\n";

/// A text written in both languages, as notifications keep it.
pub fn bilingual(zh: &str, en: &str) -> String {
    format!("{zh}{LANGUAGE_BREAK}{en}")
}

/// The half of a notification's text in Chinese (`english` false) or English; a text written before messages
/// were kept in both languages is given whole.
pub fn in_language(text: &str, english: bool) -> &str {
    match text.split_once(LANGUAGE_BREAK) {
        Some((zh, en)) => {
            if english {
                en
            } else {
                zh
            }
        }
        None => text,
    }
}

/// An instant as the zone reads it: China time.
pub(crate) fn china_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chainpark_core::time::china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The message texts of an appeal's notifications, in Chinese and in English.
pub(crate) fn appeal_message(kind: &str, appeal: &Appeal) -> (String, String) {
    let (id, title) = (appeal.id, &appeal.title);
    let (zh, en) = match kind {
        "appeal_routed" => ("新的企业诉求", format!("New appeal #{id}: {title}")),
        "appeal_assigned" => ("诉求交办", format!("Appeal #{id} assigned to you: {title}")),
        "appeal_escalated" => (
            "诉求超期督办",
            format!("Overdue appeal #{id} escalated: {title}"),
        ),
        "appeal_replied" => ("诉求已反馈", format!("Appeal #{id} has a reply: {title}")),
        "appeal_reopened" => (
            "诉求重新办理",
            format!("Appeal #{id} re-opened by the enterprise: {title}"),
        ),
        _ => ("企业诉求", format!("Appeal #{id}: {title}")),
    };
    let subject = bilingual(&format!("{zh} #{id}：{title}"), &en);
    let body_zh = format!(
        "{title}（{}）\n企业：{}\n状态：{}\n受理时限：{}\n答复时限：{}\n\n{}",
        appeal.category.name_zh(),
        appeal.enterprise_name,
        appeal.status.name_zh(),
        appeal.accept_due,
        appeal.reply_due,
        appeal.description
    );
    let body_en = format!(
        "{title} ({})\nEnterprise: {}\nStatus: {}\nAccept by: {}\nReply by: {}\n\n{}",
        appeal.category.as_str().replace('_', " "),
        appeal.enterprise_name,
        appeal.status.as_str().replace('_', " "),
        appeal.accept_due,
        appeal.reply_due,
        appeal.description
    );
    (subject, bilingual(&body_zh, &body_en))
}

#[derive(FromRow)]
pub(crate) struct EventRow {
    id: i64,
    name: String,
    name_en: String,
    held_on: NaiveDate,
    place: String,
    project_count: i64,
    contracted_investment: i64,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl EventRow {
    pub(crate) fn into_event(self) -> SigningEvent {
        SigningEvent {
            id: self.id,
            name: self.name,
            name_en: self.name_en,
            held_on: self.held_on,
            place: self.place,
            project_count: self.project_count,
            contracted_investment: self.contracted_investment,
            archived: self.archived,
            updated_at: self.updated_at,
        }
    }
}

pub(crate) const EVENT_COLUMNS: &str = "SELECT v.id, v.name, v.name_en, v.held_on, v.place, \
     (SELECT COUNT(*) FROM projects p WHERE p.event_id = v.id AND p.archived = FALSE) AS project_count, \
     (SELECT CAST(COALESCE(SUM(p.contracted_investment), 0) AS BIGINT) FROM projects p WHERE p.event_id = v.id AND p.archived = FALSE) AS contracted_investment, \
     v.archived, v.updated_at FROM signing_events v";

#[derive(FromRow)]
pub(crate) struct ProjectRow {
    id: i64,
    name: String,
    name_en: String,
    investor: String,
    enterprise_id: Option<i64>,
    planned_investment: i64,
    contracted_investment: i64,
    completed_investment: i64,
    chain_id: Option<i64>,
    segment_id: Option<i64>,
    park_id: Option<i64>,
    chief_person_id: Option<i64>,
    chief_name: Option<String>,
    officer_person_id: Option<i64>,
    officer_name: Option<String>,
    event_id: Option<i64>,
    lead_on: Option<NaiveDate>,
    visit_on: Option<NaiveDate>,
    negotiation_on: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
    registered_on: Option<NaiveDate>,
    started_on: Option<NaiveDate>,
    production_on: Option<NaiveDate>,
    capacity_on: Option<NaiveDate>,
    archived: bool,
    version: i64,
    updated_at: DateTime<Utc>,
}

impl ProjectRow {
    pub(crate) fn into_project(self) -> Project {
        let stages = StageDates {
            lead_on: self.lead_on,
            visit_on: self.visit_on,
            negotiation_on: self.negotiation_on,
            signed_on: self.signed_on,
            registered_on: self.registered_on,
            started_on: self.started_on,
            production_on: self.production_on,
            capacity_on: self.capacity_on,
        };
        Project {
            id: self.id,
            name: self.name,
            name_en: self.name_en,
            investor: self.investor,
            enterprise_id: self.enterprise_id,
            planned_investment: self.planned_investment,
            contracted_investment: self.contracted_investment,
            completed_investment: self.completed_investment,
            chain_id: self.chain_id,
            segment_id: self.segment_id,
            park_id: self.park_id,
            chief: person_ref(self.chief_person_id, self.chief_name),
            officer: person_ref(self.officer_person_id, self.officer_name),
            event_id: self.event_id,
            stage: stages.current(),
            stages,
            archived: self.archived,
            version: self.version,
            updated_at: self.updated_at,
        }
    }
}

pub(crate) const PROJECT_COLUMNS: &str = "SELECT p.id, p.name, p.name_en, p.investor, p.enterprise_id, p.planned_investment, \
     p.contracted_investment, (SELECT CAST(COALESCE(SUM(pi.amount), 0) AS BIGINT) FROM project_investments pi WHERE pi.project_id = p.id) AS completed_investment, \
     p.chain_id, p.segment_id, p.park_id, p.chief_person_id, cp.name AS chief_name, p.officer_person_id, op.name AS officer_name, \
     p.event_id, p.lead_on, p.visit_on, p.negotiation_on, p.signed_on, p.registered_on, p.started_on, p.production_on, p.capacity_on, \
     p.archived, p.version, p.updated_at";

pub(crate) const PROJECT_FROM: &str = "FROM projects p LEFT JOIN people cp ON cp.id = p.chief_person_id LEFT JOIN people op ON op.id = p.officer_person_id";

#[derive(FromRow)]
pub(crate) struct MilestoneRow {
    id: i64,
    project_id: i64,
    project_name: String,
    name: String,
    due_on: NaiveDate,
    done_on: Option<NaiveDate>,
    updated_at: DateTime<Utc>,
}

impl MilestoneRow {
    pub(crate) fn into_milestone(self, as_of: NaiveDate) -> Milestone {
        Milestone {
            id: self.id,
            project_id: self.project_id,
            project_name: self.project_name,
            name: self.name,
            due_on: self.due_on,
            done_on: self.done_on,
            overdue: milestone_overdue(self.due_on, self.done_on, as_of),
            updated_at: self.updated_at,
        }
    }
}

pub(crate) const MILESTONE_COLUMNS: &str = "SELECT m.id, m.project_id, p.name AS project_name, m.name, m.due_on, m.done_on, m.updated_at FROM milestones m JOIN projects p ON p.id = m.project_id";

#[derive(FromRow)]
pub(crate) struct FactRow {
    pub(crate) key: Option<i64>,
    pub(crate) key_name: Option<String>,
    pub(crate) signed_on: Option<NaiveDate>,
    pub(crate) started_on: Option<NaiveDate>,
    pub(crate) production_on: Option<NaiveDate>,
    pub(crate) planned_year: i64,
    pub(crate) completed_year: i64,
}

#[derive(FromRow)]
pub(crate) struct TransformationRow {
    id: i64,
    enterprise_id: i64,
    enterprise_name: String,
    name: String,
    investment: i64,
    started_on: NaiveDate,
    completed_on: Option<NaiveDate>,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl TransformationRow {
    pub(crate) fn into_project(self) -> TransformationProject {
        TransformationProject {
            id: self.id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            name: self.name,
            investment: self.investment,
            started_on: self.started_on,
            completed_on: self.completed_on,
            archived: self.archived,
            updated_at: self.updated_at,
        }
    }
}

pub(crate) const TRANSFORMATION_COLUMNS: &str = "SELECT t.id, t.enterprise_id, e.name AS enterprise_name, t.name, t.investment, \
     t.started_on, t.completed_on, t.archived, t.updated_at FROM transformation_projects t JOIN enterprises e ON e.id = t.enterprise_id";

#[derive(FromRow)]
pub(crate) struct RecognitionRow {
    id: i64,
    enterprise_id: i64,
    enterprise_name: String,
    kind: String,
    name: String,
    recognised_on: NaiveDate,
    investment: i64,
    cnc_rate_pct: i32,
    key_process_cnc_pct: i32,
    has_mes: bool,
    cost_reduction_pct: i32,
    efficiency_gain_pct: i32,
    defect_reduction_pct: i32,
    energy_gain_pct: i32,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl RecognitionRow {
    pub(crate) fn id(&self) -> Id {
        self.id
    }

    pub(crate) fn into_recognition(self, workshop_ids: Vec<Id>) -> Result<Recognition> {
        Ok(Recognition {
            id: self.id,
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name,
            kind: RecognitionKind::parse(&self.kind)
                .ok_or_else(|| corrupt("recognition", self.id, "kind"))?,
            name: self.name,
            recognised_on: self.recognised_on,
            investment: self.investment,
            cnc_rate_pct: self.cnc_rate_pct,
            key_process_cnc_pct: self.key_process_cnc_pct,
            has_mes: self.has_mes,
            cost_reduction_pct: self.cost_reduction_pct,
            efficiency_gain_pct: self.efficiency_gain_pct,
            defect_reduction_pct: self.defect_reduction_pct,
            energy_gain_pct: self.energy_gain_pct,
            workshop_ids,
            archived: self.archived,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) const RECOGNITION_COLUMNS: &str = "SELECT r.id, r.enterprise_id, e.name AS enterprise_name, r.kind, r.name, r.recognised_on, \
     r.investment, r.cnc_rate_pct, r.key_process_cnc_pct, r.has_mes, r.cost_reduction_pct, r.efficiency_gain_pct, r.defect_reduction_pct, \
     r.energy_gain_pct, r.archived, r.updated_at FROM recognitions r JOIN enterprises e ON e.id = r.enterprise_id";

#[derive(FromRow)]
pub(crate) struct WorkOrderRow {
    id: i64,
    park_id: i64,
    facility: String,
    kind: String,
    urgency: String,
    title: String,
    description: String,
    status: String,
    created_at: DateTime<Utc>,
    created_by: String,
    due_at: DateTime<Utc>,
    provisional_year: Option<i32>,
    assignee_person_id: Option<i64>,
    assignee_name: Option<String>,
    escalated_to_person_id: Option<i64>,
    escalated_name: Option<String>,
    escalated_at: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    pub(crate) last_step_at: DateTime<Utc>,
    version: i64,
    updated_at: DateTime<Utc>,
}

impl WorkOrderRow {
    pub(crate) fn into_work_order(self, at: DateTime<Utc>) -> Result<WorkOrder> {
        let id = self.id;
        let status = WorkOrderStatus::parse(&self.status)
            .ok_or_else(|| corrupt("work order", id, "status"))?;
        Ok(WorkOrder {
            id,
            park_id: self.park_id,
            facility: self.facility,
            kind: WorkOrderKind::parse(&self.kind)
                .ok_or_else(|| corrupt("work order", id, "kind"))?,
            urgency: WorkOrderUrgency::parse(&self.urgency)
                .ok_or_else(|| corrupt("work order", id, "urgency"))?,
            title: self.title,
            description: self.description,
            status,
            created_at: self.created_at,
            created_by: self.created_by,
            due_at: self.due_at,
            deadline_provisional: self.provisional_year.is_some(),
            provisional_year: self.provisional_year,
            assignee: person_ref(self.assignee_person_id, self.assignee_name),
            escalated_to: person_ref(self.escalated_to_person_id, self.escalated_name),
            escalated_at: self.escalated_at,
            done_at: self.done_at,
            closed_at: self.closed_at,
            overdue: work_order_overdue(status, self.due_at, at),
            version: self.version,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) const WORK_ORDER_COLUMNS: &str = "SELECT w.id, w.park_id, w.facility, w.kind, w.urgency, w.title, w.description, w.status, \
     w.created_at, w.created_by, w.due_at, w.provisional_year, w.assignee_person_id, ap.name AS assignee_name, w.escalated_to_person_id, xp.name AS escalated_name, \
     w.escalated_at, w.done_at, w.closed_at, w.last_step_at, w.version, w.updated_at \
     FROM work_orders w LEFT JOIN people ap ON ap.id = w.assignee_person_id LEFT JOIN people xp ON xp.id = w.escalated_to_person_id";

pub(crate) fn work_order_message(kind: &str, w: &WorkOrder) -> (String, String) {
    let (id, title) = (w.id, &w.title);
    let (zh, en) = match kind {
        "work_order_assigned" => (
            "工单派发",
            format!("Work order #{id} assigned to you: {title}"),
        ),
        "work_order_escalated" => (
            "工单超时督办",
            format!("Overdue work order #{id} escalated: {title}"),
        ),
        _ => ("工单", format!("Work order #{id}: {title}")),
    };
    let subject = bilingual(&format!("{zh} #{id}：{title}"), &en);
    let due = china_time(w.due_at);
    let body_zh = format!(
        "{title}\n设施：{}\n类型：{} / {}\n时限：{due}（北京时间）\n\n{}",
        w.facility,
        w.kind.name_zh(),
        w.urgency.name_zh(),
        w.description
    );
    let body_en = format!(
        "{title}\nFacility: {}\nKind: {} / {}\nDue: {due} (China time, UTC+8)\n\n{}",
        w.facility,
        w.kind.as_str().replace('_', " "),
        w.urgency.as_str(),
        w.description
    );
    (subject, bilingual(&body_zh, &body_en))
}

/// One step of a case, as `case_steps` keeps it.
pub(crate) struct StepRecord<'a> {
    pub(crate) kind: &'a str,
    pub(crate) id: Id,
    pub(crate) at: DateTime<Utc>,
    pub(crate) action: &'a str,
    pub(crate) from: &'a str,
    pub(crate) to: &'a str,
    pub(crate) person: Option<Id>,
    pub(crate) note: &'a str,
}
