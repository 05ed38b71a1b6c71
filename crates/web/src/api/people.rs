//! The person endpoints.

use chainpark_core::list::Paging;
use chainpark_store::PersonFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters, sorting and paging of the person list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    /// Part of the name, title or organisation.
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

impl super::crud::ListParams for PersonQuery {
    type Filter = PersonFilter;

    fn into_parts(self) -> (PersonFilter, Paging) {
        let paging = Paging::new(self.limit, self.offset, self.sort.as_deref());
        let filter = PersonFilter {
            q: self.q,
            include_archived: self.include_archived.unwrap_or(false),
        };
        (filter, paging)
    }
}

super::crud::crud! {
    tag: "registry",
    kind: "person",
    list_path: "/api/v1/people",
    item_path: "/api/v1/people/{id}",
    archive_path: "/api/v1/people/{id}/archive",
    model: chainpark_core::registry::Person,
    input: chainpark_core::registry::PersonInput,
    query: PersonQuery,
    store: (list_people, get_person, create_person, update_person, archive_person),
}
