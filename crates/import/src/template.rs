//! Blank spreadsheets for users to fill in, one per layout, with Chinese headers and one example row. Each template
//! reads back cleanly through the importer (a test checks it), so it doubles as documentation of the layouts.

use chainpark_core::credit_code::CreditCode;
use rust_xlsxwriter::{Format, Workbook};

use crate::layout::Layout;

/// A cell of a template row: text stays text in XLSX (credit codes must not become numbers), numbers are numbers.
enum Example {
    Text(&'static str),
    Number(&'static str),
}

/// A made-up but valid code, so the example row passes the check-character test.
fn example_code() -> String {
    CreditCode::from_body("91500000MA5UABCD1")
        .map(|c| c.to_string())
        .unwrap_or_default()
}

fn columns(layout: Layout) -> (Vec<&'static str>, Vec<Example>) {
    use Example::*;
    match layout {
        Layout::Long => (
            vec![
                "统一社会信用代码",
                "企业名称",
                "期间",
                "指标",
                "数值",
                "单位",
            ],
            vec![
                Text("示例企业有限公司"),
                Text("2021-01"),
                Text("增加值"),
                Number("1234.56"),
                Text("万元"),
            ],
        ),
        Layout::WideByMonth => (
            vec![
                "统一社会信用代码",
                "企业名称",
                "指标",
                "单位",
                "2021-01",
                "2021-02",
                "2021-03",
            ],
            vec![
                Text("示例企业有限公司"),
                Text("营业收入"),
                Text("万元"),
                Number("1200.5"),
                Number("1350"),
                Number("1410.25"),
            ],
        ),
        Layout::WideByIndicator => (
            vec![
                "统一社会信用代码",
                "企业名称",
                "期间",
                "增加值(万元)",
                "工业总产值(万元)",
                "营业收入(万元)",
                "利润总额(万元)",
                "税金(万元)",
                "从业人员(人)",
                "研发经费(万元)",
                "固定资产投资(万元)",
                "综合能源消费量(吨标准煤)",
            ],
            vec![
                Text("示例企业有限公司"),
                Text("2021-01"),
                Number("1234.56"),
                Number("5678.9"),
                Number("6000"),
                Number("-320.5"),
                Number("88.12"),
                Number("356"),
                Number("45.6"),
                Number("1500"),
                Number("210.35"),
            ],
        ),
    }
}

/// The template as CSV text, UTF-8 with a BOM so that Excel shows the Chinese headers.
pub fn template_csv(layout: Layout) -> String {
    let (headers, example) = columns(layout);
    let code = example_code();
    let example_row = std::iter::once(code.as_str()).chain(example.iter().map(|cell| {
        let (Example::Text(t) | Example::Number(t)) = cell;
        *t
    }));
    let bytes = crate::spreadsheet_csv([headers, example_row.collect()])
        .expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the CSV writer writes UTF-8")
}

/// The template as an XLSX workbook.
pub fn template_xlsx(layout: Layout) -> Vec<u8> {
    build_xlsx(layout).expect("a fixed template always builds")
}

fn build_xlsx(layout: Layout) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let (headers, example) = columns(layout);
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet();
    sheet.set_name(layout.name_zh().split('（').next().unwrap_or("模板"))?;
    for (col, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 24.0 } else { 16.0 })?;
    }
    // The code column is formatted as text so that codes typed in later keep all 18 characters.
    sheet.set_column_format(0, &text)?;
    sheet.write_string_with_format(1, 0, example_code(), &text)?;
    for (i, cell) in example.iter().enumerate() {
        let col = i as u16 + 1;
        match cell {
            Example::Text(t) => sheet.write_string(1, col, *t)?,
            Example::Number(n) => {
                sheet.write_number(1, col, n.parse::<f64>().unwrap_or_default())?
            }
        };
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}
