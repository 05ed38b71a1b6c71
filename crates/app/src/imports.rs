//! Running an import of monthly enterprise indicators: [`run_import`] is the one import path, for the API (which
//! spools the upload first) and the command line's `chainpark import`. The file is parsed on a blocking thread that
//! streams accepted values to the store in batches, inside one transaction. All-or-nothing by default: one bad row
//! and nothing is stored; with `accept_valid` the good rows are. A workbook is read from its first visible sheet,
//! or the one `sheet` names. The stored report is written as CSV or XLSX off the async threads.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chainpark_core::figures::{may_import_figures, may_report_figures_of};
use chainpark_core::period::Month;
use chainpark_core::registry::Id;
use chainpark_core::time::Clock;
use chainpark_import::{
    Catalogue, ImportError, ImportLimits, ImportOptions, ImportReport, Importer, Layout,
    Problem as RowProblem, RowError, YearMonth,
};
use chainpark_store::figures::{FigureValue, ImportMessage, ImportRecord};
use chainpark_store::{Actor, Store, StoreError};

use crate::error::{AppError, AppResult};
use crate::exports::{ExportFile, ExportFormat, XLSX, off_thread};

/// Values sent to the store in one message.
const BATCH: usize = 20_000;

/// How an import ended when it could not even be read (not a spreadsheet, empty, no header...).
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{0}")]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the import was interrupted: {0}")]
    Interrupted(String),
}

/// The import crate's catalogue built from the store's, with the store id of each of its indicators. A catalogue
/// that cannot be read (two indicators sharing a name, stored before names were checked) refuses the import with
/// a conflict naming the name, never a server error; `chainpark check` reports it too.
fn catalogue(
    indicators: &[chainpark_core::figures::Indicator],
) -> Result<(Catalogue, Vec<Id>), StoreError> {
    let catalogue = Catalogue::from_indicators(indicators).map_err(|e| {
        StoreError::conflict(
            "indicators",
            format!(
                "the indicator catalogue cannot be read, so no file can be imported until an admin fixes it with \
                 PATCH /api/v1/indicators/{{code}}: {e}"
            ),
        )
    })?;
    Ok((catalogue, indicators.iter().map(|i| i.id).collect()))
}

/// The latest month a value may be for: the month of `today` (a China date).
fn current_month(today: chrono::NaiveDate) -> YearMonth {
    use chrono::Datelike;
    YearMonth::new(today.year() as u32, today.month())
        .unwrap_or_else(|_| YearMonth::new(2999, 12).expect("valid"))
}

/// How one import runs: the user's choices and the configured limits.
#[derive(Debug, Clone, Default)]
pub struct ImportSettings {
    /// Store the good rows even when some rows are bad (default: all or nothing).
    pub accept_valid: bool,
    /// The worksheet to read from a workbook; the first visible one when `None`.
    pub sheet: Option<String>,
    pub limits: ImportLimits,
    /// The day the import is judged on (values may be for its month at the latest); the application's clock gives
    /// it, the system clock when `None`.
    pub today: Option<chrono::NaiveDate>,
}

/// The one import path, for the API and the command line: reads `path` (named `file_name` by the user), checks
/// every row, streams the accepted values into one store transaction, and stores them when the file is clean
/// (or, with `accept_valid`, whatever was good). `progress` counts the bytes read so far.
pub async fn run_import(
    store: Arc<dyn Store>,
    actor: Actor,
    path: PathBuf,
    file_name: String,
    settings: ImportSettings,
    progress: Option<Arc<AtomicU64>>,
) -> Result<ImportRecord, ImportFailure> {
    let ImportSettings {
        accept_valid,
        sheet,
        limits,
        today,
    } = settings;
    let latest = current_month(today.unwrap_or_else(|| Clock::System.today()));
    may_import_figures(&actor.scope).map_err(StoreError::from)?;
    let indicators = store.list_indicators(&actor).await?;
    let (catalogue, indicator_ids) = catalogue(&indicators)?;
    let codes = store.enterprise_ids(&actor).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<ImportMessage>(4);
    let writer = {
        let store = store.clone();
        let actor = actor.clone();
        let file_name = file_name.clone();
        tokio::spawn(async move { store.import_figures(&actor, &file_name, receiver).await })
    };
    let scope = actor.scope.clone();
    let parse_sender = sender.clone();
    let parsed = tokio::task::spawn_blocking(move || -> Result<ImportReport, ImportFailure> {
        let max_listed = limits.max_listed_errors;
        let mut options = ImportOptions::new(latest);
        options.sheet = sheet;
        options.limits = limits;
        let importer = Importer::new(&catalogue, options);
        // Rows of enterprises that take no figures from this account (another enterprise's, an archived one):
        // enterprise id → credit code and why.
        let foreign: RefCell<HashMap<i64, (String, Refusal)>> = RefCell::new(HashMap::new());
        let mut denied = DeniedRows::new(max_listed);
        let mut batch = Vec::with_capacity(BATCH);
        let mut closed = false;
        // A value whose month the store cannot keep stops the import (both keep 1900-01 to 2999-12, so the
        // parser refuses such a period first; never dropped in silence should the two ever differ).
        let mut unstorable: Option<(u64, YearMonth)> = None;
        // An account that reports for its own enterprises only must not learn from the report whether another
        // credit code is registered: an unknown code is refused exactly like another enterprise's, under a
        // stand-in id below zero that no enterprise has (the same code keeps the same stand-in).
        let reports_for_all =
            chainpark_core::figures::may_report_figures_of_every_enterprise(&scope);
        let stand_ins: RefCell<HashMap<String, i64>> = RefCell::new(HashMap::new());
        let resolve = |code: &chainpark_core::credit_code::CreditCode| {
            let Some(enterprise) = codes.get(code.as_str()).copied() else {
                if reports_for_all {
                    return None;
                }
                let mut stand_ins = stand_ins.borrow_mut();
                let next = -(stand_ins.len() as i64) - 1;
                let id = *stand_ins.entry(code.as_str().to_string()).or_insert(next);
                foreign
                    .borrow_mut()
                    .insert(id, (code.as_str().to_string(), Refusal::NotOwn));
                return Some(id);
            };
            let refusal = if !may_report_figures_of(&scope, enterprise.id) {
                Some(Refusal::NotOwn)
            } else if enterprise.archived {
                Some(Refusal::Archived)
            } else {
                None
            };
            if let Some(refusal) = refusal {
                foreign
                    .borrow_mut()
                    .insert(enterprise.id, (code.as_str().to_string(), refusal));
            }
            Some(enterprise.id)
        };
        let mut sink = |v: chainpark_import::IndicatorValue| {
            // Refused enterprises are rare (none for an account that reports for all): no hashing then.
            let foreign = foreign.borrow();
            if !foreign.is_empty() && foreign.contains_key(&v.enterprise_id) {
                denied.note(v.line, v.enterprise_id);
                return ControlFlow::Continue(());
            }
            let Some(month) = Month::new(v.period.year() as i32, v.period.month()) else {
                unstorable = Some((v.line, v.period));
                return ControlFlow::Break(());
            };
            batch.push(FigureValue {
                enterprise_id: v.enterprise_id,
                indicator_id: indicator_ids[v.indicator.index()],
                month,
                value: v.value,
            });
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if parse_sender
                    .blocking_send(ImportMessage::Values(full))
                    .is_err()
                {
                    closed = true;
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        };
        let file = std::fs::File::open(&path).map_err(ImportError::Io)?;
        let reader = CountingReader {
            inner: file,
            progress,
            position: 0,
        };
        let report = importer.read_named(
            std::io::BufReader::with_capacity(1 << 16, reader),
            &file_name,
            resolve,
            &mut sink,
        );
        let mut report = report?;
        if let Some((line, period)) = unstorable {
            return Err(ImportFailure::Interrupted(format!(
                "line {line}: the store keeps no month {period}; nothing was stored"
            )));
        }
        if closed {
            return Err(ImportFailure::Interrupted(
                "the store stopped taking values".into(),
            ));
        }
        if !batch.is_empty()
            && parse_sender
                .blocking_send(ImportMessage::Values(batch))
                .is_err()
        {
            return Err(ImportFailure::Interrupted(
                "the store stopped taking values".into(),
            ));
        }
        denied.add_to(&mut report, &foreign.borrow());
        Ok(report)
    })
    .await
    .map_err(|e| ImportFailure::Interrupted(e.to_string()))?;
    let report = match parsed {
        Ok(report) => report,
        Err(failure) => {
            drop(sender);
            // The store sees the channel close without `Finish` and rolls back. When the store stopped first
            // (a refused value, a database error), its error is the one to report.
            let stored = writer.await;
            return match (failure, stored) {
                (ImportFailure::Interrupted(_), Ok(Err(store_error))) => Err(store_error.into()),
                (failure, _) => Err(failure),
            };
        }
    };
    let store_it = report.is_clean() || (accept_valid && !report.stopped_early);
    let report_json =
        serde_json::to_value(&report).map_err(|e| ImportFailure::Interrupted(e.to_string()))?;
    sender
        .send(ImportMessage::Finish {
            store: store_it,
            report: report_json,
        })
        .await
        .map_err(|_| ImportFailure::Interrupted("the store stopped taking values".into()))?;
    drop(sender);
    let record = writer
        .await
        .map_err(|e| ImportFailure::Interrupted(e.to_string()))??;
    Ok(record)
}

/// Why the rows of an enterprise are refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// Another enterprise than the account's own.
    NotOwn,
    /// An archived enterprise: it takes no new figures.
    Archived,
}

/// Rows of enterprises that take no figures from this account (other enterprises than the account's own, archived
/// ones): rejected, one problem per row naming the enterprise, and their values dropped. The first ones are listed
/// (as many as the report lists problems); the others are only counted, so a file of millions of them keeps a small
/// report and a small memory.
struct DeniedRows {
    /// Line and enterprise of the first rows.
    listed: Vec<(u64, i64)>,
    max_listed: usize,
    rows: u64,
    values: u64,
    /// A row's values arrive one after another: the line of the last one tells a new row.
    last_line: Option<u64>,
}

impl DeniedRows {
    fn new(max_listed: usize) -> DeniedRows {
        DeniedRows {
            listed: Vec::new(),
            max_listed,
            rows: 0,
            values: 0,
            last_line: None,
        }
    }

    fn note(&mut self, line: u64, enterprise: i64) {
        self.values += 1;
        if self.last_line == Some(line) {
            return;
        }
        self.last_line = Some(line);
        self.rows += 1;
        if self.listed.len() < self.max_listed {
            self.listed.push((line, enterprise));
        }
    }

    /// Adds the rows to the report: counted, and the first ones listed among its problems in line order.
    fn add_to(self, report: &mut ImportReport, codes: &HashMap<i64, (String, Refusal)>) {
        report.values_accepted = report.values_accepted.saturating_sub(self.values);
        for (line, enterprise) in self.listed {
            let Some((code, refusal)) = codes.get(&enterprise).cloned() else {
                continue;
            };
            let (problem, reason, reason_zh) = match refusal {
                Refusal::NotOwn => (
                    RowProblem::UnknownCreditCode,
                    format!(
                        "{code} is not one of this account's enterprises: an enterprise account may import only its own rows"
                    ),
                    format!("{code} 不是本账号所属企业：企业账号只能导入本企业的数据"),
                ),
                Refusal::Archived => (
                    RowProblem::ArchivedEnterprise,
                    format!("enterprise {code} is archived and takes no new figures"),
                    format!("企业 {code} 已归档，不再接收新数据"),
                ),
            };
            report.errors.push(RowError {
                line,
                column: "统一社会信用代码 credit code".into(),
                column_letter: String::new(),
                problem,
                cell: code,
                reason,
                reason_zh,
                first_line: None,
            });
        }
        report.rows_rejected += self.rows;
        report.error_count += self.rows;
        report.errors.sort_by_key(|e| e.line);
        report.errors.truncate(self.max_listed);
    }
}

/// Counts the bytes read, for a progress bar: the furthest position read to, so the second reading of a file with
/// repeated rows (to name their first lines) never counts past the file's size nor moves the bar back.
struct CountingReader<R> {
    inner: R,
    progress: Option<Arc<AtomicU64>>,
    /// Where the next read starts.
    position: u64,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        if let Some(p) = &self.progress {
            p.fetch_max(self.position, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl<R: std::io::Seek> std::io::Seek for CountingReader<R> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(pos)?;
        Ok(self.position)
    }
}

/// The stored report of an import.
pub fn stored_report(record: &ImportRecord) -> AppResult<ImportReport> {
    serde_json::from_value(record.report.clone())
        .map_err(|e| AppError::internal(format!("report of import {}: {e}", record.id)))
}

/// The report of an import as CSV (UTF-8 with BOM): one line per problem, with line, column and reason; written on
/// a blocking thread, so a long report does not hold up the server's other answers.
pub async fn report_csv(record: &ImportRecord) -> AppResult<Vec<u8>> {
    let report = stored_report(record)?;
    off_thread(move || {
        let mut out = Vec::new();
        report.write_csv(&mut out).map(|()| out)
    })
    .await
}

/// The report of an import as an XLSX workbook with a summary sheet, written on a blocking thread.
pub async fn report_xlsx(record: &ImportRecord) -> AppResult<Vec<u8>> {
    let report = stored_report(record)?;
    off_thread(move || report.to_xlsx()).await
}

/// A blank template of a layout as CSV or XLSX, written on a blocking thread.
pub async fn template(layout: Layout, format: ExportFormat) -> AppResult<ExportFile> {
    off_thread(move || {
        Ok::<_, AppError>(match format {
            ExportFormat::Csv => ExportFile {
                bytes: chainpark_import::template_csv(layout).into_bytes(),
                content_type: "text/csv; charset=utf-8",
                extension: "csv",
            },
            ExportFormat::Xlsx => ExportFile {
                bytes: chainpark_import::template_xlsx(layout),
                content_type: XLSX,
                extension: "xlsx",
            },
        })
    })
    .await
}
