//! Text bound for a spreadsheet cell. A CSV file has no types, so a program that opens it evaluates a cell that
//! begins like a formula (`=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`): every CSV chainpark writes passes
//! each cell through [`formula_safe`] (the OWASP "CSV injection" rule). XLSX cells are written as typed strings and
//! need nothing.

use std::borrow::Cow;

/// The characters that make a spreadsheet program read a cell as a formula (tab and carriage return too, which
/// some programs strip before looking).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as it may be written to CSV: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets
/// a leading `'`, so it is shown as text and never evaluated. A plain number (`-12.5`, `-320`) is left alone: a
/// spreadsheet reads it as that number, which is what a figure in an export must stay.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-` followed by digits with at most one decimal point between digits: nothing a spreadsheet could evaluate.
fn is_plain_number(cell: &str) -> bool {
    let Some(digits) = cell.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "1"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_start_like_a_formula_are_prefixed_with_a_quote() {
        for cell in [
            "=HYPERLINK(\"http://evil.example\",\"点击\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
            "-",
            "-1e5",
            "--1",
            "-.5",
            "-5.",
            "-1.2.3",
        ] {
            assert_eq!(formula_safe(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn negative_numbers_and_ordinary_text_are_written_as_they_are() {
        for cell in [
            "-12.5",
            "-320",
            "0",
            "12.5",
            "重庆鱼复工业园",
            "a=b",
            "",
            "'=already",
        ] {
            assert_eq!(formula_safe(cell), cell, "{cell:?}");
        }
    }
}
