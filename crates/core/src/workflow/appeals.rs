//! Enterprise appeals (企业诉求): filed by an enterprise or entered on its behalf, routed by rules to whoever
//! answers for the chain or park, and carried through the closed loop accept (受理) → assign (交办) → handle (处置)
//! → reply (反馈) → close (办结), with the enterprise's rating and re-opening when it is not satisfied. Limits are
//! counted in working days on the Chinese calendar.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Denied, Scope};
use crate::calendar::WorkCalendar;
use crate::error::{Invalid, Violations};
use crate::registry::{Id, PersonRef, PostRole};
use crate::workflow::{due_after, wire_enum};

/// Working days to accept an appeal after it arrives.
pub const ACCEPT_LIMIT_DAYS: u32 = 1;
/// Working days to reply to an appeal that the accepting officer marks complex.
pub const COMPLEX_LIMIT_DAYS: u32 = 25;
/// Working days after closing in which the enterprise may re-open its appeal, unless configured otherwise.
pub const REOPEN_DAYS: u32 = 5;

/// Whom a case of a chain may be assigned to: those who hold one of these posts in the chain.
pub const CASE_CHAIN_ROLES: [PostRole; 2] = [PostRole::ChainChief, PostRole::ChainTaskForce];
/// Whom a case of a park may be assigned to: those who hold one of these posts in the park.
pub const CASE_PARK_ROLES: [PostRole; 2] = [PostRole::ParkChief, PostRole::ParkStaff];

/// The zone's settings of the closed loop (configuration `[appeals]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppealRules {
    /// Working days after closing in which the enterprise may re-open its appeal (1 to 60; default 5).
    pub reopen_days: u32,
}

impl Default for AppealRules {
    fn default() -> Self {
        AppealRules {
            reopen_days: REOPEN_DAYS,
        }
    }
}

impl AppealRules {
    /// Refuses a window of no days (nothing could ever be re-opened) or of more than a quarter's working days.
    pub fn check(self) -> Result<AppealRules, Invalid> {
        if (1..=60).contains(&self.reopen_days) {
            Ok(self)
        } else {
            Err(Invalid::field(
                "appeals.reopen_days",
                format!("must be 1 to 60 working days, not {}", self.reopen_days),
            ))
        }
    }

    /// The last day on which the enterprise may re-open an appeal closed on `closed_on`.
    pub fn reopen_until(
        self,
        calendar: &WorkCalendar,
        closed_on: NaiveDate,
    ) -> Result<NaiveDate, Invalid> {
        Ok(due_after(calendar, "closed_at", closed_on, self.reopen_days)?.date)
    }
}

wire_enum! {
    /// What an appeal is about; the category sets the reply limit and, through the rules, who answers it.
    AppealCategory {
        /// 政策咨询与兑现
        Policy = "policy",
        /// 审批办证
        Permits = "permits",
        /// 用地规划
        Land = "land",
        /// 水电气讯
        Utilities = "utilities",
        /// 融资
        Finance = "finance",
        /// 人才用工
        Talent = "talent",
        /// 产业链配套（上下游对接）
        SupplyChain = "supply_chain",
        /// 物流通关
        Logistics = "logistics",
        /// 园区设施与物业
        Facilities = "facilities",
        /// 其他
        Other = "other",
    }
}

impl AppealCategory {
    /// Working days to reply, for normal urgency (DOMAIN.md §2.4: reply within 2, resolve within 10).
    pub fn reply_limit_days(self) -> u32 {
        match self {
            AppealCategory::Policy | AppealCategory::Utilities => 2,
            AppealCategory::Permits
            | AppealCategory::Talent
            | AppealCategory::Logistics
            | AppealCategory::Facilities => 5,
            AppealCategory::Land
            | AppealCategory::Finance
            | AppealCategory::SupplyChain
            | AppealCategory::Other => 10,
        }
    }

    /// Who answers when no rule names anyone: problems of a chain go to its task force, the rest to the park chief.
    pub fn default_target(self) -> RouteTarget {
        match self {
            AppealCategory::Policy
            | AppealCategory::Finance
            | AppealCategory::Talent
            | AppealCategory::SupplyChain
            | AppealCategory::Other => RouteTarget::ChainTaskForce,
            AppealCategory::Permits
            | AppealCategory::Land
            | AppealCategory::Utilities
            | AppealCategory::Logistics
            | AppealCategory::Facilities => RouteTarget::ParkChief,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            AppealCategory::Policy => "政策咨询与兑现",
            AppealCategory::Permits => "审批办证",
            AppealCategory::Land => "用地规划",
            AppealCategory::Utilities => "水电气讯",
            AppealCategory::Finance => "融资",
            AppealCategory::Talent => "人才用工",
            AppealCategory::SupplyChain => "产业链配套",
            AppealCategory::Logistics => "物流通关",
            AppealCategory::Facilities => "园区设施",
            AppealCategory::Other => "其他",
        }
    }
}

wire_enum! {
    /// How fast an appeal must be answered; urgent halves the limit (at least one working day).
    Urgency { Normal = "normal", Urgent = "urgent" }
}

wire_enum! {
    /// Where an appeal is in the closed loop.
    AppealStatus {
        /// Filed, waiting to be accepted (待受理).
        Submitted = "submitted",
        /// 已受理
        Accepted = "accepted",
        /// 已交办: a named person handles it.
        Assigned = "assigned",
        /// 处置中
        Handling = "handling",
        /// 已反馈: the enterprise has the answer and may rate it.
        Replied = "replied",
        /// 已办结
        Closed = "closed",
    }
}

impl AppealStatus {
    pub fn name_zh(self) -> &'static str {
        match self {
            AppealStatus::Submitted => "待受理",
            AppealStatus::Accepted => "已受理",
            AppealStatus::Assigned => "已交办",
            AppealStatus::Handling => "处置中",
            AppealStatus::Replied => "已反馈",
            AppealStatus::Closed => "已办结",
        }
    }

    /// Whether the enterprise has had its answer (the reply limit is met).
    pub fn is_answered(self) -> bool {
        matches!(self, AppealStatus::Replied | AppealStatus::Closed)
    }
}

wire_enum! {
    /// A step of the closed loop.
    AppealAction {
        Accept = "accept",
        Assign = "assign",
        Handle = "handle",
        Reply = "reply",
        Close = "close",
        Rate = "rate",
        /// The enterprise re-opens its closed appeal (重新办理), within the configured days after closing.
        Reopen = "reopen",
    }
}

wire_enum! {
    /// Which deadline an open appeal has missed.
    OverdueStep { Accept = "accept", Reply = "reply" }
}

wire_enum! {
    /// Whom a routing rule sends an appeal to.
    RouteTarget {
        /// Whoever serves on the chain's task force (链办/专班) today.
        ChainTaskForce = "chain_task_force",
        /// The chain chief (链长).
        ChainChief = "chain_chief",
        /// The park chief (园长).
        ParkChief = "park_chief",
        /// Park staff.
        ParkStaff = "park_staff",
        /// One named person.
        Person = "person",
    }
}

impl RouteTarget {
    pub fn is_chain_target(self) -> bool {
        matches!(self, RouteTarget::ChainTaskForce | RouteTarget::ChainChief)
    }

    pub fn is_park_target(self) -> bool {
        matches!(self, RouteTarget::ParkChief | RouteTarget::ParkStaff)
    }
}

/// The reply limit in working days for a category, urgency and complexity.
pub fn reply_limit_days(category: AppealCategory, urgency: Urgency, complex: bool) -> u32 {
    if complex {
        return COMPLEX_LIMIT_DAYS;
    }
    let base = category.reply_limit_days();
    match urgency {
        Urgency::Normal => base,
        Urgency::Urgent => (base / 2).max(1),
    }
}

/// The two deadlines of an appeal, each due at the end of the day it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealDeadlines {
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    /// The first year either was counted in on weekdays alone, for want of that year's holiday calendar.
    pub provisional_year: Option<i32>,
}

/// The deadlines of an appeal received on `received_on` whose reply limit of `limit` working days counts from
/// `reply_from` (the day it was received, or re-opened). In a year whose calendar is not loaded the days are
/// counted on weekdays and the deadlines are provisional until it is.
pub fn deadlines(
    calendar: &WorkCalendar,
    received_on: NaiveDate,
    reply_from: NaiveDate,
    limit: u32,
) -> Result<AppealDeadlines, Invalid> {
    let accept = due_after(calendar, "received_at", received_on, ACCEPT_LIMIT_DAYS)?;
    let reply = due_after(calendar, "received_at", reply_from, limit)?;
    Ok(AppealDeadlines {
        accept_due: accept.date,
        reply_due: reply.date,
        provisional_year: [accept.provisional_year, reply.provisional_year]
            .into_iter()
            .flatten()
            .min(),
    })
}

/// Which step is overdue on the day `as_of`: a deadline is met on its due day and missed from the next day on.
pub fn overdue_step(
    status: AppealStatus,
    accept_due: NaiveDate,
    reply_due: NaiveDate,
    as_of: NaiveDate,
) -> Option<OverdueStep> {
    if status.is_answered() {
        None
    } else if as_of > reply_due {
        Some(OverdueStep::Reply)
    } else if status == AppealStatus::Submitted && as_of > accept_due {
        Some(OverdueStep::Accept)
    } else {
        None
    }
}

/// An enterprise appeal as the store keeps it and the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Appeal {
    pub id: Id,
    pub enterprise_id: Id,
    pub enterprise_name: String,
    pub category: AppealCategory,
    pub urgency: Urgency,
    /// Marked complex when accepted: the reply limit becomes 25 working days.
    pub complex: bool,
    pub title: String,
    pub description: String,
    /// The enterprise's chain (from its segments) and park when the appeal was filed.
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
    pub status: AppealStatus,
    pub filed_at: DateTime<Utc>,
    /// The account that filed it (the enterprise's user, or an officer on its behalf).
    pub filed_by: String,
    /// The day it arrived (China date); limits count from the next working day.
    pub received_on: NaiveDate,
    pub limit_days: u32,
    /// Accept by the end of this day.
    pub accept_due: NaiveDate,
    /// Reply by the end of this day (recomputed when the appeal is re-opened).
    pub reply_due: NaiveDate,
    /// The deadlines run into a year whose holiday calendar is not loaded: they were counted on weekdays (Monday
    /// to Friday) and are recounted when that year is loaded.
    pub deadline_provisional: bool,
    /// The year whose calendar is missing, when the deadlines are provisional.
    pub provisional_year: Option<i32>,
    /// The routing rule that chose the handler; `None` when the category's default applied.
    pub rule_id: Option<Id>,
    /// The chain or park it was routed under; its chief is the escalation target.
    pub route_chain_id: Option<Id>,
    pub route_park_id: Option<Id>,
    /// Who it was routed to.
    pub handler: Option<PersonRef>,
    /// Who handles it now.
    pub assignee: Option<PersonRef>,
    pub escalated_to: Option<PersonRef>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The last day on which the enterprise may re-open the closed appeal (set when it is closed).
    pub reopen_until: Option<NaiveDate>,
    /// The answer given to the enterprise.
    pub reply: String,
    /// The enterprise's verdict on the current answer; given once, cleared when the appeal is re-opened.
    pub satisfied: Option<bool>,
    /// 1 (poor) to 5 (very good).
    pub rating: Option<i32>,
    pub reopen_count: i32,
    /// The step overdue on the day the list was asked for (`as_of`, default today).
    pub overdue: Option<OverdueStep>,
    /// Counts the changes: every step adds one. A step may name the version it was decided on; when the case has
    /// changed since, it answers 409 and changes nothing.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// What a user sends to file an appeal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealInput {
    pub enterprise_id: Id,
    pub category: AppealCategory,
    #[serde(default = "normal")]
    pub urgency: Urgency,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// When an officer received it on paper or by phone, for appeals recorded afterwards; default now. Never in
    /// the future. Limits count from the China date of this instant.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

fn normal() -> Urgency {
    Urgency::Normal
}

/// A checked appeal, ready to route and store.
#[derive(Debug, Clone)]
pub struct AppealDraft {
    pub enterprise_id: Id,
    pub category: AppealCategory,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    pub received_at: Option<DateTime<Utc>>,
}

impl AppealInput {
    pub fn parse(self) -> Result<AppealDraft, Invalid> {
        let mut v = Violations::default();
        let title = text(&mut v, "title", &self.title, true, 200);
        let description = text(&mut v, "description", &self.description, false, 5000);
        v.finish(AppealDraft {
            enterprise_id: self.enterprise_id,
            category: self.category,
            urgency: self.urgency,
            title,
            description,
            received_at: self.received_at,
        })
    }
}

pub(crate) fn text(
    v: &mut Violations,
    field: &str,
    value: &str,
    required: bool,
    max_chars: usize,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        v.add(field, "is required");
    } else if value.chars().count() > max_chars {
        v.add(field, format!("is longer than {max_chars} characters"));
    }
    value.to_string()
}

/// One step of the loop as a user sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealStepInput {
    pub action: AppealAction,
    /// The reply (for `reply`), the call-back note (for `close`), a comment otherwise.
    #[serde(default)]
    pub note: String,
    /// For `assign`: the person who will handle it.
    #[serde(default)]
    pub assignee_person_id: Option<Id>,
    /// For `accept`: the case is complex (reply limit 25 working days).
    #[serde(default)]
    pub complex: Option<bool>,
    /// For `rate`: whether the enterprise is satisfied with the answer.
    #[serde(default)]
    pub satisfied: Option<bool>,
    /// For `rate`: 1–5.
    #[serde(default)]
    pub rating: Option<i32>,
    /// When the step happened, for steps recorded afterwards; default now. Never in the future, never before the
    /// appeal's previous step.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// The appeal's `version` the step was decided on: when someone changed the appeal since, the step answers 409
    /// and changes nothing. Without it the step is judged on the appeal as it is.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A checked step.
#[derive(Debug, Clone, PartialEq)]
pub enum AppealStep {
    Accept { complex: bool },
    Assign { person_id: Id },
    Handle,
    Reply { text: String },
    Close { note: String },
    Rate { satisfied: bool, rating: i32 },
    Reopen { reason: String },
}

impl AppealStep {
    pub fn action(&self) -> AppealAction {
        match self {
            AppealStep::Accept { .. } => AppealAction::Accept,
            AppealStep::Assign { .. } => AppealAction::Assign,
            AppealStep::Handle => AppealAction::Handle,
            AppealStep::Reply { .. } => AppealAction::Reply,
            AppealStep::Close { .. } => AppealAction::Close,
            AppealStep::Rate { .. } => AppealAction::Rate,
            AppealStep::Reopen { .. } => AppealAction::Reopen,
        }
    }
}

impl AppealStepInput {
    /// The step and its note.
    pub fn parse(self) -> Result<(AppealStep, String, Option<DateTime<Utc>>), Invalid> {
        let mut v = Violations::default();
        let note = text(&mut v, "note", &self.note, false, 5000);
        let step = match self.action {
            AppealAction::Accept => AppealStep::Accept {
                complex: self.complex.unwrap_or(false),
            },
            AppealAction::Assign => match self.assignee_person_id {
                Some(person_id) => AppealStep::Assign { person_id },
                None => {
                    v.add("assignee_person_id", "is required to assign");
                    AppealStep::Handle
                }
            },
            AppealAction::Handle => AppealStep::Handle,
            AppealAction::Reply => {
                if note.is_empty() {
                    v.add("note", "the reply to the enterprise is required");
                }
                AppealStep::Reply { text: note.clone() }
            }
            AppealAction::Close => {
                if note.is_empty() {
                    v.add("note", "say what the call-back (回访) found");
                }
                AppealStep::Close { note: note.clone() }
            }
            AppealAction::Rate => {
                let rating =
                    self.rating
                        .unwrap_or(if self.satisfied == Some(false) { 2 } else { 5 });
                if !(1..=5).contains(&rating) {
                    v.add("rating", "must be 1 to 5");
                }
                match self.satisfied {
                    Some(satisfied) => AppealStep::Rate { satisfied, rating },
                    None => {
                        v.add("satisfied", "is required to rate");
                        AppealStep::Handle
                    }
                }
            }
            AppealAction::Reopen => {
                if note.is_empty() {
                    v.add("note", "say what is still not solved");
                }
                AppealStep::Reopen {
                    reason: note.clone(),
                }
            }
        };
        v.finish((step, note, self.at))
    }
}

impl AppealAction {
    /// Whether the closed loop allows this step from `status`: accept a submitted case; assign it while it is
    /// accepted, assigned or in hand; start handling it once accepted or assigned; reply while handling it; close
    /// it once replied; rate it once replied or closed; re-open it once closed. (Rating once and re-opening in
    /// time are judged on the appeal itself: [`open_to`].)
    pub fn follows(self, status: AppealStatus) -> bool {
        use AppealAction as A;
        use AppealStatus as S;
        matches!(
            (status, self),
            (S::Submitted, A::Accept)
                | (S::Accepted | S::Assigned | S::Handling, A::Assign)
                | (S::Accepted | S::Assigned, A::Handle)
                | (S::Handling, A::Reply)
                | (S::Replied, A::Close)
                | (S::Replied | S::Closed, A::Rate)
                | (S::Closed, A::Reopen)
        )
    }
}

/// The status a step leads to, or why it may not be taken from `status`. A satisfied rating of a replied case
/// closes it; any other rating leaves the status as it is (an unsatisfied enterprise is called back before the case
/// is closed, and may re-open it afterwards). Re-opening puts the case back in hand.
pub fn next_status(status: AppealStatus, step: &AppealStep) -> Result<AppealStatus, Invalid> {
    use AppealStatus::*;
    let next = step.action().follows(status).then_some(match step {
        AppealStep::Accept { .. } => Accepted,
        AppealStep::Assign { .. } => Assigned,
        AppealStep::Handle => Handling,
        AppealStep::Reply { .. } => Replied,
        AppealStep::Close { .. } => Closed,
        AppealStep::Rate { satisfied, .. } => {
            if *satisfied && status == Replied {
                Closed
            } else {
                status
            }
        }
        AppealStep::Reopen { .. } => Handling,
    });
    next.ok_or_else(|| {
        let hint = match (status, step.action()) {
            (_, AppealAction::Close) => {
                "; an appeal is closed only after the enterprise has a reply"
            }
            (_, AppealAction::Reply) => "; start handling it first",
            (_, AppealAction::Rate) => "; only a replied or closed appeal can be rated",
            (_, AppealAction::Reopen) => "; only a closed appeal can be re-opened",
            (Submitted, _) => "; accept it first",
            _ => "",
        };
        Invalid::field(
            "action",
            format!(
                "an appeal that is {status} cannot be given '{}'{hint}",
                step.action()
            ),
        )
    })
}

/// Whether the appeal itself is still open to `action` on the day `today`, beyond what its status allows: the
/// enterprise rates each answer once (a rated appeal is rated again only after it is re-opened and answered anew),
/// and re-opens a closed appeal only until its `reopen_until` day.
pub fn open_to(appeal: &Appeal, action: AppealAction, today: NaiveDate) -> Result<(), Invalid> {
    match action {
        AppealAction::Rate if appeal.rating.is_some() => Err(Invalid::field(
            "action",
            format!(
                "appeal {} has been rated already; the enterprise rates each answer once",
                appeal.id
            ),
        )),
        AppealAction::Reopen => match appeal.reopen_until {
            Some(until) if today <= until => Ok(()),
            Some(until) => Err(Invalid::field(
                "action",
                format!(
                    "appeal {} could be re-opened until {until}; file a new appeal instead",
                    appeal.id
                ),
            )),
            None => Err(Invalid::field(
                "action",
                format!("appeal {} is not closed", appeal.id),
            )),
        },
        _ => Ok(()),
    }
}

/// Whether the policy lets the account take `action` on the appeal, whatever its status. Rating and re-opening
/// are the enterprise's: its own user's, or the admin's on its behalf. Every other step is the admin's, the chief's (链长 or
/// 园长) of the chain or park the case was routed under (else of the enterprise's chain or park), the person
/// handling it (its assignee, else the person it was routed to) and the chief it was escalated to.
pub fn may_step(scope: &Scope, appeal: &Appeal, action: AppealAction) -> Result<(), Denied> {
    let allowed = match action {
        AppealAction::Rate | AppealAction::Reopen => {
            scope.is_admin() || scope.has_enterprise(appeal.enterprise_id)
        }
        _ => {
            let handling = appeal.assignee.as_ref().or(appeal.handler.as_ref());
            let is = |person: Option<&PersonRef>| {
                scope.person.is_some() && person.map(|p| p.id) == scope.person
            };
            scope.is_admin()
                || scope.is_chief_of(
                    appeal.route_chain_id.or(appeal.chain_id),
                    appeal.route_park_id.or(appeal.park_id),
                )
                || is(handling)
                || is(appeal.escalated_to.as_ref())
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied(format!(
            "only the assignee or a chief may '{action}' appeal {}",
            appeal.id
        )))
    }
}

/// The steps the account may take on the appeal on the day `today`: those the loop allows from its status
/// ([`AppealAction::follows`]) and on the appeal itself ([`open_to`]), and the policy allows the account
/// ([`may_step`]). They come in the order a page offers them: the step that moves the case on first, re-assigning
/// a case that somebody already handles last.
pub fn permitted_steps(scope: &Scope, appeal: &Appeal, today: NaiveDate) -> Vec<AppealAction> {
    let mut steps: Vec<AppealAction> = AppealAction::ALL
        .iter()
        .copied()
        .filter(|a| {
            a.follows(appeal.status)
                && open_to(appeal, *a, today).is_ok()
                && may_step(scope, appeal, *a).is_ok()
        })
        .collect();
    if appeal.assignee.is_some() {
        steps.sort_by_key(|a| *a == AppealAction::Assign);
    }
    steps
}

/// A routing rule (an admin keeps them): appeals of this category, from this chain and/or park (none = any),
/// go to this target.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealRule {
    pub id: Id,
    pub category: AppealCategory,
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
    pub target: RouteTarget,
    pub person_id: Option<Id>,
    pub note: String,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRuleInput {
    pub category: AppealCategory,
    #[serde(default)]
    pub chain_id: Option<Id>,
    #[serde(default)]
    pub park_id: Option<Id>,
    pub target: RouteTarget,
    /// Required when the target is `person`, refused otherwise.
    #[serde(default)]
    pub person_id: Option<Id>,
    #[serde(default)]
    pub note: String,
}

/// A checked rule; the store still checks that it reaches somebody.
pub type AppealRuleDraft = AppealRuleInput;

impl AppealRuleInput {
    pub fn parse(self) -> Result<AppealRuleDraft, Invalid> {
        let mut v = Violations::default();
        let note = text(&mut v, "note", &self.note, false, 500);
        match (self.target, self.person_id) {
            (RouteTarget::Person, None) => {
                v.add("person_id", "a rule to a person names the person")
            }
            (RouteTarget::Person, Some(_)) | (_, None) => {}
            (_, Some(_)) => v.add("person_id", "only a rule to a person names one"),
        }
        v.finish(AppealRuleInput { note, ..self })
    }
}

impl AppealRule {
    pub fn to_input(&self) -> AppealRuleInput {
        AppealRuleInput {
            category: self.category,
            chain_id: self.chain_id,
            park_id: self.park_id,
            target: self.target,
            person_id: self.person_id,
            note: self.note.clone(),
        }
    }

    fn matches(&self, facts: &RoutingFacts) -> bool {
        !self.archived
            && self.category == facts.category
            && self.chain_id.is_none_or(|c| facts.chains.contains(&c))
            && self.park_id.is_none_or(|p| facts.park == Some(p))
    }

    /// More specific rules win: chain and park over one of them over neither.
    fn specificity(&self) -> usize {
        usize::from(self.chain_id.is_some()) + usize::from(self.park_id.is_some())
    }
}

/// What routing knows of an appeal: its category and its enterprise's chains and park.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingFacts {
    pub category: AppealCategory,
    pub chains: Vec<Id>,
    pub park: Option<Id>,
}

/// Where an appeal goes: the target and the chain or park whose post-holder it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub rule_id: Option<Id>,
    pub target: RouteTarget,
    pub person_id: Option<Id>,
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
}

/// Chooses the most specific matching rule (ties: the oldest), else the category's default target.
pub fn route(rules: &[AppealRule], facts: &RoutingFacts) -> Route {
    let rule = rules
        .iter()
        .filter(|r| r.matches(facts))
        .max_by(|a, b| a.specificity().cmp(&b.specificity()).then(b.id.cmp(&a.id)));
    let (rule_id, target, person_id, chain, park) = match rule {
        Some(r) => (Some(r.id), r.target, r.person_id, r.chain_id, r.park_id),
        None => (None, facts.category.default_target(), None, None, None),
    };
    Route {
        rule_id,
        target,
        person_id,
        chain_id: chain.or_else(|| facts.chains.first().copied()),
        park_id: park.or(facts.park),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    fn rule(
        id: Id,
        category: AppealCategory,
        chain: Option<Id>,
        park: Option<Id>,
        target: RouteTarget,
    ) -> AppealRule {
        AppealRule {
            id,
            category,
            chain_id: chain,
            park_id: park,
            target,
            person_id: None,
            note: String::new(),
            archived: false,
            updated_at: chrono::DateTime::from_timestamp(1_781_000_000, 0).expect("an instant"),
        }
    }

    #[test]
    fn appeal_filed_before_national_day_2021_is_due_on_the_make_up_saturday() {
        let calendar = WorkCalendar::embedded();
        let due = deadlines(&calendar, d("2021-09-30"), d("2021-09-30"), 2).expect("due");
        let (accept, reply) = (due.accept_due, due.reply_due);
        assert_eq!(accept, d("2021-10-08"));
        assert_eq!(reply, d("2021-10-09"));
        assert_eq!(due.provisional_year, None);
        let status = AppealStatus::Handling;
        assert_eq!(overdue_step(status, accept, reply, d("2021-10-09")), None);
        assert_eq!(
            overdue_step(status, accept, reply, d("2021-10-10")),
            Some(OverdueStep::Reply)
        );
    }

    #[test]
    fn unaccepted_appeal_is_overdue_for_acceptance_first() {
        let (accept, reply) = (d("2021-10-08"), d("2021-10-15"));
        assert_eq!(
            overdue_step(AppealStatus::Submitted, accept, reply, d("2021-10-09")),
            Some(OverdueStep::Accept)
        );
        assert_eq!(
            overdue_step(AppealStatus::Accepted, accept, reply, d("2021-10-09")),
            None
        );
        assert_eq!(
            overdue_step(AppealStatus::Replied, accept, reply, d("2021-12-01")),
            None
        );
    }

    #[test]
    fn deadline_in_a_year_without_a_calendar_is_counted_on_weekdays_and_provisional() {
        // Received Wednesday 2026-12-30: accept by Thursday 12-31 (2026 is loaded), reply within 5 working days
        // counted Mon–Fri into 2027: Fri 01-01, Mon 01-04 ... Wed 01-06.
        let due = deadlines(
            &WorkCalendar::embedded(),
            d("2026-12-30"),
            d("2026-12-30"),
            5,
        )
        .expect("counted");
        assert_eq!(
            due,
            AppealDeadlines {
                accept_due: d("2026-12-31"),
                reply_due: d("2027-01-06"),
                provisional_year: Some(2027)
            }
        );
    }

    #[test]
    fn a_reopened_appeal_counts_its_new_reply_limit_from_the_day_it_was_reopened() {
        let due = deadlines(
            &WorkCalendar::embedded(),
            d("2021-09-30"),
            d("2021-10-11"),
            2,
        )
        .expect("due");
        assert_eq!(due.accept_due, d("2021-10-08"));
        assert_eq!(due.reply_due, d("2021-10-13"));
    }

    #[test]
    fn urgent_halves_the_limit_and_complex_makes_it_25() {
        assert_eq!(
            reply_limit_days(AppealCategory::Land, Urgency::Normal, false),
            10
        );
        assert_eq!(
            reply_limit_days(AppealCategory::Land, Urgency::Urgent, false),
            5
        );
        assert_eq!(
            reply_limit_days(AppealCategory::Policy, Urgency::Urgent, false),
            1
        );
        assert_eq!(
            reply_limit_days(AppealCategory::Policy, Urgency::Normal, true),
            25
        );
    }

    #[test]
    fn no_skipping_from_accepted_to_closed_without_a_reply() {
        let close = AppealStep::Close { note: "ok".into() };
        let error = next_status(AppealStatus::Accepted, &close).unwrap_err();
        assert_eq!(error.0[0].field, "action");
        assert!(error.0[0].message.contains("reply"));
        assert_eq!(
            next_status(AppealStatus::Replied, &close),
            Ok(AppealStatus::Closed)
        );
    }

    #[test]
    fn the_closed_loop_runs_in_order() {
        use AppealStatus::*;
        let steps = [
            (Submitted, AppealStep::Accept { complex: false }, Accepted),
            (Accepted, AppealStep::Assign { person_id: 1 }, Assigned),
            (Assigned, AppealStep::Handle, Handling),
            (
                Handling,
                AppealStep::Reply {
                    text: "done".into(),
                },
                Replied,
            ),
            (
                Replied,
                AppealStep::Rate {
                    satisfied: true,
                    rating: 5,
                },
                Closed,
            ),
        ];
        for (from, step, to) in steps {
            assert_eq!(next_status(from, &step), Ok(to), "{from} {step:?}");
        }
        assert!(next_status(Submitted, &AppealStep::Handle).is_err());
    }

    #[test]
    fn an_unsatisfied_rating_leaves_the_status_and_only_reopening_puts_the_case_back_in_hand() {
        let rate = AppealStep::Rate {
            satisfied: false,
            rating: 2,
        };
        assert_eq!(
            next_status(AppealStatus::Replied, &rate),
            Ok(AppealStatus::Replied)
        );
        assert_eq!(
            next_status(AppealStatus::Closed, &rate),
            Ok(AppealStatus::Closed)
        );
        let reopen = AppealStep::Reopen {
            reason: "still no power".into(),
        };
        assert_eq!(
            allowed(&reopen),
            [(AppealStatus::Closed, AppealStatus::Handling)]
        );
    }

    #[test]
    fn the_enterprise_rates_each_answer_once() {
        let own = account(Role::Enterprise, 30, &[], &[], &[100]);
        let today = d("2026-06-15");
        let rated = Appeal {
            rating: Some(4),
            satisfied: Some(true),
            ..case(AppealStatus::Closed)
        };
        let error = open_to(&rated, AppealAction::Rate, today).unwrap_err();
        assert!(error.0[0].message.contains("rated already"), "{error}");
        assert!(!permitted_steps(&own, &rated, today).contains(&AppealAction::Rate));
        assert!(open_to(&case(AppealStatus::Replied), AppealAction::Rate, today).is_ok());
    }

    #[test]
    fn a_closed_appeal_is_reopened_only_by_its_enterprise_until_the_window_ends() {
        let own = account(Role::Enterprise, 30, &[], &[], &[100]);
        let chief = account(Role::ChainChief, 40, &[1], &[], &[]);
        let closed = Appeal {
            reopen_until: Some(d("2026-06-22")),
            ..case(AppealStatus::Closed)
        };
        assert!(permitted_steps(&own, &closed, d("2026-06-22")).contains(&AppealAction::Reopen));
        assert!(!permitted_steps(&own, &closed, d("2026-06-23")).contains(&AppealAction::Reopen));
        let late = open_to(&closed, AppealAction::Reopen, d("2026-06-23")).unwrap_err();
        assert!(late.0[0].message.contains("2026-06-22"), "{late}");
        assert!(may_step(&chief, &closed, AppealAction::Reopen).is_err());
        assert!(!permitted_steps(&chief, &closed, d("2026-06-22")).contains(&AppealAction::Reopen));
    }

    #[test]
    fn the_reopen_window_counts_working_days_from_the_day_of_closing() {
        // Closed Thursday 2021-09-30: the five working days skip National Day (10-01..10-07) and count the make-up
        // Saturday: 10-08, 10-09, 10-11, 10-12, 10-13.
        let rules = AppealRules::default();
        assert_eq!(rules.reopen_days, 5);
        assert_eq!(
            rules.reopen_until(&WorkCalendar::embedded(), d("2021-09-30")),
            Ok(d("2021-10-13"))
        );
        assert!(AppealRules { reopen_days: 0 }.check().is_err());
        assert!(AppealRules { reopen_days: 61 }.check().is_err());
    }

    #[test]
    fn the_step_that_moves_the_case_on_comes_before_reassigning() {
        let chief = account(Role::ChainChief, 40, &[1], &[], &[]);
        let today = d("2026-06-15");
        assert_eq!(
            permitted_steps(&chief, &case(AppealStatus::Assigned), today),
            [AppealAction::Handle, AppealAction::Assign]
        );
        let unassigned = Appeal {
            assignee: None,
            ..case(AppealStatus::Accepted)
        };
        assert_eq!(
            permitted_steps(&chief, &unassigned, today),
            [AppealAction::Assign, AppealAction::Handle]
        );
    }

    #[test]
    fn most_specific_rule_wins_and_the_default_applies_otherwise() {
        let rules = vec![
            rule(1, AppealCategory::Land, None, None, RouteTarget::ChainChief),
            rule(
                2,
                AppealCategory::Land,
                None,
                Some(7),
                RouteTarget::ParkStaff,
            ),
            rule(
                3,
                AppealCategory::Land,
                Some(3),
                Some(7),
                RouteTarget::ChainTaskForce,
            ),
        ];
        let facts = RoutingFacts {
            category: AppealCategory::Land,
            chains: vec![4],
            park: Some(7),
        };
        let r = route(&rules, &facts);
        assert_eq!(
            (r.rule_id, r.target, r.park_id),
            (Some(2), RouteTarget::ParkStaff, Some(7))
        );
        let facts = RoutingFacts {
            category: AppealCategory::Land,
            chains: vec![3],
            park: Some(7),
        };
        assert_eq!(route(&rules, &facts).rule_id, Some(3));
        let facts = RoutingFacts {
            category: AppealCategory::SupplyChain,
            chains: vec![3],
            park: Some(7),
        };
        let r = route(&rules, &facts);
        assert_eq!(
            (r.rule_id, r.target, r.chain_id),
            (None, RouteTarget::ChainTaskForce, Some(3))
        );
    }

    #[test]
    fn a_rule_to_a_person_must_name_one() {
        let input = AppealRuleInput {
            category: AppealCategory::Land,
            chain_id: None,
            park_id: None,
            target: RouteTarget::Person,
            person_id: None,
            note: String::new(),
        };
        assert_eq!(input.parse().unwrap_err().0[0].field, "person_id");
    }

    /// An appeal of enterprise 100 (chain 1, park 10), routed under chain 1 to person 21, assigned to person 22,
    /// escalated to person 23, in `status`.
    fn case(status: AppealStatus) -> Appeal {
        let person = |id: Id| {
            Some(PersonRef {
                id,
                name: String::new(),
            })
        };
        let day = d("2026-06-15");
        Appeal {
            id: 5,
            enterprise_id: 100,
            enterprise_name: String::new(),
            category: AppealCategory::Policy,
            urgency: Urgency::Normal,
            complex: false,
            title: String::new(),
            description: String::new(),
            chain_id: Some(1),
            park_id: Some(10),
            status,
            filed_at: chrono::DateTime::from_timestamp(1_781_000_000, 0).expect("an instant"),
            filed_by: String::new(),
            received_on: day,
            limit_days: 5,
            accept_due: day,
            reply_due: day,
            deadline_provisional: false,
            provisional_year: None,
            rule_id: None,
            route_chain_id: Some(1),
            route_park_id: None,
            handler: person(21),
            assignee: person(22),
            escalated_to: person(23),
            escalated_at: None,
            accepted_at: None,
            replied_at: None,
            closed_at: None,
            reopen_until: None,
            reply: String::new(),
            satisfied: None,
            rating: None,
            reopen_count: 0,
            overdue: None,
            version: 1,
            updated_at: chrono::DateTime::from_timestamp(1_781_000_000, 0).expect("an instant"),
        }
    }

    fn account(role: Role, person: Id, chains: &[Id], parks: &[Id], enterprises: &[Id]) -> Scope {
        Scope {
            chains: chains.to_vec(),
            parks: parks.to_vec(),
            enterprises: enterprises.to_vec(),
            person: Some(person),
            ..Scope::zone(role)
        }
    }

    fn steps_of(scope: &Scope, appeal: &Appeal) -> Vec<AppealAction> {
        AppealAction::ALL
            .iter()
            .copied()
            .filter(|a| may_step(scope, appeal, *a).is_ok())
            .collect()
    }

    const OFFICERS_STEPS: [AppealAction; 5] = [
        AppealAction::Accept,
        AppealAction::Assign,
        AppealAction::Handle,
        AppealAction::Reply,
        AppealAction::Close,
    ];

    #[test]
    fn each_step_follows_only_the_statuses_the_loop_allows() {
        use AppealAction as A;
        use AppealStatus as S;
        let allowed: Vec<(S, A)> = S::ALL
            .iter()
            .flat_map(|s| A::ALL.iter().map(move |a| (*s, *a)))
            .filter(|(s, a)| a.follows(*s))
            .collect();
        assert_eq!(
            allowed,
            [
                (S::Submitted, A::Accept),
                (S::Accepted, A::Assign),
                (S::Accepted, A::Handle),
                (S::Assigned, A::Assign),
                (S::Assigned, A::Handle),
                (S::Handling, A::Assign),
                (S::Handling, A::Reply),
                (S::Replied, A::Close),
                (S::Replied, A::Rate),
                (S::Closed, A::Rate),
                (S::Closed, A::Reopen),
            ]
        );
    }

    #[test]
    fn an_enterprise_user_rates_and_reopens_its_own_appeal_and_takes_no_other_step() {
        let own = account(Role::Enterprise, 30, &[], &[], &[100]);
        assert_eq!(
            steps_of(&own, &case(AppealStatus::Replied)),
            [AppealAction::Rate, AppealAction::Reopen]
        );
        let other = account(Role::Enterprise, 31, &[], &[], &[200]);
        assert!(steps_of(&other, &case(AppealStatus::Replied)).is_empty());
    }

    #[test]
    fn the_admin_takes_every_step() {
        let admin = Scope::zone(Role::Admin);
        assert_eq!(
            steps_of(&admin, &case(AppealStatus::Replied)),
            AppealAction::ALL
        );
    }

    #[test]
    fn the_chief_of_the_chain_or_park_the_case_was_routed_under_takes_the_officers_steps() {
        let chain_chief = account(Role::ChainChief, 40, &[1], &[], &[]);
        assert_eq!(
            steps_of(&chain_chief, &case(AppealStatus::Submitted)),
            OFFICERS_STEPS
        );
        let other_chain = account(Role::ChainChief, 41, &[2], &[], &[]);
        assert!(steps_of(&other_chain, &case(AppealStatus::Submitted)).is_empty());
        let park_routed = Appeal {
            route_chain_id: None,
            route_park_id: Some(10),
            ..case(AppealStatus::Submitted)
        };
        let park_chief = account(Role::ParkChief, 42, &[], &[10], &[]);
        assert_eq!(steps_of(&park_chief, &park_routed), OFFICERS_STEPS);
        let other_park = account(Role::ParkChief, 43, &[], &[20], &[]);
        assert!(steps_of(&other_park, &park_routed).is_empty());
    }

    #[test]
    fn a_case_not_routed_under_a_chain_or_park_is_the_chief_of_the_enterprises() {
        let unrouted = Appeal {
            route_chain_id: None,
            route_park_id: None,
            ..case(AppealStatus::Submitted)
        };
        let park_chief = account(Role::ParkChief, 42, &[], &[10], &[]);
        assert_eq!(steps_of(&park_chief, &unrouted), OFFICERS_STEPS);
        let routed_elsewhere = Appeal {
            route_chain_id: Some(2),
            ..unrouted.clone()
        };
        let chain_chief = account(Role::ChainChief, 40, &[1], &[], &[]);
        assert!(steps_of(&chain_chief, &routed_elsewhere).is_empty());
    }

    #[test]
    fn the_person_handling_the_case_takes_the_officers_steps() {
        let assignee = account(Role::ParkStaff, 22, &[], &[20], &[]);
        assert_eq!(
            steps_of(&assignee, &case(AppealStatus::Handling)),
            OFFICERS_STEPS
        );
        let handler = account(Role::ChainTaskForce, 21, &[2], &[], &[]);
        assert!(
            steps_of(&handler, &case(AppealStatus::Handling)).is_empty(),
            "the handler hands over to the assignee"
        );
        let unassigned = Appeal {
            assignee: None,
            ..case(AppealStatus::Submitted)
        };
        assert_eq!(steps_of(&handler, &unassigned), OFFICERS_STEPS);
    }

    #[test]
    fn the_chief_the_case_was_escalated_to_takes_the_officers_steps() {
        let escalated = account(Role::ChainChief, 23, &[], &[], &[]);
        assert_eq!(
            steps_of(&escalated, &case(AppealStatus::Handling)),
            OFFICERS_STEPS
        );
    }

    #[test]
    fn readers_of_everything_task_force_and_owners_outside_the_case_take_no_step() {
        for scope in [
            account(Role::Leader, 50, &[], &[], &[]),
            account(Role::Analyst, 51, &[], &[], &[]),
            account(Role::ChainTaskForce, 52, &[1], &[], &[]),
            account(Role::ChainOwner, 53, &[1], &[], &[]),
            account(Role::ParkStaff, 54, &[], &[10], &[]),
        ] {
            assert!(
                steps_of(&scope, &case(AppealStatus::Handling)).is_empty(),
                "{scope:?}"
            );
        }
    }

    #[test]
    fn an_account_without_a_person_is_no_cases_handler() {
        let unassigned = Appeal {
            assignee: None,
            handler: None,
            escalated_to: None,
            ..case(AppealStatus::Submitted)
        };
        let without = Scope {
            person: None,
            ..account(Role::ParkStaff, 0, &[], &[10], &[])
        };
        assert!(steps_of(&without, &unassigned).is_empty());
    }

    #[test]
    fn the_steps_offered_are_those_the_status_allows_and_the_policy_grants() {
        let chief = account(Role::ChainChief, 40, &[1], &[], &[]);
        let today = d("2026-06-15");
        assert_eq!(
            permitted_steps(&chief, &case(AppealStatus::Handling), today),
            [AppealAction::Reply, AppealAction::Assign]
        );
        assert_eq!(
            permitted_steps(&chief, &case(AppealStatus::Replied), today),
            [AppealAction::Close],
            "the rating is the enterprise's"
        );
        let own = account(Role::Enterprise, 30, &[], &[], &[100]);
        assert!(permitted_steps(&own, &case(AppealStatus::Handling), today).is_empty());
        assert_eq!(
            permitted_steps(&own, &case(AppealStatus::Closed), today),
            [AppealAction::Rate]
        );
    }

    /// The statuses from which `step` may be taken, with the status each leads to.
    fn allowed(step: &AppealStep) -> Vec<(AppealStatus, AppealStatus)> {
        AppealStatus::ALL
            .iter()
            .filter_map(|&from| next_status(from, step).ok().map(|to| (from, to)))
            .collect()
    }

    #[test]
    fn only_a_submitted_appeal_is_accepted() {
        use AppealStatus::*;
        assert_eq!(
            allowed(&AppealStep::Accept { complex: true }),
            [(Submitted, Accepted)]
        );
    }

    #[test]
    fn an_accepted_appeal_is_assigned_and_reassigned_until_it_is_replied_to() {
        use AppealStatus::*;
        assert_eq!(
            allowed(&AppealStep::Assign { person_id: 7 }),
            [
                (Accepted, Assigned),
                (Assigned, Assigned),
                (Handling, Assigned)
            ]
        );
    }

    #[test]
    fn handling_starts_from_accepted_or_assigned() {
        use AppealStatus::*;
        assert_eq!(
            allowed(&AppealStep::Handle),
            [(Accepted, Handling), (Assigned, Handling)]
        );
    }

    #[test]
    fn only_an_appeal_being_handled_is_replied_to() {
        use AppealStatus::*;
        let reply = AppealStep::Reply {
            text: "done".into(),
        };
        assert_eq!(allowed(&reply), [(Handling, Replied)]);
        let error = next_status(Assigned, &reply).unwrap_err();
        assert!(error.0[0].message.contains("start handling"), "{error}");
    }

    #[test]
    fn only_a_replied_appeal_is_closed() {
        use AppealStatus::*;
        let close = AppealStep::Close { note: "ok".into() };
        assert_eq!(allowed(&close), [(Replied, Closed)]);
    }

    #[test]
    fn a_satisfied_rating_of_a_replied_or_closed_appeal_closes_it() {
        use AppealStatus::*;
        let rate = AppealStep::Rate {
            satisfied: true,
            rating: 4,
        };
        assert_eq!(allowed(&rate), [(Replied, Closed), (Closed, Closed)]);
        let error = next_status(Handling, &rate).unwrap_err();
        assert!(error.0[0].message.contains("only a replied"), "{error}");
    }

    #[test]
    fn a_step_before_acceptance_says_to_accept_first() {
        let error = next_status(AppealStatus::Submitted, &AppealStep::Handle).unwrap_err();
        assert_eq!(error.0[0].field, "action");
        assert!(error.0[0].message.contains("accept it first"), "{error}");
    }

    fn step_input(action: AppealAction) -> AppealStepInput {
        AppealStepInput {
            action,
            note: String::new(),
            assignee_person_id: None,
            complex: None,
            satisfied: None,
            rating: None,
            at: None,
            version: None,
        }
    }

    fn refused_fields(input: AppealStepInput) -> Vec<String> {
        input
            .parse()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn assigning_names_the_assignee() {
        assert_eq!(
            refused_fields(step_input(AppealAction::Assign)),
            ["assignee_person_id"]
        );
    }

    #[test]
    fn a_reply_and_a_close_need_their_text() {
        assert_eq!(refused_fields(step_input(AppealAction::Reply)), ["note"]);
        assert_eq!(refused_fields(step_input(AppealAction::Close)), ["note"]);
    }

    #[test]
    fn a_rating_says_whether_the_enterprise_is_satisfied_and_is_1_to_5() {
        assert_eq!(
            refused_fields(step_input(AppealAction::Rate)),
            ["satisfied"]
        );
        let six = AppealStepInput {
            satisfied: Some(true),
            rating: Some(6),
            ..step_input(AppealAction::Rate)
        };
        assert_eq!(refused_fields(six), ["rating"]);
        let unsatisfied = AppealStepInput {
            satisfied: Some(false),
            ..step_input(AppealAction::Rate)
        };
        let (step, _, _) = unsatisfied.parse().expect("valid");
        assert_eq!(
            step,
            AppealStep::Rate {
                satisfied: false,
                rating: 2
            }
        );
    }
}
