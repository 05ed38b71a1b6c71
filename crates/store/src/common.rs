//! Helpers that the engines' SQL (in `src/sql/`) shares: row types, column lists and query pieces. The SQL itself
//! is written once in `src/sql/*.rs` and compiled for each engine by `sqlite.rs` and `postgres.rs`.

use chainpark_core::access::{Kind, Reach};
use chainpark_core::credit_code::CreditCode;
use chainpark_core::district::DistrictCode;
use chainpark_core::industry::IndustryCode;
use chainpark_core::list::Paging;
use chainpark_core::registry::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, QueryBuilder};

use crate::StoreError;

pub(crate) fn corrupt(what: &str, id: Id, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: {detail}"))
}

/// `ORDER BY` for a list: the client's sort key must be one of `allowed` (key → column); ties break on id so
/// paging is stable.
pub(crate) fn order_by(
    paging: &Paging,
    allowed: &[(&str, &str)],
    default: &str,
) -> Result<String, StoreError> {
    let column = match &paging.sort {
        None => default,
        Some(key) => allowed
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, c)| *c)
            .ok_or_else(|| {
                let keys: Vec<&str> = allowed.iter().map(|(k, _)| *k).collect();
                StoreError::invalid(
                    "sort",
                    format!("unknown sort key {key:?}; use one of {}", keys.join(", ")),
                )
            })?,
    };
    let direction = if paging.descending { "DESC" } else { "ASC" };
    Ok(format!(" ORDER BY {column} {direction}, id {direction}"))
}

/// A `LIKE` pattern that finds `q` anywhere, with the wildcard characters of `q` itself escaped.
pub(crate) fn contains_pattern(q: &str) -> String {
    let mut pattern = String::from("%");
    for c in q.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What differs between the two engines inside otherwise shared SQL.
pub(crate) trait Dialect {
    /// The text around ONE bound parameter that holds a JSON array of ids (`id_list_json`), making an `IN`
    /// condition over them: `column IN <open>$1<close>`. A list bound id by id would meet SQLite's limit of
    /// 32,766 variables in a statement (PostgreSQL's: 65,535) once it is long enough.
    const ID_LIST: (&'static str, &'static str);
    /// Written after a text column in `ORDER BY` so that it sorts by its characters' code points, as Rust compares
    /// strings (SQLite's default; PostgreSQL would otherwise follow the database's locale).
    const BY_CODE_POINT: &'static str;
}

impl Dialect for sqlx::Sqlite {
    const ID_LIST: (&'static str, &'static str) = ("IN (SELECT value FROM json_each(", "))");
    const BY_CODE_POINT: &'static str = "";
}

impl Dialect for sqlx::Postgres {
    const ID_LIST: (&'static str, &'static str) = (
        "IN (SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(",
        " AS JSONB)))",
    );
    const BY_CODE_POINT: &'static str = " COLLATE \"C\"";
}

/// The ids as the JSON array that `Dialect::ID_LIST` reads.
pub(crate) fn id_list_json(ids: &[Id]) -> String {
    let items: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(","))
}

/// How a kind's table is tied to chains, parks, enterprises and people, in SQL: the store's side of
/// `chainpark_core::access::Kind`, from which a `Reach` is rendered as a condition. In each tie `{}` stands for a
/// list of ids (for the person tie: one id); a kind without a tie of some sort is never reached through it.
pub(crate) struct TiesSql {
    /// The table with its alias, and the id column, for `id IN (SELECT ...)` conditions on other tables.
    pub(crate) table: &'static str,
    pub(crate) id: &'static str,
    pub(crate) chain: Option<&'static str>,
    pub(crate) park: Option<&'static str>,
    pub(crate) enterprise: Option<&'static str>,
    pub(crate) person: Option<&'static str>,
}

pub(crate) fn ties_sql(kind: Kind) -> TiesSql {
    match kind {
        Kind::Area => TiesSql {
            table: "industry_areas a",
            id: "a.id",
            chain: None,
            park: None,
            enterprise: None,
            person: None,
        },
        Kind::Chain => TiesSql {
            table: "chains c",
            id: "c.id",
            chain: Some("c.id IN ({})"),
            park: None,
            enterprise: Some(
                "c.id IN (SELECT ts.chain_id FROM segments ts JOIN enterprise_segments tes ON tes.segment_id = ts.id \
                 WHERE tes.enterprise_id IN ({}))",
            ),
            person: None,
        },
        Kind::Segment => TiesSql {
            table: "segments s",
            id: "s.id",
            chain: Some("s.chain_id IN ({})"),
            park: None,
            enterprise: Some(
                "s.id IN (SELECT tes.segment_id FROM enterprise_segments tes WHERE tes.enterprise_id IN ({}))",
            ),
            person: None,
        },
        Kind::SupplyLink => TiesSql {
            table: "supply_links l",
            id: "l.id",
            chain: Some(
                "l.from_segment_id IN (SELECT ts.id FROM segments ts WHERE ts.chain_id IN ({}))",
            ),
            park: None,
            enterprise: None,
            person: None,
        },
        Kind::Park => TiesSql {
            table: "parks k",
            id: "k.id",
            chain: None,
            park: Some("k.id IN ({})"),
            enterprise: Some("k.id IN (SELECT te.park_id FROM enterprises te WHERE te.id IN ({}))"),
            person: None,
        },
        Kind::Enterprise | Kind::EnterpriseContact => TiesSql {
            table: "enterprises e",
            id: "e.id",
            chain: Some(
                "e.id IN (SELECT tes.enterprise_id FROM enterprise_segments tes JOIN segments ts ON ts.id = tes.segment_id \
                 WHERE ts.chain_id IN ({}))",
            ),
            park: Some("e.park_id IN ({})"),
            enterprise: Some("e.id IN ({})"),
            person: None,
        },
        Kind::Appeal => TiesSql {
            table: "appeals a",
            id: "a.id",
            chain: Some("a.chain_id IN ({})"),
            park: Some("a.park_id IN ({})"),
            enterprise: Some("a.enterprise_id IN ({})"),
            person: Some(
                "{} IN (a.handler_person_id, a.assignee_person_id, a.escalated_to_person_id)",
            ),
        },
        Kind::Project => TiesSql {
            table: "projects p",
            id: "p.id",
            chain: Some("p.chain_id IN ({})"),
            park: Some("p.park_id IN ({})"),
            enterprise: None,
            person: None,
        },
        Kind::LandParcel => TiesSql {
            table: "land_parcels lp",
            id: "lp.id",
            chain: Some(
                "lp.holder_enterprise_id IN (SELECT tes.enterprise_id FROM enterprise_segments tes \
                 JOIN segments ts ON ts.id = tes.segment_id WHERE ts.chain_id IN ({}))",
            ),
            park: Some("lp.park_id IN ({})"),
            enterprise: Some("lp.holder_enterprise_id IN ({})"),
            person: None,
        },
        Kind::Lease => TiesSql {
            table: "leases ls",
            id: "ls.id",
            chain: Some(
                "ls.enterprise_id IN (SELECT tes.enterprise_id FROM enterprise_segments tes \
                 JOIN segments ts ON ts.id = tes.segment_id WHERE ts.chain_id IN ({}))",
            ),
            park: Some("ls.park_id IN ({})"),
            enterprise: Some("ls.enterprise_id IN ({})"),
            person: None,
        },
        Kind::AssessmentResult => TiesSql {
            table: "assessment_results ar",
            id: "ar.enterprise_id",
            chain: Some(
                "ar.enterprise_id IN (SELECT tes.enterprise_id FROM enterprise_segments tes \
                 JOIN segments ts ON ts.id = tes.segment_id WHERE ts.chain_id IN ({}))",
            ),
            park: Some("ar.park_id IN ({})"),
            enterprise: Some("ar.enterprise_id IN ({})"),
            person: None,
        },
        Kind::ChainIntel => TiesSql {
            table: "chains c",
            id: "c.id",
            chain: Some("c.id IN ({})"),
            park: None,
            enterprise: None,
            person: None,
        },
        Kind::Candidate => TiesSql {
            table: "candidates d",
            id: "d.id",
            chain: None,
            park: None,
            enterprise: None,
            person: None,
        },
        Kind::WorkOrder => TiesSql {
            table: "work_orders w",
            id: "w.id",
            chain: None,
            park: Some("w.park_id IN ({})"),
            enterprise: None,
            person: Some("{} IN (w.assignee_person_id, w.escalated_to_person_id)"),
        },
        Kind::Building => TiesSql {
            table: "buildings b",
            id: "b.id",
            chain: None,
            park: Some("b.park_id IN ({})"),
            enterprise: None,
            person: None,
        },
        Kind::Inspection => TiesSql {
            table: "inspection_plans ip",
            id: "ip.id",
            chain: None,
            park: Some("ip.park_id IN ({})"),
            enterprise: None,
            person: None,
        },
        Kind::Meter => TiesSql {
            table: "meters m",
            id: "m.id",
            chain: None,
            park: Some("m.park_id IN ({})"),
            enterprise: Some("m.enterprise_id IN ({})"),
            person: None,
        },
    }
}

/// Adds ` AND (condition)` limiting `kind`'s table (under the alias `ties_sql` gives it) to the reach: the one
/// place where the policy's `Reach` becomes SQL, for both engines. `Reach::All` adds nothing.
pub(crate) fn push_reach<DB>(qb: &mut QueryBuilder<'static, DB>, kind: Kind, reach: &Reach)
where
    DB: sqlx::Database,
    Id: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let Reach::Tied {
        chains,
        any_chain,
        parks,
        enterprises,
        person,
    } = reach
    else {
        return;
    };
    let ties = ties_sql(kind);
    qb.push(" AND (1 = 0");
    let mut tie = |template: Option<&str>, ids: &[Id], every: Option<&str>| {
        let Some((before, after)) = template.and_then(|t| t.split_once("{}")) else {
            return;
        };
        if let Some(every) = every {
            qb.push(format!(" OR {before}{every}{after}"));
        } else if !ids.is_empty() {
            qb.push(format!(" OR {before}"));
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(after.to_string());
        }
    };
    tie(
        ties.chain,
        chains,
        any_chain.then_some("SELECT id FROM chains"),
    );
    tie(ties.park, parks, None);
    tie(ties.enterprise, enterprises, None);
    tie(ties.person, person.as_slice(), None);
    qb.push(")");
}

/// Adds ` AND column IN (the ids of kind's objects in reach)` (for `Reach::All`, that the column is set).
pub(crate) fn push_reached_ids<DB>(
    qb: &mut QueryBuilder<'static, DB>,
    column: &str,
    kind: Kind,
    reach: &Reach,
) where
    DB: sqlx::Database,
    Id: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" AND ");
    push_reached_condition(qb, column, kind, reach);
}

/// Adds the condition `column IN (the ids of kind's objects in reach)` (for `Reach::All`, that the column is set),
/// for use inside an expression.
pub(crate) fn push_reached_condition<DB>(
    qb: &mut QueryBuilder<'static, DB>,
    column: &str,
    kind: Kind,
    reach: &Reach,
) where
    DB: sqlx::Database,
    Id: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if *reach == Reach::All {
        qb.push(format!("{column} IS NOT NULL"));
        return;
    }
    let ties = ties_sql(kind);
    qb.push(format!(
        "{column} IN (SELECT {} FROM {} WHERE 1 = 1",
        ties.id, ties.table
    ));
    push_reach(qb, kind, reach);
    qb.push(")");
}

/// The limit as SQL accepts it: "all" is a very large number on both engines.
pub(crate) fn sql_limit(paging: &Paging) -> i64 {
    paging.limit.min(i64::MAX / 2)
}

#[derive(FromRow)]
pub(crate) struct AreaRow {
    id: i64,
    code: String,
    name: String,
    name_en: String,
    description: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl AreaRow {
    pub(crate) fn into_area(self) -> IndustryArea {
        IndustryArea {
            id: self.id,
            code: self.code,
            name: self.name,
            name_en: self.name_en,
            description: self.description,
            archived: self.archived,
            updated_at: self.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct ChainRow {
    id: i64,
    area_id: i64,
    code: String,
    name: String,
    name_en: String,
    description: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl ChainRow {
    pub(crate) fn into_chain(self) -> Chain {
        Chain {
            id: self.id,
            area_id: self.area_id,
            code: self.code,
            name: self.name,
            name_en: self.name_en,
            description: self.description,
            archived: self.archived,
            updated_at: self.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct SegmentRow {
    id: i64,
    chain_id: i64,
    parent_id: Option<i64>,
    code: String,
    name: String,
    name_en: String,
    stage: String,
    position: i32,
    industry_codes: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl SegmentRow {
    pub(crate) fn into_segment(self) -> Result<Segment, StoreError> {
        let stage =
            Stage::parse(&self.stage).ok_or_else(|| corrupt("segment", self.id, "stage"))?;
        Ok(Segment {
            id: self.id,
            chain_id: self.chain_id,
            parent_id: self.parent_id,
            code: self.code,
            name: self.name,
            name_en: self.name_en,
            stage,
            position: self.position,
            industry_codes: split_codes(&self.industry_codes),
            archived: self.archived,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) fn join_codes(codes: &[IndustryCode]) -> String {
    codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn split_codes(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(FromRow)]
pub(crate) struct LinkRow {
    id: i64,
    from_segment_id: i64,
    to_segment_id: i64,
    note: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl LinkRow {
    pub(crate) fn into_link(self) -> SupplyLink {
        SupplyLink {
            id: self.id,
            from_segment_id: self.from_segment_id,
            to_segment_id: self.to_segment_id,
            note: self.note,
            archived: self.archived,
            updated_at: self.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct PersonRow {
    id: i64,
    name: String,
    title: String,
    organisation: String,
    phone: String,
    email: String,
    office_phone: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl PersonRow {
    pub(crate) fn into_person(self) -> Person {
        Person {
            id: self.id,
            name: self.name,
            title: self.title,
            organisation: self.organisation,
            phone: self.phone,
            email: self.email,
            office_phone: self.office_phone,
            archived: self.archived,
            updated_at: self.updated_at,
        }
    }
}

#[derive(FromRow)]
pub(crate) struct PostRow {
    id: i64,
    person_id: i64,
    role: String,
    chain_id: Option<i64>,
    park_id: Option<i64>,
    enterprise_id: Option<i64>,
    chief_level: Option<String>,
    owner_kind: Option<String>,
    title: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl PostRow {
    pub(crate) fn into_post(self) -> Result<Post, StoreError> {
        let id = self.id;
        let role = PostRole::parse(&self.role).ok_or_else(|| corrupt("post", id, "role"))?;
        let chief_level = match self.chief_level.as_deref() {
            None => None,
            Some(text) => {
                Some(ChiefLevel::parse(text).ok_or_else(|| corrupt("post", id, "chief_level"))?)
            }
        };
        let owner_kind = match self.owner_kind.as_deref() {
            None => None,
            Some(text) => {
                Some(OwnerKind::parse(text).ok_or_else(|| corrupt("post", id, "owner_kind"))?)
            }
        };
        Ok(Post {
            id,
            person_id: self.person_id,
            role,
            chain_id: self.chain_id,
            park_id: self.park_id,
            enterprise_id: self.enterprise_id,
            chief_level,
            owner_kind,
            title: self.title,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            archived: self.archived,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct ParkRow {
    id: i64,
    area_id: i64,
    code: String,
    name: String,
    name_en: String,
    district: String,
    land_area_centi_mu: i64,
    lon: Option<f64>,
    lat: Option<f64>,
    outline: Option<String>,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl ParkRow {
    pub(crate) fn id(&self) -> Id {
        self.id
    }

    pub(crate) fn into_park(self, chief: Option<PersonRef>) -> Result<Park, StoreError> {
        let id = self.id;
        let district = DistrictCode::parse(&self.district).map_err(|e| corrupt("park", id, e))?;
        let outline = match &self.outline {
            None => None,
            Some(text) => Some(serde_json::from_str(text).map_err(|e| corrupt("park", id, e))?),
        };
        let land = LandArea::from_centi_mu(self.land_area_centi_mu);
        Ok(Park {
            id,
            area_id: self.area_id,
            code: self.code,
            name: self.name,
            name_en: self.name_en,
            district,
            land_area_mu: land.mu(),
            land_area_ha: land.hectares(),
            location: match (self.lon, self.lat) {
                (Some(lon), Some(lat)) => Some(GeoPoint { lon, lat }),
                _ => None,
            },
            outline,
            chief,
            archived: self.archived,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct EnterpriseRow {
    id: i64,
    credit_code: String,
    name: String,
    name_en: String,
    industry_code: String,
    district: String,
    park_id: Option<i64>,
    above_size: bool,
    high_tech: bool,
    leading: bool,
    founded_on: Option<NaiveDate>,
    status: String,
    contact_name: String,
    phone: String,
    email: String,
    address: String,
    archived: bool,
    updated_at: DateTime<Utc>,
}

impl EnterpriseRow {
    pub(crate) fn id(&self) -> Id {
        self.id
    }

    pub(crate) fn into_enterprise(self, segment_ids: Vec<Id>) -> Result<Enterprise, StoreError> {
        let id = self.id;
        let credit_code =
            CreditCode::parse(&self.credit_code).map_err(|e| corrupt("enterprise", id, e))?;
        let industry_code =
            IndustryCode::parse(&self.industry_code).map_err(|e| corrupt("enterprise", id, e))?;
        let district =
            DistrictCode::parse(&self.district).map_err(|e| corrupt("enterprise", id, e))?;
        let status = EnterpriseStatus::parse(&self.status)
            .ok_or_else(|| corrupt("enterprise", id, "status"))?;
        Ok(Enterprise {
            id,
            credit_code,
            name: self.name,
            name_en: self.name_en,
            industry_code,
            district,
            park_id: self.park_id,
            segment_ids,
            above_size: self.above_size,
            high_tech: self.high_tech,
            leading: self.leading,
            founded_on: self.founded_on,
            status,
            contact: Some(EnterpriseContact {
                contact_name: self.contact_name,
                phone: self.phone,
                email: self.email,
                address: self.address,
            }),
            archived: self.archived,
            updated_at: self.updated_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct AuditRow {
    pub(crate) id: i64,
    pub(crate) at: DateTime<Utc>,
    pub(crate) actor: String,
    pub(crate) object_kind: String,
    pub(crate) object_id: i64,
    pub(crate) action: String,
    pub(crate) before: Option<sqlx::types::Json<serde_json::Value>>,
    pub(crate) after: Option<sqlx::types::Json<serde_json::Value>>,
}
