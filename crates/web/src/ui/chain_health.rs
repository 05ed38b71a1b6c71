//! A chain's diagnosis as a page (产业链诊断, the first of its N图N清单): completeness and gap counts, then every segment
//! by priority, coloured by gap class, each number with its formula and inputs on hover. Built by the same
//! `chainpark_app::chain_intel::chain_health` as `/api/v1/chains/{id}/health`, with the viewer's actor, so the
//! API's scopes apply unchanged; the page prints as the chain's handout for its scheduling meeting.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use chainpark_app::chain_intel::parse_month;
use chainpark_core::chain_intel::{Explained, GapClass, round4};
use chainpark_core::list::Paging;
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_store::{LinkFilter, SegmentFilter};
use chrono::Datelike;
use serde::Deserialize;

use super::chain_map::{self, MapDiagnosis, SegmentFacts};
use super::i18n::Lang;
use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;

/// A number of the page: its text and its explanation for the tooltip.
struct Cell {
    text: String,
    hover: String,
}

struct SegmentRow {
    name: String,
    class: &'static str,
    class_label: &'static str,
    also: String,
    leaf: bool,
    firms: usize,
    output: Cell,
    share: Cell,
    growth: Cell,
    lq: Cell,
    hhi: Cell,
    degree: Cell,
    katz: Cell,
    priority: Cell,
}

#[derive(Template)]
#[template(path = "chain_health.html")]
struct ChainHealthPage {
    chrome: Chrome,
    chain_id: Id,
    chain_name: String,
    month: String,
    reference: String,
    completeness: Cell,
    gaps: Vec<(&'static str, &'static str, usize)>,
    rows: Vec<SegmentRow>,
    /// The chain map coloured by gap class and criticality (SVG, escaped where it is built).
    map_svg: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct HealthQuery {
    month: Option<String>,
}

fn cell(e: &Explained, text: impl Fn(f64) -> String) -> Cell {
    Cell {
        text: e.value.map(text).unwrap_or_else(|| "—".to_string()),
        hover: e.hover(),
    }
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The viewer's label of a gap class.
fn class_label(viewer: &Viewer, class: GapClass) -> &'static str {
    viewer.t(match class {
        GapClass::Broken => "health.class.broken",
        GapClass::SinglePoint => "health.class.single_point",
        GapClass::Weak => "health.class.weak",
        GapClass::Concentrated => "health.class.concentrated",
        GapClass::Healthy => "health.class.healthy",
    })
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<HealthQuery>,
) -> PageResult {
    let today = state.clock.today();
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(text) => parse_month("month", text).map_err(|e| viewer.fail(e))?,
        None => Month::new(today.year(), today.month())
            .ok_or_else(|| viewer.fail(chainpark_app::AppError::internal("today is no month")))?,
    };
    let actor = viewer.actor();
    let health = state
        .chain_health
        .chain(
            state.store.as_ref(),
            actor,
            id,
            month,
            None,
            state.cache.version(),
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let chain = state
        .store
        .get_chain(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let filter = SegmentFilter {
        chain_id: Some(id),
        ..Default::default()
    };
    let segments = state
        .store
        .list_segments(actor, &filter, &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let links = state
        .store
        .list_links(
            actor,
            &LinkFilter {
                chain_id: Some(id),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let map_svg = diagnosed_map(&viewer, &health, &segments, &links, id);
    let english = viewer.lang == Lang::En;
    let names: HashMap<Id, String> = segments
        .into_iter()
        .map(|s| {
            let name = if english && !s.name_en.is_empty() {
                s.name_en
            } else {
                s.name
            };
            (s.id, name)
        })
        .collect();
    let d = &health.diagnosis;
    let rows = d
        .segments
        .iter()
        .map(|s| SegmentRow {
            name: names.get(&s.segment_id).cloned().unwrap_or_default(),
            class: s.gap_class.as_str(),
            class_label: class_label(&viewer, s.gap_class),
            also: s
                .gap_classes
                .iter()
                .skip(1)
                .map(|c| class_label(&viewer, *c))
                .collect::<Vec<_>>()
                .join(" · "),
            leaf: s.leaf,
            firms: s.firms,
            // Output in 亿元 (hundredths of a yuan ÷ 10¹⁰), or persons for an employment reference.
            output: cell(&s.output, |v| {
                if health.indicator == "employees" {
                    format!("{v:.0}")
                } else {
                    format!("{:.2}", v / 1e10)
                }
            }),
            share: cell(&s.share_of_chain, percent),
            growth: cell(&s.growth, percent),
            lq: cell(&s.location_quotient, |v| format!("{:.2}", round4(v))),
            hhi: cell(&s.hhi, |v| format!("{:.3}", round4(v))),
            degree: cell(&s.degree, |v| format!("{v:.0}")),
            katz: cell(&s.katz, |v| format!("{:.3}", round4(v))),
            priority: cell(&s.priority, |v| format!("{v:.1}")),
        })
        .collect();
    let gaps = vec![
        (
            "broken",
            class_label(&viewer, GapClass::Broken),
            d.gaps.broken,
        ),
        (
            "single_point",
            class_label(&viewer, GapClass::SinglePoint),
            d.gaps.single_point,
        ),
        ("weak", class_label(&viewer, GapClass::Weak), d.gaps.weak),
        (
            "concentrated",
            class_label(&viewer, GapClass::Concentrated),
            d.gaps.concentrated,
        ),
        (
            "healthy",
            class_label(&viewer, GapClass::Healthy),
            d.gaps.healthy,
        ),
    ];
    let reference = health
        .reference
        .as_ref()
        .map(|r| format!("{} ({}, {}; {})", r.name, r.region, r.year, r.source))
        .unwrap_or_else(|| viewer.t("health.no_reference").to_string());
    let chain_name = if english && !chain.name_en.is_empty() {
        chain.name_en
    } else {
        chain.name
    };
    Ok(render(ChainHealthPage {
        chrome: viewer.chrome(
            format!("{} · {}", viewer.t("health.title"), chain_name),
            "chains",
        ),
        chain_id: id,
        chain_name,
        month: health.month.clone(),
        reference,
        completeness: cell(&d.completeness, percent),
        gaps,
        rows,
        map_svg,
    }))
}

/// The chain map coloured by each segment's gap class, its stroke as thick as its criticality (Katz centrality
/// against the chain's largest), with a legend; each segment links to its firms on the chain page.
pub(super) fn diagnosed_map(
    viewer: &Viewer,
    health: &chainpark_app::chain_intel::ChainHealth,
    segments: &[chainpark_core::registry::Segment],
    links: &[chainpark_core::registry::SupplyLink],
    chain: Id,
) -> String {
    let d = &health.diagnosis;
    let largest = d
        .segments
        .iter()
        .filter_map(|s| s.katz.value)
        .fold(0.0_f64, f64::max);
    let facts: HashMap<Id, SegmentFacts> = d
        .segments
        .iter()
        .map(|s| {
            let katz = s.katz.value.unwrap_or(0.0);
            (
                s.segment_id,
                SegmentFacts {
                    firms: s.firms,
                    output: None,
                    diagnosis: Some(MapDiagnosis {
                        class: s.gap_class.as_str(),
                        label: class_label(viewer, s.gap_class).to_string(),
                        criticality: if largest > 0.0 { katz / largest } else { 0.0 },
                    }),
                },
            )
        })
        .collect();
    chain_map::draw(viewer.lang, segments, links, &facts, None, |segment| {
        format!("/chains/{chain}?segment={segment}#firms")
    })
}
