//! Chain intelligence (产业链研判): how healthy a chain and each of its segments is, and why. Every number is an
//! [`Explained`] value that carries its formula and inputs, so the API and the pages can show how it was computed.
//! The store gathers the facts (segments, supply links, which firms sat in which segment on a month's last day and
//! their output); everything here is arithmetic on them — see DOMAIN.md §7 for the methods.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::Id;

/// One input of a computed number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Term {
    pub name: String,
    pub value: f64,
}

/// A computed number with the formula and inputs it came from; `value` is `None` when the inputs do not allow it
/// (then `formula` says why).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Explained {
    pub value: Option<f64>,
    pub formula: String,
    pub inputs: Vec<Term>,
}

impl Explained {
    fn new(value: Option<f64>, formula: impl Into<String>, inputs: &[(&str, f64)]) -> Self {
        Explained {
            value,
            formula: formula.into(),
            inputs: inputs
                .iter()
                .map(|(name, value)| Term {
                    name: (*name).to_string(),
                    value: *value,
                })
                .collect(),
        }
    }

    /// The value, or 0 when it could not be computed.
    pub fn or_zero(&self) -> f64 {
        self.value.unwrap_or(0.0)
    }

    /// A one-line account of the number for a tooltip: the formula and its inputs.
    pub fn hover(&self) -> String {
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .map(|t| format!("{} = {}", t.name, round4(t.value)))
            .collect();
        if inputs.is_empty() {
            self.formula.clone()
        } else {
            format!("{}; {}", self.formula, inputs.join(", "))
        }
    }
}

/// A number rounded to four decimals, for display.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// The gap class of a segment, most severe first. A segment is given the most severe class that applies.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GapClass {
    /// 断链: no local firm.
    Broken,
    /// 单点: one local firm — the chain depends on a single supplier.
    SinglePoint,
    /// 短板: the location quotient against the reference region is below 1.
    Weak,
    /// 集中: the Herfindahl index of the firms' output is above 0.25.
    Concentrated,
    /// None of the above.
    Healthy,
}

impl GapClass {
    pub const ALL: [GapClass; 5] = [
        GapClass::Broken,
        GapClass::SinglePoint,
        GapClass::Weak,
        GapClass::Concentrated,
        GapClass::Healthy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GapClass::Broken => "broken",
            GapClass::SinglePoint => "single_point",
            GapClass::Weak => "weak",
            GapClass::Concentrated => "concentrated",
            GapClass::Healthy => "healthy",
        }
    }

    pub fn parse(text: &str) -> Option<GapClass> {
        GapClass::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// How much filling this gap matters, from 1 (a broken link) down to 0 (healthy): the gap part of the
    /// priority.
    pub fn severity(self) -> f64 {
        match self {
            GapClass::Broken => 1.0,
            GapClass::SinglePoint => 0.75,
            GapClass::Weak => 0.5,
            GapClass::Concentrated => 0.25,
            GapClass::Healthy => 0.0,
        }
    }

    /// Whether the segment is a gap that targets should fill.
    pub fn is_gap(self) -> bool {
        self != GapClass::Healthy
    }
}

/// HHI above this is concentrated (the usual antitrust threshold, DOMAIN.md §7).
pub const CONCENTRATED_HHI: f64 = 0.25;

/// Location quotient LQ = (zone's output in the segment ÷ zone's total) ÷ (region's output in the segment ÷
/// region's total). `None` when a share cannot be formed (no reference, or a zero denominator).
pub fn location_quotient(
    segment_output: i64,
    zone_total: i64,
    reference_segment: Option<i64>,
    reference_total: Option<i64>,
) -> Explained {
    let formula = "LQ = (segment output ÷ zone total) ÷ (reference segment ÷ reference total)";
    let (Some(ref_segment), Some(ref_total)) = (reference_segment, reference_total) else {
        return Explained::new(
            None,
            "no reference table covers the segment's industry codes",
            &[("segment output", segment_output as f64)],
        );
    };
    let inputs = [
        ("segment output", segment_output as f64),
        ("zone total", zone_total as f64),
        ("reference segment", ref_segment as f64),
        ("reference total", ref_total as f64),
    ];
    if zone_total <= 0 || ref_segment <= 0 || ref_total <= 0 {
        return Explained::new(None, format!("{formula} (a denominator is 0)"), &inputs);
    }
    let zone_share = segment_output as f64 / zone_total as f64;
    let reference_share = ref_segment as f64 / ref_total as f64;
    Explained::new(Some(zone_share / reference_share), formula, &inputs)
}

/// Herfindahl–Hirschman index of the firms' output: HHI = Σ shareᵢ². `None` when no output was reported.
pub fn herfindahl(outputs: &[i64]) -> Explained {
    let total: i128 = outputs.iter().map(|v| i128::from((*v).max(0))).sum();
    let inputs = [
        ("firms", outputs.len() as f64),
        ("total output", total as f64),
    ];
    if total == 0 {
        return Explained::new(None, "HHI = Σ shareᵢ² (no output reported)", &inputs);
    }
    let squares: i128 = outputs.iter().map(|v| i128::from((*v).max(0)).pow(2)).sum();
    let top = outputs.iter().copied().max().unwrap_or(0).max(0);
    let mut terms = inputs.to_vec();
    terms.push(("largest firm's share", top as f64 / total as f64));
    // Σ (vᵢ ÷ T)² = Σ vᵢ² ÷ T², formed from exact integer sums.
    let value = squares as f64 / (total as f64 * total as f64);
    Explained::new(
        Some(value),
        "HHI = Σ shareᵢ² = Σ outputᵢ² ÷ (Σ outputᵢ)²",
        &terms,
    )
}

/// The gap class from the number of local firms, the LQ and the HHI, with every class that applies (most severe
/// first; a single firm is by definition concentrated too, so that is not listed again).
pub fn gap_classes(firms: usize, lq: Option<f64>, hhi: Option<f64>) -> Vec<GapClass> {
    if firms == 0 {
        return vec![GapClass::Broken];
    }
    let mut classes = Vec::new();
    if firms == 1 {
        classes.push(GapClass::SinglePoint);
    }
    if lq.is_some_and(|lq| lq < 1.0) {
        classes.push(GapClass::Weak);
    }
    if firms > 1 && hhi.is_some_and(|h| h > CONCENTRATED_HHI) {
        classes.push(GapClass::Concentrated);
    }
    if classes.is_empty() {
        classes.push(GapClass::Healthy);
    }
    classes
}

/// The criticality of each segment in the supply graph (`links`: supplier → customer): its degree (how many
/// segments it supplies directly) and its Katz centrality on the reversed graph (walks from the segment down the
/// chain, a walk of length k weighted αᵏ): x = Σₖ αᵏ Aᵏ 1 with Aᵢⱼ = 1 when i supplies j. α = 1 ÷ (2 · d_max),
/// d_max the largest degree: the spectral radius is at most d_max, so the series converges (ratio ≤ ½) even on a
/// graph with cycles.
#[derive(Debug, Clone, PartialEq)]
pub struct Criticality {
    pub alpha: f64,
    pub degree: HashMap<Id, usize>,
    pub katz: HashMap<Id, f64>,
}

pub fn criticality(segments: &[Id], links: &[(Id, Id)]) -> Criticality {
    let known: BTreeSet<Id> = segments.iter().copied().collect();
    let mut supplies: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for (from, to) in links {
        if from != to && known.contains(from) && known.contains(to) {
            supplies.entry(*from).or_default().insert(*to);
        }
    }
    let degree: HashMap<Id, usize> = segments
        .iter()
        .map(|s| (*s, supplies.get(s).map_or(0, BTreeSet::len)))
        .collect();
    let d_max = degree.values().copied().max().unwrap_or(0);
    if d_max == 0 {
        let katz = segments.iter().map(|s| (*s, 0.0)).collect();
        return Criticality {
            alpha: 0.0,
            degree,
            katz,
        };
    }
    let alpha = 1.0 / (2.0 * d_max as f64);
    // x₁ = α A 1, xₖ₊₁ = α A xₖ; the sum of the xₖ until they vanish (at most the longest path on a DAG,
    // geometrically otherwise).
    let mut term: HashMap<Id, f64> = segments
        .iter()
        .map(|s| (*s, alpha * degree[s] as f64))
        .collect();
    let mut katz = term.clone();
    for _ in 0..200 {
        let next: HashMap<Id, f64> = segments
            .iter()
            .map(|s| {
                let sum: f64 = supplies
                    .get(s)
                    .map_or(0.0, |to| to.iter().map(|t| term[t]).sum());
                (*s, alpha * sum)
            })
            .collect();
        let largest = next.values().fold(0.0_f64, |a, b| a.max(*b));
        for (s, v) in &next {
            *katz.get_mut(s).expect("every segment") += v;
        }
        term = next;
        if largest < 1e-12 {
            break;
        }
    }
    Criticality {
        alpha,
        degree,
        katz,
    }
}

/// Completeness = Σ weight of the leaf segments with a local firm ÷ Σ weight of all leaf segments. `leaves` are
/// (weight in hundredths, covered).
pub fn completeness(leaves: &[(i64, bool)]) -> Explained {
    let total: i64 = leaves.iter().map(|(w, _)| *w).sum();
    let covered: i64 = leaves.iter().filter(|(_, c)| *c).map(|(w, _)| *w).sum();
    let inputs = [
        ("leaf segments", leaves.len() as f64),
        (
            "leaf segments with a local firm",
            leaves.iter().filter(|(_, c)| *c).count() as f64,
        ),
        ("weight covered", covered as f64 / 100.0),
        ("weight of all leaves", total as f64 / 100.0),
    ];
    let formula =
        "completeness = Σ weight of leaf segments with a local firm ÷ Σ weight of leaf segments";
    if total <= 0 {
        return Explained::new(None, format!("{formula} (no leaf segment)"), &inputs);
    }
    Explained::new(Some(covered as f64 / total as f64), formula, &inputs)
}

/// Priority = 100 × severity(gap class) × (½ + ½ × Katz ÷ the chain's largest Katz): a broken link that many
/// segments depend on comes first; a healthy segment has priority 0.
pub fn priority(class: GapClass, katz: f64, largest_katz: f64) -> Explained {
    let relative = if largest_katz > 0.0 {
        katz / largest_katz
    } else {
        0.0
    };
    Explained::new(
        Some(100.0 * class.severity() * (0.5 + 0.5 * relative)),
        "priority = 100 × severity × (0.5 + 0.5 × Katz ÷ largest Katz of the chain)",
        &[
            ("severity", class.severity()),
            ("Katz", katz),
            ("largest Katz of the chain", largest_katz),
        ],
    )
}

/// Growth against the same month a year earlier: (now − a year earlier) ÷ a year earlier.
pub fn growth(now: i64, year_earlier: i64) -> Explained {
    let inputs = [
        ("output", now as f64),
        ("a year earlier", year_earlier as f64),
    ];
    let formula = "growth = (output − output a year earlier) ÷ output a year earlier";
    if year_earlier <= 0 {
        return Explained::new(None, format!("{formula} (nothing a year earlier)"), &inputs);
    }
    Explained::new(
        Some((now - year_earlier) as f64 / year_earlier as f64),
        formula,
        &inputs,
    )
}

/// A segment of the chain as the diagnosis needs it.
#[derive(Debug, Clone)]
pub struct SegmentFacts {
    pub id: Id,
    pub parent_id: Option<Id>,
    /// Importance weight set by the chain's staff, in hundredths (100 = 1).
    pub weight: i64,
    /// The reference region's output (or employment) in the segment's industry codes, when a reference covers them.
    pub reference_output: Option<i64>,
}

/// A firm in a segment on the month's last day, with its output that month and the same month a year earlier.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub segment_id: Id,
    pub enterprise_id: Id,
    pub output: i64,
    pub output_year_earlier: i64,
}

/// A firm's output in the month and a year earlier, as the diagnosis sums them.
#[derive(Debug, Clone, Copy)]
struct FirmOutput {
    id: Id,
    output: i64,
    output_year_earlier: i64,
}

impl FirmOutput {
    fn of(m: &Member) -> FirmOutput {
        FirmOutput {
            id: m.enterprise_id,
            output: m.output,
            output_year_earlier: m.output_year_earlier,
        }
    }
}

/// Everything the diagnosis of one chain for one month reads.
#[derive(Debug, Clone)]
pub struct ChainFacts {
    pub segments: Vec<SegmentFacts>,
    pub links: Vec<(Id, Id)>,
    pub members: Vec<Member>,
    /// Output of every firm of the zone in the month (the LQ's zone total).
    pub zone_total: i64,
    /// The reference region's total, when there is a reference.
    pub reference_total: Option<i64>,
}

/// The diagnosis of one segment: firms counted in it and its sub-segments.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SegmentDiagnosis {
    pub segment_id: Id,
    pub leaf: bool,
    /// Importance weight (1 by default).
    pub weight: f64,
    pub firms: usize,
    pub output: Explained,
    pub share_of_chain: Explained,
    pub growth: Explained,
    pub location_quotient: Explained,
    pub hhi: Explained,
    /// The most severe class that applies.
    pub gap_class: GapClass,
    /// Every class that applies, most severe first.
    pub gap_classes: Vec<GapClass>,
    pub degree: Explained,
    pub katz: Explained,
    pub priority: Explained,
}

/// How many segments fall into each gap class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GapCounts {
    pub broken: usize,
    pub single_point: usize,
    pub weak: usize,
    pub concentrated: usize,
    pub healthy: usize,
}

impl GapCounts {
    fn add(&mut self, class: GapClass) {
        let slot = match class {
            GapClass::Broken => &mut self.broken,
            GapClass::SinglePoint => &mut self.single_point,
            GapClass::Weak => &mut self.weak,
            GapClass::Concentrated => &mut self.concentrated,
            GapClass::Healthy => &mut self.healthy,
        };
        *slot += 1;
    }
}

/// The diagnosis of a chain: completeness, output, gap counts of its leaf segments and every segment's diagnosis
/// (ordered by priority, highest first).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChainDiagnosis {
    pub firms: usize,
    pub output: Explained,
    pub completeness: Explained,
    /// Gap classes of the leaf segments.
    pub gaps: GapCounts,
    pub segments: Vec<SegmentDiagnosis>,
}

/// Diagnoses one chain in one month. A parent segment counts the firms of its whole subtree (each once).
pub fn diagnose(facts: &ChainFacts) -> ChainDiagnosis {
    let ids: Vec<Id> = facts.segments.iter().map(|s| s.id).collect();
    let mut children: HashMap<Id, Vec<Id>> = HashMap::new();
    for s in &facts.segments {
        if let Some(parent) = s.parent_id.filter(|p| ids.contains(p)) {
            children.entry(parent).or_default().push(s.id);
        }
    }
    // Each segment's own firms as (firm, output, a year earlier), in the order of the firm's id.
    let mut own: HashMap<Id, Vec<FirmOutput>> = HashMap::new();
    for m in &facts.members {
        own.entry(m.segment_id).or_default().push(FirmOutput::of(m));
    }
    for firms in own.values_mut() {
        firms.sort_by_key(|f| f.id);
    }
    // The chain's firms, once each: a firm's output is the same in every segment it sits in.
    let mut chain_firms: Vec<FirmOutput> = facts.members.iter().map(FirmOutput::of).collect();
    chain_firms.sort_unstable_by_key(|f| f.id);
    chain_firms.dedup_by_key(|f| f.id);
    let chain_output: i64 = chain_firms.iter().map(|f| f.output).sum();
    // The firms of a segment's subtree, each once: its segments' own lists are already in id order, so the stable
    // sort of their concatenation merges runs rather than sorting from scratch.
    let subtree_firms = |root: Id| -> Vec<FirmOutput> {
        let mut firms = Vec::new();
        let mut stack = vec![root];
        let mut seen = BTreeSet::new();
        while let Some(s) = stack.pop() {
            if !seen.insert(s) {
                continue;
            }
            firms.extend(own.get(&s).into_iter().flatten().copied());
            stack.extend(children.get(&s).into_iter().flatten().copied());
        }
        firms.sort_by_key(|f| f.id);
        firms.dedup_by_key(|f| f.id);
        firms
    };
    let crit = criticality(&ids, &facts.links);
    let largest_katz = crit.katz.values().fold(0.0_f64, |a, b| a.max(*b));
    let mut gaps = GapCounts::default();
    let mut leaves = Vec::new();
    let mut segments: Vec<SegmentDiagnosis> = facts
        .segments
        .iter()
        .map(|s| {
            let firms = subtree_firms(s.id);
            let outputs: Vec<i64> = firms.iter().map(|f| f.output).collect();
            let output: i64 = outputs.iter().sum();
            let earlier: i64 = firms.iter().map(|f| f.output_year_earlier).sum();
            let lq = location_quotient(
                output,
                facts.zone_total,
                s.reference_output,
                facts.reference_total,
            );
            let hhi = herfindahl(&outputs);
            let classes = gap_classes(firms.len(), lq.value, hhi.value);
            let class = classes[0];
            let leaf = !children.contains_key(&s.id);
            if leaf {
                gaps.add(class);
                leaves.push((s.weight, !firms.is_empty()));
            }
            let katz = crit.katz[&s.id];
            let degree = crit.degree[&s.id];
            SegmentDiagnosis {
                segment_id: s.id,
                leaf,
                weight: s.weight as f64 / 100.0,
                firms: firms.len(),
                output: Explained::new(
                    Some(output as f64),
                    "output = Σ output of the segment's firms (its sub-segments' included, each firm once)",
                    &[("firms", firms.len() as f64)],
                ),
                share_of_chain: share(output, chain_output),
                growth: growth(output, earlier),
                location_quotient: lq,
                hhi,
                gap_class: class,
                gap_classes: classes,
                degree: Explained::new(
                    Some(degree as f64),
                    "degree = number of segments this segment supplies directly",
                    &[],
                ),
                katz: Explained::new(
                    Some(katz),
                    "Katz = Σₖ αᵏ × (walks of length k from the segment down the supply links), α = 1 ÷ (2 × largest degree)",
                    &[("α", crit.alpha), ("degree", degree as f64)],
                ),
                priority: priority(class, katz, largest_katz),
            }
        })
        .collect();
    segments.sort_by(|a, b| {
        b.priority
            .or_zero()
            .total_cmp(&a.priority.or_zero())
            .then(a.segment_id.cmp(&b.segment_id))
    });
    ChainDiagnosis {
        firms: chain_firms.len(),
        output: Explained::new(
            Some(chain_output as f64),
            "output = Σ output of the chain's firms, each firm once",
            &[("firms", chain_firms.len() as f64)],
        ),
        completeness: completeness(&leaves),
        gaps,
        segments,
    }
}

fn share(part: i64, whole: i64) -> Explained {
    let inputs = [
        ("segment output", part as f64),
        ("chain output", whole as f64),
    ];
    if whole <= 0 {
        return Explained::new(
            None,
            "share = segment output ÷ chain output (no output)",
            &inputs,
        );
    }
    Explained::new(
        Some(part as f64 / whole as f64),
        "share = segment output ÷ chain output",
        &inputs,
    )
}

/// The reference output of a segment: the sum of the reference rows whose GB/T 4754 code falls under one of the
/// segment's industry codes (a row is counted once even if two codes cover it). `None` when no row matches.
pub fn reference_output(segment_codes: &[String], rows: &[(String, i64)]) -> Option<i64> {
    let matching: Vec<i64> = rows
        .iter()
        .filter(|(code, _)| segment_codes.iter().any(|s| code.starts_with(s.as_str())))
        .map(|(_, v)| *v)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

/// What a reference table measures, and so which indicator of the zone's firms its location quotients compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceMeasure {
    GrossOutput,
    OperatingRevenue,
    Employees,
}

impl ReferenceMeasure {
    pub const ALL: [ReferenceMeasure; 3] = [
        ReferenceMeasure::GrossOutput,
        ReferenceMeasure::OperatingRevenue,
        ReferenceMeasure::Employees,
    ];

    /// The code of the zone's indicator that measures the same thing (also the stored name of the measure).
    pub fn indicator(self) -> &'static str {
        match self {
            ReferenceMeasure::GrossOutput => "gross_output",
            ReferenceMeasure::OperatingRevenue => "operating_revenue",
            ReferenceMeasure::Employees => "employees",
        }
    }

    pub fn parse(text: &str) -> Option<ReferenceMeasure> {
        ReferenceMeasure::ALL
            .into_iter()
            .find(|m| m.indicator() == text)
    }
}

/// The indicator diagnostics read when no reference table is chosen.
pub const DEFAULT_INDICATOR: &str = "gross_output";

/// A reference table as an import gives it: about which region and year, from which source, and its rows
/// (GB/T 4754 code, value in the measure's unit: hundredths of a yuan, or persons).
#[derive(Debug, Clone)]
pub struct ReferenceInput {
    pub name: String,
    pub region: String,
    pub measure: ReferenceMeasure,
    pub year: i32,
    pub source: String,
    /// The region's total over all codes; the sum of the rows when the file gives none.
    pub total: Option<i64>,
    pub file_name: String,
    pub rows: Vec<(String, i64)>,
}

/// A checked reference table: every code a GB/T 4754-2017 code, each once, values not negative, a total at least
/// the sum of the rows.
#[derive(Debug, Clone)]
pub struct ReferenceDraft {
    pub name: String,
    pub region: String,
    pub measure: ReferenceMeasure,
    pub year: i32,
    pub source: String,
    pub total: i64,
    pub file_name: String,
    pub rows: Vec<(String, i64)>,
}

impl ReferenceInput {
    pub fn parse(self) -> Result<ReferenceDraft, Invalid> {
        let mut v = Violations::default();
        for (field, text) in [
            ("name", &self.name),
            ("region", &self.region),
            ("source", &self.source),
        ] {
            if text.trim().is_empty() {
                v.add(field, "is required");
            }
        }
        if !(1949..=2100).contains(&self.year) {
            v.add("year", "must be between 1949 and 2100");
        }
        if self.rows.is_empty() {
            v.add("rows", "a reference table needs at least one row");
        }
        let mut seen = BTreeSet::new();
        let mut sum: i64 = 0;
        for (i, (code, value)) in self.rows.iter().enumerate() {
            let field = format!("rows[{i}]");
            if crate::industry::IndustryCode::parse(code).is_err() {
                v.add(&field, format!("{code:?} is not a GB/T 4754-2017 code"));
            }
            if !seen.insert(code.clone()) {
                v.add(&field, format!("{code} appears twice"));
            }
            if *value < 0 {
                v.add(&field, "a value cannot be negative");
            }
            sum = sum.saturating_add((*value).max(0));
        }
        let total = self.total.unwrap_or(sum);
        if total <= 0 {
            v.add("total", "must be above 0");
        } else if total < sum {
            v.add("total", format!("is below the sum of the rows ({sum})"));
        }
        v.finish(ReferenceDraft {
            name: self.name.trim().to_string(),
            region: self.region.trim().to_string(),
            measure: self.measure,
            year: self.year,
            source: self.source.trim().to_string(),
            total,
            file_name: self.file_name,
            rows: self.rows,
        })
    }
}

/// The largest importance weight of a segment (in whole units).
pub const MAX_WEIGHT: f64 = 100.0;

/// A segment's importance weight as a user gives it (a decimal such as 1, 2 or 0.5), in hundredths.
pub fn parse_weight(field: &str, weight: f64) -> Result<i64, Invalid> {
    if !weight.is_finite() || !(0.0..=MAX_WEIGHT).contains(&weight) {
        return Err(Invalid::field(
            field,
            format!("must be a number from 0 to {MAX_WEIGHT}"),
        ));
    }
    Ok((weight * 100.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn a_reference_table_names_every_bad_row() {
        let input = ReferenceInput {
            name: "重庆市规上工业产值".into(),
            region: "500000".into(),
            measure: ReferenceMeasure::GrossOutput,
            year: 2025,
            source: "重庆统计年鉴 2025".into(),
            total: Some(10),
            file_name: "ref.csv".into(),
            rows: vec![("3612".into(), 8), ("9999".into(), 1), ("3612".into(), -1)],
        };
        let Err(Invalid(errors)) = input.parse() else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["rows[1]", "rows[2]", "rows[2]"]);
    }

    #[test]
    fn a_weight_is_kept_in_hundredths_and_bounded() {
        assert_eq!(parse_weight("w", 1.5), Ok(150));
        assert!(parse_weight("w", -1.0).is_err());
        assert!(parse_weight("w", f64::NAN).is_err());
    }

    #[test]
    fn location_quotient_is_the_ratio_of_the_two_shares() {
        // (30 ÷ 200) ÷ (50 ÷ 1000) = 0.15 ÷ 0.05 = 3
        let lq = location_quotient(30, 200, Some(50), Some(1000));
        assert!(close(lq.value, 3.0), "{lq:?}");
        assert_eq!(lq.inputs.len(), 4);
    }

    #[test]
    fn location_quotient_without_a_reference_is_unknown() {
        assert_eq!(location_quotient(30, 200, None, Some(1000)).value, None);
        assert_eq!(location_quotient(30, 0, Some(5), Some(1000)).value, None);
    }

    #[test]
    fn herfindahl_is_the_sum_of_squared_shares() {
        // shares 0.6, 0.3, 0.1: 0.36 + 0.09 + 0.01 = 0.46
        assert!(close(herfindahl(&[60, 30, 10]).value, 0.46));
        assert_eq!(herfindahl(&[0, 0]).value, None);
    }

    #[test]
    fn herfindahl_of_huge_outputs_does_not_overflow() {
        let big = i64::MAX / 2;
        assert!(close(herfindahl(&[big, big]).value, 0.5));
    }

    #[test]
    fn gap_class_is_the_most_severe_that_applies() {
        assert_eq!(gap_classes(0, None, None), [GapClass::Broken]);
        assert_eq!(
            gap_classes(1, Some(0.5), Some(1.0)),
            [GapClass::SinglePoint, GapClass::Weak]
        );
        assert_eq!(
            gap_classes(3, Some(0.9), Some(0.46)),
            [GapClass::Weak, GapClass::Concentrated]
        );
        assert_eq!(
            gap_classes(3, Some(1.5), Some(0.46)),
            [GapClass::Concentrated]
        );
        assert_eq!(gap_classes(4, None, Some(0.25)), [GapClass::Healthy]);
    }

    #[test]
    fn katz_counts_walks_down_the_chain_weighted_by_alpha() {
        // 1 → 2, 1 → 3, 2 → 3: degrees 2, 1, 0; α = 1 ÷ (2 × 2) = 0.25.
        // Katz(3) = 0; Katz(2) = α × (1 + Katz-walks from 3) = 0.25;
        // Katz(1) = α × 2 (walks of length 1) + α² × 1 (1→2→3) = 0.5 + 0.0625 = 0.5625.
        let c = criticality(&[1, 2, 3], &[(1, 2), (1, 3), (2, 3)]);
        assert_eq!(c.alpha, 0.25);
        assert_eq!((c.degree[&1], c.degree[&2], c.degree[&3]), (2, 1, 0));
        assert!(close(Some(c.katz[&1]), 0.5625));
        assert!(close(Some(c.katz[&2]), 0.25));
        assert!(close(Some(c.katz[&3]), 0.0));
    }

    #[test]
    fn katz_converges_on_a_cycle() {
        // 1 ⇄ 2: α = 0.5, Katz = Σₖ 0.5ᵏ = 1 for both.
        let c = criticality(&[1, 2], &[(1, 2), (2, 1)]);
        assert!(close(Some(c.katz[&1]), 1.0));
        assert!(close(Some(c.katz[&2]), 1.0));
    }

    #[test]
    fn completeness_weights_the_covered_leaves() {
        // weights 2, 1, 1; the first and the third covered: (2 + 1) ÷ 4 = 0.75
        let c = completeness(&[(200, true), (100, false), (100, true)]);
        assert!(close(c.value, 0.75));
        assert_eq!(completeness(&[]).value, None);
    }

    #[test]
    fn priority_puts_critical_broken_links_first() {
        assert!(close(
            priority(GapClass::Broken, 0.5625, 0.5625).value,
            100.0
        ));
        assert!(close(priority(GapClass::Broken, 0.0, 0.5625).value, 50.0));
        assert!(close(priority(GapClass::Healthy, 0.5, 0.5).value, 0.0));
    }

    #[test]
    fn reference_output_sums_the_rows_under_the_segment_codes_once() {
        let rows = vec![
            ("3612".to_string(), 10),
            ("3613".to_string(), 5),
            ("3670".to_string(), 7),
        ];
        assert_eq!(
            reference_output(&["361".into(), "3612".into()], &rows),
            Some(15)
        );
        assert_eq!(reference_output(&["39".into()], &rows), None);
    }

    #[test]
    fn a_parent_segment_counts_its_subtree_firms_once() {
        // Parent 1 with leaves 2, 3; firm 10 in both leaves, firm 11 in leaf 3; leaf 4 under 1 is empty.
        let facts = ChainFacts {
            segments: vec![
                SegmentFacts {
                    id: 1,
                    parent_id: None,
                    weight: 100,
                    reference_output: None,
                },
                SegmentFacts {
                    id: 2,
                    parent_id: Some(1),
                    weight: 100,
                    reference_output: None,
                },
                SegmentFacts {
                    id: 3,
                    parent_id: Some(1),
                    weight: 100,
                    reference_output: None,
                },
                SegmentFacts {
                    id: 4,
                    parent_id: Some(1),
                    weight: 200,
                    reference_output: None,
                },
            ],
            links: vec![(2, 3)],
            members: vec![
                Member {
                    segment_id: 2,
                    enterprise_id: 10,
                    output: 40,
                    output_year_earlier: 20,
                },
                Member {
                    segment_id: 3,
                    enterprise_id: 10,
                    output: 40,
                    output_year_earlier: 20,
                },
                Member {
                    segment_id: 3,
                    enterprise_id: 11,
                    output: 60,
                    output_year_earlier: 60,
                },
            ],
            zone_total: 1000,
            reference_total: None,
        };
        let d = diagnose(&facts);
        let seg = |id| {
            d.segments
                .iter()
                .find(|s| s.segment_id == id)
                .expect("segment")
        };
        assert_eq!(seg(1).firms, 2);
        assert!(close(seg(1).output.value, 100.0));
        assert_eq!(d.firms, 2);
        // leaves 2, 3 covered (weight 1 + 1), 4 not (weight 2): 2 ÷ 4
        assert!(close(d.completeness.value, 0.5));
        assert_eq!(seg(4).gap_class, GapClass::Broken);
        assert_eq!(seg(2).gap_class, GapClass::SinglePoint);
        // shares 0.4, 0.6: HHI 0.52 > 0.25
        assert_eq!(seg(3).gap_class, GapClass::Concentrated);
        // (100 − 80) ÷ 80
        assert!(close(seg(1).growth.value, 0.25));
        assert_eq!(
            d.gaps,
            GapCounts {
                broken: 1,
                single_point: 1,
                concentrated: 1,
                ..GapCounts::default()
            }
        );
        // Segment 2 supplies 3 (Katz 0.5, the chain's largest): 75 × (0.5 + 0.5) = 75 comes before the
        // unlinked broken segment 4: 100 × (0.5 + 0) = 50.
        let order: Vec<Id> = d.segments.iter().map(|s| s.segment_id).collect();
        assert_eq!(order[..2], [2, 4]);
    }
}
