//! Streaming text decoding for CSV. Chinese spreadsheets arrive as UTF-8 (with or without BOM) or as GBK/GB18030
//! (Excel's "CSV" on a Chinese Windows); UTF-16 appears from Excel's "Unicode text". The encoding is decided at the
//! first non-ASCII byte (ASCII is the same in all of them), so a 2 GB file never has to be read twice: when the
//! characters after that byte are valid UTF-8 the file is UTF-8, else it is decoded as GB18030, a superset of GBK.

use std::io::{self, Read};

use encoding_rs::{Decoder, DecoderResult, Encoding, GB18030};

use crate::error::ImportError;

const BUFFER: usize = 1 << 16;
/// Bytes inspected before the first record for binary content and the delimiter.
const SNIFF: usize = 8 << 10;
/// Bytes after the first non-ASCII byte inspected to choose between UTF-8 and GB18030.
const LOOKAHEAD: usize = 4 << 10;

/// The encoding a CSV file turned out to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    /// No byte above 0x7F seen (yet): every encoding agrees.
    Ascii,
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Ascii | TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }
}

enum Mode {
    Ascii,
    Utf8,
    Decode(Box<Decoder>),
    Finished,
}

/// A reader that yields UTF-8 whatever the file's encoding, for the CSV parser to split.
pub(crate) struct Transcoder<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Raw bytes consumed before `buf[0]`, for error offsets.
    offset: u64,
    mode: Mode,
    encoding: TextEncoding,
    pending_error: Option<io::Error>,
    /// Decoded bytes that did not fit a tiny read.
    spill: Vec<u8>,
}

/// The error a [`Transcoder`] raises for bytes that are not text in the file's encoding; the CSV reader passes it
/// through as an I/O error and the caller turns it back into [`ImportError::Encoding`].
#[derive(Debug, thiserror::Error)]
#[error("byte offset {offset}: not valid {encoding} text")]
pub(crate) struct BadBytes {
    pub offset: u64,
    pub encoding: &'static str,
}

impl<R: Read> Transcoder<R> {
    /// Reads the start of the file and refuses empty and binary files before any parsing.
    pub fn new(inner: R) -> Result<Transcoder<R>, ImportError> {
        let mut t = Transcoder {
            inner,
            buf: vec![0; BUFFER],
            start: 0,
            end: 0,
            eof: false,
            offset: 0,
            mode: Mode::Ascii,
            encoding: TextEncoding::Ascii,
            pending_error: None,
            spill: Vec::new(),
        };
        while t.end < SNIFF && !t.eof {
            t.fill()?;
        }
        let head = &t.buf[..t.end];
        if head.is_empty() {
            return Err(ImportError::Empty);
        }
        if let Some((encoding, bom)) = Encoding::for_bom(head) {
            t.start = bom;
            if encoding == encoding_rs::UTF_8 {
                t.mode = Mode::Utf8;
                t.encoding = TextEncoding::Utf8;
            } else {
                t.encoding = if encoding == encoding_rs::UTF_16LE {
                    TextEncoding::Utf16Le
                } else {
                    TextEncoding::Utf16Be
                };
                t.mode = Mode::Decode(Box::new(encoding.new_decoder_without_bom_handling()));
            }
        } else if let Some(what) = binary_kind(head) {
            return Err(ImportError::NotText(what.to_string()));
        }
        let content = &t.buf[t.start..t.end];
        if t.eof && content.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            return Err(ImportError::Empty);
        }
        Ok(t)
    }

    /// The encoding decided so far (final once the reader is exhausted).
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The delimiter the start of the file uses most: comma, tab (Excel's "Unicode text") or semicolon.
    pub fn guess_delimiter(&self) -> u8 {
        let head = &self.buf[self.start..self.end];
        let mut counts = [0usize; 3];
        let mut quoted = false;
        for &b in head {
            match b {
                b'"' => quoted = !quoted,
                b',' if !quoted => counts[0] += 1,
                b'\t' if !quoted => counts[1] += 1,
                b';' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
        if counts[1] > counts[0] && counts[1] >= counts[2] {
            b'\t'
        } else if counts[2] > counts[0] && counts[2] > counts[1] {
            b';'
        } else {
            b','
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 && (self.start == self.end || self.end == self.buf.len()) {
            self.buf.copy_within(self.start..self.end, 0);
            self.offset += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Ok(());
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn bad_bytes(&self, at: usize) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            BadBytes {
                offset: self.offset + at as u64,
                encoding: self.encoding.name(),
            },
        )
    }

    /// At a non-ASCII byte: UTF-8 if the next few kilobytes are valid UTF-8, else GB18030.
    fn decide(&mut self) -> io::Result<()> {
        while self.end - self.start < LOOKAHEAD && !self.eof {
            self.fill()?;
        }
        let window = &self.buf[self.start..self.end];
        let (valid, invalid) = match std::str::from_utf8(window) {
            Ok(text) => (text, false),
            Err(e) => (
                std::str::from_utf8(&window[..e.valid_up_to()]).unwrap_or_default(),
                e.error_len().is_some() || self.eof,
            ),
        };
        // A few Chinese characters of GBK forming valid UTF-8 by chance is next to impossible, so a file whose
        // first characters are UTF-8 is UTF-8, and later invalid bytes are reported at their line.
        let multibyte = valid.chars().filter(|c| !c.is_ascii()).take(4).count();
        let utf8 = if invalid {
            multibyte >= 4
        } else {
            multibyte > 0
        };
        if utf8 {
            self.mode = Mode::Utf8;
            self.encoding = TextEncoding::Utf8;
        } else {
            self.mode = Mode::Decode(Box::new(GB18030.new_decoder_without_bom_handling()));
            self.encoding = TextEncoding::Gb18030;
        }
        Ok(())
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.spill.is_empty() {
            let n = self.spill.len().min(out.len());
            out[..n].copy_from_slice(&self.spill[..n]);
            self.spill.drain(..n);
            return Ok(n);
        }
        if out.is_empty() {
            return Ok(0);
        }
        if out.len() < 4 {
            // A decoder needs room for a whole character; tiny reads go through a spill buffer.
            let mut tmp = [0u8; 16];
            let got = self.read_into(&mut tmp)?;
            let n = got.min(out.len());
            out[..n].copy_from_slice(&tmp[..n]);
            self.spill.extend_from_slice(&tmp[n..got]);
            return Ok(n);
        }
        self.read_into(out)
    }
}

impl<R: Read> Transcoder<R> {
    /// Fills `out` (at least 4 bytes) with UTF-8.
    fn read_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.start == self.end {
                if let Some(e) = self.pending_error.take() {
                    return Err(e);
                }
                if !self.eof {
                    self.fill()?;
                    continue;
                }
                if let Mode::Decode(decoder) = &mut self.mode {
                    let (result, _, written) =
                        decoder.decode_to_utf8_without_replacement(&[], out, true);
                    let end = self.end;
                    self.mode = Mode::Finished;
                    if let DecoderResult::Malformed(..) = result {
                        return Err(self.bad_bytes(end));
                    }
                    return Ok(written);
                }
                return Ok(0);
            }
            match &mut self.mode {
                Mode::Ascii => {
                    let avail = &self.buf[self.start..self.end];
                    let n = avail
                        .iter()
                        .take(out.len())
                        .take_while(|b| b.is_ascii())
                        .count();
                    if n > 0 {
                        out[..n].copy_from_slice(&avail[..n]);
                        self.start += n;
                        return Ok(n);
                    }
                    self.decide()?;
                }
                Mode::Utf8 => {
                    let take = (self.end - self.start).min(out.len());
                    let avail = &self.buf[self.start..self.start + take];
                    // simdutf8 checks whole blocks at once: several times std's speed on text mixing ASCII and
                    // Chinese, with the same answer (where the valid part ends, whether the rest is an error).
                    let checked = simdutf8::compat::from_utf8(avail);
                    let valid = match checked {
                        Ok(_) => take,
                        Err(e) => e.valid_up_to(),
                    };
                    if valid > 0 {
                        out[..valid].copy_from_slice(&avail[..valid]);
                        self.start += valid;
                        return Ok(valid);
                    }
                    let complete_error = checked.err().and_then(|e| e.error_len()).is_some();
                    if complete_error || self.eof {
                        return Err(self.bad_bytes(self.start));
                    }
                    // An incomplete character at the end of the buffer: read its remaining bytes.
                    self.fill()?;
                }
                Mode::Decode(decoder) => {
                    let (result, read, written) = decoder.decode_to_utf8_without_replacement(
                        &self.buf[self.start..self.end],
                        out,
                        false,
                    );
                    self.start += read;
                    match result {
                        DecoderResult::Malformed(bad, after) => {
                            let at = self
                                .start
                                .saturating_sub(usize::from(after) + usize::from(bad));
                            let err = self.bad_bytes(at);
                            if written > 0 {
                                self.pending_error = Some(err);
                                self.start = self.end;
                                return Ok(written);
                            }
                            return Err(err);
                        }
                        DecoderResult::InputEmpty | DecoderResult::OutputFull => {
                            if written > 0 {
                                return Ok(written);
                            }
                        }
                    }
                }
                Mode::Finished => return Ok(0),
            }
        }
    }
}

/// Recognises content that is certainly not CSV text, by magic number or by control bytes.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (
            b"PK\x03\x04",
            "an XLSX workbook or another zip archive (upload it as .xlsx)",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Excel 97-2003 .xls workbook (save it as .xlsx or CSV)",
        ),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF", "a 7-Zip archive"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(what);
    }
    let control = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)))
        .count();
    // Text has no NUL bytes and next to no other control bytes; one in a hundred is already binary.
    if head.contains(&0) || control * 100 > head.len() {
        return Some("binary data, not text");
    }
    None
}

/// Decodes a small text file (a mapping or calendar table saved from Excel) whatever its encoding, as the CSV
/// import does: UTF-8 with or without BOM, GBK/GB18030 or UTF-16. Empty and binary files are refused, and bytes
/// that are not text are named by line and offset.
pub fn decode_text(bytes: &[u8]) -> Result<String, ImportError> {
    let mut reader = Transcoder::new(bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    let mut chunk = [0u8; 8192];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(e) => {
                let line = out.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                return Err(
                    match e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<BadBytes>())
                    {
                        Some(bad) => ImportError::Encoding {
                            line,
                            offset: bad.offset,
                            encoding: bad.encoding,
                        },
                        None => ImportError::Io(e),
                    },
                );
            }
        }
    }
    // The transcoder yields UTF-8 only; a failure here would be its own fault, reported rather than hidden.
    String::from_utf8(out)
        .map_err(|e| ImportError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), String> {
        let mut t = Transcoder::new(bytes).map_err(|e| e.to_string())?;
        let mut out = String::new();
        t.read_to_string(&mut out).map_err(|e| e.to_string())?;
        Ok((out, t.encoding()))
    }

    #[test]
    fn small_tables_in_gbk_decode_like_csv_files() {
        let (gbk, _, _) = GB18030.encode("代码,类别\n3911,01\n");
        assert_eq!(
            decode_text(&gbk).map_err(|e| e.to_string()),
            Ok("代码,类别\n3911,01\n".to_string())
        );
        assert!(matches!(decode_text(b""), Err(ImportError::Empty)));
        assert!(matches!(
            decode_text(b"PK\x03\x04\0\0binary"),
            Err(ImportError::NotText(_))
        ));
    }

    #[test]
    fn utf8_with_and_without_bom_passes_through() {
        assert_eq!(
            decode("代码,期间\n".as_bytes()),
            Ok(("代码,期间\n".into(), TextEncoding::Utf8))
        );
        assert_eq!(
            decode("\u{FEFF}代码\n".as_bytes()),
            Ok(("代码\n".into(), TextEncoding::Utf8))
        );
        assert_eq!(decode(b"a,b\n"), Ok(("a,b\n".into(), TextEncoding::Ascii)));
    }

    #[test]
    fn gbk_after_a_long_ascii_prefix_is_still_detected() {
        let mut text = "x,".repeat(50_000);
        text.push_str("增加值\n");
        let (bytes, _, _) = GB18030.encode(&text);
        assert_eq!(decode(&bytes), Ok((text, TextEncoding::Gb18030)));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "代码\t期间\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            decode(&bytes),
            Ok(("代码\t期间\n".into(), TextEncoding::Utf16Le))
        );
    }

    #[test]
    fn utf8_file_with_invalid_bytes_later_reports_their_offset() {
        let mut bytes = "代码\n".repeat(5000).into_bytes();
        let at = bytes.len();
        bytes.extend_from_slice(b"\xFF\xFE\n");
        let err = decode(&bytes).unwrap_err();
        assert!(err.contains(&format!("byte offset {at}")), "{err}");
    }

    #[test]
    fn delimiter_is_guessed_from_the_start() {
        let t = Transcoder::new(&b"a\tb\tc\n1\t\"2,3\"\t4\n"[..]).expect("text");
        assert_eq!(t.guess_delimiter(), b'\t');
        let t = Transcoder::new(&b"a,b\n\"1\t2\",3\n"[..]).expect("text");
        assert_eq!(t.guess_delimiter(), b',');
    }
}
