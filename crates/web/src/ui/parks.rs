//! The parks: a list, and each park's page with its chief, land, location, tenant enterprises, output and output
//! per mu (亩均产值) for the period, and its monthly trend.

use askama::Template;
use axum::extract::{Path, Query, State};
use chainpark_core::access::Landing;
use chainpark_core::district::DistrictCode;
use chainpark_core::figures::{Dimension, RollupGroup, rounded_quotient};
use chainpark_core::list::Paging;
use chainpark_core::parkops::meters::{Medium, format_amount};
use chainpark_core::parkops::space::in_force;
use chainpark_core::period::Month;
use chainpark_core::registry::{Id, Park};
use chainpark_store::figures::ShareOf;
use chainpark_store::parkops::AlarmFilter;
use chainpark_store::{EnterpriseFilter, ParkFilter};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::chains::{FirmRow, flags};
use super::charts;
use super::export;
use super::format;
use super::i18n::Lang;
use super::map::{self, MapPark};
use super::sort::Cell;
use super::stats::{self, GROSS_OUTPUT};
use super::{Chrome, PageResult, Viewer, optional, render};
use crate::AppState;
use chainpark_app::exports::ExportFormat;
use chainpark_app::exports::Table;

pub struct ParkRow {
    pub id: Id,
    pub name: String,
    pub district: String,
    pub chief: String,
    pub land_mu: String,
    pub firms: i64,
    pub firms_text: String,
    /// Gross output in 亿元 and output per mu in 万元 for the period when figures exist, or the words saying they
    /// are withheld from the viewer.
    pub output_yi: Option<String>,
    pub per_mu_wan: Option<String>,
    pub output: String,
    pub per_mu: String,
    /// Land, output and output per mu as numbers for sorting (none when there is no figure or it is withheld).
    pub land: f64,
    pub output_value: Option<f64>,
    pub per_mu_value: Option<f64>,
}

#[derive(Template)]
#[template(path = "parks.html")]
struct ParksPage {
    chrome: Chrome,
    rows: Vec<ParkRow>,
    map_svg: String,
    /// The land and output columns' headers, with unit and period.
    land_th: String,
    output_th: String,
    sorting: super::sort::Sorting,
}

fn district_name(code: &DistrictCode, lang: Lang) -> String {
    lang.pick(code.name(), code.name_en()).to_string()
}

/// Output per mu in 万元 per 亩, exactly: output (fen) ÷ land (mu).
fn output_per_mu(output_fen: i64, land_mu: f64) -> Option<String> {
    let centi_mu = (land_mu * 100.0).round() as i128;
    (centi_mu > 0).then(|| rounded_quotient(i128::from(output_fen) * 100, centi_mu * 1_000_000, 2))
}

/// Output per mu of a park's group in 万元 per 亩, or the words saying it is withheld (it would give the output).
fn per_mu_or_withheld(lang: Lang, g: &RollupGroup, land_mu: f64) -> Option<String> {
    match (&g.value, g.suppressed) {
        (_, Some(rule)) => Some(stats::withheld(lang, rule)),
        (Some(v), None) => output_per_mu(v.hundredths, land_mu),
        (None, None) => None,
    }
}

fn map_park(p: &Park, lang: Lang, hover: String, selected: bool) -> Option<MapPark> {
    let location = p.location?;
    let name = lang.pick(&p.name, &p.name_en).to_string();
    Some(MapPark {
        id: p.id,
        name: stats::short_park_name(&name),
        lon: location.lon,
        lat: location.lat,
        outline: p
            .outline
            .as_ref()
            .map(|ring| ring.iter().map(|g| (g.lon, g.lat)).collect()),
        hover,
        selected,
    })
}

/// The columns the park list sorts by; by default the store's order.
const SORTABLE: &[&str] = &[
    "name", "chief", "district", "land", "firms", "output", "per_mu",
];

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
    dir: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let sorting = super::sort::Sorting::read(
        "/parks",
        String::new(),
        q.sort.as_deref(),
        q.dir.as_deref(),
        SORTABLE,
        ("", false),
    )
    .map_err(|e| viewer.fail(e))?;
    let (mut rows, map_parks, period) = park_rows(&state, &viewer).await?;
    sorting.sort(&mut rows, |r, key| match key {
        "chief" => Cell::Text(r.chief.clone()),
        "district" => Cell::Text(r.district.clone()),
        "land" => Cell::Number(Some(r.land)),
        "firms" => Cell::Number(Some(r.firms as f64)),
        "output" => Cell::Number(r.output_value),
        "per_mu" => Cell::Number(r.per_mu_value),
        _ => Cell::Text(r.name.clone()),
    });
    Ok(render(ParksPage {
        sorting,
        chrome: viewer.chrome(viewer.t("parks.title"), "parks"),
        rows,
        map_svg: map::parks_map(&map_parks, viewer.t("dash.parks_map")),
        land_th: format!("{} ({})", viewer.t("park.land"), viewer.t("unit.mu")),
        output_th: format!(
            "{} ({})",
            viewer.t("park.output"),
            stats::period_label(period, viewer.lang)
        ),
    }))
}

async fn export(state: &AppState, viewer: &Viewer, kind: ExportFormat) -> PageResult {
    viewer.require_zone_views()?;
    let (rows, _, period) = park_rows(state, viewer).await?;
    let t = |key| viewer.t(key).to_string();
    let period = stats::period_label(period, viewer.lang);
    let table = Table {
        name: "parks",
        header: vec![
            t("common.name"),
            t("park.chief"),
            t("park.district"),
            format!("{} ({})", t("park.land"), t("unit.mu")),
            t("count.enterprises"),
            format!("{} {period} ({})", t("park.output"), t("unit.yi")),
            format!("{} {period} ({})", t("park.per_mu"), t("unit.wan_per_mu")),
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    r.name,
                    r.chief,
                    r.district,
                    r.land_mu,
                    r.firms.to_string(),
                    r.output_yi.unwrap_or_default(),
                    r.per_mu_wan.unwrap_or_default(),
                ]
            })
            .collect(),
    };
    export::download(viewer, table, kind).await
}

pub async fn export_csv(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    export(&state, &viewer, ExportFormat::Csv).await
}

pub async fn export_xlsx(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    export(&state, &viewer, ExportFormat::Xlsx).await
}

/// Every park the viewer may see, with its chief, land, firms and output for the period, and its map entry.
async fn park_rows(
    state: &AppState,
    viewer: &Viewer,
) -> Result<(Vec<ParkRow>, Vec<MapPark>, chainpark_core::period::Period), super::PageError> {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let parks = store
        .list_parks(actor, &ParkFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let period = stats::default_period(store, actor, state.clock)
        .await
        .map_err(|e| viewer.fail(e))?;
    let output = stats::rollup(
        state,
        actor,
        GROSS_OUTPUT,
        period,
        Dimension::Park,
        ShareOf::Zone,
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    let one = Paging::new(Some(1), None, None);
    let mut rows = Vec::new();
    let mut map_parks = Vec::new();
    // One count per park, asked together.
    let counts = futures_util::future::join_all(parks.iter().map(|p| {
        let filter = EnterpriseFilter {
            park_id: Some(p.id),
            ..Default::default()
        };
        let one = &one;
        async move {
            store
                .list_enterprises(actor, &filter, one)
                .await
                .map(|page| page.total)
        }
    }))
    .await;
    for (p, firms) in parks.iter().zip(counts) {
        let firms = firms.map_err(|e| viewer.fail(e))?;
        let group = output.as_ref().and_then(|r| stats::group(r, p.id));
        let name = lang.pick(&p.name, &p.name_en).to_string();
        let output_yi = group.map(|g| stats::yi_or_withheld(lang, g, false));
        let per_mu_wan = group.and_then(|g| per_mu_or_withheld(lang, g, p.land_area_mu));
        map_parks.extend(map_park(
            p,
            lang,
            format!("{name} · {firms} {}", viewer.t("unit.firms")),
            false,
        ));
        let output_value = group
            .filter(|g| g.suppressed.is_none())
            .and_then(|g| g.value.as_ref())
            .map(|v| v.hundredths as f64);
        rows.push(ParkRow {
            id: p.id,
            name,
            district: district_name(&p.district, lang),
            chief: p.chief.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            land_mu: format!("{:.2}", p.land_area_mu),
            firms,
            firms_text: format::grouped(firms),
            output: group
                .map(|g| stats::yi_or_withheld(lang, g, true))
                .unwrap_or_else(|| "—".into()),
            per_mu: match (group, &per_mu_wan) {
                (Some(g), Some(v)) if g.suppressed.is_none() => {
                    format!("{v} {}", lang.t("unit.wan"))
                }
                (_, Some(withheld)) => withheld.clone(),
                (_, None) => "—".into(),
            },
            land: p.land_area_mu,
            output_value,
            per_mu_value: output_value
                .filter(|_| p.land_area_mu > 0.0)
                .map(|v| v / p.land_area_mu),
            output_yi,
            per_mu_wan,
        });
    }
    Ok((rows, map_parks, period))
}

#[derive(Template)]
#[template(path = "park.html")]
struct ParkPage {
    chrome: Chrome,
    id: Id,
    /// Offers the park's scheduling report.
    may_read_report: bool,
    name: String,
    code: String,
    chief: Option<String>,
    land_mu: String,
    land_ha: String,
    district: String,
    area: String,
    location: String,
    output: Option<String>,
    output_yoy: Option<String>,
    per_mu: Option<String>,
    /// The output is withheld from the viewer: `output` and `per_mu` say so instead of giving numbers.
    withheld: bool,
    period_label: String,
    trend_svg: Option<String>,
    map_svg: String,
    /// The park's plan: its parcels coloured by their holders' class in the latest evaluation.
    plan: Option<Plan>,
    firms: Vec<FirmRow>,
    firms_total: i64,
    offset: i64,
    prev: Option<i64>,
    next: Option<i64>,
    alerts: Option<super::alerts::AlertList>,
    /// The park chief's board: for readers of everything and the park's own chief and staff.
    operations: Option<Operations>,
}

/// The park's operations on its page: energy this month against the same month a year earlier, open alarms, and
/// its space — occupancy on a day (today unless the viewer asks for another), buildings and units.
struct Operations {
    month: String,
    /// "readings being generated: N of M days", while a background fill runs.
    filling: Option<String>,
    energy: Vec<EnergyRow>,
    alarms: Vec<AlarmLine>,
    space: SpaceBoard,
    hazards: Vec<HazardLine>,
}

/// The park's hazards not closed of one level, and how many of them are overdue.
struct HazardLine {
    level: &'static str,
    code: &'static str,
    open: i64,
    overdue: i64,
}

/// Units listed on the park page at most; the rest are counted.
const UNITS_SHOWN: usize = 100;

struct SpaceBoard {
    on: String,
    units: i64,
    leased_units: i64,
    area: String,
    leased: String,
    vacancy: String,
    per_firm: String,
    buildings: Vec<BuildingLine>,
    unit_rows: Vec<UnitLine>,
    units_more: usize,
}

struct BuildingLine {
    code: String,
    name: String,
    floors: i32,
    area: String,
    building_use: String,
    built_year: String,
}

struct UnitLine {
    building: String,
    code: String,
    floor: i32,
    kind: &'static str,
    area: String,
    tenant: String,
    lease_to: String,
}

/// Hundredths of a m² as m² with two decimals, grouped.
fn square_metres(centi: i64) -> String {
    format!("{}.{:02}", format::grouped(centi / 100), centi % 100)
}

/// The park's space on `on`: occupancy, its buildings and units with the tenant of each that day.
async fn space_board(
    state: &AppState,
    viewer: &Viewer,
    park: Id,
    on: NaiveDate,
) -> Result<SpaceBoard, chainpark_store::StoreError> {
    let actor = viewer.actor();
    let occupancy = state.store.occupancy(actor, park, on).await?;
    let buildings = state.store.list_buildings(actor, Some(park)).await?;
    let units = state.store.list_units(actor, None, Some(park)).await?;
    let leases = state.store.unit_leases(actor, park).await?;
    let building_code = |id: Id| {
        buildings
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.code.clone())
            .unwrap_or_default()
    };
    let live: Vec<_> = units
        .iter()
        .filter(|u| in_force(u.valid_from, u.valid_to, on))
        .collect();
    let unit_rows = live
        .iter()
        .take(UNITS_SHOWN)
        .map(|u| {
            let lease = leases
                .iter()
                .find(|l| l.unit_id == u.id && in_force(l.valid_from, l.valid_to, on));
            UnitLine {
                building: building_code(u.building_id),
                code: u.code.clone(),
                floor: u.floor,
                kind: viewer.t(&format!("space.kind.{}", u.kind)),
                area: square_metres(u.area_m2_centi),
                tenant: lease.map_or_else(
                    || viewer.t("space.vacant").to_string(),
                    |l| l.enterprise_name.clone(),
                ),
                lease_to: lease
                    .and_then(|l| l.valid_to)
                    .map_or_else(|| "—".into(), |d| d.to_string()),
            }
        })
        .collect();
    Ok(SpaceBoard {
        on: on.to_string(),
        units: occupancy.units,
        leased_units: occupancy.leased_units,
        area: square_metres(occupancy.area_m2_centi),
        leased: square_metres(occupancy.leased_m2_centi),
        vacancy: occupancy
            .vacancy_permille
            .map_or_else(|| "—".into(), |p| format!("{}.{} %", p / 10, p % 10)),
        per_firm: occupancy
            .area_per_firm_m2_centi
            .map_or_else(|| "—".into(), square_metres),
        buildings: buildings
            .iter()
            .map(|b| BuildingLine {
                code: b.code.clone(),
                name: b.name.clone(),
                floors: b.floors,
                area: square_metres(b.gross_area_m2_centi),
                building_use: b.building_use.clone(),
                built_year: b.built_year.map_or_else(|| "—".into(), |y| y.to_string()),
            })
            .collect(),
        units_more: live.len().saturating_sub(UNITS_SHOWN),
        unit_rows,
    })
}

struct EnergyRow {
    medium: &'static str,
    unit: &'static str,
    this_month: String,
    a_year_ago: String,
    change: Option<String>,
}

struct AlarmLine {
    meter: String,
    rule: &'static str,
    started: String,
    work_order_id: Option<Id>,
}

/// The board's figures for the park in the month of `today`.
async fn operations(
    state: &AppState,
    viewer: &Viewer,
    park: Id,
    on: Option<NaiveDate>,
) -> Result<Option<Operations>, chainpark_store::StoreError> {
    let actor = viewer.actor();
    if !actor.scope.sees_park_operations(park) {
        return Ok(None);
    }
    let today = state.clock.today();
    let (Some(month), Some(year_ago)) = (
        Month::new(today.year(), today.month()),
        Month::new(today.year() - 1, today.month()),
    ) else {
        return Ok(None);
    };
    let used = state
        .store
        .park_use(actor, park, &[month, year_ago])
        .await?;
    let amount = |m: Month, medium: Medium| {
        used.iter()
            .find(|(k, md, _)| *k == i64::from(m.key()) && *md == medium)
            .map(|(_, _, a)| *a)
    };
    let energy = Medium::ALL
        .iter()
        .filter_map(|medium| {
            let now = amount(month, *medium);
            let then = amount(year_ago, *medium);
            (now.is_some() || then.is_some()).then(|| EnergyRow {
                medium: viewer.t(&format!("meters.medium.{medium}")),
                unit: medium.unit(),
                this_month: now.map(format_amount).unwrap_or_else(|| "—".into()),
                a_year_ago: then.map(format_amount).unwrap_or_else(|| "—".into()),
                change: match (now, then) {
                    (Some(n), Some(t)) if t > 0 => Some(format::signed_percent(&format!(
                        "{:.1}",
                        (n - t) as f64 * 100.0 / t as f64
                    ))),
                    _ => None,
                },
            })
        })
        .collect();
    let alarms = state
        .store
        .list_alarms(
            actor,
            &AlarmFilter {
                park_id: Some(park),
                open: Some(true),
                ..AlarmFilter::default()
            },
            &Paging::new(Some(20), None, None),
        )
        .await?
        .items
        .into_iter()
        .map(|a| AlarmLine {
            meter: a.meter_code,
            rule: viewer.t(&format!("meters.rule.{}", a.rule)),
            started: a
                .started_at
                .with_timezone(&chainpark_core::time::china())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            work_order_id: a.work_order_id,
        })
        .collect();
    let space = space_board(state, viewer, park, on.unwrap_or(today)).await?;
    let hazards = state
        .store
        .hazard_counts(actor, park, today)
        .await?
        .into_iter()
        .filter_map(|c| {
            let level = c.level?;
            Some(HazardLine {
                level: viewer.t(&format!("safety.level.{level}")),
                code: level.as_str(),
                open: c.open,
                overdue: c.overdue,
            })
        })
        .collect();
    let filling = state.readings_fill.running().map(|(done, total)| {
        viewer
            .t("board.filling")
            .replace("{done}", &done.to_string())
            .replace("{total}", &total.to_string())
    });
    Ok(Some(Operations {
        month: month.to_string(),
        filling,
        energy,
        alarms,
        space,
        hazards,
    }))
}

/// A park's plan of parcels, and which evaluation coloured it.
pub struct Plan {
    pub svg: String,
    /// "2022 · cq-core4 v1", or none before any run.
    pub run: Option<String>,
}

/// The park's parcels in force today that have an outline, each coloured by its holder's class in the latest run
/// the viewer sees (none when the viewer sees no parcel of the park, or no parcel has an outline).
async fn parcel_plan(
    state: &AppState,
    viewer: &Viewer,
    park: &Park,
) -> Result<Option<Plan>, super::PageError> {
    use chainpark_core::assessment::scheme::Class;
    use chainpark_store::assessment::{LandFilter, ResultFilter};
    use std::collections::HashMap;
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let parcels = match store
        .list_parcels(
            actor,
            &LandFilter {
                park_id: Some(park.id),
                on: Some(state.clock.today()),
                ..LandFilter::default()
            },
            &Paging::all(),
        )
        .await
    {
        Ok(page) => page.items,
        Err(e) if super::is_absent(&e) => {
            return Ok(None);
        }
        Err(e) => return Err(viewer.fail(e)),
    };
    if parcels.iter().all(|p| p.outline.is_none()) {
        return Ok(None);
    }
    let latest = store
        .list_runs(actor)
        .await
        .map_err(|e| viewer.fail(e))?
        .into_iter()
        .max_by_key(|r| (r.year, r.id));
    let mut classes: HashMap<Id, (Class, String)> = HashMap::new();
    if let Some(run) = &latest {
        match store
            .run_results(
                actor,
                run.id,
                &ResultFilter {
                    park_id: Some(park.id),
                    ..ResultFilter::default()
                },
                &Paging::all(),
            )
            .await
        {
            Ok(page) => {
                for r in page.items {
                    classes.insert(r.enterprise_id, (r.class, r.enterprise_name));
                }
            }
            Err(e) if super::is_absent(&e) => {}
            Err(e) => return Err(viewer.fail(e)),
        }
    }
    let mut counts: std::collections::BTreeMap<&'static str, i64> = Default::default();
    let drawn: Vec<map::MapParcel> = parcels
        .iter()
        .filter_map(|p| {
            let rings = map::geojson_rings(p.outline.as_ref()?);
            let found = p.holder_enterprise_id.and_then(|h| classes.get(&h));
            let class = match (p.holder_enterprise_id, found) {
                (None, _) => "vacant",
                (Some(_), None) => "none",
                (Some(_), Some((class, _))) => class.as_str(),
            };
            *counts.entry(class).or_default() += 1;
            let area = format!("{}.{:02}", p.area_mu_centi / 100, p.area_mu_centi % 100);
            let holder = match found {
                Some((class, name)) => format!(" · {name} · {}", class.as_str()),
                None => String::new(),
            };
            Some(map::MapParcel {
                rings,
                class,
                hover: format!("{} · {area} {}{holder}", p.code, viewer.t("unit.mu")),
            })
        })
        .collect();
    let legend: Vec<(&'static str, String)> = ["A", "B", "C", "D", "T", "none", "vacant"]
        .into_iter()
        .filter_map(|class| {
            let n = counts.get(class)?;
            let label = match class {
                "none" => viewer.t("plan.not_evaluated").to_string(),
                "vacant" => viewer.t("plan.no_holder").to_string(),
                c => c.to_string(),
            };
            Some((class, format!("{label} {n}")))
        })
        .collect();
    let outline: Option<Vec<(f64, f64)>> = park
        .outline
        .as_ref()
        .map(|ring| ring.iter().map(|g| (g.lon, g.lat)).collect());
    let title = format!(
        "{} · {}",
        lang.pick(&park.name, &park.name_en),
        viewer.t("plan.title")
    );
    let svg = map::parcels_map(outline.as_deref(), &drawn, &legend, &title);
    Ok((!svg.is_empty()).then(|| Plan {
        svg,
        run: latest.map(|r| format!("{} · {} v{}", r.year, r.scheme_code, r.scheme_version)),
    }))
}

#[derive(Debug, Deserialize)]
pub struct ParkQuery {
    offset: Option<i64>,
    /// The day of the occupancy shown (default today).
    on: Option<NaiveDate>,
}

const PAGE: i64 = 50;

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<ParkQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let park = store
        .get_park(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let area = optional(store.get_area(actor, park.area_id).await)
        .map_err(|e| viewer.fail(e))?
        .map(|a| lang.pick(&a.name, &a.name_en).to_string())
        .unwrap_or_default();
    let offset = q.offset.unwrap_or(0).max(0);
    let firms = store
        .list_enterprises(
            actor,
            &EnterpriseFilter {
                park_id: Some(id),
                ..Default::default()
            },
            &Paging::new(Some(PAGE), Some(offset), Some("name")),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let period = stats::default_period(store, actor, state.clock)
        .await
        .map_err(|e| viewer.fail(e))?;
    let output = stats::rollup(
        &state,
        actor,
        GROSS_OUTPUT,
        period,
        Dimension::Park,
        ShareOf::Zone,
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    let group = output.as_ref().and_then(|r| stats::group(r, id));
    let trend_svg = match output {
        Some(ref r) if group.is_some() => stats::monthly_trend(
            &state,
            actor,
            lang,
            GROSS_OUTPUT,
            Dimension::Park,
            id,
            period.year(),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .map(|s| {
            charts::monthly_lines(
                &s,
                stats::chart_unit(r.indicator.unit, lang),
                &stats::month_labels(lang),
                viewer.t("park.trend"),
            )
        }),
        _ => None,
    };
    let all_parks = store
        .list_parks(actor, &ParkFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let map_parks: Vec<MapPark> = all_parks
        .iter()
        .filter_map(|p| {
            map_park(
                p,
                lang,
                lang.pick(&p.name, &p.name_en).to_string(),
                p.id == id,
            )
        })
        .collect();
    let park_name = lang.pick(&park.name, &park.name_en).to_string();
    let rows = firms
        .items
        .iter()
        .map(|f| FirmRow {
            id: f.id,
            name: lang.pick(&f.name, &f.name_en).to_string(),
            credit_code: f.credit_code.as_str().to_string(),
            park: park_name.clone(),
            flags: flags(f),
        })
        .collect();
    let next = (offset + PAGE < firms.total).then_some(offset + PAGE);
    let prev = (offset > 0).then(|| (offset - PAGE).max(0));
    let alerts = super::alerts::on_own_page(&state, &viewer, Landing::Park(Some(id))).await?;
    let operations = operations(&state, &viewer, id, q.on)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(render(ParkPage {
        chrome: viewer.chrome(park_name.clone(), "parks"),
        id,
        may_read_report: actor.scope.may_read_park_report(id).is_ok(),
        name: park_name,
        code: park.code.clone(),
        chief: park.chief.as_ref().map(|c| c.name.clone()),
        land_mu: format!("{:.2}", park.land_area_mu),
        land_ha: format!("{:.2}", park.land_area_ha),
        district: district_name(&park.district, lang),
        area,
        location: park
            .location
            .map(|l| format!("{:.4}°E, {:.4}°N", l.lon, l.lat))
            .unwrap_or_default(),
        output: group.map(|g| stats::yi_or_withheld(lang, g, true)),
        output_yoy: group.and_then(|g| g.yoy_growth_percent.as_deref().map(format::signed_percent)),
        per_mu: group.and_then(|g| per_mu_or_withheld(lang, g, park.land_area_mu)),
        withheld: group.is_some_and(|g| g.suppressed.is_some()),
        period_label: stats::period_label(period, lang),
        trend_svg,
        map_svg: map::parks_map(&map_parks, viewer.t("dash.parks_map")),
        plan: parcel_plan(&state, &viewer, &park).await?,
        firms: rows,
        firms_total: firms.total,
        offset,
        prev,
        next,
        alerts,
        operations,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_medium_alarm_rule_and_unit_kind_has_a_name_in_both_languages() {
        use chainpark_core::parkops::alarms::AlarmRule;
        for lang in [Lang::Zh, Lang::En] {
            for medium in Medium::ALL {
                assert_ne!(lang.t(&format!("meters.medium.{medium}")), "??");
            }
            for rule in AlarmRule::ALL {
                assert_ne!(lang.t(&format!("meters.rule.{rule}")), "??");
            }
            for kind in chainpark_core::parkops::space::UnitKind::ALL {
                assert_ne!(lang.t(&format!("space.kind.{kind}")), "??");
            }
            for level in chainpark_core::parkops::safety::HazardLevel::ALL {
                assert_ne!(lang.t(&format!("safety.level.{level}")), "??");
            }
            for status in chainpark_core::parkops::safety::HazardStatus::ALL {
                assert_ne!(lang.t(&format!("safety.status.{status}")), "??");
            }
            for result in chainpark_core::parkops::safety::FindingResult::ALL {
                assert_ne!(lang.t(&format!("safety.result.{result}")), "??");
            }
        }
    }

    #[test]
    fn output_per_mu_is_in_wan_yuan_per_mu() {
        // 1.5 亿元 on 1,500 mu = 10 万元 per mu.
        assert_eq!(
            output_per_mu(15_000_000_000, 1500.0).as_deref(),
            Some("10.00")
        );
        assert_eq!(output_per_mu(1, 0.0), None);
    }
}
