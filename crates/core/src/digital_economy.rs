//! The NBS digital-economy classification of 2021 (数字经济及其核心产业统计分类(2021)): which enterprises count toward
//! the zone's digital economy, decided from their GB/T 4754 industry code through a replaceable mapping table.
//!
//! The shipped mapping (`reference/digital_economy_default_map.csv`) is chainpark's own approximation, because the
//! official class-level table was not available: it lists only GB/T 4754 codes that are (nearly) wholly digital and
//! never assigns category 05, which depends on the enterprise rather than its industry. Importing the official
//! table with [`DigitalEconomyMap::from_csv`] replaces it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

use crate::industry::{IndustryCode, IndustryCodeError, IndustryLevel};

const CLASSIFICATION: &str = include_str!("../../../reference/nbs_digital_economy_2021.csv");
const DEFAULT_MAP: &str = include_str!("../../../reference/digital_economy_default_map.csv");
const MAP_HEADER: &str = "gbt4754_code,category,mid_class,note";

/// The five categories (大类). 01–04 are the core digital-economy industries; 05 is the digitalisation of others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigitalEconomyCategory {
    /// 01 数字产品制造业
    DigitalProductManufacturing,
    /// 02 数字产品服务业
    DigitalProductServices,
    /// 03 数字技术应用业
    DigitalTechnologyApplication,
    /// 04 数字要素驱动业
    DigitalFactorDriven,
    /// 05 数字化效率提升业
    DigitalEfficiencyImprovement,
}

impl DigitalEconomyCategory {
    pub const ALL: [DigitalEconomyCategory; 5] = [
        DigitalEconomyCategory::DigitalProductManufacturing,
        DigitalEconomyCategory::DigitalProductServices,
        DigitalEconomyCategory::DigitalTechnologyApplication,
        DigitalEconomyCategory::DigitalFactorDriven,
        DigitalEconomyCategory::DigitalEfficiencyImprovement,
    ];

    /// The two-digit code of the standard, "01".."05".
    pub fn code(self) -> &'static str {
        match self {
            DigitalEconomyCategory::DigitalProductManufacturing => "01",
            DigitalEconomyCategory::DigitalProductServices => "02",
            DigitalEconomyCategory::DigitalTechnologyApplication => "03",
            DigitalEconomyCategory::DigitalFactorDriven => "04",
            DigitalEconomyCategory::DigitalEfficiencyImprovement => "05",
        }
    }

    pub fn from_code(code: &str) -> Option<DigitalEconomyCategory> {
        DigitalEconomyCategory::ALL
            .into_iter()
            .find(|category| category.code() == code.trim())
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DigitalEconomyCategory::DigitalProductManufacturing => "数字产品制造业",
            DigitalEconomyCategory::DigitalProductServices => "数字产品服务业",
            DigitalEconomyCategory::DigitalTechnologyApplication => "数字技术应用业",
            DigitalEconomyCategory::DigitalFactorDriven => "数字要素驱动业",
            DigitalEconomyCategory::DigitalEfficiencyImprovement => "数字化效率提升业",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            DigitalEconomyCategory::DigitalProductManufacturing => "digital product manufacturing",
            DigitalEconomyCategory::DigitalProductServices => "digital product services",
            DigitalEconomyCategory::DigitalTechnologyApplication => {
                "digital technology application"
            }
            DigitalEconomyCategory::DigitalFactorDriven => "digital factor-driven industries",
            DigitalEconomyCategory::DigitalEfficiencyImprovement => {
                "digital efficiency improvement"
            }
        }
    }

    /// Categories 01–04, the core digital-economy industries (数字经济核心产业) that the zone's headline figures count.
    pub fn is_core(self) -> bool {
        self != DigitalEconomyCategory::DigitalEfficiencyImprovement
    }

    /// The category's mid classes, in the standard's order.
    pub fn mid_classes(self) -> impl Iterator<Item = &'static MidClass> {
        MidClass::all()
            .iter()
            .filter(move |mid| mid.category == self)
    }
}

impl fmt::Display for DigitalEconomyCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for DigitalEconomyCategory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for DigitalEconomyCategory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DigitalEconomyCategory::from_code(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "digital-economy category '{text}' should be one of 01-05"
            ))
        })
    }
}

impl utoipa::PartialSchema for DigitalEconomyCategory {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "Digital-economy category of the NBS 2021 classification: 01 digital product manufacturing, \
                 02 digital product services, 03 digital technology application, 04 digital factor-driven \
                 industries, 05 digital efficiency improvement. 01-04 are the core industries.",
            ))
            .enum_values(Some(DigitalEconomyCategory::ALL.map(DigitalEconomyCategory::code)))
            .examples(["01"])
            .into()
    }
}

impl utoipa::ToSchema for DigitalEconomyCategory {}

/// A mid class (中类) of the classification, e.g. 0101 计算机制造. Codes are the category code plus a sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MidClass {
    pub code: &'static str,
    pub name: &'static str,
    pub category: DigitalEconomyCategory,
}

static MID_CLASSES: LazyLock<Vec<MidClass>> = LazyLock::new(|| {
    parse_classification(CLASSIFICATION)
        .unwrap_or_else(|fault| panic!("reference/nbs_digital_economy_2021.csv: {fault}"))
});

/// Reads the shipped classification (level,code,name,gbt4754_codes). It is part of the program, not user input, so a
/// fault stops the program at first use; a test reads it on every build.
fn parse_classification(text: &'static str) -> Result<Vec<MidClass>, String> {
    if !text
        .trim_start_matches('\u{feff}')
        .starts_with("level,code,name,")
    {
        return Err("line 1: header should be 'level,code,name,gbt4754_codes'".to_string());
    }
    let mut mid_classes = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let number = index + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&'static str> = line.splitn(4, ',').collect();
        let [level, code, name, ..] = fields[..] else {
            return Err(format!(
                "line {number}: expected level,code,name,gbt4754_codes"
            ));
        };
        match level {
            "大类" => {
                let category = DigitalEconomyCategory::from_code(code)
                    .ok_or_else(|| format!("line {number}: unknown category '{code}'"))?;
                if category.name_zh() != name {
                    return Err(format!(
                        "line {number}: category {code} should be named {}",
                        category.name_zh()
                    ));
                }
            }
            "中类" => {
                let category = code
                    .get(..2)
                    .and_then(DigitalEconomyCategory::from_code)
                    .filter(|_| code.len() == 4)
                    .ok_or_else(|| {
                        format!(
                            "line {number}: mid class '{code}' is not a category code + 2 digits"
                        )
                    })?;
                mid_classes.push(MidClass {
                    code,
                    name,
                    category,
                });
            }
            other => return Err(format!("line {number}: unknown level '{other}'")),
        }
    }
    Ok(mid_classes)
}

impl MidClass {
    /// All 32 mid classes, in the standard's order.
    pub fn all() -> &'static [MidClass] {
        &MID_CLASSES
    }

    pub fn lookup(code: &str) -> Option<&'static MidClass> {
        MidClass::all().iter().find(|mid| mid.code == code.trim())
    }
}

/// One row of a mapping: a GB/T 4754 code and the digital-economy class its enterprises fall in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigitalEconomyEntry {
    /// A division (大类), group (中类) or class (小类).
    pub industry: IndustryCode,
    pub category: DigitalEconomyCategory,
    /// `None` where the category is clear but the mid class is not (a division spanning several).
    pub mid_class: Option<&'static MidClass>,
    /// Why the row is there; shown to an administrator reviewing the mapping.
    pub note: String,
}

/// Why a mapping file was refused. Each error names the line, counting from 1 and including comment lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("line {line}: header should be '{MAP_HEADER}', found '{found}'")]
    BadHeader { line: usize, found: String },
    #[error("the mapping has no header row '{MAP_HEADER}'")]
    MissingHeader,
    #[error("line {line}: expected at least 3 fields gbt4754_code,category,mid_class")]
    MissingField { line: usize },
    #[error("line {line}: {source}")]
    BadIndustryCode {
        line: usize,
        source: IndustryCodeError,
    },
    #[error("line {line}: '{code}' is a GB/T 4754 section; map divisions, groups or classes")]
    SectionCode { line: usize, code: String },
    #[error("line {line}: category '{value}' should be one of 01-05")]
    BadCategory { line: usize, value: String },
    #[error("line {line}: mid class '{value}' is not in the 2021 classification")]
    UnknownMidClass { line: usize, value: String },
    #[error("line {line}: mid class {mid_class} belongs to category {belongs_to}, not {category}")]
    MidClassOutsideCategory {
        line: usize,
        mid_class: String,
        belongs_to: DigitalEconomyCategory,
        category: DigitalEconomyCategory,
    },
    #[error("line {line}: industry code {code} is mapped twice")]
    Duplicate { line: usize, code: String },
}

/// A mapping from GB/T 4754 codes to digital-economy classes; the most specific code listed decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigitalEconomyMap {
    entries: BTreeMap<IndustryCode, DigitalEconomyEntry>,
}

impl DigitalEconomyMap {
    /// chainpark's shipped approximation (see the module documentation for what it leaves out).
    pub fn default_map() -> DigitalEconomyMap {
        // The shipped file is part of the program and a test reads it on every build, so this cannot fail at run time.
        DigitalEconomyMap::from_csv(DEFAULT_MAP)
            .unwrap_or_else(|fault| panic!("reference/digital_economy_default_map.csv: {fault}"))
    }

    /// Reads `gbt4754_code,category,mid_class,note` rows. Lines starting with `#` and blank lines are skipped;
    /// the note may contain commas and may be missing; `mid_class` may be empty.
    pub fn from_csv(text: &str) -> Result<DigitalEconomyMap, MapError> {
        let mut rows = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim().trim_start_matches('\u{feff}')))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        match rows.next() {
            Some((_, header)) if header == MAP_HEADER => {}
            Some((line, found)) => {
                return Err(MapError::BadHeader {
                    line,
                    found: found.to_string(),
                });
            }
            None => return Err(MapError::MissingHeader),
        }
        let mut map = DigitalEconomyMap::default();
        for (line, text) in rows {
            let entry = parse_row(line, text)?;
            if map.entries.contains_key(&entry.industry) {
                return Err(MapError::Duplicate {
                    line,
                    code: entry.industry.to_string(),
                });
            }
            map.entries.insert(entry.industry, entry);
        }
        Ok(map)
    }

    /// Adds the rows of `other`; where both list a code, `other` wins, so an administrator's import overrides.
    pub fn merge(&mut self, other: DigitalEconomyMap) {
        self.entries.extend(other.entries);
    }

    /// The category of enterprises with this industry code, from the most specific listed code at or above it
    /// (class, then group, then division); `None` when the code is outside the digital economy as mapped.
    pub fn classify(&self, code: &IndustryCode) -> Option<DigitalEconomyCategory> {
        self.entry_for(code).map(|entry| entry.category)
    }

    /// The row that decides `code`'s category, with its mid class and note.
    pub fn entry_for(&self, code: &IndustryCode) -> Option<&DigitalEconomyEntry> {
        code.ancestors()
            .find_map(|ancestor| self.entries.get(&ancestor))
    }

    /// The mapping as the CSV that [`DigitalEconomyMap::from_csv`] reads back: the header, then one row per code
    /// in code order; a note holding a comma is quoted as a spreadsheet would, and a note that begins like a
    /// formula is neutralised like every CSV cell chainpark writes.
    pub fn to_csv(&self) -> String {
        let mut text = format!("{MAP_HEADER}\n");
        for entry in self.entries() {
            let note = crate::spreadsheet::formula_safe(&entry.note);
            let note = if note.contains(',') {
                format!("\"{note}\"")
            } else {
                note.into_owned()
            };
            text.push_str(&format!(
                "{},{},{},{note}\n",
                entry.industry,
                entry.category.code(),
                entry.mid_class.map_or("", |mid| mid.code)
            ));
        }
        text
    }

    /// Every row, ordered by industry code.
    pub fn entries(&self) -> impl Iterator<Item = &DigitalEconomyEntry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_row(line: usize, text: &str) -> Result<DigitalEconomyEntry, MapError> {
    let mut fields = text.splitn(4, ',').map(str::trim);
    let (Some(code), Some(category), Some(mid_class)) =
        (fields.next(), fields.next(), fields.next())
    else {
        return Err(MapError::MissingField { line });
    };
    // Spreadsheets quote a note that holds commas; the quotes are not part of it.
    let note = fields.next().unwrap_or("").trim_matches('"').to_string();
    let industry =
        IndustryCode::parse(code).map_err(|source| MapError::BadIndustryCode { line, source })?;
    if industry.level() == IndustryLevel::Section {
        return Err(MapError::SectionCode {
            line,
            code: industry.to_string(),
        });
    }
    let category =
        DigitalEconomyCategory::from_code(category).ok_or_else(|| MapError::BadCategory {
            line,
            value: category.to_string(),
        })?;
    let mid_class = match mid_class {
        "" => None,
        text => {
            let mid = MidClass::lookup(text).ok_or_else(|| MapError::UnknownMidClass {
                line,
                value: text.to_string(),
            })?;
            if mid.category != category {
                return Err(MapError::MidClassOutsideCategory {
                    line,
                    mid_class: mid.code.to_string(),
                    belongs_to: mid.category,
                    category,
                });
            }
            Some(mid)
        }
    };
    Ok(DigitalEconomyEntry {
        industry,
        category,
        mid_class,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DigitalEconomyCategory::*;

    fn code(text: &str) -> IndustryCode {
        IndustryCode::parse(text).expect(text)
    }

    fn map_of(rows: &str) -> Result<DigitalEconomyMap, MapError> {
        DigitalEconomyMap::from_csv(&format!("{MAP_HEADER}\n{rows}"))
    }

    #[test]
    fn classification_has_five_categories_and_32_mid_classes() {
        assert_eq!(MidClass::all().len(), 32);
        let per_category: Vec<usize> = DigitalEconomyCategory::ALL
            .iter()
            .map(|c| c.mid_classes().count())
            .collect();
        assert_eq!(per_category, [6, 5, 5, 7, 9]);
        assert_eq!(MidClass::lookup("0101").map(|m| m.name), Some("计算机制造"));
    }

    #[test]
    fn categories_01_to_04_are_core_and_05_is_not() {
        let core: Vec<&str> = DigitalEconomyCategory::ALL
            .iter()
            .filter(|c| c.is_core())
            .map(|c| c.code())
            .collect();
        assert_eq!(core, ["01", "02", "03", "04"]);
    }

    #[test]
    fn category_codes_round_trip_and_carry_both_names() {
        for category in DigitalEconomyCategory::ALL {
            assert_eq!(
                DigitalEconomyCategory::from_code(category.code()),
                Some(category)
            );
        }
        assert_eq!(DigitalFactorDriven.name_zh(), "数字要素驱动业");
        assert_eq!(
            DigitalFactorDriven.name_en(),
            "digital factor-driven industries"
        );
        assert_eq!(DigitalEconomyCategory::from_code("06"), None);
    }

    #[test]
    fn default_map_puts_integrated_circuits_in_digital_product_manufacturing() {
        let entry = DigitalEconomyMap::default_map()
            .entry_for(&code("3973"))
            .cloned()
            .expect("mapped");
        assert_eq!(entry.category, DigitalProductManufacturing);
        assert_eq!(entry.mid_class.map(|m| m.code), Some("0105"));
    }

    #[test]
    fn most_specific_code_wins() {
        // 64 (internet services) is 03, but 643 (internet platforms) below it is 04.
        let map = DigitalEconomyMap::default_map();
        assert_eq!(
            map.classify(&code("6421")),
            Some(DigitalTechnologyApplication)
        );
        assert_eq!(map.classify(&code("6432")), Some(DigitalFactorDriven));
        assert_eq!(
            map.classify(&code("6511")),
            Some(DigitalTechnologyApplication)
        );
        assert_eq!(
            map.entry_for(&code("6511"))
                .and_then(|e| e.mid_class)
                .map(|m| m.code),
            Some("0301")
        );
        assert_eq!(
            map.entry_for(&code("6531"))
                .and_then(|e| e.mid_class)
                .map(|m| m.code),
            Some("0304")
        );
    }

    #[test]
    fn default_map_covers_the_expected_services_and_trade() {
        let map = DigitalEconomyMap::default_map();
        assert_eq!(map.classify(&code("5176")), Some(DigitalProductServices));
        assert_eq!(map.classify(&code("8122")), Some(DigitalProductServices));
        assert_eq!(
            map.classify(&code("6312")),
            Some(DigitalTechnologyApplication)
        );
        assert_eq!(map.classify(&code("5292")), Some(DigitalFactorDriven));
    }

    #[test]
    fn default_map_leaves_other_industries_and_category_05_unassigned() {
        let map = DigitalEconomyMap::default_map();
        assert_eq!(map.classify(&code("3670")), None); // automobile parts
        assert_eq!(map.classify(&code("8610")), None); // news: only partly digital
        assert_eq!(map.classify(&code("C")), None);
        assert!(map.entries().all(|entry| entry.category.is_core()));
    }

    #[test]
    fn classifying_a_division_uses_only_rows_at_or_above_it() {
        let map = DigitalEconomyMap::default_map();
        assert_eq!(map.classify(&code("39")), Some(DigitalProductManufacturing));
        assert_eq!(map.classify(&code("34")), None); // 3491 robots below it does not lift the division
    }

    #[test]
    fn imported_rows_override_the_default() {
        let mut map = DigitalEconomyMap::default_map();
        let import =
            map_of("3670,05,0502,smart-manufacturing override\n643,03,0303,\n").expect("valid");
        map.merge(import);
        assert_eq!(
            map.classify(&code("3670")),
            Some(DigitalEfficiencyImprovement)
        );
        assert_eq!(
            map.classify(&code("6432")),
            Some(DigitalTechnologyApplication)
        );
    }

    #[test]
    fn written_mapping_reads_back_as_the_same_mapping() {
        let mut map = DigitalEconomyMap::default_map();
        map.merge(map_of("3670,05,0502,\"parts, for smart cars\"\n").expect("valid"));
        assert_eq!(DigitalEconomyMap::from_csv(&map.to_csv()), Ok(map));
    }

    #[test]
    fn written_mapping_neutralises_a_note_that_begins_like_a_formula() {
        let map = map_of("3670,05,0502,=HYPERLINK(\"http://evil.example\")\n").expect("valid");
        let csv = map.to_csv();
        assert!(
            csv.contains("3670,05,0502,'=HYPERLINK"),
            "the note is written as text: {csv}"
        );
    }

    #[test]
    fn csv_skips_comments_and_keeps_commas_in_notes() {
        let map = DigitalEconomyMap::from_csv(&format!(
            "# comment\n\n{MAP_HEADER}\n# another\n391,01,0101,\"a, b\"\n"
        ))
        .expect("valid");
        assert_eq!(map.len(), 1);
        assert_eq!(
            map.entry_for(&code("3911")).map(|e| e.note.as_str()),
            Some("a, b")
        );
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            (
                "9999,01,,",
                MapError::BadIndustryCode {
                    line: 2,
                    source: IndustryCodeError::Unknown("9999".into()),
                },
            ),
            (
                "C,01,,",
                MapError::SectionCode {
                    line: 2,
                    code: "C".into(),
                },
            ),
            (
                "391,07,,",
                MapError::BadCategory {
                    line: 2,
                    value: "07".into(),
                },
            ),
            (
                "391,01,0199,",
                MapError::UnknownMidClass {
                    line: 2,
                    value: "0199".into(),
                },
            ),
            (
                "391,02,0101,",
                MapError::MidClassOutsideCategory {
                    line: 2,
                    mid_class: "0101".into(),
                    belongs_to: DigitalProductManufacturing,
                    category: DigitalProductServices,
                },
            ),
            ("391,01", MapError::MissingField { line: 2 }),
            (
                "391,01,,\n391,01,0101,",
                MapError::Duplicate {
                    line: 3,
                    code: "391".into(),
                },
            ),
        ];
        for (rows, expected) in cases {
            let err = map_of(rows).unwrap_err();
            assert!(err.to_string().starts_with("line "), "{err}");
            assert_eq!(err, expected);
        }
        assert_eq!(
            DigitalEconomyMap::from_csv("# only a comment\n"),
            Err(MapError::MissingHeader)
        );
        assert!(matches!(
            DigitalEconomyMap::from_csv("code,category\n"),
            Err(MapError::BadHeader { line: 1, .. })
        ));
    }

    #[test]
    fn category_serialises_as_its_code() {
        assert_eq!(
            serde_json::to_string(&DigitalProductServices).expect("json"),
            "\"02\""
        );
        let back: DigitalEconomyCategory = serde_json::from_str("\"05\"").expect("valid");
        assert_eq!(back, DigitalEfficiencyImprovement);
        assert!(serde_json::from_str::<DigitalEconomyCategory>("\"6\"").is_err());
    }
}
