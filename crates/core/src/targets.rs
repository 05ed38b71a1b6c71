//! Chain attraction (产业链招商): the registry of candidate firms outside the zone (招商目标库), the explained score
//! that ranks them as targets for a chain's gap segment (招商目标清单), and the weights the chain's staff give the
//! score's parts. Everything here is arithmetic and checking; the store keeps candidates, marks and leads, and a
//! target becomes a key project at stage "lead" through the project workflow.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::chain_intel::{Explained, Term, round4};
use crate::credit_code::CreditCode;
use crate::error::{Invalid, Violations};
use crate::industry::IndustryCode;
use crate::registry::Id;

/// A firm's revenue band (营业收入规模), smallest first; the scale part of a target's score grows with it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RevenueBand {
    /// Under 100 million yuan (1亿元以下).
    Under100m,
    /// 100 million to 1 billion (1–10亿元).
    From100mTo1b,
    /// 1 to 10 billion (10–100亿元).
    From1bTo10b,
    /// 10 billion and more (100亿元以上).
    Over10b,
}

impl RevenueBand {
    pub const ALL: [RevenueBand; 4] = [
        RevenueBand::Under100m,
        RevenueBand::From100mTo1b,
        RevenueBand::From1bTo10b,
        RevenueBand::Over10b,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RevenueBand::Under100m => "under_100m",
            RevenueBand::From100mTo1b => "100m_1b",
            RevenueBand::From1bTo10b => "1b_10b",
            RevenueBand::Over10b => "over_10b",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RevenueBand::Under100m => "1亿元以下",
            RevenueBand::From100mTo1b => "1-10亿元",
            RevenueBand::From1bTo10b => "10-100亿元",
            RevenueBand::Over10b => "100亿元以上",
        }
    }

    /// The band as a file or a form writes it: its code or its Chinese name.
    pub fn parse(text: &str) -> Option<RevenueBand> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        RevenueBand::ALL.into_iter().find(|b| {
            b.as_str() == text || b.name_zh() == text || b.name_zh().replace('-', "–") == text
        })
    }

    /// The scale of the band from 0.25 (under 100 million) to 1 (10 billion and more).
    pub fn scale(self) -> f64 {
        match self {
            RevenueBand::Under100m => 0.25,
            RevenueBand::From100mTo1b => 0.5,
            RevenueBand::From1bTo10b => 0.75,
            RevenueBand::Over10b => 1.0,
        }
    }
}

/// A candidate firm as a file row or a form gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    pub name: String,
    pub credit_code: String,
    pub province: String,
    #[serde(default)]
    pub city: String,
    /// GB/T 4754-2017 code of its main business.
    pub industry_code: String,
    /// The segments it could serve.
    #[serde(default)]
    pub segment_ids: Vec<Id>,
    #[serde(default)]
    pub revenue_band: Option<RevenueBand>,
    #[serde(default)]
    pub employees: Option<i64>,
    #[serde(default)]
    pub listed: bool,
    /// Revenue growth on the year before, in percent.
    #[serde(default)]
    pub growth_percent: Option<f64>,
    /// Road distance to the zone in kilometres.
    #[serde(default)]
    pub distance_km: Option<f64>,
    /// Local enterprises it already supplies or buys from (by id).
    #[serde(default)]
    pub partner_ids: Vec<Id>,
    /// Where the firm was found (e.g. 中国汽车工业协会名录) and on which day.
    pub source: String,
    pub source_on: NaiveDate,
}

/// A checked candidate: a valid credit code, a GB/T 4754 code, lengths and ranges kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateDraft {
    pub name: String,
    pub credit_code: String,
    pub province: String,
    pub city: String,
    pub industry_code: String,
    pub segment_ids: Vec<Id>,
    pub revenue_band: Option<RevenueBand>,
    pub employees: Option<i64>,
    pub listed: bool,
    /// Tenths of a percent.
    pub growth_permille: Option<i64>,
    pub distance_km: Option<i64>,
    pub partner_ids: Vec<Id>,
    pub source: String,
    pub source_on: NaiveDate,
}

fn required(v: &mut Violations, field: &str, text: &str, max: usize) -> String {
    let text = text.trim();
    if text.is_empty() {
        v.add(field, "is required");
    } else if text.chars().count() > max {
        v.add(field, format!("is longer than {max} characters"));
    }
    text.to_string()
}

impl CandidateInput {
    pub fn parse(self) -> Result<CandidateDraft, Invalid> {
        let mut v = Violations::default();
        let name = required(&mut v, "name", &self.name, 200);
        let credit_code = match CreditCode::parse(&self.credit_code) {
            Ok(code) => code.as_str().to_string(),
            Err(e) => {
                v.add("credit_code", e.to_string());
                String::new()
            }
        };
        let province = required(&mut v, "province", &self.province, 50);
        let city = self.city.trim().to_string();
        if city.chars().count() > 50 {
            v.add("city", "is longer than 50 characters");
        }
        let industry_code = match IndustryCode::parse(&self.industry_code) {
            Ok(code) => code.as_str().to_string(),
            Err(_) => {
                v.add(
                    "industry_code",
                    format!(
                        "{:?} is not a GB/T 4754-2017 code",
                        self.industry_code.trim()
                    ),
                );
                String::new()
            }
        };
        if self
            .employees
            .is_some_and(|e| !(0..=10_000_000).contains(&e))
        {
            v.add("employees", "must be from 0 to 10,000,000");
        }
        let growth_permille = match self.growth_percent {
            Some(g) if !g.is_finite() || !(-100.0..=1000.0).contains(&g) => {
                v.add("growth_percent", "must be a percentage from -100 to 1000");
                None
            }
            g => g.map(|g| (g * 10.0).round() as i64),
        };
        let distance_km = match self.distance_km {
            Some(d) if !d.is_finite() || !(0.0..=40_000.0).contains(&d) => {
                v.add("distance_km", "must be from 0 to 40,000 km");
                None
            }
            d => d.map(|d| d.round() as i64),
        };
        let source = required(&mut v, "source", &self.source, 200);
        let mut segment_ids = self.segment_ids;
        segment_ids.sort_unstable();
        segment_ids.dedup();
        let mut partner_ids = self.partner_ids;
        partner_ids.sort_unstable();
        partner_ids.dedup();
        v.finish(CandidateDraft {
            name,
            credit_code,
            province,
            city,
            industry_code,
            segment_ids,
            revenue_band: self.revenue_band,
            employees: self.employees,
            listed: self.listed,
            growth_permille,
            distance_km,
            partner_ids,
            source,
            source_on: self.source_on,
        })
    }
}

/// The weights of a target score's parts, in hundredths; the score divides by their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TargetWeights {
    pub segment_match: i64,
    pub scale: i64,
    pub growth: i64,
    pub relations: i64,
    pub distance: i64,
}

impl Default for TargetWeights {
    /// Segment match 35 %, scale 20 %, growth 15 %, relations with local firms 20 %, distance 10 %.
    fn default() -> Self {
        TargetWeights {
            segment_match: 35,
            scale: 20,
            growth: 15,
            relations: 20,
            distance: 10,
        }
    }
}

impl TargetWeights {
    /// Weights as a user gives them (0 to 100 each, not all 0).
    pub fn parse(self) -> Result<TargetWeights, Invalid> {
        let mut v = Violations::default();
        for (field, w) in self.parts() {
            if !(0..=100).contains(&w) {
                v.add(field, "must be from 0 to 100");
            }
        }
        if self.parts().iter().all(|(_, w)| *w == 0) {
            v.add("segment_match", "at least one weight must be above 0");
        }
        v.finish(self)
    }

    fn parts(&self) -> [(&'static str, i64); 5] {
        [
            ("segment_match", self.segment_match),
            ("scale", self.scale),
            ("growth", self.growth),
            ("relations", self.relations),
            ("distance", self.distance),
        ]
    }
}

/// What the score of one candidate for one segment reads.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFacts {
    /// The candidate names the segment among those it could serve.
    pub names_segment: bool,
    /// Its industry code falls under one of the segment's codes (or one of theirs under its).
    pub industry_matches: bool,
    pub revenue_band: Option<RevenueBand>,
    pub growth_permille: Option<i64>,
    /// How many of its local partners belong to the chain.
    pub partners_in_chain: usize,
    pub distance_km: Option<i64>,
}

/// The relations part reaches 1 at this many local partners in the chain.
pub const FULL_RELATIONS: usize = 3;
/// The growth part reaches 1 at this growth (percent).
pub const FULL_GROWTH_PERCENT: f64 = 30.0;
/// Distance halves the distance part every this many kilometres.
pub const DISTANCE_HALF_KM: f64 = 300.0;

fn part(value: f64, formula: &str, inputs: &[(&str, f64)]) -> Explained {
    Explained {
        value: Some(round4(value)),
        formula: formula.to_string(),
        inputs: inputs
            .iter()
            .map(|(name, value)| Term {
                name: (*name).to_string(),
                value: *value,
            })
            .collect(),
    }
}

/// The parts of a target's score, each from 0 to 1 and explained, and the weighted score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TargetScore {
    pub segment_match: Explained,
    pub scale: Explained,
    pub growth: Explained,
    pub relations: Explained,
    pub distance: Explained,
    /// Σ weight × part / Σ weights, from 0 to 1.
    pub score: Explained,
}

/// Whether a candidate can serve a segment at all: it names the segment, or its industry code matches.
pub fn matches_segment(facts: &TargetFacts) -> bool {
    facts.names_segment || facts.industry_matches
}

/// Scores a candidate for a segment (DOMAIN.md §7): segment match 1 when the candidate names the segment, 0.5 when
/// only its industry code matches; scale from its revenue band (0 when unknown); growth = clamp(g / 30 %, 0, 1);
/// relations = min(partners in the chain / 3, 1); distance = 0.5^(km / 300) (0 when unknown).
pub fn score(facts: &TargetFacts, weights: TargetWeights) -> TargetScore {
    let segment_match = match (facts.names_segment, facts.industry_matches) {
        (true, _) => part(1.0, "names the segment among those it serves: 1", &[]),
        (false, true) => part(
            0.5,
            "its industry code matches the segment's GB/T 4754 codes: 0.5",
            &[],
        ),
        (false, false) => part(0.0, "neither names the segment nor matches its codes", &[]),
    };
    let scale = match facts.revenue_band {
        Some(band) => part(
            band.scale(),
            "revenue band: under 100m 0.25, 100m–1b 0.5, 1b–10b 0.75, over 10b 1",
            &[],
        ),
        None => part(0.0, "revenue band unknown: 0", &[]),
    };
    let growth = match facts.growth_permille {
        Some(g) => {
            let percent = g as f64 / 10.0;
            part(
                (percent / FULL_GROWTH_PERCENT).clamp(0.0, 1.0),
                "clamp(growth % / 30, 0, 1)",
                &[("growth %", percent)],
            )
        }
        None => part(0.0, "growth unknown: 0", &[]),
    };
    let relations = part(
        (facts.partners_in_chain as f64 / FULL_RELATIONS as f64).min(1.0),
        "min(local partners in the chain / 3, 1)",
        &[("partners", facts.partners_in_chain as f64)],
    );
    let distance = match facts.distance_km {
        Some(km) => part(
            0.5_f64.powf(km as f64 / DISTANCE_HALF_KM),
            "0.5 ^ (km / 300)",
            &[("km", km as f64)],
        ),
        None => part(0.0, "distance unknown: 0", &[]),
    };
    let pairs = [
        ("segment match", weights.segment_match, &segment_match),
        ("scale", weights.scale, &scale),
        ("growth", weights.growth, &growth),
        ("relations", weights.relations, &relations),
        ("distance", weights.distance, &distance),
    ];
    let total: i64 = pairs.iter().map(|(_, w, _)| *w).sum();
    let sum: f64 = pairs.iter().map(|(_, w, p)| *w as f64 * p.or_zero()).sum();
    let inputs: Vec<(&str, f64)> = pairs
        .iter()
        .map(|(name, _, p)| (*name, p.or_zero()))
        .collect();
    let weight_terms: Vec<(String, f64)> = pairs
        .iter()
        .map(|(name, w, _)| (format!("weight of {name}"), *w as f64))
        .collect();
    let mut score = part(
        if total > 0 { sum / total as f64 } else { 0.0 },
        "Σ weight × part / Σ weights",
        &inputs,
    );
    score.inputs.extend(
        weight_terms
            .into_iter()
            .map(|(name, value)| Term { name, value }),
    );
    TargetScore {
        segment_match,
        scale,
        growth,
        relations,
        distance,
        score,
    }
}

/// Whether an industry code and a segment's code match: one is the other or lies under it.
pub fn industry_matches(candidate_code: &str, segment_codes: &[String]) -> bool {
    !candidate_code.is_empty()
        && segment_codes.iter().any(|s| {
            !s.is_empty()
                && (candidate_code.starts_with(s.as_str()) || s.starts_with(candidate_code))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> TargetFacts {
        TargetFacts {
            names_segment: true,
            industry_matches: true,
            revenue_band: Some(RevenueBand::From1bTo10b),
            growth_permille: Some(150),
            partners_in_chain: 1,
            distance_km: Some(300),
        }
    }

    #[test]
    fn a_target_score_is_the_weighted_mean_of_its_explained_parts() {
        // match 1, scale 0.75, growth 15/30 = 0.5, relations 1/3, distance 0.5^(300/300) = 0.5;
        // (35×1 + 20×0.75 + 15×0.5 + 20×(1/3) + 10×0.5) / 100 = (35 + 15 + 7.5 + 6.6667 + 5) / 100 = 0.6917
        let s = score(&facts(), TargetWeights::default());
        assert_eq!(s.segment_match.value, Some(1.0));
        assert_eq!(s.scale.value, Some(0.75));
        assert_eq!(s.growth.value, Some(0.5));
        assert_eq!(s.relations.value, Some(0.3333));
        assert_eq!(s.distance.value, Some(0.5));
        assert_eq!(s.score.value, Some(0.6917));
        assert!(
            s.score
                .inputs
                .iter()
                .any(|t| t.name == "weight of scale" && t.value == 20.0)
        );
    }

    #[test]
    fn re_weighting_a_target_score_changes_only_the_weighted_mean() {
        let only_distance = TargetWeights {
            segment_match: 0,
            scale: 0,
            growth: 0,
            relations: 0,
            distance: 50,
        };
        let s = score(&facts(), only_distance);
        assert_eq!(s.score.value, Some(0.5));
        assert_eq!(s.scale.value, Some(0.75));
    }

    #[test]
    fn a_candidate_needs_a_valid_credit_code_and_industry_code() {
        let input = CandidateInput {
            name: "某氢能公司".into(),
            credit_code: "91500000MA5U7G1X3D".into(),
            province: "上海市".into(),
            industry_code: "9999".into(),
            source: "名录".into(),
            source_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("day"),
            ..CandidateInput::default()
        };
        let fields: Vec<String> = input
            .parse()
            .expect_err("bad")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["credit_code", "industry_code"]);
    }

    #[test]
    fn an_industry_code_matches_a_segment_code_above_or_below_it() {
        let codes = vec!["367".to_string()];
        assert!(industry_matches("3670", &codes));
        assert!(industry_matches("36", &codes));
        assert!(!industry_matches("3812", &codes));
    }

    #[test]
    fn a_revenue_band_is_read_from_its_code_or_its_chinese_name() {
        assert_eq!(
            RevenueBand::parse("10-100亿元"),
            Some(RevenueBand::From1bTo10b)
        );
        assert_eq!(RevenueBand::parse("over_10b"), Some(RevenueBand::Over10b));
        assert_eq!(RevenueBand::parse("很大"), None);
    }
}
