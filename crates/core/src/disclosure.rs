//! Statistical confidentiality (统计资料保密): the figures of a single respondent are confidential under the
//! Statistics Law, so a roll-up shown to a caller who may not read every firm's own figures withholds each cell
//! from which one firm's figure could be told. Who may read which firm's figures ([`figure_reach`]), which cells
//! are withheld ([`suppress`]) and what a roll-up then shows ([`publish`]) are decided here and nowhere else; the
//! store only supplies the facts of each cell.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Kind, Reach, Scope};
use crate::error::{Invalid, Violations};
use crate::figures::{
    Amount, Ratio, Rollup, RollupCells, RollupGroup, RollupParent, approximate_count,
};
use crate::registry::Id;

/// The thresholds of the primary rules, from the layered configuration (`[disclosure]` in the TOML file,
/// `CHAINPARK_DISCLOSURE_MIN_FIRMS`, `CHAINPARK_DISCLOSURE_DOMINANCE_PERCENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DisclosureRules {
    /// A cell with fewer contributing firms than this is withheld (the minimum-frequency rule).
    pub min_firms: i64,
    /// A cell where one firm makes more than this percentage of the value is withheld (the dominance rule).
    pub dominance_percent: u32,
}

impl Default for DisclosureRules {
    fn default() -> Self {
        DisclosureRules {
            min_firms: 3,
            dominance_percent: 85,
        }
    }
}

impl DisclosureRules {
    /// The rules when they make sense: at least one firm, a dominance share of 1–100 %.
    pub fn check(self) -> Result<DisclosureRules, Invalid> {
        let mut v = Violations::default();
        if self.min_firms < 1 {
            v.add("disclosure.min_firms", "must be at least 1");
        }
        if !(1..=100).contains(&self.dominance_percent) {
            v.add("disclosure.dominance_percent", "must be 1 to 100");
        }
        v.finish(self)
    }
}

/// Why a cell is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// Fewer firms contributed than the configured minimum (3).
    MinFirms,
    /// One firm makes more than the configured share (85 %) of the cell.
    Dominance,
    /// Withheld so that another withheld cell cannot be found by subtraction from a published total.
    Secondary,
}

impl Suppression {
    pub fn as_str(self) -> &'static str {
        match self {
            Suppression::MinFirms => "min_firms",
            Suppression::Dominance => "dominance",
            Suppression::Secondary => "secondary",
        }
    }
}

/// Whose own figures (单个企业数据) a caller may read — the one rule behind the enterprise figures endpoint and
/// the disclosure control of roll-ups — is the access policy's reach of an enterprise's private data
/// ([`Kind::EnterpriseContact`]): readers of everything read every firm's; an enterprise's user its own
/// enterprises'; a park's chief and staff those of the firms in their park; a chain's chief and task force those
/// of the firms in a segment of their chains. Chain owners (链主, themselves companies) read none.
pub fn figure_reach(scope: &Scope) -> Reach {
    scope.reach(Kind::EnterpriseContact)
}

/// What the rules need to know of one cell, for one caller. Contributions are each firm's value for the period
/// (summed over its months, or its last month for stocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellFacts {
    /// Firms that contributed a value.
    pub firms: i64,
    /// The largest single firm's contribution, by magnitude.
    pub largest: i64,
    /// The sum of all contributions by magnitude (a loss counts as much as a profit of the same size).
    pub magnitude: i64,
    /// Contributing firms whose own figures the caller may not read.
    pub unreadable_firms: i64,
}

/// One cell of a roll-up before disclosure control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub value: i64,
    /// The facts for the caller; the store gathers them only for callers who do not read every firm's figures.
    /// A cell without facts for such a caller is withheld (nothing is shown that was not checked).
    pub facts: Option<CellFacts>,
}

impl Cell {
    /// Whether the caller may read the figures of every firm in the cell, so that nothing in it is secret to them.
    fn readable(&self, reach: &Reach) -> bool {
        *reach == Reach::All || self.facts.is_some_and(|f| f.unreadable_firms == 0)
    }
}

/// The primary rules: the rule that withholds the cell from this caller, if any.
pub fn primary(rules: &DisclosureRules, reach: &Reach, cell: &Cell) -> Option<Suppression> {
    if cell.readable(reach) {
        return None;
    }
    let Some(f) = cell.facts else {
        return Some(Suppression::MinFirms);
    };
    if f.firms < rules.min_firms {
        return Some(Suppression::MinFirms);
    }
    let dominated =
        i128::from(f.largest) * 100 > i128::from(rules.dominance_percent) * i128::from(f.magnitude);
    dominated.then_some(Suppression::Dominance)
}

/// Primary and secondary suppression of one table of cells. `totals` lists, for each published total, the cells
/// it is the sum of (the whole roll-up, and the groups of each parent: a chain's segments, an area's chains).
/// Totals are visited in the order given. When exactly one cell of a total is withheld, it would follow by
/// subtraction, so the smallest other cell of that total is withheld as well — one the caller cannot read
/// (withholding a cell the caller reads anyway protects nothing), with a value other than zero when there is
/// one; repeated until no total has a single withheld cell. When only cells the caller reads are left, nothing
/// can be withheld that would help (see docs/figures.md).
pub fn suppress(
    rules: &DisclosureRules,
    reach: &Reach,
    cells: &[Cell],
    totals: &[Vec<usize>],
) -> Vec<Option<Suppression>> {
    let mut out: Vec<Option<Suppression>> =
        cells.iter().map(|c| primary(rules, reach, c)).collect();
    loop {
        let mut changed = false;
        for total in totals.iter().filter(|t| t.len() > 1) {
            if total.iter().filter(|&&i| out[i].is_some()).count() != 1 {
                continue;
            }
            let second = total
                .iter()
                .copied()
                .filter(|&i| out[i].is_none() && !cells[i].readable(reach))
                .min_by_key(|&i| (cells[i].value == 0, cells[i].value.unsigned_abs(), i));
            if let Some(i) = second {
                out[i] = Some(Suppression::Secondary);
                changed = true;
            }
        }
        if !changed {
            return out;
        }
    }
}

/// The published totals a roll-up's cells add up to: the cells of each parent group, then all of them (the zone,
/// or the digital economy for its categories) — parents first, so that one second cell protects both where it can.
fn totals_of(parents: &[Option<Id>]) -> Vec<Vec<usize>> {
    let mut by_parent: BTreeMap<Id, Vec<usize>> = BTreeMap::new();
    for (i, parent) in parents.iter().enumerate() {
        if let Some(p) = parent {
            by_parent.entry(*p).or_default().push(i);
        }
    }
    let mut totals: Vec<Vec<usize>> = by_parent.into_values().collect();
    totals.push((0..parents.len()).collect());
    totals
}

/// What a caller sees of a roll-up: every cell judged by the rules for this caller, withheld cells without value,
/// firm count, growth or share (each naming its rule), and last year's cells judged as a table of their own.
/// Callers who read every firm's figures see the cells unchanged.
pub fn publish(cells: RollupCells, rules: &DisclosureRules, reach: &Reach) -> Rollup {
    let unit = cells.indicator.unit;
    let parents: Vec<Option<Id>> = cells.groups.iter().map(|g| g.parent_group).collect();
    let totals = totals_of(&parents);
    let current: Vec<Cell> = cells.groups.iter().map(|g| g.current).collect();
    let current_rule = suppress(rules, reach, &current, &totals);
    // Last year's table: the groups that had a value then, with the same totals among them.
    let with_previous: Vec<usize> = (0..cells.groups.len())
        .filter(|&i| cells.groups[i].previous.is_some())
        .collect();
    let previous: Vec<Cell> = with_previous
        .iter()
        .filter_map(|&i| cells.groups[i].previous)
        .collect();
    let previous_parents: Vec<Option<Id>> = with_previous.iter().map(|&i| parents[i]).collect();
    let mut previous_rule = vec![None; cells.groups.len()];
    for (k, rule) in suppress(rules, reach, &previous, &totals_of(&previous_parents))
        .into_iter()
        .enumerate()
    {
        previous_rule[with_previous[k]] = rule;
    }
    let parent_cell = cells.parent.value;
    let parent_rule = match parent_cell {
        Some(cell) if !cells.parent.public => primary(rules, reach, &cell),
        _ => None,
    };
    let parent_value = parent_cell
        .filter(|_| parent_rule.is_none())
        .map(|c| c.value);
    let groups = cells
        .groups
        .into_iter()
        .enumerate()
        .filter(|(_, g)| g.listed)
        .map(|(i, g)| {
            let suppressed = current_rule[i];
            let previous_suppressed = g.previous.and(previous_rule[i]);
            let value = suppressed.is_none().then_some(g.current.value);
            let previous = g
                .previous
                .filter(|_| previous_suppressed.is_none())
                .map(|p| p.value);
            let growth = value.zip(previous).and_then(|(v, p)| Ratio::growth(v, p));
            let firms = value.map(|_| g.firms);
            let approx = firms.map(approximate_count);
            RollupGroup {
                group_id: g.group_id,
                code: g.code,
                name: g.name,
                firms,
                firms_approx_zh: approx.as_ref().map(|a| a.0.clone()),
                firms_approx_en: approx.map(|a| a.1),
                value: value.map(|v| Amount::new(v, unit)),
                suppressed,
                previous: previous.map(|p| Amount::new(p, unit)),
                previous_suppressed,
                yoy_growth_percent: growth.map(|g| g.percent(1)),
                yoy_growth_percent_precise: growth.map(|g| g.percent(4)),
                share_percent: value
                    .zip(parent_value)
                    .and_then(|(v, p)| Ratio::share(v, p))
                    .map(|s| s.percent(1)),
            }
        })
        .collect();
    Rollup {
        indicator: cells.indicator,
        period: cells.period,
        period_label_zh: cells.period.label_zh(),
        previous_period: cells.previous_period,
        by: cells.by,
        method: cells.method,
        method_description: cells.method.describe().to_string(),
        parent: RollupParent {
            kind: cells.parent.kind,
            region_code: cells.parent.region_code,
            subject: cells.parent.subject,
            name: cells.parent.name,
            value: parent_value.map(|v| Amount::new(v, unit)),
            suppressed: parent_rule,
        },
        disclosure: DisclosureApplied {
            applied: *reach != Reach::All,
            min_firms: rules.min_firms,
            dominance_percent: rules.dominance_percent,
        },
        groups,
    }
}

/// Whether a roll-up was put through disclosure control for its caller, and with which thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct DisclosureApplied {
    /// False for callers who may read every firm's own figures: they see every cell.
    pub applied: bool,
    pub min_firms: i64,
    pub dominance_percent: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Place, Role};
    use crate::figures::{
        Aggregation, Dimension, GroupCells, GrowthMethod, IndicatorRef, ParentCell,
    };
    use crate::figures::{RegionSubject, Unit};
    use crate::period::Period;

    fn outsider() -> Reach {
        figure_reach(&Scope::zone(Role::ChainOwner))
    }

    /// A cell of `firms` firms of the given contributions, none of which the caller reads.
    fn cell(contributions: &[i64]) -> Cell {
        Cell {
            value: contributions.iter().sum(),
            facts: Some(CellFacts {
                firms: contributions.len() as i64,
                largest: contributions.iter().map(|v| v.abs()).max().unwrap_or(0),
                magnitude: contributions.iter().map(|v| v.abs()).sum(),
                unreadable_firms: contributions.len() as i64,
            }),
        }
    }

    fn readable(contributions: &[i64]) -> Cell {
        let mut c = cell(contributions);
        if let Some(f) = c.facts.as_mut() {
            f.unreadable_firms = 0;
        }
        c
    }

    fn rules() -> DisclosureRules {
        DisclosureRules::default()
    }

    #[test]
    fn a_cell_of_fewer_than_three_firms_is_withheld_by_the_min_firms_rule() {
        let r = rules();
        assert_eq!(
            primary(&r, &outsider(), &cell(&[500])),
            Some(Suppression::MinFirms)
        );
        assert_eq!(
            primary(&r, &outsider(), &cell(&[500, 400])),
            Some(Suppression::MinFirms)
        );
        assert_eq!(primary(&r, &outsider(), &cell(&[500, 400, 300])), None);
    }

    #[test]
    fn a_cell_where_one_firm_makes_more_than_85_percent_is_withheld_by_the_dominance_rule() {
        let r = rules();
        assert_eq!(
            primary(&r, &outsider(), &cell(&[86, 7, 7])),
            Some(Suppression::Dominance)
        );
        // Exactly 85 % is not more than 85 %.
        assert_eq!(primary(&r, &outsider(), &cell(&[85, 10, 5])), None);
        // A loss counts by its size: −900 against +50 +50 is dominated though the sum is −800.
        assert_eq!(
            primary(&r, &outsider(), &cell(&[-900, 50, 50])),
            Some(Suppression::Dominance)
        );
    }

    #[test]
    fn thresholds_of_the_configuration_change_which_cells_are_withheld() {
        let loose = DisclosureRules {
            min_firms: 2,
            dominance_percent: 95,
        };
        assert_eq!(primary(&loose, &outsider(), &cell(&[500, 400])), None);
        assert_eq!(primary(&loose, &outsider(), &cell(&[90, 5, 5])), None);
        assert_eq!(
            primary(&loose, &outsider(), &cell(&[96, 2, 2])),
            Some(Suppression::Dominance)
        );
        let strict = DisclosureRules {
            min_firms: 5,
            dominance_percent: 50,
        };
        assert_eq!(
            primary(&strict, &outsider(), &cell(&[1, 1, 1, 1])),
            Some(Suppression::MinFirms)
        );
        assert_eq!(
            primary(&strict, &outsider(), &cell(&[60, 10, 10, 10, 10])),
            Some(Suppression::Dominance)
        );
    }

    #[test]
    fn rules_outside_their_range_are_refused_naming_the_setting() {
        let bad = DisclosureRules {
            min_firms: 0,
            dominance_percent: 101,
        }
        .check()
        .unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["disclosure.min_firms", "disclosure.dominance_percent"]
        );
        assert!(DisclosureRules::default().check().is_ok());
    }

    #[test]
    fn a_caller_who_reads_every_firm_of_a_cell_sees_it_whatever_its_size() {
        let r = rules();
        assert_eq!(primary(&r, &outsider(), &readable(&[500])), None);
        assert_eq!(primary(&r, &Reach::All, &cell(&[500])), None);
        // One firm of the cell the caller may not read is enough for the rules to apply.
        let mut mixed = cell(&[500, 1]);
        if let Some(f) = mixed.facts.as_mut() {
            f.unreadable_firms = 1;
        }
        assert_eq!(
            primary(&r, &outsider(), &mixed),
            Some(Suppression::MinFirms)
        );
    }

    #[test]
    fn a_cell_without_facts_is_withheld_from_a_caller_who_needs_them() {
        let bare = Cell {
            value: 7,
            facts: None,
        };
        assert_eq!(
            primary(&rules(), &outsider(), &bare),
            Some(Suppression::MinFirms)
        );
        assert_eq!(primary(&rules(), &Reach::All, &bare), None);
    }

    #[test]
    fn a_second_cell_is_withheld_so_the_first_cannot_be_derived_from_the_total() {
        let cells = [
            cell(&[1000]),
            cell(&[300, 300, 300]),
            cell(&[100, 100, 100]),
            cell(&[50, 60, 70]),
        ];
        let out = suppress(&rules(), &outsider(), &cells, &[vec![0, 1, 2, 3]]);
        assert_eq!(
            out,
            [
                Some(Suppression::MinFirms),
                None,
                None,
                Some(Suppression::Secondary)
            ]
        );
    }

    #[test]
    fn two_withheld_cells_need_no_secondary_suppression() {
        let cells = [cell(&[1000]), cell(&[5, 5]), cell(&[100, 100, 100])];
        let out = suppress(&rules(), &outsider(), &cells, &[vec![0, 1, 2]]);
        assert_eq!(
            out,
            [
                Some(Suppression::MinFirms),
                Some(Suppression::MinFirms),
                None
            ]
        );
    }

    #[test]
    fn secondary_suppression_protects_each_parent_total_and_the_whole() {
        // Chain A: segments 0 (one firm), 1, 2; chain B: segments 3, 4. Chain A loses its smallest other cell, 2,
        // which also protects 0 in the whole; chain B is untouched.
        let cells = [
            cell(&[900]),
            cell(&[300, 300, 300]),
            cell(&[10, 10, 10]),
            cell(&[5, 5, 5]),
            cell(&[400, 400, 400]),
        ];
        let totals = totals_of(&[Some(1), Some(1), Some(1), Some(2), Some(2)]);
        assert_eq!(
            totals.last(),
            Some(&vec![0, 1, 2, 3, 4]),
            "the whole comes last"
        );
        let out = suppress(&rules(), &outsider(), &cells, &totals);
        assert_eq!(
            out,
            [
                Some(Suppression::MinFirms),
                None,
                Some(Suppression::Secondary),
                None,
                None
            ]
        );
        // Each withheld cell alone in its total again: 3 in chain B takes 4 with it.
        let cells = [
            cell(&[900]),
            cell(&[300, 300, 300]),
            cell(&[10, 10, 10]),
            cell(&[5]),
            cell(&[400, 400, 400]),
        ];
        let out = suppress(&rules(), &outsider(), &cells, &totals);
        assert_eq!(
            out,
            [
                Some(Suppression::MinFirms),
                None,
                Some(Suppression::Secondary),
                Some(Suppression::MinFirms),
                Some(Suppression::Secondary)
            ]
        );
    }

    #[test]
    fn the_secondary_cell_is_never_one_the_caller_reads_anyway_nor_a_zero_when_another_exists() {
        let cells = [
            cell(&[1000]),
            readable(&[1, 1, 1]),
            cell(&[0, 0, 0]),
            cell(&[40, 40, 40]),
        ];
        let out = suppress(&rules(), &outsider(), &cells, &[vec![0, 1, 2, 3]]);
        assert_eq!(
            out,
            [
                Some(Suppression::MinFirms),
                None,
                None,
                Some(Suppression::Secondary)
            ]
        );
    }

    #[test]
    fn reach_follows_the_posts_of_the_enterprise_figures_rule() {
        let covers = |s: &Scope, e: Id, park: Option<Id>, chains: &[Id]| {
            figure_reach(s).admits(Place {
                chains,
                parks: park.as_slice(),
                enterprises: &[e],
                people: &[],
            })
        };
        let mut chief = Scope::zone(Role::ChainChief);
        chief.chains = vec![7];
        assert!(covers(&chief, 1, None, &[7, 9]));
        assert!(!covers(&chief, 1, Some(3), &[9]));
        let mut owner = Scope::zone(Role::ChainOwner);
        owner.chains = vec![7];
        assert!(
            !covers(&owner, 1, None, &[7]),
            "chain owners read no firm's figures"
        );
        let mut park = Scope::zone(Role::ParkStaff);
        park.parks = vec![3];
        assert!(covers(&park, 1, Some(3), &[]));
        assert!(!covers(&park, 1, Some(4), &[7]));
        let mut firm = Scope::zone(Role::Enterprise);
        firm.enterprises = vec![1];
        assert!(covers(&firm, 1, None, &[]) && !covers(&firm, 2, None, &[]));
        let mut overall = Scope::zone(Role::ChainChief);
        overall.all_chains = true;
        assert!(covers(&overall, 1, None, &[9]) && !covers(&overall, 1, Some(3), &[]));
        for role in [Role::Admin, Role::Leader, Role::Analyst] {
            assert_eq!(figure_reach(&Scope::zone(role)), Reach::All);
        }
    }

    fn rollup_cells(groups: Vec<GroupCells>, zone: Cell) -> RollupCells {
        RollupCells {
            indicator: IndicatorRef {
                code: "added_value".into(),
                name_zh: "增加值".into(),
                name_en: "Added value".into(),
                unit: Unit::Yuan,
                aggregation: Aggregation::Sum,
            },
            period: Period::HalfYear {
                year: 2021,
                half: 1,
            },
            previous_period: Period::HalfYear {
                year: 2020,
                half: 1,
            },
            by: Dimension::Segment,
            method: GrowthMethod::PublishedTotals,
            parent: ParentCell {
                kind: "zone".into(),
                region_code: None,
                subject: RegionSubject::All,
                name: "全区".into(),
                value: Some(zone),
                public: false,
            },
            groups,
        }
    }

    fn group(id: Id, current: Cell, previous: Option<Cell>) -> GroupCells {
        GroupCells {
            group_id: id,
            code: format!("s{id}"),
            name: format!("segment {id}"),
            parent_group: Some(1),
            listed: true,
            firms: current.facts.map(|f| f.firms).unwrap_or(0),
            current,
            previous,
        }
    }

    #[test]
    fn a_withheld_group_carries_no_value_firms_growth_or_share_and_names_its_rule() {
        let cells = rollup_cells(
            vec![
                group(1, cell(&[1000]), Some(cell(&[800]))),
                group(2, cell(&[300, 300, 300]), Some(cell(&[200, 200, 200]))),
                group(3, cell(&[100, 100, 100]), Some(cell(&[100, 100, 100]))),
            ],
            cell(&[1000, 300, 300, 300, 100, 100, 100]),
        );
        let r = publish(cells.clone(), &rules(), &outsider());
        let g = &r.groups[0];
        assert_eq!(g.suppressed, Some(Suppression::MinFirms));
        assert!(g.value.is_none() && g.firms.is_none() && g.firms_approx_zh.is_none());
        assert!(
            g.yoy_growth_percent.is_none() && g.share_percent.is_none() && g.previous.is_none()
        );
        assert_eq!(r.groups[2].suppressed, Some(Suppression::Secondary));
        let shown = &r.groups[1];
        assert_eq!(shown.value.as_ref().map(|a| a.hundredths), Some(900));
        assert_eq!(shown.yoy_growth_percent.as_deref(), Some("50.0"));
        assert_eq!(shown.share_percent.as_deref(), Some("40.9"));
        assert!(r.disclosure.applied);
        // The leader sees every cell as it is.
        let all = publish(cells, &rules(), &Reach::All);
        assert!(
            all.groups
                .iter()
                .all(|g| g.suppressed.is_none() && g.value.is_some())
        );
        assert_eq!(all.groups[0].yoy_growth_percent.as_deref(), Some("25.0"));
        assert!(!all.disclosure.applied);
    }

    #[test]
    fn last_years_withheld_cell_takes_the_growth_rate_with_it() {
        let cells = rollup_cells(
            vec![
                group(1, cell(&[400, 400, 400]), Some(cell(&[900]))),
                group(2, cell(&[300, 300, 300]), Some(cell(&[200, 200, 200]))),
                group(3, cell(&[100, 100, 100]), Some(cell(&[100, 100, 100]))),
            ],
            cell(&[400, 400, 400, 300, 300, 300, 100, 100, 100]),
        );
        let r = publish(cells, &rules(), &outsider());
        let g = &r.groups[0];
        assert!(g.value.is_some() && g.suppressed.is_none());
        assert_eq!(g.previous_suppressed, Some(Suppression::MinFirms));
        assert!(g.previous.is_none() && g.yoy_growth_percent.is_none());
        assert_eq!(
            r.groups[2].previous_suppressed,
            Some(Suppression::Secondary)
        );
        assert!(r.groups[1].yoy_growth_percent.is_some());
    }

    #[test]
    fn a_withheld_zone_total_takes_every_share_with_it() {
        let cells = rollup_cells(vec![group(1, readable(&[1000, 5]), None)], cell(&[1000, 5]));
        let r = publish(cells, &rules(), &outsider());
        assert_eq!(r.parent.suppressed, Some(Suppression::MinFirms));
        assert!(r.parent.value.is_none());
        assert!(r.groups[0].value.is_some() && r.groups[0].share_percent.is_none());
    }

    #[test]
    fn groups_hidden_from_the_caller_still_count_for_secondary_suppression() {
        let mut hidden = group(3, cell(&[5, 5, 5]), None);
        hidden.listed = false;
        let cells = rollup_cells(
            vec![
                group(1, cell(&[1000]), None),
                group(2, cell(&[300, 300, 300]), None),
                hidden,
            ],
            cell(&[1000, 300, 300, 300, 5, 5, 5]),
        );
        let r = publish(cells, &rules(), &outsider());
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[0].suppressed, Some(Suppression::MinFirms));
        assert_eq!(
            r.groups[1].suppressed, None,
            "the hidden group was the second cell"
        );
    }
}
