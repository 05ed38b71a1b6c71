//! The indicator catalogue (指标目录) the caller hands to the parser: which monthly enterprise indicators exist, the
//! unit each is kept in, and every name a spreadsheet may use for it. Names are matched after folding, so
//! `营业收入`, `Operating Revenue`, `operating_revenue` and `营业收入（万元）` all find the same indicator.

use std::fmt;

use chainpark_core::figures::{Indicator, Unit};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::normalise::{key, split_label};

/// The unit an indicator is stored in; values are kept as integer hundredths of it (fen for yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseUnit {
    /// 元
    Yuan,
    /// 人
    Person,
    /// 吨标准煤 (tonne of coal equivalent)
    TonneCoalEquivalent,
    /// 千瓦时
    KilowattHour,
    /// 个 (firms, projects, patents, ...)
    Count,
}

impl BaseUnit {
    pub fn symbol_zh(self) -> &'static str {
        match self {
            BaseUnit::Yuan => "元",
            BaseUnit::Person => "人",
            BaseUnit::TonneCoalEquivalent => "吨标准煤",
            BaseUnit::KilowattHour => "千瓦时",
            BaseUnit::Count => "个",
        }
    }

    pub fn symbol_en(self) -> &'static str {
        match self {
            BaseUnit::Yuan => "yuan",
            BaseUnit::Person => "persons",
            BaseUnit::TonneCoalEquivalent => "tce",
            BaseUnit::KilowattHour => "kWh",
            BaseUnit::Count => "count",
        }
    }

    /// The largest value (hundredths) one enterprise may report for a month unless the catalogue says otherwise.
    pub fn default_max_per_month(self) -> i64 {
        Unit::from(self).default_max_per_month()
    }
}

impl From<BaseUnit> for Unit {
    fn from(unit: BaseUnit) -> Unit {
        match unit {
            BaseUnit::Yuan => Unit::Yuan,
            BaseUnit::Person => Unit::Person,
            BaseUnit::TonneCoalEquivalent => Unit::TonneCoalEquivalent,
            BaseUnit::KilowattHour => Unit::KilowattHour,
            BaseUnit::Count => Unit::Count,
        }
    }
}

impl From<Unit> for BaseUnit {
    fn from(unit: Unit) -> BaseUnit {
        match unit {
            Unit::Yuan => BaseUnit::Yuan,
            Unit::Person => BaseUnit::Person,
            Unit::TonneCoalEquivalent => BaseUnit::TonneCoalEquivalent,
            Unit::KilowattHour => BaseUnit::KilowattHour,
            Unit::Count => BaseUnit::Count,
        }
    }
}

/// How monthly values of an indicator combine over several months: flows add up, stocks take the latest month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Last,
}

/// One indicator of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorDef {
    /// Stable code, e.g. `added_value`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub base_unit: BaseUnit,
    pub aggregation: Aggregation,
    /// False for quantities that cannot be negative (headcount, energy use); profit may be.
    pub allow_negative: bool,
    /// Further names a spreadsheet may use.
    pub aliases: Vec<String>,
    /// The largest value (hundredths of the base unit) one enterprise may report for one month; a larger one, or
    /// a smaller negative one, is refused as a row error naming the limit.
    #[serde(default = "no_maximum")]
    pub max_per_month: i64,
    /// An archived indicator is still recognised by its names, so that its values are refused by name rather
    /// than as an unknown indicator.
    #[serde(default)]
    pub archived: bool,
}

fn no_maximum() -> i64 {
    i64::MAX
}

impl From<&Indicator> for IndicatorDef {
    /// The parser's view of a stored indicator.
    fn from(i: &Indicator) -> IndicatorDef {
        use chainpark_core::figures::Aggregation as StoredAggregation;
        IndicatorDef {
            code: i.code.clone(),
            name_zh: i.name_zh.clone(),
            // The parser wants every name non-empty; an indicator added without an English name goes by its code.
            name_en: if i.name_en.is_empty() {
                i.code.clone()
            } else {
                i.name_en.clone()
            },
            base_unit: BaseUnit::from(i.unit),
            aggregation: match i.aggregation {
                StoredAggregation::Sum => Aggregation::Sum,
                StoredAggregation::Last => Aggregation::Last,
            },
            allow_negative: i.allow_negative,
            aliases: i.aliases.clone(),
            max_per_month: i.max_per_month_in_force,
            archived: i.archived,
        }
    }
}

impl IndicatorDef {
    fn new(
        code: &str,
        name_zh: &str,
        name_en: &str,
        base_unit: BaseUnit,
        aggregation: Aggregation,
        allow_negative: bool,
        aliases: &[&str],
    ) -> Self {
        IndicatorDef {
            code: code.into(),
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            base_unit,
            aggregation,
            allow_negative,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            max_per_month: base_unit.default_max_per_month(),
            archived: false,
        }
    }

    /// Its code, names and aliases: each must mean this indicator only.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [
            self.code.as_str(),
            self.name_zh.as_str(),
            self.name_en.as_str(),
        ]
        .into_iter()
        .chain(self.aliases.iter().map(String::as_str))
    }
}

/// The monthly enterprise indicators of DOMAIN.md §3, with the names statistics offices and firms use for them.
pub fn default_catalogue() -> Vec<IndicatorDef> {
    use Aggregation::*;
    use BaseUnit::*;
    vec![
        IndicatorDef::new(
            "added_value",
            "增加值",
            "Added value",
            Yuan,
            Sum,
            true,
            &["工业增加值", "value added", "industrial added value"],
        ),
        IndicatorDef::new(
            "gross_output",
            "工业总产值",
            "Gross output",
            Yuan,
            Sum,
            true,
            &[
                "总产值",
                "gross output value",
                "gross industrial output",
                "output value",
            ],
        ),
        IndicatorDef::new(
            "operating_revenue",
            "营业收入",
            "Operating revenue",
            Yuan,
            Sum,
            true,
            &["营收", "revenue", "operating income"],
        ),
        IndicatorDef::new(
            "profit",
            "利润总额",
            "Total profit",
            Yuan,
            Sum,
            true,
            &["利润", "profit total", "profits"],
        ),
        IndicatorDef::new(
            "tax",
            "税金",
            "Tax",
            Yuan,
            Sum,
            true,
            &[
                "税收",
                "实缴税金",
                "税金总额",
                "纳税额",
                "taxes",
                "tax paid",
                "taxes paid",
            ],
        ),
        IndicatorDef::new(
            "employees",
            "从业人员",
            "Employees",
            Person,
            Last,
            false,
            &[
                "从业人员期末人数",
                "从业人数",
                "从业人员数",
                "期末从业人员",
                "用工人数",
                "number of employees",
                "headcount",
            ],
        ),
        IndicatorDef::new(
            "rd_spending",
            "研发经费",
            "R&D spending",
            Yuan,
            Sum,
            true,
            &[
                "R&D经费",
                "研发投入",
                "研发费用",
                "研究与试验发展经费",
                "R&D expenditure",
                "research and development spending",
            ],
        ),
        IndicatorDef::new(
            "fixed_asset_investment",
            "固定资产投资",
            "Fixed-asset investment",
            Yuan,
            Sum,
            true,
            &["固投", "固定资产投资额", "fixed asset investment"],
        ),
        IndicatorDef::new(
            "energy_use",
            "综合能源消费量",
            "Energy use",
            TonneCoalEquivalent,
            Sum,
            false,
            &[
                "综合能耗",
                "能源消费量",
                "能耗",
                "energy consumption",
                "comprehensive energy consumption",
            ],
        ),
    ]
}

/// Position of an indicator in its [`Catalogue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IndicatorId(u16);

impl IndicatorId {
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// Why a list of indicator definitions cannot be a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("a catalogue holds at most {max} indicators")]
    TooMany { max: usize },
    #[error("indicator '{code}' has an empty name or alias")]
    EmptyName { code: String },
    #[error("the name '{name}' would mean both '{first}' and '{second}'")]
    AmbiguousName {
        name: String,
        first: String,
        second: String,
    },
}

/// The form of a name that the parser matches: case, width, spacing, punctuation and bracketed qualifiers such as
/// "（万元）" folded away, so `营业收入（万元）` and `operating_revenue` compare as written in a catalogue. Two
/// indicators whose names have equal keys would make a file ambiguous.
pub fn name_key(name: &str) -> String {
    key(&split_label(name).name)
}

/// A checked list of indicators with the folded-name index the parser matches against.
#[derive(Debug, Clone)]
pub struct Catalogue {
    defs: Vec<IndicatorDef>,
    by_key: FxHashMap<String, IndicatorId>,
}

/// Indicator ids are packed into 15 bits of the repeated-row key.
const MAX_INDICATORS: usize = 1 << 15;

impl Catalogue {
    pub fn new(defs: Vec<IndicatorDef>) -> Result<Catalogue, CatalogueError> {
        if defs.len() > MAX_INDICATORS {
            return Err(CatalogueError::TooMany {
                max: MAX_INDICATORS,
            });
        }
        let mut by_key: FxHashMap<String, IndicatorId> = FxHashMap::default();
        for (i, def) in defs.iter().enumerate() {
            let id = IndicatorId(i as u16);
            for name in def.names() {
                let k = name_key(name);
                if k.is_empty() {
                    return Err(CatalogueError::EmptyName {
                        code: def.code.clone(),
                    });
                }
                match by_key.get(&k) {
                    Some(&other) if other != id => {
                        return Err(CatalogueError::AmbiguousName {
                            name: name.to_string(),
                            first: defs[other.index()].code.clone(),
                            second: def.code.clone(),
                        });
                    }
                    _ => {
                        by_key.insert(k, id);
                    }
                }
            }
        }
        Ok(Catalogue { defs, by_key })
    }

    /// The catalogue of the stored indicators, in their order (archived ones included, to be refused by name).
    pub fn from_indicators(indicators: &[Indicator]) -> Result<Catalogue, CatalogueError> {
        Catalogue::new(indicators.iter().map(IndicatorDef::from).collect())
    }

    pub fn get(&self, id: IndicatorId) -> &IndicatorDef {
        &self.defs[id.index()]
    }

    pub fn defs(&self) -> &[IndicatorDef] {
        &self.defs
    }

    /// The indicator with this exact code.
    pub fn by_code(&self, code: &str) -> Option<IndicatorId> {
        self.defs
            .iter()
            .position(|d| d.code == code)
            .map(|i| IndicatorId(i as u16))
    }

    /// The indicator a name means, after folding; bracketed qualifiers must already be removed.
    pub fn find(&self, name: &str) -> Option<IndicatorId> {
        self.find_key(&key(name))
    }

    pub(crate) fn find_key(&self, key: &str) -> Option<IndicatorId> {
        self.by_key.get(key).copied()
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::new(default_catalogue()).expect("the default catalogue has no ambiguous names")
    }
}

impl fmt::Display for IndicatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_names_match_in_any_language_case_and_spacing() {
        let catalogue = Catalogue::default();
        let revenue = catalogue
            .by_code("operating_revenue")
            .expect("in catalogue");
        for name in [
            "营业收入",
            "Operating Revenue",
            "operating_revenue",
            "OPERATING  REVENUE",
            "营收",
        ] {
            assert_eq!(catalogue.find(name), Some(revenue), "{name}");
        }
        let rd = catalogue.by_code("rd_spending").expect("in catalogue");
        assert_eq!(catalogue.find("R&D经费"), Some(rd));
        assert_eq!(catalogue.find("Ｒ＆Ｄ经费"), Some(rd));
    }

    #[test]
    fn employees_are_a_non_negative_stock_counted_in_persons() {
        let catalogue = Catalogue::default();
        let def = catalogue.get(catalogue.find("从业人员期末人数").expect("alias"));
        assert_eq!(def.code, "employees");
        assert_eq!(def.base_unit, BaseUnit::Person);
        assert_eq!(def.aggregation, Aggregation::Last);
        assert!(!def.allow_negative);
    }

    #[test]
    fn a_name_shared_by_two_indicators_is_refused() {
        let mut defs = default_catalogue();
        defs[1].aliases.push("增加值".into());
        let err = Catalogue::new(defs).unwrap_err();
        assert!(matches!(err, CatalogueError::AmbiguousName { .. }), "{err}");
    }
}
