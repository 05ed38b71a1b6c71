//! Chain attraction in SQL (see `crate::targets`), compiled once per engine.

use super::{Db, Engine};

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chainpark_core::error::Invalid;
use chainpark_core::registry::Id;
use chainpark_core::targets::{CandidateDraft, RevenueBand, TargetWeights};
use chainpark_core::workflow::projects::{Project, ProjectDraft, ProjectStage};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, QueryBuilder};

use super::workflow::projects::{check_project, project_row, write_project};
use crate::targets::*;
use crate::{Actor, Result, StoreError};

type Conn = <Db as sqlx::Database>::Connection;

const CANDIDATE_COLUMNS: &str = "SELECT d.id, d.name, d.credit_code, d.province, d.city, d.industry_code, \
     d.revenue_band, d.employees, d.listed, d.growth_permille, d.distance_km, d.source, d.source_on, \
     d.settled_enterprise_id, d.created_at, d.updated_at FROM candidates d";

#[derive(FromRow)]
struct CandidateRow {
    id: i64,
    name: String,
    credit_code: String,
    province: String,
    city: String,
    industry_code: String,
    revenue_band: Option<String>,
    employees: Option<i64>,
    listed: bool,
    growth_permille: Option<i64>,
    distance_km: Option<i64>,
    source: String,
    source_on: NaiveDate,
    settled_enterprise_id: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn push_ids(qb: &mut QueryBuilder<'static, Db>, ids: &[Id]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

/// Candidates of the rows, with their segments and partners (two more queries whatever their number).
async fn with_links(c: &mut Conn, rows: Vec<CandidateRow>) -> Result<Vec<Candidate>> {
    let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
    let mut segments: HashMap<Id, Vec<Id>> = HashMap::new();
    let mut partners: HashMap<Id, Vec<Id>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT candidate_id, segment_id FROM candidate_segments WHERE candidate_id IN ",
        );
        push_ids(&mut qb, chunk);
        qb.push(" ORDER BY candidate_id, segment_id");
        let found: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
        for (candidate, segment) in found {
            segments.entry(candidate).or_default().push(segment);
        }
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "SELECT candidate_id, enterprise_id FROM candidate_partners WHERE candidate_id IN ",
        );
        push_ids(&mut qb, chunk);
        qb.push(" ORDER BY candidate_id, enterprise_id");
        let found: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
        for (candidate, enterprise) in found {
            partners.entry(candidate).or_default().push(enterprise);
        }
    }
    rows.into_iter()
        .map(|r| {
            let revenue_band = match r.revenue_band.as_deref() {
                None => None,
                Some(text) => Some(RevenueBand::parse(text).ok_or_else(|| {
                    crate::common::corrupt("candidate", r.id, "unknown revenue band")
                })?),
            };
            Ok(Candidate {
                segment_ids: segments.remove(&r.id).unwrap_or_default(),
                partner_ids: partners.remove(&r.id).unwrap_or_default(),
                id: r.id,
                name: r.name,
                credit_code: r.credit_code,
                province: r.province,
                city: r.city,
                industry_code: r.industry_code,
                revenue_band,
                employees: r.employees,
                listed: r.listed,
                growth_permille: r.growth_permille,
                distance_km: r.distance_km,
                source: r.source,
                source_on: r.source_on,
                settled_enterprise_id: r.settled_enterprise_id,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

async fn candidate_by_id(c: &mut Conn, id: Id) -> Result<Candidate> {
    let row: Option<CandidateRow> = sqlx::query_as(&format!("{CANDIDATE_COLUMNS} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    let row = row.ok_or(StoreError::NotFound {
        kind: "candidate",
        id,
    })?;
    with_links(c, vec![row])
        .await?
        .pop()
        .ok_or(StoreError::NotFound {
            kind: "candidate",
            id,
        })
}

/// The chain of a segment, or 404 when it is not a live segment of `chain`.
async fn segment_of_chain(c: &mut Conn, chain: Id, segment: Id) -> Result<()> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT chain_id FROM segments WHERE id = $1 AND archived = FALSE")
            .bind(segment)
            .fetch_optional(&mut *c)
            .await?;
    if found == Some(chain) {
        Ok(())
    } else {
        Err(Invalid::field(
            "segment_id",
            format!("segment {segment} is not a segment of chain {chain}"),
        )
        .into())
    }
}

#[async_trait]
impl TargetStore for Engine {
    async fn resolve_candidate_codes(
        &self,
        actor: &Actor,
        segment_codes: &[String],
        credit_codes: &[String],
    ) -> Result<CodeLookup> {
        actor.scope.may_import_candidates()?;
        let mut c = self.read().await?;
        let mut lookup = CodeLookup::default();
        for chunk in segment_codes.chunks(500) {
            let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                "SELECT code, id FROM segments WHERE archived = FALSE AND code IN (",
            );
            let mut list = qb.separated(", ");
            for code in chunk {
                list.push_bind(code.clone());
            }
            qb.push(")");
            let found: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
            lookup.segments.extend(found);
        }
        for chunk in credit_codes.chunks(500) {
            let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
                "SELECT credit_code, id FROM enterprises WHERE archived = FALSE AND credit_code IN (",
            );
            let mut list = qb.separated(", ");
            for code in chunk {
                list.push_bind(code.clone());
            }
            qb.push(")");
            let found: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut *c).await?;
            lookup.enterprises.extend(found);
        }
        Ok(lookup)
    }

    async fn import_candidates(
        &self,
        actor: &Actor,
        drafts: Vec<CandidateDraft>,
    ) -> Result<CandidateImportSummary> {
        actor.scope.may_import_candidates()?;
        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        let mut summary = CandidateImportSummary::default();
        let mut written: BTreeMap<String, Id> = BTreeMap::new();
        for d in &drafts {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM candidates WHERE credit_code = $1")
                    .bind(&d.credit_code)
                    .fetch_optional(tx.conn())
                    .await?;
            let id: i64 = match existing {
                Some(id) => {
                    sqlx::query(
                        "UPDATE candidates SET name = $1, province = $2, city = $3, industry_code = $4, \
                         revenue_band = $5, employees = $6, listed = $7, growth_permille = $8, distance_km = $9, \
                         source = $10, source_on = $11, updated_at = $12 WHERE id = $13",
                    )
                    .bind(&d.name)
                    .bind(&d.province)
                    .bind(&d.city)
                    .bind(&d.industry_code)
                    .bind(d.revenue_band.map(RevenueBand::as_str))
                    .bind(d.employees)
                    .bind(d.listed)
                    .bind(d.growth_permille)
                    .bind(d.distance_km)
                    .bind(&d.source)
                    .bind(d.source_on)
                    .bind(now)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                    for table in ["candidate_segments", "candidate_partners"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE candidate_id = $1"))
                            .bind(id)
                            .execute(tx.conn())
                            .await?;
                    }
                    summary.updated += 1;
                    id
                }
                None => {
                    summary.created += 1;
                    sqlx::query_scalar(
                        "INSERT INTO candidates (credit_code, name, province, city, industry_code, revenue_band, \
                         employees, listed, growth_permille, distance_km, source, source_on, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
                    )
                    .bind(&d.credit_code)
                    .bind(&d.name)
                    .bind(&d.province)
                    .bind(&d.city)
                    .bind(&d.industry_code)
                    .bind(d.revenue_band.map(RevenueBand::as_str))
                    .bind(d.employees)
                    .bind(d.listed)
                    .bind(d.growth_permille)
                    .bind(d.distance_km)
                    .bind(&d.source)
                    .bind(d.source_on)
                    .bind(now)
                    .fetch_one(tx.conn())
                    .await?
                }
            };
            for segment in &d.segment_ids {
                sqlx::query(
                    "INSERT INTO candidate_segments (candidate_id, segment_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(segment)
                .execute(tx.conn())
                .await?;
            }
            for partner in &d.partner_ids {
                sqlx::query(
                    "INSERT INTO candidate_partners (candidate_id, enterprise_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(partner)
                .execute(tx.conn())
                .await?;
            }
            written.insert(d.credit_code.clone(), id);
        }
        tx.commit_audited(actor, "candidate_import", 0, "import", None, Some(&written))
            .await?;
        Ok(summary)
    }

    async fn list_candidates(
        &self,
        actor: &Actor,
        search: &CandidateSearch,
    ) -> Result<Vec<Candidate>> {
        actor.scope.may_read_candidates()?;
        let mut c = self.read().await?;
        let mut qb: QueryBuilder<'static, Db> =
            QueryBuilder::new(format!("{CANDIDATE_COLUMNS} WHERE 1 = 1"));
        if let Some(q) = search.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let like = format!("%{}%", q.to_lowercase());
            qb.push(" AND (LOWER(d.name) LIKE ");
            qb.push_bind(like.clone());
            qb.push(" OR LOWER(d.credit_code) LIKE ");
            qb.push_bind(like.clone());
            qb.push(" OR d.province LIKE ");
            qb.push_bind(like.clone());
            qb.push(" OR d.city LIKE ");
            qb.push_bind(like);
            qb.push(")");
        }
        if let Some(segment) = search.segment_id {
            qb.push(
                " AND d.id IN (SELECT candidate_id FROM candidate_segments WHERE segment_id = ",
            );
            qb.push_bind(segment);
            qb.push(")");
        }
        qb.push(" ORDER BY d.name, d.id LIMIT ");
        qb.push_bind(search.limit.clamp(1, 1000));
        qb.push(" OFFSET ");
        qb.push_bind(search.offset.max(0));
        let rows: Vec<CandidateRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        with_links(&mut c, rows).await
    }

    async fn get_candidate(&self, actor: &Actor, id: Id) -> Result<Candidate> {
        actor.scope.may_read_candidates()?;
        let mut c = self.read().await?;
        candidate_by_id(&mut c, id).await
    }

    async fn settle_candidate(&self, actor: &Actor, id: Id, enterprise: Id) -> Result<Candidate> {
        actor.scope.may_import_candidates()?;
        let mut tx = self.begin_write().await?;
        let before = candidate_by_id(tx.conn(), id).await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM enterprises WHERE id = $1")
            .bind(enterprise)
            .fetch_optional(tx.conn())
            .await?;
        if found.is_none() {
            return Err(Invalid::field(
                "enterprise_id",
                format!("enterprise {enterprise} does not exist"),
            )
            .into());
        }
        sqlx::query(
            "UPDATE candidates SET settled_enterprise_id = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(enterprise)
        .bind(Utc::now())
        .bind(id)
        .execute(tx.conn())
        .await?;
        let after = candidate_by_id(tx.conn(), id).await?;
        tx.commit_audited(
            actor,
            "candidate",
            id,
            "settle",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    async fn target_inputs(&self, actor: &Actor, chain: Id) -> Result<TargetInputs> {
        actor.scope.may_read_chain_intel(chain)?;
        let mut c = self.read().await?;
        let weights: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT segment_match, scale, growth, relations, distance FROM target_weights WHERE chain_id = $1",
        )
        .bind(chain)
        .fetch_optional(&mut *c)
        .await?;
        let weights =
            weights.map_or_else(TargetWeights::default, |(m, s, g, r, d)| TargetWeights {
                segment_match: m,
                scale: s,
                growth: g,
                relations: r,
                distance: d,
            });
        let segments: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, industry_codes FROM segments WHERE chain_id = $1 AND archived = FALSE ORDER BY position, id",
        )
        .bind(chain)
        .fetch_all(&mut *c)
        .await?;
        let segment_codes = segments
            .into_iter()
            .map(|(id, codes)| {
                (
                    id,
                    codes
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            })
            .collect();
        let chain_enterprises: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT es.enterprise_id FROM enterprise_segments es JOIN segments s ON s.id = es.segment_id \
             WHERE s.chain_id = $1 ORDER BY es.enterprise_id",
        )
        .bind(chain)
        .fetch_all(&mut *c)
        .await?;
        let rows: Vec<CandidateRow> = sqlx::query_as(&format!(
            "{CANDIDATE_COLUMNS} WHERE d.settled_enterprise_id IS NULL ORDER BY d.id"
        ))
        .fetch_all(&mut *c)
        .await?;
        let candidates = with_links(&mut c, rows).await?;
        let marks: Vec<(i64, i64, bool, Option<String>)> = sqlx::query_as(
            "SELECT m.segment_id, m.candidate_id, m.pinned, m.excluded_reason FROM target_marks m \
             JOIN segments s ON s.id = m.segment_id WHERE s.chain_id = $1 ORDER BY m.segment_id, m.candidate_id",
        )
        .bind(chain)
        .fetch_all(&mut *c)
        .await?;
        let leads: Vec<(i64, String, i64, i64, String)> = sqlx::query_as(
            "SELECT l.project_id, p.name, l.candidate_id, l.segment_id, p.stage FROM target_leads l \
             JOIN projects p ON p.id = l.project_id JOIN segments s ON s.id = l.segment_id \
             WHERE s.chain_id = $1 AND p.archived = FALSE ORDER BY l.project_id",
        )
        .bind(chain)
        .fetch_all(&mut *c)
        .await?;
        let leads = leads
            .into_iter()
            .map(
                |(project_id, project_name, candidate_id, segment_id, stage)| {
                    Ok(TargetLead {
                        stage: ProjectStage::parse(&stage).ok_or_else(|| {
                            crate::common::corrupt("project", project_id, "unknown stage")
                        })?,
                        project_id,
                        project_name,
                        candidate_id,
                        segment_id,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        let chief_person_id: Option<i64> = sqlx::query_scalar(
            "SELECT person_id FROM posts WHERE role = 'chain_chief' AND chain_id = $1 AND archived = FALSE \
             AND ends_on IS NULL ORDER BY CASE WHEN chief_level = 'overall' THEN 0 ELSE 1 END, id LIMIT 1",
        )
        .bind(chain)
        .fetch_optional(&mut *c)
        .await?;
        Ok(TargetInputs {
            chief_person_id,
            weights,
            segment_codes,
            chain_enterprises,
            candidates,
            marks: marks
                .into_iter()
                .map(
                    |(segment_id, candidate_id, pinned, excluded_reason)| TargetMark {
                        segment_id,
                        candidate_id,
                        pinned,
                        excluded_reason,
                    },
                )
                .collect(),
            leads,
        })
    }

    async fn set_target_weights(
        &self,
        actor: &Actor,
        chain: Id,
        weights: TargetWeights,
    ) -> Result<TargetWeights> {
        actor.scope.may_steer_chain(chain)?;
        let weights = weights.parse()?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO target_weights (chain_id, segment_match, scale, growth, relations, distance, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (chain_id) DO UPDATE SET \
             segment_match = excluded.segment_match, scale = excluded.scale, growth = excluded.growth, \
             relations = excluded.relations, distance = excluded.distance, updated_at = excluded.updated_at",
        )
        .bind(chain)
        .bind(weights.segment_match)
        .bind(weights.scale)
        .bind(weights.growth)
        .bind(weights.relations)
        .bind(weights.distance)
        .bind(Utc::now())
        .execute(tx.conn())
        .await?;
        tx.commit_audited(
            actor,
            "target_weights",
            chain,
            "update",
            None,
            Some(&weights),
        )
        .await?;
        Ok(weights)
    }

    async fn mark_target(&self, actor: &Actor, chain: Id, mark: TargetMark) -> Result<TargetMark> {
        actor.scope.may_steer_chain(chain)?;
        let reason = mark
            .excluded_reason
            .as_deref()
            .map(str::trim)
            .map(str::to_string);
        if reason.as_deref() == Some("") {
            return Err(Invalid::field("excluded_reason", "an exclusion needs a reason").into());
        }
        if mark.pinned && reason.is_some() {
            return Err(Invalid::field(
                "pinned",
                "a target is either pinned or excluded, not both",
            )
            .into());
        }
        let mark = TargetMark {
            excluded_reason: reason,
            ..mark
        };
        let mut tx = self.begin_write().await?;
        segment_of_chain(tx.conn(), chain, mark.segment_id).await?;
        candidate_by_id(tx.conn(), mark.candidate_id).await?;
        sqlx::query(
            "INSERT INTO target_marks (segment_id, candidate_id, pinned, excluded_reason, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (segment_id, candidate_id) DO UPDATE SET \
             pinned = excluded.pinned, excluded_reason = excluded.excluded_reason, updated_at = excluded.updated_at",
        )
        .bind(mark.segment_id)
        .bind(mark.candidate_id)
        .bind(mark.pinned)
        .bind(&mark.excluded_reason)
        .bind(Utc::now())
        .execute(tx.conn())
        .await?;
        tx.commit_audited(
            actor,
            "target_mark",
            mark.candidate_id,
            "update",
            None,
            Some(&mark),
        )
        .await?;
        Ok(mark)
    }

    async fn create_lead(
        &self,
        actor: &Actor,
        candidate: Id,
        draft: ProjectDraft,
    ) -> Result<Project> {
        let (Some(chain), Some(segment)) = (draft.chain_id, draft.segment_id) else {
            return Err(Invalid::field("segment_id", "a lead fills a segment of a chain").into());
        };
        actor.scope.may_steer_chain(chain)?;
        actor.scope.may_edit_project(Some(chain))?;
        let mut tx = self.begin_write().await?;
        segment_of_chain(tx.conn(), chain, segment).await?;
        let target = candidate_by_id(tx.conn(), candidate).await?;
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT l.project_id FROM target_leads l JOIN projects p ON p.id = l.project_id \
             WHERE l.candidate_id = $1 AND l.segment_id = $2 AND p.archived = FALSE",
        )
        .bind(candidate)
        .bind(segment)
        .fetch_optional(tx.conn())
        .await?;
        if let Some(project) = taken {
            return Err(Invalid::field(
                "candidate_id",
                format!(
                    "{} is already a lead for this segment (project {project})",
                    target.name
                ),
            )
            .into());
        }
        check_project(tx.conn(), &draft).await?;
        let id = write_project(tx.conn(), None, &draft).await?;
        sqlx::query(
            "INSERT INTO target_leads (project_id, candidate_id, segment_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(candidate)
        .bind(segment)
        .bind(Utc::now())
        .execute(tx.conn())
        .await?;
        let project = project_row(tx.conn(), id).await?;
        tx.commit_audited(actor, "project", id, "create", None, Some(&project))
            .await?;
        Ok(project)
    }
}
