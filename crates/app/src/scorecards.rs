//! The chiefs' scorecards computed from the stored data: every chain (or park) measured on the same indicators
//! from January to the card's month (a yearly card is January to December), scored among its peers by the
//! efficacy-coefficient method (`chainpark_core::assessment::scorecard`) and ranked. Values are gathered as the
//! zone sees them (the program's own actor) so that every chief is ranked against the same peers; what a caller
//! is shown of them is the policy's: the whole card where `Scope::may_read_scorecard` allows, the total and rank
//! otherwise, and nothing of a chain the caller does not reach.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chainpark_core::access::{Kind, Place};
use chainpark_core::assessment::Exact;
use chainpark_core::assessment::scorecard::{Card, CardRule, Normalise, Peer, score_cards};
use chainpark_core::disclosure::DisclosureRules;
use chainpark_core::figures::{Dimension, GrowthMethod};
use chainpark_core::list::Paging;
use chainpark_core::period::{Month, Period};
use chainpark_core::registry::Id;
use chainpark_core::workflow::projects::ProjectStage;
use chainpark_store::figures::{RollupQuery, ShareOf};
use chainpark_store::workflow::{
    AppealFilter, ProjectFilter, TransformationFilter, WorkOrderFilter, start_of_china_day,
};
use chainpark_store::{Actor, ChainFilter, ParkFilter, Store, StoreError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::exports::{Cell, Sheet};

/// Whose cards: the chains' (chain chiefs) or the parks' (park chiefs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Peers {
    Chains,
    Parks,
}

/// A card's period: a year (`2022`) or January to a month (`2022-06`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardPeriod {
    pub year: i32,
    pub through: u32,
    pub monthly: bool,
}

impl CardPeriod {
    pub fn parse(text: &str) -> AppResult<CardPeriod> {
        let bad = || AppError::bad_field("period", "write a year (2022) or a month (2022-06)");
        let text = text.trim();
        let (year, month) = match text.split_once('-') {
            Some((y, m)) => (y, Some(m)),
            None => (text, None),
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        let through = match month {
            Some(m) => m.parse::<u32>().map_err(|_| bad())?,
            None => 12,
        };
        Month::new(year, through).ok_or_else(bad)?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(CardPeriod {
            year,
            through,
            monthly: month.is_some(),
        })
    }

    fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or_default()
    }

    fn last_day(self) -> NaiveDate {
        chainpark_core::workflow::report::month_bounds(self.year, self.through)
            .map(|(_, last)| last)
            .unwrap_or_default()
    }

    pub fn label(self) -> String {
        if self.monthly {
            format!("{}-{:02}", self.year, self.through)
        } else {
            self.year.to_string()
        }
    }
}

/// A peer's card with its name; `items` is empty when the caller sees only the ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedCard {
    pub name: String,
    /// The chain's or park's English name (empty when it has none).
    pub name_en: String,
    /// The caller sees the whole card (its own, or every card for readers of everything).
    pub full: bool,
    #[serde(flatten)]
    pub card: Card,
}

/// The scorecards of every chain or park for a period, ranked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecards {
    pub peers: Peers,
    /// `2022` or `2022-06`.
    pub period: String,
    /// The indicators, their weights and how each is scaled.
    pub rules: Vec<CardRule>,
    pub cards: Vec<NamedCard>,
}

fn rule(code: &str, zh: &str, en: &str, weight: i64) -> CardRule {
    CardRule {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        weight,
        lower_is_better: false,
        normalise: Normalise::Efficacy,
    }
}

/// The indicators of a chain chief's card.
pub fn chain_rules() -> Vec<CardRule> {
    vec![
        rule("output", "产值（万元）", "Gross output (10k yuan)", 15),
        rule(
            "output_growth",
            "产值同比增长（%）",
            "Output growth year on year (%)",
            25,
        ),
        rule("completeness", "产业链完整度", "Chain completeness", 15),
        rule(
            "project_progress",
            "项目推进（签约1分、开工2分、投产3分）",
            "Project progress (signed 1, started 2, in production 3 points)",
            20,
        ),
        rule(
            "appeals_on_time",
            "诉求按时办结率（%）",
            "Appeals handled on time (%)",
            15,
        ),
        rule(
            "satisfaction",
            "诉求满意率（%）",
            "Appeals rated satisfied (%)",
            10,
        ),
    ]
}

/// The indicators of a park chief's card.
pub fn park_rules() -> Vec<CardRule> {
    vec![
        rule(
            "added_value_per_mu",
            "亩均增加值（元/亩，最近一次评价）",
            "Added value per mu (yuan, latest evaluation)",
            25,
        ),
        rule(
            "output_growth",
            "产值同比增长（%）",
            "Output growth year on year (%)",
            25,
        ),
        rule(
            "appeals_on_time",
            "诉求按时办结率（%）",
            "Appeals handled on time (%)",
            15,
        ),
        rule(
            "work_orders_on_time",
            "工单按时完成率（%）",
            "Work orders done on time (%)",
            15,
        ),
        rule(
            "transformation",
            "完成智能化改造项目数",
            "Transformation projects completed",
            10,
        ),
        CardRule {
            lower_is_better: true,
            ..rule(
                "vacancy",
                "厂房空置率（%，期末，越低越好）",
                "Vacancy of the park's units (%, at the period's end; lower is better)",
                10,
            )
        },
    ]
}

fn exact_f64(value: f64) -> Option<Exact> {
    value
        .is_finite()
        .then(|| Exact::parse_decimal(&format!("{value:.4}")))
        .flatten()
}

fn percent(part: i64, whole: i64) -> Option<Exact> {
    Exact::ratio(i128::from(part) * 100, i128::from(whole))
}

/// Gross output (10k yuan) and its growth (%) January to the period's month, by chain or park.
async fn output(
    store: &dyn Store,
    rules: &DisclosureRules,
    actor: &Actor,
    period: CardPeriod,
    by: Dimension,
) -> HashMap<Id, (Option<Exact>, Option<Exact>)> {
    let query = RollupQuery {
        indicator: "gross_output".into(),
        period: Period::YearToDate {
            year: period.year,
            through: period.through,
        },
        by,
        method: GrowthMethod::default(),
        share_of: ShareOf::default(),
    };
    // A zone that keeps no gross output scores every peer "no data" on it rather than failing the cards.
    let Ok(rollup) = crate::rollups::rollup(store, rules, actor, &query).await else {
        return HashMap::new();
    };
    rollup
        .groups
        .iter()
        .map(|g| {
            let value = g
                .value
                .as_ref()
                .and_then(|v| Exact::ratio(i128::from(v.hundredths), 1_000_000));
            let growth = g
                .yoy_growth_percent_precise
                .as_deref()
                .or(g.yoy_growth_percent.as_deref())
                .and_then(Exact::parse_decimal);
            (g.group_id, (value, growth))
        })
        .collect()
}

/// The appeals received in the period, of one chain or park or (with neither) of the zone.
fn appeals_received(period: CardPeriod, chain: Option<Id>, park: Option<Id>) -> AppealFilter {
    AppealFilter {
        chain_id: chain,
        park_id: park,
        received_from: Some(period.first_day()),
        received_to: Some(period.last_day()),
        as_of: period.last_day(),
        ..Default::default()
    }
}

/// The on-time rate of a chain's or park's appeals received in the period.
async fn appeals_on_time(
    store: &dyn Store,
    actor: &Actor,
    period: CardPeriod,
    chain: Option<Id>,
    park: Option<Id>,
) -> AppResult<Option<Exact>> {
    let rate = store
        .appeal_on_time_rate(actor, &appeals_received(period, chain, park))
        .await?;
    Ok(rate.rate_percent.and_then(exact_f64))
}

/// Each chain's share of appeals rated satisfied among its rated appeals received in the period, from one list
/// of the zone's appeals.
async fn satisfaction_by_chain(
    store: &dyn Store,
    actor: &Actor,
    period: CardPeriod,
) -> AppResult<HashMap<Id, Option<Exact>>> {
    let mut rated: HashMap<Id, (i64, i64)> = HashMap::new();
    for appeal in store
        .list_appeals(actor, &appeals_received(period, None, None), &Paging::all())
        .await?
        .items
    {
        if let (Some(chain), Some(satisfied)) = (appeal.chain_id, appeal.satisfied) {
            let (yes, all) = rated.entry(chain).or_default();
            *yes += i64::from(satisfied);
            *all += 1;
        }
    }
    Ok(rated
        .into_iter()
        .map(|(chain, (yes, all))| (chain, percent(yes, all)))
        .collect())
}

/// A project's points for its chain by the stage reached at the period's end: signed or registered 1, started 2,
/// in production or at capacity 3.
fn project_points(project: &chainpark_core::workflow::projects::Project, day: NaiveDate) -> i64 {
    match project.stages.stage_on(day) {
        Some(ProjectStage::Signed | ProjectStage::Registered) => 1,
        Some(ProjectStage::Started) => 2,
        Some(ProjectStage::InProduction | ProjectStage::AtCapacity) => 3,
        _ => 0,
    }
}

/// Every peer's card for a period as the zone sees them, before a caller's share is cut out of them.
struct ZoneCards {
    rules: Vec<CardRule>,
    cards: Vec<Card>,
    /// Each peer's name and English name.
    names: HashMap<Id, (String, String)>,
}

/// How long remembered cards are used at most, even when no change on this server moved the data version
/// (changes made by another process on the same database are seen after this long).
pub const SCORECARDS_MAX_AGE: Duration = Duration::from_secs(60);
/// (peers, period) pairs remembered at once.
const SCORECARD_ENTRIES: usize = 64;

struct RememberedCards {
    version: u64,
    made: Instant,
    cards: Arc<ZoneCards>,
}

/// The zone's cards per (peers, period), remembered for the data version they were computed at (the server's
/// version moves with every change, see `chainpark_web::cache`) and at most [`SCORECARDS_MAX_AGE`]: a repeated
/// request costs a lookup and a filter. The cards are computed as the zone sees them and depend on nothing of the
/// caller, so one entry serves every reader; which cards a caller sees and whether whole is decided on every
/// answer, never remembered.
#[derive(Default)]
pub struct ScorecardCache {
    entries: Mutex<HashMap<(Peers, CardPeriod), RememberedCards>>,
}

impl ScorecardCache {
    /// Every chain's or park's card for the period, as `caller` may see them, from memory when the zone's cards
    /// were computed at `version` (read before the store is asked) less than [`SCORECARDS_MAX_AGE`] ago.
    pub async fn scorecards(
        &self,
        store: &dyn Store,
        rules: &DisclosureRules,
        caller: &Actor,
        peers: Peers,
        period: CardPeriod,
        version: u64,
    ) -> AppResult<Scorecards> {
        caller
            .scope
            .may_see_zone_views()
            .map_err(StoreError::from)?;
        let key = (peers, period);
        let remembered = {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries
                .get(&key)
                .filter(|r| r.version == version && r.made.elapsed() < SCORECARDS_MAX_AGE)
                .map(|r| r.cards.clone())
        };
        let zone = match remembered {
            Some(cards) => cards,
            None => {
                let cards = Arc::new(zone_cards(store, rules, peers, period).await?);
                let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
                if entries.len() >= SCORECARD_ENTRIES {
                    entries.retain(|_, r| {
                        r.version == version && r.made.elapsed() < SCORECARDS_MAX_AGE
                    });
                    if entries.len() >= SCORECARD_ENTRIES {
                        entries.clear();
                    }
                }
                entries.insert(
                    key,
                    RememberedCards {
                        version,
                        made: Instant::now(),
                        cards: cards.clone(),
                    },
                );
                cards
            }
        };
        Ok(as_caller_sees(&zone, caller, peers, period))
    }
}

/// Every chain's or park's card for the period, computed as the zone sees them.
async fn zone_cards(
    store: &dyn Store,
    rules: &DisclosureRules,
    peers: Peers,
    period: CardPeriod,
) -> AppResult<ZoneCards> {
    let zone = Actor::system("scorecards");
    let end = period.last_day();
    let (rules_of_card, names, values) = match peers {
        Peers::Chains => {
            let chains = store
                .list_chains(&zone, &ChainFilter::default(), &Paging::all())
                .await?
                .items;
            let outputs = output(store, rules, &zone, period, Dimension::Chain).await;
            let month = Month::new(period.year, period.through)
                .ok_or_else(|| AppError::bad_field("period", "not a month"))?;
            let health: HashMap<Id, Option<Exact>> =
                crate::chain_intel::all_chains_health(store, &zone, month, None)
                    .await?
                    .into_iter()
                    .map(|h| {
                        (
                            h.chain_id,
                            h.diagnosis.completeness.value.and_then(exact_f64),
                        )
                    })
                    .collect();
            // Every chain's projects and rated appeals in one read each.
            let mut points: HashMap<Id, i64> = HashMap::new();
            for project in store
                .list_projects(&zone, &ProjectFilter::default(), &Paging::all())
                .await?
                .items
            {
                if let Some(chain) = project.chain_id {
                    *points.entry(chain).or_default() += project_points(&project, end);
                }
            }
            let satisfaction = satisfaction_by_chain(store, &zone, period).await?;
            let mut values = Vec::new();
            for chain in &chains {
                let on_time = appeals_on_time(store, &zone, period, Some(chain.id), None).await?;
                let (value, growth) = outputs.get(&chain.id).cloned().unwrap_or_default();
                values.push(Peer {
                    id: chain.id,
                    values: vec![
                        value,
                        growth,
                        health.get(&chain.id).copied().flatten(),
                        Some(Exact::integer(
                            points.get(&chain.id).copied().unwrap_or(0).into(),
                        )),
                        on_time,
                        satisfaction.get(&chain.id).cloned().flatten(),
                    ],
                });
            }
            let names: HashMap<Id, (String, String)> = chains
                .into_iter()
                .map(|c| (c.id, (c.name, c.name_en)))
                .collect();
            (chain_rules(), names, values)
        }
        Peers::Parks => {
            let parks = store
                .list_parks(&zone, &ParkFilter::default(), &Paging::all())
                .await?
                .items;
            let outputs = output(store, rules, &zone, period, Dimension::Park).await;
            let per_mu = latest_park_per_mu(store, &zone, period.year).await?;
            let firms_park: HashMap<Id, Option<Id>> = store
                .year_inputs(&zone, period.year, start_of_china_day(end))
                .await?
                .firms
                .into_iter()
                .map(|f| (f.id, f.park_id))
                .collect();
            let completed = store
                .list_transformation_projects(
                    &zone,
                    &TransformationFilter {
                        by: Some(end),
                        ..Default::default()
                    },
                    &Paging::all(),
                )
                .await?
                .items;
            let orders_on_time = work_orders_on_time(store, &zone, period).await?;
            let mut values = Vec::new();
            for park in &parks {
                let on_time = appeals_on_time(store, &zone, period, None, Some(park.id)).await?;
                let transformed = completed
                    .iter()
                    .filter(|p| {
                        p.completed_on.is_some_and(|d| d >= period.first_day())
                            && firms_park.get(&p.enterprise_id).copied().flatten() == Some(park.id)
                    })
                    .count() as i64;
                let (_, growth) = outputs.get(&park.id).cloned().unwrap_or_default();
                let vacancy = store
                    .occupancy(&zone, park.id, end)
                    .await?
                    .vacancy_permille
                    .and_then(|v| Exact::ratio(v.into(), 10));
                values.push(Peer {
                    id: park.id,
                    values: vec![
                        per_mu.get(&park.id).copied(),
                        growth,
                        on_time,
                        orders_on_time.get(&park.id).cloned().flatten(),
                        Some(Exact::integer(transformed.into())),
                        vacancy,
                    ],
                });
            }
            let names: HashMap<Id, (String, String)> = parks
                .into_iter()
                .map(|p| (p.id, (p.name, p.name_en)))
                .collect();
            (park_rules(), names, values)
        }
    };
    Ok(ZoneCards {
        cards: score_cards(&rules_of_card, &values),
        rules: rules_of_card,
        names,
    })
}

/// The zone's cards as `caller` may see them: the cards of the chains or parks it sees, whole where
/// `Scope::may_read_scorecard` allows and otherwise only their totals and ranks.
fn as_caller_sees(
    zone: &ZoneCards,
    caller: &Actor,
    peers: Peers,
    period: CardPeriod,
) -> Scorecards {
    let cards = zone
        .cards
        .iter()
        .filter(|card| match peers {
            Peers::Chains => caller.scope.sees(
                Kind::Chain,
                Place {
                    chains: &[card.id],
                    ..Place::default()
                },
            ),
            Peers::Parks => caller.scope.sees(
                Kind::Park,
                Place {
                    parks: &[card.id],
                    ..Place::default()
                },
            ),
        })
        .map(|card| {
            let full = match peers {
                Peers::Chains => caller.scope.may_read_scorecard(Some(card.id), None),
                Peers::Parks => caller.scope.may_read_scorecard(None, Some(card.id)),
            }
            .is_ok();
            let mut card = card.clone();
            if !full {
                card.items.clear();
            }
            let (name, name_en) = zone.names.get(&card.id).cloned().unwrap_or_default();
            NamedCard {
                name,
                name_en,
                full,
                card,
            }
        })
        .collect();
    Scorecards {
        peers,
        period: period.label(),
        rules: zone.rules.clone(),
        cards,
    }
}

/// Each park's added value per evaluated mu in the latest run of `year` (or, before one exists, of an earlier
/// year).
async fn latest_park_per_mu(
    store: &dyn Store,
    actor: &Actor,
    year: i32,
) -> AppResult<HashMap<Id, Exact>> {
    let latest = store
        .list_runs(actor)
        .await?
        .into_iter()
        .filter(|r| r.year <= year)
        .max_by_key(|r| (r.year, r.id));
    let Some(run) = latest else {
        return Ok(HashMap::new());
    };
    let parks: Vec<chainpark_core::assessment::evaluate::GroupResult> =
        serde_json::from_value(run.summary["parks"].clone()).unwrap_or_default();
    Ok(parks
        .into_iter()
        .filter_map(|g| {
            let park = g.key.parse::<Id>().ok()?;
            let value = Exact::parse_decimal(g.per_mu.get("added_value")?)?;
            Some((park, value))
        })
        .collect())
}

/// Each park's share of its work orders due in the period that were done by their due time, from one list of
/// the zone's work orders.
async fn work_orders_on_time(
    store: &dyn Store,
    actor: &Actor,
    period: CardPeriod,
) -> AppResult<HashMap<Id, Option<Exact>>> {
    let start = start_of_china_day(period.first_day());
    let end = start_of_china_day(period.last_day()) + chrono::Duration::days(1);
    let orders = store
        .list_work_orders(
            actor,
            &WorkOrderFilter {
                park_id: None,
                status: None,
                kind: None,
                assignee_person_id: None,
                overdue: None,
                at: end,
            },
            &Paging::all(),
        )
        .await?
        .items;
    let mut due: HashMap<Id, (i64, i64)> = HashMap::new();
    for w in orders
        .iter()
        .filter(|w| w.due_at >= start && w.due_at < end)
    {
        let (on_time, all) = due.entry(w.park_id).or_default();
        *on_time += i64::from(w.done_at.or(w.closed_at).is_some_and(|d| d <= w.due_at));
        *all += 1;
    }
    Ok(due
        .into_iter()
        .map(|(park, (on_time, all))| (park, percent(on_time, all)))
        .collect())
}

/// The cards as a workbook sheet: rank, name, total, then each indicator's value and score.
pub fn scorecard_sheet(cards: &Scorecards) -> Sheet {
    let mut headers = vec![
        "排名 rank".to_string(),
        "名称 name".to_string(),
        "总分 total".to_string(),
    ];
    for r in &cards.rules {
        headers.push(format!("{} {} (×{})", r.name_zh, r.name_en, r.weight));
        headers.push(format!("{} 得分 score", r.code));
    }
    let mut sheet = Sheet {
        name: format!("考核 Scorecards {}", cards.period),
        headers,
        rows: Vec::new(),
    };
    for c in &cards.cards {
        let mut row = vec![
            Cell::Int(c.card.rank),
            c.name.clone().into(),
            centi(c.card.total_centi).into(),
        ];
        for item in &c.card.items {
            row.push(item.value.clone().into());
            row.push(centi(item.score_centi).into());
        }
        sheet.rows.push(row);
    }
    sheet
}

fn centi(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", value.abs() / 100, value.abs() % 100)
}
