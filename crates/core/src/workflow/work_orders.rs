//! Park operation and maintenance work orders (工单): a facility, a type, an urgency, a time limit in hours or
//! working days, an assignee from the park's staff, and escalation to the park chief when the limit passes.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Denied, Scope};
use crate::calendar::WorkCalendar;
use crate::error::{Invalid, Violations};
use crate::registry::{Id, PersonRef};
use crate::time::china_date;
use crate::workflow::appeals::text;
use crate::workflow::{due_after, wire_enum};

wire_enum! {
    /// What kind of work.
    WorkOrderKind {
        /// 设施维修
        Repair = "repair",
        /// 安全巡检
        SafetyInspection = "safety_inspection",
        /// 环境卫生
        Environment = "environment",
        /// 安保
        Security = "security",
        /// 水电气保障
        Utilities = "utilities",
        Other = "other",
    }
}

wire_enum! {
    /// How fast.
    WorkOrderUrgency {
        /// 一般
        Routine = "routine",
        /// 紧急
        Urgent = "urgent",
        /// 特急: a hazard or an outage.
        Emergency = "emergency",
    }
}

impl WorkOrderKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            WorkOrderKind::Repair => "设施维修",
            WorkOrderKind::SafetyInspection => "安全巡检",
            WorkOrderKind::Environment => "环境卫生",
            WorkOrderKind::Security => "安保",
            WorkOrderKind::Utilities => "水电气保障",
            WorkOrderKind::Other => "其他",
        }
    }
}

impl WorkOrderUrgency {
    pub fn name_zh(self) -> &'static str {
        match self {
            WorkOrderUrgency::Routine => "一般",
            WorkOrderUrgency::Urgent => "紧急",
            WorkOrderUrgency::Emergency => "特急",
        }
    }
}

wire_enum! {
    WorkOrderStatus {
        Open = "open",
        Assigned = "assigned",
        InProgress = "in_progress",
        Done = "done",
        Closed = "closed",
    }
}

wire_enum! {
    WorkOrderAction {
        Assign = "assign",
        Start = "start",
        Finish = "finish",
        /// The park chief or staff checks the work and closes the order.
        Close = "close",
        /// Checked and not good enough: back to the assignee.
        Reject = "reject",
    }
}

/// A time limit: hours from creation, or working days counted like appeal limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    Hours(u32),
    WorkingDays(u32),
}

impl WorkOrderKind {
    /// The limit by type and urgency: emergencies in 4 hours, urgent work in 24 hours, routine work in working
    /// days (inspections 5, the rest 3).
    pub fn limit(self, urgency: WorkOrderUrgency) -> TimeLimit {
        match urgency {
            WorkOrderUrgency::Emergency => TimeLimit::Hours(4),
            WorkOrderUrgency::Urgent => TimeLimit::Hours(24),
            WorkOrderUrgency::Routine => match self {
                WorkOrderKind::SafetyInspection => TimeLimit::WorkingDays(5),
                _ => TimeLimit::WorkingDays(3),
            },
        }
    }
}

impl TimeLimit {
    /// The limit in working days, when it is counted in them.
    pub fn working_days(self) -> Option<u32> {
        match self {
            TimeLimit::Hours(_) => None,
            TimeLimit::WorkingDays(n) => Some(n),
        }
    }
}

/// When a work order is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkOrderDue {
    pub due_at: DateTime<Utc>,
    /// The first year its working days were counted in on weekdays alone, for want of that year's calendar.
    pub provisional_year: Option<i32>,
}

/// The instant a work order created at `created_at` is due: hours later, or at the end of the n-th working day
/// (China time) after the day it was created — provisional when that runs into a year whose calendar is not
/// loaded.
pub fn work_order_due(
    calendar: &WorkCalendar,
    created_at: DateTime<Utc>,
    limit: TimeLimit,
) -> Result<WorkOrderDue, Invalid> {
    match limit {
        TimeLimit::Hours(h) => Ok(WorkOrderDue {
            due_at: created_at + Duration::hours(i64::from(h)),
            provisional_year: None,
        }),
        TimeLimit::WorkingDays(n) => {
            let day = due_after(calendar, "created_at", china_date(created_at), n)?;
            Ok(WorkOrderDue {
                due_at: end_of_china_day(day.date),
                provisional_year: day.provisional_year,
            })
        }
    }
}

/// The last instant of a China calendar day (the first instant of the next, exclusive).
pub fn end_of_china_day(day: NaiveDate) -> DateTime<Utc> {
    let next = day
        .succ_opt()
        .unwrap_or(day)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    DateTime::<Utc>::from_naive_utc_and_offset(next - Duration::hours(8), Utc)
        - Duration::seconds(1)
}

/// Whether an order is overdue at `at`: not finished and past its due instant.
pub fn work_order_overdue(
    status: WorkOrderStatus,
    due_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> bool {
    matches!(
        status,
        WorkOrderStatus::Open | WorkOrderStatus::Assigned | WorkOrderStatus::InProgress
    ) && at > due_at
}

impl WorkOrderAction {
    /// Whether the order's state machine allows this step from `status`: assign (or reassign) until the work is
    /// done; start once assigned; finish once started; close or reject once done.
    pub fn follows(self, status: WorkOrderStatus) -> bool {
        use WorkOrderAction as A;
        use WorkOrderStatus as S;
        matches!(
            (status, self),
            (S::Open | S::Assigned | S::InProgress, A::Assign)
                | (S::Assigned, A::Start)
                | (S::InProgress, A::Finish)
                | (S::Done, A::Close | A::Reject)
        )
    }
}

/// The status after an action, or why it cannot be taken.
pub fn next_work_order_status(
    status: WorkOrderStatus,
    action: WorkOrderAction,
) -> Result<WorkOrderStatus, Invalid> {
    use WorkOrderAction as A;
    use WorkOrderStatus as S;
    let next = action.follows(status).then_some(match action {
        A::Assign => S::Assigned,
        A::Start | A::Reject => S::InProgress,
        A::Finish => S::Done,
        A::Close => S::Closed,
    });
    next.ok_or_else(|| {
        Invalid::field(
            "action",
            format!("a work order that is {status} cannot be given '{action}'"),
        )
    })
}

/// Whether the policy lets the account take `action` on the order, whatever its status. The park's team (its
/// chief and staff, and the admin) dispatches; checking the work — closing or rejecting it — is the park chief's
/// (and the admin's); the work itself is the assignee's, the park chief's and the admin's.
pub fn may_step(scope: &Scope, order: &WorkOrder, action: WorkOrderAction) -> Result<(), Denied> {
    let chief = scope.is_admin() || scope.is_chief_of(None, Some(order.park_id));
    let allowed = match action {
        WorkOrderAction::Assign => scope.may_edit_park_work(order.park_id).is_ok(),
        WorkOrderAction::Close | WorkOrderAction::Reject => chief,
        WorkOrderAction::Start | WorkOrderAction::Finish => {
            chief
                || (scope.person.is_some() && order.assignee.as_ref().map(|a| a.id) == scope.person)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied(format!(
            "only the assignee or the park's chief may '{action}' work order {}",
            order.id
        )))
    }
}

/// The steps the account may take on the order now: those its status allows ([`WorkOrderAction::follows`]) and
/// the policy allows the account ([`may_step`]).
pub fn permitted_steps(scope: &Scope, order: &WorkOrder) -> Vec<WorkOrderAction> {
    WorkOrderAction::ALL
        .iter()
        .copied()
        .filter(|a| a.follows(order.status) && may_step(scope, order, *a).is_ok())
        .collect()
}

/// A work order as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkOrder {
    pub id: Id,
    pub park_id: Id,
    /// The facility or place: building, road, substation, ...
    pub facility: String,
    pub kind: WorkOrderKind,
    pub urgency: WorkOrderUrgency,
    pub title: String,
    pub description: String,
    pub status: WorkOrderStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub due_at: DateTime<Utc>,
    /// The limit in working days runs into a year whose holiday calendar is not loaded: it was counted on
    /// weekdays (Monday to Friday) and is recounted when that year is loaded.
    pub deadline_provisional: bool,
    /// The year whose calendar is missing, when the deadline is provisional.
    pub provisional_year: Option<i32>,
    pub assignee: Option<PersonRef>,
    pub escalated_to: Option<PersonRef>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Overdue at the instant the answer was made for (`as_of`, default now).
    pub overdue: bool,
    /// Counts the changes: every step adds one. A step may name the version it was decided on; when the case has
    /// changed since, it answers 409 and changes nothing.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderInput {
    pub park_id: Id,
    pub facility: String,
    pub kind: WorkOrderKind,
    pub urgency: WorkOrderUrgency,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Overrides the limit of the type and urgency.
    #[serde(default)]
    pub limit: Option<TimeLimit>,
    /// Someone of the park's staff (or its chief) to do it.
    #[serde(default)]
    pub assignee_person_id: Option<Id>,
    /// When it was reported, for orders recorded afterwards; default now.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

pub type WorkOrderDraft = WorkOrderInput;

impl WorkOrderInput {
    pub fn parse(self) -> Result<WorkOrderDraft, Invalid> {
        let mut v = Violations::default();
        let facility = text(&mut v, "facility", &self.facility, true, 200);
        let title = text(&mut v, "title", &self.title, true, 200);
        let description = text(&mut v, "description", &self.description, false, 5000);
        if let Some(TimeLimit::Hours(0) | TimeLimit::WorkingDays(0)) = self.limit {
            v.add("limit", "must be at least one hour or one working day");
        }
        v.finish(WorkOrderInput {
            facility,
            title,
            description,
            ..self
        })
    }

    pub fn time_limit(&self) -> TimeLimit {
        self.limit.unwrap_or_else(|| self.kind.limit(self.urgency))
    }
}

/// One step on a work order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderStepInput {
    pub action: WorkOrderAction,
    #[serde(default)]
    pub note: String,
    /// For `assign`.
    #[serde(default)]
    pub assignee_person_id: Option<Id>,
    /// When it happened; default now.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// The work order's `version` the step was decided on: when someone changed the order since, the step answers
    /// 409 and changes nothing. Without it the step is judged on the order as it is.
    #[serde(default)]
    pub version: Option<i64>,
}

impl WorkOrderStepInput {
    pub fn parse(self) -> Result<WorkOrderStepInput, Invalid> {
        let mut v = Violations::default();
        let note = text(&mut v, "note", &self.note, false, 5000);
        if self.action == WorkOrderAction::Assign && self.assignee_person_id.is_none() {
            v.add("assignee_person_id", "is required to assign");
        }
        if self.action == WorkOrderAction::Reject && note.is_empty() {
            v.add("note", "say what is still wrong");
        }
        v.finish(WorkOrderStepInput { note, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;
    use chrono::TimeZone;

    #[test]
    fn routine_repair_reported_before_national_day_is_due_at_the_end_of_10_11() {
        let calendar = WorkCalendar::embedded();
        let created = Utc.with_ymd_and_hms(2021, 9, 30, 2, 0, 0).unwrap();
        let due = work_order_due(
            &calendar,
            created,
            WorkOrderKind::Repair.limit(WorkOrderUrgency::Routine),
        )
        .expect("covered");
        assert_eq!(due.provisional_year, None);
        let due = due.due_at;
        // Working days after 09-30: 10-08 (Fri), 10-09 (make-up Sat), 10-11 (Mon).
        assert_eq!(due, Utc.with_ymd_and_hms(2021, 10, 11, 15, 59, 59).unwrap());
        assert!(!work_order_overdue(WorkOrderStatus::Assigned, due, due));
        assert!(work_order_overdue(
            WorkOrderStatus::Assigned,
            due,
            due + Duration::seconds(1)
        ));
        assert!(!work_order_overdue(
            WorkOrderStatus::Done,
            due,
            due + Duration::days(3)
        ));
    }

    #[test]
    fn emergencies_are_due_in_four_hours() {
        let created = Utc.with_ymd_and_hms(2021, 10, 2, 2, 0, 0).unwrap();
        let due = work_order_due(
            &WorkCalendar::embedded(),
            created,
            WorkOrderKind::Utilities.limit(WorkOrderUrgency::Emergency),
        )
        .expect("due")
        .due_at;
        assert_eq!(
            due - created,
            Duration::hours(4),
            "holidays do not stop an emergency"
        );
    }

    #[test]
    fn routine_work_reported_in_a_year_without_a_calendar_is_due_on_weekdays_and_provisional() {
        // Reported Friday 2027-01-01 10:00 in Chongqing: three weekdays are Mon 01-04, Tue 01-05, Wed 01-06.
        let created = Utc.with_ymd_and_hms(2027, 1, 1, 2, 0, 0).unwrap();
        let due = work_order_due(
            &WorkCalendar::embedded(),
            created,
            TimeLimit::WorkingDays(3),
        )
        .expect("counted");
        assert_eq!(
            due,
            WorkOrderDue {
                due_at: Utc.with_ymd_and_hms(2027, 1, 6, 15, 59, 59).unwrap(),
                provisional_year: Some(2027)
            }
        );
        let emergency =
            work_order_due(&WorkCalendar::embedded(), created, TimeLimit::Hours(4)).expect("due");
        assert_eq!(emergency.provisional_year, None, "hours need no calendar");
    }

    #[test]
    fn a_work_order_is_closed_only_after_it_is_done() {
        assert!(next_work_order_status(WorkOrderStatus::Assigned, WorkOrderAction::Close).is_err());
        assert_eq!(
            next_work_order_status(WorkOrderStatus::Done, WorkOrderAction::Reject),
            Ok(WorkOrderStatus::InProgress)
        );
    }

    /// An order of park 10, assigned to person 22, in `status`.
    fn order(status: WorkOrderStatus) -> WorkOrder {
        let at = Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap();
        WorkOrder {
            id: 9,
            park_id: 10,
            facility: String::new(),
            kind: WorkOrderKind::Repair,
            urgency: WorkOrderUrgency::Routine,
            title: String::new(),
            description: String::new(),
            status,
            created_at: at,
            created_by: String::new(),
            due_at: at,
            deadline_provisional: false,
            provisional_year: None,
            assignee: Some(PersonRef {
                id: 22,
                name: String::new(),
            }),
            escalated_to: None,
            escalated_at: None,
            done_at: None,
            closed_at: None,
            overdue: false,
            version: 1,
            updated_at: at,
        }
    }

    fn account(role: Role, person: Id, parks: &[Id]) -> Scope {
        Scope {
            parks: parks.to_vec(),
            person: Some(person),
            ..Scope::zone(role)
        }
    }

    fn steps_of(scope: &Scope) -> Vec<WorkOrderAction> {
        let order = order(WorkOrderStatus::Done);
        WorkOrderAction::ALL
            .iter()
            .copied()
            .filter(|a| may_step(scope, &order, *a).is_ok())
            .collect()
    }

    #[test]
    fn the_parks_chief_and_staff_dispatch_its_orders() {
        for role in [Role::ParkChief, Role::ParkStaff] {
            assert!(steps_of(&account(role, 40, &[10])).contains(&WorkOrderAction::Assign));
            assert!(!steps_of(&account(role, 40, &[20])).contains(&WorkOrderAction::Assign));
        }
    }

    #[test]
    fn only_the_parks_chief_and_the_admin_check_the_work() {
        use WorkOrderAction as A;
        let checks = |s: &Scope| {
            let steps = steps_of(s);
            steps.contains(&A::Close) && steps.contains(&A::Reject)
        };
        assert!(checks(&account(Role::ParkChief, 40, &[10])));
        assert!(checks(&Scope::zone(Role::Admin)));
        assert!(
            !checks(&account(Role::ParkStaff, 22, &[10])),
            "not the staff, assignee or not"
        );
        assert!(!checks(&account(Role::ParkChief, 41, &[20])));
    }

    #[test]
    fn the_assignee_does_the_work() {
        use WorkOrderAction as A;
        let assignee = account(Role::ParkStaff, 22, &[10]);
        assert_eq!(steps_of(&assignee), [A::Assign, A::Start, A::Finish]);
        let colleague = account(Role::ParkStaff, 23, &[10]);
        assert_eq!(steps_of(&colleague), [A::Assign]);
    }

    #[test]
    fn readers_of_everything_and_chain_roles_take_no_step() {
        for role in [
            Role::Leader,
            Role::Analyst,
            Role::ChainChief,
            Role::ChainOwner,
            Role::Enterprise,
        ] {
            assert!(steps_of(&account(role, 50, &[10])).is_empty(), "{role}");
        }
    }

    #[test]
    fn the_steps_offered_are_those_the_status_allows_and_the_policy_grants() {
        use WorkOrderAction as A;
        let assignee = account(Role::ParkStaff, 22, &[10]);
        assert_eq!(
            permitted_steps(&assignee, &order(WorkOrderStatus::Assigned)),
            [A::Assign, A::Start]
        );
        assert!(permitted_steps(&assignee, &order(WorkOrderStatus::Done)).is_empty());
        let chief = account(Role::ParkChief, 40, &[10]);
        assert_eq!(
            permitted_steps(&chief, &order(WorkOrderStatus::Done)),
            [A::Close, A::Reject]
        );
    }

    /// The statuses from which `action` may be taken, with the status each leads to.
    fn allowed(action: WorkOrderAction) -> Vec<(WorkOrderStatus, WorkOrderStatus)> {
        WorkOrderStatus::ALL
            .iter()
            .filter_map(|&from| {
                next_work_order_status(from, action)
                    .ok()
                    .map(|to| (from, to))
            })
            .collect()
    }

    #[test]
    fn a_work_order_is_assigned_and_reassigned_until_it_is_done() {
        use WorkOrderStatus::*;
        assert_eq!(
            allowed(WorkOrderAction::Assign),
            [
                (Open, Assigned),
                (Assigned, Assigned),
                (InProgress, Assigned)
            ]
        );
    }

    #[test]
    fn only_an_assigned_work_order_is_started() {
        use WorkOrderStatus::*;
        assert_eq!(allowed(WorkOrderAction::Start), [(Assigned, InProgress)]);
    }

    #[test]
    fn only_a_work_order_in_progress_is_finished() {
        use WorkOrderStatus::*;
        assert_eq!(allowed(WorkOrderAction::Finish), [(InProgress, Done)]);
    }

    #[test]
    fn only_a_done_work_order_is_closed_or_rejected() {
        use WorkOrderStatus::*;
        assert_eq!(allowed(WorkOrderAction::Close), [(Done, Closed)]);
        assert_eq!(allowed(WorkOrderAction::Reject), [(Done, InProgress)]);
    }

    #[test]
    fn a_closed_work_order_takes_no_step() {
        for &action in WorkOrderAction::ALL {
            let error = next_work_order_status(WorkOrderStatus::Closed, action).unwrap_err();
            assert_eq!(error.0[0].field, "action", "{action}");
        }
    }

    fn step(action: WorkOrderAction) -> WorkOrderStepInput {
        WorkOrderStepInput {
            action,
            note: String::new(),
            assignee_person_id: None,
            at: None,
            version: None,
        }
    }

    #[test]
    fn assigning_a_work_order_names_the_assignee() {
        let error = step(WorkOrderAction::Assign).parse().unwrap_err();
        assert_eq!(error.0[0].field, "assignee_person_id");
    }

    #[test]
    fn a_rejection_says_what_is_still_wrong() {
        let error = step(WorkOrderAction::Reject).parse().unwrap_err();
        assert_eq!(error.0[0].field, "note");
    }

    #[test]
    fn a_time_limit_is_at_least_one_hour_or_one_working_day() {
        for zero in [TimeLimit::Hours(0), TimeLimit::WorkingDays(0)] {
            let input = WorkOrderInput {
                park_id: 1,
                facility: "3号楼".into(),
                kind: WorkOrderKind::Repair,
                urgency: WorkOrderUrgency::Routine,
                title: "漏水".into(),
                description: String::new(),
                limit: Some(zero),
                assignee_person_id: None,
                created_at: None,
            };
            assert_eq!(input.parse().unwrap_err().0[0].field, "limit", "{zero:?}");
        }
    }
}
