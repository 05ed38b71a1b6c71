//! Lists: every list answer is a page of items with the total the filter selects, so a client can page
//! through all of it and an export can take all of it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One page of a filtered, sorted list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many objects the filter selects in all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Paging and sorting asked for by a client, already bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
    pub sort: Option<String>,
    pub descending: bool,
}

impl Paging {
    pub const DEFAULT_LIMIT: i64 = 50;
    /// Large enough for an export to read a zone's enterprises in a few pages.
    pub const MAX_LIMIT: i64 = 10_000;

    pub fn new(limit: Option<i64>, offset: Option<i64>, sort: Option<&str>) -> Self {
        let (sort, descending) = match sort.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => match s.strip_prefix('-') {
                Some(rest) => (Some(rest.to_string()), true),
                None => (Some(s.to_string()), false),
            },
            None => (None, false),
        };
        Paging {
            limit: limit
                .unwrap_or(Self::DEFAULT_LIMIT)
                .clamp(1, Self::MAX_LIMIT),
            offset: offset.unwrap_or(0).max(0),
            sort,
            descending,
        }
    }

    pub fn all() -> Self {
        Paging {
            limit: i64::MAX,
            offset: 0,
            sort: None,
            descending: false,
        }
    }
}

impl Default for Paging {
    fn default() -> Self {
        Paging::new(None, None, None)
    }
}
