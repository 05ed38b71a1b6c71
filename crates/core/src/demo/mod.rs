//! A demo zone shaped like Chongqing's Liangjiang New Area: the "10+1" industry areas, 11 chains with their segment
//! trees, 20 parks, the people who lead them since August 2021, and about 9,000 enterprises, most of them in the
//! digital economy. Generated deterministically (a fixed-seed SplitMix64), so it is identical on every run and every
//! machine; nothing here does I/O. Names of persons and most firms are invented; e-mail domains are `example.com`.

mod chains;
mod enterprises;
pub mod figures;
mod names;
mod parks;
mod people;
pub mod plan;
mod rng;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use crate::registry::{ChiefLevel, EnterpriseStatus, OwnerKind, PostRole, Stage};

/// Everything the demo zone holds, in the order a store would load it.
#[derive(Debug, Clone)]
pub struct DemoZone {
    pub areas: Vec<DemoArea>,
    pub chains: Vec<DemoChain>,
    pub parks: Vec<DemoPark>,
    pub people: Vec<DemoPerson>,
    pub enterprises: Vec<DemoEnterprise>,
}

/// An industry area (产业功能区).
#[derive(Debug, Clone)]
pub struct DemoArea {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
}

/// An industry chain (产业链) with its segment tree; parents come before their children in `segments`.
#[derive(Debug, Clone)]
pub struct DemoChain {
    pub code: String,
    pub area_code: String,
    pub name: String,
    pub name_en: String,
    pub segments: Vec<DemoSegment>,
    /// Supply links by segment code, from supplier to supplied.
    pub links: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct DemoSegment {
    /// Unique within the whole zone: the chain code, then the path in the tree, e.g. `AUTO-NEV-BATT`.
    pub code: String,
    /// Code of the parent segment in the same chain.
    pub parent: Option<String>,
    pub name: String,
    pub name_en: String,
    pub stage: Stage,
    /// Order among siblings, from 1.
    pub position: i32,
    /// GB/T 4754-2017 classes (小类) typical of the segment's firms.
    pub industry_codes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DemoPark {
    pub code: String,
    pub area_code: String,
    pub name: String,
    pub name_en: String,
    /// GB/T 2260 code: Jiangbei 500105, Beibei 500109 or Yubei 500112.
    pub district: String,
    pub land_area_mu: i64,
    pub lon: f64,
    pub lat: f64,
    /// A closed ring (first point repeated last) of (lon, lat) around the location.
    pub outline: Option<Vec<(f64, f64)>>,
}

#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub name: String,
    pub title: String,
    pub organisation: String,
    pub phone: String,
    pub email: String,
    /// The office's landline (officials, owners, park staff); enterprise contacts have their firm's contact data.
    pub office_phone: String,
    pub posts: Vec<DemoPost>,
}

/// A post held for a period (the end date is the last day held); its scope matches the role.
#[derive(Debug, Clone)]
pub struct DemoPost {
    pub role: PostRole,
    pub chain_code: Option<String>,
    pub park_code: Option<String>,
    pub enterprise_credit_code: Option<String>,
    pub chief_level: Option<ChiefLevel>,
    pub owner_kind: Option<OwnerKind>,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct DemoEnterprise {
    pub credit_code: String,
    pub name: String,
    pub name_en: String,
    pub industry_code: String,
    pub district: String,
    pub park_code: Option<String>,
    /// One or two segments, always of one chain.
    pub segment_codes: Vec<String>,
    pub above_size: bool,
    pub high_tech: bool,
    pub leading: bool,
    pub founded_on: Option<NaiveDate>,
    pub status: EnterpriseStatus,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

/// The demo zone. Takes a few tens of milliseconds; call it once and keep the result.
pub fn demo_zone() -> DemoZone {
    let enterprises = enterprises::enterprises();
    let people = people::people(&enterprises);
    DemoZone {
        areas: chains::areas(),
        chains: chains::chains(),
        parks: parks::parks(),
        people,
        enterprises,
    }
}
