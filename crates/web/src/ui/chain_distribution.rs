//! A chain's 区域分布图 (the second map of its N图N清单): the chain's firms on the park map, by segment. Each firm
//! counts under the chain's top-level segment (branch) it sits in — once per branch, however many of the branch's
//! segments hold it — coloured from one palette, with a legend; under each park a bar of its firms by branch, and
//! a table of the counts per park and branch (firms outside any park in a row of their own). Read by those who
//! read the chain's diagnostics (`Scope::may_read_chain_intel`): readers of everything and the chain's chiefs,
//! task force and owners.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use chainpark_core::list::Paging;
use chainpark_core::registry::{Id, Segment};
use chainpark_store::{ParkFilter, SegmentFilter, StoreError};

use super::chain_map::tree_order;
use super::map::{self, MapPark, Mark, PALETTE};
use super::stats;
use super::{Chrome, PageResult, Viewer, render};
use crate::AppState;

/// A branch of the chain: its colour and name, and its firms in all parks.
struct Branch {
    colour: usize,
    name: String,
    firms: usize,
}

/// A park's row: its counts per branch, in the branches' order, and its firms (each once).
struct ParkRow {
    id: Option<Id>,
    name: String,
    counts: Vec<usize>,
    firms: usize,
}

#[derive(Template)]
#[template(path = "chain_distribution.html")]
struct DistributionPage {
    chrome: Chrome,
    chain_id: Id,
    chain_name: String,
    branches: Vec<Branch>,
    rows: Vec<ParkRow>,
    firms: usize,
    map_svg: String,
}

/// The top-level segment above each segment (itself for a top-level one).
fn branch_of(segments: &[Segment]) -> HashMap<Id, Id> {
    let parent: HashMap<Id, Option<Id>> = segments.iter().map(|s| (s.id, s.parent_id)).collect();
    segments
        .iter()
        .map(|s| {
            let mut top = s.id;
            // A parent outside the chain's list makes the segment a top one; the depth guards against a cycle.
            for _ in 0..64 {
                match parent.get(&top).copied().flatten() {
                    Some(p) if parent.contains_key(&p) => top = p,
                    _ => break,
                }
            }
            (s.id, top)
        })
        .collect()
}

pub async fn page(State(state): State<AppState>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let chain = store
        .get_chain(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    actor
        .scope
        .may_read_chain_intel(id)
        .map_err(|e| viewer.fail(StoreError::from(e)))?;
    let segments = store
        .list_segments(
            actor,
            &SegmentFilter {
                chain_id: Some(id),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let memberships = store
        .chain_memberships(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let parks = store
        .list_parks(actor, &ParkFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?
        .items;
    let tops: Vec<&Segment> = tree_order(&segments)
        .into_iter()
        .filter(|(_, depth)| *depth == 0)
        .map(|(s, _)| s)
        .collect();
    let column: HashMap<Id, usize> = tops.iter().enumerate().map(|(k, s)| (s.id, k)).collect();
    let branch = branch_of(&segments);
    // (park, branch) → firms, and park → firms, each firm once.
    let mut cells: BTreeMap<(Option<Id>, usize), BTreeSet<Id>> = BTreeMap::new();
    let mut in_park: BTreeMap<Option<Id>, BTreeSet<Id>> = BTreeMap::new();
    let mut in_branch: BTreeMap<usize, BTreeSet<Id>> = BTreeMap::new();
    for m in &memberships {
        let Some(k) = branch
            .get(&m.segment_id)
            .and_then(|top| column.get(top))
            .copied()
        else {
            continue;
        };
        cells
            .entry((m.park_id, k))
            .or_default()
            .insert(m.enterprise_id);
        in_park
            .entry(m.park_id)
            .or_default()
            .insert(m.enterprise_id);
        in_branch.entry(k).or_default().insert(m.enterprise_id);
    }
    let branches: Vec<Branch> = tops
        .iter()
        .enumerate()
        .map(|(k, s)| Branch {
            colour: k % PALETTE,
            name: lang.pick(&s.name, &s.name_en).to_string(),
            firms: in_branch.get(&k).map_or(0, BTreeSet::len),
        })
        .collect();
    let count = |park: Option<Id>, k: usize| cells.get(&(park, k)).map_or(0, BTreeSet::len);
    let mut rows: Vec<ParkRow> = parks
        .iter()
        .map(|p| ParkRow {
            id: Some(p.id),
            name: lang.pick(&p.name, &p.name_en).to_string(),
            counts: (0..tops.len()).map(|k| count(Some(p.id), k)).collect(),
            firms: in_park.get(&Some(p.id)).map_or(0, BTreeSet::len),
        })
        .filter(|r| r.firms > 0)
        .collect();
    rows.sort_by(|a, b| b.firms.cmp(&a.firms).then(a.name.cmp(&b.name)));
    // Parks this list does not name (the viewer does not see them) count with the firms outside any park.
    let named: BTreeSet<Id> = rows.iter().filter_map(|r| r.id).collect();
    let outside: BTreeSet<Id> = in_park
        .iter()
        .filter(|(park, _)| park.is_none_or(|p| !named.contains(&p)))
        .flat_map(|(_, firms)| firms.iter().copied())
        .collect();
    if !outside.is_empty() {
        rows.push(ParkRow {
            id: None,
            name: viewer.t("dist.outside").to_string(),
            counts: (0..tops.len())
                .map(|k| {
                    cells
                        .iter()
                        .filter(|((park, b), _)| {
                            *b == k && park.is_none_or(|p| !named.contains(&p))
                        })
                        .flat_map(|(_, firms)| firms.iter())
                        .collect::<BTreeSet<_>>()
                        .len()
                })
                .collect(),
            firms: outside.len(),
        });
    }
    let firms = memberships
        .iter()
        .map(|m| m.enterprise_id)
        .collect::<BTreeSet<_>>()
        .len();
    let marks: HashMap<Id, Vec<Mark>> = rows
        .iter()
        .filter_map(|r| {
            let park = r.id?;
            Some((
                park,
                r.counts
                    .iter()
                    .enumerate()
                    .map(|(k, n)| Mark {
                        colour: k % PALETTE,
                        count: *n as i64,
                        hover: format!("{} · {} · {n}", r.name, branches[k].name),
                    })
                    .collect(),
            ))
        })
        .collect();
    let map_parks: Vec<MapPark> = parks
        .iter()
        .filter_map(|p| {
            let location = p.location?;
            let name = lang.pick(&p.name, &p.name_en).to_string();
            let n = in_park.get(&Some(p.id)).map_or(0, BTreeSet::len);
            Some(MapPark {
                id: p.id,
                name: stats::short_park_name(&name),
                lon: location.lon,
                lat: location.lat,
                outline: p
                    .outline
                    .as_ref()
                    .map(|ring| ring.iter().map(|g| (g.lon, g.lat)).collect()),
                hover: format!("{name} · {n} {}", viewer.t("unit.firms")),
                selected: n > 0,
            })
        })
        .collect();
    let chain_name = lang.pick(&chain.name, &chain.name_en).to_string();
    let title = format!("{} · {chain_name}", viewer.t("dist.title"));
    Ok(render(DistributionPage {
        chrome: viewer.chrome(title.clone(), "chains"),
        chain_id: id,
        map_svg: map::parks_map_with_marks(&map_parks, &marks, &title),
        chain_name,
        branches,
        rows,
        firms,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(id: Id, parent: Option<Id>) -> Segment {
        Segment {
            id,
            chain_id: 1,
            parent_id: parent,
            code: format!("S{id}"),
            name: format!("S{id}"),
            name_en: String::new(),
            stage: chainpark_core::registry::Stage::Midstream,
            position: 0,
            industry_codes: Vec::new(),
            archived: false,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_segment_counts_under_its_top_level_segment() {
        let segments = [
            segment(1, None),
            segment(2, Some(1)),
            segment(3, Some(2)),
            segment(4, None),
            segment(5, Some(99)),
        ];
        let top = branch_of(&segments);
        assert_eq!(top[&3], 1);
        assert_eq!(top[&2], 1);
        assert_eq!(top[&4], 4);
        assert_eq!(top[&5], 5, "a parent outside the chain makes a top segment");
    }
}
