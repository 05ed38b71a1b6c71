//! Safety inspections (安全巡检): inspection plans (what is inspected, where — the park or one building — and every
//! how many days), their checklists, inspections done (by whom, when, a finding per checklist item, photos), and
//! the hazards (隐患) found: a level (一般, 较大, 重大), a deadline counted in working days on the work calendar,
//! rectification through a work order of the park, and a re-check — a hazard is closed only by a re-check that
//! passes, after its work order is done. A hazard past its deadline and not closed is overdue. Pure rules: the
//! store keeps the rows, the application layer acts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{CalendarError, DueDate, WorkCalendar};
use crate::error::{Invalid, Violations};
use crate::registry::Id;
use crate::workflow::appeals::text;
use crate::workflow::wire_enum;
use crate::workflow::work_orders::{
    WorkOrderInput, WorkOrderKind, WorkOrderStatus, WorkOrderUrgency,
};

/// A plan's checklist has at least one and at most this many items.
pub const MAX_CHECKLIST_ITEMS: usize = 100;
/// A photo of an inspection is at most this many bytes (5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// An inspection keeps at most this many photos.
pub const MAX_PHOTOS_PER_INSPECTION: i64 = 20;

wire_enum! {
    /// How grave a hazard is (隐患等级).
    HazardLevel {
        /// 一般隐患
        General = "general",
        /// 较大隐患
        Major = "major",
        /// 重大隐患
        Grave = "grave",
    }
}

impl HazardLevel {
    pub fn name_zh(self) -> &'static str {
        match self {
            HazardLevel::General => "一般",
            HazardLevel::Major => "较大",
            HazardLevel::Grave => "重大",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            HazardLevel::General => "general",
            HazardLevel::Major => "major",
            HazardLevel::Grave => "grave",
        }
    }

    /// The working days a hazard of this level has to be rectified in, unless the inspector sets a limit: ten for
    /// a general one, five for a major one, two for a grave one.
    pub fn default_working_days(self) -> u32 {
        match self {
            HazardLevel::General => 10,
            HazardLevel::Major => 5,
            HazardLevel::Grave => 2,
        }
    }

    /// The work order's urgency: a grave hazard is urgent.
    fn urgency(self) -> WorkOrderUrgency {
        match self {
            HazardLevel::Grave => WorkOrderUrgency::Urgent,
            _ => WorkOrderUrgency::Routine,
        }
    }
}

wire_enum! {
    /// Where a hazard stands.
    HazardStatus {
        /// Found, no work order rectifies it yet (or a re-check failed).
        Open = "open",
        /// A work order rectifies it.
        Rectifying = "rectifying",
        /// A re-check passed.
        Closed = "closed",
    }
}

wire_enum! {
    /// What may be said of one checklist item.
    FindingResult {
        /// 合格
        Pass = "pass",
        /// 不合格: a hazard is recorded with it.
        Fail = "fail",
        /// 不适用
        NotApplicable = "not_applicable",
    }
}

/// One item of a plan's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistItem {
    pub id: Id,
    /// 1, 2, … in the checklist's order.
    pub position: i32,
    pub text: String,
}

/// An inspection plan (巡检计划): what is inspected, in which park (and building), every how many days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InspectionPlan {
    pub id: Id,
    pub park_id: Id,
    /// The building inspected; none: the park as a whole (its grounds, roads, substations …).
    pub building_id: Option<Id>,
    pub title: String,
    /// An inspection is due this many days after the last one.
    pub every_days: i32,
    pub checklist: Vec<ChecklistItem>,
    /// The first day the plan applies; the first inspection is due then.
    pub starts_on: NaiveDate,
    /// The day of its last inspection, if any.
    pub last_done_on: Option<NaiveDate>,
    /// The day the next inspection is due.
    pub next_due_on: NaiveDate,
}

/// An inspection plan as a user sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub park_id: Id,
    #[serde(default)]
    pub building_id: Option<Id>,
    pub title: String,
    pub every_days: i32,
    pub starts_on: NaiveDate,
    /// The checklist's items in order.
    pub checklist: Vec<String>,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDraft {
    pub park_id: Id,
    pub building_id: Option<Id>,
    pub title: String,
    pub every_days: i32,
    pub starts_on: NaiveDate,
    pub checklist: Vec<String>,
}

impl PlanInput {
    pub fn parse(self) -> Result<PlanDraft, Invalid> {
        let mut v = Violations::default();
        let title = text(&mut v, "title", &self.title, true, 200);
        if !(1..=366).contains(&self.every_days) {
            v.add("every_days", "must be from 1 to 366");
        }
        let mut checklist = Vec::new();
        if self.checklist.is_empty() {
            v.add("checklist", "needs at least one item");
        } else if self.checklist.len() > MAX_CHECKLIST_ITEMS {
            v.add(
                "checklist",
                format!(
                    "lists {} items; at most {MAX_CHECKLIST_ITEMS} are allowed",
                    self.checklist.len()
                ),
            );
        } else {
            for (i, item) in self.checklist.iter().enumerate() {
                checklist.push(text(&mut v, &format!("checklist[{i}]"), item, true, 500));
            }
        }
        v.finish(PlanDraft {
            park_id: self.park_id,
            building_id: self.building_id,
            title,
            every_days: self.every_days,
            starts_on: self.starts_on,
            checklist,
        })
    }
}

/// The day a plan's next inspection is due: its start until it is first inspected, then `every_days` after the
/// last inspection.
pub fn next_due(
    starts_on: NaiveDate,
    every_days: i32,
    last_done_on: Option<NaiveDate>,
) -> NaiveDate {
    match last_done_on {
        None => starts_on,
        Some(last) => last + chrono::Duration::days(i64::from(every_days)),
    }
}

/// A hazard as the inspector records it with a failed item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardInput {
    pub level: HazardLevel,
    pub description: String,
    /// Working days to rectify it in; default by level (10, 5, 2).
    #[serde(default)]
    pub working_days: Option<u32>,
}

/// What the inspector found at one checklist item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    pub item_id: Id,
    pub result: FindingResult,
    #[serde(default)]
    pub note: String,
    /// Required with `fail`, refused otherwise.
    #[serde(default)]
    pub hazard: Option<HazardInput>,
}

/// An inspection as a user sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    /// Who inspected (a name; the account that records it is kept too).
    pub inspector: String,
    pub inspected_at: DateTime<Utc>,
    /// One finding per checklist item of the plan, each item once.
    pub findings: Vec<FindingInput>,
}

/// A checked hazard of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardDraft {
    pub level: HazardLevel,
    pub description: String,
    pub working_days: u32,
}

/// A checked finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingDraft {
    pub item_id: Id,
    pub result: FindingResult,
    pub note: String,
    pub hazard: Option<HazardDraft>,
}

/// A checked inspection of one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionDraft {
    pub plan_id: Id,
    pub inspector: String,
    pub inspected_at: DateTime<Utc>,
    pub findings: Vec<FindingDraft>,
}

impl InspectionInput {
    /// Checks the inspection against its plan's checklist: a finding for every item, each once, a hazard with
    /// each failed item and with no other. `now`: an inspection is not in the future.
    pub fn parse(
        self,
        plan: &InspectionPlan,
        now: DateTime<Utc>,
    ) -> Result<InspectionDraft, Invalid> {
        let mut v = Violations::default();
        let inspector = text(&mut v, "inspector", &self.inspector, true, 100);
        if self.inspected_at > now {
            v.add("inspected_at", "is in the future");
        }
        let mut findings = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, f) in self.findings.into_iter().enumerate() {
            let field = |name: &str| format!("findings[{i}].{name}");
            if !plan.checklist.iter().any(|item| item.id == f.item_id) {
                v.add(
                    &field("item_id"),
                    format!(
                        "{} is not an item of plan {}'s checklist",
                        f.item_id, plan.id
                    ),
                );
            } else if !seen.insert(f.item_id) {
                v.add(
                    &field("item_id"),
                    format!("item {} is listed twice", f.item_id),
                );
            }
            let note = text(&mut v, &field("note"), &f.note, false, 2000);
            let hazard = match (f.result, f.hazard) {
                (FindingResult::Fail, None) => {
                    v.add(
                        &field("hazard"),
                        "a failed item needs its hazard (level and description)",
                    );
                    None
                }
                (FindingResult::Fail, Some(h)) => {
                    let description = text(
                        &mut v,
                        &field("hazard.description"),
                        &h.description,
                        true,
                        2000,
                    );
                    let working_days = h.working_days.unwrap_or(h.level.default_working_days());
                    if !(1..=60).contains(&working_days) {
                        v.add(&field("hazard.working_days"), "must be from 1 to 60");
                    }
                    Some(HazardDraft {
                        level: h.level,
                        description,
                        working_days,
                    })
                }
                (_, Some(_)) => {
                    v.add(&field("hazard"), "only a failed item records a hazard");
                    None
                }
                (_, None) => None,
            };
            findings.push(FindingDraft {
                item_id: f.item_id,
                result: f.result,
                note,
                hazard,
            });
        }
        let missing: Vec<String> = plan
            .checklist
            .iter()
            .filter(|item| !seen.contains(&item.id))
            .map(|item| item.position.to_string())
            .collect();
        if !missing.is_empty() {
            v.add(
                "findings",
                format!("no finding for checklist item(s) {}", missing.join(", ")),
            );
        }
        v.finish(InspectionDraft {
            plan_id: plan.id,
            inspector,
            inspected_at: self.inspected_at,
            findings,
        })
    }
}

/// One finding of an inspection done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub item_id: Id,
    pub position: i32,
    pub item: String,
    pub result: FindingResult,
    pub note: String,
    /// The hazard recorded with a failed item.
    pub hazard_id: Option<Id>,
}

/// A photo of an inspection (the bytes are fetched on their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PhotoInfo {
    pub id: Id,
    pub inspection_id: Id,
    /// The checklist item it shows, if one.
    pub item_id: Option<Id>,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: DateTime<Utc>,
}

/// An inspection done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Inspection {
    pub id: Id,
    pub plan_id: Id,
    pub park_id: Id,
    pub plan_title: String,
    pub inspector: String,
    /// The account that recorded it.
    pub recorded_by: String,
    pub inspected_at: DateTime<Utc>,
    pub findings: Vec<Finding>,
    pub photos: Vec<PhotoInfo>,
}

/// A hazard (隐患).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Hazard {
    pub id: Id,
    pub park_id: Id,
    pub building_id: Option<Id>,
    pub inspection_id: Id,
    pub item_id: Id,
    pub level: HazardLevel,
    pub description: String,
    /// The China day it was found on (the inspection's).
    pub found_on: NaiveDate,
    /// The last day to rectify it in: `working_days` working days after it was found.
    pub deadline: NaiveDate,
    pub working_days: i32,
    pub status: HazardStatus,
    /// The work order that rectifies it (the latest, after a failed re-check).
    pub work_order_id: Option<Id>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// A re-check of a hazard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Recheck {
    pub id: Id,
    pub hazard_id: Id,
    pub checked_at: DateTime<Utc>,
    pub checked_by: String,
    pub passed: bool,
    pub note: String,
}

/// A re-check as a user sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckInput {
    pub passed: bool,
    #[serde(default)]
    pub note: String,
    /// When it was re-checked; default now.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

impl RecheckInput {
    pub fn parse(self) -> Result<RecheckInput, Invalid> {
        let mut v = Violations::default();
        let note = text(&mut v, "note", &self.note, !self.passed, 2000);
        v.finish(RecheckInput { note, ..self })
    }
}

/// The hazard's deadline: `working_days` working days after the day it was found, on the work calendar.
pub fn hazard_deadline(
    calendar: &WorkCalendar,
    found_on: NaiveDate,
    working_days: u32,
) -> Result<DueDate, CalendarError> {
    calendar.add_working_days(found_on, working_days)
}

/// Whether a hazard is overdue on `today`: not closed and past its deadline (the deadline day itself is in time).
pub fn is_overdue(hazard: &Hazard, today: NaiveDate) -> bool {
    hazard.status != HazardStatus::Closed && today > hazard.deadline
}

/// Why a step on a hazard is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub &'static str, pub String);

/// A work order may be opened for an open hazard only (one that is rectifying has its order; a closed one is done).
pub fn may_open_work_order(hazard: &Hazard) -> Result<(), Refused> {
    match hazard.status {
        HazardStatus::Open => Ok(()),
        HazardStatus::Rectifying => Err(Refused(
            "status",
            format!(
                "hazard {} is rectified by work order {} already",
                hazard.id,
                hazard.work_order_id.unwrap_or_default()
            ),
        )),
        HazardStatus::Closed => Err(Refused("status", format!("hazard {} is closed", hazard.id))),
    }
}

/// A hazard is re-checked when its work order is done (or closed): a re-check before the work is finished, or of
/// a hazard without a work order or closed, is refused.
pub fn may_recheck(hazard: &Hazard, order_status: Option<WorkOrderStatus>) -> Result<(), Refused> {
    match (hazard.status, order_status) {
        (HazardStatus::Closed, _) => {
            Err(Refused("status", format!("hazard {} is closed", hazard.id)))
        }
        (HazardStatus::Open, _) | (_, None) => Err(Refused(
            "status",
            format!("hazard {} has no work order to re-check", hazard.id),
        )),
        (HazardStatus::Rectifying, Some(WorkOrderStatus::Done | WorkOrderStatus::Closed)) => Ok(()),
        (HazardStatus::Rectifying, Some(s)) => Err(Refused(
            "status",
            format!(
                "work order {} is {s}: re-check after the work is done",
                hazard.work_order_id.unwrap_or_default()
            ),
        )),
    }
}

/// What a re-check makes of the hazard: closed when it passed, open again (a new work order needed) when not.
pub fn after_recheck(passed: bool) -> HazardStatus {
    if passed {
        HazardStatus::Closed
    } else {
        HazardStatus::Open
    }
}

/// The work order that rectifies a hazard: safety work in the hazard's park, urgent for a grave hazard, due within
/// the working days left to the hazard's deadline (at least one).
pub fn hazard_work_order(
    hazard: &Hazard,
    facility: &str,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> WorkOrderInput {
    let left = calendar.working_days_between(today, hazard.deadline).max(1);
    WorkOrderInput {
        park_id: hazard.park_id,
        facility: facility.chars().take(200).collect(),
        kind: WorkOrderKind::SafetyInspection,
        urgency: hazard.level.urgency(),
        title: format!(
            "隐患整改（{}）：{}",
            hazard.level.name_zh(),
            hazard.description.chars().take(150).collect::<String>()
        ),
        description: format!(
            "隐患 #{}，{} 发现，整改期限 {}。\n{}",
            hazard.id, hazard.found_on, hazard.deadline, hazard.description
        ),
        limit: Some(crate::workflow::work_orders::TimeLimit::WorkingDays(left)),
        assignee_person_id: None,
        created_at: None,
    }
}

/// The open hazards of a park by level, and how many of them are overdue: the board's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HazardCount {
    pub level: Option<HazardLevel>,
    pub open: i64,
    pub overdue: i64,
}

/// Counts the hazards not closed by level (general, major, grave), overdue ones on `today` among them.
pub fn count_by_level(hazards: &[Hazard], today: NaiveDate) -> Vec<HazardCount> {
    HazardLevel::ALL
        .iter()
        .map(|level| {
            let of: Vec<&Hazard> = hazards
                .iter()
                .filter(|h| h.level == *level && h.status != HazardStatus::Closed)
                .collect();
            HazardCount {
                level: Some(*level),
                open: of.len() as i64,
                overdue: of.iter().filter(|h| is_overdue(h, today)).count() as i64,
            }
        })
        .collect()
}

/// The photo's type from its first bytes, which must agree with the type it was sent as: JPEG, PNG or WebP, at most
/// [`MAX_PHOTO_BYTES`].
pub fn check_photo(content_type: &str, bytes: &[u8]) -> Result<&'static str, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::field("photo", "is empty"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(Invalid::field(
            "photo",
            format!(
                "is {} bytes; at most {MAX_PHOTO_BYTES} are allowed",
                bytes.len()
            ),
        ));
    }
    let sniffed = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    };
    let declared = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match sniffed {
        None => Err(Invalid::field("photo", "is not a JPEG, PNG or WebP image")),
        Some(kind) if kind != declared => Err(Invalid::field(
            "photo",
            format!("is {kind} but was sent as {declared:?}"),
        )),
        Some(kind) => Ok(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> InspectionPlan {
        InspectionPlan {
            id: 7,
            park_id: 1,
            building_id: None,
            title: "消防巡检".into(),
            every_days: 7,
            checklist: vec![
                ChecklistItem {
                    id: 1,
                    position: 1,
                    text: "灭火器在有效期内".into(),
                },
                ChecklistItem {
                    id: 2,
                    position: 2,
                    text: "疏散通道畅通".into(),
                },
            ],
            starts_on: day("2026-06-01"),
            last_done_on: None,
            next_due_on: day("2026-06-01"),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn finding(item: Id, result: FindingResult, hazard: Option<HazardInput>) -> FindingInput {
        FindingInput {
            item_id: item,
            result,
            note: String::new(),
            hazard,
        }
    }

    fn hazard(level: HazardLevel) -> Hazard {
        Hazard {
            id: 3,
            park_id: 1,
            building_id: None,
            inspection_id: 1,
            item_id: 2,
            level,
            description: "通道堆放杂物".into(),
            found_on: day("2026-06-12"),
            deadline: day("2026-06-19"),
            working_days: 5,
            status: HazardStatus::Open,
            work_order_id: None,
            closed_at: None,
            version: 1,
        }
    }

    #[test]
    fn an_inspection_needs_one_finding_per_checklist_item() {
        let now = at("2026-06-15T10:00:00Z");
        let only_one = InspectionInput {
            inspector: "张三".into(),
            inspected_at: now,
            findings: vec![finding(1, FindingResult::Pass, None)],
        };
        let err = only_one.parse(&plan(), now).unwrap_err();
        assert!(
            err.0
                .iter()
                .any(|e| e.field == "findings" && e.message.contains('2')),
            "{err:?}"
        );
        let twice = InspectionInput {
            inspector: "张三".into(),
            inspected_at: now,
            findings: vec![
                finding(1, FindingResult::Pass, None),
                finding(1, FindingResult::Pass, None),
                finding(2, FindingResult::Pass, None),
            ],
        };
        let err = twice.parse(&plan(), now).unwrap_err();
        assert!(
            err.0.iter().any(|e| e.field == "findings[1].item_id"),
            "{err:?}"
        );
    }

    #[test]
    fn a_failed_item_records_a_hazard_and_only_a_failed_one() {
        let now = at("2026-06-15T10:00:00Z");
        let input = |result, hazard| InspectionInput {
            inspector: "张三".into(),
            inspected_at: now,
            findings: vec![
                finding(1, FindingResult::Pass, None),
                finding(2, result, hazard),
            ],
        };
        let h = || {
            Some(HazardInput {
                level: HazardLevel::Major,
                description: "通道堆放杂物".into(),
                working_days: None,
            })
        };
        let draft = input(FindingResult::Fail, h()).parse(&plan(), now).unwrap();
        assert_eq!(
            draft.findings[1].hazard.as_ref().map(|h| h.working_days),
            Some(5)
        );
        let err = input(FindingResult::Fail, None)
            .parse(&plan(), now)
            .unwrap_err();
        assert_eq!(err.0[0].field, "findings[1].hazard");
        let err = input(FindingResult::Pass, h())
            .parse(&plan(), now)
            .unwrap_err();
        assert_eq!(err.0[0].field, "findings[1].hazard");
    }

    #[test]
    fn a_hazard_deadline_counts_working_days_on_the_calendar() {
        let calendar = WorkCalendar::embedded();
        // Found on Friday 2026-06-12; 5 working days: 15, 16, 17, 18, and the 19th is the Dragon Boat
        // Festival (a holiday), so the 22nd.
        let due = hazard_deadline(&calendar, day("2026-06-12"), 5).unwrap();
        assert_eq!(due.date, day("2026-06-22"));
    }

    #[test]
    fn a_hazard_is_overdue_after_its_deadline_until_closed() {
        let mut h = hazard(HazardLevel::General);
        assert!(!is_overdue(&h, day("2026-06-19")));
        assert!(is_overdue(&h, day("2026-06-20")));
        h.status = HazardStatus::Closed;
        assert!(!is_overdue(&h, day("2026-06-20")));
    }

    #[test]
    fn a_hazard_closes_only_on_a_passed_recheck_after_its_work_is_done() {
        let mut h = hazard(HazardLevel::Grave);
        assert!(may_recheck(&h, None).is_err());
        assert!(may_open_work_order(&h).is_ok());
        h.status = HazardStatus::Rectifying;
        h.work_order_id = Some(9);
        assert!(may_open_work_order(&h).is_err());
        assert!(may_recheck(&h, Some(WorkOrderStatus::InProgress)).is_err());
        assert!(may_recheck(&h, Some(WorkOrderStatus::Done)).is_ok());
        assert_eq!(after_recheck(false), HazardStatus::Open);
        assert_eq!(after_recheck(true), HazardStatus::Closed);
    }

    #[test]
    fn a_grave_hazards_work_order_is_urgent_safety_work() {
        let h = hazard(HazardLevel::Grave);
        let order = hazard_work_order(&h, "3号楼", &WorkCalendar::embedded(), day("2026-06-15"));
        assert_eq!(order.kind, WorkOrderKind::SafetyInspection);
        assert_eq!(order.urgency, WorkOrderUrgency::Urgent);
        assert!(order.parse().is_ok());
    }

    #[test]
    fn hazards_are_counted_by_level_with_the_overdue_ones() {
        let mut closed = hazard(HazardLevel::General);
        closed.status = HazardStatus::Closed;
        let counts = count_by_level(
            &[
                hazard(HazardLevel::General),
                closed,
                hazard(HazardLevel::Grave),
            ],
            day("2026-06-20"),
        );
        assert_eq!(counts[0].open, 1);
        assert_eq!(counts[0].overdue, 1);
        assert_eq!(counts[1].open, 0);
        assert_eq!(counts[2].open, 1);
    }

    #[test]
    fn a_photo_must_be_the_image_type_it_claims_within_the_limit() {
        let png = b"\x89PNG\r\n\x1a\n0000";
        assert_eq!(check_photo("image/png", png).unwrap(), "image/png");
        assert!(check_photo("image/jpeg", png).is_err());
        assert!(check_photo("image/png", b"<svg></svg>").is_err());
        assert!(check_photo("image/png", &vec![0x89; MAX_PHOTO_BYTES + 1]).is_err());
    }

    #[test]
    fn a_plan_needs_a_checklist_and_a_frequency() {
        let input = PlanInput {
            park_id: 1,
            building_id: None,
            title: "".into(),
            every_days: 0,
            starts_on: day("2026-06-01"),
            checklist: vec![],
        };
        let err = input.parse().unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "every_days", "checklist"]);
        assert_eq!(
            next_due(day("2026-06-01"), 7, Some(day("2026-06-10"))),
            day("2026-06-17")
        );
    }
}
