//! `chainpark bench-hostile`: generates each kind of hostile file (`chainpark_import::hostile`), imports it through
//! the path the API and `chainpark import` take, with the default limits, and prints what happened and the peak
//! memory of the process during the import. Each case runs in a child process of its own, so that one case's
//! memory does not count toward the next one's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chainpark_app::imports::{ImportFailure, ImportSettings, run_import};
use chainpark_core::access::{Role, Scope};
use chainpark_import::hostile;
use chainpark_store::Actor;
use chainpark_store::prelude::*;
use clap::{Args, ValueEnum};

use crate::figures::{bench_zone, reset_peak_rss, status_mib};

#[derive(Debug, Args)]
pub struct BenchHostileArgs {
    /// Run only this case, in this process (by default every case runs, each in a child process).
    #[arg(long, value_enum)]
    pub case: Option<Case>,
    /// Folder for the generated files and the benchmark's SQLite database (removed afterwards).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Case {
    FarColumn,
    FarColumnGzzzzz,
    SharedStringsBomb,
    HugeCell,
    LongSharedString,
    LongCellManyRows,
    BadSharedStringIndex,
    ManyParts,
    DirectoryBomb,
    HugeElement,
    CommentBomb,
    WideEmptyRow,
    UnclosedQuote,
    ForeignRows,
    GoodWorkbook,
}

impl Case {
    fn what(self) -> &'static str {
        match self {
            Case::FarColumn => "XLSX, one cell at FXSHRXW2 (aborted the process: 64 GB asked)",
            Case::FarColumnGzzzzz => "XLSX, one cell at GZZZZZ2 (3 GB)",
            Case::SharedStringsBomb => {
                "XLSX zip bomb: shared strings expand to 1 GiB (2.2 GB, 201)"
            }
            Case::HugeCell => "XLSX, one inline cell of 900 M characters (6.5 GB, 500)",
            Case::LongSharedString => {
                "XLSX, a 1 Mi-character shared string failing 300 rows (3.1 GB, 210 MB report)"
            }
            Case::LongCellManyRows => "XLSX, a 32,000-character shared string failing 20,000 rows",
            Case::BadSharedStringIndex => {
                "XLSX, a cell pointing at shared string 99 of 1 (panic, 500)"
            }
            Case::ManyParts => "XLSX, 10,001 files in the zip archive",
            Case::DirectoryBomb => {
                "XLSX, relationships, defined names, number formats and shared strings at their limits (100,000 entries, 64 MiB a part)"
            }
            Case::HugeElement => "XLSX, one XML attribute of 500 MB",
            Case::CommentBomb => "XLSX, an XML comment of 500 MB full of '<'",
            Case::WideEmptyRow => "CSV, one row of 10^8 empty cells (+1 GB)",
            Case::UnclosedQuote => "CSV, a quote opened and never closed, 200 MB after it",
            Case::ForeignRows => {
                "CSV, 8 M rows of other firms sent by an enterprise account (14 GB)"
            }
            Case::GoodWorkbook => "XLSX, 96,000 good rows (for comparison)",
        }
    }

    fn file_name(self) -> String {
        let name = self
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        let csv = matches!(
            self,
            Case::WideEmptyRow | Case::UnclosedQuote | Case::ForeignRows
        );
        format!("hostile-{name}.{}", if csv { "csv" } else { "xlsx" })
    }
}

pub async fn bench_hostile(args: BenchHostileArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    if let Some(case) = args.case {
        return run_case(case, &args.dir).await;
    }
    println!("| case | file | outcome | time | peak RSS during the import | RSS before |");
    println!("|---|---|---|---|---|---|");
    let exe = std::env::current_exe().context("finding the chainpark binary")?;
    for case in Case::value_variants() {
        let name = case
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        let status = std::process::Command::new(&exe)
            .args(["bench-hostile", "--case", &name, "--dir"])
            .arg(&args.dir)
            .status()
            .context("starting a case")?;
        if !status.success() {
            println!("| {name} | | the process ended with {status} | | | |");
        }
    }
    Ok(())
}

/// Writes the case's file; returns the enterprise account to import as, for the case of other firms' rows.
fn generate(case: Case, path: &Path, codes: &[String], firm: i64) -> anyhow::Result<Option<Actor>> {
    let bytes = match case {
        Case::FarColumn => hostile::far_reference("FXSHRXW2"),
        Case::FarColumnGzzzzz => hostile::far_reference("GZZZZZ2"),
        Case::SharedStringsBomb => hostile::shared_strings_bomb(1 << 30),
        Case::HugeCell => hostile::huge_cell(900_000_000),
        Case::LongSharedString => hostile::long_shared_string(1 << 20, 300, &codes[0]),
        Case::LongCellManyRows => hostile::long_shared_string(32_000, 20_000, &codes[0]),
        Case::BadSharedStringIndex => hostile::bad_shared_string_index("99"),
        Case::ManyParts => hostile::many_parts(10_001),
        Case::DirectoryBomb => hostile::directory_bomb(100_000, 63 << 20, 60),
        Case::HugeElement => hostile::huge_element(500_000_000),
        Case::CommentBomb => hostile::comment_bomb(500_000_000),
        Case::GoodWorkbook => {
            let mut rows = vec![
                ["统一社会信用代码", "期间", "指标", "数值"]
                    .map(String::from)
                    .to_vec(),
            ];
            let indicators = ["增加值", "工业总产值", "营业收入", "利润总额"];
            for code in codes.iter().take(100) {
                for month in 0..240 {
                    for indicator in indicators {
                        let period = format!("{}-{:02}", 2001 + month / 12, month % 12 + 1);
                        rows.push(vec![
                            code.clone(),
                            period,
                            indicator.to_string(),
                            "12.5".to_string(),
                        ]);
                    }
                }
            }
            hostile::plain_workbook(&rows)
        }
        Case::WideEmptyRow | Case::UnclosedQuote | Case::ForeignRows => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
            let actor = match case {
                Case::WideEmptyRow => {
                    hostile::write_wide_empty_row_csv(&mut out, 100_000_000)?;
                    None
                }
                Case::UnclosedQuote => {
                    hostile::write_unclosed_quote_csv(&mut out, &codes[0], 200 << 20)?;
                    None
                }
                _ => {
                    hostile::write_rows_csv(&mut out, &codes[1..], 8_000_000)?;
                    Some(Actor {
                        account: "bench-firm".into(),
                        account_id: None,
                        scope: Scope {
                            enterprises: vec![firm],
                            ..Scope::zone(Role::Enterprise)
                        },
                        day: None,
                    })
                }
            };
            out.flush()?;
            return Ok(actor);
        }
    };
    std::fs::write(path, bytes)?;
    Ok(None)
}

async fn run_case(case: Case, dir: &Path) -> anyhow::Result<()> {
    let db = dir.join("hostile.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store: Arc<dyn Store> = crate::open(&format!("sqlite://{}", db.display())).await?;
    let zone = bench_zone(if case == Case::ForeignRows {
        10_000
    } else {
        100
    });
    store.load_registry(&Actor::system("bench"), &zone).await?;
    let codes: Vec<String> = zone
        .enterprises
        .iter()
        .map(|e| e.credit_code.clone())
        .collect();
    drop(zone);
    let ids = store.enterprise_ids(&Actor::system("bench")).await?;
    let Some(&firm) = ids.get(&codes[0]) else {
        bail!("the benchmark's first enterprise is not registered");
    };
    drop(ids);
    let path = dir.join(case.file_name());
    let actor = generate(case, &path, &codes, firm.id)?.unwrap_or_else(|| Actor::system("bench"));
    let size = std::fs::metadata(&path)?.len();

    let before = status_mib("VmRSS:").unwrap_or(0.0);
    reset_peak_rss();
    let started = Instant::now();
    let outcome = run_import(
        store.clone(),
        actor,
        path.clone(),
        case.file_name(),
        ImportSettings::default(),
        None,
    )
    .await;
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_mib("VmHWM:").unwrap_or(0.0);
    let outcome = match outcome {
        Ok(record) => {
            let report = serde_json::to_string(&record.report)?.len();
            format!(
                "{}: {} values; report {} KiB, {} problems",
                if record.stored {
                    "201 stored"
                } else {
                    "422 nothing stored"
                },
                record.values_changed,
                report / 1024,
                record.report["error_count"]
            )
        }
        Err(ImportFailure::File(e)) => format!("refused: {}", e.code()),
        Err(e) => format!("FAILED: {e}"),
    };
    println!(
        "| {} | {} | {outcome} | {seconds:.1} s | {peak:.0} MiB | {before:.0} MiB |",
        case.what(),
        human_bytes(size)
    );
    let _ = std::fs::remove_file(&path);
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    Ok(())
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / 1048576.0),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
