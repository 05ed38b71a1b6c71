//! The store as a whole: its engine, migration, consistency check, and loading a whole zone in one
//! transaction.

use super::{Db, Engine};
use std::collections::HashMap;

use async_trait::async_trait;
use chainpark_core::chain_tree::would_create_cycle;
use chainpark_core::demo::DemoZone;
use chainpark_core::pinyin_initials::initials;
use chainpark_core::registry::*;
use chrono::Utc;
use sqlx::QueryBuilder;

use super::areas::insert_area;
use super::chains::insert_chain;
use super::enterprises::ENTERPRISE_COLUMNS;
use super::links::insert_link;
use super::parks::insert_park;
use super::people::insert_person;
use super::posts::{check_post_draft, insert_post};
use super::segments::insert_segment;
use super::shared::*;
use crate::Store;
use crate::common::*;
use crate::{Actor, Result, StoreError};

fn prefixed(what: String, e: chainpark_core::error::Invalid) -> StoreError {
    StoreError::Invalid(chainpark_core::error::Invalid(
        e.0.into_iter()
            .map(|f| chainpark_core::error::FieldError {
                field: format!("{what}.{}", f.field),
                message: f.message,
            })
            .collect(),
    ))
}

fn lookup(map: &HashMap<String, Id>, what: &str, key: &str) -> Result<Id> {
    map.get(key)
        .copied()
        .ok_or_else(|| StoreError::invalid(what, format!("{key} is not in the batch")))
}

/// Writes a whole registry batch (the demo zone) through the same checks as single objects. Enterprises and
/// their segments go in multi-row inserts: a zone has thousands.
async fn load_zone(c: &mut Conn, zone: &DemoZone) -> Result<HashMap<&'static str, usize>> {
    let now = Utc::now();
    let mut areas = HashMap::new();
    for a in &zone.areas {
        let d = IndustryAreaInput {
            code: a.code.clone(),
            name: a.name.clone(),
            name_en: a.name_en.clone(),
            description: a.description.clone(),
        }
        .parse()
        .map_err(|e| prefixed(format!("area {}", a.code), e))?;
        let id = insert_area(c, &d, now).await?;
        areas.insert(a.code.clone(), id);
    }
    let mut chains = HashMap::new();
    let mut segments = HashMap::new();
    let mut link_count = 0;
    for ch in &zone.chains {
        let area_id = lookup(&areas, "chain.area_code", &ch.area_code)?;
        let d = ChainInput {
            area_id,
            code: ch.code.clone(),
            name: ch.name.clone(),
            name_en: ch.name_en.clone(),
            description: String::new(),
        }
        .parse()
        .map_err(|e| prefixed(format!("chain {}", ch.code), e))?;
        let chain_id = insert_chain(c, &d, now).await?;
        chains.insert(ch.code.clone(), chain_id);
        // Parents before children, whatever order the batch lists them in.
        let mut pending: Vec<_> = ch.segments.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for s in pending {
                let parent_id = match &s.parent {
                    None => None,
                    Some(p) => match segments.get(p) {
                        Some(id) => Some(*id),
                        None => {
                            rest.push(s);
                            continue;
                        }
                    },
                };
                let d = SegmentInput {
                    chain_id,
                    parent_id,
                    code: s.code.clone(),
                    name: s.name.clone(),
                    name_en: s.name_en.clone(),
                    stage: s.stage,
                    position: s.position,
                    industry_codes: s.industry_codes.clone(),
                }
                .parse()
                .map_err(|e| prefixed(format!("segment {}", s.code), e))?;
                let id = insert_segment(c, &d, now).await?;
                segments.insert(s.code.clone(), id);
            }
            if rest.len() == before {
                return Err(StoreError::invalid(
                    "segment.parent",
                    format!(
                        "{} has a parent that is not in its chain, or a cycle",
                        rest[0].code
                    ),
                ));
            }
            pending = rest;
        }
        for (from, to) in &ch.links {
            let d = SupplyLinkInput {
                from_segment_id: lookup(&segments, "link.from", from)?,
                to_segment_id: lookup(&segments, "link.to", to)?,
                note: String::new(),
            }
            .parse()
            .map_err(|e| prefixed(format!("link {from}->{to}"), e))?;
            insert_link(c, &d, now).await?;
            link_count += 1;
        }
    }
    let mut parks = HashMap::new();
    for k in &zone.parks {
        let d = ParkInput {
            area_id: lookup(&areas, "park.area_code", &k.area_code)?,
            code: k.code.clone(),
            name: k.name.clone(),
            name_en: k.name_en.clone(),
            district: k.district.clone(),
            land_area_mu: Some(k.land_area_mu as f64),
            land_area_ha: None,
            location: Some(GeoPoint {
                lon: k.lon,
                lat: k.lat,
            }),
            outline: k.outline.as_ref().map(|o| {
                o.iter()
                    .map(|(lon, lat)| GeoPoint {
                        lon: *lon,
                        lat: *lat,
                    })
                    .collect()
            }),
        }
        .parse()
        .map_err(|e| prefixed(format!("park {}", k.code), e))?;
        let id = insert_park(c, &d, now).await?;
        parks.insert(k.code.clone(), id);
    }
    let mut drafts = Vec::with_capacity(zone.enterprises.len());
    for e in &zone.enterprises {
        let park_id = match &e.park_code {
            Some(p) => Some(lookup(&parks, "enterprise.park_code", p)?),
            None => None,
        };
        let segment_ids = e
            .segment_codes
            .iter()
            .map(|s| lookup(&segments, "enterprise.segment_codes", s))
            .collect::<Result<Vec<_>>>()?;
        let d = EnterpriseInput {
            credit_code: e.credit_code.clone(),
            name: e.name.clone(),
            name_en: e.name_en.clone(),
            industry_code: e.industry_code.clone(),
            district: e.district.clone(),
            park_id,
            segment_ids,
            above_size: e.above_size,
            high_tech: e.high_tech,
            leading: e.leading,
            founded_on: e.founded_on,
            status: e.status,
            contact: EnterpriseContact {
                contact_name: e.contact_name.clone(),
                phone: e.phone.clone(),
                email: e.email.clone(),
                address: e.address.clone(),
            },
        }
        .parse()
        .map_err(|err| prefixed(format!("enterprise {}", e.credit_code), err))?;
        drafts.push(d);
    }
    let mut enterprises = HashMap::new();
    for chunk in drafts.chunks(400) {
        let mut qb: QueryBuilder<'static, Db> = QueryBuilder::new(
            "INSERT INTO enterprises (credit_code, name, name_en, industry_code, district, park_id, above_size, high_tech, \
             is_leading, founded_on, status, contact_name, phone, email, address, updated_at, name_initials) ",
        );
        qb.push_values(chunk.iter().cloned(), |mut b, d| {
            let name_initials = initials(&d.name);
            b.push_bind(d.credit_code.as_str().to_string())
                .push_bind(d.name)
                .push_bind(d.name_en)
                .push_bind(d.industry_code.as_str().to_string())
                .push_bind(d.district.as_str().to_string())
                .push_bind(d.park_id)
                .push_bind(d.above_size)
                .push_bind(d.high_tech)
                .push_bind(d.leading)
                .push_bind(d.founded_on)
                .push_bind(d.status.as_str())
                .push_bind(d.contact.contact_name)
                .push_bind(d.contact.phone)
                .push_bind(d.contact.email)
                .push_bind(d.contact.address)
                .push_bind(now)
                .push_bind(name_initials);
        });
        qb.push(" RETURNING id, credit_code");
        let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *c).await?;
        for (id, code) in rows {
            enterprises.insert(code, id);
        }
    }
    let pairs: Vec<(i64, i64)> = drafts
        .iter()
        .flat_map(|d| {
            let id = enterprises[d.credit_code.as_str()];
            d.segment_ids.iter().map(move |s| (id, *s))
        })
        .collect();
    for chunk in pairs.chunks(1000) {
        let mut qb: QueryBuilder<'static, Db> =
            QueryBuilder::new("INSERT INTO enterprise_segments (enterprise_id, segment_id) ");
        qb.push_values(chunk.iter().copied(), |mut b, (e, s)| {
            b.push_bind(e).push_bind(s);
        });
        qb.build().execute(&mut *c).await?;
    }
    let mut post_count = 0;
    for p in &zone.people {
        let d = PersonInput {
            name: p.name.clone(),
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            office_phone: p.office_phone.clone(),
        }
        .parse()
        .map_err(|e| prefixed(format!("person {}", p.name), e))?;
        let person_id = insert_person(c, &d, now).await?;
        for post in &p.posts {
            let d = PostInput {
                person_id,
                role: post.role,
                chain_id: match &post.chain_code {
                    Some(x) => Some(lookup(&chains, "post.chain_code", x)?),
                    None => None,
                },
                park_id: match &post.park_code {
                    Some(x) => Some(lookup(&parks, "post.park_code", x)?),
                    None => None,
                },
                enterprise_id: match &post.enterprise_credit_code {
                    Some(x) => Some(lookup(&enterprises, "post.enterprise_credit_code", x)?),
                    None => None,
                },
                chief_level: post.chief_level,
                owner_kind: post.owner_kind,
                title: post.title.clone(),
                starts_on: post.starts_on,
                ends_on: post.ends_on,
            }
            .parse()
            .map_err(|e| prefixed(format!("post of {}", p.name), e))?;
            check_post_draft(c, None, &d).await?;
            insert_post(c, &d, now).await?;
            post_count += 1;
        }
    }
    Ok(HashMap::from([
        ("areas", areas.len()),
        ("chains", chains.len()),
        ("segments", segments.len()),
        ("supply_links", link_count),
        ("parks", parks.len()),
        ("enterprises", enterprises.len()),
        ("people", zone.people.len()),
        ("posts", post_count),
    ]))
}

#[async_trait]
impl Store for Engine {
    fn engine(&self) -> &'static str {
        Self::ENGINE
    }

    /// A store whose schema holds a migration this program does not know (restored from a newer chainpark's
    /// backup, or served by one meanwhile) is refused, naming the version: an older program would misread it.
    async fn migrate(&self) -> Result<()> {
        match Self::MIGRATOR.run(&self.pool).await {
            Err(sqlx::migrate::MigrateError::VersionMissing(version)) => {
                Err(crate::StoreError::Config(format!(
                    "the store's schema has version {version}, newer than this chainpark knows ({}): \
                     run the chainpark that wrote it, or a newer one",
                    Self::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
                )))
            }
            outcome => Ok(outcome?),
        }
    }

    async fn backup(&self, dest: &std::path::Path) -> Result<crate::operations::BackupSummary> {
        self.backup_to(dest).await
    }

    fn pool_status(&self) -> crate::operations::PoolStatus {
        crate::operations::PoolStatus {
            size: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
        }
    }

    fn read_routing(&self) -> crate::replica::ReadRouting {
        self.replica().map(|r| r.routing()).unwrap_or_default()
    }

    async fn close(&self) -> Result<()> {
        self.before_close().await?;
        self.pool.close().await;
        Ok(())
    }

    async fn discard_unfinished_import_history(&self) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query(
            "DELETE FROM figure_history WHERE superseded_by IN \
             (SELECT id FROM figure_imports WHERE stored = $1)",
        )
        .bind(false)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(removed)
    }

    async fn check(&self) -> Result<Vec<String>> {
        let mut c = self.read().await?;
        let mut problems = Vec::new();
        let checks: &[(&str, &str)] = &[
            (
                "segment whose parent is in another chain",
                "SELECT s.id FROM segments s JOIN segments p ON p.id = s.parent_id WHERE p.chain_id <> s.chain_id",
            ),
            (
                "post that ends before it starts",
                "SELECT id FROM posts WHERE ends_on IS NOT NULL AND ends_on < starts_on",
            ),
            (
                "enterprise in an unknown park",
                "SELECT e.id FROM enterprises e LEFT JOIN parks k ON k.id = e.park_id WHERE e.park_id IS NOT NULL AND k.id IS NULL",
            ),
            (
                "chain in an unknown industry area",
                "SELECT c.id FROM chains c LEFT JOIN industry_areas a ON a.id = c.area_id WHERE a.id IS NULL",
            ),
        ];
        for (what, sql) in checks {
            let ids: Vec<i64> = sqlx::query_scalar(sql).fetch_all(&mut *c).await?;
            for id in ids {
                problems.push(format!("{what}: {id}"));
            }
        }
        // Every segment tree must be a tree.
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT id, parent_id FROM segments")
            .fetch_all(&mut *c)
            .await?;
        let parents: HashMap<Id, Option<Id>> = rows.iter().copied().collect();
        for (id, parent) in &rows {
            if let Some(parent) = parent
                && would_create_cycle(
                    *id,
                    *parent,
                    |n| parents.get(&n).copied().flatten(),
                    rows.len() + 1,
                )
            {
                problems.push(format!("segment in a cycle: {id}"));
            }
        }
        // Stored codes must still parse: the reference tables may have changed since they were written.
        let enterprises: Vec<EnterpriseRow> =
            sqlx::query_as(&format!("{ENTERPRISE_COLUMNS} FROM enterprises e"))
                .fetch_all(&mut *c)
                .await?;
        for row in enterprises {
            let id = row.id();
            if let Err(e) = row.into_enterprise(Vec::new()) {
                problems.push(format!("enterprise {id}: {e}"));
            }
        }
        // Each park has at most one chief at a time.
        let doubled: Vec<i64> = sqlx::query_scalar(
            "SELECT a.park_id FROM posts a JOIN posts b ON a.park_id = b.park_id AND a.id < b.id \
             WHERE a.role = 'park_chief' AND b.role = 'park_chief' AND NOT a.archived AND NOT b.archived \
             AND a.starts_on <= COALESCE(b.ends_on, '9999-12-31') AND b.starts_on <= COALESCE(a.ends_on, '9999-12-31')",
        )
        .fetch_all(&mut *c)
        .await?;
        for park in doubled {
            problems.push(format!("park with two chiefs at once: {park}"));
        }
        Ok(problems)
    }

    async fn is_empty(&self) -> Result<bool> {
        let mut c = self.read().await?;
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM industry_areas) + (SELECT COUNT(*) FROM enterprises) + (SELECT COUNT(*) FROM people)",
        )
        .fetch_one(&mut *c)
        .await?;
        Ok(n == 0)
    }

    async fn load_registry(&self, actor: &Actor, zone: &DemoZone) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let counts = load_zone(tx.conn(), zone).await?;
        tx.commit_audited(actor, "registry", 0, "load", None, Some(&counts))
            .await
    }
}
