//! The row checker shared by the CSV and XLSX readers: every data row is checked against the header plan (credit
//! code, period, indicator, value, repetition), problems go to the report, and the values of clean rows go to the
//! sink. Results for the same raw text are cached (consecutive rows repeat enterprises, months and indicators), so
//! the common row costs a few comparisons and one insert into a compressed bitmap.
//!
//! Repeated keys are found with a set that holds no line numbers, so memory stays small whatever the file size; a
//! file with repeats is read a second time ([`Pass::FindFirstLines`]) to name the line where each listed key first
//! appeared.

use std::fmt::Write as _;
use std::ops::ControlFlow;

use chainpark_core::credit_code::CreditCode;
use roaring::RoaringBitmap;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalogue::{Catalogue, IndicatorDef, IndicatorId};
use crate::importer::{ImportOptions, IndicatorValue, ValueSink};
use crate::layout::{Header, Plan};
use crate::normalise::{fold_char, key_into, split_label};
use crate::period::{PeriodError, YearMonth};
use crate::report::{Format, ImportReport, Problem, RowError, shorten};
use crate::unit::{Unit, parse_unit};
use crate::value::{Decimal, ValueError, parse_decimal, parse_value, scale};

/// One cell as the readers hand it over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Int(i64),
    Bool(bool),
    /// An Excel date cell, already reduced to its month.
    Month(YearMonth),
    /// An Excel date cell outside the calendar.
    BadDate(f64),
    /// An Excel error value such as `#DIV/0!`.
    Error(&'a str),
}

impl Cell<'_> {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// Blank, or a dash or slash that statistical tables use for "no data".
    fn is_no_value(&self) -> bool {
        match self {
            Cell::Text(t) => t
                .trim()
                .chars()
                .all(|c| matches!(c, '-' | '—' | '–' | '－' | '/' | '／')),
            other => other.is_blank(),
        }
    }

    /// The cell as written, for the report.
    fn render(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => shorten(t, 100).into_owned(),
            Cell::Number(f) => f.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => b.to_string().to_uppercase(),
            Cell::Month(m) => m.to_string(),
            Cell::BadDate(f) => format!("date serial {f}"),
            Cell::Error(e) => e.to_string(),
        }
    }
}

/// A row of cells from either reader.
pub(crate) trait Row {
    fn len(&self) -> usize;
    fn cell(&self, index: usize) -> Cell<'_>;

    fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.cell(i).is_blank())
    }
}

/// A problem message before it is placed at a line and column.
#[derive(Debug, Clone)]
struct Complaint {
    problem: Problem,
    reason: String,
    reason_zh: String,
}

impl Complaint {
    fn new(problem: Problem, reason: String, reason_zh: String) -> Complaint {
        Complaint {
            problem,
            reason,
            reason_zh,
        }
    }
}

/// Caches keep at most this many distinct texts; a file with more simply recomputes.
const CACHE_LIMIT: usize = 4096;

/// Longer texts are neither cached nor looked up: no real indicator name or unit is this long, a cache of 4096 long
/// cells (with their complaints, which quote them) would hold hundreds of megabytes, and normalising a 32,000-
/// character cell on every row of a file would take minutes.
const CACHED_TEXT_BYTES: usize = 256;

/// Enterprise id and slot (month ordinal << 15 | indicator index): what may appear once in a file.
type Key = (i64, u32);

/// The keys seen so far, exactly. Each enterprise has a bitset of months × the catalogue's indicators from the
/// earliest month met: a file's rows of one enterprise come together, so the last enterprise's set is kept at hand
/// and the common row costs a shift and an OR, with no hashing. An enterprise whose keys are too spread out for a
/// bitset to be small (more than [`SPREAD_WORDS`] words beyond one per key) goes on in the compressed form: ids that
/// fit in 32 bits in a compressed bitmap under their slot, any others in a plain set. Memory stays a few bits a key
/// for honest files and about what a set costs for hostile ones.
struct KeySet {
    /// Indicators in the catalogue: the bits of one month.
    width: usize,
    /// Enterprise → its entry in `firms`.
    index: FxHashMap<i64, u32>,
    firms: Vec<FirmKeys>,
    /// The enterprise of the last key and its entry.
    last: Option<(i64, u32)>,
    packed: FxHashMap<u32, RoaringBitmap>,
    other: FxHashSet<Key>,
}

/// Words of slack a firm's bitset may have beyond one per key before the firm moves to the compressed form.
const SPREAD_WORDS: usize = 64;

/// One enterprise's keys: bit `(ordinal - first) × width + indicator` of `bits`, unless `spread`.
#[derive(Default)]
struct FirmKeys {
    first: u32,
    bits: Vec<u64>,
    keys: usize,
    spread: bool,
}

impl FirmKeys {
    /// Adds the key; `None` when the bitset would grow too sparse (the caller moves the firm to the compressed form).
    fn insert(&mut self, ordinal: u32, indicator: usize, width: usize) -> Option<bool> {
        if self.bits.is_empty() {
            self.first = ordinal;
        } else if ordinal < self.first {
            // Room below as well, so a file in descending months does not move the bits at every month.
            let below = (self.bits.len() * 64 / width).max(12) as u32;
            let first = ordinal.saturating_sub(below);
            let shift = (self.first - first) as usize * width;
            if (self.bits.len() * 64 + shift).div_ceil(64) > self.keys + SPREAD_WORDS {
                return None;
            }
            let (words, offset) = (shift / 64, shift % 64);
            let mut moved = vec![0u64; self.bits.len() + words + 1];
            for (i, &w) in self.bits.iter().enumerate() {
                moved[i + words] |= w << offset;
                if offset != 0 {
                    moved[i + words + 1] |= w >> (64 - offset);
                }
            }
            self.bits = moved;
            self.first = first;
        }
        let bit = (ordinal - self.first) as usize * width + indicator;
        let word = bit / 64;
        if word >= self.bits.len() {
            if word + 1 > self.keys + SPREAD_WORDS {
                return None;
            }
            self.bits.resize((word + 1).max(self.bits.len() * 2), 0);
        }
        let mask = 1u64 << (bit % 64);
        let new = self.bits[word] & mask == 0;
        self.bits[word] |= mask;
        self.keys += usize::from(new);
        Some(new)
    }

    /// The keys held, as (ordinal, indicator index).
    fn keys(&self, width: usize) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.bits.iter().enumerate().flat_map(move |(i, &w)| {
            (0..64).filter(move |b| w & (1u64 << b) != 0).map(move |b| {
                let bit = i * 64 + b;
                (self.first + (bit / width) as u32, bit % width)
            })
        })
    }
}

impl KeySet {
    fn new(indicators: usize) -> KeySet {
        KeySet {
            width: indicators.max(1),
            index: FxHashMap::default(),
            firms: Vec::new(),
            last: None,
            packed: FxHashMap::default(),
            other: FxHashSet::default(),
        }
    }

    /// Adds the key; `false` when it was there already.
    fn insert(&mut self, (enterprise, slot): Key) -> bool {
        let firm = match self.last {
            Some((e, firm)) if e == enterprise => firm,
            _ => {
                let next = self.firms.len() as u32;
                let firm = *self.index.entry(enterprise).or_insert(next);
                if firm == next {
                    self.firms.push(FirmKeys::default());
                }
                self.last = Some((enterprise, firm));
                firm
            }
        };
        let (ordinal, indicator) = (slot >> 15, (slot & 0x7fff) as usize);
        let keys = &mut self.firms[firm as usize];
        if !keys.spread {
            if indicator < self.width
                && let Some(new) = keys.insert(ordinal, indicator, self.width)
            {
                return new;
            }
            // Too spread out for a bitset: its keys move to the compressed form.
            let held: Vec<Key> = keys
                .keys(self.width)
                .map(|(o, i)| (enterprise, (o << 15) | i as u32))
                .collect();
            *keys = FirmKeys {
                spread: true,
                ..FirmKeys::default()
            };
            for key in held {
                self.insert_compressed(key);
            }
        }
        self.insert_compressed((enterprise, slot))
    }

    fn insert_compressed(&mut self, (enterprise, slot): Key) -> bool {
        match u32::try_from(enterprise) {
            Ok(id) => self.packed.entry(slot).or_default().insert(id),
            Err(_) => self.other.insert((enterprise, slot)),
        }
    }
}

/// The repeated keys listed in the report. The key set tells that a key repeats but not where it first appeared,
/// so the first lines are found by a second reading of the file and then named in the errors.
#[derive(Default)]
pub(crate) struct Repeats {
    /// Each listed repeat: its index in the report's errors, its key, and "code × period × indicator" as written.
    listed: Vec<(usize, Key, String)>,
    /// First line of each listed key, once found.
    first_lines: FxHashMap<Key, Option<u64>>,
    /// Keys whose first line is not found yet.
    missing: usize,
}

impl Repeats {
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    fn note(&mut self, error: usize, key: Key, subject: String) {
        self.listed.push((error, key, subject));
        self.first_lines.entry(key).or_insert_with(|| {
            self.missing += 1;
            None
        });
    }

    /// Takes note of a key met on `line` by the second reading.
    fn met(&mut self, key: Key, line: u64) {
        if let Some(first @ None) = self.first_lines.get_mut(&key) {
            *first = Some(line);
            self.missing -= 1;
        }
    }

    /// Names the first line of each listed repeat in its error (after the second reading).
    pub fn name_first_lines(self, report: &mut ImportReport) {
        for (error, key, subject) in self.listed {
            let first_line = self.first_lines.get(&key).copied().flatten();
            let error = &mut report.errors[error];
            let Complaint {
                reason, reason_zh, ..
            } = repeat_complaint(&subject, first_line, error.line);
            error.first_line = first_line;
            error.reason = reason;
            error.reason_zh = reason_zh;
        }
    }
}

/// What a reading of the file is for.
pub(crate) enum Pass<'a, S: ?Sized> {
    /// The reading proper: values go to the sink, problems to the report, repeated keys to [`Repeats`].
    Check(&'a mut S),
    /// The second reading of a file with repeated keys: only the first line of each listed key is looked for; no
    /// value goes anywhere and the report is not kept. Rows stop once every first line is found.
    FindFirstLines(&'a mut Repeats),
}

pub(crate) struct Checker<'a, F, S: ?Sized> {
    pub header: Header,
    state: State<'a, F, S>,
}

struct State<'a, F, S: ?Sized> {
    catalogue: &'a Catalogue,
    options: &'a ImportOptions,
    resolve: F,
    pass: Pass<'a, S>,
    report: ImportReport,
    row_bad: bool,
    pending: Vec<IndicatorValue>,
    /// Every enterprise × month × indicator met, to find repeated rows.
    seen: KeySet,
    repeats: Repeats,
    code_raw: String,
    code_cached: Option<Result<i64, Complaint>>,
    period_raw: String,
    period_cached: Option<Result<YearMonth, Complaint>>,
    indicators: FxHashMap<String, Result<(IndicatorId, Option<Unit>), Complaint>>,
    units: FxHashMap<String, Result<Unit, Complaint>>,
    scratch: String,
    unit_scratch: String,
    number_text: String,
}

impl<'a, F, S> Checker<'a, F, S>
where
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    pub fn new(
        header: Header,
        header_line: u64,
        format: Format,
        catalogue: &'a Catalogue,
        options: &'a ImportOptions,
        resolve: F,
        pass: Pass<'a, S>,
    ) -> Self {
        let report = ImportReport {
            format,
            encoding: None,
            sheet: None,
            other_sheets: Vec::new(),
            layout: header.layout,
            header_line,
            rows_read: 0,
            rows_rejected: 0,
            values_accepted: 0,
            empty_cells: 0,
            error_count: 0,
            errors: Vec::new(),
            stopped_early: false,
        };
        let mut state = State {
            catalogue,
            options,
            resolve,
            pass,
            report,
            row_bad: false,
            pending: Vec::new(),
            seen: KeySet::new(catalogue.defs().len()),
            repeats: Repeats::default(),
            code_raw: String::new(),
            code_cached: None,
            period_raw: String::new(),
            period_cached: None,
            indicators: FxHashMap::default(),
            units: FxHashMap::default(),
            scratch: String::new(),
            unit_scratch: String::new(),
            number_text: String::new(),
        };
        for p in &header.problems {
            let column = header.column(p.column);
            state.reject(
                &header,
                header_line,
                p.column,
                Cell::Text(&column.name),
                || Complaint::new(p.problem, p.reason.clone(), p.reason_zh.clone()),
            );
        }
        Checker { header, state }
    }

    /// The report, and the listed repeats whose first lines are still to be named.
    pub fn finish(self) -> (ImportReport, Repeats) {
        (self.state.report, self.state.repeats)
    }

    pub fn rows_read(&self) -> u64 {
        self.state.report.rows_read
    }

    /// Rejects a whole row for a problem found by the reader (an unclosed quote).
    pub fn reject_row(
        &mut self,
        line: u64,
        column: usize,
        cell: &str,
        complaint: (Problem, String, String),
    ) {
        self.state.report.rows_read += 1;
        self.state.report.rows_rejected += 1;
        let (problem, reason, reason_zh) = complaint;
        self.state
            .reject(&self.header, line, column, Cell::Text(cell), || {
                Complaint::new(problem, reason, reason_zh)
            });
    }

    /// Checks one data row; `Break` when the sink wants no more, or when the second reading found every first line.
    pub fn row(&mut self, line: u64, row: &impl Row) -> ControlFlow<()> {
        if row.is_blank() {
            return ControlFlow::Continue(());
        }
        let header = &self.header;
        let st = &mut self.state;
        st.report.rows_read += 1;
        st.row_bad = false;
        st.pending.clear();
        // Trailing empty cells (stray commas) are harmless; a filled cell past the header means the row's cells
        // are not where the header says, so nothing in it can be trusted.
        for index in header.columns.len()..row.len() {
            let cell = row.cell(index);
            if !cell.is_blank() {
                let columns = header.columns.len();
                st.reject(header, line, index, cell, || {
                    Complaint::new(
                        Problem::ExtraCell,
                        format!(
                            "the row has a value past the header's {columns} columns; a number with a thousands \
                             separator (1,000.00) must be quoted in a CSV file"
                        ),
                        format!("本行超出表头的{columns}列；CSV中带千分位逗号的数字（如1,000.00）须加引号"),
                    )
                });
                break;
            }
        }

        let enterprise = st.credit_code(header, line, row.cell(header.credit_code));
        let unit_column = header
            .unit
            .and_then(|i| st.unit_cell(header, line, i, row.cell(i)));
        match &header.plan {
            Plan::Long {
                period,
                indicator,
                value,
                value_unit,
            } => {
                let month = st.period(header, line, *period, row.cell(*period));
                if let Some((id, indicator_unit)) =
                    st.indicator(header, line, *indicator, row.cell(*indicator))
                {
                    // A unit in the value header ("数值（万元）") is the file's default for the indicators it can
                    // measure; rows of headcount in the same file stay in persons.
                    let base = st.catalogue.get(id).base_unit;
                    let fallback = unit_column
                        .or(indicator_unit)
                        .or(value_unit.filter(|u| u.fits(base)));
                    let cell = row.cell(*value);
                    let v = if cell.is_blank() {
                        st.reject(header, line, *value, cell, || {
                            Complaint::new(
                                Problem::MissingValue,
                                "the value is empty".into(),
                                "数值为空".into(),
                            )
                        });
                        None
                    } else {
                        st.value(header, line, *value, cell, id, fallback)
                    };
                    st.record(header, line, *value, enterprise, month, id, v);
                }
            }
            Plan::WideByMonth { indicator, months } => {
                if let Some((id, indicator_unit)) =
                    st.indicator(header, line, *indicator, row.cell(*indicator))
                {
                    for m in months {
                        let cell = row.cell(m.index);
                        if cell.is_no_value() {
                            st.report.empty_cells += 1;
                            continue;
                        }
                        let base = st.catalogue.get(id).base_unit;
                        let fallback = unit_column
                            .or(indicator_unit)
                            .or(m.unit.filter(|u| u.fits(base)));
                        let v = st.value(header, line, m.index, cell, id, fallback);
                        st.record(header, line, m.index, enterprise, Some(m.month), id, v);
                    }
                }
            }
            Plan::WideByIndicator { period, indicators } => {
                let month = st.period(header, line, *period, row.cell(*period));
                for c in indicators {
                    let cell = row.cell(c.index);
                    if cell.is_no_value() {
                        st.report.empty_cells += 1;
                        continue;
                    }
                    let fallback = unit_column.or(c.unit);
                    let v = st.value(header, line, c.index, cell, c.indicator, fallback);
                    st.record(header, line, c.index, enterprise, month, c.indicator, v);
                }
            }
        }

        let sink = match &mut st.pass {
            Pass::Check(sink) => sink,
            Pass::FindFirstLines(repeats) if repeats.missing == 0 => return ControlFlow::Break(()),
            Pass::FindFirstLines(_) => return ControlFlow::Continue(()),
        };
        if st.row_bad {
            st.report.rows_rejected += 1;
            return ControlFlow::Continue(());
        }
        for v in st.pending.drain(..) {
            st.report.values_accepted += 1;
            if sink.accept(v).is_break() {
                st.report.stopped_early = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

impl<F, S> State<'_, F, S>
where
    F: FnMut(&CreditCode) -> Option<i64>,
    S: ValueSink + ?Sized,
{
    fn reject(
        &mut self,
        header: &Header,
        line: u64,
        column: usize,
        cell: Cell<'_>,
        why: impl FnOnce() -> Complaint,
    ) {
        self.row_bad = true;
        self.report.error_count += 1;
        if self.listing() {
            let Complaint {
                problem,
                reason,
                reason_zh,
            } = why();
            let col = header.column(column);
            let max = self.options.limits.max_report_text_chars;
            self.report.errors.push(RowError {
                line,
                column: shorten(&col.name, max).into_owned(),
                column_letter: col.letter,
                problem,
                cell: shorten(&cell.render(), max).into_owned(),
                reason: shorten(&reason, max).into_owned(),
                reason_zh: shorten(&reason_zh, max).into_owned(),
                first_line: None,
            });
        }
    }

    /// Whether a problem found now is listed in the report: not past the cap, and not in the second reading.
    fn listing(&self) -> bool {
        matches!(self.pass, Pass::Check(_))
            && self.report.errors.len() < self.options.limits.max_listed_errors
    }

    fn credit_code(&mut self, header: &Header, line: u64, cell: Cell<'_>) -> Option<i64> {
        let column = header.credit_code;
        let text = match cell {
            Cell::Text(t) => t.trim(),
            Cell::Int(i) => {
                self.number_text.clear();
                let _ = write!(self.number_text, "{i}");
                // Borrowing `number_text` across `check_code` would alias `self`; codes stored as integers are rare.
                let owned = std::mem::take(&mut self.number_text);
                let result = self.check_code(header, line, &owned, cell);
                self.number_text = owned;
                return result;
            }
            Cell::Number(f) => {
                self.reject(header, line, column, cell, || {
                    Complaint::new(
                        Problem::InvalidCreditCode,
                        format!("the credit code is stored as a number ({f}), which loses digits; format the column as text"),
                        format!("统一社会信用代码被存成了数字（{f}），会丢失位数；请把该列设为文本格式"),
                    )
                });
                return None;
            }
            _ => "",
        };
        if text.is_empty() && !matches!(cell, Cell::Text(_) | Cell::Empty) {
            self.reject(header, line, column, cell, || {
                Complaint::new(
                    Problem::InvalidCreditCode,
                    "the credit code is not text".into(),
                    "统一社会信用代码不是文本".into(),
                )
            });
            return None;
        }
        self.check_code(header, line, text, cell)
    }

    fn check_code(
        &mut self,
        header: &Header,
        line: u64,
        text: &str,
        cell: Cell<'_>,
    ) -> Option<i64> {
        if text.is_empty() {
            self.reject(header, line, header.credit_code, cell, || {
                Complaint::new(
                    Problem::MissingCreditCode,
                    "the credit code is empty".into(),
                    "统一社会信用代码为空".into(),
                )
            });
            return None;
        }
        if self.code_cached.is_none() || self.code_raw != text {
            let result = self.lookup_code(text);
            self.code_raw.clear();
            self.code_raw.push_str(text);
            self.code_cached = Some(result);
        }
        match &self.code_cached {
            Some(Ok(id)) => Some(*id),
            Some(Err(complaint)) => {
                let complaint = complaint.clone();
                self.reject(header, line, header.credit_code, cell, || complaint);
                None
            }
            None => None,
        }
    }

    fn lookup_code(&mut self, text: &str) -> Result<i64, Complaint> {
        let folded: std::borrow::Cow<'_, str> = if text.is_ascii() {
            text.into()
        } else {
            text.chars().map(fold_char).collect::<String>().into()
        };
        let code = CreditCode::parse(&folded).map_err(|e| {
            let text = shorten(text, 100);
            Complaint::new(
                Problem::InvalidCreditCode,
                format!("'{text}' is not a valid unified social credit code: {e}"),
                format!(
                    "“{text}”不是有效的统一社会信用代码：{}",
                    credit_code_error_zh(&e)
                ),
            )
        })?;
        (self.resolve)(&code).ok_or_else(|| {
            Complaint::new(
                Problem::UnknownCreditCode,
                format!("no enterprise with credit code {code} is registered"),
                format!("系统中没有统一社会信用代码为 {code} 的企业"),
            )
        })
    }

    fn period(
        &mut self,
        header: &Header,
        line: u64,
        column: usize,
        cell: Cell<'_>,
    ) -> Option<YearMonth> {
        let latest = self.options.latest_allowed;
        let result = match cell {
            Cell::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    Err(missing_period())
                } else {
                    if self.period_cached.is_none() || self.period_raw != t {
                        self.period_raw.clear();
                        self.period_raw.push_str(t);
                        self.period_cached = Some(check_month(YearMonth::parse(t), t, latest));
                    }
                    self.period_cached
                        .clone()
                        .unwrap_or_else(|| Err(missing_period()))
                }
            }
            Cell::Empty => Err(missing_period()),
            Cell::Month(m) => check_month(Ok(m), &m.to_string(), latest),
            Cell::Int(i) => {
                let text = i.to_string();
                check_month(YearMonth::parse(&text), &text, latest)
            }
            Cell::Number(f) => {
                let text = f.to_string();
                if text.len() == 6 && text.ends_with(".1") {
                    Err(Complaint::new(
                        Problem::BadPeriod,
                        format!(
                            "the number {text} could mean January or October; write the period as text, 2021-01 or 2021-10"
                        ),
                        format!(
                            "数字 {text} 既可能是 1 月也可能是 10 月，请写成文本，如 2021-01 或 2021-10"
                        ),
                    ))
                } else {
                    check_month(YearMonth::parse(&text), &text, latest)
                }
            }
            other => Err(Complaint::new(
                Problem::BadPeriod,
                format!("'{}' is not a period", other.render()),
                format!("“{}”不是期间", other.render()),
            )),
        };
        match result {
            Ok(m) => Some(m),
            Err(complaint) => {
                self.reject(header, line, column, cell, || complaint);
                None
            }
        }
    }

    fn indicator(
        &mut self,
        header: &Header,
        line: u64,
        column: usize,
        cell: Cell<'_>,
    ) -> Option<(IndicatorId, Option<Unit>)> {
        let text = match cell {
            Cell::Text(t) => t.trim(),
            Cell::Empty => "",
            other => {
                self.reject(header, line, column, other, || {
                    Complaint::new(
                        Problem::UnknownIndicator,
                        format!("'{}' is not an indicator name", other.render()),
                        format!("“{}”不是指标名称", other.render()),
                    )
                });
                return None;
            }
        };
        if text.is_empty() {
            self.reject(header, line, column, cell, || {
                Complaint::new(
                    Problem::MissingIndicator,
                    "the indicator is empty".into(),
                    "指标为空".into(),
                )
            });
            return None;
        }
        let result = match self.indicators.get(text) {
            Some(Ok(found)) => Ok(*found),
            Some(Err(complaint)) => Err(complaint.clone()),
            None => {
                if self.indicators.len() >= CACHE_LIMIT {
                    self.indicators.clear();
                }
                if text.len() > CACHED_TEXT_BYTES {
                    // No indicator's name is this long: refused without normalising it for every row.
                    Err(unknown_indicator(text))
                } else {
                    let result = self.lookup_indicator(text);
                    self.indicators.insert(text.to_string(), result.clone());
                    result
                }
            }
        };
        match result {
            Ok(found) => Some(found),
            Err(complaint) => {
                self.reject(header, line, column, cell, || complaint);
                None
            }
        }
    }

    fn lookup_indicator(&mut self, text: &str) -> Result<(IndicatorId, Option<Unit>), Complaint> {
        let label = split_label(text);
        key_into(&label.name, &mut self.scratch);
        let name = self.scratch.as_str();
        let cumulative =
            name.contains("累计") || label.qualifiers.iter().any(|q| q.contains("累计"));
        let stripped = ["本月", "当月", "累计"]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .or_else(|| name.strip_suffix("累计"))
            .unwrap_or(name);
        let shown = shorten(text, 100);
        let text = shown.as_ref();
        if cumulative {
            return Err(Complaint::new(
                Problem::CumulativeColumn,
                format!("'{text}' is a cumulative (累计) indicator; give each month's own value"),
                format!("“{text}”是累计值，请填写当月值"),
            ));
        }
        let Some(id) = self.catalogue.find_key(stripped) else {
            return Err(unknown_indicator(text));
        };
        let def = self.catalogue.get(id);
        let mut unit = None;
        for q in &label.qualifiers {
            match parse_unit(q, &mut self.unit_scratch) {
                Some(u) if u.fits(def.base_unit) => unit = Some(u),
                Some(_) => {
                    return Err(Complaint::new(
                        Problem::UnitMismatch,
                        format!(
                            "unit '{q}' does not fit {} (kept in {})",
                            def.code,
                            def.base_unit.symbol_en()
                        ),
                        format!(
                            "单位“{q}”与指标“{}”（{}）不符",
                            def.name_zh,
                            def.base_unit.symbol_zh()
                        ),
                    ));
                }
                None => {}
            }
        }
        Ok((id, unit))
    }

    fn unit_cell(
        &mut self,
        header: &Header,
        line: u64,
        column: usize,
        cell: Cell<'_>,
    ) -> Option<Unit> {
        let Cell::Text(text) = cell else { return None };
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let result = match self.units.get(text) {
            Some(Ok(u)) => Ok(*u),
            Some(Err(complaint)) => Err(complaint.clone()),
            None => {
                if self.units.len() >= CACHE_LIMIT {
                    self.units.clear();
                }
                let parsed = if text.len() > CACHED_TEXT_BYTES {
                    None
                } else {
                    parse_unit(text, &mut self.unit_scratch)
                };
                let result = parsed.ok_or_else(|| {
                    let text = shorten(text, 100);
                    Complaint::new(
                        Problem::UnknownUnit,
                        format!(
                            "unit '{text}' is not known (use 元, 万元, 亿元, 人, 吨标准煤, ...)"
                        ),
                        format!("单位“{text}”无法识别（可用：元、万元、亿元、人、吨标准煤等）"),
                    )
                });
                if text.len() <= CACHED_TEXT_BYTES {
                    self.units.insert(text.to_string(), result.clone());
                }
                result
            }
        };
        match result {
            Ok(u) => Some(u),
            Err(complaint) => {
                self.reject(header, line, column, cell, || complaint);
                None
            }
        }
    }

    fn value(
        &mut self,
        header: &Header,
        line: u64,
        column: usize,
        cell: Cell<'_>,
        id: IndicatorId,
        fallback: Option<Unit>,
    ) -> Option<i64> {
        if matches!(self.pass, Pass::FindFirstLines(_)) {
            // The second reading only looks at keys.
            return None;
        }
        let def = self.catalogue.get(id);
        let (base, allow_negative) = (def.base_unit, def.allow_negative);
        let result = match cell {
            Cell::Text(t) => parse_value(
                t,
                base,
                allow_negative,
                fallback,
                &mut self.scratch,
                &mut self.unit_scratch,
            ),
            Cell::Int(i) => scale(
                Decimal {
                    mantissa: i128::from(i),
                    exponent: 0,
                },
                base,
                allow_negative,
                fallback,
            ),
            Cell::Number(f) => {
                // Excel keeps 15 significant digits; reading the float at that precision gives back what the user
                // typed (0.1 + 0.2 shows as 0.3), and the decimal arithmetic stays exact from there.
                self.number_text.clear();
                let _ = write!(self.number_text, "{f:.14e}");
                let mut scratch = String::new();
                parse_decimal(&self.number_text, &mut scratch)
                    .and_then(|(d, _)| scale(d, base, allow_negative, fallback))
            }
            _ => Err(ValueError::NotANumber),
        };
        let catalogue = self.catalogue;
        match result {
            Ok(v) => match catalogue_complaint(catalogue.get(id), v) {
                None => Some(v),
                Some(complaint) => {
                    self.reject(header, line, column, cell, || complaint);
                    None
                }
            },
            Err(e) => {
                self.reject(header, line, column, cell, || {
                    value_complaint(&e, cell, catalogue, id)
                });
                None
            }
        }
    }

    /// Checks repetition of the key and keeps a good value for the end of the row.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        header: &Header,
        line: u64,
        column: usize,
        enterprise: Option<i64>,
        month: Option<YearMonth>,
        indicator: IndicatorId,
        value: Option<i64>,
    ) {
        let (Some(enterprise_id), Some(period)) = (enterprise, month) else {
            return;
        };
        let key = (
            enterprise_id,
            (period.ordinal() << 15) | indicator.index() as u32,
        );
        if let Pass::FindFirstLines(repeats) = &mut self.pass {
            repeats.met(key, line);
            return;
        }
        if !self.seen.insert(key) {
            let code = self.code_raw.clone();
            let indicator_code = &self.catalogue.get(indicator).code;
            let subject = format!("{code} × {period} × {indicator_code}");
            if self.listing() {
                self.repeats
                    .note(self.report.errors.len(), key, subject.clone());
            }
            self.reject(header, line, column, Cell::Text(&code), || {
                repeat_complaint(&subject, None, line)
            });
            return;
        }
        if let Some(value) = value {
            self.pending.push(IndicatorValue {
                line,
                enterprise_id,
                period,
                indicator,
                value,
            });
        }
    }
}

fn unknown_indicator(text: &str) -> Complaint {
    let text = shorten(text, 100);
    Complaint::new(
        Problem::UnknownIndicator,
        format!("'{text}' is not a known indicator"),
        format!("“{text}”不是可识别的指标"),
    )
}

/// A repeated key on `line`, naming the line where it first appeared once that is known.
fn repeat_complaint(subject: &str, first_line: Option<u64>, line: u64) -> Complaint {
    match first_line {
        Some(first) => Complaint::new(
            Problem::RepeatedRow,
            format!("{subject} already appeared on line {first}; this is line {line}"),
            format!("{subject} 已在第 {first} 行出现，本行（第 {line} 行）重复"),
        ),
        None => Complaint::new(
            Problem::RepeatedRow,
            format!("{subject} already appeared on an earlier line; this is line {line}"),
            format!("{subject} 已在前面出现，本行（第 {line} 行）重复"),
        ),
    }
}

fn missing_period() -> Complaint {
    Complaint::new(
        Problem::MissingPeriod,
        "the period is empty".into(),
        "期间为空".into(),
    )
}

fn check_month(
    parsed: Result<YearMonth, PeriodError>,
    text: &str,
    latest: YearMonth,
) -> Result<YearMonth, Complaint> {
    match parsed {
        Ok(m) if m > latest => Err(Complaint::new(
            Problem::FuturePeriod,
            format!("period {m} is in the future (the latest allowed month is {latest})"),
            format!("期间 {m} 在未来（最晚可填 {latest}）"),
        )),
        Ok(m) => Ok(m),
        Err(e) => {
            let (text, e) = match e {
                PeriodError::NotAMonth(raw) => (
                    shorten(text, 100),
                    PeriodError::NotAMonth(shorten(&raw, 100).into_owned()),
                ),
                other => (shorten(text, 100), other),
            };
            Err(Complaint::new(
                Problem::BadPeriod,
                format!("'{text}' is not a valid period: {e}"),
                format!("“{text}”不是有效的期间：{}", period_error_zh(&e)),
            ))
        }
    }
}

fn period_error_zh(e: &PeriodError) -> String {
    match e {
        PeriodError::NotAMonth(_) => "请写成 2021-01、202101 或 2021年1月".into(),
        PeriodError::MonthOutOfRange(m) => format!("月份 {m} 不在 1–12 之间"),
        PeriodError::YearOutOfRange(y) => format!("年份 {y} 不在 1900–2999 之间"),
        PeriodError::NoSuchDay { year, month, day } => format!("{year}年{month}月没有 {day} 日"),
    }
}

fn credit_code_error_zh(e: &chainpark_core::credit_code::CreditCodeError) -> String {
    use chainpark_core::credit_code::CreditCodeError::*;
    match e {
        WrongLength { expected, found } => format!("应为 {expected} 位，实际 {found} 位"),
        InvalidCharacter { position, found } => {
            format!("第 {position} 位“{found}”不是允许的字符（不用 I、O、Z、S、V）")
        }
        UnknownAuthority(c) => format!("第 1 位登记管理部门代码“{c}”无效"),
        InvalidKind(c) => format!("第 2 位机构类别代码“{c}”无效"),
        InvalidRegionCode(r) => format!("第 3–8 位行政区划码“{r}”应为 6 位数字"),
        WrongCheckCharacter { expected, found } => {
            format!("校验码应为“{expected}”，实际为“{found}”")
        }
    }
}

/// What the catalogue refuses of a value that reads well: any value of an archived indicator, and one beyond the
/// indicator's maximum per enterprise and month (either sign), which keeps absurd figures out of the sums.
fn catalogue_complaint(def: &IndicatorDef, value: i64) -> Option<Complaint> {
    if def.archived {
        return Some(Complaint::new(
            Problem::ArchivedIndicator,
            format!(
                "{} ({}) is archived and takes no new figures",
                def.name_en, def.code
            ),
            format!("指标“{}”已归档，不再接收新数据", def.name_zh),
        ));
    }
    if value.unsigned_abs() > def.max_per_month.unsigned_abs() {
        let limit = chainpark_core::figures::amount::to_decimal(def.max_per_month);
        let (unit_en, unit_zh) = (def.base_unit.symbol_en(), def.base_unit.symbol_zh());
        return Some(Complaint::new(
            Problem::ValueOutOfRange,
            format!(
                "{} is beyond the limit of {limit} {unit_en} per enterprise and month for {} (max_per_month of the \
                 indicator catalogue)",
                chainpark_core::figures::amount::to_decimal(value),
                def.name_en
            ),
            format!(
                "{}{unit_zh} 超过指标“{}”每家企业每月上限 {limit}{unit_zh}（指标库 max_per_month）",
                chainpark_core::figures::amount::to_decimal(value),
                def.name_zh
            ),
        ));
    }
    None
}

fn value_complaint(
    e: &ValueError,
    cell: Cell<'_>,
    catalogue: &Catalogue,
    id: IndicatorId,
) -> Complaint {
    let def = catalogue.get(id);
    let text = cell.render();
    let (unit_en, unit_zh) = (def.base_unit.symbol_en(), def.base_unit.symbol_zh());
    match e {
        ValueError::NotANumber => Complaint::new(
            Problem::BadValue,
            format!("'{text}' is not a number"),
            format!("“{text}”不是数字"),
        ),
        ValueError::UnknownUnit(u) => {
            let u = shorten(u, 100);
            Complaint::new(
                Problem::UnknownUnit,
                format!("unit '{u}' in '{text}' is not known"),
                format!("“{text}”中的单位“{u}”无法识别"),
            )
        }
        ValueError::UnitMismatch { unit, .. } => Complaint::new(
            Problem::UnitMismatch,
            format!("unit {unit} does not fit {} (kept in {unit_en})", def.code),
            format!("单位“{unit}”与指标“{}”（{unit_zh}）不符", def.name_zh),
        ),
        ValueError::TooManyDecimals { max_decimals } => Complaint::new(
            Problem::TooManyDecimals,
            format!(
                "'{text}' is more precise than a hundredth of a {unit_en} (at most {max_decimals} decimals in this \
                 unit); values are never rounded"
            ),
            format!(
                "“{text}”的精度超过 0.01 {unit_zh}（此单位下最多 {max_decimals} 位小数）；系统不会自动四舍五入"
            ),
        ),
        ValueError::OutOfRange => Complaint::new(
            Problem::ValueOutOfRange,
            format!("'{text}' is too large"),
            format!("“{text}”数值过大"),
        ),
        ValueError::Negative => Complaint::new(
            Problem::NegativeValue,
            format!("{} cannot be negative: '{text}'", def.name_en),
            format!("{}不能为负数：“{text}”", def.name_zh),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so the test does not depend on a seed from outside.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn the_key_set_finds_exactly_the_repeated_keys_in_any_order_and_spread() {
        let width = 9;
        let mut set = KeySet::new(width);
        let mut reference: FxHashSet<Key> = FxHashSet::default();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut check = |set: &mut KeySet, key: Key| {
            assert_eq!(set.insert(key), reference.insert(key), "key {key:?}");
        };
        // In file order (ascending, then descending months), with every key met twice.
        for enterprise in [1i64, 2, 3] {
            for _ in 0..2 {
                for month in 0..180u32 {
                    let ordinal = if enterprise == 2 {
                        24_300 - month
                    } else {
                        24_100 + month
                    };
                    for indicator in 0..width as u32 {
                        check(&mut set, (enterprise, (ordinal << 15) | indicator));
                    }
                }
            }
        }
        // Random order over a few enterprises, months of a whole millennium (too spread for a bitset), ids past
        // 32 bits and below zero.
        for _ in 0..200_000 {
            let r = next(&mut state);
            let enterprise = match r % 5 {
                0 => -(((r >> 8) % 3) as i64) - 1,
                1 => (1 << 40) + ((r >> 8) % 3) as i64,
                _ => ((r >> 8) % 7) as i64,
            };
            let ordinal = if r.is_multiple_of(3) {
                22_800 + ((r >> 16) % 13_200) as u32
            } else {
                24_100 + ((r >> 16) % 200) as u32
            };
            let indicator = ((r >> 40) % width as u64) as u32;
            check(&mut set, (enterprise, (ordinal << 15) | indicator));
        }
    }
}
