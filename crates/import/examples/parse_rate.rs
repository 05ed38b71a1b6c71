//! Parse rate of the CSV reader: 1,000,000 generated long-layout rows (UTF-8, then the same as GBK), parsed from
//! memory with every check on (credit code, resolver lookup, period, indicator, exact value, repeated-row key).
//! With `--file [VALUES]`, instead a wide-by-month file of VALUES values (12,000,000 by default) is written to the
//! temporary folder and read from disk twice, clean and then with its last row repeated at the end (so the second
//! reading that names the first line goes through the whole file), each time printing the rate and the peak
//! resident memory (VmHWM) so far.
//! Run: `cargo run --release -p chainpark-import --example parse_rate [-- --file [VALUES]]`

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Cursor, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use chainpark_core::credit_code::CreditCode;
use chainpark_import::{Catalogue, ImportOptions, Importer, IndicatorValue, YearMonth};

const ROWS: usize = 1_000_000;
const FILE_VALUES: usize = 12_000_000;
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

fn code(e: usize) -> String {
    CreditCode::from_body(&format!("91500000MA{e:07}"))
        .expect("valid body")
        .to_string()
}

fn unit(indicator: usize) -> &'static str {
    match indicator {
        5 => "人",
        8 => "吨标准煤",
        _ => "万元",
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let catalogue = Catalogue::default();
    let importer = Importer::new(
        &catalogue,
        ImportOptions::new(YearMonth::new(2021, 12).expect("valid")),
    );
    match args.next().as_deref() {
        None => in_memory(&importer),
        Some("--file") => {
            let values = args.next().map_or(FILE_VALUES, |v| {
                v.replace('_', "").parse().expect("VALUES is a number")
            });
            from_file(&importer, values);
        }
        Some(other) => panic!("unknown argument {other}; expected --file [VALUES]"),
    }
}

fn in_memory(importer: &Importer<'_>) {
    let mut codes = Vec::new();
    let mut text = String::from("统一社会信用代码,企业名称,期间,指标,数值,单位\n");
    let mut rows = 0;
    'outer: for e in 0.. {
        let code = code(e);
        codes.push(code.clone());
        for month in 1..=12 {
            for (i, name) in INDICATORS.iter().enumerate() {
                let value = (e * 7919 + month * 31 + i * 3) % 100_000;
                text.push_str(&format!(
                    "{code},企业{e},2021-{month:02},{name},{value}.{:02},{}\n",
                    value % 100,
                    unit(i)
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
                Cursor::new(bytes),
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

/// Writes a wide-by-month file (one row per enterprise and indicator, twelve months) and reads it from disk, so
/// the peak memory is the reader's own rather than that of a file held in memory.
fn from_file(importer: &Importer<'_>, values: usize) {
    let path =
        std::env::temp_dir().join(format!("chainpark-parse-rate-{}.csv", std::process::id()));
    let rows = values.div_ceil(12);
    let mut out = BufWriter::new(File::create(&path).expect("create the file"));
    out.write_all("统一社会信用代码,企业名称,指标,单位".as_bytes())
        .expect("write");
    for month in 1..=12 {
        write!(out, ",2021-{month:02}").expect("write");
    }
    out.write_all(b"\n").expect("write");
    let mut last_row = None;
    let mut enterprises = 0;
    for row in 0..rows {
        let (e, i) = (row / INDICATORS.len(), row % INDICATORS.len());
        let mut line = format!("{},企业{e},{},{}", code(e), INDICATORS[i], unit(i));
        for month in 1..=12 {
            let value = (e * 7919 + month * 31 + i * 3) % 100_000;
            line.push_str(&format!(",{value}.{:02}", value % 100));
        }
        line.push('\n');
        out.write_all(line.as_bytes()).expect("write");
        last_row = Some(line);
        enterprises = e + 1;
    }
    out.flush().expect("write");
    drop(out);
    // The registry is what a caller would resolve against; the ids are dense, as database ids are.
    let registry: HashMap<String, i64> = (0..enterprises).map(|e| (code(e), e as i64)).collect();

    read_file(importer, &path, &registry, "clean");
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open the file");
    out.write_all(last_row.expect("at least one row").as_bytes())
        .expect("write");
    drop(out);
    read_file(importer, &path, &registry, "one repeated row");
    std::fs::remove_file(&path).expect("remove the file");
}

fn read_file(importer: &Importer<'_>, path: &Path, registry: &HashMap<String, i64>, label: &str) {
    let size = std::fs::metadata(path).expect("file size").len();
    let mut count = 0u64;
    let mut sink = |_: IndicatorValue| {
        count += 1;
        ControlFlow::Continue(())
    };
    let started = Instant::now();
    let report = importer
        .read_csv(
            BufReader::with_capacity(1 << 16, File::open(path).expect("open the file")),
            |c: &CreditCode| registry.get(c.as_str()).copied(),
            &mut sink,
        )
        .expect("report");
    let seconds = started.elapsed().as_secs_f64();
    let first_lines: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.line, e.first_line))
        .collect();
    println!(
        "{label}: {} values in {} rows ({:.1} MB) in {:.2} s = {:.2} M values/s; {} problems {first_lines:?}; peak RSS \
         {}",
        report.values_accepted,
        report.rows_read,
        size as f64 / 1e6,
        seconds,
        report.values_accepted as f64 / seconds / 1e6,
        report.error_count,
        peak_rss(),
    );
}

/// The process's peak resident memory so far, as the kernel reports it.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown".into())
}
