//! The figures the pages show, read through the roll-ups as the viewer may see them (disclosure control
//! included): the period a page opens on, one roll-up, a monthly trend (this year against last). Where nothing was
//! imported the answer is `None`, and the page says so instead of showing a number; where a figure is withheld
//! from the viewer the page says "保密" / "confidential" and why. A store that fails is an error, for the page to
//! show as its error page, never an empty chart.

use chainpark_core::disclosure::Suppression;
use chainpark_core::figures::{Dimension, GrowthMethod, RegionSubject, Rollup, RollupGroup, Unit};
use chainpark_core::period::{Month, Period};
use chainpark_core::registry::Id;
use chainpark_core::time::Clock;
use chainpark_store::figures::{RollupQuery, ShareOf};
use chainpark_store::prelude::*;
use chainpark_store::{Actor, StoreError};

use super::charts::Series;
use super::format;
use super::i18n::Lang;
use crate::AppState;

/// Chongqing city (GB/T 2260), whose published totals the zone's shares are taken of.
pub const CITY: &str = "500000";
pub const ADDED_VALUE: &str = "added_value";
pub const GROSS_OUTPUT: &str = "gross_output";

/// The calendar year in Chongqing today.
pub fn this_year(clock: Clock) -> i32 {
    use chrono::Datelike;
    clock.today().year()
}

fn period_end(p: Period) -> (i32, u32) {
    (p.year(), p.month_range().1)
}

/// The period a page opens on: the latest one with a published city total of digital-economy added value (so the
/// zone's share can be shown next to its growth), else the last full year.
pub async fn default_period(
    store: &dyn Store,
    actor: &Actor,
    clock: Clock,
) -> Result<Period, StoreError> {
    let published = store
        .list_region_figures(actor)
        .await?
        .into_iter()
        .filter(|f| f.region_code == CITY && f.indicator == ADDED_VALUE)
        .map(|f| f.period)
        .max_by_key(|p| period_end(*p));
    Ok(published.unwrap_or_else(|| Period::Year(this_year(clock) - 1)))
}

/// Whether the city has a published digital-economy total of `indicator` for `period`.
pub async fn city_has(
    store: &dyn Store,
    actor: &Actor,
    indicator: &str,
    period: Period,
) -> Result<bool, StoreError> {
    Ok(store.list_region_figures(actor).await?.iter().any(|f| {
        f.region_code == CITY
            && f.indicator == indicator
            && f.period == period
            && f.subject == RegionSubject::DigitalEconomy
    }))
}

/// A roll-up as the viewer may see it, or `None` when the indicator is not in the catalogue or nothing was
/// reported in the period; an error when the store fails.
pub async fn rollup(
    state: &AppState,
    actor: &Actor,
    indicator: &str,
    period: Period,
    by: Dimension,
    share_of: ShareOf,
) -> Result<Option<Rollup>, StoreError> {
    let query = RollupQuery {
        indicator: indicator.to_string(),
        period,
        by,
        method: GrowthMethod::PublishedTotals,
        share_of,
    };
    match chainpark_app::rollups::rollup(state.store.as_ref(), &state.disclosure, actor, &query)
        .await
    {
        Ok(r) if r.groups.iter().any(RollupGroup::is_reported) => Ok(Some(r)),
        Ok(_) => Ok(None),
        Err(e) if super::is_absent(&e) => {
            tracing::debug!(error = %e, indicator, %period, "no roll-up for the page");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The group of a roll-up with this id.
pub fn group(rollup: &Rollup, id: Id) -> Option<&RollupGroup> {
    rollup.groups.iter().find(|g| g.group_id == id)
}

/// Monthly values of one group for a year and the year before, as two chart series (None where nothing was
/// reported or the month is withheld from the viewer). `None` when neither year has a value; an error when the
/// store fails.
pub async fn monthly_trend(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    indicator: &str,
    by: Dimension,
    group_id: Id,
    year: i32,
) -> Result<Option<[Series; 2]>, StoreError> {
    let mut this_year = Vec::with_capacity(12);
    let mut last_year = Vec::with_capacity(12);
    let mut any = false;
    // Twelve independent roll-ups: asked together.
    let months = futures_util::future::join_all((1..=12).filter_map(|month| {
        let m = Month::new(year, month)?;
        Some(async move {
            let found = rollup(state, actor, indicator, Period::Month(m), by, ShareOf::Zone).await;
            (month, found)
        })
    }))
    .await;
    for (month, found) in months {
        let found = found?;
        let g = found
            .as_ref()
            .and_then(|r| group(r, group_id).map(|g| (r.indicator.unit, g.clone())));
        let point = |value: i64, unit: Unit, y: i32| {
            let text = format!(
                "{y}-{month:02}: {}",
                format::amount_with_unit(value, unit, lang)
            );
            Some((chart_value(value, unit), text))
        };
        match g {
            Some((unit, g)) => {
                any = true;
                this_year.push(g.value.and_then(|v| point(v.hundredths, unit, year)));
                last_year.push(g.previous.and_then(|p| point(p.hundredths, unit, year - 1)));
            }
            None => {
                this_year.push(None);
                last_year.push(None);
            }
        }
    }
    Ok(any.then(|| {
        [
            Series {
                name: format!("{year} {}", lang.t("chart.this_year")),
                points: this_year,
            },
            Series {
                name: format!("{} {}", year - 1, lang.t("chart.last_year")),
                points: last_year,
            },
        ]
    }))
}

/// The words a page shows instead of a figure withheld from the viewer: "保密（企业过少）",
/// "confidential (too few firms)".
pub fn withheld(lang: Lang, rule: Suppression) -> String {
    let why = lang.t(&format!("fig.withheld.{}", rule.as_str()));
    match lang {
        Lang::Zh => format!("{}（{why}）", lang.t("fig.confidential")),
        Lang::En => format!("{} ({why})", lang.t("fig.confidential")),
    }
}

/// A group's value in 亿元 as a page writes it ("12.34", with `unit` "12.34 亿元"), or the words saying that it is
/// withheld from the viewer and why.
pub fn yi_or_withheld(lang: Lang, g: &RollupGroup, unit: bool) -> String {
    match (&g.value, g.suppressed) {
        (_, Some(rule)) => withheld(lang, rule),
        (Some(v), None) if unit => format!("{} {}", format::yi(v.hundredths), lang.t("unit.yi")),
        (Some(v), None) => format::yi(v.hundredths),
        (None, None) => "—".into(),
    }
}

/// The months on a chart's axis: 1月 … 12月, or Jan … Dec.
pub fn month_labels(lang: Lang) -> [String; 12] {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    std::array::from_fn(|i| match lang {
        Lang::Zh => format!("{}月", i + 1),
        Lang::En => EN[i].to_string(),
    })
}

/// A park's name on a map: without the zone's own name and the generic words around it.
pub fn short_park_name(name: &str) -> String {
    let name = name.strip_prefix("两江").unwrap_or(name);
    let name = name.strip_prefix("Liangjiang ").unwrap_or(name);
    let name = name.strip_suffix(" Industrial Park").unwrap_or(name);
    name.to_string()
}

/// The number a chart draws: money in 亿元, other units as they are.
pub fn chart_value(hundredths: i64, unit: Unit) -> f64 {
    match unit {
        Unit::Yuan => hundredths as f64 / 1e10,
        _ => format::to_f64(hundredths),
    }
}

/// The unit a chart's axis is labelled with, in the page's language.
pub fn chart_unit(unit: Unit, lang: Lang) -> &'static str {
    match unit {
        Unit::Yuan => lang.t("unit.yi"),
        other => format::unit_symbol(other, lang),
    }
}

/// Periods offered by the period chooser: for each year, the year, its halves, quarters and 1–9月.
pub fn period_choices(around: Period, clock: Clock) -> Vec<Period> {
    let last = (around.year() + 1).min(this_year(clock)).max(around.year());
    let mut out = Vec::new();
    for year in (last - 5..=last).rev() {
        out.push(Period::Year(year));
        out.push(Period::HalfYear { year, half: 2 });
        out.push(Period::HalfYear { year, half: 1 });
        out.push(Period::YearToDate { year, through: 9 });
        for quarter in (1..=4).rev() {
            out.push(Period::Quarter { year, quarter });
        }
    }
    if !out.contains(&around) {
        out.insert(0, around);
    }
    out
}

/// A period as a person reads it in the page's language.
pub fn period_label(period: Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => period.label_zh(),
        Lang::En => {
            let year = period.year();
            match period {
                Period::Month(m) => format!("{year}-{:02}", m.month()),
                Period::Quarter { quarter, .. } => format!("Q{quarter} {year}"),
                Period::HalfYear { half: 1, .. } => format!("H1 {year}"),
                Period::HalfYear { .. } => format!("H2 {year}"),
                Period::Year(_) => year.to_string(),
                Period::YearToDate { through: 1, .. } => format!("January {year}"),
                Period::YearToDate { through, .. } => {
                    format!("January–{} {year}", month_name(through))
                }
            }
        }
    }
}

fn month_name(month: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    .get(month as usize - 1)
    .copied()
    .unwrap_or("")
}
