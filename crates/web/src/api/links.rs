//! The supply link endpoints.

use chainpark_core::list::Paging;
use chainpark_store::LinkFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the supply link list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    /// Links touching a segment of this chain.
    pub chain_id: Option<i64>,
    /// Links from or to this segment.
    pub segment_id: Option<i64>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for LinkQuery {
    type Filter = LinkFilter;

    fn into_parts(self) -> (LinkFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = LinkFilter {
            chain_id: self.chain_id,
            segment_id: self.segment_id,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "supply link",
    list_path: "/api/v1/supply-links",
    item_path: "/api/v1/supply-links/{id}",
    archive_path: "/api/v1/supply-links/{id}/archive",
    model: chainpark_core::registry::SupplyLink,
    input: chainpark_core::registry::SupplyLinkInput,
    query: LinkQuery,
    store: (list_links, get_link, create_link, update_link, archive_link),
}
