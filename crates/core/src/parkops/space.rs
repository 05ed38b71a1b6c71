//! Space (空间): a park's buildings and their units, and the occupancy of the units — the leases of the
//! assessment (`crate::assessment::land::Lease`) that name a unit, the same objects and not a copy. A unit exists
//! from `valid_from` to `valid_to`, a lease from its `valid_from` to its `valid_to`, so the vacancy of any day,
//! past ones included, is counted from the units and leases in force that day. Areas are hundredths of a m².

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::assessment::land::parse_hundredths;
use crate::error::{Invalid, Violations};
use crate::registry::Id;
use crate::workflow::appeals::text;
use crate::workflow::wire_enum;

/// A lease ending within this many days (its last day included) raises an alert for the park's chief.
pub const EXPIRY_ALERT_DAYS: i64 = 90;

wire_enum! {
    /// What a unit is used as.
    UnitKind {
        /// 厂房
        Factory = "factory",
        /// 办公
        Office = "office",
        /// 实验室
        Lab = "lab",
        /// 宿舍
        Dormitory = "dormitory",
    }
}

/// A building of a park.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Building {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub park_id: Id,
    pub floors: i32,
    /// Hundredths of a square metre.
    pub gross_area_m2_centi: i64,
    /// What the building is used for (厂房, 研发楼, 宿舍楼 …).
    pub building_use: String,
    pub built_year: Option<i32>,
}

/// A building as a user sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildingInput {
    pub code: String,
    pub name: String,
    pub park_id: Id,
    pub floors: i32,
    /// Gross floor area in m², up to two decimals.
    pub gross_area_m2: String,
    pub building_use: String,
    #[serde(default)]
    pub built_year: Option<i32>,
}

/// A checked building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingDraft {
    pub code: String,
    pub name: String,
    pub park_id: Id,
    pub floors: i32,
    pub gross_area_m2_centi: i64,
    pub building_use: String,
    pub built_year: Option<i32>,
}

fn check_code(v: &mut Violations, code: &str) -> String {
    let code = code.trim().to_string();
    if code.is_empty() || code.chars().count() > 64 {
        v.add("code", "must have 1 to 64 characters");
    }
    code
}

impl BuildingInput {
    pub fn parse(self) -> Result<BuildingDraft, Invalid> {
        let mut v = Violations::default();
        let code = check_code(&mut v, &self.code);
        let name = text(&mut v, "name", &self.name, true, 200);
        let building_use = text(&mut v, "building_use", &self.building_use, true, 64);
        if !(1..=200).contains(&self.floors) {
            v.add("floors", "must be from 1 to 200");
        }
        let area = parse_hundredths(&self.gross_area_m2, false).unwrap_or_else(|e| {
            v.add("gross_area_m2", e);
            0
        });
        if self.built_year.is_some_and(|y| !(1900..=2100).contains(&y)) {
            v.add("built_year", "must be from 1900 to 2100");
        }
        v.finish(BuildingDraft {
            code,
            name,
            park_id: self.park_id,
            floors: self.floors,
            gross_area_m2_centi: area,
            building_use,
            built_year: self.built_year,
        })
    }
}

/// A unit (单元) of a building: the space that is leased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: Id,
    pub building_id: Id,
    pub park_id: Id,
    /// Unique within the building (e.g. `3-301`).
    pub code: String,
    pub floor: i32,
    /// Hundredths of a square metre.
    pub area_m2_centi: i64,
    pub kind: UnitKind,
    /// The first day the unit exists as such.
    pub valid_from: NaiveDate,
    /// Its last day (merged, split or demolished), if it ended.
    pub valid_to: Option<NaiveDate>,
}

/// A unit as a user sends it (its building is in the path).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub code: String,
    pub floor: i32,
    /// Floor area in m², up to two decimals.
    pub area_m2: String,
    pub kind: UnitKind,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

/// A checked unit of the building `building_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDraft {
    pub building_id: Id,
    pub code: String,
    pub floor: i32,
    pub area_m2_centi: i64,
    pub kind: UnitKind,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl UnitInput {
    /// Checks the unit against its building: the floor must be one of the building's (basements count down from
    /// -1, at most five).
    pub fn parse(self, building: &Building) -> Result<UnitDraft, Invalid> {
        let mut v = Violations::default();
        let code = check_code(&mut v, &self.code);
        if self.floor == 0 || self.floor < -5 || self.floor > building.floors {
            v.add(
                "floor",
                format!(
                    "must be a floor of the building: 1 to {} (or -1 to -5 below ground)",
                    building.floors
                ),
            );
        }
        let area = parse_hundredths(&self.area_m2, false).unwrap_or_else(|e| {
            v.add("area_m2", e);
            0
        });
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            v.add("valid_to", "must not be before valid_from");
        }
        v.finish(UnitDraft {
            building_id: building.id,
            code,
            floor: self.floor,
            area_m2_centi: area,
            kind: self.kind,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

/// A lease of a unit as a user sends it; the tenant leases the whole unit (its area) from `valid_from`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitLeaseInput {
    /// The contract number: the lease's code.
    pub code: String,
    pub enterprise_id: Id,
    /// Monthly rent in yuan, up to two decimals.
    #[serde(default)]
    pub monthly_rent_yuan: Option<String>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

/// A checked lease of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLeaseDraft {
    pub code: String,
    pub enterprise_id: Id,
    pub monthly_rent_fen: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl UnitLeaseInput {
    pub fn parse(self) -> Result<UnitLeaseDraft, Invalid> {
        let mut v = Violations::default();
        let code = check_code(&mut v, &self.code);
        let rent = match self.monthly_rent_yuan.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => parse_hundredths(text, true)
                .map_err(|e| v.add("monthly_rent_yuan", e))
                .ok(),
        };
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            v.add("valid_to", "must not be before valid_from");
        }
        v.finish(UnitLeaseDraft {
            code,
            enterprise_id: self.enterprise_id,
            monthly_rent_fen: rent,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

/// Whether a day falls within a period whose last day is `to` (none: open).
pub fn in_force(from: NaiveDate, to: Option<NaiveDate>, on: NaiveDate) -> bool {
    from <= on && to.is_none_or(|to| on <= to)
}

/// Whether two periods share a day.
pub fn overlap(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    a.1.is_none_or(|end| b.0 <= end) && b.1.is_none_or(|end| a.0 <= end)
}

/// A lease of a unit, as occupancy counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnitLease {
    pub lease_id: Id,
    pub code: String,
    pub unit_id: Id,
    pub enterprise_id: Id,
    pub enterprise_name: String,
    pub monthly_rent_fen: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// One firm's space in a park on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FirmSpace {
    pub enterprise_id: Id,
    pub enterprise_name: String,
    pub units: i64,
    /// Hundredths of a square metre.
    pub area_m2_centi: i64,
}

/// A park's occupancy on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Occupancy {
    pub park_id: Id,
    pub on: NaiveDate,
    /// Units in force on the day, and how many of them are leased.
    pub units: i64,
    pub leased_units: i64,
    /// Floor area of the units in force, and of the leased ones (hundredths of a m²).
    pub area_m2_centi: i64,
    pub leased_m2_centi: i64,
    /// Vacant area over all area, in tenths of a percent (none without units).
    pub vacancy_permille: Option<i64>,
    /// Leased area per firm with a lease, in hundredths of a m² (none without tenants).
    pub area_per_firm_m2_centi: Option<i64>,
    /// Each tenant's space, largest first.
    pub firms: Vec<FirmSpace>,
}

/// The occupancy of a park on `on` from its units and the leases of those units: a unit is leased on a day when a
/// lease of it is in force that day; units and leases not in force are not counted.
pub fn occupancy(park_id: Id, on: NaiveDate, units: &[Unit], leases: &[UnitLease]) -> Occupancy {
    let live: BTreeMap<Id, &Unit> = units
        .iter()
        .filter(|u| in_force(u.valid_from, u.valid_to, on))
        .map(|u| (u.id, u))
        .collect();
    let mut tenant_of: BTreeMap<Id, &UnitLease> = BTreeMap::new();
    for lease in leases
        .iter()
        .filter(|l| live.contains_key(&l.unit_id) && in_force(l.valid_from, l.valid_to, on))
    {
        tenant_of.entry(lease.unit_id).or_insert(lease);
    }
    let area: i64 = live.values().map(|u| u.area_m2_centi).sum();
    let mut firms: BTreeMap<Id, FirmSpace> = BTreeMap::new();
    for (unit, lease) in &tenant_of {
        let firm = firms
            .entry(lease.enterprise_id)
            .or_insert_with(|| FirmSpace {
                enterprise_id: lease.enterprise_id,
                enterprise_name: lease.enterprise_name.clone(),
                units: 0,
                area_m2_centi: 0,
            });
        firm.units += 1;
        firm.area_m2_centi += live[unit].area_m2_centi;
    }
    let leased: i64 = firms.values().map(|f| f.area_m2_centi).sum();
    let mut firms: Vec<FirmSpace> = firms.into_values().collect();
    firms.sort_by(|a, b| {
        (b.area_m2_centi, a.enterprise_id).cmp(&(a.area_m2_centi, b.enterprise_id))
    });
    Occupancy {
        park_id,
        on,
        units: live.len() as i64,
        leased_units: tenant_of.len() as i64,
        area_m2_centi: area,
        leased_m2_centi: leased,
        vacancy_permille: (area > 0).then(|| ((area - leased) * 1000 + area / 2) / area),
        area_per_firm_m2_centi: (!firms.is_empty()).then(|| leased / firms.len() as i64),
        firms,
    }
}

/// Whether a lease ending on `valid_to` raises the expiry alert on `as_of`: from [`EXPIRY_ALERT_DAYS`] days
/// before its last day to that day.
pub fn lease_expiring(valid_to: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    valid_to.is_some_and(|to| as_of <= to && (to - as_of).num_days() <= EXPIRY_ALERT_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    fn unit(id: Id, area: i64, from: &str, to: Option<&str>) -> Unit {
        Unit {
            id,
            building_id: 1,
            park_id: 1,
            code: format!("U{id}"),
            floor: 1,
            area_m2_centi: area,
            kind: UnitKind::Factory,
            valid_from: d(from),
            valid_to: to.map(d),
        }
    }

    fn lease(id: Id, unit: Id, firm: Id, from: &str, to: Option<&str>) -> UnitLease {
        UnitLease {
            lease_id: id,
            code: format!("L{id}"),
            unit_id: unit,
            enterprise_id: firm,
            enterprise_name: format!("F{firm}"),
            monthly_rent_fen: None,
            valid_from: d(from),
            valid_to: to.map(d),
        }
    }

    #[test]
    fn vacancy_counts_the_units_and_leases_in_force_on_the_day() {
        let units = [
            unit(1, 10_000, "2020-01-01", None),
            unit(2, 30_000, "2020-01-01", None),
            unit(3, 60_000, "2025-01-01", None),
        ];
        let leases = [
            lease(1, 1, 7, "2020-01-01", Some("2023-12-31")),
            lease(2, 2, 8, "2024-01-01", None),
            lease(3, 3, 8, "2025-01-01", None),
        ];
        let then = occupancy(1, d("2023-06-30"), &units, &leases);
        assert_eq!((then.units, then.leased_units), (2, 1));
        assert_eq!(then.vacancy_permille, Some(750));
        let now = occupancy(1, d("2025-06-30"), &units, &leases);
        assert_eq!((now.units, now.leased_units), (3, 2));
        assert_eq!(now.vacancy_permille, Some(100));
        assert_eq!(now.firms.len(), 1);
        assert_eq!(now.firms[0].area_m2_centi, 90_000);
        assert_eq!(now.area_per_firm_m2_centi, Some(90_000));
    }

    #[test]
    fn a_park_without_units_has_no_vacancy_rate() {
        let empty = occupancy(1, d("2025-01-01"), &[], &[]);
        assert_eq!(empty.vacancy_permille, None);
        assert_eq!(empty.area_per_firm_m2_centi, None);
    }

    #[test]
    fn a_lease_alerts_from_ninety_days_before_its_last_day() {
        let end = Some(d("2026-09-28"));
        assert!(lease_expiring(end, d("2026-06-30")));
        assert!(!lease_expiring(end, d("2026-06-29")));
        assert!(lease_expiring(end, d("2026-09-28")));
        assert!(!lease_expiring(end, d("2026-09-29")));
        assert!(!lease_expiring(None, d("2026-06-30")));
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let a = (d("2024-01-01"), Some(d("2024-12-31")));
        assert!(overlap(a, (d("2024-12-31"), None)));
        assert!(!overlap(a, (d("2025-01-01"), None)));
        assert!(overlap((d("2020-01-01"), None), (d("2030-01-01"), None)));
    }

    #[test]
    fn a_unit_must_be_on_a_floor_of_its_building() {
        let building = Building {
            id: 1,
            code: "B1".into(),
            name: "一号厂房".into(),
            park_id: 1,
            floors: 3,
            gross_area_m2_centi: 10_000,
            building_use: "厂房".into(),
            built_year: None,
        };
        let input = |floor| UnitInput {
            code: "101".into(),
            floor,
            area_m2: "50".into(),
            kind: UnitKind::Office,
            valid_from: d("2024-01-01"),
            valid_to: None,
        };
        assert!(input(3).parse(&building).is_ok());
        let refused = input(4).parse(&building).expect_err("no fourth floor");
        assert!(format!("{refused:?}").contains("floor"), "{refused:?}");
        assert!(input(0).parse(&building).is_err());
    }
}
