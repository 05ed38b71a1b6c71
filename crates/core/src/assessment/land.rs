//! Land parcels (地块) and leases of standard factory space (标准厂房租赁): what area a firm is evaluated on. A
//! parcel is a piece of land in a park, held by one enterprise at a time (or by nobody: the park's own); a lease is
//! one contract for floor space, optionally naming the unit of a building it covers (park operations keep units).
//! A firm's evaluated area on a day is its parcels plus its leased floor space converted to land by the scheme's
//! plot ratio (容积率).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::Id;

/// One mu is 2000/3 square metres.
const SQUARE_METRES_PER_THREE_MU: i128 = 2000;

/// A land parcel as it is now; its earlier states are [`ParcelVersion`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LandParcel {
    pub id: Id,
    pub code: String,
    pub park_id: Id,
    pub holder_enterprise_id: Option<Id>,
    /// Hundredths of a mu.
    pub area_mu_centi: i64,
    pub land_use: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// A GeoJSON geometry, drawn on the park map when present.
    pub outline: Option<serde_json::Value>,
    pub archived: bool,
}

/// What a parcel was from `valid_from` to `valid_to`, before a later change took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParcelVersion {
    pub holder_enterprise_id: Option<Id>,
    pub area_mu_centi: i64,
    pub land_use: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// A parcel as a user or a file sends it. Its code names it: sending a known code with another holder or area
/// from a later day records the change, keeping what was before as history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelInput {
    pub code: String,
    pub park_id: Id,
    #[serde(default)]
    pub holder_enterprise_id: Option<Id>,
    /// Area in mu, up to two decimals.
    pub area_mu: String,
    pub land_use: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub outline: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParcelDraft {
    pub code: String,
    pub park_id: Id,
    pub holder_enterprise_id: Option<Id>,
    pub area_mu_centi: i64,
    pub land_use: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub outline: Option<serde_json::Value>,
}

/// A lease of standard factory space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Lease {
    pub id: Id,
    pub code: String,
    pub enterprise_id: Id,
    pub park_id: Id,
    /// The leased unit of a building, once park operations keep units.
    pub unit_id: Option<Id>,
    /// Hundredths of a square metre of floor space.
    pub area_m2_centi: i64,
    pub monthly_rent_fen: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub archived: bool,
}

/// A lease as a user or a file sends it; its code (the contract number) names it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeaseInput {
    pub code: String,
    pub enterprise_id: Id,
    pub park_id: Id,
    #[serde(default)]
    pub unit_id: Option<Id>,
    /// Floor space in m², up to two decimals.
    pub area_m2: String,
    /// Monthly rent in yuan, up to two decimals.
    #[serde(default)]
    pub monthly_rent_yuan: Option<String>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseDraft {
    pub code: String,
    pub enterprise_id: Id,
    pub park_id: Id,
    pub unit_id: Option<Id>,
    pub area_m2_centi: i64,
    pub monthly_rent_fen: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// Reads a positive (or, with `zero_ok`, non-negative) amount with at most two decimals into hundredths.
pub fn parse_hundredths(text: &str, zero_ok: bool) -> Result<i64, String> {
    let t = text.trim().replace(',', "");
    let (whole, fraction) = t.split_once('.').unwrap_or((&t, ""));
    let valid = !whole.is_empty()
        && whole.len() <= 13
        && fraction.len() <= 2
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit());
    if !valid {
        return Err(format!(
            "{text:?} is not a number with at most two decimals"
        ));
    }
    let value = whole.parse::<i64>().map_err(|e| e.to_string())? * 100
        + format!("{fraction:0<2}")
            .parse::<i64>()
            .map_err(|e| e.to_string())?;
    if value == 0 && !zero_ok {
        return Err("must be greater than zero".into());
    }
    Ok(value)
}

fn check_code(v: &mut Violations, code: &str) -> String {
    let code = code.trim().to_string();
    if code.is_empty() || code.chars().count() > 64 {
        v.add("code", "must have 1 to 64 characters");
    }
    code
}

fn check_period(v: &mut Violations, from: NaiveDate, to: Option<NaiveDate>) {
    if to.is_some_and(|to| to < from) {
        v.add("valid_to", "must not be before valid_from");
    }
}

impl ParcelInput {
    pub fn parse(self) -> Result<ParcelDraft, Invalid> {
        let mut v = Violations::default();
        let code = check_code(&mut v, &self.code);
        let area = parse_hundredths(&self.area_mu, false).unwrap_or_else(|e| {
            v.add("area_mu", e);
            0
        });
        let land_use = self.land_use.trim().to_string();
        if land_use.is_empty() || land_use.chars().count() > 64 {
            v.add("land_use", "must have 1 to 64 characters");
        }
        check_period(&mut v, self.valid_from, self.valid_to);
        if let Some(outline) = &self.outline
            && !is_polygon(outline)
        {
            v.add(
                "outline",
                "must be a GeoJSON Polygon or MultiPolygon with longitude/latitude positions",
            );
        }
        v.finish(ParcelDraft {
            code,
            park_id: self.park_id,
            holder_enterprise_id: self.holder_enterprise_id,
            area_mu_centi: area,
            land_use,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            outline: self.outline,
        })
    }
}

/// Whether a GeoJSON value is a Polygon or MultiPolygon whose positions are longitude/latitude pairs.
fn is_polygon(value: &serde_json::Value) -> bool {
    fn ring(r: &serde_json::Value) -> bool {
        r.as_array().is_some_and(|points| {
            points.len() >= 4
                && points.iter().all(|p| {
                    p.as_array().is_some_and(|xy| {
                        xy.len() >= 2
                            && xy[0]
                                .as_f64()
                                .is_some_and(|lon| (-180.0..=180.0).contains(&lon))
                            && xy[1]
                                .as_f64()
                                .is_some_and(|lat| (-90.0..=90.0).contains(&lat))
                    })
                })
        })
    }
    let polygon = |p: &serde_json::Value| {
        p.as_array()
            .is_some_and(|rings| !rings.is_empty() && rings.iter().all(ring))
    };
    let coordinates = &value["coordinates"];
    match value["type"].as_str() {
        Some("Polygon") => polygon(coordinates),
        Some("MultiPolygon") => coordinates
            .as_array()
            .is_some_and(|ps| !ps.is_empty() && ps.iter().all(polygon)),
        _ => false,
    }
}

impl LeaseInput {
    pub fn parse(self) -> Result<LeaseDraft, Invalid> {
        let mut v = Violations::default();
        let code = check_code(&mut v, &self.code);
        let area = parse_hundredths(&self.area_m2, false).unwrap_or_else(|e| {
            v.add("area_m2", e);
            0
        });
        let rent = match self.monthly_rent_yuan.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => parse_hundredths(text, true)
                .map_err(|e| v.add("monthly_rent_yuan", e))
                .ok(),
        };
        check_period(&mut v, self.valid_from, self.valid_to);
        v.finish(LeaseDraft {
            code,
            enterprise_id: self.enterprise_id,
            park_id: self.park_id,
            unit_id: self.unit_id,
            area_m2_centi: area,
            monthly_rent_fen: rent,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

/// Whether a period from `from` to `to` (open when `None`) covers `day`.
pub fn covers(from: NaiveDate, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from <= day && to.is_none_or(|to| to >= day)
}

/// Hundredths of a mu of land that `area_m2_centi` of floor space stands for at a plot ratio of
/// `plot_ratio_centi` hundredths: floor space ÷ plot ratio, in mu (1 mu = 2000/3 m²), rounded half up.
pub fn leased_land_centi_mu(area_m2_centi: i64, plot_ratio_centi: i64) -> i64 {
    let num = i128::from(area_m2_centi) * 3 * 100;
    let den = SQUARE_METRES_PER_THREE_MU * i128::from(plot_ratio_centi.max(1));
    ((2 * num + den) / (2 * den)) as i64
}

/// A firm's evaluated area and what it is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EvaluatedArea {
    /// Land it holds, hundredths of a mu.
    pub held_centi_mu: i64,
    /// Floor space it leases, hundredths of a m².
    pub leased_m2_centi: i64,
    /// The leased space as land at the plot ratio, hundredths of a mu.
    pub leased_centi_mu: i64,
}

impl EvaluatedArea {
    /// Land held plus leased space at `plot_ratio_centi`.
    pub fn new(held_centi_mu: i64, leased_m2_centi: i64, plot_ratio_centi: i64) -> EvaluatedArea {
        EvaluatedArea {
            held_centi_mu,
            leased_m2_centi,
            leased_centi_mu: leased_land_centi_mu(leased_m2_centi, plot_ratio_centi),
        }
    }

    pub fn total_centi_mu(self) -> i64 {
        self.held_centi_mu + self.leased_centi_mu
    }

    /// Whether the firm holds no land and is evaluated on leased space only.
    pub fn leases_only(self) -> bool {
        self.held_centi_mu == 0 && self.leased_centi_mu > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
    }

    #[test]
    fn leased_floor_space_counts_as_land_divided_by_the_plot_ratio() {
        // 2,000 m² at plot ratio 1.0 is 3 mu; at 1.5 it is 2 mu; 1,000 m² at 1.2 is 1.25 mu.
        assert_eq!(leased_land_centi_mu(200_000, 100), 300);
        assert_eq!(leased_land_centi_mu(200_000, 150), 200);
        assert_eq!(leased_land_centi_mu(100_000, 120), 125);
        let area = EvaluatedArea::new(1_000, 200_000, 150);
        assert_eq!(area.total_centi_mu(), 1_200);
        assert!(!area.leases_only());
    }

    #[test]
    fn a_parcel_input_names_every_bad_field() {
        let input = ParcelInput {
            code: " ".into(),
            park_id: 1,
            holder_enterprise_id: None,
            area_mu: "12.345".into(),
            land_use: "工业".into(),
            valid_from: day("2022-01-01"),
            valid_to: Some(day("2021-01-01")),
            outline: Some(serde_json::json!({"type": "Point", "coordinates": [106.5, 29.5]})),
        };
        let fields: Vec<String> = input
            .parse()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["code", "area_mu", "valid_to", "outline"]);
    }

    #[test]
    fn a_period_without_an_end_covers_every_later_day() {
        assert!(covers(day("2020-03-01"), None, day("2022-12-31")));
        assert!(!covers(
            day("2020-03-01"),
            Some(day("2022-12-30")),
            day("2022-12-31")
        ));
        assert!(!covers(day("2023-01-01"), None, day("2022-12-31")));
    }
}
