//! Candidate firms (招商目标库) from a CSV or XLSX file: one row per firm, the columns named in Chinese or English
//! (`企业名称`/`name`, `统一社会信用代码`/`credit_code`, ...), read by the land import's table reader (encodings,
//! the workbook guard). Every row is checked — credit code, GB/T 4754 code, the segments it could serve and its
//! local partners resolved — and every problem reported with its line and column; a credit code twice in the file is
//! an error on the second line naming the first. The caller stores the rows only when there is none.

use std::collections::HashMap;

use chainpark_core::registry::Id;
use chainpark_core::targets::{CandidateDraft, CandidateInput, RevenueBand};

use crate::land::{LandRowError, RowReader, columns};
use crate::table::Table;

/// The columns of a candidate file: (field, Chinese name, English name, required).
pub const CANDIDATE_COLUMNS: [(&str, &str, &str, bool); 14] = [
    ("name", "企业名称", "name", true),
    ("credit_code", "统一社会信用代码", "credit_code", true),
    ("province", "省份", "province", true),
    ("city", "城市", "city", false),
    ("industry_code", "行业代码", "industry_code", true),
    ("segments", "可服务环节", "segment_codes", false),
    ("revenue_band", "营收规模", "revenue_band", false),
    ("employees", "从业人员", "employees", false),
    ("listed", "是否上市", "listed", false),
    ("growth_percent", "营收增速（%）", "growth_percent", false),
    ("distance_km", "距离（公里）", "distance_km", false),
    (
        "partners",
        "本地合作企业信用代码",
        "partner_credit_codes",
        false,
    ),
    ("source", "来源", "source", true),
    ("source_on", "来源日期", "source_on", true),
];

fn split_list(text: &str) -> Vec<String> {
    text.split([';', '；', '、', ',', '，', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn column_of(field: &str) -> Option<usize> {
    CANDIDATE_COLUMNS.iter().position(|c| c.0 == field)
}

/// The segment codes and partner credit codes a file names, for the caller to resolve in one look-up.
pub fn candidate_codes(table: &Table) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let found = columns(table, &CANDIDATE_COLUMNS, &mut errors);
    let cells = |field: &str| -> Vec<String> {
        let Some(at) = found.get(field) else {
            return Vec::new();
        };
        let mut all: Vec<String> = table
            .rows
            .iter()
            .flat_map(|(_, row)| split_list(row.get(*at).map_or("", String::as_str)))
            .collect();
        all.sort();
        all.dedup();
        all
    };
    (cells("segments"), cells("partners"))
}

/// Checks a candidate table: segment codes and partners' credit codes resolved by the caller. Either every row's
/// draft (with its line) or every row's problems.
pub fn candidate_drafts(
    table: &Table,
    segment: impl Fn(&str) -> Option<Id>,
    enterprise: impl Fn(&str) -> Option<Id>,
) -> Result<Vec<(u64, CandidateDraft)>, Vec<LandRowError>> {
    let mut errors = Vec::new();
    let found = columns(table, &CANDIDATE_COLUMNS, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut drafts = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, cells) in &table.rows {
        let mut r = RowReader {
            line: *line,
            cells,
            columns: &found,
            names: &CANDIDATE_COLUMNS,
            errors: Vec::new(),
        };
        let mut segment_ids = Vec::new();
        for code in split_list(r.text("segments")) {
            match segment(&code) {
                Some(id) => segment_ids.push(id),
                None => r.fail(
                    "segments",
                    format!("{code:?} is not a segment code of the zone"),
                ),
            }
        }
        let mut partner_ids = Vec::new();
        for code in split_list(r.text("partners")) {
            match enterprise(&code) {
                Some(id) => partner_ids.push(id),
                None => r.fail(
                    "partners",
                    format!("{code:?} is not the credit code of a local enterprise"),
                ),
            }
        }
        let revenue_band = match r.text("revenue_band") {
            "" => None,
            text => {
                let text = text.to_string();
                let band = RevenueBand::parse(&text);
                if band.is_none() {
                    r.fail(
                        "revenue_band",
                        format!("{text:?} is not a revenue band (1亿元以下, 1-10亿元, 10-100亿元, 100亿元以上)"),
                    );
                }
                band
            }
        };
        let number = |r: &mut RowReader<'_>, field: &str| -> Option<f64> {
            match r.text(field) {
                "" => None,
                text => {
                    let text = text.replace([',', '%', '％'], "");
                    let parsed = text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
                    if parsed.is_none() {
                        r.fail(field, format!("{text:?} is not a number"));
                    }
                    parsed
                }
            }
        };
        let employees = number(&mut r, "employees");
        if employees.is_some_and(|e| e.fract() != 0.0) {
            r.fail("employees", "is a whole number of people");
        }
        let growth_percent = number(&mut r, "growth_percent");
        let distance_km = number(&mut r, "distance_km");
        let listed = match r.text("listed").to_lowercase().as_str() {
            "" | "否" | "no" | "false" | "0" | "n" => false,
            "是" | "yes" | "true" | "1" | "y" => true,
            other => {
                let other = other.to_string();
                r.fail("listed", format!("{other:?} is neither 是 nor 否"));
                false
            }
        };
        let source_on = r.date("source_on");
        if r.text("source_on").is_empty() {
            r.fail("source_on", "is required");
        }
        let input = CandidateInput {
            name: r.text("name").to_string(),
            credit_code: r.text("credit_code").to_string(),
            province: r.text("province").to_string(),
            city: r.text("city").to_string(),
            industry_code: r.text("industry_code").to_string(),
            segment_ids,
            revenue_band,
            employees: employees.map(|e| e as i64),
            listed,
            growth_percent,
            distance_km,
            partner_ids,
            source: r.text("source").to_string(),
            source_on: source_on.unwrap_or_default(),
        };
        match input.parse() {
            Ok(draft) => {
                match first_line.get(&draft.credit_code) {
                    Some(first) => r.fail(
                        "credit_code",
                        format!(
                            "{} appears twice in the file (first on line {first})",
                            draft.credit_code
                        ),
                    ),
                    None => {
                        first_line.insert(draft.credit_code.clone(), *line);
                    }
                }
                if r.errors.is_empty() {
                    drafts.push((*line, draft));
                }
            }
            Err(invalid) => r.invalid(invalid, &[]),
        }
        errors.extend(r.errors);
    }
    errors.sort_by_key(|e| (e.line, column_of_name(&e.column)));
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

fn column_of_name(name: &str) -> usize {
    CANDIDATE_COLUMNS
        .iter()
        .position(|c| c.1 == name)
        .or_else(|| column_of(name))
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::importer::ImportOptions;
    use crate::period::YearMonth;
    use crate::table::read_table;

    fn options() -> ImportOptions {
        ImportOptions::new(YearMonth::new(2026, 6).expect("month"))
    }

    const HEADER: &str = "企业名称,统一社会信用代码,省份,城市,行业代码,可服务环节,营收规模,从业人员,是否上市,营收增速（%）,距离（公里）,本地合作企业信用代码,来源,来源日期\n";

    #[test]
    fn a_candidate_file_row_names_every_bad_cell_and_a_repeated_credit_code() {
        let csv = format!(
            "{HEADER}\
             氢能甲,91500000MA5U7G1X3K,上海市,上海,3670,FCV,10-100亿元,1200,是,25,1600,,协会名录,2026-03-01\n\
             氢能乙,91500000MA5U7G1X3C,广东省,佛山,9999,NOPE,很大,x,也许,,,,协会名录,2026-03-01\n\
             氢能丙,91500000MA5U7G1X3K,上海市,上海,3670,FCV,,,否,,,,协会名录,2026-03-01\n"
        );
        let table = read_table(csv.as_bytes(), false, &options()).expect("read");
        let errors = candidate_drafts(&table, |c| (c == "FCV").then_some(5), |_| None)
            .expect_err("bad rows");
        let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            found,
            [
                (3, "统一社会信用代码"),
                (3, "行业代码"),
                (3, "可服务环节"),
                (3, "营收规模"),
                (3, "从业人员"),
                (3, "是否上市"),
                (4, "统一社会信用代码"),
            ]
        );
        assert!(
            errors[6].message.contains("first on line 2"),
            "{:?}",
            errors[6]
        );
    }

    #[test]
    fn a_good_candidate_file_gives_drafts_with_resolved_segments_and_partners() {
        let csv = format!(
            "{HEADER}氢能甲,91500000MA5U7G1X3K,上海市,上海,3670,FCV;STACK,10-100亿元,1200,是,25,1600,91500000MA5U7G1X3K,协会名录,2026-03-01\n"
        );
        let table = read_table(csv.as_bytes(), false, &options()).expect("read");
        assert_eq!(
            candidate_codes(&table),
            (
                vec!["FCV".to_string(), "STACK".to_string()],
                vec!["91500000MA5U7G1X3K".to_string()]
            )
        );
        let drafts = candidate_drafts(
            &table,
            |c| match c {
                "FCV" => Some(5),
                "STACK" => Some(6),
                _ => None,
            },
            |_| Some(42),
        )
        .expect("good");
        let d = &drafts[0].1;
        assert_eq!(d.segment_ids, [5, 6]);
        assert_eq!(d.partner_ids, [42]);
        assert_eq!(d.growth_permille, Some(250));
        assert!(d.listed);
    }
}
