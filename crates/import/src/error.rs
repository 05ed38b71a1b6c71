//! Errors that stop a whole file before or while it is read (wrong kind of file, no header, unreadable bytes).
//! Problems of single rows are not errors of this kind: they go to the [`crate::ImportReport`].

use std::io;

use crate::limits::Limit;

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not CSV text: it looks like {0}")]
    NotText(String),
    #[error("the file is not an XLSX workbook: {0}")]
    NotAWorkbook(String),
    #[error(
        "this is an old Excel 97-2003 .xls workbook; save it as .xlsx or CSV and upload it again"
    )]
    OldExcelFormat,
    #[error(
        "the workbook has {size} bytes, more than the {limit} allowed for XLSX (limit max_xlsx_bytes = {limit}); save \
         it as CSV, which streams"
    )]
    WorkbookTooLarge { size: u64, limit: u64 },
    #[error("the workbook has no worksheet named '{name}'; it has: {}", available.join(", "))]
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },
    #[error("the workbook has no worksheet")]
    NoWorksheet,
    #[error(
        "every worksheet of the workbook is hidden ({}); name the one to read (the sheet parameter, or --sheet)",
        sheets.join(", ")
    )]
    NoVisibleWorksheet { sheets: Vec<String> },
    #[error(
        "sheet '{sheet}': cell {cell} lies past the last cell of a worksheet, XFD1048576 (16,384 columns, \
         1,048,576 rows)"
    )]
    CellOutOfRange { sheet: String, cell: String },
    #[error(
        "sheet '{sheet}': cell {cell} refers to shared string {index}, but the workbook has only {count} shared \
         strings"
    )]
    BadSharedString {
        sheet: String,
        cell: String,
        index: String,
        count: usize,
    },
    #[error("the workbook's zip archive holds more than {} files (limit {limit})", limit.value)]
    TooManyParts { limit: Limit },
    #[error("the workbook's part {part} lists more than {} {what} (limit {limit})", limit.value)]
    TooManyEntries {
        part: String,
        what: &'static str,
        limit: Limit,
    },
    #[error("the workbook's part {part} decompresses to more than {} bytes (limit {limit})", limit.value)]
    PartTooLarge { part: String, limit: Limit },
    #[error(
        "the workbook's part {part} expands more than {} times its compressed size, as zip bombs do (limit {limit})",
        limit.value
    )]
    ZipBomb { part: String, limit: Limit },
    #[error(
        "the workbook's part {part} holds one element or text of more than {bytes} bytes, more than a cell may \
         hold (limit {limit})"
    )]
    ElementTooLarge {
        part: String,
        bytes: usize,
        limit: Limit,
    },
    #[error("the workbook has more than {} shared strings (limit {limit})", limit.value)]
    TooManySharedStrings { limit: Limit },
    #[error("shared string {index} of the workbook holds more than {} characters (limit {limit})", limit.value)]
    SharedStringTooLong { index: usize, limit: Limit },
    #[error("line {line}, column {column}: a cell holds more than {} characters (limit {limit})", limit.value)]
    CellTooLong {
        line: u64,
        column: String,
        limit: Limit,
    },
    #[error("line {line}: the row has more than {} cells (limit {limit})", limit.value)]
    TooManyCells { line: u64, limit: Limit },
    #[error("line {line}: the row's cells hold more than {} bytes together (limit {limit})", limit.value)]
    RowTooLarge { line: u64, limit: Limit },
    #[error(
        "the file {file} could not be read: the reader failed on it ({detail}); nothing was stored"
    )]
    ReaderFailed { file: String, detail: String },
    #[error("line {line}: the bytes at offset {offset} are not valid {encoding} text")]
    Encoding {
        line: u64,
        offset: u64,
        encoding: &'static str,
    },
    #[error(
        "no header row in the first {rows} rows: a header needs a credit-code column (统一社会信用代码 or credit_code); \
         the first row has: {first_row}"
    )]
    NoHeader { rows: usize, first_row: String },
    #[error("line {line}: cannot tell the layout from the header: {detail}")]
    UnknownLayout { line: u64, detail: String },
    #[error("line {line}: columns {first} and {second} are both the {role} column")]
    DuplicateColumn {
        line: u64,
        role: String,
        first: String,
        second: String,
    },
    #[error(
        "line {line}: a row runs on for more than {limit} bytes (limit max_row_bytes = {limit}); a quote (\") \
         opened on or before this line is probably never closed"
    )]
    RowTooLong { line: u64, limit: usize },
    #[error("the file has a header (line {header_line}) but no data rows")]
    NoDataRows { header_line: u64 },
    #[error("reading the workbook failed: {0}")]
    Workbook(String),
    #[error("reading the file failed: {0}")]
    Io(#[from] io::Error),
}

impl ImportError {
    /// A stable machine-readable code, e.g. for the `type` of a problem+json response.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty => "empty_file",
            ImportError::NotText(_) => "not_text",
            ImportError::NotAWorkbook(_) => "not_a_workbook",
            ImportError::OldExcelFormat => "old_excel_format",
            ImportError::WorkbookTooLarge { .. } => "workbook_too_large",
            ImportError::SheetNotFound { .. } => "sheet_not_found",
            ImportError::NoWorksheet => "no_worksheet",
            ImportError::NoVisibleWorksheet { .. } => "no_visible_worksheet",
            ImportError::CellOutOfRange { .. } => "cell_out_of_range",
            ImportError::BadSharedString { .. } => "bad_shared_string",
            ImportError::TooManyParts { .. } => "too_many_parts",
            ImportError::TooManyEntries { .. } => "too_many_entries",
            ImportError::PartTooLarge { .. } => "part_too_large",
            ImportError::ZipBomb { .. } => "zip_bomb",
            ImportError::ElementTooLarge { .. } => "element_too_large",
            ImportError::TooManySharedStrings { .. } => "too_many_shared_strings",
            ImportError::CellTooLong { .. } | ImportError::SharedStringTooLong { .. } => {
                "cell_too_long"
            }
            ImportError::TooManyCells { .. } => "too_many_cells",
            ImportError::RowTooLarge { .. } => "row_too_large",
            ImportError::ReaderFailed { .. } => "reader_failed",
            ImportError::Encoding { .. } => "bad_encoding",
            ImportError::NoHeader { .. } => "no_header",
            ImportError::UnknownLayout { .. } => "unknown_layout",
            ImportError::DuplicateColumn { .. } => "duplicate_column",
            ImportError::RowTooLong { .. } => "row_too_long",
            ImportError::NoDataRows { .. } => "no_data_rows",
            ImportError::Workbook(_) => "unreadable_workbook",
            ImportError::Io(_) => "io",
        }
    }

    /// The same message in Chinese, for the users of the zone's committee.
    pub fn message_zh(&self) -> String {
        match self {
            ImportError::Empty => "文件为空".into(),
            ImportError::NotText(what) => format!("文件不是 CSV 文本（看起来是：{what}）"),
            ImportError::NotAWorkbook(detail) => format!("文件不是 XLSX 工作簿：{detail}"),
            ImportError::OldExcelFormat => {
                "这是旧版 Excel 97-2003（.xls）文件，请另存为 .xlsx 或 CSV 后重新上传".into()
            }
            ImportError::WorkbookTooLarge { size, limit } => {
                format!(
                    "工作簿大小 {size} 字节，超过 XLSX 上限 {limit} 字节（max_xlsx_bytes）；请另存为 CSV"
                )
            }
            ImportError::SheetNotFound { name, available } => {
                format!(
                    "工作簿中没有名为“{name}”的工作表；现有：{}",
                    available.join("、")
                )
            }
            ImportError::NoWorksheet => "工作簿中没有工作表".into(),
            ImportError::NoVisibleWorksheet { sheets } => format!(
                "工作簿的工作表都已隐藏（{}）；请指定要读取的工作表（sheet 参数或 --sheet）",
                sheets.join("、")
            ),
            ImportError::CellOutOfRange { sheet, cell } => format!(
                "工作表“{sheet}”：单元格 {cell} 超出工作表的最后一个单元格 XFD1048576（16384 列、1048576 行）"
            ),
            ImportError::BadSharedString {
                sheet,
                cell,
                index,
                count,
            } => format!(
                "工作表“{sheet}”：单元格 {cell} 引用第 {index} 个共享字符串，但工作簿只有 {count} 个"
            ),
            ImportError::TooManyParts { limit } => {
                format!("工作簿的压缩包含有超过 {} 个文件（{limit}）", limit.value)
            }
            ImportError::TooManyEntries { part, what, limit } => {
                format!(
                    "工作簿的组成部分 {part} 中的 {what} 超过 {} 个（{limit}）",
                    limit.value
                )
            }
            ImportError::PartTooLarge { part, limit } => {
                format!(
                    "工作簿的组成部分 {part} 解压后超过 {} 字节（{limit}）",
                    limit.value
                )
            }
            ImportError::ZipBomb { part, limit } => format!(
                "工作簿的组成部分 {part} 解压后超过压缩大小的 {} 倍，是“压缩炸弹”（{limit}）",
                limit.value
            ),
            ImportError::ElementTooLarge { part, bytes, limit } => format!(
                "工作簿的组成部分 {part} 中有一个元素或文本超过 {bytes} 字节，超出单元格的容量（{limit}）"
            ),
            ImportError::TooManySharedStrings { limit } => {
                format!("工作簿的共享字符串超过 {} 个（{limit}）", limit.value)
            }
            ImportError::SharedStringTooLong { index, limit } => {
                format!(
                    "工作簿的第 {index} 个共享字符串超过 {} 个字符（{limit}）",
                    limit.value
                )
            }
            ImportError::CellTooLong {
                line,
                column,
                limit,
            } => {
                format!(
                    "第 {line} 行 {column} 列：单元格超过 {} 个字符（{limit}）",
                    limit.value
                )
            }
            ImportError::TooManyCells { line, limit } => {
                format!("第 {line} 行：超过 {} 个单元格（{limit}）", limit.value)
            }
            ImportError::RowTooLarge { line, limit } => {
                format!(
                    "第 {line} 行：单元格合计超过 {} 字节（{limit}）",
                    limit.value
                )
            }
            ImportError::ReaderFailed { file, detail } => {
                format!("无法读取文件 {file}：读取时出错（{detail}）；未保存任何数据")
            }
            ImportError::Encoding {
                line,
                offset,
                encoding,
            } => {
                format!("第 {line} 行：偏移 {offset} 处的字节不是有效的 {encoding} 文本")
            }
            ImportError::NoHeader { rows, first_row } => {
                format!(
                    "前 {rows} 行中找不到表头：表头须含“统一社会信用代码”列；第一行为：{first_row}"
                )
            }
            ImportError::UnknownLayout { line, detail } => {
                format!("第 {line} 行：无法从表头判断表格格式：{detail}")
            }
            ImportError::DuplicateColumn {
                line,
                role,
                first,
                second,
            } => {
                format!("第 {line} 行：{first} 列与 {second} 列重复（都是“{role}”）")
            }
            ImportError::RowTooLong { line, limit } => {
                format!(
                    "第 {line} 行：一行超过 {limit} 字节（max_row_bytes），多半是此行或之前有引号（\"）未闭合"
                )
            }
            ImportError::NoDataRows { header_line } => {
                format!("文件只有表头（第 {header_line} 行），没有数据行")
            }
            ImportError::Workbook(detail) => format!("读取工作簿失败：{detail}"),
            ImportError::Io(e) => format!("读取文件失败：{e}"),
        }
    }
}
