//! The policy registry (政策清单), one of a chain's N图N清单: the policy documents that bear on a chain — title, issuing
//! body, document number (文号), date of issue, and where to read it (a web address, or its text pasted in), with a
//! short summary. Checked here; stored by `chainpark_store::policies`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::Id;

/// The longest title, issuer and document number.
pub const MAX_NAME: usize = 200;
/// The longest summary.
pub const MAX_SUMMARY: usize = 2_000;
/// The longest pasted text of a document.
pub const MAX_TEXT: usize = 100_000;
/// The longest web address.
pub const MAX_URL: usize = 500;

/// A policy document as a user gives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    pub chain_id: Id,
    /// e.g. 重庆市推动新能源汽车产业高质量发展若干措施
    pub title: String,
    /// The issuing body, e.g. 重庆市人民政府办公厅.
    pub issuer: String,
    /// The document number (文号), e.g. 渝府办发〔2022〕58号.
    pub document_number: String,
    pub issued_on: NaiveDate,
    /// Where the document is published (http or https); either this or `text`.
    #[serde(default)]
    pub url: String,
    /// The document's text, pasted in or uploaded; either this or `url`.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub summary: String,
}

/// A checked policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDraft {
    pub chain_id: Id,
    pub title: String,
    pub issuer: String,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub url: String,
    pub text: String,
    pub summary: String,
}

/// A stored policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Policy {
    pub id: Id,
    pub chain_id: Id,
    pub title: String,
    pub issuer: String,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub url: String,
    pub text: String,
    pub summary: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn text_of(v: &mut Violations, field: &str, text: &str, max: usize, required: bool) -> String {
    let text = text.trim();
    if required && text.is_empty() {
        v.add(field, "is required");
    } else if text.chars().count() > max {
        v.add(field, format!("is longer than {max} characters"));
    }
    text.to_string()
}

impl PolicyInput {
    /// Checks every field at once: title, issuer and document number required; a web address (http or https)
    /// or the text, at least one; nothing longer than its limit.
    pub fn parse(self) -> Result<PolicyDraft, Invalid> {
        let mut v = Violations::default();
        let title = text_of(&mut v, "title", &self.title, MAX_NAME, true);
        let issuer = text_of(&mut v, "issuer", &self.issuer, MAX_NAME, true);
        let document_number = text_of(
            &mut v,
            "document_number",
            &self.document_number,
            MAX_NAME,
            true,
        );
        let url = text_of(&mut v, "url", &self.url, MAX_URL, false);
        let web_or_none =
            url.is_empty() || url.starts_with("https://") || url.starts_with("http://");
        if !web_or_none && url.chars().count() <= MAX_URL {
            v.add(
                "url",
                "must be a web address beginning with http:// or https://",
            );
        }
        if url.chars().any(char::is_whitespace) {
            v.add("url", "must not contain spaces");
        }
        let text = text_of(&mut v, "text", &self.text, MAX_TEXT, false);
        if url.is_empty() && text.is_empty() {
            v.add("url", "give the document's web address or its text");
        }
        let summary = text_of(&mut v, "summary", &self.summary, MAX_SUMMARY, false);
        v.finish(PolicyDraft {
            chain_id: self.chain_id,
            title,
            issuer,
            document_number,
            issued_on: self.issued_on,
            url,
            text,
            summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PolicyInput {
        PolicyInput {
            chain_id: 1,
            title: " 若干措施 ".into(),
            issuer: "重庆市人民政府办公厅".into(),
            document_number: "渝府办发〔2022〕58号".into(),
            issued_on: NaiveDate::from_ymd_opt(2022, 5, 20).expect("day"),
            url: "https://www.cq.gov.cn/".into(),
            text: String::new(),
            summary: String::new(),
        }
    }

    fn fields(result: Result<PolicyDraft, Invalid>) -> Vec<String> {
        result
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_policy_is_trimmed_and_kept() {
        let draft = input().parse().expect("valid");
        assert_eq!(draft.title, "若干措施");
    }

    #[test]
    fn a_policy_needs_a_title_issuer_and_number_and_a_web_address_or_its_text() {
        let bad = PolicyInput {
            title: " ".into(),
            issuer: String::new(),
            document_number: String::new(),
            url: String::new(),
            ..input()
        };
        assert_eq!(
            fields(bad.parse()),
            ["title", "issuer", "document_number", "url"]
        );
        let text_only = PolicyInput {
            url: String::new(),
            text: "第一条……".into(),
            ..input()
        };
        assert!(text_only.parse().is_ok());
    }

    #[test]
    fn a_policy_web_address_is_http_or_https() {
        for bad in ["javascript:alert(1)", "ftp://x", "www.cq.gov.cn"] {
            let p = PolicyInput {
                url: bad.into(),
                ..input()
            };
            assert_eq!(fields(p.parse()), ["url"], "{bad}");
        }
    }
}
