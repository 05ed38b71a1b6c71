//! Economic figures (经济指标): the indicator catalogue, exact amounts, year-on-year growth (同比) and shares (占比),
//! and the groupings a roll-up can be made by. Values are integers in hundredths of the indicator's base unit
//! (fen for money), so sums are the same on every engine; rates are computed from the integers and rounded once,
//! half away from zero, the way statistics bulletins print them.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::Id;

/// The unit an indicator is kept in; values are integer hundredths of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 元
    Yuan,
    /// 人
    Person,
    /// 吨标准煤
    TonneCoalEquivalent,
    /// 千瓦时
    KilowattHour,
    /// 个
    Count,
}

impl Unit {
    pub const ALL: [Unit; 5] = [
        Unit::Yuan,
        Unit::Person,
        Unit::TonneCoalEquivalent,
        Unit::KilowattHour,
        Unit::Count,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::Person => "person",
            Unit::TonneCoalEquivalent => "tonne_coal_equivalent",
            Unit::KilowattHour => "kilowatt_hour",
            Unit::Count => "count",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.as_str() == text)
    }

    pub fn symbol_zh(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Person => "人",
            Unit::TonneCoalEquivalent => "吨标准煤",
            Unit::KilowattHour => "千瓦时",
            Unit::Count => "个",
        }
    }

    /// The largest value (in hundredths) one enterprise may report for one month when the catalogue sets no
    /// maximum: far above any real firm (10¹³ yuan is more than China's GDP in a month), yet low enough that a
    /// file cannot carry values near the integer limit into the sums.
    pub fn default_max_per_month(self) -> i64 {
        match self {
            // 10¹³ yuan.
            Unit::Yuan => 1_000_000_000_000_000,
            // 10⁷ persons.
            Unit::Person => 1_000_000_000,
            // 10⁹ tce: China uses about 5 × 10⁹ tce a year.
            Unit::TonneCoalEquivalent => 100_000_000_000,
            // 10¹³ kWh: China uses about 9 × 10¹² kWh a year.
            Unit::KilowattHour => 1_000_000_000_000_000,
            // 10⁹.
            Unit::Count => 100_000_000_000,
        }
    }
}

/// How an indicator's monthly values make a period's value: flows are summed over the months (增加值, 营业收入);
/// stocks take the value of the period's last month (从业人员期末人数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Last,
}

impl Aggregation {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Last => "last",
        }
    }

    pub fn parse(text: &str) -> Option<Aggregation> {
        match text {
            "sum" => Some(Aggregation::Sum),
            "last" => Some(Aggregation::Last),
            _ => None,
        }
    }
}

/// One indicator of the catalogue (指标库).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub id: Id,
    /// Stable code used in files and URLs, e.g. `added_value`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: Unit,
    pub aggregation: Aggregation,
    /// False for quantities that cannot be negative (headcount, energy use).
    pub allow_negative: bool,
    /// Further names a spreadsheet may use for it.
    pub aliases: Vec<String>,
    /// Shipped with the program (the indicators of DOMAIN.md §3) rather than added by an admin.
    pub builtin: bool,
    /// The largest value one enterprise may report for one month, in hundredths of the unit, as the admin set it
    /// (`None`: the unit's default).
    pub max_per_month: Option<i64>,
    /// The maximum in force: `max_per_month`, or the unit's default. A larger value (or a smaller negative one)
    /// is refused as a row error.
    pub max_per_month_in_force: i64,
    /// An archived indicator takes no new figures; its history stays readable.
    pub archived: bool,
}

impl Indicator {
    /// The form an update is a merge patch of.
    pub fn to_input(&self) -> IndicatorInput {
        IndicatorInput {
            code: self.code.clone(),
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            unit: self.unit,
            aggregation: self.aggregation,
            allow_negative: self.allow_negative,
            aliases: self.aliases.clone(),
            max_per_month: self.max_per_month,
        }
    }

    /// Whether `draft` may replace this indicator: its code and unit stay, because files, links and the stored
    /// values are written in them.
    pub fn check_change(&self, draft: &IndicatorDraft) -> Result<(), Invalid> {
        let mut v = Violations::default();
        if draft.code != self.code {
            v.add(
                "code",
                "cannot change: files and links name the indicator by it",
            );
        }
        if draft.unit != self.unit {
            v.add(
                "unit",
                "cannot change: the stored values are hundredths of it",
            );
        }
        v.finish(())
    }
}

/// What an admin sends to add an indicator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    pub code: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub unit: Unit,
    pub aggregation: Aggregation,
    #[serde(default = "yes")]
    pub allow_negative: bool,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The largest value one enterprise may report for one month, in hundredths of the unit (fen for money);
    /// null or absent: the unit's default (10¹³ yuan for money).
    #[serde(default)]
    pub max_per_month: Option<i64>,
}

fn yes() -> bool {
    true
}

/// A checked indicator, ready to store.
pub type IndicatorDraft = IndicatorInput;

impl IndicatorInput {
    pub fn parse(mut self) -> Result<IndicatorDraft, Invalid> {
        let mut v = Violations::default();
        self.code = self.code.trim().to_string();
        if self.code.is_empty()
            || self.code.len() > 40
            || !self
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            v.add("code", "must be 1-40 characters of a-z, 0-9 and '_'");
        }
        self.name_zh = self.name_zh.trim().to_string();
        if self.name_zh.is_empty() || self.name_zh.chars().count() > 100 {
            v.add("name_zh", "is required (at most 100 characters)");
        }
        self.name_en = self.name_en.trim().to_string();
        for (i, alias) in self.aliases.iter_mut().enumerate() {
            *alias = alias.trim().to_string();
            if alias.is_empty() || alias.contains('\n') {
                v.add(&format!("aliases[{i}]"), "must be a non-empty single line");
            }
        }
        if self.max_per_month.is_some_and(|m| m <= 0) {
            v.add(
                "max_per_month",
                "must be a positive number of hundredths of the unit",
            );
        }
        v.finish(self)
    }
}

/// Amounts in hundredths of a unit, written exactly.
pub mod amount {
    /// `3362800000000` hundredths → `"33628000000.00"`.
    pub fn to_decimal(hundredths: i64) -> String {
        let sign = if hundredths < 0 { "-" } else { "" };
        let abs = hundredths.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Hundredths of a yuan (fen) in 亿元 (10⁸ yuan), rounded half away from zero to `decimals` places:
    /// `3362800000000` fen → `"336.28"`.
    pub fn fen_to_yi(fen: i64, decimals: u32) -> String {
        super::rounded_quotient(i128::from(fen), 10_000_000_000, decimals)
    }
}

/// `numerator ÷ denominator` as a decimal with `decimals` places, rounded half away from zero, exactly.
pub fn rounded_quotient(numerator: i128, denominator: i128, decimals: u32) -> String {
    let scale = 10i128.pow(decimals);
    let negative = (numerator < 0) != (denominator < 0) && numerator != 0;
    let (n, d) = (
        numerator.unsigned_abs() * scale as u128,
        denominator.unsigned_abs(),
    );
    let mut q = n / d;
    if (n % d) * 2 >= d {
        q += 1;
    }
    let whole = q / scale as u128;
    let frac = q % scale as u128;
    let sign = if negative && q != 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
    }
}

/// An exact ratio of two sums, e.g. year-on-year growth (this − last) ÷ last, or a share part ÷ whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub numerator: i128,
    pub denominator: i128,
}

impl Ratio {
    /// Year-on-year growth (同比增长): `None` when last year's value is zero (no rate can be given).
    pub fn growth(current: i64, previous: i64) -> Option<Ratio> {
        (previous != 0).then(|| Ratio {
            numerator: i128::from(current) - i128::from(previous),
            denominator: i128::from(previous).abs(),
        })
    }

    /// Share of a whole (占比): `None` when the whole is zero.
    pub fn share(part: i64, whole: i64) -> Option<Ratio> {
        (whole != 0).then(|| Ratio {
            numerator: i128::from(part),
            denominator: i128::from(whole),
        })
    }

    /// As a percentage with `decimals` places, e.g. `"54.6"`.
    pub fn percent(self, decimals: u32) -> String {
        rounded_quotient(self.numerator * 100, self.denominator, decimals)
    }
}

/// Which base a year-on-year rate is computed against. Both are shown by name, because they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum GrowthMethod {
    /// Last year's totals as they were reported (the sums of last year's stored values of every firm then in the
    /// group): what a reader recomputes from two published bulletins. Read from the aggregate tables.
    #[default]
    PublishedTotals,
    /// The base restated to the current set of reporting firms: last year's values of exactly the firms (and
    /// months) that reported this period, as the statistics bureau's official rates are. Computed from the
    /// stored monthly values of the period.
    SameFirms,
}

impl GrowthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            GrowthMethod::PublishedTotals => "published_totals",
            GrowthMethod::SameFirms => "same_firms",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            GrowthMethod::PublishedTotals => {
                "(this period − same period last year) ÷ same period last year, both as totals of every firm that \
                 reported; at current prices"
            }
            GrowthMethod::SameFirms => {
                "base restated to the firms and months that reported this period (可比口径); at current prices"
            }
        }
    }
}

/// What a roll-up groups enterprises by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The whole zone: one group.
    Zone,
    /// Industry areas, through the chains of the firm's segments (or its park when it has no segment).
    Area,
    Chain,
    Segment,
    Park,
    /// GB/T 2260 district.
    District,
    /// NBS 2021 digital-economy category 01–05.
    DigitalCategory,
    /// All firms of any digital-economy category (01–05): one group, the zone's digital economy.
    DigitalEconomy,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Zone,
        Dimension::Area,
        Dimension::Chain,
        Dimension::Segment,
        Dimension::Park,
        Dimension::District,
        Dimension::DigitalCategory,
        Dimension::DigitalEconomy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Zone => "zone",
            Dimension::Area => "area",
            Dimension::Chain => "chain",
            Dimension::Segment => "segment",
            Dimension::Park => "park",
            Dimension::District => "district",
            Dimension::DigitalCategory => "digital_category",
            Dimension::DigitalEconomy => "digital_economy",
        }
    }

    pub fn parse(text: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// The population a region figure must be about to be the parent of this dimension's groups.
    pub fn region_subject(self) -> RegionSubject {
        match self {
            Dimension::DigitalCategory | Dimension::DigitalEconomy => RegionSubject::DigitalEconomy,
            _ => RegionSubject::All,
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a region figure counts: the whole economy of the region, or its digital economy only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum RegionSubject {
    #[default]
    All,
    DigitalEconomy,
}

impl RegionSubject {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionSubject::All => "all",
            RegionSubject::DigitalEconomy => "digital_economy",
        }
    }

    pub fn parse(text: &str) -> Option<RegionSubject> {
        match text {
            "all" => Some(RegionSubject::All),
            "digital_economy" => Some(RegionSubject::DigitalEconomy),
            _ => None,
        }
    }
}

/// A count of firms the way bulletins give it: floored to a round number with 余 ("more than"), e.g. 6,564 →
/// "6000余家" / "more than 6,000". Exact counts are always shown next to it; this is only the headline wording.
pub fn approximate_count(count: i64) -> (String, String) {
    let step = match count {
        ..100 => return (format!("{count}家"), count.to_string()),
        100..1_000 => 100,
        1_000..100_000 => 1_000,
        _ => 10_000,
    };
    let floor = count / step * step;
    let grouped = {
        let digits = floor.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    if floor == count {
        (format!("{floor}家"), grouped)
    } else {
        (format!("{floor}余家"), format!("more than {grouped}"))
    }
}

/// An amount as the API shows it: exact hundredths, the exact decimal in the base unit, and the way a bulletin
/// writes it (亿元 with two decimals for money).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Amount {
    pub hundredths: i64,
    /// Exact, in the base unit: "33628000000.00".
    pub decimal: String,
    /// "336.28亿元", "1234.00人".
    pub display_zh: String,
}

impl Amount {
    pub fn new(hundredths: i64, unit: Unit) -> Amount {
        let display_zh = match unit {
            Unit::Yuan => format!("{}亿元", amount::fen_to_yi(hundredths, 2)),
            other => format!("{}{}", amount::to_decimal(hundredths), other.symbol_zh()),
        };
        Amount {
            hundredths,
            decimal: amount::to_decimal(hundredths),
            display_zh,
        }
    }
}

/// The indicator a roll-up is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorRef {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: Unit,
    pub aggregation: Aggregation,
}

impl From<&Indicator> for IndicatorRef {
    fn from(i: &Indicator) -> Self {
        IndicatorRef {
            code: i.code.clone(),
            name_zh: i.name_zh.clone(),
            name_en: i.name_en.clone(),
            unit: i.unit,
            aggregation: i.aggregation,
        }
    }
}

/// What shares are shares of: the zone's own total, or a region's published total.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupParent {
    /// `zone` or `region`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    pub subject: RegionSubject,
    pub name: String,
    /// Absent when nothing was reported, or when the zone's total is withheld from the caller (then no group
    /// carries a share either).
    pub value: Option<Amount>,
    /// The rule that withholds the zone's total from the caller.
    pub suppressed: Option<crate::disclosure::Suppression>,
}

/// One group of a roll-up. A group withheld from the caller by disclosure control (统计资料保密) carries no value,
/// firm count, growth or share, and names the rule in `suppressed`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupGroup {
    pub group_id: Id,
    pub code: String,
    pub name: String,
    /// Firms with a value in the period's last month.
    pub firms: Option<i64>,
    /// The count as a bulletin words it: "6000余家" (floored to a round number, 余 = "more than").
    pub firms_approx_zh: Option<String>,
    /// The same in English: "more than 6,000".
    pub firms_approx_en: Option<String>,
    pub value: Option<Amount>,
    /// Why the value is withheld from the caller: `min_firms`, `dominance` or `secondary`.
    pub suppressed: Option<crate::disclosure::Suppression>,
    /// The same period last year, by the roll-up's method; absent when nothing was reported then, or when it is
    /// withheld (`previous_suppressed`).
    pub previous: Option<Amount>,
    /// Why last year's value (and with it the growth rate) is withheld from the caller.
    pub previous_suppressed: Option<crate::disclosure::Suppression>,
    /// Year-on-year growth in percent, one decimal, rounded half away from zero: "54.6".
    pub yoy_growth_percent: Option<String>,
    /// The same to four decimals, for checking.
    pub yoy_growth_percent_precise: Option<String>,
    /// Share of the parent in percent, one decimal: "33.3".
    pub share_percent: Option<String>,
}

impl RollupGroup {
    /// Whether the group has something to show or to say: a value, or the rule that withholds it.
    pub fn is_reported(&self) -> bool {
        self.suppressed.is_some() || self.value.as_ref().is_some_and(|v| v.hundredths != 0)
    }
}

/// A roll-up: an indicator for a period, by a dimension, with last year's figures, growth and shares.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rollup {
    pub indicator: IndicatorRef,
    #[schema(value_type = String, example = "2021-H1")]
    pub period: crate::period::Period,
    pub period_label_zh: String,
    #[schema(value_type = String, example = "2020-H1")]
    pub previous_period: crate::period::Period,
    pub by: Dimension,
    pub method: GrowthMethod,
    pub method_description: String,
    pub parent: RollupParent,
    /// Whether disclosure control was applied for the caller, and its thresholds.
    pub disclosure: crate::disclosure::DisclosureApplied,
    pub groups: Vec<RollupGroup>,
}

/// A roll-up as the store computes it, before disclosure control. It cannot be serialised: only
/// [`crate::disclosure::publish`] makes of it the [`Rollup`] a caller sees.
#[derive(Debug, Clone)]
pub struct RollupCells {
    pub indicator: IndicatorRef,
    pub period: crate::period::Period,
    pub previous_period: crate::period::Period,
    pub by: Dimension,
    pub method: GrowthMethod,
    pub parent: ParentCell,
    /// Every group of the dimension with a value, including those the caller is not shown (`listed`).
    pub groups: Vec<GroupCells>,
}

/// The parent of a roll-up before disclosure control.
#[derive(Debug, Clone)]
pub struct ParentCell {
    pub kind: String,
    pub region_code: Option<String>,
    pub subject: RegionSubject,
    pub name: String,
    pub value: Option<crate::disclosure::Cell>,
    /// A region's published figure: public, never withheld. The zone's own total is a cell like any other.
    pub public: bool,
}

/// One group of a roll-up before disclosure control.
#[derive(Debug, Clone)]
pub struct GroupCells {
    pub group_id: Id,
    pub code: String,
    pub name: String,
    /// The group whose published total this one is part of: a segment's chain, a chain's area.
    pub parent_group: Option<Id>,
    /// Whether the caller is shown the group (a chain owner sees only its chains); every group takes part in
    /// disclosure control.
    pub listed: bool,
    /// Firms with a value in the period's last month.
    pub firms: i64,
    pub current: crate::disclosure::Cell,
    /// The same period last year by the roll-up's method, when anything was reported then.
    pub previous: Option<crate::disclosure::Cell>,
}

/// Who may import figures: the admin for any enterprise, an enterprise's own user for its own enterprises. Leaders
/// and analysts read everything and change nothing, so they do not import; other roles neither.
pub fn may_import_figures(scope: &crate::access::Scope) -> Result<(), crate::access::Denied> {
    use crate::access::Role;
    match scope.role {
        Role::Admin | Role::Enterprise => Ok(()),
        other => Err(crate::access::Denied(format!(
            "a {other} account cannot import figures"
        ))),
    }
}

/// Whether a row of this enterprise may be imported by this account (after [`may_import_figures`]).
pub fn may_report_figures_of(scope: &crate::access::Scope, enterprise: Id) -> bool {
    may_report_figures_of_every_enterprise(scope) || scope.has_enterprise(enterprise)
}

/// Whether the account reports figures for any enterprise of the registry (and so may learn which credit codes are
/// registered from an import's report); others report for their own enterprises only.
pub fn may_report_figures_of_every_enterprise(scope: &crate::access::Scope) -> bool {
    scope.is_admin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_rounded_half_away_from_zero_from_the_exact_ratio() {
        // 336.28 亿 against 217.52 亿: +54.597...% → 54.6
        let g = Ratio::growth(3_362_800_000_000, 2_175_200_000_000).expect("a rate");
        assert_eq!(g.percent(1), "54.6");
        assert_eq!(
            Ratio::growth(105, 100).map(|g| g.percent(0)),
            Some("5".into())
        );
        assert_eq!(
            Ratio::growth(1005, 1000).map(|g| g.percent(1)),
            Some("0.5".into())
        );
        assert_eq!(
            Ratio::growth(90, 100).map(|g| g.percent(1)),
            Some("-10.0".into())
        );
        assert_eq!(Ratio::growth(5, 0), None);
    }

    #[test]
    fn growth_against_a_negative_base_keeps_the_sign_of_the_change() {
        // A loss of 100 turning into a profit of 50 is an improvement.
        assert_eq!(
            Ratio::growth(50, -100).map(|g| g.percent(1)),
            Some("150.0".into())
        );
    }

    #[test]
    fn share_of_one_third_prints_as_33_3_percent() {
        let s = Ratio::share(3_362_800_000_000, 10_088_400_000_000).expect("a share");
        assert_eq!(s.percent(1), "33.3");
    }

    #[test]
    fn fen_are_shown_in_yi_yuan_exactly() {
        assert_eq!(amount::fen_to_yi(3_362_800_000_000, 2), "336.28");
        assert_eq!(amount::fen_to_yi(316_120_000_000_000 / 10, 1), "3161.2");
        assert_eq!(amount::to_decimal(-1234), "-12.34");
    }

    #[test]
    fn about_6000_firms_is_written_6000_yu_jia() {
        assert_eq!(
            approximate_count(6564),
            ("6000余家".to_string(), "more than 6,000".to_string())
        );
        assert_eq!(approximate_count(6000).0, "6000家");
        assert_eq!(approximate_count(42).0, "42家");
    }

    #[test]
    fn indicator_codes_are_lower_case_identifiers() {
        let input = IndicatorInput {
            code: "Export Value".into(),
            name_zh: "出口额".into(),
            name_en: String::new(),
            unit: Unit::Yuan,
            aggregation: Aggregation::Sum,
            allow_negative: false,
            aliases: vec![],
            max_per_month: None,
        };
        let err = input.parse().unwrap_err();
        assert_eq!(err.0[0].field, "code");
    }
}
