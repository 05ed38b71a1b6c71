//! The chain endpoints.

use chainpark_core::list::Paging;
use chainpark_store::ChainFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the chain list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChainQuery {
    /// Part of the code or name.
    pub q: Option<String>,
    /// Only chains of this industry area.
    pub area_id: Option<i64>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for ChainQuery {
    type Filter = ChainFilter;

    fn into_parts(self) -> (ChainFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = ChainFilter {
            q: self.q,
            area_id: self.area_id,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "chain",
    list_path: "/api/v1/chains",
    item_path: "/api/v1/chains/{id}",
    archive_path: "/api/v1/chains/{id}/archive",
    model: chainpark_core::registry::Chain,
    input: chainpark_core::registry::ChainInput,
    query: ChainQuery,
    store: (list_chains, get_chain, create_chain, update_chain, archive_chain),
}
