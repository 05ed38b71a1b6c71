//! The industry area endpoints.

use chainpark_core::list::Paging;
use chainpark_store::AreaFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the industry area list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    /// Part of the code or name.
    pub q: Option<String>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for AreaQuery {
    type Filter = AreaFilter;

    fn into_parts(self) -> (AreaFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = AreaFilter {
            q: self.q,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "industry area",
    list_path: "/api/v1/areas",
    item_path: "/api/v1/areas/{id}",
    archive_path: "/api/v1/areas/{id}/archive",
    model: chainpark_core::registry::IndustryArea,
    input: chainpark_core::registry::IndustryAreaInput,
    query: AreaQuery,
    store: (list_areas, get_area, create_area, update_area, archive_area),
}
