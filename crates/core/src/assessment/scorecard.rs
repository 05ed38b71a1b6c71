//! The chiefs' scorecards: chains (or parks) scored among their peers on indicators computed from the data, each
//! normalised by the efficacy-coefficient method (功效系数法: 60 + 40 × (x − min) ÷ (max − min) over the peers) or
//! between a configured floor and ceiling, then weighted. Each item keeps how it was scored; the total is the
//! weighted mean of the rounded item scores, rounded to hundredths; peers are ranked by it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Exact;
use crate::registry::Id;

/// One indicator of a scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub weight: i64,
    /// A smaller value is better (e.g. overdue cases).
    #[serde(default)]
    pub lower_is_better: bool,
    pub normalise: Normalise,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Normalise {
    /// Between the peers' smallest and largest value.
    Efficacy,
    /// Between a configured floor (60 points) and ceiling or target (100 points), values outside held to them.
    Range { floor: String, ceiling: String },
}

/// How an item's score was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardHow {
    /// 60 + 40 × (x − floor) ÷ (ceiling − floor) (reversed when lower is better).
    Scaled,
    /// Every peer has the same value: each gets 100.
    AllEqual,
    /// No value: the floor's 60.
    NoData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardItem {
    pub code: String,
    pub weight: i64,
    /// The value, 4 decimals.
    pub value: Option<String>,
    /// The floor and ceiling the value was scaled between, 4 decimals.
    pub floor: Option<String>,
    pub ceiling: Option<String>,
    /// Hundredths of a point, 60.00 to 100.00.
    pub score_centi: i64,
    pub how: CardHow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Card {
    /// The chain or park.
    pub id: Id,
    pub items: Vec<CardItem>,
    /// Hundredths of a point: Σ weight × item score ÷ Σ weight.
    pub total_centi: i64,
    /// 1 for the best; equal totals share a rank.
    pub rank: i64,
}

/// One peer's values, in the order of the rules.
#[derive(Debug, Clone)]
pub struct Peer {
    pub id: Id,
    pub values: Vec<Option<Exact>>,
}

/// Scores every peer on every rule and ranks them, best first.
pub fn score_cards(rules: &[CardRule], peers: &[Peer]) -> Vec<Card> {
    let bounds: Vec<Option<(Exact, Exact)>> = rules
        .iter()
        .enumerate()
        .map(|(k, rule)| match &rule.normalise {
            Normalise::Efficacy => {
                let values = peers
                    .iter()
                    .filter_map(|p| p.values.get(k).copied().flatten());
                values.fold(None, |acc: Option<(Exact, Exact)>, v| {
                    Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
                })
            }
            Normalise::Range { floor, ceiling } => {
                Exact::parse_decimal(floor).zip(Exact::parse_decimal(ceiling))
            }
        })
        .collect();
    let weights: i64 = rules.iter().map(|r| r.weight).sum();
    let mut cards: Vec<Card> = peers
        .iter()
        .map(|peer| {
            let items: Vec<CardItem> = rules
                .iter()
                .enumerate()
                .map(|(k, rule)| {
                    let value = peer.values.get(k).copied().flatten();
                    let (score_centi, how) = match (value, bounds[k]) {
                        (Some(x), Some((lo, hi))) if hi > lo => {
                            let x = x.max(lo).min(hi);
                            let part = if rule.lower_is_better {
                                hi.minus(x)
                            } else {
                                x.minus(lo)
                            };
                            let score = part
                                .over(hi.minus(lo))
                                .map(|f| Exact::integer(60).plus(f.times(Exact::integer(40))))
                                .unwrap_or(Exact::integer(60));
                            (score.scaled(2), CardHow::Scaled)
                        }
                        (Some(_), _) => (10_000, CardHow::AllEqual),
                        (None, _) => (6_000, CardHow::NoData),
                    };
                    CardItem {
                        code: rule.code.clone(),
                        weight: rule.weight,
                        value: value.map(|v| v.decimal(4)),
                        floor: bounds[k].map(|b| b.0.decimal(4)),
                        ceiling: bounds[k].map(|b| b.1.decimal(4)),
                        score_centi,
                        how,
                    }
                })
                .collect();
            let weighted: i128 = items
                .iter()
                .map(|i| i128::from(i.weight) * i128::from(i.score_centi))
                .sum();
            let total_centi = Exact::ratio(weighted, weights.into()).map_or(0, |t| t.scaled(0));
            Card {
                id: peer.id,
                items,
                total_centi,
                rank: 0,
            }
        })
        .collect();
    cards.sort_by_key(|c| (-c.total_centi, c.id));
    let mut previous: Option<(i64, i64)> = None;
    for (position, card) in cards.iter_mut().enumerate() {
        card.rank = match previous {
            Some((total, rank)) if total == card.total_centi => rank,
            _ => position as i64 + 1,
        };
        previous = Some((card.total_centi, card.rank));
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(code: &str, weight: i64) -> CardRule {
        CardRule {
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            weight,
            lower_is_better: false,
            normalise: Normalise::Efficacy,
        }
    }

    fn x(text: &str) -> Option<Exact> {
        Exact::parse_decimal(text)
    }

    /// Three chains, three indicators (weights 40/30/30), by hand:
    ///
    /// | chain | output growth | on time | completeness |
    /// |---|---|---|---|
    /// | X (1) | 0.12 | 0.95 | 0.60 |
    /// | Y (2) | 0.05 | 0.80 | 0.75 |
    /// | Z (3) | −0.03 | 1.00 | 0.45 |
    ///
    /// Growth: min −0.03, max 0.12 → X 100, Y 60 + 40 × 0.08 ÷ 0.15 = 81.33, Z 60. On time: min 0.80, max 1.00 →
    /// X 60 + 40 × 0.15 ÷ 0.20 = 90, Y 60, Z 100. Completeness: min 0.45, max 0.75 → X 60 + 40 × 0.15 ÷ 0.30 = 80,
    /// Y 100, Z 60. Totals: X (40 × 100 + 30 × 90 + 30 × 80) ÷ 100 = 91.00; Y (40 × 81.33 + 30 × 60 + 30 × 100) ÷ 100
    /// = 80.532 → 80.53; Z (40 × 60 + 30 × 100 + 30 × 60) ÷ 100 = 72.00. Ranks X 1, Y 2, Z 3.
    #[test]
    fn the_efficacy_coefficient_scorecard_of_three_chains_equals_the_hand_computation() {
        let rules = [
            rule("growth", 40),
            rule("on_time", 30),
            rule("completeness", 30),
        ];
        let peers = [
            Peer {
                id: 1,
                values: vec![x("0.12"), x("0.95"), x("0.60")],
            },
            Peer {
                id: 2,
                values: vec![x("0.05"), x("0.80"), x("0.75")],
            },
            Peer {
                id: 3,
                values: vec![x("-0.03"), x("1.00"), x("0.45")],
            },
        ];
        let cards = score_cards(&rules, &peers);
        let summary: Vec<(Id, Vec<i64>, i64, i64)> = cards
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.items.iter().map(|i| i.score_centi).collect(),
                    c.total_centi,
                    c.rank,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (1, vec![10_000, 9_000, 8_000], 9_100, 1),
                (2, vec![8_133, 6_000, 10_000], 8_053, 2),
                (3, vec![6_000, 10_000, 6_000], 7_200, 3),
            ]
        );
        assert_eq!(cards[1].items[0].floor.as_deref(), Some("-0.0300"));
        assert_eq!(cards[1].items[0].ceiling.as_deref(), Some("0.1200"));
    }

    #[test]
    fn a_lower_is_better_item_scores_the_smallest_value_100_and_no_data_60() {
        let mut overdue = rule("overdue", 1);
        overdue.lower_is_better = true;
        let peers = [
            Peer {
                id: 1,
                values: vec![x("2")],
            },
            Peer {
                id: 2,
                values: vec![x("10")],
            },
            Peer {
                id: 3,
                values: vec![None],
            },
        ];
        let cards = score_cards(&[overdue], &peers);
        let scores: Vec<(Id, i64, CardHow)> = cards
            .iter()
            .map(|c| (c.id, c.items[0].score_centi, c.items[0].how))
            .collect();
        assert_eq!(
            scores,
            [
                (1, 10_000, CardHow::Scaled),
                (2, 6_000, CardHow::Scaled),
                (3, 6_000, CardHow::NoData)
            ]
        );
        assert_eq!((cards[1].rank, cards[2].rank), (2, 2));
    }

    #[test]
    fn a_configured_target_holds_values_beyond_it_to_100() {
        let mut target = rule("growth", 1);
        target.normalise = Normalise::Range {
            floor: "0".into(),
            ceiling: "0.10".into(),
        };
        let peers = [
            Peer {
                id: 1,
                values: vec![x("0.25")],
            },
            Peer {
                id: 2,
                values: vec![x("0.05")],
            },
        ];
        let cards = score_cards(&[target], &peers);
        assert_eq!(
            (cards[0].total_centi, cards[1].total_centi),
            (10_000, 8_000)
        );
    }
}
