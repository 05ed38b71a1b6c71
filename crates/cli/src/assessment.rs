//! The demo's per-mu evaluation: land parcels for the demo firms in parks that hold land, leases of standard
//! factory space for some small firms, the Chongqing preset stored as a scheme, and 2022 evaluated under it. Areas
//! are drawn from each firm's credit code (the same every load) and scaled so that a park's parcels cover at most
//! 60 % of its land area. The scorecards need nothing stored: they are computed from the data when asked for.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chainpark_core::assessment::land::{LeaseDraft, ParcelDraft};
use chainpark_core::assessment::scheme::{
    Benchmark, IndicatorRule, Per, SchemeDraft, chongqing_preset,
};
use chainpark_core::demo::DemoZone;
use chainpark_core::list::Paging;
use chainpark_core::time::Clock;
use chainpark_store::prelude::*;
use chainpark_store::{Actor, ParkFilter};
use chrono::NaiveDate;

/// The year the demo evaluates (its last full year of figures).
pub const DEMO_YEAR: i32 = 2022;

/// The share of a park's land the demo's parcels may cover, in per cent.
const LAND_COVERED_PERCENT: i64 = 60;

/// A number from 0 to `n − 1` drawn from a text (FNV-1a), the same on every load.
fn draw(text: &str, n: u64) -> i64 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % n) as i64
}

/// The Chongqing preset as the demo can use it. The demo's firms report added value, gross output and employees
/// only: the indicators on tax, energy use and R&D spending keep their weights with fixed benchmarks from
/// Chongqing's published figures (tax 24.097 万元 per mu, 22,400 yuan of added value per tce, R&D 2 % of revenue)
/// and score nothing, so the class comes from added value per mu; below-size firms, scored on tax per mu alone in
/// the preset, are scored on added value per mu instead.
pub fn demo_scheme() -> SchemeDraft {
    let mut scheme = chongqing_preset();
    scheme.code = "cq-core4-demo".into();
    scheme.name = "重庆亩均效益评价（演示数据）".into();
    scheme.name_en = "Chongqing per-mu evaluation (demo data)".into();
    scheme.year = DEMO_YEAR;
    let added_value = scheme
        .body
        .populations
        .iter()
        .flat_map(|p| &p.indicators)
        .find(|r| r.numerator == "added_value" && r.per == Per::Mu)
        .cloned();
    for population in &mut scheme.body.populations {
        if population.code == "industry_below"
            && let Some(rule) = &added_value
        {
            population.indicators = vec![IndicatorRule {
                weight: 100,
                ..rule.clone()
            }];
        }
        for rule in &mut population.indicators {
            let published = match rule.code.as_str() {
                "tax_per_mu" => Some("240970"),
                "added_value_per_tce" => Some("22400"),
                "rd_intensity" => Some("0.02"),
                _ => None,
            };
            if let Some(value) = published {
                rule.benchmark = Benchmark::Fixed {
                    value: value.into(),
                };
            }
        }
    }
    scheme
}

/// Loads the demo's parcels, leases, scheme and the evaluation of [`DEMO_YEAR`].
pub async fn load_demo(
    store: &Arc<dyn Store>,
    zone: &DemoZone,
    clock: Clock,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let actor = Actor::system("demo");
    let parks: HashMap<String, i64> = store
        .list_parks(&actor, &ParkFilter::default(), &Paging::all())
        .await?
        .items
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let firms = store.enterprise_ids(&actor).await?;
    let land: HashMap<&str, i64> = zone
        .parks
        .iter()
        .map(|p| (p.code.as_str(), p.land_area_mu * 100))
        .collect();
    let since = NaiveDate::from_ymd_opt(2015, 1, 1).context("a day")?;
    // Above-size firms hold 20 to 200 mu, below-size ones 3 to 30; one below-size firm in four leases space
    // (500 to 5,000 m²) instead.
    let mut parcels: Vec<ParcelDraft> = Vec::new();
    let mut leases: Vec<LeaseDraft> = Vec::new();
    for firm in &zone.enterprises {
        let (Some(park_code), Some(found)) = (&firm.park_code, firms.get(&firm.credit_code)) else {
            continue;
        };
        let Some(park_id) = parks.get(park_code).copied() else {
            continue;
        };
        if !firm.above_size && draw(&firm.credit_code, 4) == 0 {
            leases.push(LeaseDraft {
                code: format!("ZL-{}", &firm.credit_code[8..17]),
                enterprise_id: found.id,
                park_id,
                unit_id: None,
                area_m2_centi: (500 + draw(&firm.credit_code, 4_500)) * 100,
                monthly_rent_fen: None,
                valid_from: since,
                valid_to: None,
            });
            continue;
        }
        let mu = if firm.above_size {
            20 + draw(&firm.credit_code, 180)
        } else {
            3 + draw(&firm.credit_code, 27)
        };
        parcels.push(ParcelDraft {
            code: format!("DK-{}", &firm.credit_code[8..17]),
            park_id,
            holder_enterprise_id: Some(found.id),
            area_mu_centi: mu * 100,
            land_use: "工业".into(),
            valid_from: since,
            valid_to: None,
            outline: None,
        });
    }
    let park_codes: HashMap<i64, &str> = parks.iter().map(|(c, id)| (*id, c.as_str())).collect();
    let mut held: HashMap<i64, i64> = HashMap::new();
    for p in &parcels {
        *held.entry(p.park_id).or_default() += p.area_mu_centi;
    }
    for p in &mut parcels {
        let room = park_codes
            .get(&p.park_id)
            .and_then(|c| land.get(c))
            .map_or(0, |l| l * LAND_COVERED_PERCENT / 100);
        let total = held.get(&p.park_id).copied().unwrap_or(0);
        if total > room && total > 0 {
            // Scaled down to the park's room, to hundredths of a mu, never below one mu.
            p.area_mu_centi = (i128::from(p.area_mu_centi) * i128::from(room) / i128::from(total))
                .max(100) as i64;
        }
    }
    // Each park's parcels as a block plan around its location, inside its outline.
    let mut by_park: HashMap<i64, Vec<usize>> = HashMap::new();
    for (k, p) in parcels.iter().enumerate() {
        by_park.entry(p.park_id).or_default().push(k);
    }
    for (park_id, members) in by_park {
        let Some(park) = park_codes
            .get(&park_id)
            .and_then(|code| zone.parks.iter().find(|p| p.code == *code))
        else {
            continue;
        };
        let areas: Vec<i64> = members.iter().map(|k| parcels[*k].area_mu_centi).collect();
        let outlines = chainpark_core::demo::plan::parcel_outlines(
            (park.lon, park.lat),
            park.outline.as_deref(),
            &areas,
        );
        for (k, outline) in members.into_iter().zip(outlines) {
            parcels[k].outline = Some(outline);
        }
    }
    let (parcel_count, lease_count) = (parcels.len(), leases.len());
    store
        .put_parcels(&actor, parcels)
        .await
        .context("the demo's land parcels")?;
    store
        .put_leases(&actor, leases)
        .await
        .context("the demo's leases")?;
    let scheme = store
        .create_scheme(&actor, demo_scheme(), None)
        .await
        .context("the Chongqing preset")?;
    // The demo's figures were recorded just now by the system clock: the run reads them as known now.
    let outcome = chainpark_app::assessment::run_assessment(
        store.as_ref(),
        &actor,
        scheme.id,
        DEMO_YEAR,
        chrono::Utc::now(),
        clock.now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("evaluating {DEMO_YEAR}: {e}"))?;
    println!(
        "loaded {parcel_count} land parcels and {lease_count} leases, evaluated {} firms of {DEMO_YEAR} in {:.1} s",
        outcome.run.firms,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
