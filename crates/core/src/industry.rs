//! The national industry classification GB/T 4754-2017 (国民经济行业分类), which says what an enterprise does.
//! The table ships in `reference/gbt4754_2017.csv` and is read once; an `IndustryCode` always names a row of it, so
//! its name, level and ancestors are always at hand.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

const SOURCE: &str = include_str!("../../../reference/gbt4754_2017.csv");
const HEADER: &str = "level,code,name,parent";

/// The four levels of the classification; each code's shape tells its level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IndustryLevel {
    /// 门类: a letter A–T.
    Section,
    /// 大类: two digits.
    Division,
    /// 中类: three digits.
    Group,
    /// 小类: four digits.
    Class,
}

impl IndustryLevel {
    /// The level's name in the standard (门类, 大类, 中类, 小类).
    pub fn name_zh(self) -> &'static str {
        match self {
            IndustryLevel::Section => "门类",
            IndustryLevel::Division => "大类",
            IndustryLevel::Group => "中类",
            IndustryLevel::Class => "小类",
        }
    }

    fn from_name_zh(name: &str) -> Option<IndustryLevel> {
        [
            IndustryLevel::Section,
            IndustryLevel::Division,
            IndustryLevel::Group,
            IndustryLevel::Class,
        ]
        .into_iter()
        .find(|level| level.name_zh() == name)
    }

    /// The level a code of this shape would have, if the shape is one the standard uses.
    fn of_shape(code: &str) -> Option<IndustryLevel> {
        let bytes = code.as_bytes();
        match bytes {
            [b'A'..=b'T'] => Some(IndustryLevel::Section),
            _ if !bytes.iter().all(u8::is_ascii_digit) => None,
            [_, _] => Some(IndustryLevel::Division),
            [_, _, _] => Some(IndustryLevel::Group),
            [_, _, _, _] => Some(IndustryLevel::Class),
            _ => None,
        }
    }
}

/// One row of the classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IndustryEntry {
    pub level: IndustryLevel,
    pub code: &'static str,
    pub name: &'static str,
    /// The code one level up; `None` for a section.
    pub parent: Option<&'static str>,
}

struct Table {
    entries: Vec<IndustryEntry>,
    by_code: HashMap<&'static str, usize>,
    children: HashMap<&'static str, Vec<usize>>,
}

impl Table {
    /// Reads the shipped table. It is part of the program, not user input, so a fault is reported with its line
    /// and stops the program at first use (a test reads it on every build).
    fn parse(text: &'static str) -> Result<Table, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim_end_matches('\r')));
        match lines.next() {
            Some((_, header)) if header.trim_start_matches('\u{feff}') == HEADER => {}
            _ => return Err(format!("line 1: header should be '{HEADER}'")),
        }
        let mut entries = Vec::new();
        let mut by_code = HashMap::new();
        for (number, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
            let fields: Vec<&'static str> = line.split(',').collect();
            let [level, code, name, parent] = fields[..] else {
                return Err(format!(
                    "line {number}: expected 4 fields, found {}",
                    fields.len()
                ));
            };
            let level = IndustryLevel::from_name_zh(level)
                .ok_or_else(|| format!("line {number}: unknown level '{level}'"))?;
            if IndustryLevel::of_shape(code) != Some(level) {
                return Err(format!(
                    "line {number}: code '{code}' does not have the shape of a {}",
                    level.name_zh()
                ));
            }
            let parent = match (level, parent) {
                (IndustryLevel::Section, "") => None,
                (IndustryLevel::Section, _) => {
                    return Err(format!("line {number}: a section has no parent"));
                }
                (_, parent) => {
                    let parent_index = by_code.get(parent).ok_or_else(|| {
                        format!("line {number}: parent '{parent}' is not listed above it")
                    })?;
                    let parent_entry: &IndustryEntry = &entries[*parent_index];
                    let nested =
                        parent_entry.level == IndustryLevel::Section || code.starts_with(parent);
                    if !nested {
                        return Err(format!(
                            "line {number}: code '{code}' does not extend its parent '{parent}'"
                        ));
                    }
                    Some(parent)
                }
            };
            if by_code.insert(code, entries.len()).is_some() {
                return Err(format!("line {number}: code '{code}' is listed twice"));
            }
            entries.push(IndustryEntry {
                level,
                code,
                name,
                parent,
            });
        }
        let mut children: HashMap<&'static str, Vec<usize>> = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            if let Some(parent) = entry.parent {
                children.entry(parent).or_default().push(index);
            }
        }
        Ok(Table {
            entries,
            by_code,
            children,
        })
    }
}

/// English names, translated in this project from the wording of the standard's English edition (see
/// `reference/SOURCES.md`): every section and division has one; groups and classes have none yet.
const SOURCE_EN: &str = include_str!("../../../reference/gbt4754_2017_en.csv");
const HEADER_EN: &str = "code,name_en";

/// Reads the English names: `code,name_en`, the name quoted when it holds a comma. Every code must be in the
/// table and listed once.
fn parse_names_en(text: &'static str) -> Result<HashMap<&'static str, &'static str>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end_matches('\r')));
    match lines.next() {
        Some((_, header)) if header.trim_start_matches('\u{feff}') == HEADER_EN => {}
        _ => return Err(format!("line 1: header should be '{HEADER_EN}'")),
    }
    let mut names = HashMap::new();
    for (number, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        let Some((code, name)) = line.split_once(',') else {
            return Err(format!("line {number}: expected 'code,name_en'"));
        };
        let name = match name.strip_prefix('"') {
            Some(quoted) => quoted
                .strip_suffix('"')
                .filter(|inner| !inner.contains('"'))
                .ok_or_else(|| format!("line {number}: unbalanced quotes"))?,
            None if name.contains('"') => return Err(format!("line {number}: stray quote")),
            None => name,
        };
        if name.trim().is_empty() || name.trim() != name {
            return Err(format!("line {number}: the name is empty or padded"));
        }
        if lookup(code).is_none() {
            return Err(format!("line {number}: code '{code}' is not in the table"));
        }
        if names.insert(code, name).is_some() {
            return Err(format!("line {number}: code '{code}' is listed twice"));
        }
    }
    Ok(names)
}

static NAMES_EN: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    parse_names_en(SOURCE_EN)
        .unwrap_or_else(|fault| panic!("reference/gbt4754_2017_en.csv: {fault}"))
});

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    Table::parse(SOURCE).unwrap_or_else(|fault| panic!("reference/gbt4754_2017.csv: {fault}"))
});

/// The row for `code`, written exactly as in the table (no trimming; see [`IndustryCode::parse`] for user text).
pub fn lookup(code: &str) -> Option<&'static IndustryEntry> {
    let table = &*TABLE;
    table.by_code.get(code).map(|&index| &table.entries[index])
}

/// Every row, in the standard's order (each section followed by its divisions, groups and classes).
pub fn all() -> &'static [IndustryEntry] {
    &TABLE.entries
}

/// Why a text is not a GB/T 4754-2017 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryCodeError {
    #[error("industry code is empty")]
    Empty,
    #[error(
        "'{0}' is not a GB/T 4754-2017 industry code: expected a section letter A-T or 2, 3 or 4 digits"
    )]
    Malformed(String),
    #[error("industry code '{0}' does not exist in GB/T 4754-2017")]
    Unknown(String),
}

/// A code of GB/T 4754-2017 at any level: a section letter ("C"), a division ("36"), a group ("361") or a class
/// ("3612"). Serialised as the plain code; deserialising checks it against the table.
#[derive(Clone, Copy)]
pub struct IndustryCode(&'static IndustryEntry);

impl IndustryCode {
    /// Parses user text: trims, reads a lowercase section letter as uppercase, and accepts only codes that exist.
    pub fn parse(input: &str) -> Result<IndustryCode, IndustryCodeError> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(IndustryCodeError::Empty);
        }
        if IndustryLevel::of_shape(&code).is_none() {
            return Err(IndustryCodeError::Malformed(code));
        }
        lookup(&code)
            .map(IndustryCode)
            .ok_or(IndustryCodeError::Unknown(code))
    }

    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    pub fn entry(&self) -> &'static IndustryEntry {
        self.0
    }

    pub fn level(&self) -> IndustryLevel {
        self.0.level
    }

    /// The official Chinese name, e.g. 汽车零部件及配件制造 for 3670.
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The English name, where the shipped English table has one (every section and division).
    pub fn name_en(&self) -> Option<&'static str> {
        NAMES_EN.get(self.0.code).copied()
    }

    /// The nearest code at or above this one that has an English name, e.g. division 36 for class 3670.
    pub fn nearest_named_en(&self) -> Option<IndustryCode> {
        self.ancestors().find(|code| code.name_en().is_some())
    }

    /// The code one level up; `None` for a section.
    pub fn parent(&self) -> Option<IndustryCode> {
        self.0.parent.and_then(lookup).map(IndustryCode)
    }

    /// This code, then its parent, up to its section: the walk used when a rule is given at a coarser level.
    pub fn ancestors(&self) -> impl Iterator<Item = IndustryCode> + 'static {
        std::iter::successors(Some(*self), IndustryCode::parent)
    }

    /// The section (门类) the code belongs to, e.g. "C" for 3612; a section is its own section.
    pub fn section(&self) -> IndustryCode {
        self.ancestors().last().unwrap_or(*self)
    }

    /// The division (大类) the code belongs to, e.g. "36" for 3612; `None` for a section, which is above divisions.
    pub fn division(&self) -> Option<IndustryCode> {
        self.ancestors()
            .find(|code| code.level() == IndustryLevel::Division)
    }

    /// Section C (制造业): the zone's industrial statistics and digital-transformation rules apply to these.
    pub fn is_manufacturing(&self) -> bool {
        self.section().as_str() == "C"
    }

    /// Whether this code is `other` or lies below it (3612 is within 361, 36 and C).
    pub fn is_within(&self, other: IndustryCode) -> bool {
        self.ancestors().any(|code| code == other)
    }

    /// The codes one level down, in the standard's order; empty for a class.
    pub fn children(&self) -> impl Iterator<Item = IndustryCode> + 'static {
        let table = &*TABLE;
        let indices: &'static [usize] = table.children.get(self.0.code).map_or(&[], Vec::as_slice);
        indices
            .iter()
            .map(move |&index| IndustryCode(&table.entries[index]))
    }
}

crate::table_code::table_code!(IndustryCode, IndustryCodeError);

impl utoipa::PartialSchema for IndustryCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "GB/T 4754-2017 industry code (国民经济行业分类): a section letter A-T or a 2, 3 or 4-digit code.",
            ))
            .pattern(Some("^([A-T]|[0-9]{2,4})$"))
            .examples(["3670"])
            .into()
    }
}

impl utoipa::ToSchema for IndustryCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> IndustryCode {
        IndustryCode::parse(text).expect(text)
    }

    #[test]
    fn embedded_table_has_the_published_counts_per_level() {
        let count = |level| all().iter().filter(|entry| entry.level == level).count();
        assert_eq!(count(IndustryLevel::Section), 20);
        assert_eq!(count(IndustryLevel::Division), 97);
        assert_eq!(count(IndustryLevel::Group), 473);
        assert_eq!(count(IndustryLevel::Class), 1381);
    }

    #[test]
    fn every_section_and_division_has_an_english_name() {
        let missing: Vec<&str> = all()
            .iter()
            .filter(|e| matches!(e.level, IndustryLevel::Section | IndustryLevel::Division))
            .filter(|e| code(e.code).name_en().is_none())
            .map(|e| e.code)
            .collect();
        assert_eq!(missing, Vec::<&str>::new());
        assert_eq!(code("36").name_en(), Some("Manufacture of automobiles"));
        assert_eq!(
            code("A").name_en(),
            Some("Agriculture, forestry, animal husbandry and fishery")
        );
        assert_eq!(code("3670").name_en(), None);
        assert_eq!(
            code("3670").nearest_named_en().map(|c| c.as_str()),
            Some("36")
        );
    }

    #[test]
    fn an_english_name_table_with_an_unknown_code_or_a_stray_quote_is_refused_with_its_line() {
        let unknown = parse_names_en("code,name_en\nC,Manufacturing\nZ9,Nothing\n").unwrap_err();
        assert!(unknown.starts_with("line 3:"), "{unknown}");
        let quote = parse_names_en("code,name_en\nA,\"Farming, forestry\n").unwrap_err();
        assert!(quote.starts_with("line 2:"), "{quote}");
        let twice = parse_names_en("code,name_en\nC,Manufacturing\nC,Making\n").unwrap_err();
        assert!(twice.starts_with("line 3:"), "{twice}");
    }

    #[test]
    fn codes_of_every_level_parse_and_report_their_level() {
        assert_eq!(code("C").level(), IndustryLevel::Section);
        assert_eq!(code("36").level(), IndustryLevel::Division);
        assert_eq!(code("367").level(), IndustryLevel::Group);
        assert_eq!(code("3670").level(), IndustryLevel::Class);
    }

    #[test]
    fn parsing_trims_and_accepts_a_lowercase_section_letter() {
        assert_eq!(code(" 3973 ").as_str(), "3973");
        assert_eq!(code("c").as_str(), "C");
    }

    #[test]
    fn codes_not_in_the_table_are_rejected_by_name() {
        let err = IndustryCode::parse("3699").unwrap_err();
        assert_eq!(err, IndustryCodeError::Unknown("3699".into()));
        assert!(err.to_string().contains("'3699'"));
        assert_eq!(
            IndustryCode::parse("98"),
            Err(IndustryCodeError::Unknown("98".into()))
        );
    }

    #[test]
    fn text_of_the_wrong_shape_is_rejected_as_malformed() {
        for bad in ["C3670", "36701", "3", "3a", "U", "制造业"] {
            assert!(
                matches!(
                    IndustryCode::parse(bad),
                    Err(IndustryCodeError::Malformed(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(IndustryCode::parse("  "), Err(IndustryCodeError::Empty));
    }

    #[test]
    fn class_knows_its_name_parent_division_and_section() {
        let class = code("3612");
        assert_eq!(class.name(), "新能源车整车制造");
        assert_eq!(class.parent(), Some(code("361")));
        assert_eq!(class.division(), Some(code("36")));
        assert_eq!(class.section().as_str(), "C");
    }

    #[test]
    fn section_is_its_own_section_and_has_no_division() {
        let section = code("I");
        assert_eq!(section.section(), section);
        assert_eq!(section.division(), None);
        assert_eq!(section.parent(), None);
    }

    #[test]
    fn only_section_c_is_manufacturing() {
        assert!(code("3973").is_manufacturing());
        assert!(code("C").is_manufacturing());
        assert!(!code("6513").is_manufacturing());
        assert!(!code("0111").is_manufacturing());
    }

    #[test]
    fn children_are_the_codes_one_level_down() {
        let children: Vec<&str> = code("396").children().map(|c| c.as_str()).collect();
        assert_eq!(children, ["3961", "3962", "3963", "3964", "3969"]);
        assert_eq!(code("3961").children().count(), 0);
        assert!(
            code("C")
                .children()
                .all(|c| c.level() == IndustryLevel::Division)
        );
    }

    #[test]
    fn a_code_is_within_each_of_its_ancestors() {
        let class = code("3973");
        assert!(class.is_within(code("397")));
        assert!(class.is_within(code("39")));
        assert!(class.is_within(code("C")));
        assert!(class.is_within(class));
        assert!(!class.is_within(code("38")));
    }

    #[test]
    fn lookup_and_all_agree() {
        assert_eq!(all().len(), 1971);
        let entry = lookup("3911").expect("3911 exists");
        assert_eq!(entry.name, "计算机整机制造");
        assert_eq!(entry.parent, Some("391"));
        assert!(lookup(" 3911").is_none());
    }

    #[test]
    fn serde_uses_the_plain_code_and_validates() {
        let json = serde_json::to_string(&code("6513")).expect("serialise");
        assert_eq!(json, "\"6513\"");
        let back: IndustryCode = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, code("6513"));
        assert!(serde_json::from_str::<IndustryCode>("\"9999\"").is_err());
    }

    #[test]
    fn openapi_schema_is_a_string() {
        let schema =
            serde_json::to_value(<IndustryCode as utoipa::PartialSchema>::schema()).expect("json");
        assert_eq!(schema["type"], "string");
    }
}
