//! Chain attraction in the store: the candidate registry (招商目标库) — firms outside the zone, the segments they
//! could serve, their local partners, the enterprise a settled one became — and a chain's target work: the score's
//! weights, pinned and excluded targets, and targets turned into leads (key projects at stage "lead", linked to the
//! candidate and the gap segment). The scoring is `chainpark_core::targets`'s; the SQL is in `src/sql/targets.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::registry::Id;
use chainpark_core::targets::{CandidateDraft, RevenueBand, TargetWeights};
use chainpark_core::workflow::projects::{Project, ProjectDraft, ProjectStage};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, Result};

/// A stored candidate firm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    pub credit_code: String,
    pub province: String,
    pub city: String,
    pub industry_code: String,
    pub segment_ids: Vec<Id>,
    pub revenue_band: Option<RevenueBand>,
    pub employees: Option<i64>,
    pub listed: bool,
    /// Revenue growth on the year before, in tenths of a percent.
    pub growth_permille: Option<i64>,
    pub distance_km: Option<i64>,
    /// Local enterprises it already supplies or buys from.
    pub partner_ids: Vec<Id>,
    pub source: String,
    pub source_on: NaiveDate,
    /// The local enterprise it became when it settled in the zone.
    pub settled_enterprise_id: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an import did: candidates new to the registry and those updated (same credit code).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CandidateImportSummary {
    pub created: usize,
    pub updated: usize,
}

/// How to search the registry: words of the name, credit code, province or city, and a segment served.
#[derive(Debug, Clone, Default)]
pub struct CandidateSearch {
    pub q: Option<String>,
    pub segment_id: Option<Id>,
    pub limit: i64,
    pub offset: i64,
}

/// A chain's staff pin a candidate for a segment (it stays on top of the list) or exclude it with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetMark {
    pub segment_id: Id,
    pub candidate_id: Id,
    #[serde(default)]
    pub pinned: bool,
    /// Why the candidate is not pursued; `None` when it is not excluded.
    #[serde(default)]
    pub excluded_reason: Option<String>,
}

/// A target turned into a lead: the project, where it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TargetLead {
    pub project_id: Id,
    pub project_name: String,
    pub candidate_id: Id,
    pub segment_id: Id,
    pub stage: ProjectStage,
}

/// What a chain's target lists read: the weights, the chain's segments with their GB/T 4754 codes, the chain's
/// local enterprises, the candidates that have not settled, the marks and the leads.
#[derive(Debug, Clone)]
pub struct TargetInputs {
    pub weights: TargetWeights,
    /// (segment id, its codes).
    pub segment_codes: Vec<(Id, Vec<String>)>,
    pub chain_enterprises: Vec<Id>,
    pub candidates: Vec<Candidate>,
    pub marks: Vec<TargetMark>,
    pub leads: Vec<TargetLead>,
    /// The chain's chief (the overall one first), who answers for its leads by default.
    pub chief_person_id: Option<Id>,
}

/// Codes a candidate file names, resolved: segment code → id, credit code → local enterprise id.
#[derive(Debug, Clone, Default)]
pub struct CodeLookup {
    pub segments: HashMap<String, Id>,
    pub enterprises: HashMap<String, Id>,
}

#[async_trait]
pub trait TargetStore: Send + Sync {
    /// Resolves the segment codes and local credit codes a candidate file names (unknown ones are left out).
    async fn resolve_candidate_codes(
        &self,
        actor: &Actor,
        segment_codes: &[String],
        credit_codes: &[String],
    ) -> Result<CodeLookup>;
    /// Stores checked candidates in one transaction: a new credit code is created, a known one updated (its
    /// segments and partners replaced).
    async fn import_candidates(
        &self,
        actor: &Actor,
        drafts: Vec<CandidateDraft>,
    ) -> Result<CandidateImportSummary>;
    async fn list_candidates(
        &self,
        actor: &Actor,
        search: &CandidateSearch,
    ) -> Result<Vec<Candidate>>;
    async fn get_candidate(&self, actor: &Actor, id: Id) -> Result<Candidate>;
    /// Links a candidate to the local enterprise it became; the candidate keeps its history.
    async fn settle_candidate(&self, actor: &Actor, id: Id, enterprise: Id) -> Result<Candidate>;
    async fn target_inputs(&self, actor: &Actor, chain: Id) -> Result<TargetInputs>;
    async fn set_target_weights(
        &self,
        actor: &Actor,
        chain: Id,
        weights: TargetWeights,
    ) -> Result<TargetWeights>;
    async fn mark_target(&self, actor: &Actor, chain: Id, mark: TargetMark) -> Result<TargetMark>;
    /// Turns a target into a key project at stage "lead" (the draft) and links candidate, segment and project, in
    /// one transaction.
    async fn create_lead(
        &self,
        actor: &Actor,
        candidate: Id,
        draft: ProjectDraft,
    ) -> Result<Project>;
}
