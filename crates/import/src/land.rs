//! Land parcels and leases from a CSV or XLSX file: one row per parcel (or lease contract), the columns named in
//! Chinese or English (`地块编号`/`code`, ...). Every row is checked and every problem reported with its line and
//! column; the caller stores the rows only when there is none (all or nothing). XLSX workbooks pass the same guard
//! as figure files before calamine reads them.

use std::collections::HashMap;

use chainpark_core::assessment::land::{LeaseDraft, LeaseInput, ParcelDraft, ParcelInput};
use chainpark_core::registry::Id;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::table::Table;

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandRowError {
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// The columns of a parcel file: (field, Chinese name, English name, required).
const PARCEL_COLUMNS: [(&str, &str, &str, bool); 8] = [
    ("code", "地块编号", "code", true),
    ("park", "园区编码", "park_code", true),
    (
        "holder",
        "权利人统一社会信用代码",
        "holder_credit_code",
        false,
    ),
    ("area_mu", "面积（亩）", "area_mu", true),
    ("land_use", "用途", "land_use", true),
    ("valid_from", "起始日期", "valid_from", true),
    ("valid_to", "终止日期", "valid_to", false),
    ("outline", "轮廓", "outline", false),
];

/// The columns of a lease file.
const LEASE_COLUMNS: [(&str, &str, &str, bool); 8] = [
    ("code", "合同编号", "code", true),
    (
        "tenant",
        "承租企业统一社会信用代码",
        "tenant_credit_code",
        true,
    ),
    ("park", "园区编码", "park_code", true),
    ("unit_id", "单元", "unit_id", false),
    ("area_m2", "面积（平方米）", "area_m2", true),
    (
        "monthly_rent_yuan",
        "月租金（元）",
        "monthly_rent_yuan",
        false,
    ),
    ("valid_from", "起始日期", "valid_from", true),
    ("valid_to", "终止日期", "valid_to", false),
];

pub(crate) fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '（' | '）' | '_' | '-'))
        .collect::<String>()
        .to_lowercase()
}

/// Column index of each field; a missing required column is one error on the header line.
pub(crate) fn columns(
    table: &Table,
    wanted: &[(&'static str, &str, &str, bool)],
    errors: &mut Vec<LandRowError>,
) -> HashMap<&'static str, usize> {
    let mut found = HashMap::new();
    for (field, zh, en, required) in wanted {
        let at = table
            .header
            .iter()
            .position(|h| normalise(h) == normalise(zh) || normalise(h) == normalise(en));
        match at {
            Some(i) => {
                found.insert(*field, i);
            }
            None if *required => errors.push(LandRowError {
                line: 1,
                column: (*zh).to_string(),
                message: format!("the file has no column {zh} ({en})"),
            }),
            None => {}
        }
    }
    found
}

pub(crate) struct RowReader<'a> {
    pub(crate) line: u64,
    pub(crate) cells: &'a [String],
    pub(crate) columns: &'a HashMap<&'static str, usize>,
    pub(crate) names: &'a [(&'static str, &'static str, &'static str, bool)],
    pub(crate) errors: Vec<LandRowError>,
}

impl RowReader<'_> {
    fn name(&self, field: &str) -> String {
        self.names
            .iter()
            .find(|c| c.0 == field)
            .map_or(field.to_string(), |c| c.1.to_string())
    }

    pub(crate) fn text(&self, field: &str) -> &str {
        self.columns
            .get(field)
            .and_then(|i| self.cells.get(*i))
            .map_or("", |c| c.trim())
    }

    pub(crate) fn fail(&mut self, field: &str, message: impl Into<String>) {
        let column = self.name(field);
        self.errors.push(LandRowError {
            line: self.line,
            column,
            message: message.into(),
        });
    }

    pub(crate) fn date(&mut self, field: &str) -> Option<NaiveDate> {
        let text = self.text(field).to_string();
        if text.is_empty() {
            return None;
        }
        let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(&text, "%Y/%m/%d"));
        parsed
            .map_err(|_| self.fail(field, format!("{text:?} is not a date (yyyy-mm-dd)")))
            .ok()
    }

    fn resolve(&mut self, field: &str, resolve: &impl Fn(&str) -> Option<Id>) -> Option<Id> {
        let text = self.text(field).to_string();
        if text.is_empty() {
            return None;
        }
        let id = resolve(&text);
        if id.is_none() {
            self.fail(
                field,
                format!("{text:?} names no park or enterprise of the zone"),
            );
        }
        id
    }

    /// Maps the core's field errors to this row's columns.
    pub(crate) fn invalid(
        &mut self,
        invalid: chainpark_core::error::Invalid,
        field_of: &[(&str, &str)],
    ) {
        for e in invalid.0 {
            let field = field_of
                .iter()
                .find(|(core, _)| *core == e.field)
                .map_or(e.field.as_str(), |(_, f)| f)
                .to_string();
            self.fail(&field, e.message);
        }
    }
}

/// Checks a parcel table: park codes and holders' credit codes resolved by the caller. Either every row's draft or
/// every row's problems.
pub fn parcel_drafts(
    table: &Table,
    park: impl Fn(&str) -> Option<Id>,
    enterprise: impl Fn(&str) -> Option<Id>,
) -> Result<Vec<ParcelDraft>, Vec<LandRowError>> {
    let mut errors = Vec::new();
    let columns = columns(table, &PARCEL_COLUMNS, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut drafts = Vec::new();
    for (line, cells) in &table.rows {
        let mut r = RowReader {
            line: *line,
            cells,
            columns: &columns,
            names: &PARCEL_COLUMNS,
            errors: Vec::new(),
        };
        let park_id = r.resolve("park", &park);
        if r.text("park").is_empty() {
            r.fail("park", "is required");
        }
        let holder = r.resolve("holder", &enterprise);
        let valid_from = r.date("valid_from");
        if r.text("valid_from").is_empty() {
            r.fail("valid_from", "is required");
        }
        let valid_to = r.date("valid_to");
        let outline = match r.text("outline") {
            "" => None,
            text => {
                let text = text.to_string();
                serde_json::from_str(&text)
                    .map_err(|e| r.fail("outline", format!("is not GeoJSON: {e}")))
                    .ok()
            }
        };
        if let (Some(park_id), Some(valid_from), true) = (park_id, valid_from, r.errors.is_empty())
        {
            let input = ParcelInput {
                code: r.text("code").to_string(),
                park_id,
                holder_enterprise_id: holder,
                area_mu: r.text("area_mu").to_string(),
                land_use: r.text("land_use").to_string(),
                valid_from,
                valid_to,
                outline,
            };
            match input.parse() {
                Ok(d) => drafts.push(d),
                Err(invalid) => r.invalid(invalid, &[]),
            }
        }
        errors.extend(r.errors);
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

/// Checks a lease table, as [`parcel_drafts`].
pub fn lease_drafts(
    table: &Table,
    park: impl Fn(&str) -> Option<Id>,
    enterprise: impl Fn(&str) -> Option<Id>,
) -> Result<Vec<LeaseDraft>, Vec<LandRowError>> {
    let mut errors = Vec::new();
    let columns = columns(table, &LEASE_COLUMNS, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut drafts = Vec::new();
    for (line, cells) in &table.rows {
        let mut r = RowReader {
            line: *line,
            cells,
            columns: &columns,
            names: &LEASE_COLUMNS,
            errors: Vec::new(),
        };
        for required in ["park", "tenant", "valid_from"] {
            if r.text(required).is_empty() {
                r.fail(required, "is required");
            }
        }
        let park_id = r.resolve("park", &park);
        let tenant = r.resolve("tenant", &enterprise);
        let valid_from = r.date("valid_from");
        let valid_to = r.date("valid_to");
        let unit_id = match r.text("unit_id") {
            "" => None,
            text => {
                let text = text.to_string();
                text.parse::<Id>()
                    .map_err(|_| r.fail("unit_id", format!("{text:?} is not a unit number")))
                    .ok()
            }
        };
        if let (Some(park_id), Some(tenant), Some(valid_from), true) =
            (park_id, tenant, valid_from, r.errors.is_empty())
        {
            let rent = r.text("monthly_rent_yuan").to_string();
            let input = LeaseInput {
                code: r.text("code").to_string(),
                enterprise_id: tenant,
                park_id,
                unit_id,
                area_m2: r.text("area_m2").to_string(),
                monthly_rent_yuan: (!rent.is_empty()).then_some(rent),
                valid_from,
                valid_to,
            };
            match input.parse() {
                Ok(d) => drafts.push(d),
                Err(invalid) => r.invalid(invalid, &[("area_m2", "area_m2")]),
            }
        }
        errors.extend(r.errors);
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
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

    fn park(code: &str) -> Option<Id> {
        (code == "yufu").then_some(7)
    }

    fn firm(code: &str) -> Option<Id> {
        (code == "91500000MA5U7G1X3C").then_some(42)
    }

    #[test]
    fn a_parcel_file_with_chinese_headers_becomes_drafts() {
        let csv = "地块编号,园区编码,权利人统一社会信用代码,面积（亩）,用途,起始日期,终止日期\n\
                   YF-01,yufu,91500000MA5U7G1X3C,12.5,工业用地,2020-01-01,\n\
                   YF-02,yufu,,30,工业用地,2021/03/01,2041-02-28\n";
        let table = read_table(csv.as_bytes(), false, &options()).expect("read");
        let drafts = parcel_drafts(&table, park, firm).expect("good rows");
        assert_eq!(drafts.len(), 2);
        assert_eq!(
            (
                drafts[0].park_id,
                drafts[0].holder_enterprise_id,
                drafts[0].area_mu_centi
            ),
            (7, Some(42), 1250)
        );
        assert_eq!(drafts[1].valid_to, NaiveDate::from_ymd_opt(2041, 2, 28));
    }

    #[test]
    fn every_bad_row_of_a_land_file_is_named_by_line_and_column_and_nothing_is_returned() {
        let csv = "code,park_code,tenant_credit_code,area_m2,monthly_rent_yuan,valid_from,valid_to\n\
                   ZL-1,yufu,91500000MA5U7G1X3C,1200,18000,2022-01-01,\n\
                   ZL-2,nowhere,91500000MA5U7G1X3C,1200,,2022-01-01,\n\
                   ZL-3,yufu,91500000MA5U7G1X3C,-5,,2022-13-01,\n";
        let table = read_table(csv.as_bytes(), false, &options()).expect("read");
        let errors = lease_drafts(&table, park, firm).expect_err("refused");
        let named: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(named, [(3, "园区编码"), (4, "起始日期")]);
        let missing =
            read_table("code,area_m2\nZL-1,5\n".as_bytes(), false, &options()).expect("read");
        let errors = lease_drafts(&missing, park, firm).expect_err("refused");
        assert_eq!(
            errors.len(),
            3,
            "tenant, park and start columns: {errors:?}"
        );
    }
}
