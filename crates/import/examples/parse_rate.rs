//! Parse rate of the CSV reader: 1,000,000 generated long-layout rows (UTF-8, then the same as GBK), parsed from
//! memory with every check on (credit code, resolver lookup, period, indicator, exact value, repeated-row key).
//! Run: `cargo run --release -p chainpark-import --example parse_rate`

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::time::Instant;

use chainpark_core::credit_code::CreditCode;
use chainpark_import::{Catalogue, ImportOptions, Importer, IndicatorValue, YearMonth};

const ROWS: usize = 1_000_000;
const INDICATORS: [&str; 9] = [
    "增加值",
    "工业总产值",
    "营业收入",
    "利润总额",
    "税金",
    "从业人员",
    "研发经费",
    "固定资产投资",
    "综合能源消费量",
];

fn main() {
    let mut codes = Vec::new();
    let mut text = String::from("统一社会信用代码,企业名称,期间,指标,数值,单位\n");
    let mut rows = 0;
    'outer: for e in 0.. {
        let code = CreditCode::from_body(&format!("91500000MA{e:07}"))
            .expect("valid body")
            .to_string();
        codes.push(code.clone());
        for month in 1..=12 {
            for (i, name) in INDICATORS.iter().enumerate() {
                let unit = if i == 5 {
                    "人"
                } else if i == 8 {
                    "吨标准煤"
                } else {
                    "万元"
                };
                let value = (e * 7919 + month * 31 + i * 3) % 100_000;
                text.push_str(&format!(
                    "{code},企业{e},2021-{month:02},{name},{value}.{:02},{unit}\n",
                    value % 100
                ));
                rows += 1;
                if rows == ROWS {
                    break 'outer;
                }
            }
        }
    }
    let registry: HashMap<String, i64> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i as i64))
        .collect();
    let catalogue = Catalogue::default();
    let importer = Importer::new(
        &catalogue,
        ImportOptions::new(YearMonth::new(2021, 12).expect("valid")),
    );

    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    for (label, bytes) in [("UTF-8", text.as_bytes()), ("GBK", &gbk[..])] {
        let mut sum = 0i64;
        let mut sink = |v: IndicatorValue| {
            sum = sum.wrapping_add(v.value);
            ControlFlow::Continue(())
        };
        let started = Instant::now();
        let report = importer
            .read_csv(
                bytes,
                |c: &CreditCode| registry.get(c.as_str()).copied(),
                &mut sink,
            )
            .expect("report");
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(report.rows_read as usize, ROWS);
        println!(
            "{label}: {} rows ({:.1} MB) in {:.3} s = {:.2} M rows/s on one core; {} values accepted, {} problems (checksum {sum})",
            report.rows_read,
            bytes.len() as f64 / 1e6,
            seconds,
            report.rows_read as f64 / seconds / 1e6,
            report.values_accepted,
            report.error_count,
        );
    }
}
