//! A park's space in SQL, compiled once per engine (`crate::sqlite`, `crate::postgres`) with that engine's `Db`
//! and store type `Engine`: buildings, units and the leases of units (rows of `leases` naming a unit).

use super::{Db, Engine};

use async_trait::async_trait;
use chainpark_core::access::Kind;
use chainpark_core::assessment::land::Lease;
use chainpark_core::parkops::space::{
    Building, BuildingDraft, Occupancy, Unit, UnitDraft, UnitKind, UnitLease, UnitLeaseDraft,
    occupancy, overlap,
};
use chainpark_core::registry::Id;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, QueryBuilder};

use crate::common::{corrupt, push_reach};
use crate::space::SpaceStore;
use crate::{Actor, Result, StoreError};
type Conn = <Db as sqlx::Database>::Connection;

const BUILDING_COLUMNS: &str = "SELECT b.id, b.code, b.name, b.park_id, b.floors, b.gross_area_m2_centi, \
    b.building_use, b.built_year FROM buildings b";
const UNIT_COLUMNS: &str = "SELECT u.id, u.building_id, b.park_id, u.code, u.floor, u.area_m2_centi, u.kind, \
    u.valid_from, u.valid_to FROM units u JOIN buildings b ON b.id = u.building_id";

#[derive(FromRow)]
struct BuildingRow {
    id: i64,
    code: String,
    name: String,
    park_id: i64,
    floors: i32,
    gross_area_m2_centi: i64,
    building_use: String,
    built_year: Option<i32>,
}

impl BuildingRow {
    fn into_building(self) -> Building {
        Building {
            id: self.id,
            code: self.code,
            name: self.name,
            park_id: self.park_id,
            floors: self.floors,
            gross_area_m2_centi: self.gross_area_m2_centi,
            building_use: self.building_use,
            built_year: self.built_year,
        }
    }
}

#[derive(FromRow)]
struct UnitRow {
    id: i64,
    building_id: i64,
    park_id: i64,
    code: String,
    floor: i32,
    area_m2_centi: i64,
    kind: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

impl UnitRow {
    fn into_unit(self) -> Result<Unit> {
        Ok(Unit {
            kind: UnitKind::parse(&self.kind).ok_or_else(|| corrupt("unit", self.id, "kind"))?,
            id: self.id,
            building_id: self.building_id,
            park_id: self.park_id,
            code: self.code,
            floor: self.floor,
            area_m2_centi: self.area_m2_centi,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

type LeaseFacts = (
    i64,
    String,
    i64,
    i64,
    String,
    Option<i64>,
    NaiveDate,
    Option<NaiveDate>,
);

async fn building_row(c: &mut Conn, actor: &Actor, id: Id) -> Result<Building> {
    let mut qb = QueryBuilder::<Db>::new(format!("{BUILDING_COLUMNS} WHERE b.id = "));
    qb.push_bind(id);
    push_reach(&mut qb, Kind::Building, &actor.scope.reach(Kind::Building));
    let row: Option<BuildingRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    Ok(row
        .ok_or(StoreError::NotFound {
            kind: "building",
            id,
        })?
        .into_building())
}

async fn unit_row(c: &mut Conn, actor: &Actor, id: Id) -> Result<Unit> {
    let mut qb = QueryBuilder::<Db>::new(format!("{UNIT_COLUMNS} WHERE u.id = "));
    qb.push_bind(id);
    push_reach(&mut qb, Kind::Building, &actor.scope.reach(Kind::Building));
    let row: Option<UnitRow> = qb.build_query_as().fetch_optional(&mut *c).await?;
    row.ok_or(StoreError::NotFound { kind: "unit", id })?
        .into_unit()
}

/// The unarchived leases of a park's units with their tenants' names, by unit and start.
async fn park_leases(c: &mut Conn, park_id: Id) -> Result<Vec<UnitLease>> {
    let rows: Vec<LeaseFacts> = sqlx::query_as(
        "SELECT ls.id, ls.code, ls.unit_id, ls.enterprise_id, e.name, ls.monthly_rent_fen, ls.valid_from, ls.valid_to \
         FROM leases ls JOIN units u ON u.id = ls.unit_id JOIN buildings b ON b.id = u.building_id \
         JOIN enterprises e ON e.id = ls.enterprise_id \
         WHERE b.park_id = $1 AND ls.archived = FALSE ORDER BY ls.unit_id, ls.valid_from, ls.id",
    )
    .bind(park_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(lease_id, code, unit_id, enterprise_id, enterprise_name, rent, from, to)| UnitLease {
                lease_id,
                code,
                unit_id,
                enterprise_id,
                enterprise_name,
                monthly_rent_fen: rent,
                valid_from: from,
                valid_to: to,
            },
        )
        .collect())
}

async fn park_units(c: &mut Conn, park_id: Id) -> Result<Vec<Unit>> {
    let rows: Vec<UnitRow> = sqlx::query_as(&format!(
        "{UNIT_COLUMNS} WHERE b.park_id = $1 ORDER BY u.building_id, u.floor, u.code"
    ))
    .bind(park_id)
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter().map(UnitRow::into_unit).collect()
}

/// Refuses unless the park exists and is not archived.
async fn live_park(c: &mut Conn, park_id: Id) -> Result<()> {
    let archived: Option<bool> = sqlx::query_scalar("SELECT archived FROM parks WHERE id = $1")
        .bind(park_id)
        .fetch_optional(&mut *c)
        .await?;
    match archived {
        None => Err(StoreError::invalid(
            "park_id",
            format!("{park_id} does not exist"),
        )),
        Some(true) => Err(StoreError::invalid(
            "park_id",
            format!("{park_id} is archived"),
        )),
        Some(false) => Ok(()),
    }
}

#[async_trait]
impl SpaceStore for Engine {
    async fn create_building(
        &self,
        actor: &Actor,
        d: BuildingDraft,
        now: DateTime<Utc>,
    ) -> Result<Building> {
        actor.scope.may_keep_space(d.park_id)?;
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        live_park(c, d.park_id).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE code = $1")
            .bind(&d.code)
            .fetch_optional(&mut *c)
            .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "code",
                format!("building code {} is taken", d.code),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO buildings (code, name, park_id, floors, gross_area_m2_centi, building_use, built_year, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&d.code)
        .bind(&d.name)
        .bind(d.park_id)
        .bind(d.floors)
        .bind(d.gross_area_m2_centi)
        .bind(&d.building_use)
        .bind(d.built_year)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        let after = building_row(c, &Actor::system("space"), id).await?;
        tx.commit_audited(actor, "building", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_buildings(&self, actor: &Actor, park_id: Option<Id>) -> Result<Vec<Building>> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{BUILDING_COLUMNS} WHERE 1 = 1"));
        push_reach(&mut qb, Kind::Building, &actor.scope.reach(Kind::Building));
        if let Some(park) = park_id {
            qb.push(" AND b.park_id = ").push_bind(park);
        }
        qb.push(" ORDER BY b.park_id, b.code");
        let rows: Vec<BuildingRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        Ok(rows.into_iter().map(BuildingRow::into_building).collect())
    }

    async fn get_building(&self, actor: &Actor, id: Id) -> Result<Building> {
        let mut c = self.read().await?;
        building_row(&mut c, actor, id).await
    }

    async fn create_unit(&self, actor: &Actor, d: UnitDraft, now: DateTime<Utc>) -> Result<Unit> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let building = building_row(c, actor, d.building_id).await?;
        actor.scope.may_keep_space(building.park_id)?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM units WHERE building_id = $1 AND code = $2")
                .bind(d.building_id)
                .bind(&d.code)
                .fetch_optional(&mut *c)
                .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "code",
                format!("building {} has a unit {} already", building.code, d.code),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (building_id, code, floor, area_m2_centi, kind, valid_from, valid_to, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(d.building_id)
        .bind(&d.code)
        .bind(d.floor)
        .bind(d.area_m2_centi)
        .bind(d.kind.as_str())
        .bind(d.valid_from)
        .bind(d.valid_to)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        let after = unit_row(c, &Actor::system("space"), id).await?;
        tx.commit_audited(actor, "unit", id, "create", None, Some(&after))
            .await?;
        Ok(after)
    }

    async fn list_units(
        &self,
        actor: &Actor,
        building_id: Option<Id>,
        park_id: Option<Id>,
    ) -> Result<Vec<Unit>> {
        let mut c = self.read().await?;
        let mut qb = QueryBuilder::<Db>::new(format!("{UNIT_COLUMNS} WHERE 1 = 1"));
        push_reach(&mut qb, Kind::Building, &actor.scope.reach(Kind::Building));
        if let Some(building) = building_id {
            qb.push(" AND u.building_id = ").push_bind(building);
        }
        if let Some(park) = park_id {
            qb.push(" AND b.park_id = ").push_bind(park);
        }
        qb.push(" ORDER BY u.building_id, u.floor, u.code");
        let rows: Vec<UnitRow> = qb.build_query_as().fetch_all(&mut *c).await?;
        rows.into_iter().map(UnitRow::into_unit).collect()
    }

    async fn get_unit(&self, actor: &Actor, id: Id) -> Result<Unit> {
        let mut c = self.read().await?;
        unit_row(&mut c, actor, id).await
    }

    async fn lease_unit(
        &self,
        actor: &Actor,
        unit_id: Id,
        d: UnitLeaseDraft,
        now: DateTime<Utc>,
    ) -> Result<Lease> {
        let mut tx = self.begin_write().await?;
        let c = tx.conn();
        let unit = unit_row(c, actor, unit_id).await?;
        actor.scope.may_keep_space(unit.park_id)?;
        actor.scope.may_keep_land(unit.park_id)?;
        let firm: Option<bool> =
            sqlx::query_scalar("SELECT archived FROM enterprises WHERE id = $1")
                .bind(d.enterprise_id)
                .fetch_optional(&mut *c)
                .await?;
        if firm != Some(false) {
            return Err(StoreError::invalid(
                "enterprise_id",
                format!("{} does not exist or is archived", d.enterprise_id),
            ));
        }
        if d.valid_from < unit.valid_from {
            return Err(StoreError::invalid(
                "valid_from",
                format!(
                    "unit {} exists from {}: it cannot be leased before",
                    unit.code, unit.valid_from
                ),
            ));
        }
        if let Some(end) = unit.valid_to
            && d.valid_to.is_none_or(|to| to > end)
        {
            return Err(StoreError::invalid(
                "valid_to",
                format!(
                    "unit {} ends on {end}: the lease must end by then",
                    unit.code
                ),
            ));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM leases WHERE code = $1")
            .bind(&d.code)
            .fetch_optional(&mut *c)
            .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "code",
                format!("lease {} exists already", d.code),
            ));
        }
        let others: Vec<(String, NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
            "SELECT code, valid_from, valid_to FROM leases WHERE unit_id = $1 AND archived = FALSE ORDER BY valid_from",
        )
        .bind(unit_id)
        .fetch_all(&mut *c)
        .await?;
        if let Some((code, from, to)) = others
            .into_iter()
            .find(|(_, from, to)| overlap((*from, *to), (d.valid_from, d.valid_to)))
        {
            let until = to.map_or_else(|| "open-ended".to_string(), |t| format!("to {t}"));
            return Err(StoreError::conflict(
                "valid_from",
                format!(
                    "unit {} is leased under {code} from {from} {until}",
                    unit.code
                ),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO leases (code, enterprise_id, park_id, unit_id, area_m2_centi, monthly_rent_fen, valid_from, \
             valid_to, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&d.code)
        .bind(d.enterprise_id)
        .bind(unit.park_id)
        .bind(unit.id)
        .bind(unit.area_m2_centi)
        .bind(d.monthly_rent_fen)
        .bind(d.valid_from)
        .bind(d.valid_to)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        let lease = Lease {
            id,
            code: d.code,
            enterprise_id: d.enterprise_id,
            park_id: unit.park_id,
            unit_id: Some(unit.id),
            area_m2_centi: unit.area_m2_centi,
            monthly_rent_fen: d.monthly_rent_fen,
            valid_from: d.valid_from,
            valid_to: d.valid_to,
            archived: false,
        };
        tx.commit_audited(actor, "lease", id, "create", None, Some(&lease))
            .await?;
        Ok(lease)
    }

    async fn unit_leases(&self, actor: &Actor, park_id: Id) -> Result<Vec<UnitLease>> {
        actor.scope.may_read_space(park_id)?;
        let mut c = self.read().await?;
        park_leases(&mut c, park_id).await
    }

    async fn occupancy(&self, actor: &Actor, park_id: Id, on: NaiveDate) -> Result<Occupancy> {
        let mut c = self.read().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM parks WHERE id = $1")
            .bind(park_id)
            .fetch_optional(&mut *c)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                kind: "park",
                id: park_id,
            });
        }
        actor.scope.may_read_space(park_id)?;
        let units = park_units(&mut c, park_id).await?;
        let leases = park_leases(&mut c, park_id).await?;
        Ok(occupancy(park_id, on, &units, &leases))
    }
}
