//! Chain attraction for the interfaces (产业链招商): importing candidate firms, each gap segment's ranked target list
//! (every rank with its explained parts; pinned first, excluded apart with their reason; the leads already made),
//! and turning a target into a lead — a key project at stage "lead" with the chain chief responsible, which the
//! project workflow then carries to production, when the segment's diagnosis counts it.

use std::collections::{HashMap, HashSet};

use chainpark_core::chain_intel::{Explained, GapClass};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::targets::{
    TargetFacts, TargetScore, TargetWeights, industry_matches, matches_segment, score,
};
use chainpark_core::workflow::projects::{Project, ProjectInput, StageDates};
use chainpark_import::ImportOptions;
use chainpark_import::land::LandRowError;
use chainpark_import::table::read_table;
use chainpark_store::prelude::*;
use chainpark_store::targets::{Candidate, CandidateImportSummary, TargetLead, TargetMark};
use chainpark_store::{Actor, StoreError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::chain_intel::HealthCache;
use crate::error::{AppError, AppResult};

/// How many targets a segment's list shows (pinned ones always).
pub const TOP_TARGETS: usize = 10;

/// What a candidate import answers: stored (how many created and updated), or every bad row and nothing stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateImport {
    pub stored: bool,
    pub summary: Option<CandidateImportSummary>,
    /// Each bad row: line, column and what is wrong.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<LandRowError>,
}

/// Imports candidate firms from a CSV or XLSX file (`xlsx` by the file's name): the land import's table reader and
/// workbook guard, the upload limit; rows all stored or — with any bad row — none.
pub async fn import_candidates(
    store: &dyn Store,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
    options: ImportOptions,
) -> AppResult<CandidateImport> {
    actor
        .scope
        .may_import_candidates()
        .map_err(StoreError::from)?;
    if bytes.len() as u64 > options.limits.max_upload_bytes {
        let max = options.limits.max_upload_bytes;
        return Err(AppError::bad_field(
            "file",
            format!(
                "the file is larger than {max} bytes (limit max_upload_bytes; 文件超过 {max} 字节)"
            ),
        ));
    }
    let xlsx = file_name.to_lowercase().ends_with(".xlsx");
    let table = tokio::task::spawn_blocking(move || read_table(&bytes, xlsx, &options))
        .await
        .map_err(|e| AppError::internal(format!("reading the candidate file: {e}")))?
        .map_err(|e| AppError::bad_field("file", format!("{e} ({})", e.message_zh())))?;
    let (segment_codes, credit_codes) = chainpark_import::candidates::candidate_codes(&table);
    let lookup = store
        .resolve_candidate_codes(actor, &segment_codes, &credit_codes)
        .await?;
    let drafts = chainpark_import::candidates::candidate_drafts(
        &table,
        |code| lookup.segments.get(code).copied(),
        |code| lookup.enterprises.get(code).copied(),
    );
    match drafts {
        Err(errors) => Ok(CandidateImport {
            stored: false,
            summary: None,
            errors,
        }),
        Ok(drafts) => {
            let summary = store
                .import_candidates(actor, drafts.into_iter().map(|(_, d)| d).collect())
                .await?;
            Ok(CandidateImport {
                stored: true,
                summary: Some(summary),
                errors: Vec::new(),
            })
        }
    }
}

/// One candidate on a segment's list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Target {
    /// 1 for the first; pinned targets come first, then by score.
    pub rank: usize,
    pub candidate: Candidate,
    pub pinned: bool,
    pub excluded_reason: Option<String>,
    pub score: TargetScore,
}

/// A gap segment with its targets.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SegmentTargets {
    pub segment_id: Id,
    pub gap_class: GapClass,
    pub priority: Explained,
    pub targets: Vec<Target>,
    /// Candidates the chain's staff excluded, with their reason.
    pub excluded: Vec<Target>,
    /// Targets already turned into leads, with their project's stage.
    pub leads: Vec<TargetLead>,
}

/// A chain's target lists (招商目标清单): its gap segments by priority, highest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TargetLists {
    pub chain_id: Id,
    /// `YYYY-MM` of the diagnosis the gaps come from.
    pub month: String,
    pub weights: TargetWeights,
    pub segments: Vec<SegmentTargets>,
}

/// The target lists of a chain, from its diagnosis on `month` (remembered in `cache` for data `version`): readers
/// of everything and the chain's own people.
pub async fn target_lists(
    store: &dyn Store,
    cache: &HealthCache,
    version: u64,
    actor: &Actor,
    chain: Id,
    month: Month,
) -> AppResult<TargetLists> {
    let health = cache
        .chain(store, actor, chain, month, None, version)
        .await?;
    let inputs = store.target_inputs(actor, chain).await?;
    let codes: HashMap<Id, &Vec<String>> =
        inputs.segment_codes.iter().map(|(s, c)| (*s, c)).collect();
    let local: HashSet<Id> = inputs.chain_enterprises.iter().copied().collect();
    let marks: HashMap<(Id, Id), &TargetMark> = inputs
        .marks
        .iter()
        .map(|m| ((m.segment_id, m.candidate_id), m))
        .collect();
    let mut segments = Vec::new();
    // The diagnosis lists segments by priority, highest first.
    for d in health
        .diagnosis
        .segments
        .iter()
        .filter(|d| d.leaf && d.gap_class.is_gap())
    {
        let empty = Vec::new();
        let segment_codes = codes.get(&d.segment_id).copied().unwrap_or(&empty);
        let leads: Vec<TargetLead> = inputs
            .leads
            .iter()
            .filter(|l| l.segment_id == d.segment_id)
            .cloned()
            .collect();
        let led: HashSet<Id> = leads.iter().map(|l| l.candidate_id).collect();
        let mut ranked = Vec::new();
        let mut excluded = Vec::new();
        for c in &inputs.candidates {
            let facts = TargetFacts {
                names_segment: c.segment_ids.contains(&d.segment_id),
                industry_matches: industry_matches(&c.industry_code, segment_codes),
                revenue_band: c.revenue_band,
                growth_permille: c.growth_permille,
                partners_in_chain: c.partner_ids.iter().filter(|p| local.contains(p)).count(),
                distance_km: c.distance_km,
            };
            if !matches_segment(&facts) || led.contains(&c.id) {
                continue;
            }
            let mark = marks.get(&(d.segment_id, c.id));
            let target = Target {
                rank: 0,
                candidate: c.clone(),
                pinned: mark.is_some_and(|m| m.pinned),
                excluded_reason: mark.and_then(|m| m.excluded_reason.clone()),
                score: score(&facts, inputs.weights),
            };
            if target.excluded_reason.is_some() {
                excluded.push(target);
            } else {
                ranked.push(target);
            }
        }
        ranked.sort_by(|a, b| {
            b.pinned
                .cmp(&a.pinned)
                .then(b.score.score.or_zero().total_cmp(&a.score.score.or_zero()))
                .then(a.candidate.id.cmp(&b.candidate.id))
        });
        let pinned = ranked.iter().filter(|t| t.pinned).count();
        ranked.truncate(TOP_TARGETS.max(pinned));
        for (i, t) in ranked.iter_mut().enumerate() {
            t.rank = i + 1;
        }
        segments.push(SegmentTargets {
            segment_id: d.segment_id,
            gap_class: d.gap_class,
            priority: d.priority.clone(),
            targets: ranked,
            excluded,
            leads,
        });
    }
    Ok(TargetLists {
        chain_id: chain,
        month: health.month,
        weights: inputs.weights,
        segments,
    })
}

/// Turning a target into a lead: which candidate for which segment, on which day, and (by default the chain's
/// chief) who is responsible.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub segment_id: Id,
    pub candidate_id: Id,
    /// The day the lead was taken up.
    pub on: NaiveDate,
    /// The responsible chain chief; the chain's chief by default.
    #[serde(default)]
    pub chief_person_id: Option<Id>,
    #[serde(default)]
    pub officer_person_id: Option<Id>,
}

/// Makes a target a key project at stage "lead": named after the candidate and the segment, with the chain chief
/// responsible; the candidate, the segment and the project stay linked.
pub async fn turn_into_lead(
    store: &dyn Store,
    actor: &Actor,
    chain: Id,
    input: LeadInput,
) -> AppResult<Project> {
    store.get_chain(actor, chain).await?;
    actor
        .scope
        .may_steer_chain(chain)
        .map_err(StoreError::from)?;
    let candidate = store.get_candidate(actor, input.candidate_id).await?;
    let segment = store.get_segment(actor, input.segment_id).await?;
    if segment.chain_id != chain {
        return Err(AppError::bad_field(
            "segment_id",
            format!("segment {} is not a segment of chain {chain}", segment.id),
        ));
    }
    let chief = match input.chief_person_id {
        Some(id) => Some(id),
        None => store.target_inputs(actor, chain).await?.chief_person_id,
    };
    let draft = ProjectInput {
        name: format!("{}（{}）", candidate.name, segment.name),
        name_en: String::new(),
        investor: candidate.name.clone(),
        enterprise_id: None,
        planned_investment: 0,
        contracted_investment: 0,
        chain_id: Some(chain),
        segment_id: Some(segment.id),
        park_id: None,
        chief_person_id: chief,
        officer_person_id: input.officer_person_id,
        event_id: None,
        stages: StageDates {
            lead_on: Some(input.on),
            ..StageDates::default()
        },
    }
    .parse()
    .map_err(StoreError::from)?;
    Ok(store.create_lead(actor, candidate.id, draft).await?)
}
