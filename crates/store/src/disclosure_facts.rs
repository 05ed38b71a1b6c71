//! Disclosure control's facts of a roll-up, split by what they depend on. Per cell the contributing firms, the
//! largest contribution and the sum of contributions by magnitude depend only on the query (dimension, indicator,
//! months, restated base) and the stored values and group memberships, which change only in a transaction that
//! moves `figure_revision`: they are computed once per revision and shared by every restricted reader
//! ([`FactsCache`]). Only the count of contributing firms the caller may not read depends on the caller: it is
//! counted in memory from the firms the caller's reach reads ([`SharedFacts::as_read_by`]), a list the store reads
//! through the access policy's one renderer (`push_reached_condition`). The same-firms bases of a roll-up (last
//! year's values of the period's reporting firms) are shared per revision the same way ([`BaseCache`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chainpark_core::disclosure::CellFacts;
use chainpark_core::figures::Dimension;
use chainpark_core::registry::Id;

/// Queries remembered at once by each cache (a facts query holds one entry a contributing firm and group, about 16
/// bytes; a base one a group).
const ENTRIES: usize = 32;

/// What one facts query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FactsKey {
    pub by: Dimension,
    /// The zone's cell too.
    pub with_zone: bool,
    pub indicator: Id,
    /// The months `yyyymm`, both included.
    pub first: i32,
    pub last: i32,
    /// Contributions are the values of the same months a year earlier.
    pub restated_base: bool,
}

/// The facts of every cell of one query that depend on no caller, and which firm contributed to which cell.
#[derive(Debug, Default)]
pub(crate) struct SharedFacts {
    /// (the zone's cell, group, facts) with `unreadable_firms` left at 0.
    cells: Vec<(bool, Id, CellFacts)>,
    /// (firm, index in `cells`) for each contribution, sorted.
    contributions: Vec<(Id, u32)>,
}

impl SharedFacts {
    /// Folds the rows of the facts query: (the zone's cell, group, firm, the firm's contribution).
    pub fn from_rows(rows: impl IntoIterator<Item = (bool, Id, Id, i64)>) -> SharedFacts {
        let mut index: HashMap<(bool, Id), u32> = HashMap::new();
        let mut facts = SharedFacts::default();
        for (zone, group, firm, total) in rows {
            let cell = *index.entry((zone, group)).or_insert_with(|| {
                facts.cells.push((zone, group, CellFacts::default()));
                (facts.cells.len() - 1) as u32
            });
            let magnitude = total.checked_abs().unwrap_or(i64::MAX);
            let f = &mut facts.cells[cell as usize].2;
            f.firms += 1;
            f.largest = f.largest.max(magnitude);
            f.magnitude = f.magnitude.saturating_add(magnitude);
            facts.contributions.push((firm, cell));
        }
        facts.contributions.sort_unstable();
        facts
    }

    /// The facts of every group and of the zone as a caller who reads the figures of exactly the firms of
    /// `readable` sees them.
    pub fn as_read_by(&self, readable: &[Id]) -> (HashMap<Id, CellFacts>, Option<CellFacts>) {
        let mut read = vec![0i64; self.cells.len()];
        for firm in readable {
            let start = self.contributions.partition_point(|(f, _)| f < firm);
            for (_, cell) in self.contributions[start..]
                .iter()
                .take_while(|(f, _)| f == firm)
            {
                read[*cell as usize] += 1;
            }
        }
        let mut groups = HashMap::new();
        let mut zone = None;
        for ((is_zone, group, facts), read) in self.cells.iter().zip(read) {
            let facts = CellFacts {
                unreadable_firms: facts.firms - read,
                ..*facts
            };
            if *is_zone {
                zone = Some(facts);
            } else {
                groups.insert(*group, facts);
            }
        }
        (groups, zone)
    }
}

/// The shared facts of recent queries, each for the `figure_revision` it was computed at.
pub(crate) type FactsCache = RevisionCache<FactsKey, SharedFacts>;

/// What a same-firms base is about: last year's values of exactly the firms and months that reported in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct BaseKey {
    pub by: Dimension,
    pub indicator: Id,
    /// The months `yyyymm`, both included.
    pub first: i32,
    pub last: i32,
}

/// The same-firms bases of recent queries (group → base), each for the `figure_revision` it was computed at: a
/// join of two months' raw values per firm, read once per revision instead of once per query.
pub(crate) type BaseCache = RevisionCache<BaseKey, HashMap<Id, i64>>;

/// Answers of recent queries that depend only on the stored values and group memberships, each remembered with the
/// `figure_revision` it was computed at and served only at that revision.
pub(crate) struct RevisionCache<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
}

impl<K, V> Default for RevisionCache<K, V> {
    fn default() -> Self {
        RevisionCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + std::hash::Hash, V> RevisionCache<K, V> {
    pub fn get(&self, key: &K, revision: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(r, _)| *r == revision)
            .map(|(_, value)| value.clone())
    }

    /// Remembers an answer computed at `revision`; entries of other revisions leave first.
    pub fn put(&self, key: K, revision: i64, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= ENTRIES {
            entries.retain(|_, (r, _)| *r == revision);
            if entries.len() >= ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (revision, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_counts_the_contributors_it_may_not_read_from_the_same_facts() {
        let facts = SharedFacts::from_rows([
            (false, 7, 1, 100),
            (false, 7, 2, -300),
            (false, 8, 3, 50),
            (true, 0, 1, 100),
            (true, 0, 2, -300),
            (true, 0, 3, 50),
        ]);
        let (groups, zone) = facts.as_read_by(&[2]);
        assert_eq!(
            groups[&7],
            CellFacts {
                firms: 2,
                largest: 300,
                magnitude: 400,
                unreadable_firms: 1
            }
        );
        assert_eq!(groups[&8].unreadable_firms, 1);
        assert_eq!(zone.map(|z| (z.firms, z.unreadable_firms)), Some((3, 2)));
        let (groups, zone) = facts.as_read_by(&[1, 3, 9]);
        assert_eq!(
            (groups[&7].unreadable_firms, groups[&8].unreadable_firms),
            (1, 0)
        );
        assert_eq!(zone.map(|z| z.unreadable_firms), Some(1));
    }
}
