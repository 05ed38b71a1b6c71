//! The post endpoints.

use chainpark_core::list::Paging;
use chainpark_store::PostFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the post list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostQuery {
    /// Posts of this person.
    pub person_id: Option<i64>,
    /// Only this role.
    pub role: Option<chainpark_core::registry::PostRole>,
    /// Posts on this chain.
    pub chain_id: Option<i64>,
    /// Posts in this park.
    pub park_id: Option<i64>,
    /// Contacts of this enterprise.
    pub enterprise_id: Option<i64>,
    /// Only posts held on this day (YYYY-MM-DD): who led the chain then.
    pub on: Option<chrono::NaiveDate>,
    /// Also list archived objects.
    pub include_archived: Option<bool>,
    /// Sort key; prefix with `-` for descending.
    pub sort: Option<String>,
    /// Page size (1–10000, default 50).
    pub limit: Option<i64>,
    /// Objects to skip.
    pub offset: Option<i64>,
}

impl super::crud::ListParams for PostQuery {
    type Filter = PostFilter;

    fn into_parts(self) -> (PostFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = PostFilter {
            person_id: self.person_id,
            role: self.role,
            chain_id: self.chain_id,
            park_id: self.park_id,
            enterprise_id: self.enterprise_id,
            on: self.on,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "post",
    list_path: "/api/v1/posts",
    item_path: "/api/v1/posts/{id}",
    archive_path: "/api/v1/posts/{id}/archive",
    model: chainpark_core::registry::Post,
    input: chainpark_core::registry::PostInput,
    query: PostQuery,
    store: (list_posts, get_post, create_post, update_post, archive_post),
}
