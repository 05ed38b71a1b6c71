//! The segment endpoints.

use chainpark_core::list::Paging;
use chainpark_store::SegmentFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the segment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SegmentQuery {
    /// Part of the code or name.
    pub q: Option<String>,
    /// Only segments of this chain.
    pub chain_id: Option<i64>,
    /// Only the children of this segment.
    pub parent_id: Option<i64>,
    /// Only top-level segments.
    pub roots_only: Option<bool>,
    /// upstream, midstream or downstream.
    pub stage: Option<chainpark_core::registry::Stage>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for SegmentQuery {
    type Filter = SegmentFilter;

    fn into_parts(self) -> (SegmentFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = SegmentFilter {
            q: self.q,
            chain_id: self.chain_id,
            parent_id: self.parent_id,
            roots_only: self.roots_only.unwrap_or(false),
            stage: self.stage,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "segment",
    list_path: "/api/v1/segments",
    item_path: "/api/v1/segments/{id}",
    archive_path: "/api/v1/segments/{id}/archive",
    model: chainpark_core::registry::Segment,
    input: chainpark_core::registry::SegmentInput,
    query: SegmentQuery,
    store: (list_segments, get_segment, create_segment, update_segment, archive_segment),
}
