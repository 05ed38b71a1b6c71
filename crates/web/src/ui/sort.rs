//! Sorting a list page by its columns: `?sort=<column>&dir=asc|desc` in the URL, checked against the list's
//! columns (anything else is refused, naming the field), kept by the pager and the language switch, and drawn as
//! links in the table's header with `aria-sort`. The store sorts (its own list of keys is the second guard).

use crate::error::ApiError;

/// The order a list page is in, and how to ask for another.
pub struct Sorting {
    path: &'static str,
    /// The list's filter as a query string, without sort, direction and offset.
    filter: String,
    pub key: &'static str,
    pub desc: bool,
    default: (&'static str, bool),
}

impl Sorting {
    /// Reads `sort` and `dir` for a list at `path` whose columns are `columns`; without them the list is in its
    /// `default` order (column, descending; the column "" leaves the order to the store).
    pub fn read(
        path: &'static str,
        filter: String,
        sort: Option<&str>,
        dir: Option<&str>,
        columns: &[&'static str],
        default: (&'static str, bool),
    ) -> Result<Sorting, ApiError> {
        let key = match sort.map(str::trim).filter(|s| !s.is_empty()) {
            None => default.0,
            Some(asked) => columns
                .iter()
                .copied()
                .find(|c| *c == asked)
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "sort",
                        format!(
                            "the list cannot be sorted by {asked:?}; use one of {}",
                            columns.join(", ")
                        ),
                    )
                })?,
        };
        let desc = match dir.map(str::trim).filter(|d| !d.is_empty()) {
            None if key == default.0 => default.1,
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ApiError::bad_field(
                    "dir",
                    format!("{other:?} is neither asc nor desc"),
                ));
            }
        };
        Ok(Sorting {
            path,
            filter,
            key,
            desc,
            default,
        })
    }

    /// The store's sort key: the column, with `-` in front for descending; `None` for the store's own order
    /// (a default column of "").
    pub fn store_key(&self) -> Option<String> {
        match (self.key, self.desc) {
            ("", _) => None,
            (key, false) => Some(key.to_string()),
            (key, true) => Some(format!("-{key}")),
        }
    }

    /// The list's filter and order as a query string, for the pager: a page keeps both.
    pub fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(self.filter.clone());
        if (self.key, self.desc) != self.default {
            query
                .append_pair("sort", self.key)
                .append_pair("dir", if self.desc { "desc" } else { "asc" });
        }
        query.finish()
    }

    /// The link of a column's header: sorted by it ascending, or the other way when it is the current order;
    /// back to the first page.
    pub fn href(&self, key: &str) -> String {
        let desc = key == self.key && !self.desc;
        let mut query = form_urlencoded::Serializer::new(self.filter.clone());
        query
            .append_pair("sort", key)
            .append_pair("dir", if desc { "desc" } else { "asc" });
        format!("{}?{}", self.path, query.finish())
    }

    /// A sortable header cell: the label as a link, `aria-sort` and an arrow on the current column.
    pub fn th(&self, key: &str, label: &str, class: &str) -> String {
        let (aria, arrow) = match (key == self.key, self.desc) {
            (true, false) => ("ascending", " ▲"),
            (true, true) => ("descending", " ▼"),
            _ => ("none", ""),
        };
        let class = if class.is_empty() {
            String::new()
        } else {
            format!(" class=\"{class}\"")
        };
        format!(
            "<th{class} aria-sort=\"{aria}\"><a class=\"sort\" data-sort=\"{key}\" href=\"{}\">{}{arrow}</a></th>",
            escape(&self.href(key)),
            escape(label)
        )
    }
}

/// A cell as a list sorted in memory compares it: a number by its value (none — no figure, or withheld — first),
/// a text by its characters.
#[derive(Debug, PartialEq, PartialOrd)]
pub enum Cell {
    Number(Option<f64>),
    Text(String),
}

impl Sorting {
    /// Sorts the rows of a list the page computes whole (the chains, the parks) by the current column; the
    /// default order ("") leaves them as the store gave them. Equal cells keep that order.
    pub fn sort<T>(&self, rows: &mut [T], cell: impl Fn(&T, &str) -> Cell) {
        if self.key.is_empty() {
            return;
        }
        rows.sort_by(|a, b| {
            let order = cell(a, self.key)
                .partial_cmp(&cell(b, self.key))
                .unwrap_or(std::cmp::Ordering::Equal);
            if self.desc { order.reverse() } else { order }
        });
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The overdue filter of the case lists (appeals, work orders): `true`, `false` or none.
pub fn overdue_filter(given: Option<&str>) -> Option<bool> {
    match given {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// The status and overdue filter of a case list (appeals, work orders) as a query string, for [`Sorting`], the
/// pager and the exports: one place, so that every list keeps its filter the same way.
pub fn case_filter_query(status: Option<&str>, overdue: Option<bool>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(s) = status {
        query.append_pair("status", s);
    }
    if let Some(o) = overdue {
        query.append_pair("overdue", if o { "true" } else { "false" });
    }
    query.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorting(sort: Option<&str>, dir: Option<&str>) -> Result<Sorting, ApiError> {
        Sorting::read(
            "/appeals",
            "status=submitted".into(),
            sort,
            dir,
            &["received_on", "title"],
            ("received_on", true),
        )
    }

    #[test]
    fn sorting_by_a_column_that_is_not_listed_is_refused_naming_the_field() {
        let refused = sorting(Some("password_hash"), None).err().expect("refused");
        assert!(refused.to_string().contains("sort"), "{refused}");
        assert!(sorting(Some("title"), Some("sideways")).is_err());
    }

    #[test]
    fn the_header_link_turns_the_current_order_around_and_keeps_the_filter() {
        let s = sorting(Some("title"), Some("asc")).expect("sorted");
        assert_eq!(s.store_key().as_deref(), Some("title"));
        assert_eq!(
            s.href("title"),
            "/appeals?status=submitted&sort=title&dir=desc"
        );
        assert_eq!(s.query(), "status=submitted&sort=title&dir=asc");
        let default = sorting(None, None).expect("default");
        assert_eq!(default.store_key().as_deref(), Some("-received_on"));
        assert_eq!(default.query(), "status=submitted");
    }
}
