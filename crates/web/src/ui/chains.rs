//! The chains: a list, and each chain's page with its map (segments upstream → downstream, firms per segment,
//! gaps marked), its chief, owners and task force, its parks and its figures. Clicking a segment lists its firms.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use chainpark_core::access::Landing;
use chainpark_core::figures::Dimension;
use chainpark_core::list::Paging;
use chainpark_core::registry::{ChainMembership, Enterprise, Id, Person, PostRole};
use chainpark_store::figures::ShareOf;
use chainpark_store::prelude::*;
use chainpark_store::{
    AreaFilter, ChainFilter, EnterpriseFilter, LinkFilter, ParkFilter, PostFilter, SegmentFilter,
    StoreError,
};
use serde::Deserialize;

use super::chain_map::{self, SegmentFacts, Strength};
use super::export;
use super::format;
use super::i18n::Lang;
use super::sort::Cell;
use super::stats::{self, GROSS_OUTPUT};
use super::{Chrome, PageResult, Viewer, optional, render};
use crate::AppState;
use chainpark_app::exports::ExportFormat;
use chainpark_app::exports::Table;

pub struct ChainListRow {
    pub id: Id,
    pub name: String,
    pub area: String,
    pub segments: i64,
    pub firms: i64,
    pub firms_text: String,
    /// Gross output in 亿元 for the period when figures exist, or the words saying it is withheld from the viewer.
    pub output_yi: Option<String>,
    pub output: String,
    /// The output in hundredths for sorting (none when there is no figure or it is withheld).
    pub output_value: Option<f64>,
    pub chief: String,
}

#[derive(Template)]
#[template(path = "chains.html")]
struct ChainsPage {
    chrome: Chrome,
    rows: Vec<ChainListRow>,
    /// The output column's header: the figure and its period.
    output_th: String,
    sorting: super::sort::Sorting,
}

/// The columns the chain list sorts by; by default the store's order.
const SORTABLE: &[&str] = &["name", "area", "chief", "segments", "firms", "output"];

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
    dir: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let sorting = super::sort::Sorting::read(
        "/chains",
        String::new(),
        q.sort.as_deref(),
        q.dir.as_deref(),
        SORTABLE,
        ("", false),
    )
    .map_err(|e| viewer.fail(e))?;
    let (mut rows, period) = chain_rows(&state, &viewer).await?;
    sorting.sort(&mut rows, |r, key| match key {
        "area" => Cell::Text(r.area.clone()),
        "chief" => Cell::Text(r.chief.clone()),
        "segments" => Cell::Number(Some(r.segments as f64)),
        "firms" => Cell::Number(Some(r.firms as f64)),
        "output" => Cell::Number(r.output_value),
        _ => Cell::Text(r.name.clone()),
    });
    Ok(render(ChainsPage {
        chrome: viewer.chrome(viewer.t("chains.title"), "chains"),
        sorting,
        rows,
        output_th: format!(
            "{} ({})",
            viewer.t("park.output"),
            stats::period_label(period, viewer.lang)
        ),
    }))
}

async fn export(state: &AppState, viewer: &Viewer, kind: ExportFormat) -> PageResult {
    viewer.require_zone_views()?;
    let (rows, period) = chain_rows(state, viewer).await?;
    let t = |key| viewer.t(key).to_string();
    let table = Table {
        name: "chains",
        header: vec![
            t("common.name"),
            t("park.area"),
            t("chain.chief"),
            t("count.segments"),
            t("count.enterprises"),
            format!(
                "{} {} ({})",
                t("park.output"),
                stats::period_label(period, viewer.lang),
                t("unit.yi")
            ),
        ],
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    r.name,
                    r.area,
                    r.chief,
                    r.segments.to_string(),
                    r.firms.to_string(),
                    r.output_yi.unwrap_or_default(),
                ]
            })
            .collect(),
    };
    export::download(viewer, table, kind).await
}

pub async fn export_csv(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    export(&state, &viewer, ExportFormat::Csv).await
}

pub async fn export_xlsx(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    export(&state, &viewer, ExportFormat::Xlsx).await
}

/// Every chain the viewer may see, with its counts, chief and output for the period.
async fn chain_rows(
    state: &AppState,
    viewer: &Viewer,
) -> Result<(Vec<ChainListRow>, chainpark_core::period::Period), super::PageError> {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let chains = store
        .list_chains(actor, &ChainFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?;
    let areas = store
        .list_areas(actor, &AreaFilter::default(), &Paging::all())
        .await
        .map_err(|e| viewer.fail(e))?;
    let period = stats::default_period(store, actor, state.clock)
        .await
        .map_err(|e| viewer.fail(e))?;
    let output = stats::rollup(
        state,
        actor,
        GROSS_OUTPUT,
        period,
        Dimension::Chain,
        ShareOf::Zone,
    )
    .await
    .map_err(|e| viewer.fail(e))?;
    let today = state.clock.today();
    // The chain chiefs of every chain in one list, then each chief's name.
    let chief_posts = store
        .list_posts(
            actor,
            &PostFilter {
                role: Some(PostRole::ChainChief),
                on: Some(today),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await;
    // Posts and people the viewer may not see are left out.
    let chief_posts = optional(chief_posts)
        .map_err(|e| viewer.fail(e))?
        .map(|p| p.items)
        .unwrap_or_default();
    let mut chief_ids: Vec<Id> = chief_posts.iter().map(|p| p.person_id).collect();
    chief_ids.sort_unstable();
    chief_ids.dedup();
    let mut chief_names: HashMap<Id, String> = HashMap::new();
    for person in
        futures_util::future::join_all(chief_ids.iter().map(|id| store.get_person(actor, *id)))
            .await
    {
        if let Some(p) = optional(person).map_err(|e| viewer.fail(e))? {
            chief_names.insert(p.id, p.name);
        }
    }
    // Each chain's counts: two queries for all chains, not two per chain.
    let (all, no_filter) = (Paging::all(), SegmentFilter::default());
    let (segments, firm_counts) = tokio::join!(
        store.list_segments(actor, &no_filter, &all),
        store.chain_firm_counts(actor),
    );
    let segments = segments.map_err(|e| viewer.fail(e))?.items;
    let firm_counts = firm_counts.map_err(|e| viewer.fail(e))?;
    let mut rows = Vec::new();
    for chain in &chains.items {
        let firms = firm_counts.get(&chain.id).copied().unwrap_or(0);
        let segments = segments.iter().filter(|s| s.chain_id == chain.id).count() as i64;
        let group = output.as_ref().and_then(|r| stats::group(r, chain.id));
        let output_yi = group.map(|g| stats::yi_or_withheld(lang, g, false));
        rows.push(ChainListRow {
            id: chain.id,
            name: lang.pick(&chain.name, &chain.name_en).to_string(),
            area: areas
                .items
                .iter()
                .find(|a| a.id == chain.area_id)
                .map(|a| lang.pick(&a.name, &a.name_en).to_string())
                .unwrap_or_default(),
            segments,
            firms,
            firms_text: format::grouped(firms),
            output: group
                .map(|g| stats::yi_or_withheld(lang, g, true))
                .unwrap_or_else(|| "—".into()),
            output_value: group
                .filter(|g| g.suppressed.is_none())
                .and_then(|g| g.value.as_ref())
                .map(|v| v.hundredths as f64),
            output_yi,
            chief: chief_posts
                .iter()
                .filter(|p| p.chain_id == Some(chain.id))
                .filter_map(|p| chief_names.get(&p.person_id).cloned())
                .collect::<Vec<_>>()
                .join("、"),
        });
    }
    Ok((rows, period))
}

/// The people holding a post of `role` on the chain today, with the post's title: as written (Chinese), or, given
/// the chain's English name (`chain_en`), in English.
async fn people_in_post(
    store: &dyn Store,
    actor: &chainpark_store::Actor,
    (chain, chain_en): (Id, &Option<String>),
    role: PostRole,
    today: chrono::NaiveDate,
) -> Result<Vec<(Person, String)>, StoreError> {
    let posts = store
        .list_posts(
            actor,
            &PostFilter {
                role: Some(role),
                chain_id: Some(chain),
                on: Some(today),
                ..Default::default()
            },
            &Paging::all(),
        )
        .await;
    let posts = optional(posts)?.map(|p| p.items).unwrap_or_default();
    let mut out = Vec::new();
    for post in posts {
        if let Some(person) = optional(store.get_person(actor, post.person_id).await)? {
            let title = if let Some(chain_en) = chain_en {
                super::picker::post_title_en(&post, chain_en)
            } else if post.title.is_empty() {
                person.title.clone()
            } else {
                post.title.clone()
            };
            out.push((person, title));
        }
    }
    Ok(out)
}

pub struct FirmRow {
    pub id: Id,
    pub name: String,
    pub credit_code: String,
    pub park: String,
    pub flags: Vec<&'static str>,
}

pub struct PersonRow {
    pub name: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "chain.html")]
struct ChainPage {
    chrome: Chrome,
    chain_id: Id,
    /// Offers the chain's scheduling report.
    may_read_report: bool,
    may_read_health: bool,
    name: String,
    area: String,
    description: String,
    map_svg: String,
    chiefs: Vec<PersonRow>,
    owners: Vec<PersonRow>,
    task_force: Vec<PersonRow>,
    parks: Vec<(Id, String, usize)>,
    firms_total: String,
    gaps: Vec<(Id, String)>,
    weak: Vec<(Id, String)>,
    output: Option<String>,
    output_yoy: Option<String>,
    output_share: Option<String>,
    period_label: String,
    selected: Option<(Id, String)>,
    firms: Vec<FirmRow>,
    firms_shown_of: usize,
    alerts: Option<super::alerts::AlertList>,
}

#[derive(Debug, Deserialize)]
pub struct ChainQuery {
    segment: Option<Id>,
}

/// Firms listed under the map at most; the search page (with export) has them all.
const FIRMS_LISTED: usize = 200;

pub fn flags(e: &Enterprise) -> Vec<&'static str> {
    let mut out = Vec::new();
    if e.leading {
        out.push("ent.leading");
    }
    if e.above_size {
        out.push("ent.above_size");
    }
    if e.high_tech {
        out.push("ent.high_tech");
    }
    out
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<ChainQuery>,
) -> PageResult {
    viewer.require_zone_views()?;
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let chain = store
        .get_chain(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    // The reads are independent: run them together, so the page waits for the slowest, not for their sum.
    let segment_filter = SegmentFilter {
        chain_id: Some(id),
        ..Default::default()
    };
    let link_filter = LinkFilter {
        chain_id: Some(id),
        ..Default::default()
    };
    let all = Paging::all();
    let park_filter = ParkFilter::default();
    let figures = async {
        let period = stats::default_period(store, actor, state.clock).await?;
        let (by_segment, by_chain) = tokio::join!(
            stats::rollup(
                &state,
                actor,
                GROSS_OUTPUT,
                period,
                Dimension::Segment,
                ShareOf::Zone
            ),
            stats::rollup(
                &state,
                actor,
                GROSS_OUTPUT,
                period,
                Dimension::Chain,
                ShareOf::Zone
            ),
        );
        Ok::<_, StoreError>((period, by_segment?, by_chain?))
    };
    let today = state.clock.today();
    // On English pages a post's title is derived from the post and the chain's English name.
    let chain_en = match lang {
        Lang::En => Some(chain.name_en.clone()),
        Lang::Zh => None,
    };
    let people = async {
        tokio::join!(
            people_in_post(store, actor, (id, &chain_en), PostRole::ChainChief, today),
            people_in_post(store, actor, (id, &chain_en), PostRole::ChainOwner, today),
            people_in_post(
                store,
                actor,
                (id, &chain_en),
                PostRole::ChainTaskForce,
                today
            ),
        )
    };
    let (area, segments, links, firms, all_parks, figures, people) = tokio::join!(
        store.get_area(actor, chain.area_id),
        store.list_segments(actor, &segment_filter, &all),
        store.list_links(actor, &link_filter, &all),
        store.chain_memberships(actor, id),
        store.list_parks(actor, &park_filter, &all),
        figures,
        people,
    );
    let (period, by_segment, by_chain) = figures.map_err(|e| viewer.fail(e))?;
    let area = optional(area)
        .map_err(|e| viewer.fail(e))?
        .map(|a| lang.pick(&a.name, &a.name_en).to_string())
        .unwrap_or_default();
    let segments = segments.map_err(|e| viewer.fail(e))?.items;
    let links = links.map_err(|e| viewer.fail(e))?.items;
    let memberships = firms.map_err(|e| viewer.fail(e))?;
    let all_parks = all_parks.map_err(|e| viewer.fail(e))?.items;

    // Each firm once, with the segments it sits in: the map counts firms, not memberships.
    let mut firm_segments: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
    let mut firm_facts: HashMap<Id, &ChainMembership> = HashMap::new();
    for m in &memberships {
        firm_segments
            .entry(m.enterprise_id)
            .or_default()
            .push(m.segment_id);
        firm_facts.entry(m.enterprise_id).or_insert(m);
    }
    let counts = chain_map::firms_per_subtree(&segments, firm_segments.values().map(Vec::as_slice));
    let facts: HashMap<Id, SegmentFacts> = segments
        .iter()
        .map(|s| {
            let output = by_segment
                .as_ref()
                .and_then(|r| stats::group(r, s.id))
                .and_then(|g| match (&g.value, g.suppressed) {
                    (_, Some(_)) => Some(lang.t("fig.confidential").to_string()),
                    (Some(v), None) if v.hundredths > 0 => Some(format!(
                        "{}{}",
                        format::yi(v.hundredths),
                        lang.t("unit.yi_short")
                    )),
                    _ => None,
                });
            (
                s.id,
                SegmentFacts {
                    firms: counts.get(&s.id).copied().unwrap_or(0),
                    output,
                    diagnosis: None,
                },
            )
        })
        .collect();
    let selected = q.segment.filter(|s| segments.iter().any(|x| x.id == *s));
    let map_svg = chain_map::draw(lang, &segments, &links, &facts, selected, |segment| {
        format!("/chains/{id}?segment={segment}#firms")
    });
    let seg_name = |sid: Id| {
        segments
            .iter()
            .find(|s| s.id == sid)
            .map(|s| lang.pick(&s.name, &s.name_en).to_string())
            .unwrap_or_default()
    };
    let mut gaps = Vec::new();
    let mut weak = Vec::new();
    for (s, _) in chain_map::tree_order(&segments) {
        match chain_map::strength(facts.get(&s.id).map(|f| f.firms).unwrap_or(0)) {
            Strength::Gap => gaps.push((s.id, seg_name(s.id))),
            Strength::Weak => weak.push((s.id, seg_name(s.id))),
            Strength::Present => {}
        }
    }

    // Parks that host the chain's firms, most firms first.
    let park_name: HashMap<Id, String> = all_parks
        .iter()
        .map(|p| (p.id, lang.pick(&p.name, &p.name_en).to_string()))
        .collect();
    let mut per_park: HashMap<Id, usize> = HashMap::new();
    for f in firm_facts.values() {
        if let Some(p) = f.park_id {
            *per_park.entry(p).or_default() += 1;
        }
    }
    let mut parks: Vec<(Id, String, usize)> = per_park
        .into_iter()
        .map(|(p, n)| (p, park_name.get(&p).cloned().unwrap_or_default(), n))
        .collect();
    parks.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));

    // The firms of the selected segment (and below it), or the chain's leading firms: only those are loaded.
    let chosen_ids: Vec<Id> = match selected {
        Some(sid) => {
            let below = chain_map::subtree(&segments, sid);
            firm_segments
                .iter()
                .filter(|(_, own)| own.iter().any(|s| below.contains(s)))
                .map(|(id, _)| *id)
                .collect()
        }
        None => firm_facts
            .values()
            .filter(|f| f.leading)
            .map(|f| f.enterprise_id)
            .collect(),
    };
    let firms_shown_of = chosen_ids.len();
    // Only the firms listed are loaded: the leading above-size firms first, then the leading, then the above-size,
    // then the others, each group by name, until the list is full.
    let mut chosen = Vec::new();
    for (leading, above_size) in [(true, true), (true, false), (false, true), (false, false)] {
        let room = FIRMS_LISTED - chosen.len();
        let group: Vec<Id> = chosen_ids
            .iter()
            .copied()
            .filter(|e| {
                firm_facts
                    .get(e)
                    .is_some_and(|f| f.leading == leading && f.above_size == above_size)
            })
            .collect();
        if room == 0 || group.is_empty() {
            continue;
        }
        let filter = EnterpriseFilter {
            ids: Some(group),
            ..Default::default()
        };
        let paging = Paging::new(Some(room as i64), None, Some("name"));
        chosen.extend(
            store
                .list_enterprises(actor, &filter, &paging)
                .await
                .map_err(|e| viewer.fail(e))?
                .items,
        );
    }
    let firm_rows = chosen
        .iter()
        .map(|f| FirmRow {
            id: f.id,
            name: lang.pick(&f.name, &f.name_en).to_string(),
            credit_code: f.credit_code.as_str().to_string(),
            park: f
                .park_id
                .and_then(|p| park_name.get(&p).cloned())
                .unwrap_or_default(),
            flags: flags(f),
        })
        .collect();

    let to_rows = |people: Vec<(Person, String)>| {
        people
            .into_iter()
            .map(|(p, title)| PersonRow {
                name: p.name,
                title,
            })
            .collect::<Vec<_>>()
    };
    let (chiefs, owners, task_force) = people;
    let fail = |e| viewer.fail(e);
    let (chiefs, owners, task_force) = (
        chiefs.map_err(fail)?,
        owners.map_err(fail)?,
        task_force.map_err(fail)?,
    );
    let (chiefs, owners, task_force) = (to_rows(chiefs), to_rows(owners), to_rows(task_force));
    let chain_group = by_chain.as_ref().and_then(|r| stats::group(r, id));
    let name = lang.pick(&chain.name, &chain.name_en).to_string();
    let alerts = super::alerts::on_own_page(&state, &viewer, Landing::Chain(Some(id))).await?;
    Ok(render(ChainPage {
        chrome: viewer.chrome(name.clone(), "chains"),
        chain_id: id,
        may_read_report: actor.scope.may_read_chain_report(id).is_ok(),
        may_read_health: actor.scope.may_read_chain_intel(id).is_ok(),
        name,
        area,
        description: chain.description.clone(),
        map_svg,
        chiefs,
        owners,
        task_force,
        parks,
        firms_total: format::grouped(firm_segments.len() as i64),
        gaps,
        weak,
        output: chain_group.map(|g| stats::yi_or_withheld(lang, g, true)),
        output_yoy: chain_group
            .and_then(|g| g.yoy_growth_percent.as_deref().map(format::signed_percent)),
        output_share: chain_group.and_then(|g| g.share_percent.clone()),
        period_label: stats::period_label(period, lang),
        selected: selected.map(|s| (s, seg_name(s))),
        firms: firm_rows,
        firms_shown_of,
        alerts,
    }))
}
