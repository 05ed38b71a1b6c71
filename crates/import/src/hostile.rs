//! Hostile files, generated on demand for the tests and for `chainpark bench-hostile`: workbooks that reference
//! cells past the last column, zip bombs, huge cells and elements, broken shared-string indexes, hidden sheets, too
//! many parts, and CSV rows of millions of cells. Nothing here is read by an import; it only writes bytes.

use std::io::{self, Cursor, Seek, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// The body of a part of a generated workbook.
pub enum Body {
    Bytes(Vec<u8>),
    /// `head`, then `unit` written `times` times, then `tail`: a part of any size without holding it.
    Repeat {
        head: String,
        unit: String,
        times: u64,
        tail: String,
    },
}

impl Body {
    fn text(text: impl Into<String>) -> Body {
        Body::Bytes(text.into().into_bytes())
    }
}

/// A worksheet of a generated workbook.
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub xml: Body,
}

/// Writes a workbook holding `sheets` and, when given, a shared-string part, compressed with deflate.
pub fn workbook(sheets: Vec<Sheet>, shared_strings: Option<Body>) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    write_workbook(&mut zip, sheets, shared_strings, &[]).expect("writing to memory");
    zip.finish().expect("writing to memory").into_inner()
}

fn write_workbook<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    sheets: Vec<Sheet>,
    shared_strings: Option<Body>,
    extra: &[(String, Body)],
) -> zip::result::ZipResult<()> {
    let mut content_types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut book = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, sheet) in sheets.iter().enumerate() {
        let n = i + 1;
        let state = if sheet.hidden {
            r#" state="hidden""#
        } else {
            ""
        };
        book.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}"{state} r:id="rId{n}"/>"#,
            sheet.name
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        content_types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
    }
    book.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    content_types.push_str("</Types>");

    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let put = |zip: &mut ZipWriter<W>, name: &str, body: &Body| -> zip::result::ZipResult<()> {
        zip.start_file(name, options)?;
        match body {
            Body::Bytes(bytes) => zip.write_all(bytes)?,
            Body::Repeat {
                head,
                unit,
                times,
                tail,
            } => {
                zip.write_all(head.as_bytes())?;
                // Units are written in blocks, so that a billion of them does not mean a billion calls.
                let per_block = (1 << 16) / unit.len().max(1) + 1;
                let block = unit.repeat(per_block);
                let mut left = *times;
                while left > 0 {
                    let n = left.min(per_block as u64);
                    zip.write_all(&block.as_bytes()[..unit.len() * n as usize])?;
                    left -= n;
                }
                zip.write_all(tail.as_bytes())?;
            }
        }
        Ok(())
    };
    put(zip, "[Content_Types].xml", &Body::text(content_types))?;
    put(
        zip,
        "_rels/.rels",
        &Body::text(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
    )?;
    put(zip, "xl/workbook.xml", &Body::text(book))?;
    put(zip, "xl/_rels/workbook.xml.rels", &Body::text(rels))?;
    if let Some(strings) = &shared_strings {
        put(zip, "xl/sharedStrings.xml", strings)?;
    }
    for (i, sheet) in sheets.iter().enumerate() {
        put(
            zip,
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            &sheet.xml,
        )?;
    }
    for (name, body) in extra {
        put(zip, name, body)?;
    }
    Ok(())
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// An inline-string cell.
fn text_cell(reference: &str, text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{escaped}</t></is></c>"#)
}

/// A worksheet's XML for rows of text cells (A1, B1, ...).
pub fn sheet_xml(rows: &[Vec<String>]) -> String {
    let mut xml = String::from(SHEET_HEAD);
    for (r, row) in rows.iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, text) in row.iter().enumerate() {
            let reference = format!("{}{}", crate::normalise::column_letter(c), r + 1);
            xml.push_str(&text_cell(&reference, text));
        }
        xml.push_str("</row>");
    }
    xml.push_str(SHEET_TAIL);
    xml
}

/// The header of a long-layout sheet.
fn long_header() -> Vec<String> {
    ["统一社会信用代码", "期间", "指标", "数值"]
        .map(String::from)
        .to_vec()
}

/// A workbook of one visible sheet with these rows.
pub fn plain_workbook(rows: &[Vec<String>]) -> Vec<u8> {
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml: Body::text(sheet_xml(rows)),
        }],
        None,
    )
}

/// A small workbook (about 1.6 KB) with a header and one cell at `reference`, e.g. `FXSHRXW2`, far past the last
/// column: calamine sized the row from it.
pub fn far_reference(reference: &str) -> Vec<u8> {
    let xml = format!(
        r#"{SHEET_HEAD}<row r="1">{}</row><row r="2">{}</row>{SHEET_TAIL}"#,
        long_header()
            .iter()
            .enumerate()
            .map(|(c, t)| text_cell(&format!("{}1", crate::normalise::column_letter(c)), t))
            .collect::<String>(),
        text_cell(reference, "x")
    );
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml: Body::text(xml),
        }],
        None,
    )
}

/// A workbook whose shared-string part expands to about `expanded_bytes` of tiny strings (a zip bomb: a gigabyte
/// fits in a megabyte).
pub fn shared_strings_bomb(expanded_bytes: u64) -> Vec<u8> {
    let unit = "<si><t>a</t></si>";
    let strings = Body::Repeat {
        head: r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#.into(),
        unit: unit.into(),
        times: expanded_bytes / unit.len() as u64,
        tail: "</sst>".into(),
    };
    let rows = vec![long_header()];
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml: Body::text(sheet_xml(&rows)),
        }],
        Some(strings),
    )
}

/// A workbook whose second row has one inline cell of `chars` characters.
pub fn huge_cell(chars: u64) -> Vec<u8> {
    let header: String = long_header()
        .iter()
        .enumerate()
        .map(|(c, t)| text_cell(&format!("{}1", crate::normalise::column_letter(c)), t))
        .collect();
    let xml = Body::Repeat {
        head: format!(
            r#"{SHEET_HEAD}<row r="1">{header}</row><row r="2"><c r="A2" t="inlineStr"><is><t>"#
        ),
        unit: "a".into(),
        times: chars,
        tail: format!("</t></is></c></row>{SHEET_TAIL}"),
    };
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml,
        }],
        None,
    )
}

/// A long-layout workbook of `rows` rows of enterprise `code` whose indicator is one shared string of `chars`
/// characters: every row fails on it, and every problem would quote it.
pub fn long_shared_string(chars: usize, rows: usize, code: &str) -> Vec<u8> {
    let strings = Body::text(format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{}</t></si></sst>"#,
        "指".repeat(chars)
    ));
    let mut xml = String::from(SHEET_HEAD);
    xml.push_str(r#"<row r="1">"#);
    for (c, t) in long_header().iter().enumerate() {
        xml.push_str(&text_cell(
            &format!("{}1", crate::normalise::column_letter(c)),
            t,
        ));
    }
    xml.push_str("</row>");
    for r in 2..rows + 2 {
        let month = (r - 2) % 12 + 1;
        let year = 2020 - (r - 2) / 12;
        xml.push_str(&format!(
            r#"<row r="{r}">{}{}<c r="C{r}" t="s"><v>0</v></c><c r="D{r}"><v>1</v></c></row>"#,
            text_cell(&format!("A{r}"), code),
            text_cell(&format!("B{r}"), &format!("{year}-{month:02}")),
        ));
    }
    xml.push_str(SHEET_TAIL);
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml: Body::text(xml),
        }],
        Some(strings),
    )
}

/// A workbook with one shared string whose sheet refers to shared string `index`.
pub fn bad_shared_string_index(index: &str) -> Vec<u8> {
    let strings = Body::text(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>统一社会信用代码</t></si></sst>"#,
    );
    let xml = format!(
        r#"{SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>{index}</v></c></row>{SHEET_TAIL}"#
    );
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml: Body::text(xml),
        }],
        Some(strings),
    )
}

/// A workbook whose first sheet is hidden and holds `hidden_rows`; the second, visible, holds `visible_rows`.
pub fn hidden_first_sheet(hidden_rows: &[Vec<String>], visible_rows: &[Vec<String>]) -> Vec<u8> {
    workbook(
        vec![
            Sheet {
                name: "旧数据".into(),
                hidden: true,
                xml: Body::text(sheet_xml(hidden_rows)),
            },
            Sheet {
                name: "本月".into(),
                hidden: false,
                xml: Body::text(sheet_xml(visible_rows)),
            },
        ],
        None,
    )
}

/// A small workbook with `parts` extra empty files in its zip archive.
pub fn many_parts(parts: usize) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let extra: Vec<(String, Body)> = (0..parts)
        .map(|i| (format!("customXml/item{i}.xml"), Body::Bytes(Vec::new())))
        .collect();
    let sheet = Sheet {
        name: "Sheet1".into(),
        hidden: false,
        xml: Body::text(sheet_xml(&[long_header()])),
    };
    write_workbook(&mut zip, vec![sheet], None, &extra).expect("writing to memory");
    zip.finish().expect("writing to memory").into_inner()
}

/// A workbook whose sheet's first row element carries an attribute of `bytes` bytes: one XML event that big.
pub fn huge_element(bytes: u64) -> Vec<u8> {
    let xml = Body::Repeat {
        head: format!(r#"{SHEET_HEAD}<row r="1" x=""#),
        unit: "a".into(),
        times: bytes,
        tail: format!(r#""></row>{SHEET_TAIL}"#),
    };
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml,
        }],
        None,
    )
}

/// A workbook whose sheet holds a comment of `bytes` bytes full of `<`, which an XML reader buffers whole.
pub fn comment_bomb(bytes: u64) -> Vec<u8> {
    let xml = Body::Repeat {
        head: format!("{SHEET_HEAD}<!--"),
        unit: "<a".into(),
        times: bytes / 2,
        tail: format!("-->{SHEET_TAIL}"),
    };
    workbook(
        vec![Sheet {
            name: "Sheet1".into(),
            hidden: false,
            xml,
        }],
        None,
    )
}

/// Letters that compress several times but not a hundred (one bit of noise each): a part filled with them stays
/// within the compression ratio while it is as large as its limit allows, and the workbook within its size limit.
fn noise(state: &mut u64, len: usize) -> String {
    let mut text = String::with_capacity(len);
    while text.len() < len {
        // xorshift64
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let mut bits = *state;
        for _ in 0..64 {
            if text.len() == len {
                break;
            }
            text.push(char::from(b'a' + (bits & 1) as u8));
            bits >>= 1;
        }
    }
    text
}

/// A workbook whose directory parts are as large as limits of `entries` entries and `part_bytes` bytes a part
/// let them be, and of noise that barely compresses: that many relationships, defined names and number formats,
/// and as many shared strings of `string_chars` characters as fit — the most a workbook can make calamine hold.
pub fn directory_bomb(entries: usize, part_bytes: usize, string_chars: usize) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    // Each entry's text fills its share of the part, less the markup around it.
    let entry_chars = (part_bytes / entries.max(1)).saturating_sub(80).max(1);
    let strings = part_bytes / (string_chars + 20);
    let mut write = |zip: &mut ZipWriter<Cursor<Vec<u8>>>,
                     name: &str,
                     head: &str,
                     count: usize,
                     entry: &dyn Fn(usize, &str) -> String,
                     chars: usize,
                     tail: &str| {
        zip.start_file(name, options).expect("in memory");
        zip.write_all(head.as_bytes()).expect("in memory");
        for i in 0..count {
            let text = noise(&mut state, chars);
            zip.write_all(entry(i, &text).as_bytes())
                .expect("in memory");
        }
        zip.write_all(tail.as_bytes()).expect("in memory");
    };
    write(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
        entries - 1,
        &|i, text| format!(r#"<Relationship Id="r{i}" Target="{text}"/>"#),
        entry_chars,
        "</Relationships>",
    );
    write(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets><definedNames>"#,
        entries,
        &|i, text| format!(r#"<definedName name="n{i}">{text}</definedName>"#),
        entry_chars,
        "</definedNames></workbook>",
    );
    write(
        &mut zip,
        "xl/styles.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts>"#,
        entries,
        &|i, text| format!(r#"<numFmt numFmtId="{}" formatCode="{text}"/>"#, i + 164),
        entry_chars,
        r#"</numFmts><cellXfs><xf numFmtId="0"/></cellXfs></styleSheet>"#,
    );
    write(
        &mut zip,
        "xl/sharedStrings.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        strings,
        &|_, text| format!("<si><t>{text}</t></si>"),
        string_chars,
        "</sst>",
    );
    write(
        &mut zip,
        "xl/worksheets/sheet1.xml",
        &sheet_xml(&[long_header()]),
        0,
        &|_, _| String::new(),
        0,
        "",
    );
    zip.finish().expect("in memory").into_inner()
}

/// A CSV file whose second line is one row of `cells` empty cells (commas only).
pub fn write_wide_empty_row_csv(out: &mut impl Write, cells: u64) -> io::Result<()> {
    out.write_all("统一社会信用代码,期间,指标,数值\n".as_bytes())?;
    let block = vec![b','; 1 << 16];
    let mut left = cells.saturating_sub(1);
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.write_all(b"\n")
}

/// A CSV file whose first data row opens a quote that is never closed, followed by `bytes` bytes of rows.
pub fn write_unclosed_quote_csv(out: &mut impl Write, code: &str, bytes: u64) -> io::Result<()> {
    writeln!(
        out,
        "统一社会信用代码,期间,指标,数值\n{code},\"2021-01,增加值,1"
    )?;
    let line = format!("{code},2021-02,增加值,1\n");
    let mut written = 0;
    while written < bytes {
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(())
}

/// A long-layout CSV of `rows` rows, 960 for each enterprise of `codes` in turn (120 months of 2011–2020 × 8
/// indicators), so that no row repeats another while there are enough codes.
pub fn write_rows_csv(out: &mut impl Write, codes: &[String], rows: u64) -> io::Result<()> {
    const INDICATORS: [&str; 8] = [
        "增加值",
        "工业总产值",
        "营业收入",
        "利润总额",
        "税金",
        "从业人员",
        "研发经费",
        "固定资产投资",
    ];
    out.write_all("统一社会信用代码,期间,指标,数值\n".as_bytes())?;
    for i in 0..rows {
        let code = &codes[(i / 960) as usize % codes.len().max(1)];
        let indicator = INDICATORS[(i % 8) as usize];
        let months = (i / 8) % 120;
        let (year, month) = (2011 + months / 12, months % 12 + 1);
        writeln!(out, "{code},{year}-{month:02},{indicator},1")?;
    }
    Ok(())
}
