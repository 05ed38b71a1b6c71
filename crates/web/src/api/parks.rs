//! The park endpoints.

use chainpark_core::list::Paging;
use chainpark_store::ParkFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the park list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ParkQuery {
    /// Part of the code or name.
    pub q: Option<String>,
    /// Only parks of this industry area.
    pub area_id: Option<i64>,
    /// GB/T 2260 district code.
    pub district: Option<String>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for ParkQuery {
    type Filter = ParkFilter;

    fn into_parts(self) -> (ParkFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = ParkFilter {
            q: self.q,
            area_id: self.area_id,
            district: self.district,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "park",
    list_path: "/api/v1/parks",
    item_path: "/api/v1/parks/{id}",
    archive_path: "/api/v1/parks/{id}/archive",
    model: chainpark_core::registry::Park,
    input: chainpark_core::registry::ParkInput,
    query: ParkQuery,
    store: (list_parks, get_park, create_park, update_park, archive_park),
}
