//! Reference tables for location quotients (区位熵参照表): output, revenue or employment of a region by GB/T 4754
//! code, from CSV (any encoding the figure import reads) or XLSX (through the same workbook guard). Two columns are
//! needed — the code (行业代码) and the value (数值, or a header naming the measure, with its unit in brackets,
//! e.g. `工业总产值（亿元）`); a row whose code cell says 合计 or total gives the region's total. Units as in figure
//! files (`亿元`, `万元`, `人`, in the header, a 单位 column or the cell). Every bad row is reported with its line,
//! column and reason; the caller stores nothing unless there is none.

use crate::catalogue::BaseUnit;
use crate::error::ImportError;
use crate::importer::ImportOptions;
use crate::normalise::{column_letter, key, split_label};
use crate::report::{Problem, RowError};
use crate::table::{Table, read_table};
use crate::unit::{Unit, parse_unit};
use crate::value::{ValueError, parse_decimal, scale};

/// What a reference file held: its rows (code as written, value in hundredths of a yuan or in persons ×100 —
/// the unit's hundredths), the total row if any, and every problem found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceRows {
    pub rows: Vec<(String, i64)>,
    pub total: Option<i64>,
    pub errors: Vec<RowError>,
}

/// Whether the measure is money (yuan) or people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceUnit {
    Yuan,
    Person,
}

const CODE_HEADERS: [&str; 7] = [
    "行业代码",
    "代码",
    "国民经济行业代码",
    "gb/t4754",
    "gbt4754",
    "industrycode",
    "code",
];
const TOTAL_WORDS: [&str; 5] = ["合计", "总计", "全部", "total", "all"];

/// Reads a reference table from `bytes` (`xlsx` when the name ends in .xlsx, CSV otherwise).
pub fn read_reference(
    bytes: &[u8],
    file_name: &str,
    unit: ReferenceUnit,
    options: &ImportOptions,
) -> Result<ReferenceRows, ImportError> {
    let xlsx = file_name.to_lowercase().ends_with(".xlsx");
    Ok(parse_rows(&read_table(bytes, xlsx, options)?, unit))
}

fn base(unit: ReferenceUnit) -> BaseUnit {
    match unit {
        ReferenceUnit::Yuan => BaseUnit::Yuan,
        ReferenceUnit::Person => BaseUnit::Person,
    }
}

fn parse_rows(table: &Table, unit: ReferenceUnit) -> ReferenceRows {
    let mut out = ReferenceRows::default();
    let header = &table.header;
    let headers: Vec<String> = header.iter().map(|h| key(h)).collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let code_col = find(&CODE_HEADERS).unwrap_or(0);
    let unit_col = headers.iter().position(|h| h == "单位" || h == "unit");
    let value_col = headers
        .iter()
        .enumerate()
        .position(|(i, _)| i != code_col && Some(i) != unit_col)
        .unwrap_or(1);
    let mut scratch = String::new();
    let header_unit: Option<Unit> = header.get(value_col).and_then(|h| {
        split_label(h)
            .qualifiers
            .iter()
            .find_map(|q| parse_unit(q, &mut scratch))
    });
    let name = |col: usize| {
        header
            .get(col)
            .cloned()
            .unwrap_or_else(|| column_letter(col))
    };
    let mut seen: Vec<(String, u64)> = Vec::new();
    for (line, row) in &table.rows {
        let line = *line;
        let cell = |col: usize| row.get(col).map(|s| s.trim()).unwrap_or("");
        let code = cell(code_col);
        let value_text = cell(value_col);
        if code.is_empty() && value_text.is_empty() {
            continue;
        }
        let mut error =
            |col: usize, problem: Problem, text: &str, reason: &str, reason_zh: &str| {
                out.errors.push(RowError {
                    line,
                    column: name(col),
                    column_letter: column_letter(col),
                    problem,
                    cell: text.to_string(),
                    reason: reason.to_string(),
                    reason_zh: reason_zh.to_string(),
                    first_line: None,
                });
            };
        let mut unit_scratch = String::new();
        let row_unit = match unit_col.map(cell).filter(|u| !u.is_empty()) {
            Some(text) => match parse_unit(text, &mut unit_scratch) {
                Some(u) => Some(u),
                None => {
                    error(
                        unit_col.unwrap_or(0),
                        Problem::UnknownUnit,
                        text,
                        "unknown unit",
                        "无法识别的单位",
                    );
                    continue;
                }
            },
            None => header_unit,
        };
        if value_text.is_empty() {
            error(
                value_col,
                Problem::MissingValue,
                value_text,
                "the value is missing",
                "缺少数值",
            );
            continue;
        }
        let mut value_scratch = String::new();
        let value = parse_decimal(value_text, &mut value_scratch).and_then(|(decimal, rest)| {
            let unit = if rest.is_empty() {
                row_unit
            } else {
                Some(
                    parse_unit(rest, &mut unit_scratch)
                        .ok_or_else(|| ValueError::UnknownUnit(rest.to_string()))?,
                )
            };
            scale(decimal, base(unit_kind(unit)), false, unit)
        });
        let value = match value {
            Ok(v) => v,
            Err(e) => {
                let (problem, reason, reason_zh) = match e {
                    ValueError::NotANumber => (Problem::BadValue, "not a number", "不是数字"),
                    ValueError::UnknownUnit(_) => {
                        (Problem::UnknownUnit, "unknown unit", "无法识别的单位")
                    }
                    ValueError::UnitMismatch { .. } => (
                        Problem::UnitMismatch,
                        "the unit does not measure this table's measure",
                        "单位与参照表的口径不符",
                    ),
                    ValueError::TooManyDecimals { .. } => (
                        Problem::TooManyDecimals,
                        "more decimals than the unit allows",
                        "小数位数过多",
                    ),
                    ValueError::OutOfRange => (
                        Problem::ValueOutOfRange,
                        "the value is too large",
                        "数值过大",
                    ),
                    ValueError::Negative => (
                        Problem::NegativeValue,
                        "a reference value cannot be negative",
                        "参照值不能为负数",
                    ),
                };
                error(value_col, problem, value_text, reason, reason_zh);
                continue;
            }
        };
        let value = match unit {
            ReferenceUnit::Yuan => value,
            // Persons are whole: the hundredths the value parser gives are dropped exactly.
            ReferenceUnit::Person => value / 100,
        };
        if TOTAL_WORDS.contains(&key(code).as_str()) {
            out.total = Some(value);
            continue;
        }
        if chainpark_core::industry::IndustryCode::parse(code).is_ok() {
            if let Some((_, first)) = seen.iter().find(|(c, _)| c == code) {
                let first = *first;
                error(
                    code_col,
                    Problem::RepeatedRow,
                    code,
                    "the code appears twice",
                    "行业代码重复",
                );
                if let Some(last) = out.errors.last_mut() {
                    last.first_line = Some(first);
                }
                continue;
            }
            seen.push((code.to_string(), line));
            out.rows.push((code.to_string(), value));
        } else {
            error(
                code_col,
                Problem::UnknownIndustryCode,
                code,
                "not a GB/T 4754-2017 code",
                "不是国民经济行业分类（GB/T 4754-2017）代码",
            );
        }
    }
    out
}

fn unit_kind(unit: Option<Unit>) -> ReferenceUnit {
    match unit.and_then(|u| u.base) {
        Some(BaseUnit::Person) => ReferenceUnit::Person,
        _ => ReferenceUnit::Yuan,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::YearMonth;

    fn options() -> ImportOptions {
        ImportOptions::new(YearMonth::new(2026, 6).expect("month"))
    }

    #[test]
    fn a_reference_file_reads_codes_values_units_and_the_total() {
        let csv = "行业代码,工业总产值（亿元）\n3612,1.5\n3841,0.25\n合计,100\n";
        let r = read_reference(csv.as_bytes(), "ref.csv", ReferenceUnit::Yuan, &options())
            .expect("read");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        // 1.5 亿元 = 150,000,000 yuan = 15,000,000,000 fen
        assert_eq!(
            r.rows,
            [
                ("3612".to_string(), 15_000_000_000),
                ("3841".to_string(), 2_500_000_000)
            ]
        );
        assert_eq!(r.total, Some(1_000_000_000_000));
    }

    #[test]
    fn a_reference_file_with_bad_rows_names_each_row() {
        let csv =
            "代码,数值,单位\n3612,abc,万元\n99x,5,万元\n3612,5,万元\n3841,5,斤\n3841,-1,万元\n";
        let r = read_reference(csv.as_bytes(), "ref.csv", ReferenceUnit::Yuan, &options())
            .expect("read");
        let lines: Vec<(u64, Problem)> = r.errors.iter().map(|e| (e.line, e.problem)).collect();
        assert_eq!(
            lines,
            [
                (2, Problem::BadValue),
                (3, Problem::UnknownIndustryCode),
                (5, Problem::UnknownUnit),
                (6, Problem::NegativeValue)
            ]
        );
        assert_eq!(r.rows, [("3612".to_string(), 5_000_000)]);
    }
}
