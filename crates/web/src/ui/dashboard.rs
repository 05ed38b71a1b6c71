//! The leadership dashboard (驾驶舱): for a chosen period, the headline figures with year-on-year change (the
//! digital economy's added value and its share of the city, its enterprises, industrial output and its pillar
//! chains), monthly trends against last year, a bar chart by chain, the parks on a map, and the registry's counts.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chainpark_core::figures::{Dimension, Rollup, RollupGroup, approximate_count};
use chainpark_core::list::{Page, Paging};
use chainpark_core::period::Period;
use chainpark_core::registry::{Chain, Park};
use chainpark_store::figures::ShareOf;
use chainpark_store::workflow::{ProjectFilter, ProjectGrouping};
use chainpark_store::{
    AreaFilter, ChainFilter, EnterpriseFilter, ParkFilter, SegmentFilter, StoreError,
};
use serde::Deserialize;

use super::charts::{self, Bar};
use super::format;
use super::i18n::Lang;
use super::map::{self, MapPark};
use super::stats::{self, ADDED_VALUE, CITY, GROSS_OUTPUT};
use super::{Chrome, PageError, PageResult, Viewer, optional, render};
use crate::AppState;

/// A headline figure: its value (absent when nothing was imported), its change and a note.
pub struct Kpi {
    pub label: &'static str,
    pub value: Option<String>,
    pub unit: String,
    pub delta: Option<String>,
    pub delta_class: &'static str,
    pub note: String,
    pub id: &'static str,
    /// The list the figure counts, for the same period.
    pub href: Option<String>,
}

/// One row of the pillar table.
pub struct ChainRow {
    pub id: i64,
    pub name: String,
    pub value: String,
    pub yoy: String,
    pub share: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    period_label: String,
    periods: Vec<(String, String, bool)>,
    kpis: Vec<Kpi>,
    counts: Vec<(&'static str, String, &'static str)>,
    by_chain_svg: Option<String>,
    chain_rows: Vec<ChainRow>,
    map_svg: String,
    trend_digital_svg: Option<String>,
    trend_output_svg: Option<String>,
    method: String,
    /// For the admin: the holiday calendar of this year, or from 1 November of next year, is not loaded.
    calendar_notice: Option<String>,
    alerts: Option<super::alerts::AlertList>,
}

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    period: Option<String>,
}

fn delta(group_yoy: Option<&String>) -> (Option<String>, &'static str) {
    match group_yoy {
        Some(p) if p.starts_with('-') => (Some(format::signed_percent(p)), "down"),
        Some(p) => (Some(format::signed_percent(p)), "up"),
        None => (None, ""),
    }
}

/// The four roll-ups the dashboard is drawn from; each is `None` when nothing was imported.
struct Figures {
    digital: Option<Rollup>,
    output_zone: Option<Rollup>,
    output_chains: Option<Rollup>,
    output_parks: Option<Rollup>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(text) => Period::parse(text)
            .map_err(|e| viewer.fail(crate::error::ApiError::bad_field("period", e.to_string())))?,
        None => stats::default_period(store, actor, state.clock)
            .await
            .map_err(|e| viewer.fail(e))?,
    };
    let (counts, parks, chains) = registry_counts(&state, &viewer).await?;
    let figures = figures(&state, &viewer, period)
        .await
        .map_err(|e| viewer.fail(e))?;
    let mut kpis = headline_kpis(&viewer, &figures);
    kpis.extend(
        work_kpis(&state, &viewer, period)
            .await
            .map_err(|e| viewer.fail(e))?,
    );
    let (by_chain_svg, chain_rows) = chain_chart(&viewer, &chains, figures.output_chains.as_ref());
    let map_svg = park_map(&viewer, &parks, figures.output_parks.as_ref());
    let (trend_digital_svg, trend_output_svg) = trends(&state, &viewer, &figures, period.year())
        .await
        .map_err(|e| viewer.fail(e))?;
    let period_text = period.to_string();
    let periods = stats::period_choices(period, state.clock)
        .into_iter()
        .map(|p| {
            let value = p.to_string();
            let selected = value == period_text;
            (value, stats::period_label(p, lang), selected)
        })
        .collect();
    let method = figures
        .digital
        .as_ref()
        .map(|r| {
            viewer
                .t(&format!("method.{}", r.method.as_str()))
                .to_string()
        })
        .unwrap_or_default();
    let calendar_notice = calendar_notice(&state, &viewer)
        .await
        .map_err(|e| viewer.fail(e))?;
    let alerts = Some(super::alerts::alert_list(&state, &viewer).await?);
    let page = DashboardPage {
        chrome: viewer.chrome(viewer.t("dash.title"), "dashboard"),
        period_label: stats::period_label(period, lang),
        periods,
        kpis,
        counts,
        by_chain_svg,
        chain_rows,
        map_svg,
        trend_digital_svg,
        trend_output_svg,
        method,
        calendar_notice,
        alerts,
    };
    Ok::<Response, _>(render(page))
}

/// The registry's counts (always there), with the parks and chains the other parts draw.
async fn registry_counts(
    state: &AppState,
    viewer: &Viewer,
) -> Result<
    (
        Vec<(&'static str, String, &'static str)>,
        Page<Park>,
        Page<Chain>,
    ),
    PageError,
> {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let one = Paging::new(Some(1), None, None);
    let enterprises = store
        .list_enterprises(actor, &EnterpriseFilter::default(), &one)
        .await
        .map_err(|e| viewer.fail(e))?
        .total;
    let parks = store
        .list_parks(actor, &ParkFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?;
    let chains = store
        .list_chains(actor, &ChainFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?;
    let segments = store
        .list_segments(actor, &SegmentFilter::default(), &one)
        .await
        .map_err(|e| viewer.fail(e))?
        .total;
    let areas = store
        .list_areas(actor, &AreaFilter::default(), &one)
        .await
        .map_err(|e| viewer.fail(e))?
        .total;
    let counts = vec![
        (
            "count.enterprises",
            format::grouped(enterprises),
            "/enterprises",
        ),
        ("count.chains", format::grouped(chains.total), "/chains"),
        ("count.segments", format::grouped(segments), "/chains"),
        ("count.parks", format::grouped(parks.total), "/parks"),
        ("count.areas", format::grouped(areas), "/chains"),
    ];
    Ok((counts, parks, chains))
}

/// The figures: the digital economy (its share of the city when the city's total is published), and gross
/// output for the zone, by chain and by park — present only when indicators were imported.
async fn figures(state: &AppState, viewer: &Viewer, period: Period) -> Result<Figures, StoreError> {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let share_of = if stats::city_has(store, actor, ADDED_VALUE, period).await? {
        ShareOf::Region(CITY.to_string())
    } else {
        ShareOf::Zone
    };
    let zone = ShareOf::Zone;
    let (digital, output_zone, output_chains, output_parks) = tokio::join!(
        stats::rollup(
            state,
            actor,
            ADDED_VALUE,
            period,
            Dimension::DigitalEconomy,
            share_of
        ),
        stats::rollup(
            state,
            actor,
            GROSS_OUTPUT,
            period,
            Dimension::Zone,
            zone.clone()
        ),
        stats::rollup(
            state,
            actor,
            GROSS_OUTPUT,
            period,
            Dimension::Chain,
            zone.clone()
        ),
        stats::rollup(state, actor, GROSS_OUTPUT, period, Dimension::Park, zone),
    );
    Ok(Figures {
        digital: digital?,
        output_zone: output_zone?,
        output_chains: output_chains?,
        output_parks: output_parks?,
    })
}

/// The headline figures: the digital economy's added value (with its share of the city) and its firms, and the
/// zone's gross output.
fn headline_kpis(viewer: &Viewer, figures: &Figures) -> Vec<Kpi> {
    let lang = viewer.lang;
    let mut kpis = Vec::new();
    let digital_group = figures.digital.as_ref().and_then(|r| r.groups.first());
    let (d, dc) = delta(digital_group.and_then(|g| g.yoy_growth_percent.as_ref()));
    let share_note = match (
        figures.digital.as_ref(),
        digital_group.and_then(|g| g.share_percent.as_ref()),
    ) {
        (Some(r), Some(share)) if r.parent.kind == "region" => {
            format!("{} {share} %", viewer.t("dash.share_city"))
        }
        _ => String::new(),
    };
    let withheld = |g: Option<&RollupGroup>| {
        g.and_then(|g| g.suppressed)
            .map(|r| stats::withheld(lang, r))
    };
    let yi_unit = |g: Option<&RollupGroup>| match withheld(g) {
        Some(_) => String::new(),
        None => viewer.t("unit.yi").into(),
    };
    kpis.push(Kpi {
        label: "dash.digital_value",
        value: digital_group.map(|g| stats::yi_or_withheld(lang, g, false)),
        unit: yi_unit(digital_group),
        delta: d,
        delta_class: dc,
        note: share_note,
        id: "kpi-digital-value",
        href: None,
    });
    let firms = digital_group.and_then(|g| g.firms);
    kpis.push(Kpi {
        label: "dash.digital_firms",
        value: firms
            .map(format::grouped)
            .or_else(|| withheld(digital_group)),
        unit: match withheld(digital_group) {
            Some(_) => String::new(),
            None => viewer.t("unit.firms").into(),
        },
        delta: None,
        delta_class: "",
        note: firms
            .map(|n| {
                let (zh, en) = approximate_count(n);
                match lang {
                    Lang::Zh => zh,
                    Lang::En => en,
                }
            })
            .unwrap_or_default(),
        id: "kpi-digital-firms",
        href: None,
    });
    let output_group = figures.output_zone.as_ref().and_then(|r| r.groups.first());
    let (d, dc) = delta(output_group.and_then(|g| g.yoy_growth_percent.as_ref()));
    kpis.push(Kpi {
        label: "dash.output",
        value: output_group.map(|g| stats::yi_or_withheld(lang, g, false)),
        unit: yi_unit(output_group),
        delta: d,
        delta_class: dc,
        note: output_group
            .and_then(|g| g.firms)
            .map(|firms| {
                format!(
                    "{} {}",
                    format::grouped(firms),
                    viewer.t("dash.firms_reporting")
                )
            })
            .unwrap_or_default(),
        id: "kpi-output",
        href: None,
    });
    kpis
}

/// Digital transformation as of the period's end, and the key projects by their stage today; each left out when
/// the viewer may not see it.
async fn work_kpis(
    state: &AppState,
    viewer: &Viewer,
    period: Period,
) -> Result<Vec<Kpi>, StoreError> {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let mut kpis = Vec::new();
    let period_end = last_day(period);
    if let Some(t) = optional(store.transformation_summary(actor, period_end).await)? {
        kpis.push(Kpi {
            label: "dash.transformation",
            value: Some(format::grouped(t.completed_projects)),
            unit: viewer.t("unit.projects").into(),
            delta: None,
            delta_class: "",
            note: format!(
                "{} {} · {} {} · {}",
                viewer.t("dash.workshops"),
                t.digital_workshops,
                viewer.t("dash.factories"),
                t.intelligent_factories,
                period_end
            ),
            id: "kpi-transformation",
            href: None,
        });
    }
    // Counted as the projects page counts them for the same day: the stages reached by the period's end.
    if let Some(zone) = optional(
        store
            .project_figures(
                actor,
                ProjectGrouping::Zone,
                &ProjectFilter::default(),
                period_end,
            )
            .await,
    )?
    .and_then(|figures| figures.into_iter().next())
    {
        let note = [
            ("dash.stage_signed", zone.signed),
            ("dash.stage_started", zone.started),
            ("dash.stage_in_production", zone.in_production),
        ]
        .iter()
        .map(|(key, n)| format!("{} {n}", viewer.t(key)))
        .collect::<Vec<_>>()
        .join(" · ");
        kpis.push(Kpi {
            label: "dash.projects",
            value: Some(format::grouped(zone.projects)),
            unit: viewer.t("unit.projects").into(),
            delta: None,
            delta_class: "",
            note,
            id: "kpi-projects",
            href: Some(format!("/projects?as_of={period_end}")),
        });
    }
    Ok(kpis)
}

/// Gross output by chain: the bar chart and the pillar table.
fn chain_chart(
    viewer: &Viewer,
    chains: &Page<Chain>,
    output_chains: Option<&Rollup>,
) -> (Option<String>, Vec<ChainRow>) {
    let lang = viewer.lang;
    let chain_name = |id: i64| {
        chains
            .items
            .iter()
            .find(|c| c.id == id)
            .map(|c| lang.pick(&c.name, &c.name_en).to_string())
    };
    let mut chain_rows = Vec::new();
    let by_chain_svg = output_chains.map(|r: &Rollup| {
        let shown = |g: &RollupGroup| g.value.as_ref().map_or(0, |v| v.hundredths);
        // Chains with output, largest first, then those withheld from the viewer (in the table, not the chart).
        let mut groups: Vec<_> = r.groups.iter().filter(|g| shown(g) > 0).collect();
        groups.sort_by_key(|g| std::cmp::Reverse(shown(g)));
        let bars: Vec<Bar> = groups
            .iter()
            .map(|g| Bar {
                label: chain_name(g.group_id).unwrap_or_else(|| g.name.clone()),
                value: stats::chart_value(shown(g), r.indicator.unit),
                value_text: format!("{} {}", format::yi(shown(g)), viewer.t("unit.yi")),
                href: Some(format!("/chains/{}", g.group_id)),
            })
            .collect();
        groups.extend(r.groups.iter().filter(|g| g.suppressed.is_some()));
        for g in &groups {
            chain_rows.push(ChainRow {
                id: g.group_id,
                name: chain_name(g.group_id).unwrap_or_else(|| g.name.clone()),
                value: stats::yi_or_withheld(lang, g, true),
                yoy: g
                    .yoy_growth_percent
                    .as_deref()
                    .map(format::signed_percent)
                    .unwrap_or_else(|| "—".into()),
                share: g
                    .share_percent
                    .as_deref()
                    .map(|s| format!("{s} %"))
                    .unwrap_or_else(|| "—".into()),
            });
        }
        charts::horizontal_bars(&bars, viewer.t("unit.yi"), viewer.t("dash.by_chain"))
    });
    (by_chain_svg, chain_rows)
}

/// The parks on a map, with their output in the hover title when there is one.
fn park_map(viewer: &Viewer, parks: &Page<Park>, output_parks: Option<&Rollup>) -> String {
    let lang = viewer.lang;
    let map_parks: Vec<MapPark> = parks
        .items
        .iter()
        .filter_map(|p| {
            let location = p.location?;
            let name = lang.pick(&p.name, &p.name_en).to_string();
            let mut hover = format!("{name} · {:.0} {}", p.land_area_mu, viewer.t("unit.mu"));
            if let Some(g) = output_parks.and_then(|r| stats::group(r, p.id)) {
                hover.push_str(&format!(
                    " · {} {}",
                    viewer.t("park.output"),
                    stats::yi_or_withheld(lang, g, true)
                ));
                if let Some(firms) = g.firms {
                    hover.push_str(&format!(" · {firms} {}", viewer.t("unit.firms")));
                }
            }
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
                selected: false,
            })
        })
        .collect();
    map::parks_map(&map_parks, viewer.t("dash.parks_map"))
}

/// Monthly trends of the period's year against the year before: the digital economy's added value and the zone's
/// gross output, each drawn only when its roll-up has figures.
async fn trends(
    state: &AppState,
    viewer: &Viewer,
    figures: &Figures,
    year: i32,
) -> Result<(Option<String>, Option<String>), StoreError> {
    let actor = viewer.actor();
    let lang = viewer.lang;
    let (digital_trend, output_trend) = tokio::join!(
        async {
            match figures.digital {
                Some(_) => {
                    let by = Dimension::DigitalEconomy;
                    stats::monthly_trend(state, actor, lang, ADDED_VALUE, by, 0, year).await
                }
                None => Ok(None),
            }
        },
        async {
            match figures.output_zone {
                Some(_) => {
                    let by = Dimension::Zone;
                    stats::monthly_trend(state, actor, lang, GROSS_OUTPUT, by, 0, year).await
                }
                None => Ok(None),
            }
        },
    );
    let trend_svg = |series: Option<[charts::Series; 2]>, rollup: &Option<Rollup>, title: &str| {
        let unit = rollup.as_ref()?.indicator.unit;
        let s = series?;
        Some(charts::monthly_lines(
            &s,
            stats::chart_unit(unit, lang),
            &stats::month_labels(lang),
            title,
        ))
    };
    Ok((
        trend_svg(
            digital_trend?,
            &figures.digital,
            viewer.t("dash.trend_digital"),
        ),
        trend_svg(
            output_trend?,
            &figures.output_zone,
            viewer.t("dash.trend_output"),
        ),
    ))
}

/// What the admin must hear about the holiday calendar today: a year it must load before deadlines run into it.
async fn calendar_notice(state: &AppState, viewer: &Viewer) -> Result<Option<String>, StoreError> {
    if !viewer.actor().scope.is_admin() {
        return Ok(None);
    }
    let calendar = state.store.work_calendar().await?;
    Ok(calendar.year_to_load(state.clock.today()).map(|year| {
        viewer
            .t("dash.calendar_missing")
            .replace("{year}", &year.to_string())
    }))
}

/// The last day of a period (the day its figures are "as of").
fn last_day(period: Period) -> chrono::NaiveDate {
    let last = period.last_month();
    let next = last.next();
    chrono::NaiveDate::from_ymd_opt(next.year(), next.month(), 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
}
