//! Errors that stop a whole file before or while it is read (wrong kind of file, no header, unreadable bytes).
//! Problems of single rows are not errors of this kind: they go to the [`crate::ImportReport`].

use std::io;

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
        "the workbook has {size} bytes, more than the {limit} allowed for XLSX; save it as CSV, which may be of any size"
    )]
    WorkbookTooLarge { size: u64, limit: u64 },
    #[error("the workbook has no worksheet named '{name}'; it has: {}", available.join(", "))]
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },
    #[error("the workbook has no worksheet")]
    NoWorksheet,
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
        "line {line}: a row runs on for more than {limit} bytes; a quote (\") opened on or before this line is \
         probably never closed"
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
                    "工作簿大小 {size} 字节，超过 XLSX 上限 {limit} 字节；请另存为 CSV（不限大小）"
                )
            }
            ImportError::SheetNotFound { name, available } => {
                format!(
                    "工作簿中没有名为“{name}”的工作表；现有：{}",
                    available.join("、")
                )
            }
            ImportError::NoWorksheet => "工作簿中没有工作表".into(),
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
                format!("第 {line} 行：一行超过 {limit} 字节，多半是此行或之前有引号（\"）未闭合")
            }
            ImportError::NoDataRows { header_line } => {
                format!("文件只有表头（第 {header_line} 行），没有数据行")
            }
            ImportError::Workbook(detail) => format!("读取工作簿失败：{detail}"),
            ImportError::Io(e) => format!("读取文件失败：{e}"),
        }
    }
}
