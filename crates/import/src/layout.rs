//! Reading the header row: which column is the credit code, the period, the indicator, the value, and so which of
//! the three layouts the file has. Headers are matched after folding (Chinese or English, any case, spacing, bracket
//! width), and units in brackets (`增加值（万元）`, `2021-01 (万元)`) are taken from them here, once per file.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, IndicatorId};
use crate::error::ImportError;
use crate::normalise::{column_letter, key, split_label};
use crate::period::{PeriodError, YearMonth};
use crate::report::{Problem, shorten};
use crate::unit::{Unit, parse_unit};

/// How a file arranges its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per enterprise × month × indicator: credit code, [name], period, indicator, value, [unit].
    Long,
    /// One row per enterprise × indicator, one column per month: credit code, indicator, 2021-01, 2021-02, ...
    WideByMonth,
    /// One row per enterprise × month, one column per indicator: credit code, period, 增加值(万元), 营业收入, ...
    WideByIndicator,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::Long, Layout::WideByMonth, Layout::WideByIndicator];

    pub fn name_zh(self) -> &'static str {
        match self {
            Layout::Long => "长表（每行一个指标值）",
            Layout::WideByMonth => "宽表（每月一列）",
            Layout::WideByIndicator => "宽表（每个指标一列）",
        }
    }
}

/// One header cell; `month` is set when an XLSX header cell is a date.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderCell {
    pub text: String,
    pub month: Option<YearMonth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    CreditCode,
    Name,
    Period,
    Indicator,
    Value,
    Unit,
    Ignored,
}

impl Role {
    fn describe(self) -> &'static str {
        match self {
            Role::CreditCode => "credit code (统一社会信用代码)",
            Role::Name => "enterprise name (企业名称)",
            Role::Period => "period (期间)",
            Role::Indicator => "indicator (指标)",
            Role::Value => "value (数值)",
            Role::Unit => "unit (单位)",
            Role::Ignored => "ignored",
        }
    }
}

fn role(key: &str) -> Option<Role> {
    Some(match key {
        "统一社会信用代码"
        | "社会信用代码"
        | "信用代码"
        | "统一信用代码"
        | "统一代码"
        | "企业信用代码"
        | "社会统一信用代码"
        | "统一社会信用代码证号"
        | "creditcode"
        | "uscc"
        | "unifiedsocialcreditcode"
        | "socialcreditcode"
        | "unifiedcreditcode" => Role::CreditCode,
        "企业名称" | "单位名称" | "企业" | "名称" | "单位详细名称" | "企业全称" | "公司名称"
        | "enterprise" | "enterprisename" | "company" | "companyname" | "name" | "firm"
        | "firmname" => Role::Name,
        "期间" | "月份" | "报告期" | "统计期" | "统计月份" | "统计期间" | "时间" | "日期"
        | "年月" | "所属期" | "数据期" | "报表期" | "period" | "month" | "yearmonth" | "date"
        | "reportingperiod" | "reportperiod" => Role::Period,
        "指标" | "指标名称" | "指标名" | "统计指标" | "指标项" | "indicator" | "indicatorname"
        | "metric" | "measure" | "item" => Role::Indicator,
        "数值" | "值" | "本月" | "本月数" | "本月值" | "当月" | "当月值" | "当月数" | "本期"
        | "本期数" | "本期值" | "金额" | "数据" | "数量" | "value" | "amount" | "monthvalue" => {
            Role::Value
        }
        "单位" | "计量单位" | "unit" | "units" | "measureunit" => Role::Unit,
        "序号" | "编号" | "no" | "#" | "行号" | "index" | "行业" | "行业代码" | "行业名称"
        | "所属行业" | "industry" | "industrycode" | "园区" | "所属园区" | "park" | "产业链"
        | "chain" | "备注" | "说明" | "remark" | "remarks" | "note" | "notes" | "comment"
        | "地址" | "address" | "区县" | "所属区县" | "地区" | "region" | "district" | "联系人"
        | "contact" | "电话" | "联系电话" | "phone" | "合计" | "总计" | "小计" | "total"
        | "sum" | "subtotal" | "累计" => Role::Ignored,
        _ => return None,
    })
}

/// Whether a header row's cells include a credit-code column; used to find the header among title rows.
pub(crate) fn is_header_row(cells: &[HeaderCell]) -> bool {
    cells
        .iter()
        .any(|c| role(&key(&split_label(&c.text).name)) == Some(Role::CreditCode))
}

/// A column's name for error reports: its header text and its spreadsheet letter.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub letter: String,
}

#[derive(Debug, Clone)]
pub(crate) struct MonthColumn {
    pub index: usize,
    pub month: YearMonth,
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone)]
pub(crate) struct IndicatorColumn {
    pub index: usize,
    pub indicator: IndicatorId,
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone)]
pub(crate) enum Plan {
    Long {
        period: usize,
        indicator: usize,
        value: usize,
        value_unit: Option<Unit>,
    },
    WideByMonth {
        indicator: usize,
        months: Vec<MonthColumn>,
    },
    WideByIndicator {
        period: usize,
        indicators: Vec<IndicatorColumn>,
    },
}

/// A problem of one header cell; reported like a row error on the header line, and the column is skipped.
#[derive(Debug, Clone)]
pub(crate) struct HeaderProblem {
    pub column: usize,
    pub problem: Problem,
    pub reason: String,
    pub reason_zh: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub layout: Layout,
    pub plan: Plan,
    pub credit_code: usize,
    pub unit: Option<usize>,
    pub columns: Vec<Column>,
    /// Per header column: whether its cells are read (false for names, ignored and blank columns).
    pub checked: Vec<bool>,
    pub problems: Vec<HeaderProblem>,
}

impl Header {
    /// Whether cells of this column are read; columns beyond the header are (they hold stray data).
    pub fn is_checked(&self, index: usize) -> bool {
        self.checked.get(index).copied().unwrap_or(true)
    }

    /// The column's report name; columns beyond the header are named by letter only.
    pub fn column(&self, index: usize) -> Column {
        self.columns.get(index).cloned().unwrap_or_else(|| Column {
            name: column_letter(index),
            letter: column_letter(index),
        })
    }
}

/// What a header cell turned out to be.
enum Kind {
    Blank,
    Role(Role, Option<Unit>),
    Month(Result<YearMonth, PeriodError>, Option<Unit>),
    Indicator(IndicatorId, Option<Unit>),
    /// A known month or indicator whose bracketed qualifier is neither a unit nor harmless.
    BadQualifier(String),
    /// A cumulative (累计) column where monthly values are expected.
    Cumulative,
    Unknown,
}

/// Qualifiers that add nothing: the value is the month's own.
fn is_monthly_marker(k: &str) -> bool {
    matches!(
        k,
        "本月"
            | "当月"
            | "月度"
            | "本期"
            | "monthly"
            | "month"
            | "currentmonth"
            | "现价"
            | "当年价"
    )
}

fn is_cumulative(k: &str) -> bool {
    k.contains("累计") || k.contains("cumulative") || k == "ytd" || k.contains("yeartodate")
}

fn classify(cell: &HeaderCell, catalogue: &Catalogue, scratch: &mut String) -> Kind {
    let label = split_label(&cell.text);
    let name_key = key(&label.name);
    if name_key.is_empty() && cell.month.is_none() {
        return if label.qualifiers.is_empty() {
            Kind::Blank
        } else {
            Kind::Unknown
        };
    }
    let mut unit = None;
    let mut bad_qualifier = None;
    let mut cumulative = is_cumulative(&name_key);
    for q in &label.qualifiers {
        let qk = key(q);
        if let Some(u) = parse_unit(q, scratch) {
            unit = Some(u);
        } else if is_cumulative(&qk) {
            cumulative = true;
        } else if !is_monthly_marker(&qk) && bad_qualifier.is_none() {
            bad_qualifier = Some(q.clone());
        }
    }
    if let Some(month) = cell.month {
        return Kind::Month(Ok(month), unit);
    }
    if let Some(r) = role(&name_key) {
        return Kind::Role(r, unit);
    }
    let month = YearMonth::parse(&label.name);
    let indicator = if month.is_ok() {
        None
    } else {
        let stripped = ["本月", "当月", "累计"]
            .iter()
            .find_map(|p| name_key.strip_prefix(p))
            .or_else(|| name_key.strip_suffix("累计"))
            .unwrap_or(&name_key);
        catalogue.find_key(stripped)
    };
    let known =
        month.is_ok() || indicator.is_some() || !matches!(month, Err(PeriodError::NotAMonth(_)));
    if known && cumulative {
        return Kind::Cumulative;
    }
    if let (true, Some(q)) = (known, bad_qualifier) {
        return Kind::BadQualifier(q);
    }
    match (month, indicator) {
        (Err(PeriodError::NotAMonth(_)), Some(id)) => Kind::Indicator(id, unit),
        (Err(PeriodError::NotAMonth(_)), None) => Kind::Unknown,
        (month, _) => Kind::Month(month, unit),
    }
}

/// Characters of a row or a column name quoted in a message.
const ROW_CHARS: usize = 200;
const NAME_CHARS: usize = 60;

/// A row's cells as a message quotes them: joined by commas, shortened.
pub(crate) fn describe_row(cells: &[HeaderCell]) -> String {
    let mut text = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&shorten(cell.text.trim(), ROW_CHARS));
        if text.len() > ROW_CHARS * 4 {
            break;
        }
    }
    shorten(&text, ROW_CHARS).into_owned()
}

/// Reads the header row. `line` is its line (CSV) or row (XLSX) number, for messages.
pub(crate) fn read_header(
    cells: &[HeaderCell],
    line: u64,
    catalogue: &Catalogue,
    latest_allowed: YearMonth,
) -> Result<Header, ImportError> {
    let mut scratch = String::new();
    let columns: Vec<Column> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| Column {
            name: if c.text.trim().is_empty() {
                column_letter(i)
            } else {
                c.text.trim().to_string()
            },
            letter: column_letter(i),
        })
        .collect();
    let kinds: Vec<Kind> = cells
        .iter()
        .map(|c| classify(c, catalogue, &mut scratch))
        .collect();

    let name_of = |i: usize| {
        format!(
            "{} ({})",
            columns[i].letter,
            shorten(&columns[i].name, NAME_CHARS)
        )
    };
    let mut roles: Vec<(Role, usize, Option<Unit>)> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        if let Kind::Role(r, unit) = kind {
            if *r == Role::Name || *r == Role::Ignored {
                continue;
            }
            if let Some(&(_, first, _)) = roles.iter().find(|(other, _, _)| other == r) {
                return Err(ImportError::DuplicateColumn {
                    line,
                    role: r.describe().to_string(),
                    first: name_of(first),
                    second: name_of(i),
                });
            }
            roles.push((*r, i, *unit));
        }
    }
    let find = |r: Role| {
        roles
            .iter()
            .find(|(other, _, _)| *other == r)
            .map(|&(_, i, u)| (i, u))
    };
    let credit_code =
        find(Role::CreditCode)
            .map(|(i, _)| i)
            .ok_or_else(|| ImportError::NoHeader {
                rows: 1,
                first_row: describe_row(cells),
            })?;
    let period = find(Role::Period);
    let indicator = find(Role::Indicator);
    let value = find(Role::Value);
    let unit = find(Role::Unit).map(|(i, _)| i);
    let month_count = kinds
        .iter()
        .filter(|k| matches!(k, Kind::Month(..)))
        .count();
    let indicator_count = kinds
        .iter()
        .filter(|k| matches!(k, Kind::Indicator(..)))
        .count();

    let layout = match (period, indicator, value) {
        (Some(_), Some(_), Some(_)) => Layout::Long,
        (None, Some(_), None) if month_count > 0 => Layout::WideByMonth,
        (Some(_), None, None) if indicator_count > 0 => Layout::WideByIndicator,
        _ => {
            let found = |x: Option<(usize, Option<Unit>)>| {
                x.map(|(i, _)| name_of(i)).unwrap_or_else(|| "none".into())
            };
            return Err(ImportError::UnknownLayout {
                line,
                detail: format!(
                    "found period column: {}, indicator column: {}, value column: {}, {month_count} month column(s), \
                     {indicator_count} indicator column(s); a file needs a credit-code column and either period + \
                     indicator + value columns (long), an indicator column + one column per month (wide by month), \
                     or a period column + one column per indicator (wide by indicator)",
                    found(period),
                    found(indicator),
                    found(value),
                ),
            });
        }
    };

    let mut problems = Vec::new();
    let mut months: Vec<MonthColumn> = Vec::new();
    let mut indicators: Vec<IndicatorColumn> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let text = shorten(&columns[i].name, NAME_CHARS);
        let mut problem = |problem, reason: String, reason_zh: String| {
            problems.push(HeaderProblem {
                column: i,
                problem,
                reason,
                reason_zh,
            });
        };
        match (kind, layout) {
            (Kind::Blank | Kind::Role(..), _) => {}
            (_, Layout::Long) => {}
            (Kind::Cumulative, _) => problem(
                Problem::CumulativeColumn,
                format!(
                    "column '{text}' holds cumulative (累计) values; give each month's own value"
                ),
                format!("“{text}”列是累计值，请填写当月值"),
            ),
            (Kind::BadQualifier(q), _) => problem(
                Problem::UnknownUnit,
                format!("column '{text}': '{q}' is not a known unit"),
                format!("“{text}”列：“{q}”不是可识别的单位"),
            ),
            (Kind::Month(Ok(month), unit), Layout::WideByMonth) => {
                if *month > latest_allowed {
                    problem(
                        Problem::FuturePeriod,
                        format!(
                            "column '{text}': period {month} is in the future (latest allowed {latest_allowed})"
                        ),
                        format!("“{text}”列：期间 {month} 在未来（最晚可填 {latest_allowed}）"),
                    );
                } else if let Some(first) = months.iter().find(|m| m.month == *month) {
                    return Err(ImportError::DuplicateColumn {
                        line,
                        role: format!("month {month}"),
                        first: name_of(first.index),
                        second: name_of(i),
                    });
                } else {
                    months.push(MonthColumn {
                        index: i,
                        month: *month,
                        unit: *unit,
                    });
                }
            }
            (Kind::Month(Err(e), _), Layout::WideByMonth) => problem(
                Problem::BadPeriod,
                format!("column '{text}': {e}"),
                format!("“{text}”列：期间无效（{e}）"),
            ),
            (Kind::Indicator(id, unit), Layout::WideByIndicator) => {
                let def = catalogue.get(*id);
                if unit.is_some_and(|u| !u.fits(def.base_unit)) {
                    problem(
                        Problem::UnitMismatch,
                        format!(
                            "column '{text}': the unit does not fit {} ({})",
                            def.code,
                            def.base_unit.symbol_en()
                        ),
                        format!(
                            "“{text}”列：单位与指标“{}”（{}）不符",
                            def.name_zh,
                            def.base_unit.symbol_zh()
                        ),
                    );
                } else if let Some(first) = indicators.iter().find(|c| c.indicator == *id) {
                    return Err(ImportError::DuplicateColumn {
                        line,
                        role: format!("indicator {}", def.code),
                        first: name_of(first.index),
                        second: name_of(i),
                    });
                } else {
                    indicators.push(IndicatorColumn {
                        index: i,
                        indicator: *id,
                        unit: *unit,
                    });
                }
            }
            (_, Layout::WideByMonth) => problem(
                Problem::UnknownColumn,
                format!(
                    "column '{text}' is neither a month (e.g. 2021-01) nor a known column; rename or delete it"
                ),
                format!("“{text}”列既不是月份（如 2021-01）也不是可识别的列，请改名或删除"),
            ),
            (_, Layout::WideByIndicator) => problem(
                Problem::UnknownIndicator,
                format!("column '{text}' is not a known indicator"),
                format!("“{text}”列不是可识别的指标"),
            ),
        }
    }

    let plan = match layout {
        Layout::Long => {
            let (value, value_unit) = value.unwrap_or_default();
            Plan::Long {
                period: period.map(|(i, _)| i).unwrap_or_default(),
                indicator: indicator.map(|(i, _)| i).unwrap_or_default(),
                value,
                value_unit,
            }
        }
        Layout::WideByMonth => Plan::WideByMonth {
            indicator: indicator.map(|(i, _)| i).unwrap_or_default(),
            months,
        },
        Layout::WideByIndicator => Plan::WideByIndicator {
            period: period.map(|(i, _)| i).unwrap_or_default(),
            indicators,
        },
    };
    let checked = kinds
        .iter()
        .map(|k| !matches!(k, Kind::Blank | Kind::Role(Role::Name | Role::Ignored, _)))
        .collect();
    Ok(Header {
        layout,
        plan,
        credit_code,
        unit,
        columns,
        checked,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(texts: &[&str]) -> Result<Header, ImportError> {
        let cells: Vec<HeaderCell> = texts
            .iter()
            .map(|t| HeaderCell {
                text: t.to_string(),
                month: None,
            })
            .collect();
        let latest = YearMonth::new(2024, 12).expect("valid");
        read_header(&cells, 1, &Catalogue::default(), latest)
    }

    #[test]
    fn long_layout_is_detected_from_chinese_or_english_headers() {
        let h = header(&[
            "统一社会信用代码",
            "企业名称",
            "期间",
            "指标",
            "数值",
            "单位",
        ])
        .expect("long");
        assert_eq!(h.layout, Layout::Long);
        assert_eq!(h.unit, Some(5));
        let h = header(&["Credit Code", "PERIOD", "Indicator", "Value"]).expect("long");
        assert_eq!(h.layout, Layout::Long);
        let h = header(&["信用代码", "报告期", "指标名称", "本月"]).expect("long");
        assert_eq!(h.layout, Layout::Long);
    }

    #[test]
    fn wide_by_month_layout_is_detected_from_month_columns() {
        let h = header(&[
            "credit_code",
            "指标",
            "2021-01",
            "2021年2月",
            "202103",
            "2021-04 （万元）",
        ])
        .expect("wide");
        assert_eq!(h.layout, Layout::WideByMonth);
        let Plan::WideByMonth { months, .. } = &h.plan else {
            panic!("wide by month")
        };
        assert_eq!(months.len(), 4);
        assert_eq!(months[3].unit.map(|u| u.exponent), Some(4));
    }

    #[test]
    fn wide_by_indicator_layout_is_detected_from_indicator_columns() {
        let h = header(&[
            "统一社会信用代码",
            "月份",
            "增加值(万元)",
            "工业总产值",
            "operating_revenue",
            "Added value (10k yuan)",
        ]);
        // The same indicator twice is refused.
        assert!(matches!(h, Err(ImportError::DuplicateColumn { .. })));
        let h = header(&[
            "统一社会信用代码",
            "月份",
            "增加值(万元)",
            "工业总产值",
            "operating_revenue",
            "从业人员（人）",
        ])
        .expect("wide");
        assert_eq!(h.layout, Layout::WideByIndicator);
        assert!(h.problems.is_empty());
    }

    #[test]
    fn cumulative_indicator_columns_are_refused() {
        let h = header(&["统一社会信用代码", "月份", "增加值(累计)", "营业收入"]).expect("wide");
        assert_eq!(h.problems.len(), 1);
        assert_eq!(h.problems[0].problem, Problem::CumulativeColumn);
    }

    #[test]
    fn header_without_a_known_layout_names_what_it_found() {
        let err = header(&["统一社会信用代码", "企业名称", "备注"]).unwrap_err();
        assert!(matches!(err, ImportError::UnknownLayout { .. }), "{err}");
    }
}
