//! The figure commands: `import` (a spreadsheet, with a progress bar), `report` (a roll-up as a table, CSV or JSON),
//! `digital-map` (the industry-code → digital-economy mapping) and `bench` (import speed, roll-up latency and peak
//! memory at the zone and city tiers; how long an appeal waits while a 1 M-row file is imported), and the demo's
//! figures.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chainpark_core::access::{Role, Scope};
use chainpark_core::disclosure::{DisclosureRules, Suppression};
use chainpark_core::figures::Rollup;
use chainpark_store::Actor;
use chainpark_store::figures::{
    DemoFigureSelection, DigitalMapOrigin, DigitalMapUpdate, load_demo_figures,
};
use chainpark_store::prelude::*;
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX file of monthly enterprise indicators, in any layout.
    pub file: PathBuf,
    /// Store the good rows even when some rows are bad (default: nothing is stored unless every row is good).
    #[arg(long)]
    pub accept_valid: bool,
    /// Write the row-by-row report to this file (.csv or .xlsx).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// The worksheet to read from an XLSX workbook (default: the first visible one).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long)]
    pub database: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Indicator code, e.g. added_value, gross_output, employees.
    #[arg(long)]
    pub indicator: String,
    /// 2021-06, 2021-Q3, 2021-H1, 2021 or 2021-YTD-09 (January to September).
    #[arg(long)]
    pub period: String,
    /// zone, area, chain, segment, park, district, digital_category or digital_economy.
    #[arg(long, default_value = "zone")]
    pub by: String,
    /// published_totals or same_firms.
    #[arg(long)]
    pub method: Option<String>,
    /// zone or region:CODE (e.g. region:500000 for Chongqing city).
    #[arg(long)]
    pub share_of: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    #[arg(long)]
    pub database: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Tier {
    /// DOMAIN.md §5 zone tier: 10,000 enterprises × 120 months × 8 indicators ≈ 10 M values.
    Zone,
    /// City tier: 100,000 enterprises × 120 months × 8 indicators ≈ 100 M values.
    City,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which tiers to run.
    #[arg(long, value_enum, default_values_t = vec![Tier::Zone, Tier::City])]
    pub tier: Vec<Tier>,
    /// Scale the tier's number of enterprises down by this factor (e.g. 10 for a quick run).
    #[arg(long, default_value_t = 1)]
    pub scale_down: u32,
    /// Folder for the benchmark's SQLite files and generated CSV (removed afterwards).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    /// Roll-up queries to time.
    #[arg(long, default_value_t = 1000)]
    pub queries: usize,
    /// Layout of the generated file: `long` has one row per value (so rows/s = values/s), `wide` one row per
    /// enterprise × month with a column per indicator (8 values a row).
    #[arg(long, value_enum, default_value = "long")]
    pub layout: BenchLayout,
    /// Instead of the tiers: file appeals one after another while a 1 M-row file is imported (new values, then
    /// every value changed), and print how long each appeal took (p50, p99, max). `--scale-down` shrinks the file.
    #[arg(long)]
    pub appeals_during_import: bool,
    /// The engine the tiers (and `--appeals-during-import`) run on: a SQLite file in `--dir`, or a fresh schema
    /// of the PostgreSQL server `--database` names, made for the run and dropped afterwards.
    #[arg(long, value_enum, default_value = "sqlite")]
    pub engine: BenchEngine,
    /// With `--engine postgres`: the PostgreSQL server (postgres://USER@HOST/DB).
    #[arg(long)]
    pub database: Option<String>,
    /// Instead of the tiers: import a file of every demo firm × 180 months × 6 indicators into the populated demo
    /// store (overlapping its months: some values revised, most new), against sqlite3's own `.import` of the same
    /// CSV into a bare table timed in the same run; then the same file into an empty store. `--scale-down` keeps
    /// fewer firms.
    #[arg(long)]
    pub populated: bool,
    /// With `--populated`: the sqlite3 command-line shell to time (Debian's `sqlite3`).
    #[arg(long, default_value = "sqlite3")]
    pub sqlite3: PathBuf,
    /// With `--populated`: how many times sqlite3's `.import` and the import into a freshly populated store are
    /// each timed, alternately; the best of each makes the ratio.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// With `--populated`: only read and check the file (no store, every credit code known), on one thread and
    /// then on two, and print rows/s of each.
    #[arg(long)]
    pub parse_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchEngine {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchLayout {
    /// One row per enterprise × month × indicator.
    Long,
    /// One row per enterprise × month, a column per indicator.
    Wide,
}

fn actor() -> Actor {
    Actor::system("cli")
}

/// Loads the demo's figures (all indicators, 2019–2022) into a store that holds the demo registry.
pub async fn load_demo(
    store: &Arc<dyn Store>,
    zone: &chainpark_core::demo::DemoZone,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let values = load_demo_figures(
        store.as_ref(),
        &Actor::system("demo"),
        zone,
        &DemoFigureSelection::all(),
    )
    .await
    .context("loading the demo's figures")?;
    println!(
        "loaded {values} monthly indicator values in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `chainpark digital-map`: the mapping from industry codes to digital-economy categories.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["file", "shipped", "print"])))]
pub struct DigitalMapArgs {
    /// A CSV table `gbt4754_code,category,mid_class,note` (UTF-8, GBK/GB18030, UTF-16): it replaces the mapping.
    pub file: Option<PathBuf>,
    /// Add the file's rows to the mapping in force instead of replacing it (the file wins where both list a code).
    #[arg(long, requires = "file")]
    pub merge: bool,
    /// Go back to the mapping shipped with chainpark.
    #[arg(long)]
    pub shipped: bool,
    /// Write the mapping in force to standard output as CSV, and change nothing.
    #[arg(long)]
    pub print: bool,
    #[arg(long)]
    pub database: Option<String>,
}

pub async fn digital_map(store: Arc<dyn Store>, args: DigitalMapArgs) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    if args.print {
        let in_force = store.digital_economy_map(&actor).await?;
        print!("{}", in_force.map.to_csv());
        return Ok(());
    }
    let (csv, file_name) = match &args.file {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let csv = chainpark_import::decode_text(&bytes)
                .with_context(|| format!("reading {}", path.display()))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            (csv, name.unwrap_or_default())
        }
        None => (String::new(), String::new()),
    };
    let update = match (&args.file, args.merge) {
        (None, _) => DigitalMapUpdate::RestoreShipped,
        (Some(_), false) => DigitalMapUpdate::Replace {
            csv: &csv,
            file_name: &file_name,
        },
        (Some(_), true) => DigitalMapUpdate::Merge {
            csv: &csv,
            file_name: &file_name,
        },
    };
    let change = store.update_digital_economy_map(&actor, update).await?;
    let origin = match change.origin {
        DigitalMapOrigin::Shipped => "the mapping shipped with chainpark".to_string(),
        DigitalMapOrigin::Loaded => format!("the table loaded from {}", change.file_name),
    };
    println!(
        "in force: {origin}, {} industry codes; {} enterprises reclassified (categories set by hand kept)",
        change.entries, change.enterprises_reclassified
    );
    Ok(())
}

pub async fn import(
    store: Arc<dyn Store>,
    args: ImportArgs,
    limits: chainpark_import::ImportLimits,
) -> anyhow::Result<()> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    let progress = Arc::new(AtomicU64::new(0));
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let ticker = {
        let bar = bar.clone();
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(progress.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let started = Instant::now();
    let settings = chainpark_app::imports::ImportSettings {
        accept_valid: args.accept_valid,
        sheet: args.sheet.clone(),
        limits,
        today: None,
    };
    let outcome = chainpark_app::imports::run_import(
        store,
        actor(),
        args.file.clone(),
        name,
        settings,
        Some(progress),
    )
    .await;
    ticker.abort();
    bar.finish_and_clear();
    let record = outcome.map_err(|e| anyhow::anyhow!("{e}"))?;
    let report =
        chainpark_app::imports::stored_report(&record).context("reading the import's report")?;
    println!(
        "import {}: {} rows read, {} rejected; {} values changed, {} unchanged; {} in {:.1} s",
        record.id,
        report.rows_read,
        report.rows_rejected,
        record.values_changed,
        record.values_unchanged,
        if record.stored {
            "stored"
        } else {
            "NOTHING STORED"
        },
        started.elapsed().as_secs_f64()
    );
    if let Some(sheet) = &report.sheet {
        let others: Vec<String> = report
            .other_sheets
            .iter()
            .map(|s| {
                if s.hidden {
                    format!("{} (hidden)", s.name)
                } else {
                    s.name.clone()
                }
            })
            .collect();
        if others.is_empty() {
            println!("  sheet read: {sheet}");
        } else {
            println!(
                "  sheet read: {sheet}; the workbook's other sheets, not read (name one with --sheet): {}",
                others.join(", ")
            );
        }
    }
    for e in report.errors.iter().take(20) {
        println!("  line {} column {}: {}", e.line, e.column, e.reason);
    }
    if report.error_count > 20 {
        println!("  ... {} more problems", report.error_count - 20);
    }
    if let Some(path) = &args.report {
        write_report(&record, path).await?;
        println!("report written to {}", path.display());
    }
    if !record.stored {
        bail!(
            "nothing was stored: fix the rows above, or use --accept-valid to store the good rows"
        );
    }
    Ok(())
}

async fn write_report(
    record: &chainpark_store::figures::ImportRecord,
    path: &Path,
) -> anyhow::Result<()> {
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if xlsx {
        chainpark_app::imports::report_xlsx(record).await?
    } else {
        chainpark_app::imports::report_csv(record).await?
    };
    std::fs::write(path, bytes)?;
    Ok(())
}

/// Prints a roll-up through the same path as the API and the pages (disclosure control included); the command
/// runs as the system, which reads every firm's figures, so every cell is shown.
pub async fn report(
    store: Arc<dyn Store>,
    rules: &DisclosureRules,
    args: ReportArgs,
) -> anyhow::Result<()> {
    let query = chainpark_app::rollups::StatsQuery {
        indicator: args.indicator,
        period: args.period,
        by: Some(args.by),
        method: args.method,
        share_of: args.share_of,
    }
    .parse()
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rollup = chainpark_app::rollups::rollup(store.as_ref(), rules, &actor(), &query).await?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&rollup)?)?,
        ReportFormat::Csv => write_csv(&rollup, &mut out)?,
        ReportFormat::Table => write_table(&rollup, &mut out)?,
    }
    Ok(())
}

fn cells(rollup: &Rollup) -> Vec<[String; 8]> {
    rollup
        .groups
        .iter()
        .map(|g| {
            let withheld = |rule: Option<Suppression>| {
                rule.map(|r| format!("confidential ({})", r.as_str()))
                    .unwrap_or_default()
            };
            [
                g.code.clone(),
                g.name.clone(),
                g.firms.map(|n| n.to_string()).unwrap_or_default(),
                g.value
                    .as_ref()
                    .map(|v| v.decimal.clone())
                    .unwrap_or_else(|| withheld(g.suppressed)),
                g.previous
                    .as_ref()
                    .map(|p| p.decimal.clone())
                    .unwrap_or_else(|| withheld(g.previous_suppressed)),
                g.yoy_growth_percent.clone().unwrap_or_default(),
                g.share_percent.clone().unwrap_or_default(),
                g.value
                    .as_ref()
                    .map(|v| v.display_zh.clone())
                    .unwrap_or_else(|| withheld(g.suppressed)),
            ]
        })
        .collect()
}

const HEADER: [&str; 8] = [
    "code", "name", "firms", "value", "previous", "yoy_%", "share_%", "display",
];

fn write_csv(rollup: &Rollup, out: &mut impl Write) -> anyhow::Result<()> {
    let mut csv = chainpark_import::CsvOut::plain(out);
    csv.row(HEADER)?;
    for row in cells(rollup) {
        csv.row(row)?;
    }
    csv.finish()?;
    Ok(())
}

fn write_table(rollup: &Rollup, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "{} ({}) {} [{}] by {}; growth: {}; share of {}",
        rollup.indicator.name_zh,
        rollup.indicator.code,
        rollup.period_label_zh,
        rollup.period,
        rollup.by,
        rollup.method.as_str(),
        rollup.parent.name
    )?;
    let rows = cells(rollup);
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([HEADER[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..8).map(width).collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(&HEADER.map(String::from)))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
/// Resets the process's peak-RSS mark (Linux ≥ 4.0), so the next reading is the peak of what follows.
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A line of /proc/self/status in MiB: `VmHWM` (peak resident memory) or `VmRSS` (resident now).
pub(crate) fn status_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// The demo zone with `count` enterprises: the demo's own, then copies of them under new credit codes.
pub(crate) fn bench_zone(count: usize) -> chainpark_core::demo::DemoZone {
    let mut zone = chainpark_core::demo::demo_zone();
    let originals = zone.enterprises.len();
    zone.enterprises.truncate(count.max(1));
    let mut serial = 0u64;
    while zone.enterprises.len() < count {
        let model = zone.enterprises[zone.enterprises.len() % originals].clone();
        let code = loop {
            serial += 1;
            if let Ok(code) = chainpark_core::credit_code::CreditCode::from_body(&format!(
                "91500112MB{serial:07}"
            )) {
                break code;
            }
        };
        zone.enterprises.push(chainpark_core::demo::DemoEnterprise {
            credit_code: code.as_str().to_string(),
            name: format!("{}{serial}", model.name),
            ..model
        });
    }
    // Posts that name enterprises dropped by the truncation go too.
    let kept: std::collections::HashSet<String> = zone
        .enterprises
        .iter()
        .map(|e| e.credit_code.clone())
        .collect();
    for person in &mut zone.people {
        person.posts.retain(|p| {
            p.enterprise_credit_code
                .as_ref()
                .is_none_or(|c| kept.contains(c))
        });
    }
    zone
}

const BENCH_COLUMNS: [&str; 8] = [
    "增加值",
    "工业总产值",
    "营业收入",
    "利润总额",
    "税金",
    "从业人员",
    "研发经费",
    "固定资产投资",
];

/// Writes 120 months (2013-01 to 2022-12) × 8 indicators for every enterprise, enterprise by enterprise, in the
/// long layout (one row per value) or the wide-by-indicator one (one row per enterprise × month); returns the
/// number of rows.
/// `revision` shifts every value, so that a file of another revision changes them all.
fn write_bench_csv(
    path: &Path,
    zone: &chainpark_core::demo::DemoZone,
    layout: BenchLayout,
    revision: u64,
) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    match layout {
        BenchLayout::Long => writeln!(out, "统一社会信用代码,期间,指标,数值")?,
        BenchLayout::Wide => writeln!(out, "统一社会信用代码,期间,{}", BENCH_COLUMNS.join(","))?,
    }
    let mut rows = 0;
    for (i, e) in zone.enterprises.iter().enumerate() {
        let base = 1_000 + (i as u64 * 7919) % 90_000;
        for year in 2013..=2022u64 {
            for month in 1..=12u64 {
                let v = base + year * 3 + month * 11 + revision;
                let values = [
                    format!("{v}.{month:02}"),
                    (v * 3).to_string(),
                    (v * 4).to_string(),
                    (v / 2).to_string(),
                    (v / 5).to_string(),
                    (10 + v % 500).to_string(),
                    (v / 10).to_string(),
                    (v / 3).to_string(),
                ];
                match layout {
                    BenchLayout::Long => {
                        for (column, value) in BENCH_COLUMNS.iter().zip(&values) {
                            writeln!(out, "{},{year}-{month:02},{column},{value}", e.credit_code)?;
                            rows += 1;
                        }
                    }
                    BenchLayout::Wide => {
                        writeln!(
                            out,
                            "{},{year}-{month:02},{}",
                            e.credit_code,
                            values.join(",")
                        )?;
                        rows += 1;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(rows)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Runs each tier in a process of its own, so that what one tier leaves in memory does not count toward the next
/// one's figures; a single tier runs here.
pub async fn bench(args: BenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    if args.appeals_during_import {
        return bench_appeals_during_import(&args).await;
    }
    if args.populated {
        return bench_populated(&args).await;
    }
    if let [tier] = args.tier[..] {
        return bench_tier(&args, tier).await;
    }
    let exe = std::env::current_exe().context("finding the chainpark binary")?;
    for tier in &args.tier {
        let mut command = std::process::Command::new(&exe);
        command.arg("bench");
        if let Some(server) = &args.database {
            command.args(["--database", server]);
        }
        let status = command
            .args(["--tier", &value_name(*tier)])
            .args(["--engine", &value_name(args.engine)])
            .args(["--layout", &value_name(args.layout)])
            .args(["--scale-down", &args.scale_down.to_string()])
            .args(["--queries", &args.queries.to_string()])
            .arg("--dir")
            .arg(&args.dir)
            .status()
            .context("starting the benchmark of a tier")?;
        if !status.success() {
            bail!("the benchmark of the {tier:?} tier failed ({status})");
        }
    }
    Ok(())
}

/// Imports the generated file through the path the API and `chainpark import` take.
async fn import_bench_file(
    store: &Arc<dyn Store>,
    csv: &Path,
) -> anyhow::Result<chainpark_store::figures::ImportRecord> {
    chainpark_app::imports::run_import(
        store.clone(),
        actor(),
        csv.to_path_buf(),
        "bench.csv".into(),
        Default::default(),
        None,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Rows of the file imported while appeals are filed (long layout: one value a row).
const APPEAL_BENCH_ROWS: usize = 1_000_000;

/// Files appeals one after another (10 ms apart, as busy officers would) while a file is imported through the
/// path of the API, and prints how long they took: the import reads and compares its file without the write
/// lock, so an appeal waits at most for the import's one short write transaction. Twice: a file of new values,
/// then the same rows with every value changed (the heaviest write: each old value moves to the history).
async fn bench_appeals_during_import(args: &BenchArgs) -> anyhow::Result<()> {
    use chainpark_core::workflow::appeals::{AppealCategory, AppealInput, Urgency};
    let rows_wanted = APPEAL_BENCH_ROWS / args.scale_down.max(1) as usize;
    let enterprises = rows_wanted.div_ceil(120 * BENCH_COLUMNS.len()).max(1);
    println!(
        "== appeals filed while a file of {rows_wanted} rows is imported ({enterprises} enterprises)"
    );
    let db = BenchDatabase::new(args, "appeals").await?;
    let store = crate::open(&db.url).await?;
    println!("on {}", store.engine());
    let zone = bench_zone(enterprises);
    store.load_registry(&Actor::system("bench"), &zone).await?;
    let firm = store
        .enterprise_ids(&actor())
        .await?
        .get(&zone.enterprises[0].credit_code)
        .map(|e| e.id)
        .context("the registry holds the bench's enterprises")?;
    let draft = AppealInput {
        enterprise_id: firm,
        category: AppealCategory::Other,
        urgency: Urgency::Normal,
        title: "导入期间提交的诉求".into(),
        description: String::new(),
        received_at: None,
    }
    .parse()
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // A fixed day inside the shipped holiday calendar, so the deadlines can be computed whatever today is.
    let received_at = chrono::DateTime::parse_from_rfc3339("2026-06-15T02:00:00Z")?.to_utc();
    // A shift of 30 changes every generated value (even the tenths, thirds and headcounts modulo 500).
    for (label, revision) in [("new values", 0), ("every value changed", 30)] {
        let csv = args.dir.join(format!("bench-appeals-{revision}.csv"));
        let rows = write_bench_csv(&csv, &zone, BenchLayout::Long, revision)?;
        let import = {
            let store = store.clone();
            let csv = csv.clone();
            tokio::spawn(async move { import_bench_file(&store, &csv).await })
        };
        let started = Instant::now();
        let mut waits = Vec::new();
        while !import.is_finished() {
            let t = Instant::now();
            store
                .file_appeal(
                    &Actor::system("bench"),
                    draft.clone(),
                    received_at,
                    received_at,
                )
                .await?;
            waits.push(t.elapsed());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let record = import.await??;
        let seconds = started.elapsed().as_secs_f64();
        let _ = std::fs::remove_file(&csv);
        waits.sort();
        println!(
            "import of {rows} rows ({label}: {} changed, {} unchanged) in {seconds:.1} s; {} appeals filed meanwhile: \
             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            record.values_changed,
            record.values_unchanged,
            waits.len(),
            percentile(&waits, 50.0),
            percentile(&waits, 99.0),
            waits.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        );
    }
    drop(store);
    db.remove().await
}

/// The database of the appeals bench: a SQLite file in the bench's folder, or a schema of its own on a
/// PostgreSQL server.
struct BenchDatabase {
    url: String,
    /// The SQLite file, or the PostgreSQL server's URL and the schema.
    place: Result<PathBuf, (String, String)>,
}

impl BenchDatabase {
    async fn new(args: &BenchArgs, label: &str) -> anyhow::Result<BenchDatabase> {
        match &args.database {
            None if args.engine == BenchEngine::Postgres => {
                bail!("--engine postgres needs --database postgres://USER@HOST/DB")
            }
            Some(server) if server.starts_with("postgres") => {
                let schema = format!("bench_{label}_{}", std::process::id());
                postgres_statement(
                    server,
                    &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
                )
                .await?;
                let separator = if server.contains('?') { '&' } else { '?' };
                Ok(BenchDatabase {
                    url: format!("{server}{separator}options=-c%20search_path%3D{schema}"),
                    place: Err((server.clone(), schema)),
                })
            }
            Some(other) => bail!(
                "--database takes a postgres:// URL (without it the bench makes a SQLite file), not {}",
                crate::config::redact(other)
            ),
            None => {
                let file = args.dir.join(format!("bench-{label}.db"));
                remove_sqlite_files(&file);
                Ok(BenchDatabase {
                    url: format!("sqlite://{}", file.display()),
                    place: Ok(file),
                })
            }
        }
    }

    /// What the database holds on disk, in MiB: the SQLite file and its log, or the schema's tables, partitions
    /// and indexes.
    async fn size_mib(&self) -> anyhow::Result<f64> {
        let bytes = match &self.place {
            Ok(file) => ["", "-wal"]
                .iter()
                .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", file.display())).ok())
                .map(|m| m.len() as i64)
                .sum(),
            Err((server, schema)) => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(server).await?;
                let bytes: Option<i64> = sqlx::query_scalar(
                    "SELECT SUM(pg_total_relation_size(c.oid))::BIGINT FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
                )
                .bind(schema)
                .fetch_one(&mut c)
                .await?;
                c.close().await?;
                bytes.unwrap_or(0)
            }
        };
        Ok(bytes as f64 / 1048576.0)
    }

    async fn remove(self) -> anyhow::Result<()> {
        match self.place {
            Ok(file) => {
                remove_sqlite_files(&file);
                Ok(())
            }
            Err((server, schema)) => {
                postgres_statement(&server, &format!("DROP SCHEMA {schema} CASCADE")).await
            }
        }
    }
}

fn remove_sqlite_files(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

async fn postgres_statement(server: &str, sql: &str) -> anyhow::Result<()> {
    use sqlx::{Connection, Executor};
    let mut c = sqlx::PgConnection::connect(server)
        .await
        .with_context(|| format!("connecting to {}", crate::config::redact(server)))?;
    c.execute(sql).await?;
    c.close().await?;
    Ok(())
}

/// How a value is written on the command line (`zone`, `long`).
fn value_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

async fn bench_tier(args: &BenchArgs, tier: Tier) -> anyhow::Result<()> {
    let (name, enterprises) = match tier {
        Tier::Zone => ("zone", 10_000),
        Tier::City => ("city", 100_000),
    };
    let enterprises = (enterprises / args.scale_down.max(1) as usize).max(100);
    println!(
        "== {name} tier: {enterprises} enterprises × 120 months × {} indicators",
        BENCH_COLUMNS.len()
    );
    let db = BenchDatabase::new(args, name).await?;
    let store = crate::open(&db.url).await?;
    println!("on {}", store.engine());
    let zone = bench_zone(enterprises);
    let started = Instant::now();
    store.load_registry(&Actor::system("bench"), &zone).await?;
    println!(
        "registry loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let csv = args.dir.join(format!("bench-{name}.csv"));
    let started = Instant::now();
    let rows = write_bench_csv(&csv, &zone, args.layout, 0)?;
    let bytes = std::fs::metadata(&csv)?.len();
    println!(
        "generated {rows} rows in the {:?} layout ({} values, {:.0} MiB) in {:.1} s",
        args.layout,
        enterprises as u64 * 120 * BENCH_COLUMNS.len() as u64,
        bytes as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    // The generated zone is the benchmark's own; what is measured below is the import's memory.
    drop(zone);
    let rss_before = status_mib("VmRSS:").unwrap_or(0.0);
    reset_peak_rss();
    let started = Instant::now();
    let record = import_bench_file(&store, &csv).await?;
    let seconds = started.elapsed().as_secs_f64();
    if !record.stored {
        bail!("the benchmark file was not stored: {}", record.report);
    }
    println!(
        "import: {rows} rows, {} values in {seconds:.1} s = {:.0} rows/s, {:.0} values/s (validated, one transaction, aggregates maintained)",
        record.values_changed,
        rows as f64 / seconds,
        record.values_changed as f64 / seconds
    );
    let peak = peak_rss_mib().unwrap_or(0.0);
    println!(
        "memory: {rss_before:.0} MiB resident before the import (what earlier steps left), peak RSS {peak:.0} MiB \
             during the import (+{:.0} MiB)",
        peak - rss_before
    );
    let started = Instant::now();
    let again = import_bench_file(&store, &csv).await?;
    println!(
        "re-import of the same file: {} values changed, {} unchanged, in {:.1} s",
        again.values_changed,
        again.values_unchanged,
        started.elapsed().as_secs_f64()
    );
    println!("database size: {:.0} MiB", db.size_mib().await?);
    let rules = DisclosureRules::default();
    let park_staff = Actor {
        scope: Scope {
            parks: vec![1],
            ..Scope::zone(Role::ParkStaff)
        },
        ..actor()
    };
    for (label, by, method) in [
        (
            "headline: added value 2021-H1 by digital_economy",
            "digital_economy",
            None,
        ),
        ("added value 2021-YTD-09 by chain", "chain", None),
        (
            "added value 2021-H1 by segment, same firms",
            "segment",
            Some("same_firms"),
        ),
    ] {
        let query = chainpark_app::rollups::StatsQuery {
            indicator: "added_value".into(),
            period: if by == "chain" {
                "2021-YTD-09".into()
            } else {
                "2021-H1".into()
            },
            by: Some(by.into()),
            method: method.map(String::from),
            share_of: None,
        }
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let runs = if method.is_some() {
            (args.queries / 50).max(5)
        } else {
            args.queries
        };
        // As a reader of everything (no disclosure control), then as a park's staff: every cell of the answer
        // is judged. The first such query of a data version reads the period's raw values of the groups' firms
        // (its time is printed alone); the repeated ones share those facts and read only the caller's firms.
        for (who, caller, runs) in [
            ("", actor(), runs),
            (
                " as park staff (disclosure control)",
                park_staff.clone(),
                (runs / 20).max(5),
            ),
        ] {
            if !who.is_empty() {
                let t = Instant::now();
                let rollup =
                    chainpark_app::rollups::rollup(store.as_ref(), &rules, &caller, &query).await?;
                println!(
                    "roll-up {label}{who}: first query (facts afresh) {:.2} ms",
                    t.elapsed().as_secs_f64() * 1000.0
                );
                std::hint::black_box(rollup);
            }
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let t = Instant::now();
                let rollup =
                    chainpark_app::rollups::rollup(store.as_ref(), &rules, &caller, &query).await?;
                times.push(t.elapsed());
                std::hint::black_box(rollup);
            }
            times.sort();
            println!(
                "roll-up {label}{who}: p50 {:.2} ms, p99 {:.2} ms over {runs} queries",
                percentile(&times, 50.0),
                percentile(&times, 99.0)
            );
        }
    }
    let _ = std::fs::remove_file(&csv);
    drop(store);
    db.remove().await?;
    println!(
        "peak RSS of the tier's whole run (VmHWM, generation included): {:.0} MiB",
        peak_rss_mib().unwrap_or(0.0)
    );
    Ok(())
}

/// The indicators of the populated-store file: the demo's three (their stored months overlap), then three the demo
/// does not hold.
const POPULATED_INDICATORS: [(&str, &str); 6] = [
    ("added_value", "增加值"),
    ("gross_output", "工业总产值"),
    ("employees", "从业人员"),
    ("operating_revenue", "营业收入"),
    ("profit", "利润总额"),
    ("tax", "税金"),
];
/// The months of the populated-store file: 2008-01 to 2022-12 (180), of which the demo holds 2019–2022.
const POPULATED_YEARS: std::ops::RangeInclusive<i32> = 2008..=2022;
/// One stored value in this many is reported again with another value (a revision); the others again unchanged.
const POPULATED_REVISED_EVERY: usize = 10;

/// What the populated-store file holds against the demo's stored values.
struct PopulatedFile {
    rows: u64,
    /// Rows whose key the demo store holds: with the same value, or another one.
    unchanged: u64,
    revised: u64,
}

/// Writes the populated-store file (long layout, enterprise by enterprise, month by month): each value the demo
/// store holds is repeated (one in [`POPULATED_REVISED_EVERY`] changed by one yuan or person), every other one is new.
/// Values are written in the base unit with two decimals, as the demo keeps them in hundredths.
fn write_populated_csv(
    path: &Path,
    zone: &chainpark_core::demo::DemoZone,
) -> anyhow::Result<PopulatedFile> {
    use chainpark_core::demo::figures::{DemoFigures, FIRST_YEAR, LAST_YEAR};
    let firms = zone.enterprises.len();
    let stored_years = (LAST_YEAR - FIRST_YEAR + 1) as usize;
    // The demo's values: [demo indicator][month since FIRST_YEAR-01][firm].
    let generator = DemoFigures::new(zone);
    let mut stored: Vec<Vec<Option<i64>>> = Vec::new();
    for (code, _) in &POPULATED_INDICATORS[..3] {
        let mut values = vec![None; stored_years * 12 * firms];
        for year in FIRST_YEAR..=LAST_YEAR {
            for f in generator.year(code, year) {
                let month =
                    (f.month.year() - FIRST_YEAR) as usize * 12 + f.month.month() as usize - 1;
                values[month * firms + f.enterprise] = Some(f.value);
            }
        }
        stored.push(values);
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "统一社会信用代码,期间,指标,数值")?;
    let mut file = PopulatedFile {
        rows: 0,
        unchanged: 0,
        revised: 0,
    };
    let mut seen_stored = 0usize;
    for (i, e) in zone.enterprises.iter().enumerate() {
        let base = 1_000 + (i as i64 * 7919) % 90_000;
        for year in POPULATED_YEARS {
            for month in 1..=12u32 {
                let since_first = (year - FIRST_YEAR) * 12 + month as i32 - 1;
                for (n, (_, column)) in POPULATED_INDICATORS.iter().enumerate() {
                    let held = stored.get(n).and_then(|values| {
                        usize::try_from(since_first)
                            .ok()
                            .filter(|m| *m < stored_years * 12)
                            .and_then(|m| values[m * firms + i])
                    });
                    let hundredths = match held {
                        Some(value) => {
                            seen_stored += 1;
                            if seen_stored.is_multiple_of(POPULATED_REVISED_EVERY) {
                                file.revised += 1;
                                value + 100
                            } else {
                                file.unchanged += 1;
                                value
                            }
                        }
                        None if n == 2 => (10 + base % 500) * 100,
                        None => {
                            (base * (n as i64 + 1) + i64::from(year) * 3 + i64::from(month) * 11)
                                * 100
                                + i64::from(month)
                        }
                    };
                    let sign = if hundredths < 0 { "-" } else { "" };
                    let magnitude = hundredths.unsigned_abs();
                    writeln!(
                        out,
                        "{},{year}-{month:02},{column},{sign}{}.{:02}",
                        e.credit_code,
                        magnitude / 100,
                        magnitude % 100
                    )?;
                    file.rows += 1;
                }
            }
        }
    }
    out.flush()?;
    Ok(file)
}

/// sqlite3's own `.import` of the CSV into a table it creates from the header, timed (seconds).
fn sqlite3_import(args: &BenchArgs, csv: &Path) -> anyhow::Result<f64> {
    let bare = args.dir.join("bench-bare.db");
    remove_sqlite_files(&bare);
    let started = Instant::now();
    let status = std::process::Command::new(&args.sqlite3)
        .arg(&bare)
        .arg(format!(".import --csv {} t", csv.display()))
        .status()
        .with_context(|| format!("starting {}", args.sqlite3.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("{} .import failed ({status})", args.sqlite3.display());
    }
    remove_sqlite_files(&bare);
    Ok(seconds)
}

/// Imports the file into `store` as the bench measures it: rows/s and the peak resident memory of the import.
async fn timed_import(
    store: &Arc<dyn Store>,
    csv: &Path,
    rows: u64,
) -> anyhow::Result<(chainpark_store::figures::ImportRecord, f64, f64, f64)> {
    let rss_before = status_mib("VmRSS:").unwrap_or(0.0);
    reset_peak_rss();
    let started = Instant::now();
    let record = import_bench_file(store, csv).await?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib().unwrap_or(0.0);
    if !record.stored {
        bail!("the benchmark file was not stored: {}", record.report);
    }
    println!(
        "  {rows} rows in {seconds:.2} s = {:.0} rows/s: {} values written, {} unchanged; peak RSS {peak:.0} MiB \
         during the import ({rss_before:.0} MiB before)",
        rows as f64 / seconds,
        record.values_changed,
        record.values_unchanged,
    );
    Ok((record, seconds, peak, rss_before))
}

/// `chainpark bench --populated --parse-only`: the file read and checked as an import reads it (the default
/// catalogue, every demo credit code resolved from a map, values counted), on one reading thread and on two.
fn parse_only(csv: &Path, zone: &chainpark_core::demo::DemoZone, rows: u64) -> anyhow::Result<()> {
    use chainpark_import::{Catalogue, ImportOptions, Importer, IndicatorValue, YearMonth};
    let catalogue = Catalogue::new(chainpark_import::default_catalogue())?;
    let ids: std::collections::HashMap<&str, i64> = zone
        .enterprises
        .iter()
        .enumerate()
        .map(|(i, e)| (e.credit_code.as_str(), i as i64 + 1))
        .collect();
    let options = ImportOptions::new(YearMonth::new(2999, 12)?);
    println!(
        "load average before the parse: {}",
        crate::bench_api::load_average()
    );
    for threads in [1, 2] {
        let importer = Importer::new(&catalogue, options.clone()).reading_threads(threads);
        let mut values = 0u64;
        let mut sink = |_: IndicatorValue| {
            values += 1;
            std::ops::ControlFlow::Continue(())
        };
        reset_peak_rss();
        let started = Instant::now();
        let report = importer.read_path(
            csv,
            |code: &chainpark_core::credit_code::CreditCode| ids.get(code.as_str()).copied(),
            &mut sink,
        )?;
        let seconds = started.elapsed().as_secs_f64();
        if !report.is_clean() || values != rows {
            bail!(
                "the parse found {} problems and {values} values in {rows} rows",
                report.error_count
            );
        }
        println!(
            "parse only, {threads} thread(s): {rows} rows in {seconds:.2} s = {:.0} rows/s, peak RSS {:.0} MiB",
            rows as f64 / seconds,
            peak_rss_mib().unwrap_or(0.0)
        );
    }
    Ok(())
}

/// `chainpark bench --populated`: the import of a month's file into a store that already holds years of values, the
/// case a zone meets every month, against sqlite3's `.import` of the same CSV (no validation, no comparison, no
/// history, no roll-ups: the floor of what storing the rows costs) in the same run; then the same file into an
/// empty store.
async fn bench_populated(args: &BenchArgs) -> anyhow::Result<()> {
    let demo = chainpark_core::demo::demo_zone();
    let firms = (demo.enterprises.len() / args.scale_down.max(1) as usize).max(1);
    let zone = bench_zone(firms);
    drop(demo);
    println!(
        "== populated store: {firms} demo enterprises × {} months × {} indicators",
        POPULATED_YEARS.count() * 12,
        POPULATED_INDICATORS.len()
    );
    let csv = args.dir.join("bench-populated.csv");
    let started = Instant::now();
    let file = write_populated_csv(&csv, &zone)?;
    println!(
        "generated {} rows ({:.0} MiB; {} keys the demo store holds: {} unchanged, {} revised) in {:.1} s",
        file.rows,
        std::fs::metadata(&csv)?.len() as f64 / 1048576.0,
        file.unchanged + file.revised,
        file.unchanged,
        file.revised,
        started.elapsed().as_secs_f64()
    );
    if args.parse_only {
        let timed = parse_only(&csv, &zone, file.rows);
        let _ = std::fs::remove_file(&csv);
        return timed;
    }
    // sqlite3's time and chainpark's move by a third from minute to minute on a shared machine: each is timed
    // `--runs` times, alternately, and the best of each is compared (each run's own ratio is printed too).
    let db = args.dir.join("bench-populated.db");
    let (mut bare_seconds, mut seconds, mut peak) = (f64::INFINITY, f64::INFINITY, 0f64);
    for run in 1..=args.runs.max(1) {
        println!(
            "run {run}: load average before sqlite3 .import: {}",
            crate::bench_api::load_average()
        );
        let bare = sqlite3_import(args, &csv)?;
        println!(
            "sqlite3 .import --csv into a bare table: {} rows in {bare:.2} s = {:.0} rows/s",
            file.rows,
            file.rows as f64 / bare
        );
        remove_sqlite_files(&db);
        let populated = crate::open(&format!("sqlite://{}", db.display())).await?;
        populated
            .load_registry(&Actor::system("bench"), &zone)
            .await?;
        load_demo(&populated, &zone).await?;
        println!(
            "into the populated demo store (validated, compared, history of revisions, roll-ups kept):"
        );
        let (record, run_seconds, run_peak, _) = timed_import(&populated, &csv, file.rows).await?;
        let expected_changed = file.rows - file.unchanged;
        if record.values_changed as u64 != expected_changed
            || record.values_unchanged as u64 != file.unchanged
        {
            bail!(
                "the import wrote {} values and left {} unchanged; the file should write {expected_changed} and leave {}",
                record.values_changed,
                record.values_unchanged,
                file.unchanged
            );
        }
        println!("run {run}: ratio {:.2}×", bare / run_seconds);
        bare_seconds = bare_seconds.min(bare);
        seconds = seconds.min(run_seconds);
        if run == 1 {
            // The memory goal is read on the first run: the process keeps memory of the earlier runs' stores.
            peak = run_peak;
        }
        // Closed before anything else is timed: its write-ahead log folded into the file (the store's checkpoint,
        // which follows the import's commit) and its memory given back.
        populated.close().await?;
    }
    let bare_rate = file.rows as f64 / bare_seconds;
    let rate = file.rows as f64 / seconds;
    println!(
        "load average after the imports: {}",
        crate::bench_api::load_average()
    );
    println!(
        "populated store, best of {} runs each: {rate:.0} rows/s ({seconds:.2} s) against sqlite3 .import \
         {bare_rate:.0} rows/s ({bare_seconds:.2} s): ratio {:.2}× (goal ≥ 2.5×), peak RSS of the first run \
         {peak:.0} MiB (goal ≤ 500 MB = 477 MiB)",
        args.runs.max(1),
        rate / bare_rate
    );

    let empty = args.dir.join("bench-empty.db");
    remove_sqlite_files(&empty);
    let empty_store = crate::open(&format!("sqlite://{}", empty.display())).await?;
    empty_store
        .load_registry(&Actor::system("bench"), &zone)
        .await?;
    drop(zone);
    println!("into an empty store (the registry only):");
    let (_, seconds, peak, before) = timed_import(&empty_store, &csv, file.rows).await?;
    let rate = file.rows as f64 / seconds;
    println!(
        "empty store: {rate:.0} rows/s, ratio {:.2}× sqlite3 .import (its best), the import's own memory +{:.0} MiB",
        rate / bare_rate,
        peak - before
    );
    empty_store.close().await?;
    remove_sqlite_files(&empty);

    // Last, as it reads every value of the populated store once (minutes on a busy machine).
    let store = crate::open(&format!("sqlite://{}", db.display())).await?;
    let started = Instant::now();
    let problems = store.check_figures().await?;
    println!(
        "chainpark check of the populated store after the import: {} problems ({:.1} s)",
        problems.len(),
        started.elapsed().as_secs_f64()
    );
    drop(store);
    remove_sqlite_files(&db);
    if let Some(first) = problems.first() {
        bail!("the store does not check after the import: {first}");
    }
    let _ = std::fs::remove_file(&csv);
    Ok(())
}
