//! The one CSV writer of chainpark: exports, import reports, templates and reports all go through it, so every
//! cell is neutralised by [`chainpark_core::spreadsheet::formula_safe`] and files meant for a spreadsheet program
//! start with a byte-order mark (Excel then reads the Chinese text right).

use std::io::{self, Write};

use chainpark_core::spreadsheet::formula_safe;

/// A CSV file being written, row by row.
pub struct CsvOut<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    /// A file for a spreadsheet program: UTF-8 with a byte-order mark.
    pub fn for_spreadsheet(mut out: W) -> io::Result<Self> {
        out.write_all("\u{FEFF}".as_bytes())?;
        Ok(Self::plain(out))
    }

    /// Plain UTF-8 without a byte-order mark (for a terminal or a pipe).
    pub fn plain(out: W) -> Self {
        CsvOut {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
        }
    }

    /// Writes one row; each cell that begins like a formula gets a leading `'`.
    pub fn row<I, T>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.writer
            .write_record(
                cells
                    .into_iter()
                    .map(|c| formula_safe(c.as_ref()).into_owned()),
            )
            .map_err(io::Error::other)
    }

    /// Flushes and gives back the output.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// A whole table as the bytes of a spreadsheet CSV file (header first).
pub fn spreadsheet_csv<R, I, T>(rows: R) -> io::Result<Vec<u8>>
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    let mut out = CsvOut::for_spreadsheet(Vec::new())?;
    for row in rows {
        out.row(row)?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_csv_cell_that_begins_like_a_formula_is_written_as_text() {
        let bytes = spreadsheet_csv([
            vec!["标题", "金额"],
            vec!["=HYPERLINK(\"http://evil.example\",\"x\")", "-12.5"],
            vec!["@SUM(A1)", "+1"],
        ])
        .expect("written");
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert_eq!(
            text,
            "\u{FEFF}标题,金额\r\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-12.5\r\n'@SUM(A1),'+1\r\n"
        );
    }
}
