//! Evaluating one year under one scheme version: each firm's population, its value on every indicator, the
//! benchmark, the points (capped), the score of a missing value, the total, the rank among the population's graded
//! firms and the class (quotas by rank or score thresholds; T for new and exempt firms). Every item keeps how it was
//! computed, so a firm can be shown where each point came from. Arithmetic is exact; each item's points are rounded
//! once to hundredths of a point (half away from zero) and the total is the sum of the rounded items.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Exact;
use super::land::EvaluatedArea;
use super::scheme::{
    Benchmark, Class, Classing, IndicatorRule, LandRule, Missing, Per, Population, SchemeBody,
};
use crate::registry::Id;

/// What the evaluation knows of one firm for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmInput {
    pub enterprise_id: Id,
    pub credit_code: String,
    pub industry_code: String,
    pub above_size: bool,
    pub founded_on: Option<NaiveDate>,
    pub area: EvaluatedArea,
    /// The year's total of each stored indicator (hundredths of its unit) by code; absent: no figure.
    pub figures: BTreeMap<String, i64>,
}

/// How an item's points were reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// weight × value ÷ benchmark.
    Scored,
    /// weight × value ÷ benchmark was above the cap: the cap.
    Capped,
    /// A negative value scores nothing.
    Negative,
    /// No value: no points.
    MissingZero,
    /// No value: the average points of the population's graded firms that have one.
    MissingAverage,
}

/// One indicator of one firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemResult {
    pub code: String,
    /// The numerator's year total, hundredths of its unit (`None`: no figure).
    pub numerator: Option<i64>,
    /// What it was divided by, hundredths (of a mu for the area).
    pub denominator: Option<i64>,
    /// The value in its unit (yuan per mu, per person, per tce, or a ratio), 4 decimals.
    pub value: Option<String>,
    /// The benchmark, 4 decimals.
    pub benchmark: String,
    pub weight: i64,
    /// The cap on the points, hundredths of a point.
    pub cap_centi: Option<i64>,
    /// Hundredths of a point.
    pub points_centi: i64,
    pub how: How,
}

/// One firm's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FirmResult {
    pub enterprise_id: Id,
    pub population: String,
    pub area: EvaluatedArea,
    pub items: Vec<ItemResult>,
    /// Hundredths of a point: the sum of the items.
    pub score_centi: i64,
    /// 1 for the best of the population; firms with equal scores share a rank. `None` for class T.
    pub rank: Option<i64>,
    /// How many graded firms the rank is out of.
    pub ranked_among: i64,
    pub class: Class,
    /// Why the firm is class T.
    pub exemption: Option<String>,
}

/// A population's benchmarks and class counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PopulationSummary {
    pub code: String,
    pub graded: i64,
    pub exempt: i64,
    /// Indicator code → benchmark, 4 decimals.
    pub benchmarks: BTreeMap<String, String>,
    /// Class letter → firms.
    pub classes: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Evaluation {
    pub results: Vec<FirmResult>,
    pub populations: Vec<PopulationSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    #[error(
        "population {population}, indicator {indicator}: no graded firm has a value {year_word}, so there is no average to benchmark against"
    )]
    NoBenchmark {
        population: String,
        indicator: String,
        year_word: &'static str,
    },
    #[error(
        "population {population}, indicator {indicator}: the benchmark is not a positive number"
    )]
    BadBenchmark {
        population: String,
        indicator: String,
    },
}

/// The population a firm belongs to: the first whose conditions it meets (none without evaluated area).
pub fn population_of<'a>(
    body: &'a SchemeBody,
    firm: &FirmInput,
) -> Option<(usize, &'a Population)> {
    let area = firm.area;
    if area.total_centi_mu() <= 0 {
        return None;
    }
    body.populations.iter().enumerate().find(|(_, p)| {
        let m = &p.members;
        m.above_size.is_none_or(|a| a == firm.above_size)
            && m.sector.admits(&firm.industry_code)
            && match m.land {
                LandRule::Any => true,
                LandRule::HoldsLand => area.held_centi_mu > 0,
                LandRule::LeasesOnly => area.leases_only(),
            }
            && area.total_centi_mu() >= m.min_area_centi_mu
    })
}

/// Why a firm is not graded in `year` (class T), if it is not.
pub fn exemption_of(body: &SchemeBody, year: i32, firm: &FirmInput) -> Option<String> {
    if let Some(e) = body
        .exemptions
        .iter()
        .find(|e| e.credit_code.trim() == firm.credit_code)
    {
        return Some(e.reason.clone());
    }
    let years = body.exempt_founded_within_years?;
    let founded = firm.founded_on?;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31)?;
    let limit = NaiveDate::from_ymd_opt(year - years as i32, 12, 31)?;
    (founded > limit && founded <= year_end).then(|| {
        format!(
            "founded {founded}, less than {years} years before {year_end} (成立未满 {years} 年)"
        )
    })
}

/// The numerator and denominator of a firm's value on an indicator, when both are there (the denominator > 0).
fn parts(rule: &IndicatorRule, firm: &FirmInput) -> (Option<i64>, Option<i64>) {
    let numerator = firm.figures.get(&rule.numerator).copied();
    let denominator = match &rule.per {
        Per::Mu => Some(firm.area.total_centi_mu()),
        other => other
            .denominator()
            .and_then(|code| firm.figures.get(code).copied()),
    };
    (numerator, denominator.filter(|d| *d > 0))
}

fn value_of(rule: &IndicatorRule, firm: &FirmInput) -> Option<Exact> {
    match parts(rule, firm) {
        (Some(n), Some(d)) => Exact::ratio(n.into(), d.into()),
        _ => None,
    }
}

/// The graded firms of each population (index into `firms`), for a year's inputs.
fn graded_members(body: &SchemeBody, year: i32, firms: &[FirmInput]) -> Vec<Vec<usize>> {
    let mut members = vec![Vec::new(); body.populations.len()];
    for (i, firm) in firms.iter().enumerate() {
        if let Some((p, _)) = population_of(body, firm)
            && exemption_of(body, year, firm).is_none()
        {
            members[p].push(i);
        }
    }
    members
}

/// `factor_percent` % of Σ numerators ÷ Σ denominators over the firms that have a value.
fn average_benchmark(
    rule: &IndicatorRule,
    firms: &[&FirmInput],
    factor_percent: i64,
) -> Option<Exact> {
    let (mut num, mut den) = (0i128, 0i128);
    for firm in firms {
        if let (Some(n), Some(d)) = parts(rule, firm) {
            num += i128::from(n);
            den += i128::from(d);
        }
    }
    Exact::ratio(num * i128::from(factor_percent), den * 100)
}

/// Evaluates `year`: `firms` are the year's inputs, `last_year` the year before's (for benchmarks on last year's
/// average). Results come population by population, best first; class T firms last in their population.
pub fn evaluate(
    body: &SchemeBody,
    year: i32,
    firms: &[FirmInput],
    last_year: &[FirmInput],
) -> Result<Evaluation, EvaluationError> {
    let graded_now = graded_members(body, year, firms);
    let graded_before = graded_members(body, year - 1, last_year);
    let mut exempt: Vec<Vec<(usize, String)>> = vec![Vec::new(); body.populations.len()];
    for (i, firm) in firms.iter().enumerate() {
        if let Some((p, _)) = population_of(body, firm)
            && let Some(reason) = exemption_of(body, year, firm)
        {
            exempt[p].push((i, reason));
        }
    }
    let mut results = Vec::with_capacity(firms.len());
    let mut populations = Vec::with_capacity(body.populations.len());
    for (p, population) in body.populations.iter().enumerate() {
        let graded: Vec<&FirmInput> = graded_now[p].iter().map(|&i| &firms[i]).collect();
        let before: Vec<&FirmInput> = graded_before[p].iter().map(|&i| &last_year[i]).collect();
        let mut benchmarks = Vec::with_capacity(population.indicators.len());
        for rule in &population.indicators {
            let error = |year_word| EvaluationError::NoBenchmark {
                population: population.code.clone(),
                indicator: rule.code.clone(),
                year_word,
            };
            let benchmark = match &rule.benchmark {
                Benchmark::Fixed { value } => Exact::parse_decimal(value),
                Benchmark::Average {
                    factor_percent,
                    last_year: false,
                } => Some(
                    average_benchmark(rule, &graded, *factor_percent)
                        .ok_or_else(|| error("this year"))?,
                ),
                Benchmark::Average {
                    factor_percent,
                    last_year: true,
                } => Some(
                    average_benchmark(rule, &before, *factor_percent)
                        .ok_or_else(|| error("last year"))?,
                ),
            };
            match benchmark {
                Some(b) if b > Exact::integer(0) => benchmarks.push(b),
                _ => {
                    return Err(EvaluationError::BadBenchmark {
                        population: population.code.clone(),
                        indicator: rule.code.clone(),
                    });
                }
            }
        }
        let members: Vec<(usize, Option<String>)> = graded_now[p]
            .iter()
            .map(|&i| (i, None))
            .chain(exempt[p].iter().map(|(i, r)| (*i, Some(r.clone()))))
            .collect();
        // Items of every member; missing values filled once the graded firms' average points are known.
        let mut items: Vec<Vec<ItemResult>> = members
            .iter()
            .map(|(i, _)| {
                population
                    .indicators
                    .iter()
                    .zip(&benchmarks)
                    .map(|(rule, benchmark)| score_item(rule, *benchmark, &firms[*i]))
                    .collect()
            })
            .collect();
        for (k, rule) in population.indicators.iter().enumerate() {
            if rule.missing != Missing::PopulationAverage {
                continue;
            }
            let (mut sum, mut count) = (0i128, 0i128);
            for (m, (_, exemption)) in members.iter().enumerate() {
                let item = &items[m][k];
                if exemption.is_none() && item.value.is_some() {
                    sum += i128::from(item.points_centi);
                    count += 1;
                }
            }
            let average = Exact::ratio(sum, count).map_or(0, |a| a.scaled(0));
            for member_items in &mut items {
                let item = &mut member_items[k];
                if item.value.is_none() {
                    item.points_centi = average;
                    item.how = How::MissingAverage;
                }
            }
        }
        let mut scored: Vec<FirmResult> = members
            .iter()
            .zip(items)
            .map(|((i, exemption), items)| FirmResult {
                enterprise_id: firms[*i].enterprise_id,
                population: population.code.clone(),
                area: firms[*i].area,
                score_centi: items.iter().map(|it| it.points_centi).sum(),
                items,
                rank: None,
                ranked_among: graded.len() as i64,
                class: Class::T,
                exemption: exemption.clone(),
            })
            .collect();
        scored.sort_by(|a, b| {
            (a.exemption.is_some(), -a.score_centi, a.enterprise_id).cmp(&(
                b.exemption.is_some(),
                -b.score_centi,
                b.enterprise_id,
            ))
        });
        let n = graded.len() as i64;
        let mut classes: BTreeMap<String, i64> = BTreeMap::new();
        let mut previous: Option<(i64, i64)> = None;
        for (position, result) in scored.iter_mut().enumerate() {
            if result.exemption.is_none() {
                let rank = match previous {
                    Some((score, rank)) if score == result.score_centi => rank,
                    _ => position as i64 + 1,
                };
                previous = Some((result.score_centi, rank));
                result.rank = Some(rank);
                result.class = class_of(&population.classing, rank, n, result.score_centi);
            }
            *classes
                .entry(result.class.as_str().to_string())
                .or_default() += 1;
        }
        populations.push(PopulationSummary {
            code: population.code.clone(),
            graded: n,
            exempt: exempt[p].len() as i64,
            benchmarks: population
                .indicators
                .iter()
                .zip(&benchmarks)
                .map(|(r, b)| (r.code.clone(), b.decimal(4)))
                .collect(),
            classes,
        });
        results.extend(scored);
    }
    Ok(Evaluation {
        results,
        populations,
    })
}

fn score_item(rule: &IndicatorRule, benchmark: Exact, firm: &FirmInput) -> ItemResult {
    let (numerator, denominator) = parts(rule, firm);
    let value = value_of(rule, firm);
    let cap_centi = rule.cap_percent.map(|c| rule.weight * c);
    let (points_centi, how) = match value {
        None => (0, How::MissingZero),
        Some(v) if v < Exact::integer(0) => (0, How::Negative),
        Some(v) => {
            let points = v
                .times(Exact::integer(rule.weight.into()))
                .over(benchmark)
                .map_or(0, |p| p.scaled(2));
            match cap_centi {
                Some(cap) if points > cap => (cap, How::Capped),
                _ => (points, How::Scored),
            }
        }
    };
    ItemResult {
        code: rule.code.clone(),
        numerator,
        denominator,
        value: value.map(|v| v.decimal(4)),
        benchmark: benchmark.decimal(4),
        weight: rule.weight,
        cap_centi,
        points_centi,
        how,
    }
}

/// The class of the firm ranked `rank` of `n` graded firms with `score_centi`.
pub fn class_of(classing: &Classing, rank: i64, n: i64, score_centi: i64) -> Class {
    match classing {
        Classing::Quotas {
            a_percent,
            b_percent,
            c_percent,
        } => {
            let bound = |percent: i64| (2 * n * percent + 100) / 200;
            if rank <= bound(*a_percent) {
                Class::A
            } else if rank <= bound(*b_percent) {
                Class::B
            } else if rank <= bound(*c_percent) {
                Class::C
            } else {
                Class::D
            }
        }
        Classing::Thresholds { a, b, c } => {
            let score = Exact::ratio(score_centi.into(), 100).unwrap_or(Exact::integer(0));
            let at_least = |t: &String| Exact::parse_decimal(t).is_some_and(|t| score >= t);
            if at_least(a) {
                Class::A
            } else if at_least(b) {
                Class::B
            } else if at_least(c) {
                Class::C
            } else {
                Class::D
            }
        }
    }
}

/// What changed for one firm between two runs of the same year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FirmChange {
    pub enterprise_id: Id,
    /// The indicators whose inputs (numerator, denominator) differ, by item code.
    pub inputs_changed: Vec<String>,
    pub score_before: Option<i64>,
    pub score_after: Option<i64>,
    pub class_before: Option<Class>,
    pub class_after: Option<Class>,
    pub rank_before: Option<i64>,
    pub rank_after: Option<i64>,
}

/// The firms whose inputs or result differ between an earlier run and a later one, by enterprise id.
pub fn changes(before: &[FirmResult], after: &[FirmResult]) -> Vec<FirmChange> {
    let old: HashMap<Id, &FirmResult> = before.iter().map(|r| (r.enterprise_id, r)).collect();
    let new: HashMap<Id, &FirmResult> = after.iter().map(|r| (r.enterprise_id, r)).collect();
    let mut ids: Vec<Id> = old.keys().chain(new.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let (b, a) = (old.get(&id).copied(), new.get(&id).copied());
            let inputs_changed: Vec<String> = match (b, a) {
                (Some(b), Some(a)) => a
                    .items
                    .iter()
                    .filter(|ai| {
                        b.items
                            .iter()
                            .find(|bi| bi.code == ai.code)
                            .is_none_or(|bi| {
                                (bi.numerator, bi.denominator) != (ai.numerator, ai.denominator)
                            })
                    })
                    .map(|ai| ai.code.clone())
                    .collect(),
                _ => Vec::new(),
            };
            let change = FirmChange {
                enterprise_id: id,
                inputs_changed,
                score_before: b.map(|r| r.score_centi),
                score_after: a.map(|r| r.score_centi),
                class_before: b.map(|r| r.class),
                class_after: a.map(|r| r.class),
                rank_before: b.and_then(|r| r.rank),
                rank_after: a.and_then(|r| r.rank),
            };
            let same = change.inputs_changed.is_empty()
                && change.score_before == change.score_after
                && change.class_before == change.class_after
                && change.rank_before == change.rank_after;
            (!same).then_some(change)
        })
        .collect()
}

/// The per-mu result of a group of firms (a park, a district): their evaluated area and year totals, and the
/// totals per mu of that area and of the group's own land when it has some (a park's area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GroupResult {
    pub key: String,
    pub firms: i64,
    pub area_centi_mu: i64,
    /// Indicator code → year total of the group's firms, hundredths.
    pub totals: BTreeMap<String, i64>,
    /// Indicator code → total ÷ the firms' evaluated area (yuan per mu), 2 decimals.
    pub per_mu: BTreeMap<String, String>,
    /// The group's own land (a park's land area), hundredths of a mu.
    pub own_land_centi_mu: Option<i64>,
    /// Indicator code → total ÷ the group's own land (yuan per mu), 2 decimals.
    pub per_own_mu: BTreeMap<String, String>,
    /// Class letter → firms.
    pub classes: BTreeMap<String, i64>,
}

/// Groups the evaluated firms by `key_of` (a park, a district) and sums `indicators` over each group.
pub fn group_results<'a>(
    firms: &'a [FirmInput],
    evaluation: &Evaluation,
    indicators: &[&str],
    key_of: impl Fn(&'a FirmInput) -> Option<String>,
    own_land: impl Fn(&str) -> Option<i64>,
) -> Vec<GroupResult> {
    let classes: HashMap<Id, Class> = evaluation
        .results
        .iter()
        .map(|r| (r.enterprise_id, r.class))
        .collect();
    let mut groups: BTreeMap<String, GroupResult> = BTreeMap::new();
    for firm in firms {
        let Some(class) = classes.get(&firm.enterprise_id) else {
            continue;
        };
        let Some(key) = key_of(firm) else { continue };
        let g = groups.entry(key.clone()).or_insert_with(|| GroupResult {
            own_land_centi_mu: own_land(&key),
            key,
            firms: 0,
            area_centi_mu: 0,
            totals: BTreeMap::new(),
            per_mu: BTreeMap::new(),
            per_own_mu: BTreeMap::new(),
            classes: BTreeMap::new(),
        });
        g.firms += 1;
        g.area_centi_mu += firm.area.total_centi_mu();
        *g.classes.entry(class.as_str().to_string()).or_default() += 1;
        for code in indicators {
            if let Some(v) = firm.figures.get(*code) {
                *g.totals.entry((*code).to_string()).or_default() += v;
            }
        }
    }
    groups
        .into_values()
        .map(|mut g| {
            for (code, total) in &g.totals {
                if let Some(v) = Exact::ratio((*total).into(), g.area_centi_mu.into()) {
                    g.per_mu.insert(code.clone(), v.decimal(2));
                }
                if let Some(v) = g
                    .own_land_centi_mu
                    .and_then(|land| Exact::ratio((*total).into(), land.into()))
                {
                    g.per_own_mu.insert(code.clone(), v.decimal(2));
                }
            }
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::scheme::{Exemption, Membership, Population};

    fn rule(
        code: &str,
        numerator: &str,
        per: Per,
        weight: i64,
        benchmark: Benchmark,
        cap_percent: i64,
        missing: Missing,
    ) -> IndicatorRule {
        IndicatorRule {
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            numerator: numerator.into(),
            per,
            weight,
            benchmark,
            cap_percent: Some(cap_percent),
            missing,
        }
    }

    /// The scheme of the hand-computed example: plot ratio 1.0; one population; quotas A 25 %, B to 50 %, C to
    /// 75 %, D the rest; firm 5 exempt by listing.
    fn five_firm_scheme() -> SchemeBody {
        SchemeBody {
            plot_ratio_centi: 100,
            populations: vec![Population {
                code: "all".into(),
                name_zh: "全部".into(),
                name_en: "All".into(),
                members: Membership::default(),
                indicators: vec![
                    rule(
                        "tax_per_mu",
                        "tax",
                        Per::Mu,
                        40,
                        Benchmark::Average {
                            factor_percent: 100,
                            last_year: false,
                        },
                        150,
                        Missing::Zero,
                    ),
                    rule(
                        "added_value_per_tce",
                        "added_value",
                        Per::Tce,
                        30,
                        Benchmark::Fixed {
                            value: "20000".into(),
                        },
                        120,
                        Missing::PopulationAverage,
                    ),
                    rule(
                        "rd_intensity",
                        "rd_spending",
                        Per::Indicator("operating_revenue".into()),
                        30,
                        Benchmark::Fixed {
                            value: "0.03".into(),
                        },
                        150,
                        Missing::Zero,
                    ),
                ],
                classing: Classing::Quotas {
                    a_percent: 25,
                    b_percent: 50,
                    c_percent: 75,
                },
            }],
            exempt_founded_within_years: Some(2),
            exemptions: vec![Exemption {
                credit_code: "CC5".into(),
                reason: "搬迁改造中 (relocating)".into(),
            }],
            policies: Vec::new(),
        }
    }

    /// A firm with figures given in yuan and tce (stored as hundredths).
    fn firm(id: Id, held_mu: i64, leased_m2: i64, figures: &[(&str, i64)]) -> FirmInput {
        FirmInput {
            enterprise_id: id,
            credit_code: format!("CC{id}"),
            industry_code: "C3670".into(),
            above_size: true,
            founded_on: NaiveDate::from_ymd_opt(2010, 5, 1),
            area: EvaluatedArea::new(held_mu * 100, leased_m2 * 100, 100),
            figures: figures
                .iter()
                .map(|(c, v)| (c.to_string(), v * 100))
                .collect(),
        }
    }

    fn five_firms() -> Vec<FirmInput> {
        vec![
            firm(
                1,
                10,
                0,
                &[
                    ("tax", 1_000_000),
                    ("added_value", 8_000_000),
                    ("energy_use", 200),
                    ("rd_spending", 600_000),
                    ("operating_revenue", 20_000_000),
                ],
            ),
            firm(
                2,
                5,
                2_000,
                &[
                    ("tax", 400_000),
                    ("added_value", 3_000_000),
                    ("energy_use", 200),
                    ("rd_spending", 250_000),
                    ("operating_revenue", 10_000_000),
                ],
            ),
            firm(
                3,
                20,
                0,
                &[
                    ("tax", 600_000),
                    ("added_value", 6_000_000),
                    ("operating_revenue", 15_000_000),
                ],
            ),
            firm(
                4,
                4,
                0,
                &[
                    ("tax", 80_000),
                    ("added_value", 1_000_000),
                    ("energy_use", 250),
                    ("rd_spending", 50_000),
                    ("operating_revenue", 5_000_000),
                ],
            ),
            firm(
                5,
                6,
                0,
                &[
                    ("tax", 900_000),
                    ("added_value", 2_000_000),
                    ("energy_use", 100),
                    ("rd_spending", 0),
                    ("operating_revenue", 4_000_000),
                ],
            ),
        ]
    }

    /// A firm's points per item, total, rank and class.
    type Summary = (Id, Vec<i64>, i64, Option<i64>, Class);

    /// Five firms by hand. Areas: 1 holds 10 mu; 2 holds 5 mu and leases 2,000 m² (÷ plot ratio 1.0 = 3 mu) = 8 mu;
    /// 3 holds 20 mu, 4 holds 4 mu, 5 holds 6 mu. Firm 5 is exempt (listed): class T, scored but left out of the
    /// benchmarks, the averages and the ranking.
    ///
    /// Tax per mu (weight 40, benchmark the graded firms' average, cap 150 % = 60 points): the benchmark is
    /// (1,000,000 + 400,000 + 600,000 + 80,000) yuan ÷ (10 + 8 + 20 + 4) mu = 2,080,000 ÷ 42 = 49,523.8095 yuan/mu.
    /// Values 100,000, 50,000, 30,000, 20,000 (firm 5: 150,000) → points 40 × v × 42 ÷ 2,080,000:
    /// 1: 80.77 → capped 60.00; 2: 40.38; 3: 24.23; 4: 16.15; 5: 121.15 → capped 60.00.
    ///
    /// Added value per tce (weight 30, fixed benchmark 20,000 yuan/tce, cap 120 % = 36, missing = the graded firms'
    /// average points): 1: 40,000 → 60 → capped 36.00; 2: 15,000 → 22.50; 4: 4,000 → 6.00; 5: 20,000 → 30.00;
    /// 3 has no energy figure → (36.00 + 22.50 + 6.00) ÷ 3 = 21.50 (firm 5 not counted).
    ///
    /// R&D intensity (weight 30, fixed benchmark 0.03, cap 45, missing = 0): 1: 0.03 → 30.00; 2: 0.025 → 25.00;
    /// 3: no R&D figure → 0; 4: 0.01 → 10.00; 5: 0 → 0.00.
    ///
    /// Totals: 1: 126.00, 2: 87.88, 3: 45.73, 4: 32.15 (5: 90.00, class T). Four graded firms, quotas 25/50/75 %:
    /// boundaries 1, 2, 3 → ranks 1–4 are A, B, C, D.
    #[test]
    fn five_hand_computed_firms_get_exactly_their_scores_ranks_and_classes() {
        let evaluation =
            evaluate(&five_firm_scheme(), 2022, &five_firms(), &[]).expect("evaluates");
        let summary: Vec<Summary> = evaluation
            .results
            .iter()
            .map(|r| {
                (
                    r.enterprise_id,
                    r.items.iter().map(|i| i.points_centi).collect(),
                    r.score_centi,
                    r.rank,
                    r.class,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (1, vec![6_000, 3_600, 3_000], 12_600, Some(1), Class::A),
                (2, vec![4_038, 2_250, 2_500], 8_788, Some(2), Class::B),
                (3, vec![2_423, 2_150, 0], 4_573, Some(3), Class::C),
                (4, vec![1_615, 600, 1_000], 3_215, Some(4), Class::D),
                (5, vec![6_000, 3_000, 0], 9_000, None, Class::T),
            ]
        );
        let hows: Vec<How> = evaluation
            .results
            .iter()
            .flat_map(|r| r.items.iter().map(|i| i.how))
            .collect();
        assert_eq!(&hows[..3], [How::Capped, How::Capped, How::Scored]);
        assert_eq!(evaluation.results[2].items[1].how, How::MissingAverage);
        assert_eq!(evaluation.results[2].items[2].how, How::MissingZero);
        assert_eq!(
            evaluation.results[1].items[0].value.as_deref(),
            Some("50000.0000")
        );
        assert_eq!(evaluation.results[1].area.total_centi_mu(), 800);
        assert_eq!(
            evaluation.results[4].exemption.as_deref(),
            Some("搬迁改造中 (relocating)")
        );
        let population = &evaluation.populations[0];
        assert_eq!(population.benchmarks["tax_per_mu"], "49523.8095");
        assert_eq!((population.graded, population.exempt), (4, 1));
    }

    /// Founded 2021-03-01 is less than two years before 2022-12-31: T; founded 2020-12-31 is exactly two: graded.
    /// Three graded firms: quota boundaries 0.75 → 1, 1.5 → 2, 2.25 → 2, so the third is D.
    #[test]
    fn a_firm_founded_less_than_the_exempt_years_before_the_year_end_is_class_t() {
        let mut firms = five_firms();
        firms[3].founded_on = NaiveDate::from_ymd_opt(2021, 3, 1);
        firms[2].founded_on = NaiveDate::from_ymd_opt(2020, 12, 31);
        let evaluation = evaluate(&five_firm_scheme(), 2022, &firms, &[]).expect("evaluates");
        let classes: Vec<(Id, Class)> = evaluation
            .results
            .iter()
            .map(|r| (r.enterprise_id, r.class))
            .collect();
        assert_eq!(
            classes,
            [
                (1, Class::A),
                (2, Class::B),
                (3, Class::D),
                (5, Class::T),
                (4, Class::T)
            ]
        );
    }

    #[test]
    fn equal_scores_share_a_rank_and_its_class() {
        let mut firms = five_firms();
        firms[1] = FirmInput {
            enterprise_id: 2,
            credit_code: "CC2".into(),
            ..firms[0].clone()
        };
        let evaluation = evaluate(&five_firm_scheme(), 2022, &firms, &[]).expect("evaluates");
        let ranks: Vec<(Id, Option<i64>, Class)> = evaluation
            .results
            .iter()
            .map(|r| (r.enterprise_id, r.rank, r.class))
            .collect();
        assert_eq!(
            ranks[..4],
            [
                (1, Some(1), Class::A),
                (2, Some(1), Class::A),
                (3, Some(3), Class::C),
                (4, Some(4), Class::D)
            ]
        );
    }

    #[test]
    fn a_benchmark_on_last_years_average_needs_last_years_figures() {
        let mut scheme = five_firm_scheme();
        scheme.populations[0].indicators[0].benchmark = Benchmark::Average {
            factor_percent: 200,
            last_year: true,
        };
        let error = evaluate(&scheme, 2022, &five_firms(), &[]).expect_err("no last year");
        assert!(
            matches!(error, EvaluationError::NoBenchmark { .. }),
            "{error}"
        );
        let evaluation = evaluate(&scheme, 2022, &five_firms(), &five_firms()).expect("evaluates");
        assert_eq!(
            evaluation.populations[0].benchmarks["tax_per_mu"],
            "99047.6190"
        );
    }

    #[test]
    fn a_rerun_after_one_revised_figure_lists_exactly_that_firm() {
        let mut scheme = five_firm_scheme();
        scheme.populations[0].indicators[0].benchmark = Benchmark::Fixed {
            value: "50000".into(),
        };
        let before = evaluate(&scheme, 2022, &five_firms(), &[]).expect("evaluates");
        let mut revised = five_firms();
        revised[3].figures.insert("tax".into(), 90_000 * 100);
        let after = evaluate(&scheme, 2022, &revised, &[]).expect("evaluates");
        let listed: Vec<(Id, Vec<String>)> = changes(&before.results, &after.results)
            .into_iter()
            .map(|c| (c.enterprise_id, c.inputs_changed))
            .collect();
        assert_eq!(listed, [(4, vec!["tax_per_mu".to_string()])]);
    }

    #[test]
    fn score_thresholds_class_by_points() {
        let classing = Classing::Thresholds {
            a: "100".into(),
            b: "80".into(),
            c: "60".into(),
        };
        let classes: Vec<Class> = [12_600, 8_000, 7_999, 100]
            .iter()
            .map(|s| class_of(&classing, 1, 4, *s))
            .collect();
        assert_eq!(classes, [Class::A, Class::B, Class::C, Class::D]);
    }
}
