//! Meter readings from a CSV or XLSX file: one reading a row — the meter's code, the instant that ends the
//! interval measured, and the amount — the columns named in Chinese or English (`表号`/`meter`, `时间`/`t`,
//! `读数`/`value`). The file is read like a land file ([`crate::table::read_table`]: any encoding the figure
//! import reads, XLSX through the same guard); every row is checked and every problem reported with its line and
//! column, and the caller stores the readings only when there is none (all or nothing). A reading the store
//! already holds, or one given twice, is ignored as MQTT's duplicates are.

use std::collections::HashMap;

use chainpark_core::parkops::meters::{Reading, parse_amount};
use chainpark_core::registry::Id;
use chainpark_core::time::china;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use crate::MAX_ROWS;
use crate::land::LandRowError;
use crate::table::Table;

/// The columns of a readings file: (field, Chinese name, English name).
const COLUMNS: [(&str, &str, &str); 3] = [
    ("meter", "表号", "meter"),
    ("t", "时间", "t"),
    ("value", "读数", "value"),
];

fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '（' | '）' | '_' | '-'))
        .collect::<String>()
        .to_lowercase()
}

/// An instant as RFC 3339 (`2026-06-15T10:00:00+08:00`) or as China time without an offset
/// (`2026-06-15 10:00` or `2026-06-15 10:00:00`).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .and_then(|naive| china().from_local_datetime(&naive).single())
    .map(|t| t.with_timezone(&Utc))
}

/// The readings of a table, the meters named by their codes in `meters` (those the uploader reaches): all of
/// them, or every problem with its line and column.
pub fn readings_from_table(
    table: &Table,
    meters: &HashMap<String, Id>,
) -> Result<Vec<Reading>, Vec<LandRowError>> {
    let mut errors = Vec::new();
    let mut at = HashMap::new();
    for (field, zh, en) in COLUMNS {
        match table
            .header
            .iter()
            .position(|h| normalise(h) == normalise(zh) || normalise(h) == normalise(en))
        {
            Some(i) => {
                at.insert(field, i);
            }
            None => errors.push(LandRowError {
                line: 1,
                column: zh.to_string(),
                message: format!("the file has no column {zh} ({en})"),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if table.rows.len() > MAX_ROWS as usize {
        return Err(vec![LandRowError {
            line: table.rows.len() as u64,
            column: String::new(),
            message: format!("the file has more than {MAX_ROWS} rows"),
        }]);
    }
    let mut readings = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let cell = |field: &str| {
            at.get(field)
                .and_then(|i| cells.get(*i))
                .map_or("", |c| c.trim())
        };
        let mut fail = |column: &str, message: String| {
            errors.push(LandRowError {
                line: *line,
                column: column.to_string(),
                message,
            })
        };
        let meter = meters.get(cell("meter")).copied();
        if meter.is_none() {
            fail(
                "表号",
                "names no meter of yours that takes readings (a real, unarchived meter you see)"
                    .to_string(),
            );
        }
        let t = parse_instant(cell("t"));
        if t.is_none() {
            fail(
                "时间",
                format!(
                    "{:?} is not an instant such as 2026-06-15 10:00 (China time) or 2026-06-15T10:00:00+08:00",
                    cell("t")
                ),
            );
        }
        let value = parse_amount(cell("value"))
            .map_err(|e| fail("读数", e))
            .ok();
        if let (Some(meter_id), Some(t), Some(value)) = (meter, t, value) {
            readings.push(Reading { meter_id, t, value });
        }
    }
    if errors.is_empty() {
        Ok(readings)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            header: vec!["表号".into(), "时间".into(), "读数".into()],
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 2, r.iter().map(|c| c.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn a_bad_row_is_named_by_its_line_and_column_and_nothing_is_read() {
        let meters = HashMap::from([("E-01".to_string(), 7)]);
        let t = table(&[
            &["E-01", "2026-06-15 10:00", "12.5"],
            &["E-01", "2026-06-15 11:00", "-3"],
            &["X-99", "2026-06-15 12:00", "1"],
        ]);
        let errors = readings_from_table(&t, &meters).expect_err("two bad rows");
        let named: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(named, vec![(3, "读数"), (4, "表号")]);
    }

    #[test]
    fn china_time_without_an_offset_is_eight_hours_ahead_of_utc() {
        let meters = HashMap::from([("E-01".to_string(), 7)]);
        let read = readings_from_table(&table(&[&["E-01", "2026-06-15 10:00", "1.25"]]), &meters)
            .expect("read");
        assert_eq!(read[0].t.to_rfc3339(), "2026-06-15T02:00:00+00:00");
        assert_eq!(read[0].value, 1250);
    }
}
