//! A park's safety inspections in the store: inspection plans with their checklists, inspections done with their
//! findings and photos (the bytes kept in the store), and hazards rectified through work orders and closed by a
//! passing re-check. Scope rules are those of [`Kind::Inspection`](chainpark_core::access::Kind::Inspection): the
//! park's chief and staff and the readers of everything; chain roles and enterprise users reach none.

use async_trait::async_trait;
use chainpark_core::parkops::safety::{
    Hazard, HazardCount, HazardLevel, Inspection, InspectionDraft, InspectionPlan, PhotoInfo,
    PlanDraft, Recheck, RecheckInput,
};
use chainpark_core::registry::Id;
use chainpark_core::workflow::work_orders::WorkOrder;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, Result};

/// What the hazard list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    pub park_id: Option<Id>,
    pub level: Option<HazardLevel>,
    /// Only hazards not closed (true) or only closed ones (false).
    pub open: Option<bool>,
}

/// A hazard with what it was found at and its re-checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HazardDetail {
    pub hazard: Hazard,
    pub plan_id: Id,
    pub plan_title: String,
    /// The checklist item that failed.
    pub item: String,
    pub rechecks: Vec<Recheck>,
}

#[async_trait]
pub trait SafetyStore: Send + Sync {
    /// A new inspection plan with its checklist (the admin, the park's chief or staff); its building must be one
    /// of the park's.
    async fn create_plan(
        &self,
        actor: &Actor,
        draft: PlanDraft,
        now: DateTime<Utc>,
    ) -> Result<InspectionPlan>;
    /// The plans the actor reaches, of one park or all, by park and title.
    async fn list_plans(&self, actor: &Actor, park_id: Option<Id>) -> Result<Vec<InspectionPlan>>;
    async fn get_plan(&self, actor: &Actor, id: Id) -> Result<InspectionPlan>;
    /// Records an inspection of a plan with its findings (checked against the checklist by
    /// `InspectionInput::parse`), and a hazard for each failed item with its deadline counted on the work
    /// calendar from the China day of the inspection — all in one transaction.
    async fn record_inspection(
        &self,
        actor: &Actor,
        draft: InspectionDraft,
        now: DateTime<Utc>,
    ) -> Result<Inspection>;
    /// The inspections the actor reaches, of one plan or one park or all, latest first (at most 200).
    async fn list_inspections(
        &self,
        actor: &Actor,
        park_id: Option<Id>,
        plan_id: Option<Id>,
    ) -> Result<Vec<Inspection>>;
    async fn get_inspection(&self, actor: &Actor, id: Id) -> Result<Inspection>;
    /// Keeps a photo of an inspection (checked by `check_photo`); at most 20 per inspection.
    async fn add_photo(
        &self,
        actor: &Actor,
        inspection_id: Id,
        item_id: Option<Id>,
        content_type: &str,
        bytes: Vec<u8>,
        now: DateTime<Utc>,
    ) -> Result<PhotoInfo>;
    /// A photo and its bytes.
    async fn get_photo(&self, actor: &Actor, id: Id) -> Result<(PhotoInfo, Vec<u8>)>;
    /// The hazards the actor reaches, most pressing first (not closed before closed, earliest deadline first).
    async fn list_hazards(&self, actor: &Actor, filter: &HazardFilter) -> Result<Vec<Hazard>>;
    async fn get_hazard(&self, actor: &Actor, id: Id) -> Result<HazardDetail>;
    /// Opens the work order that rectifies an open hazard (safety work in its park, due by the hazard's
    /// deadline), in one transaction with the hazard's move to `rectifying`; both audited.
    async fn open_hazard_work_order(
        &self,
        actor: &Actor,
        id: Id,
        assignee_person_id: Option<Id>,
        at: DateTime<Utc>,
    ) -> Result<(Hazard, WorkOrder)>;
    /// Re-checks a rectifying hazard whose work order is done or closed: a pass closes it, a failure opens it
    /// again (a new work order is needed). `version`: the hazard's version the re-check was decided on (409 if
    /// it changed).
    async fn recheck_hazard(
        &self,
        actor: &Actor,
        id: Id,
        input: RecheckInput,
        version: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<HazardDetail>;
    /// A park's hazards not closed, by level, with the overdue ones on `today` (readers of everything and the
    /// park's chief and staff).
    async fn hazard_counts(
        &self,
        actor: &Actor,
        park_id: Id,
        today: NaiveDate,
    ) -> Result<Vec<HazardCount>>;
}
