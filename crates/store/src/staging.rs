//! An import's values between the reading of its file and its one short write transaction. While the file is
//! read, each value is compared with the stored one (outside the write lock) and appended, with what was stored
//! for its key, to an unnamed temporary file, and a value that replaces another also to a second one; the second
//! is read back to write the history of the values replaced (before the write transaction), the first in the write
//! transaction, both in the order written. The files are unlinked as soon as they are made (on Unix), so nothing
//! stays behind, even after a crash. Records are a tag and variable-length integers: about 12 bytes a value.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use chainpark_core::period::Month;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::figures::FigureValue;

/// What the store held for a value's key when the value was compared with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// No value yet: the new one is inserted.
    Nothing,
    /// The same value: nothing is written.
    Same,
    /// Another value, from that import: it moves to the history and the new one replaces it.
    Other { value: i64, import_id: i64 },
}

/// A value of an import, with what the store held for its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Staged {
    pub value: FigureValue,
    pub held: Held,
}

/// The values of one import, written while its file is read.
pub(crate) struct Staging {
    out: BufWriter<File>,
    /// The file's path when it could not be unlinked while open (not Unix): removed when dropped.
    _path: Removed,
    /// The values that replace others, again (with the replaced value and its import): the history, which is
    /// written before the write transaction, reads only these instead of every value.
    replaced: BufWriter<File>,
    _replaced_path: Removed,
    len: u64,
    replaced_len: u64,
    /// The enterprises the values are for, and the largest magnitude of each indicator's values: what the write
    /// transaction checks again against the registry and the catalogue as they are then.
    pub enterprises: FxHashSet<i64>,
    pub largest: FxHashMap<i64, u64>,
    /// The months the values are for, a bit each from 1900-01 (a `Month` lies in 1900–2999): see [`Self::months`].
    month_bits: Vec<u64>,
    /// What the last value pushed added to the sets above, so that the next one skips what it would repeat.
    last_enterprise: Option<i64>,
    last_largest: Option<(i64, u64)>,
}

/// The first year of [`Staging::month_bits`], and its number of months: those a `Month` may hold.
const FIRST_YEAR: i32 = 1900;
const MONTH_BITS: usize = 1100 * 12;

impl Staging {
    pub(crate) fn new() -> io::Result<Staging> {
        let (file, path) = unlinked_file()?;
        let (replaced, replaced_path) = unlinked_file()?;
        Ok(Staging {
            out: BufWriter::with_capacity(1 << 20, file),
            _path: path,
            replaced: BufWriter::with_capacity(1 << 16, replaced),
            _replaced_path: replaced_path,
            len: 0,
            replaced_len: 0,
            enterprises: FxHashSet::default(),
            largest: FxHashMap::default(),
            month_bits: vec![0; MONTH_BITS.div_ceil(64)],
            last_enterprise: None,
            last_largest: None,
        })
    }

    pub(crate) fn push(&mut self, staged: &Staged) -> io::Result<()> {
        let v = staged.value;
        // Values come sorted by key: an enterprise's values follow each other, and so do an indicator's. Each
        // set is touched only when its member is new.
        if self.last_enterprise != Some(v.enterprise_id) {
            self.enterprises.insert(v.enterprise_id);
            self.last_enterprise = Some(v.enterprise_id);
        }
        let bit = (v.month.year() - FIRST_YEAR) as usize * 12 + v.month.month() as usize - 1;
        if let Some(word) = self.month_bits.get_mut(bit / 64) {
            *word |= 1 << (bit % 64);
        }
        let magnitude = v.value.unsigned_abs();
        match self.last_largest {
            Some((indicator, largest)) if indicator == v.indicator_id && magnitude <= largest => {}
            _ => {
                let largest = self.largest.entry(v.indicator_id).or_default();
                *largest = (*largest).max(magnitude);
                self.last_largest = Some((v.indicator_id, *largest));
            }
        }
        let mut record = [0u8; 1 + 7 * 10];
        let mut at = 1;
        for n in [
            v.enterprise_id,
            v.indicator_id,
            i64::from(v.month.key()),
            v.value,
        ] {
            at += put_varint(&mut record[at..], n);
        }
        record[0] = match staged.held {
            Held::Nothing => 0,
            Held::Same => 1,
            Held::Other { value, import_id } => {
                at += put_varint(&mut record[at..], value);
                at += put_varint(&mut record[at..], import_id);
                self.replaced.write_all(&record[1..at])?;
                self.replaced_len += 1;
                2
            }
        };
        self.out.write_all(&record[..at])?;
        self.len += 1;
        Ok(())
    }

    /// The values staged so far that replace others, to read back from the first (as for [`Staging::read_back`]).
    pub(crate) fn read_replaced(&mut self) -> io::Result<ReplacedValues> {
        self.replaced.flush()?;
        let mut file = self.replaced.get_ref().try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(ReplacedValues {
            input: BufReader::with_capacity(1 << 16, file),
            left: self.replaced_len,
        })
    }

    /// The months (yyyymm) of the values staged so far, ascending: PostgreSQL makes their partitions before
    /// writing.
    pub(crate) fn months(&self) -> Vec<i32> {
        (0..MONTH_BITS)
            .filter(|bit| self.month_bits[bit / 64] & (1 << (bit % 64)) != 0)
            .map(|bit| (FIRST_YEAR + (bit / 12) as i32) * 100 + (bit % 12) as i32 + 1)
            .collect()
    }

    /// Values staged so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The values staged so far, to read back from the first; may be called again to read them once more (no
    /// value may be pushed meanwhile: the reader shares the file's position).
    pub(crate) fn read_back(&mut self) -> io::Result<StagedValues> {
        self.out.flush()?;
        let mut file = self.out.get_ref().try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(StagedValues {
            input: BufReader::with_capacity(1 << 20, file),
            left: self.len,
        })
    }
}

/// A new temporary file, unlinked at once where the system allows (else removed when dropped).
fn unlinked_file() -> io::Result<(File, Removed)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "chainpark-import-staged-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    let removed = Removed(std::fs::remove_file(&path).err().map(|_| path));
    Ok((file, removed))
}

/// A staged file that could not be unlinked while open, removed when the staging is dropped.
struct Removed(Option<PathBuf>);

impl Drop for Removed {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Staged values read back in the order they were written.
pub(crate) struct StagedValues {
    input: BufReader<File>,
    left: u64,
}

impl StagedValues {
    /// The next `max` values at most; empty at the end.
    pub(crate) fn next_chunk(&mut self, max: usize) -> io::Result<Vec<Staged>> {
        let n = self.left.min(max as u64) as usize;
        let mut chunk = Vec::with_capacity(n);
        for _ in 0..n {
            let mut tag = [0u8];
            self.input.read_exact(&mut tag)?;
            let value = get_value(&mut self.input)?;
            let held = match tag[0] {
                0 => Held::Nothing,
                1 => Held::Same,
                _ => Held::Other {
                    value: get_varint(&mut self.input)?,
                    import_id: get_varint(&mut self.input)?,
                },
            };
            chunk.push(Staged { value, held });
        }
        self.left -= n as u64;
        Ok(chunk)
    }
}

/// Staged values read back chunk by chunk on a thread of their own, one chunk ahead of the caller: the write
/// transaction writes a chunk while the next is decoded.
pub(crate) struct Prefetched {
    chunks: std::sync::mpsc::Receiver<io::Result<Vec<Staged>>>,
    /// Values not received yet: the reading thread must not end before it sent them all.
    left: u64,
}

impl Prefetched {
    pub(crate) fn new(mut values: StagedValues, max: usize) -> Prefetched {
        let left = values.left;
        let (full, chunks) = std::sync::mpsc::sync_channel(1);
        std::thread::spawn(move || {
            loop {
                let chunk = values.next_chunk(max);
                let last = !matches!(&chunk, Ok(values) if !values.is_empty());
                // The caller stopped (an error, or the end): nothing more to read.
                if full.send(chunk).is_err() || last {
                    break;
                }
            }
        });
        Prefetched { chunks, left }
    }

    /// The next chunk; empty at the end.
    pub(crate) fn next_chunk(&mut self) -> io::Result<Vec<Staged>> {
        match self.chunks.recv() {
            Ok(chunk) => {
                if let Ok(values) = &chunk {
                    self.left -= values.len() as u64;
                }
                chunk
            }
            Err(_) if self.left == 0 => Ok(Vec::new()),
            Err(_) => Err(io::Error::other(format!(
                "the reading of the staged values stopped with {} values left",
                self.left
            ))),
        }
    }
}

/// The staged values that replace others, read back in the order they were written.
pub(crate) struct ReplacedValues {
    input: BufReader<File>,
    left: u64,
}

impl ReplacedValues {
    /// The next `max` values at most, each with the value it replaces and that value's import; empty at the end.
    pub(crate) fn next_chunk(&mut self, max: usize) -> io::Result<Vec<(FigureValue, i64, i64)>> {
        let n = self.left.min(max as u64) as usize;
        let mut chunk = Vec::with_capacity(n);
        for _ in 0..n {
            let value = get_value(&mut self.input)?;
            let old = get_varint(&mut self.input)?;
            let import_id = get_varint(&mut self.input)?;
            chunk.push((value, old, import_id));
        }
        self.left -= n as u64;
        Ok(chunk)
    }
}

/// A value's key and value, as staged.
fn get_value(input: &mut BufReader<File>) -> io::Result<FigureValue> {
    let enterprise_id = get_varint(input)?;
    let indicator_id = get_varint(input)?;
    let month = Month::from_key(get_varint(input)?)
        .ok_or_else(|| io::Error::other("a staged value has no valid month"))?;
    let value = get_varint(input)?;
    Ok(FigureValue {
        enterprise_id,
        indicator_id,
        month,
        value,
    })
}

/// Writes `n` zig-zag encoded as LEB128 (small magnitudes of either sign take few bytes); returns the length.
fn put_varint(out: &mut [u8], n: i64) -> usize {
    let mut u = ((n << 1) ^ (n >> 63)) as u64;
    let mut i = 0;
    while u >= 0x80 {
        out[i] = (u as u8) | 0x80;
        u >>= 7;
        i += 1;
    }
    out[i] = u as u8;
    i + 1
}

/// Reads a number written by [`put_varint`]: from the reader's buffer when it holds a whole one (nearly always),
/// else a byte at a time.
fn get_varint(input: &mut BufReader<File>) -> io::Result<i64> {
    let buffered = input.buffer();
    if buffered.len() >= 10 {
        let mut u = 0u64;
        for (i, &byte) in buffered[..10].iter().enumerate() {
            u |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                input.consume(i + 1);
                return Ok(((u >> 1) as i64) ^ -((u & 1) as i64));
            }
        }
        return Err(io::Error::other("a staged number is too long"));
    }
    let mut u = 0u64;
    let mut shift = 0;
    loop {
        let mut byte = [0u8];
        input.read_exact(&mut byte)?;
        if shift > 63 {
            return Err(io::Error::other("a staged number is too long"));
        }
        u |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] < 0x80 {
            return Ok(((u >> 1) as i64) ^ -((u & 1) as i64));
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_months_of_the_staged_values_are_listed_once_each_in_order() {
        let mut staging = Staging::new().expect("a temporary file");
        for (year, month) in [(2021, 6), (1900, 1), (2999, 12), (2021, 6), (2020, 12)] {
            let value = FigureValue {
                enterprise_id: 1,
                indicator_id: 9,
                month: Month::new(year, month).expect("month"),
                value: 1,
            };
            staging
                .push(&Staged {
                    value,
                    held: Held::Nothing,
                })
                .expect("staged");
        }
        assert_eq!(vec![190001, 202012, 202106, 299912], staging.months());
    }

    #[test]
    fn staged_values_and_the_values_they_replace_read_back_exactly_as_written() {
        let mut staging = Staging::new().expect("a temporary file");
        let month = Month::new(2021, 6).expect("month");
        let values: Vec<Staged> = [i64::MIN, -1, 0, 1, 63, 64, 1 << 40, i64::MAX]
            .into_iter()
            .enumerate()
            .map(|(i, value)| Staged {
                value: FigureValue {
                    enterprise_id: i as i64 * 1000,
                    indicator_id: 9,
                    month,
                    value,
                },
                held: match i % 3 {
                    0 => Held::Nothing,
                    1 => Held::Same,
                    _ => Held::Other {
                        value: value.wrapping_neg(),
                        import_id: i64::MAX - i as i64,
                    },
                },
            })
            .collect();
        for v in &values {
            staging.push(v).expect("written");
        }
        assert_eq!(staging.largest[&9], i64::MIN.unsigned_abs());
        let mut back = staging.read_back().expect("rewound");
        let mut read = back.next_chunk(5).expect("first chunk");
        read.extend(back.next_chunk(5).expect("second chunk"));
        assert_eq!(read, values);
        assert!(back.next_chunk(5).expect("the end").is_empty());
        let mut again = staging.read_back().expect("rewound again");
        assert_eq!(again.next_chunk(100).expect("all of them"), values);
        let replacing: Vec<(FigureValue, i64, i64)> = values
            .iter()
            .filter_map(|s| match s.held {
                Held::Other { value, import_id } => Some((s.value, value, import_id)),
                _ => None,
            })
            .collect();
        let mut replaced = staging.read_replaced().expect("rewound");
        let mut read = replaced.next_chunk(1).expect("first chunk");
        read.extend(replaced.next_chunk(100).expect("the others"));
        assert_eq!(read, replacing);
        assert!(replaced.next_chunk(1).expect("the end").is_empty());
    }
}
