//! What a list may be filtered by. The store turns each filter into SQL; unknown sort keys are refused.

use chainpark_core::registry::{EnterpriseStatus, Id, PostRole, Stage};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, Default)]
pub struct AreaFilter {
    /// Part of the code or name.
    pub q: Option<String>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ChainFilter {
    pub q: Option<String>,
    pub area_id: Option<Id>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SegmentFilter {
    pub q: Option<String>,
    pub chain_id: Option<Id>,
    pub parent_id: Option<Id>,
    /// Only segments without a parent.
    pub roots_only: bool,
    pub stage: Option<Stage>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    /// Links whose supplying or supplied segment is in this chain.
    pub chain_id: Option<Id>,
    /// Links from or to this segment.
    pub segment_id: Option<Id>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub person_id: Option<Id>,
    pub role: Option<PostRole>,
    pub chain_id: Option<Id>,
    pub park_id: Option<Id>,
    pub enterprise_id: Option<Id>,
    /// Only posts held on this day.
    pub on: Option<NaiveDate>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ParkFilter {
    pub q: Option<String>,
    pub area_id: Option<Id>,
    pub district: Option<String>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name or credit code.
    pub q: Option<String>,
    pub park_id: Option<Id>,
    pub chain_id: Option<Id>,
    pub segment_id: Option<Id>,
    pub district: Option<String>,
    /// A GB/T 4754 code: the enterprise's code starts with it (a division selects its classes).
    pub industry_code: Option<String>,
    pub status: Option<EnterpriseStatus>,
    pub above_size: Option<bool>,
    pub high_tech: Option<bool>,
    pub leading: Option<bool>,
    /// Only these enterprises (a page of a chain map, an export of a selection).
    pub ids: Option<Vec<Id>>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub object_kind: Option<String>,
    pub object_id: Option<Id>,
    pub actor: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}
