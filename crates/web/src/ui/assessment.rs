//! The per-mu evaluation pages: a run's class list (A/B/C/D/T) of the whole zone, a park or a chain, sortable and
//! exported to XLSX through the API; one firm's explanation (value, benchmark, weight, cap and points of every
//! indicator); a scheme with its populations and the policy of each class; the chiefs' scorecards. Every page
//! reads with the viewer's actor, so the policy decides which results appear (an enterprise user finds its own).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use chainpark_app::scorecards::{CardPeriod, Peers};
use chainpark_core::assessment::evaluate::How;
use chainpark_core::assessment::scheme::{Benchmark, Class, Per};
use chainpark_core::assessment::scorecard::CardHow;
use chainpark_core::list::Paging;
use chainpark_core::registry::Id;
use chainpark_store::assessment::{ResultFilter, Scheme};
use chainpark_store::{ChainFilter, ParkFilter};
use serde::Deserialize;

use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;
use crate::api::assessment::centi_text;

struct ResultRow {
    enterprise_id: Id,
    name: String,
    population: String,
    class: &'static str,
    rank: String,
    score: String,
}

struct Choice {
    id: Id,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct ClassListPage {
    chrome: Chrome,
    /// The viewer keeps land: the page links the land import.
    may_keep_land: bool,
    run_id: Option<Id>,
    run_label: String,
    scheme_id: Option<Id>,
    runs: Vec<Choice>,
    parks: Vec<Choice>,
    chains: Vec<Choice>,
    /// The export's query: run, park or chain.
    export_query: String,
    /// The current filter as a query, for the sorting links.
    filter_query: String,
    counts: Vec<(&'static str, i64)>,
    rows: Vec<ResultRow>,
    pager: super::Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct ClassListQuery {
    run: Option<Id>,
    park_id: Option<String>,
    chain_id: Option<String>,
    /// `score` (default), `name` or `class`.
    sort: Option<String>,
    /// The first row shown, in the chosen order: the list shows a page of [`super::LIST_PAGE`] rows.
    offset: Option<i64>,
}

fn chosen(text: &Option<String>) -> Option<Id> {
    text.as_deref().and_then(|t| t.trim().parse().ok())
}

/// A run's class list: the latest run unless one is chosen; a park's or a chain's with the filter.
pub async fn class_list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ClassListQuery>,
) -> PageResult {
    let actor = viewer.actor();
    let mut runs = state
        .store
        .list_runs(actor)
        .await
        .map_err(|e| viewer.fail(e))?;
    runs.sort_by_key(|r| std::cmp::Reverse(r.id));
    let run = match q.run {
        Some(id) => Some(
            state
                .store
                .get_run(actor, id)
                .await
                .map_err(|e| viewer.fail(e))?,
        ),
        None => runs.first().cloned(),
    };
    let (park_id, chain_id) = (chosen(&q.park_id), chosen(&q.chain_id));
    let zone = actor.scope.may_see_zone_views().is_ok();
    let parks = if zone {
        state
            .store
            .list_parks(actor, &ParkFilter::default(), &Paging::all())
            .await
            .map_err(|e| viewer.fail(e))?
            .items
            .into_iter()
            .map(|p| Choice {
                selected: Some(p.id) == park_id,
                id: p.id,
                name: viewer.lang.pick(&p.name, &p.name_en).to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let chains = if zone {
        state
            .store
            .list_chains(actor, &ChainFilter::default(), &Paging::all())
            .await
            .map_err(|e| viewer.fail(e))?
            .items
            .into_iter()
            .map(|c| Choice {
                selected: Some(c.id) == chain_id,
                id: c.id,
                name: viewer.lang.pick(&c.name, &c.name_en).to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    // The sort key as the store takes it: the best first unless the viewer chose another.
    let sort = q
        .sort
        .as_deref()
        .filter(|s| ["name", "class", "score"].contains(s));
    let offset = q.offset.unwrap_or(0).max(0);
    let mut rows = Vec::new();
    let mut counts: Vec<(Class, i64)> = Class::ALL.iter().map(|c| (*c, 0)).collect();
    let mut total = 0;
    if let Some(run) = &run {
        let filter = ResultFilter {
            park_id,
            chain_id,
            class: None,
        };
        counts = state
            .store
            .run_class_counts(actor, run.id, &filter)
            .await
            .map_err(|e| viewer.fail(e))?;
        let page = state
            .store
            .run_results(
                actor,
                run.id,
                &filter,
                &Paging::new(
                    Some(super::LIST_PAGE),
                    Some(offset),
                    Some(sort.unwrap_or("score")),
                ),
            )
            .await
            .map_err(|e| viewer.fail(e))?;
        total = page.total;
        rows = page
            .items
            .into_iter()
            .map(|r| ResultRow {
                enterprise_id: r.enterprise_id,
                name: r.enterprise_name,
                population: r.detail.population,
                class: r.class.as_str(),
                rank: r
                    .detail
                    .rank
                    .map(|k| format!("{k} / {}", r.detail.ranked_among))
                    .unwrap_or_default(),
                score: centi_text(r.detail.score_centi),
            })
            .collect();
    }
    let mut filter_query = String::new();
    if let Some(run) = &run {
        filter_query.push_str(&format!("run={}", run.id));
    }
    if let Some(park) = park_id {
        filter_query.push_str(&format!("&park_id={park}"));
    }
    if let Some(chain) = chain_id {
        filter_query.push_str(&format!("&chain_id={chain}"));
    }
    let mut pager_query = filter_query.clone();
    if let Some(sort) = sort {
        pager_query.push_str(&format!("&sort={sort}"));
    }
    // The counts are of the whole list; the table shows one page of it, in the chosen order.
    let pager = super::Pager::new(
        "/assessment",
        &pager_query,
        offset.min(total),
        rows.len(),
        total,
    );
    let export_query = filter_query
        .split('&')
        .filter(|p| !p.starts_with("run="))
        .collect::<Vec<_>>()
        .join("&amp;");
    let page = ClassListPage {
        chrome: viewer.chrome(viewer.t("assess.title"), "assessment"),
        may_keep_land: viewer.actor().scope.may_keep_any_land().is_ok(),
        run_id: run.as_ref().map(|r| r.id),
        run_label: run
            .as_ref()
            .map(|r| {
                format!(
                    "{} · {} v{} · {}",
                    r.year,
                    r.scheme_code,
                    r.scheme_version,
                    chainpark_core::time::china_date(r.ran_at)
                )
            })
            .unwrap_or_default(),
        scheme_id: run.as_ref().map(|r| r.scheme_id),
        runs: runs
            .iter()
            .map(|r| Choice {
                id: r.id,
                name: format!(
                    "{} · {} v{} (#{})",
                    r.year, r.scheme_code, r.scheme_version, r.id
                ),
                selected: run.as_ref().is_some_and(|c| c.id == r.id),
            })
            .collect(),
        parks,
        chains,
        export_query,
        filter_query: filter_query.replace('&', "&amp;"),
        counts: counts
            .into_iter()
            .map(|(class, n)| (class.as_str(), n))
            .collect(),
        rows,
        pager,
    };
    Ok(render(page))
}

struct ItemRow {
    name: String,
    value: String,
    benchmark: String,
    weight: i64,
    cap: String,
    points: String,
    how: &'static str,
}

#[derive(Template)]
#[template(path = "assessment_firm.html")]
struct FirmPage {
    chrome: Chrome,
    run_id: Id,
    scheme_id: Id,
    year: i32,
    name: String,
    credit_code: String,
    population: String,
    class: &'static str,
    rank: String,
    score: String,
    area: String,
    exemption: String,
    items: Vec<ItemRow>,
    policy: String,
}

fn how_key(how: How) -> &'static str {
    match how {
        How::Scored => "assess.how.scored",
        How::Capped => "assess.how.capped",
        How::Negative => "assess.how.negative",
        How::MissingZero => "assess.how.missing_zero",
        How::MissingAverage => "assess.how.missing_average",
    }
}

/// One firm's result in a run with how each point was computed; 404 outside the viewer's reach.
pub async fn firm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((run_id, enterprise_id)): Path<(Id, Id)>,
) -> PageResult {
    let actor = viewer.actor();
    let result = state
        .store
        .firm_result(actor, run_id, enterprise_id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let run = state
        .store
        .get_run(actor, run_id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let scheme = state
        .store
        .get_scheme(actor, run.scheme_id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let en = viewer.lang == super::i18n::Lang::En;
    let population = scheme
        .body
        .populations
        .iter()
        .find(|p| p.code == result.detail.population);
    let names: HashMap<&str, &str> = population
        .map(|p| {
            p.indicators
                .iter()
                .map(|i| {
                    (
                        i.code.as_str(),
                        if en {
                            i.name_en.as_str()
                        } else {
                            i.name_zh.as_str()
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let items = result
        .detail
        .items
        .iter()
        .map(|i| ItemRow {
            name: names
                .get(i.code.as_str())
                .copied()
                .unwrap_or(&i.code)
                .to_string(),
            value: i.value.clone().unwrap_or_else(|| "—".into()),
            benchmark: i.benchmark.clone(),
            weight: i.weight,
            cap: i.cap_centi.map(centi_text).unwrap_or_else(|| "—".into()),
            points: centi_text(i.points_centi),
            how: viewer.t(how_key(i.how)),
        })
        .collect();
    let policy = scheme
        .body
        .policies
        .iter()
        .find(|p| p.class == result.class.as_str())
        .map(|p| {
            if en && !p.text_en.is_empty() {
                p.text_en.clone()
            } else {
                p.text_zh.clone()
            }
        })
        .unwrap_or_default();
    let area = result.detail.area;
    let page = FirmPage {
        chrome: viewer.chrome(result.enterprise_name.clone(), "assessment"),
        run_id,
        scheme_id: run.scheme_id,
        year: run.year,
        name: result.enterprise_name.clone(),
        credit_code: result.credit_code.clone(),
        population: population
            .map(|p| {
                if en {
                    p.name_en.clone()
                } else {
                    p.name_zh.clone()
                }
            })
            .unwrap_or_else(|| result.detail.population.clone()),
        class: result.class.as_str(),
        rank: result
            .detail
            .rank
            .map(|k| format!("{k} / {}", result.detail.ranked_among))
            .unwrap_or_else(|| "—".into()),
        score: centi_text(result.detail.score_centi),
        area: centi_text(area.total_centi_mu()),
        exemption: result.detail.exemption.clone().unwrap_or_default(),
        items,
        policy,
    };
    Ok(render(page))
}

struct IndicatorRow {
    name: String,
    per: String,
    weight: i64,
    benchmark: String,
    cap: String,
}

struct PopulationView {
    name: String,
    classing: String,
    indicators: Vec<IndicatorRow>,
}

#[derive(Template)]
#[template(path = "assessment_scheme.html")]
struct SchemePage {
    chrome: Chrome,
    scheme: Scheme,
    populations: Vec<PopulationView>,
    policies: Vec<(String, String)>,
    exemptions: Vec<(String, String)>,
}

/// A scheme version: its populations, indicators, weights, benchmarks, caps and the policy of each class.
pub async fn scheme(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
) -> PageResult {
    let scheme = state
        .store
        .get_scheme(viewer.actor(), id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let en = viewer.lang == super::i18n::Lang::En;
    let populations = scheme
        .body
        .populations
        .iter()
        .map(|p| PopulationView {
            name: if en {
                p.name_en.clone()
            } else {
                p.name_zh.clone()
            },
            classing: match &p.classing {
                chainpark_core::assessment::scheme::Classing::Quotas {
                    a_percent,
                    b_percent,
                    c_percent,
                } => format!("A ≤ {a_percent}% · B ≤ {b_percent}% · C ≤ {c_percent}% · D"),
                chainpark_core::assessment::scheme::Classing::Thresholds { a, b, c } => {
                    format!("A ≥ {a} · B ≥ {b} · C ≥ {c} · D")
                }
            },
            indicators: p
                .indicators
                .iter()
                .map(|i| IndicatorRow {
                    name: if en {
                        i.name_en.clone()
                    } else {
                        i.name_zh.clone()
                    },
                    per: match &i.per {
                        Per::Mu => viewer.t("assess.per.mu").to_string(),
                        Per::Person => viewer.t("assess.per.person").to_string(),
                        Per::Tce => viewer.t("assess.per.tce").to_string(),
                        Per::Indicator(code) => format!("÷ {code}"),
                    },
                    weight: i.weight,
                    benchmark: match &i.benchmark {
                        Benchmark::Fixed { value } => value.clone(),
                        Benchmark::Average {
                            factor_percent,
                            last_year,
                        } => format!(
                            "{factor_percent}% × {}",
                            if *last_year {
                                viewer.t("assess.average_last_year")
                            } else {
                                viewer.t("assess.average")
                            }
                        ),
                    },
                    cap: i
                        .cap_percent
                        .map(|c| format!("{c}%"))
                        .unwrap_or_else(|| "—".into()),
                })
                .collect(),
        })
        .collect();
    let policies = scheme
        .body
        .policies
        .iter()
        .map(|p| {
            (
                p.class.clone(),
                if en && !p.text_en.is_empty() {
                    p.text_en.clone()
                } else {
                    p.text_zh.clone()
                },
            )
        })
        .collect();
    let exemptions = scheme
        .body
        .exemptions
        .iter()
        .map(|e| (e.credit_code.clone(), e.reason.clone()))
        .collect();
    let title = format!("{} v{}", scheme.name, scheme.version);
    let page = SchemePage {
        chrome: viewer.chrome(title, "assessment"),
        scheme,
        populations,
        policies,
        exemptions,
    };
    Ok(render(page))
}

struct CardRow {
    rank: i64,
    name: String,
    total: String,
    full: bool,
    /// Each item: value, score and how it was scored.
    items: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "scorecards.html")]
struct ScorecardsPage {
    chrome: Chrome,
    parks: bool,
    period: String,
    /// Name and weight of each indicator.
    rules: Vec<(String, i64)>,
    cards: Vec<CardRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScorecardPageQuery {
    /// `chains` (default) or `parks`.
    peers: Option<String>,
    /// `2022` or `2022-06`; the last full year by default.
    period: Option<String>,
}

/// The chain or park chiefs' scorecards for a period, ranked, each score explained.
pub async fn scorecards_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ScorecardPageQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let parks = q.peers.as_deref() == Some("parks");
    let period_text = q
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            use chrono::Datelike;
            (state.clock.today().year() - 1).to_string()
        });
    let period = CardPeriod::parse(&period_text).map_err(|e| viewer.fail(e))?;
    let version = state.cache.version();
    let cards = state
        .scorecards
        .scorecards(
            state.store.as_ref(),
            &state.disclosure,
            viewer.actor(),
            if parks { Peers::Parks } else { Peers::Chains },
            period,
            version,
        )
        .await
        .map_err(|e| viewer.fail(e))?;
    let en = viewer.lang == super::i18n::Lang::En;
    let page = ScorecardsPage {
        chrome: viewer.chrome(viewer.t("score.title"), "scorecards"),
        parks,
        period: cards.period.clone(),
        rules: cards
            .rules
            .iter()
            .map(|r| {
                (
                    if en {
                        r.name_en.clone()
                    } else {
                        r.name_zh.clone()
                    },
                    r.weight,
                )
            })
            .collect(),
        cards: cards
            .cards
            .iter()
            .map(|c| CardRow {
                rank: c.card.rank,
                name: if en && !c.name_en.is_empty() {
                    c.name_en.clone()
                } else {
                    c.name.clone()
                },
                total: centi_text(c.card.total_centi),
                full: c.full,
                items: c
                    .card
                    .items
                    .iter()
                    .zip(&cards.rules)
                    .map(|(i, rule)| {
                        let how = viewer.t(match i.how {
                            CardHow::Scaled => "score.how.scaled",
                            CardHow::AllEqual => "score.how.all_equal",
                            CardHow::NoData => "score.how.no_data",
                        });
                        // The scaled score says between which values and in which direction it was scaled.
                        let how = match (i.how, &i.floor, &i.ceiling) {
                            (CardHow::Scaled, Some(lo), Some(hi)) => format!(
                                "{how}: {}",
                                if rule.lower_is_better {
                                    format!("60 + 40 × ({hi} − x) ÷ ({hi} − {lo})")
                                } else {
                                    format!("60 + 40 × (x − {lo}) ÷ ({hi} − {lo})")
                                }
                            ),
                            _ => how.to_string(),
                        };
                        (
                            i.value.clone().unwrap_or_else(|| "—".into()),
                            centi_text(i.score_centi),
                            how,
                        )
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(render(page))
}
