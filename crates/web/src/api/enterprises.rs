//! The enterprise endpoints.

use chainpark_core::list::Paging;
use chainpark_store::EnterpriseFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the enterprise list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseQuery {
    /// Part of the name or credit code.
    pub q: Option<String>,
    /// Only enterprises in this park.
    pub park_id: Option<i64>,
    /// Only enterprises in a segment of this chain.
    pub chain_id: Option<i64>,
    /// Only enterprises in this segment.
    pub segment_id: Option<i64>,
    /// GB/T 2260 district code.
    pub district: Option<String>,
    /// GB/T 4754 code or its prefix (a division selects its classes).
    pub industry_code: Option<String>,
    /// active, moved_out or closed.
    pub status: Option<chainpark_core::registry::EnterpriseStatus>,
    /// Above designated size (规上).
    pub above_size: Option<bool>,
    /// High-tech enterprises.
    pub high_tech: Option<bool>,
    /// Leading companies (龙头).
    pub leading: Option<bool>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for EnterpriseQuery {
    type Filter = EnterpriseFilter;

    fn into_parts(self) -> (EnterpriseFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = EnterpriseFilter {
            q: self.q,
            park_id: self.park_id,
            chain_id: self.chain_id,
            segment_id: self.segment_id,
            district: self.district,
            industry_code: self.industry_code,
            status: self.status,
            above_size: self.above_size,
            high_tech: self.high_tech,
            leading: self.leading,
            ids: None,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "enterprise",
    list_path: "/api/v1/enterprises",
    item_path: "/api/v1/enterprises/{id}",
    archive_path: "/api/v1/enterprises/{id}/archive",
    model: chainpark_core::registry::Enterprise,
    input: chainpark_core::registry::EnterpriseInput,
    query: EnterpriseQuery,
    store: (list_enterprises, get_enterprise, create_enterprise, update_enterprise, archive_enterprise),
}
