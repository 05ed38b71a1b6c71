//! Enterprise search (any part of the Chinese name, the credit code, or pinyin initials — the store's `q`), each
//! enterprise's page (registry data, chain segments, park, monthly figures as a table and a chart), and the export
//! of everything a filter selects as CSV or XLSX (not one page: the export reads the list to its end).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chainpark_core::list::Paging;
use chainpark_core::period::Period;
use chainpark_core::registry::{Enterprise, EnterpriseContact, Id};
use chainpark_store::prelude::*;
use chainpark_store::workflow::TransformationFilter;
use chainpark_store::{ChainFilter, EnterpriseFilter, ParkFilter, SegmentFilter, StoreError};
use serde::Deserialize;

use super::chains::flags;
use super::charts::{self, Series};
use super::export;
use super::form::{self, Refusal};
use super::format;
use super::stats::{self, ADDED_VALUE, GROSS_OUTPUT};
use super::{Chrome, FormPost, PageError, PageResult, Viewer, optional, render};
use crate::AppState;
use crate::error::ApiError;
use chainpark_app::exports::ExportFormat;
use chainpark_app::exports::Table;

/// The search form's fields; the export takes the same.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none")]
    chain_id: Option<Id>,
    #[serde(default, deserialize_with = "empty_is_none")]
    park_id: Option<Id>,
    #[serde(default, deserialize_with = "empty_is_none")]
    segment_id: Option<Id>,
    #[serde(default, deserialize_with = "empty_is_none")]
    offset: Option<i64>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    dir: Option<String>,
}

/// The columns the search results sort by (the store's keys); unsorted, they come in registry order.
const SORTABLE: &[&str] = &["name", "credit_code"];

/// A select left at "any" sends an empty value.
fn empty_is_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl SearchQuery {
    fn filter(&self) -> EnterpriseFilter {
        EnterpriseFilter {
            q: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_string),
            chain_id: self.chain_id,
            park_id: self.park_id,
            segment_id: self.segment_id,
            ..Default::default()
        }
    }

    /// The filter as a query string, for the pager and the export links.
    fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            s.append_pair("q", q.trim());
        }
        for (key, value) in [
            ("chain_id", self.chain_id),
            ("park_id", self.park_id),
            ("segment_id", self.segment_id),
        ] {
            if let Some(v) = value {
                s.append_pair(key, &v.to_string());
            }
        }
        s.finish()
    }
}

pub struct ResultRow {
    pub id: Id,
    pub name: String,
    pub credit_code: String,
    pub park: String,
    pub segments: String,
    pub flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    chains: Vec<(Id, String, bool)>,
    parks: Vec<(Id, String, bool)>,
    segment: Option<String>,
    rows: Vec<ResultRow>,
    total: i64,
    offset: i64,
    filter_query: String,
    prev: Option<i64>,
    next: Option<i64>,
    sorting: crate::ui::sort::Sorting,
    /// The filter and the order, for the pager.
    page_query: String,
}

const PAGE: i64 = 50;

/// Names of the registry's chains, parks and segments, for showing enterprises.
struct Names {
    chains: HashMap<Id, String>,
    parks: HashMap<Id, String>,
    segments: HashMap<Id, (String, Id)>,
}

impl Names {
    async fn load(store: &dyn Store, viewer: &Viewer) -> Result<Names, PageError> {
        let actor = viewer.actor();
        let lang = viewer.lang;
        let all = Paging::all();
        let (chain_filter, park_filter, segment_filter) = (
            ChainFilter::default(),
            ParkFilter::default(),
            SegmentFilter::default(),
        );
        let (chains, parks, segments) = tokio::join!(
            store.list_chains(actor, &chain_filter, &all),
            store.list_parks(actor, &park_filter, &all),
            store.list_segments(actor, &segment_filter, &all),
        );
        let chains = chains.map_err(|e| viewer.fail(e))?.items;
        let parks = parks.map_err(|e| viewer.fail(e))?.items;
        let segments = segments.map_err(|e| viewer.fail(e))?.items;
        Ok(Names {
            chains: chains
                .iter()
                .map(|c| (c.id, lang.pick(&c.name, &c.name_en).to_string()))
                .collect(),
            parks: parks
                .iter()
                .map(|p| (p.id, lang.pick(&p.name, &p.name_en).to_string()))
                .collect(),
            segments: segments
                .iter()
                .map(|s| {
                    (
                        s.id,
                        (lang.pick(&s.name, &s.name_en).to_string(), s.chain_id),
                    )
                })
                .collect(),
        })
    }

    fn park(&self, e: &Enterprise) -> String {
        e.park_id
            .and_then(|p| self.parks.get(&p).cloned())
            .unwrap_or_default()
    }

    fn segments(&self, e: &Enterprise) -> String {
        e.segment_ids
            .iter()
            .filter_map(|s| self.segments.get(s))
            .map(|(name, chain)| match self.chains.get(chain) {
                Some(c) => format!("{c} › {name}"),
                None => name.clone(),
            })
            .collect::<Vec<_>>()
            .join("；")
    }
}

fn sorted(map: &HashMap<Id, String>, selected: Option<Id>) -> Vec<(Id, String, bool)> {
    let mut out: Vec<_> = map
        .iter()
        .map(|(id, name)| (*id, name.clone(), Some(*id) == selected))
        .collect();
    out.sort_by_key(|x| x.0);
    out
}

pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let offset = q.offset.unwrap_or(0).max(0);
    let filter = q.filter();
    let sorting = crate::ui::sort::Sorting::read(
        "/enterprises",
        q.query_string(),
        q.sort.as_deref(),
        q.dir.as_deref(),
        SORTABLE,
        ("", false),
    )
    .map_err(|e| viewer.fail(e))?;
    let paging = Paging::new(Some(PAGE), Some(offset), sorting.store_key().as_deref());
    let (names, found) = tokio::join!(
        Names::load(store, &viewer),
        store.list_enterprises(actor, &filter, &paging),
    );
    let names = names?;
    let found = found.map_err(|e| viewer.fail(e))?;
    let lang = viewer.lang;
    let rows = found
        .items
        .iter()
        .map(|e| ResultRow {
            id: e.id,
            name: lang.pick(&e.name, &e.name_en).to_string(),
            credit_code: e.credit_code.as_str().to_string(),
            park: names.park(e),
            segments: names.segments(e),
            flags: flags(e),
        })
        .collect();
    Ok(render(SearchPage {
        chrome: viewer.chrome(viewer.t("ent.title"), "enterprises"),
        q: q.q.clone().unwrap_or_default(),
        chains: sorted(&names.chains, q.chain_id),
        parks: sorted(&names.parks, q.park_id),
        segment: q
            .segment_id
            .and_then(|s| names.segments.get(&s).map(|(n, _)| n.clone())),
        rows,
        total: found.total,
        offset,
        filter_query: q.query_string(),
        prev: (offset > 0).then(|| (offset - PAGE).max(0)),
        next: (offset + PAGE < found.total).then_some(offset + PAGE),
        page_query: sorting.query(),
        sorting,
    }))
}

/// Every enterprise the filter selects, read page by page to the end.
async fn everything(
    store: &dyn Store,
    viewer: &Viewer,
    filter: &EnterpriseFilter,
) -> Result<Vec<Enterprise>, PageError> {
    let mut all = Vec::new();
    loop {
        let page = store
            .list_enterprises(
                viewer.actor(),
                filter,
                &Paging::new(Some(Paging::MAX_LIMIT), Some(all.len() as i64), None),
            )
            .await
            .map_err(|e| viewer.fail(e))?;
        let got = page.items.len();
        all.extend(page.items);
        if got == 0 || all.len() as i64 >= page.total {
            return Ok(all);
        }
    }
}

const EXPORT_COLUMNS: [(&str, &str); 13] = [
    ("统一社会信用代码", "credit_code"),
    ("企业名称", "name"),
    ("英文名称", "name_en"),
    ("行业代码", "industry_code"),
    ("行业名称", "industry_name"),
    ("所在区", "district"),
    ("园区", "park"),
    ("产业链环节", "segments"),
    ("规上", "above_size"),
    ("高新", "high_tech"),
    ("龙头", "leading"),
    ("成立日期", "founded_on"),
    ("状态", "status"),
];

fn export_row(e: &Enterprise, names: &Names) -> [String; 13] {
    let yes = |b: bool| if b { "是" } else { "否" }.to_string();
    [
        e.credit_code.as_str().to_string(),
        e.name.clone(),
        e.name_en.clone(),
        e.industry_code.as_str().to_string(),
        e.industry_code.name().to_string(),
        e.district.as_str().to_string(),
        names.park(e),
        names.segments(e),
        yes(e.above_size),
        yes(e.high_tech),
        yes(e.leading),
        e.founded_on.map(|d| d.to_string()).unwrap_or_default(),
        e.status.as_str().to_string(),
    ]
}

fn export_table(all: &[Enterprise], names: &Names) -> Table {
    Table {
        name: "enterprises",
        header: EXPORT_COLUMNS
            .iter()
            .map(|(zh, en)| format!("{zh} {en}"))
            .collect(),
        rows: all.iter().map(|e| export_row(e, names).to_vec()).collect(),
    }
}

async fn export(
    state: &AppState,
    viewer: &Viewer,
    q: &SearchQuery,
    kind: ExportFormat,
) -> PageResult {
    viewer.require_zone_views()?;
    let store = state.store.as_ref();
    let filter = q.filter();
    let (names, all) = tokio::join!(
        Names::load(store, viewer),
        everything(store, viewer, &filter)
    );
    export::download(viewer, export_table(&all?, &names?), kind).await
}

/// The list as CSV: every enterprise the filter selects.
pub async fn export_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    export(&state, &viewer, &q, ExportFormat::Csv).await
}

/// The list as an XLSX workbook: every enterprise the filter selects.
pub async fn export_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    export(&state, &viewer, &q, ExportFormat::Xlsx).await
}

pub struct FigureRow {
    pub month: String,
    pub added_value: String,
    pub gross_output: String,
}

/// A transformation project or a recognition of the enterprise, as its page lists them.
pub struct TransformationRow {
    pub kind: &'static str,
    pub name: String,
    pub investment: i64,
    pub from: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    may_edit_contact: bool,
    figures_visible: bool,
    saved: bool,
    e: Enterprise,
    name: String,
    park: Option<(Id, String)>,
    segments: Vec<(Id, String, String)>,
    district: String,
    status: &'static str,
    flags: Vec<&'static str>,
    digital: Option<String>,
    year: i32,
    figures: Vec<FigureRow>,
    chart_svg: Option<String>,
    transformation: Vec<TransformationRow>,
    industry: IndustryShown,
    /// The contact form as typed when it was refused, and why.
    refused: Refusal,
}

/// The enterprise's GB/T 4754 code as a page shows it: with its name in the viewer's language, or, on an English
/// page for a code the English table does not name, with its Chinese name marked as such and the nearest named
/// code above it.
struct IndustryShown {
    code: &'static str,
    name: &'static str,
    untranslated: bool,
    within: String,
}

fn industry_shown(
    code: chainpark_core::industry::IndustryCode,
    lang: super::i18n::Lang,
) -> IndustryShown {
    match (lang, code.name_en()) {
        (super::i18n::Lang::Zh, _) => IndustryShown {
            code: code.as_str(),
            name: code.name(),
            untranslated: false,
            within: String::new(),
        },
        (super::i18n::Lang::En, Some(name_en)) => IndustryShown {
            code: code.as_str(),
            name: name_en,
            untranslated: false,
            within: String::new(),
        },
        (super::i18n::Lang::En, None) => IndustryShown {
            code: code.as_str(),
            name: code.name(),
            untranslated: true,
            within: code
                .nearest_named_en()
                .and_then(|above| Some(format!("{} {}", above.as_str(), above.name_en()?)))
                .unwrap_or_default(),
        },
    }
}

/// Monthly values of one indicator for a year, by month 1–12 (current values only). The flag tells whether the
/// viewer may see this enterprise's figures at all.
async fn year_values(
    store: &dyn Store,
    viewer: &Viewer,
    id: Id,
    indicator: &str,
    year: i32,
) -> Result<([Option<i64>; 12], bool), StoreError> {
    let mut out = [None; 12];
    let found = store
        .enterprise_figures(viewer.actor(), id, indicator, Period::Year(year), None)
        .await;
    let visible = !matches!(found, Err(StoreError::Denied(_)));
    if let Some(values) = optional(found)? {
        for v in values.into_iter().filter(|v| !v.superseded) {
            if let Some(month) = v
                .month
                .split('-')
                .nth(1)
                .and_then(|m| m.parse::<usize>().ok())
                && (1..=12).contains(&month)
            {
                out[month - 1] = Some(v.value);
            }
        }
    }
    Ok((out, visible))
}

#[derive(Debug, Deserialize)]
pub struct EnterpriseQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Id>,
    Query(q): Query<EnterpriseQuery>,
) -> PageResult {
    enterprise_page(&state, &viewer, id, q.saved.is_some(), Refusal::none()).await
}

/// The enterprise's page; after a refused contact form, with the form as typed and its messages (`refused`).
async fn enterprise_page(
    state: &AppState,
    viewer: &Viewer,
    id: Id,
    saved: bool,
    refused: Refusal,
) -> PageResult {
    let store = state.store.as_ref();
    let actor = viewer.actor();
    let lang = viewer.lang;
    let e = store
        .get_enterprise(actor, id)
        .await
        .map_err(|e| viewer.fail(e))?;
    let names = Names::load(store, viewer).await?;
    let park = e
        .park_id
        .and_then(|p| names.parks.get(&p).map(|n| (p, n.clone())));
    let segments = e
        .segment_ids
        .iter()
        .filter_map(|s| {
            names.segments.get(s).map(|(name, chain)| {
                (
                    *chain,
                    names.chains.get(chain).cloned().unwrap_or_default(),
                    name.clone(),
                )
            })
        })
        .collect();
    let digital = optional(store.digital_category(actor, id).await)
        .map_err(|e| viewer.fail(e))?
        .and_then(|d| d.category)
        .map(|c| format!("{} {}", c.code(), lang.pick(c.name_zh(), c.name_en())));
    let year = stats::default_period(store, actor, state.clock)
        .await
        .map_err(|e| viewer.fail(e))?
        .year();
    let (added, output, output_before) = tokio::join!(
        year_values(store, viewer, id, ADDED_VALUE, year),
        year_values(store, viewer, id, GROSS_OUTPUT, year),
        year_values(store, viewer, id, GROSS_OUTPUT, year - 1),
    );
    let fail = |e| viewer.fail(e);
    let ((added, visible), (output, _), (output_before, _)) = (
        added.map_err(fail)?,
        output.map_err(fail)?,
        output_before.map_err(fail)?,
    );
    let wan = |v: Option<i64>| v.map(format::wan).unwrap_or_else(|| "—".into());
    let figures: Vec<FigureRow> = (0..12)
        .filter(|m| added[*m].is_some() || output[*m].is_some())
        .map(|m| FigureRow {
            month: format!("{year}-{:02}", m + 1),
            added_value: wan(added[m]),
            gross_output: wan(output[m]),
        })
        .collect();
    let series = |values: &[Option<i64>; 12], y: i32, key: &str| Series {
        name: format!("{y} {}", lang.t(key)),
        points: values
            .iter()
            .enumerate()
            .map(|(m, v)| {
                v.map(|v| {
                    (
                        v as f64 / 1e6,
                        format!(
                            "{y}-{:02}: {} {}",
                            m + 1,
                            format::wan(v),
                            lang.t("unit.wan")
                        ),
                    )
                })
            })
            .collect(),
    };
    let chart_svg = (output.iter().any(Option::is_some)
        || output_before.iter().any(Option::is_some))
    .then(|| {
        charts::monthly_lines(
            &[
                series(&output, year, "chart.this_year"),
                series(&output_before, year - 1, "chart.last_year"),
            ],
            lang.t("unit.wan"),
            &stats::month_labels(lang),
            lang.t("park.output"),
        )
    });
    let status = match e.status {
        chainpark_core::registry::EnterpriseStatus::Active => "ent.status.active",
        chainpark_core::registry::EnterpriseStatus::MovedOut => "ent.status.moved_out",
        chainpark_core::registry::EnterpriseStatus::Closed => "ent.status.closed",
    };
    let transformation = transformation_rows(store, viewer, id).await?;
    let name = lang.pick(&e.name, &e.name_en).to_string();
    let scope = &viewer.actor().scope;
    let may_edit_contact = scope.is_admin() || scope.has_enterprise(id);
    Ok(render(EnterprisePage {
        may_edit_contact,
        figures_visible: visible,
        saved,
        refused,
        chrome: viewer.chrome(name.clone(), "enterprises"),
        name,
        park,
        segments,
        district: lang
            .pick(e.district.name(), e.district.name_en())
            .to_string(),
        status,
        flags: flags(&e),
        digital,
        year,
        figures,
        chart_svg,
        transformation,
        industry: industry_shown(e.industry_code, lang),
        e,
    }))
}

/// The enterprise's transformation projects and recognitions (its own user sees them here: the zone's
/// transformation page is a zone view).
async fn transformation_rows(
    store: &dyn Store,
    viewer: &Viewer,
    id: Id,
) -> Result<Vec<TransformationRow>, PageError> {
    let filter = TransformationFilter {
        enterprise_id: Some(id),
        ..Default::default()
    };
    let all = Paging::all();
    let (projects, recognitions) = tokio::join!(
        store.list_transformation_projects(viewer.actor(), &filter, &all),
        store.list_recognitions(viewer.actor(), &filter, &all),
    );
    let projects = projects.map_err(|e| viewer.fail(e))?.items;
    let recognitions = recognitions.map_err(|e| viewer.fail(e))?.items;
    let mut rows: Vec<TransformationRow> = projects
        .into_iter()
        .map(|p| TransformationRow {
            kind: viewer.t("transformation.projects"),
            name: p.name,
            investment: p.investment,
            from: p.started_on.to_string(),
            until: p.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    rows.extend(recognitions.into_iter().map(|r| TransformationRow {
        kind: viewer.t(&format!("transformation.kind.{}", r.kind.as_str())),
        name: r.name,
        investment: r.investment,
        from: r.recognised_on.to_string(),
        until: String::new(),
    }));
    Ok(rows)
}

#[derive(Debug, Deserialize, serde::Serialize)]
pub struct ContactForm {
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
}

/// Saves an enterprise's contact data from its page's form (its own user, or the admin); the store decides who
/// may, as for the API, and keeps the change in the audit trail.
pub async fn save_contact(
    State(state): State<AppState>,
    Path(id): Path<Id>,
    FormPost { viewer, form }: FormPost<ContactForm>,
) -> Response {
    let store = state.store.as_ref();
    let result = async {
        let current = store.get_enterprise(viewer.actor(), id).await?;
        let mut input = current.to_input();
        input.contact = EnterpriseContact {
            contact_name: form.contact_name.trim().to_string(),
            phone: form.phone.trim().to_string(),
            email: form.email.trim().to_string(),
            address: form.address.trim().to_string(),
        };
        let draft = input.parse()?;
        store
            .update_enterprise(viewer.actor(), id, draft, None)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    let result = result.map(|()| format!("/enterprises/{id}?saved=1"));
    form::answer(viewer.lang, result, CONTACT_FIELDS, |errors| async move {
        let refused = Refusal::new("contact-form", &form, errors);
        enterprise_page(&state, &viewer, id, false, refused).await
    })
    .await
}

/// The fields of the contact form, as [`form::FormErrors`] places their messages (the domain names them
/// `contact.<field>`).
const CONTACT_FIELDS: &[&str] = &[
    "contact.contact_name",
    "contact.phone",
    "contact.email",
    "contact.address",
];
