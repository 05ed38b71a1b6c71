//! An evaluation scheme as data: which firms are evaluated in which population, on which indicators with which
//! weights, benchmarks and caps, how missing data scores, how classes are given (quotas by rank or score
//! thresholds), who is exempt (class T) and the policy each class brings. Schemes are stored as this document, in
//! versions: a version a run has used is never changed (the store makes the next version instead). Two presets ship:
//! Chongqing's four core indicators and a Zhejiang-style six-indicator scheme.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Exact;
use crate::error::{Invalid, Violations};

/// The rules of one scheme version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchemeBody {
    /// Floor space ÷ plot ratio = land: leased space is evaluated as this much land. Hundredths (120 = 1.2).
    pub plot_ratio_centi: i64,
    /// Firms are tried against the populations in order; a firm belongs to the first it matches, and is not
    /// evaluated when it matches none.
    pub populations: Vec<Population>,
    /// Firms founded less than this many years before the year's end are class T.
    #[serde(default)]
    pub exempt_founded_within_years: Option<u32>,
    /// Firms listed by credit code are class T, with the reason shown.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// The policy each class brings (land, power, water and gas pricing priority), as the admin words it.
    #[serde(default)]
    pub policies: Vec<ClassPolicy>,
}

/// A group of firms evaluated and ranked together (规上工业, 规下工业 on ≥ 3 mu, leased firms, services...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Population {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub members: Membership,
    pub indicators: Vec<IndicatorRule>,
    pub classing: Classing,
}

/// Which firms a population takes. Every condition given must hold; a firm without evaluated area is never taken.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    /// Above-size firms only (`true`), below-size only (`false`), or both.
    #[serde(default)]
    pub above_size: Option<bool>,
    #[serde(default)]
    pub sector: Sector,
    #[serde(default)]
    pub land: LandRule,
    /// The least evaluated area, hundredths of a mu (300 = 3 mu).
    #[serde(default)]
    pub min_area_centi_mu: i64,
}

/// Industry (GB/T 4754 divisions 06–46: mining, manufacturing, utilities) or services (every other division).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    #[default]
    Any,
    Industry,
    Services,
}

impl Sector {
    /// Whether an enterprise of this GB/T 4754 code (`C3670`, `3670`, `36`) is of the sector.
    pub fn admits(self, industry_code: &str) -> bool {
        let digits: String = industry_code
            .chars()
            .filter(char::is_ascii_digit)
            .take(2)
            .collect();
        let industrial = digits
            .parse::<u32>()
            .is_ok_and(|division| (6..=46).contains(&division));
        match self {
            Sector::Any => true,
            Sector::Industry => industrial,
            Sector::Services => !industrial,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LandRule {
    #[default]
    Any,
    /// Firms that hold land.
    HoldsLand,
    /// Firms evaluated on leased space only.
    LeasesOnly,
}

/// One indicator of a population: a stored indicator per mu, per person, per tonne of coal equivalent, or as a
/// ratio of another indicator; its weight, benchmark, cap and the score of a missing value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The stored indicator's code (`tax`, `added_value`, ...): the year's total.
    pub numerator: String,
    pub per: Per,
    /// Points at value = benchmark.
    pub weight: i64,
    pub benchmark: Benchmark,
    /// Points are at most this many percent of the weight (e.g. 150); no cap when absent.
    #[serde(default)]
    pub cap_percent: Option<i64>,
    #[serde(default)]
    pub missing: Missing,
}

/// What a value is divided by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "indicator")]
pub enum Per {
    /// The evaluated area: yuan per mu.
    Mu,
    /// The year-end employees (`employees`): yuan per person.
    Person,
    /// The year's energy use (`energy_use`): yuan per tonne of coal equivalent.
    Tce,
    /// Another stored indicator's year total: a ratio such as R&D spending ÷ revenue.
    Indicator(String),
}

impl Per {
    /// The stored indicator the value is divided by, if any (the area is not an indicator).
    pub fn denominator(&self) -> Option<&str> {
        match self {
            Per::Mu => None,
            Per::Person => Some("employees"),
            Per::Tce => Some("energy_use"),
            Per::Indicator(code) => Some(code),
        }
    }
}

/// The value at which an indicator gives its weight in points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Benchmark {
    /// A fixed value in the value's unit (yuan per mu, yuan per person, yuan per tce, or a plain ratio).
    Fixed { value: String },
    /// `factor_percent` % of the population's average (Σ numerators ÷ Σ denominators of its graded firms) of this
    /// year or of last year (`last_year`).
    Average {
        factor_percent: i64,
        #[serde(default)]
        last_year: bool,
    },
}

/// How a firm without a value for an indicator (no figure, or nothing to divide by) scores on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    #[default]
    Zero,
    /// The average points of the population's graded firms that have the value.
    PopulationAverage,
}

/// How classes are given to a population's graded firms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Classing {
    /// By rank: the top `a_percent` % are A, down to `b_percent` % B, down to `c_percent` % C, the rest D. Each
    /// boundary is that share of the graded firms, rounded half up; firms with equal scores share a rank and class.
    Quotas {
        a_percent: i64,
        b_percent: i64,
        c_percent: i64,
    },
    /// By score: at least `a` points A, at least `b` B, at least `c` C, below D (decimals allowed).
    Thresholds { a: String, b: String, c: String },
}

/// A listed exemption: the firm is class T for the reason given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Exemption {
    pub credit_code: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClassPolicy {
    /// `A`, `B`, `C`, `D` or `T`.
    pub class: String,
    pub text_zh: String,
    #[serde(default)]
    pub text_en: String,
}

/// The classes a firm can get.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum Class {
    A,
    B,
    C,
    D,
    /// Not graded: new or exempt.
    T,
}

impl Class {
    pub const ALL: [Class; 5] = [Class::A, Class::B, Class::C, Class::D, Class::T];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
            Class::T => "T",
        }
    }

    pub fn parse(text: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// A scheme as a user sends it (the admin's copy-and-edit form): its name, year and rules.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SchemeInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub year: i32,
    pub body: SchemeBody,
}

/// A checked scheme, ready to be stored as a new scheme or a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeDraft {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub year: i32,
    pub body: SchemeBody,
}

impl SchemeInput {
    /// Checks every rule of the scheme; `known_indicators` are the stored indicators' codes.
    pub fn parse(self, known_indicators: &[&str]) -> Result<SchemeDraft, Invalid> {
        let mut v = Violations::default();
        let code = self.code.trim().to_string();
        if code.is_empty()
            || code.len() > 40
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            v.add(
                "code",
                "must be 1 to 40 letters, digits, '-' or '_' characters",
            );
        }
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            v.add("name", "must have 1 to 100 characters");
        }
        if !(2000..=2100).contains(&self.year) {
            v.add("year", "must be between 2000 and 2100");
        }
        check_body(&mut v, &self.body, known_indicators);
        v.finish(SchemeDraft {
            code,
            name,
            name_en: self.name_en.trim().to_string(),
            year: self.year,
            body: self.body,
        })
    }
}

fn check_body(v: &mut Violations, body: &SchemeBody, known: &[&str]) {
    if !(10..=1000).contains(&body.plot_ratio_centi) {
        v.add(
            "body.plot_ratio_centi",
            "must be between 10 and 1000 (0.1 to 10)",
        );
    }
    if body.populations.is_empty() {
        v.add("body.populations", "must list at least one population");
    }
    let mut codes = std::collections::HashSet::new();
    for (i, p) in body.populations.iter().enumerate() {
        let at = format!("body.populations[{i}]");
        if p.code.trim().is_empty() || !codes.insert(p.code.as_str()) {
            v.add(&format!("{at}.code"), "must be set and unique");
        }
        if p.indicators.is_empty() {
            v.add(
                &format!("{at}.indicators"),
                "must list at least one indicator",
            );
        }
        if p.members.min_area_centi_mu < 0 {
            v.add(
                &format!("{at}.members.min_area_centi_mu"),
                "must not be negative",
            );
        }
        let mut item_codes = std::collections::HashSet::new();
        for (j, r) in p.indicators.iter().enumerate() {
            let at = format!("{at}.indicators[{j}]");
            if r.code.trim().is_empty() || !item_codes.insert(r.code.as_str()) {
                v.add(&format!("{at}.code"), "must be set and unique");
            }
            if !known.contains(&r.numerator.as_str()) {
                v.add(
                    &format!("{at}.numerator"),
                    format!("{:?} is not a stored indicator", r.numerator),
                );
            }
            if let Some(d) = r.per.denominator()
                && !known.contains(&d)
            {
                v.add(
                    &format!("{at}.per"),
                    format!("{d:?} is not a stored indicator"),
                );
            }
            if !(1..=1000).contains(&r.weight) {
                v.add(&format!("{at}.weight"), "must be between 1 and 1000");
            }
            match &r.benchmark {
                Benchmark::Fixed { value } => {
                    if Exact::parse_decimal(value).is_none_or(|x| x <= Exact::integer(0)) {
                        v.add(
                            &format!("{at}.benchmark.value"),
                            "must be a positive decimal number",
                        );
                    }
                }
                Benchmark::Average { factor_percent, .. } => {
                    if !(1..=1000).contains(factor_percent) {
                        v.add(
                            &format!("{at}.benchmark.factor_percent"),
                            "must be between 1 and 1000",
                        );
                    }
                }
            }
            if r.cap_percent.is_some_and(|c| !(100..=1000).contains(&c)) {
                v.add(&format!("{at}.cap_percent"), "must be between 100 and 1000");
            }
        }
        match &p.classing {
            Classing::Quotas {
                a_percent,
                b_percent,
                c_percent,
            } => {
                if !(0 <= *a_percent
                    && a_percent <= b_percent
                    && b_percent <= c_percent
                    && *c_percent <= 100)
                {
                    v.add(
                        &format!("{at}.classing"),
                        "quotas must rise: 0 ≤ A ≤ B ≤ C ≤ 100 (cumulative percent)",
                    );
                }
            }
            Classing::Thresholds { a, b, c } => {
                let parsed: Vec<Option<Exact>> =
                    [a, b, c].iter().map(|t| Exact::parse_decimal(t)).collect();
                match parsed.as_slice() {
                    [Some(a), Some(b), Some(c)] if a >= b && b >= c => {}
                    _ => v.add(
                        &format!("{at}.classing"),
                        "thresholds must be numbers with A ≥ B ≥ C",
                    ),
                }
            }
        }
    }
    for (i, e) in body.exemptions.iter().enumerate() {
        if e.credit_code.trim().is_empty() || e.reason.trim().is_empty() {
            v.add(
                &format!("body.exemptions[{i}]"),
                "needs a credit code and a reason",
            );
        }
    }
    for (i, p) in body.policies.iter().enumerate() {
        if Class::parse(&p.class).is_none() {
            v.add(
                &format!("body.policies[{i}].class"),
                "must be A, B, C, D or T",
            );
        }
    }
}

fn rule(
    code: &str,
    names: (&str, &str),
    numerator: &str,
    per: Per,
    weight: i64,
    benchmark: Benchmark,
) -> IndicatorRule {
    IndicatorRule {
        code: code.into(),
        name_zh: names.0.into(),
        name_en: names.1.into(),
        numerator: numerator.into(),
        per,
        weight,
        benchmark,
        cap_percent: Some(150),
        missing: Missing::Zero,
    }
}

fn average(factor_percent: i64) -> Benchmark {
    Benchmark::Average {
        factor_percent,
        last_year: false,
    }
}

fn quotas() -> Classing {
    Classing::Quotas {
        a_percent: 20,
        b_percent: 60,
        c_percent: 95,
    }
}

fn policies() -> Vec<ClassPolicy> {
    let p = |class: &str, zh: &str, en: &str| ClassPolicy {
        class: class.into(),
        text_zh: zh.into(),
        text_en: en.into(),
    };
    vec![
        p(
            "A",
            "优先保障用地、用能、用水、用气；可享受差别化价格优惠。",
            "First call on land, energy, water and gas; differentiated price discounts.",
        ),
        p(
            "B",
            "正常保障要素供给。",
            "Factors of production supplied as usual.",
        ),
        p(
            "C",
            "纳入提升计划；用能指标适当压减。",
            "Enters the improvement programme; energy quota reduced.",
        ),
        p(
            "D",
            "纳入“五个一批”整治提升；执行差别化电价（加价），限制新增用地。",
            "Enters the improvement programme (五个一批); surcharged power price, no new land.",
        ),
        p(
            "T",
            "暂不评价，按 B 类保障。",
            "Not graded this year; supplied as class B.",
        ),
    ]
}

/// Chongqing's four core indicators (渝府办发〔2023〕72号): added value per mu, tax per mu, added value per tce and
/// R&D intensity, each against the population's average of the year; A top 20 %, B to 60 %, C to 95 %, D the rest.
pub fn chongqing_preset() -> SchemeDraft {
    let four = || {
        vec![
            rule(
                "added_value_per_mu",
                ("亩均增加值", "Added value per mu"),
                "added_value",
                Per::Mu,
                30,
                average(100),
            ),
            rule(
                "tax_per_mu",
                ("亩均税收", "Tax per mu"),
                "tax",
                Per::Mu,
                30,
                average(100),
            ),
            rule(
                "added_value_per_tce",
                ("单位能耗增加值", "Added value per tce"),
                "added_value",
                Per::Tce,
                20,
                average(100),
            ),
            rule(
                "rd_intensity",
                ("研发投入强度", "R&D intensity"),
                "rd_spending",
                Per::Indicator("operating_revenue".into()),
                20,
                average(100),
            ),
        ]
    };
    SchemeDraft {
        code: "cq-core4".into(),
        name: "重庆亩均效益评价（四项核心指标）".into(),
        name_en: "Chongqing per-mu evaluation (four core indicators)".into(),
        year: 2022,
        body: SchemeBody {
            plot_ratio_centi: 120,
            populations: vec![
                Population {
                    code: "industry_above".into(),
                    name_zh: "规上工业企业".into(),
                    name_en: "Above-size industrial firms".into(),
                    members: Membership {
                        above_size: Some(true),
                        sector: Sector::Industry,
                        ..Membership::default()
                    },
                    indicators: four(),
                    classing: quotas(),
                },
                Population {
                    code: "industry_below".into(),
                    name_zh: "规下工业企业（用地 3 亩以上）".into(),
                    name_en: "Below-size industrial firms on 3 mu or more".into(),
                    members: Membership {
                        above_size: Some(false),
                        sector: Sector::Industry,
                        min_area_centi_mu: 300,
                        ..Membership::default()
                    },
                    indicators: vec![rule(
                        "tax_per_mu",
                        ("亩均税收", "Tax per mu"),
                        "tax",
                        Per::Mu,
                        100,
                        average(100),
                    )],
                    classing: quotas(),
                },
            ],
            exempt_founded_within_years: Some(2),
            exemptions: Vec::new(),
            policies: policies(),
        },
    }
}

/// A Zhejiang-style six-indicator scheme (one county's weights): tax per mu 30, added value per mu 20, added value
/// per tce 20, revenue per mu 10 (standing in for added value per unit of emissions, which chainpark does not
/// keep), labour productivity 10, R&D intensity 10; each benchmark is the population's average of the year before
/// (the benchmark is reset every year); a missing figure scores the population's average points.
pub fn zhejiang_preset() -> SchemeDraft {
    let mut six = vec![
        rule(
            "tax_per_mu",
            ("亩均税收", "Tax per mu"),
            "tax",
            Per::Mu,
            30,
            average(100),
        ),
        rule(
            "added_value_per_mu",
            ("亩均增加值", "Added value per mu"),
            "added_value",
            Per::Mu,
            20,
            average(100),
        ),
        rule(
            "added_value_per_tce",
            ("单位能耗增加值", "Added value per tce"),
            "added_value",
            Per::Tce,
            20,
            average(100),
        ),
        rule(
            "revenue_per_mu",
            ("亩均营业收入", "Revenue per mu"),
            "operating_revenue",
            Per::Mu,
            10,
            average(100),
        ),
        rule(
            "labour_productivity",
            ("全员劳动生产率", "Labour productivity"),
            "added_value",
            Per::Person,
            10,
            average(100),
        ),
        rule(
            "rd_intensity",
            ("研发经费支出占营业收入比重", "R&D spending ÷ revenue"),
            "rd_spending",
            Per::Indicator("operating_revenue".into()),
            10,
            average(100),
        ),
    ];
    for r in &mut six {
        r.missing = Missing::PopulationAverage;
        r.benchmark = Benchmark::Average {
            factor_percent: 100,
            last_year: true,
        };
    }
    SchemeDraft {
        code: "zj-six".into(),
        name: "浙江式亩均效益综合评价（六项指标）".into(),
        name_en: "Zhejiang-style per-mu evaluation (six indicators)".into(),
        year: 2022,
        body: SchemeBody {
            plot_ratio_centi: 150,
            populations: vec![
                Population {
                    code: "above_size".into(),
                    name_zh: "规上企业".into(),
                    name_en: "Above-size firms".into(),
                    members: Membership {
                        above_size: Some(true),
                        ..Membership::default()
                    },
                    indicators: six,
                    classing: Classing::Quotas {
                        a_percent: 25,
                        b_percent: 65,
                        c_percent: 95,
                    },
                },
                Population {
                    code: "below_size".into(),
                    name_zh: "规下企业（用地 3 亩以上）".into(),
                    name_en: "Below-size firms on 3 mu or more".into(),
                    members: Membership {
                        above_size: Some(false),
                        min_area_centi_mu: 300,
                        ..Membership::default()
                    },
                    indicators: vec![rule(
                        "tax_per_mu",
                        ("亩均税收", "Tax per mu"),
                        "tax",
                        Per::Mu,
                        100,
                        average(100),
                    )],
                    classing: Classing::Quotas {
                        a_percent: 25,
                        b_percent: 65,
                        c_percent: 95,
                    },
                },
            ],
            exempt_founded_within_years: Some(2),
            exemptions: Vec::new(),
            policies: policies(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 6] = [
        "added_value",
        "tax",
        "energy_use",
        "rd_spending",
        "operating_revenue",
        "employees",
    ];

    fn input(draft: SchemeDraft) -> SchemeInput {
        SchemeInput {
            code: draft.code,
            name: draft.name,
            name_en: draft.name_en,
            year: draft.year,
            body: draft.body,
        }
    }

    #[test]
    fn both_presets_pass_the_scheme_checks() {
        for preset in [chongqing_preset(), zhejiang_preset()] {
            assert_eq!(input(preset.clone()).parse(&KNOWN), Ok(preset));
        }
        assert_eq!(chongqing_preset().body.populations[0].indicators.len(), 4);
        assert_eq!(zhejiang_preset().body.populations[0].indicators.len(), 6);
    }

    #[test]
    fn a_scheme_naming_an_unknown_indicator_or_falling_quotas_is_refused_by_field() {
        let mut draft = chongqing_preset();
        draft.body.populations[0].indicators[1].numerator = "profit_tax".into();
        draft.body.populations[1].classing = Classing::Quotas {
            a_percent: 50,
            b_percent: 40,
            c_percent: 95,
        };
        let fields: Vec<String> = input(draft)
            .parse(&KNOWN)
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "body.populations[0].indicators[1].numerator",
                "body.populations[1].classing"
            ]
        );
    }

    #[test]
    fn industry_is_divisions_06_to_46() {
        assert!(Sector::Industry.admits("C3670"));
        assert!(Sector::Industry.admits("4411"));
        assert!(!Sector::Industry.admits("6513"));
        assert!(Sector::Services.admits("I6513"));
    }
}
