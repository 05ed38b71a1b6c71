//! County-level region codes of GB/T 2260 (行政区划代码) for Chongqing, where parks and enterprises are located.
//! The table ships in `reference/gbt2260_chongqing.csv`; a `DistrictCode` always names one of its rows.

use std::sync::LazyLock;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

const SOURCE: &str = include_str!("../../../reference/gbt2260_chongqing.csv");
const HEADER: &str = "code,name,name_en";

/// The city-level row; every other row is a district (区) or county (县) under it.
const CITY_CODE: &str = "500000";

/// Liangjiang New Area is not a division of its own: it covers parts of Jiangbei, Yubei and Beibei.
pub const LIANGJIANG_DISTRICTS: [&str; 3] = ["500105", "500112", "500109"];

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct District {
    pub code: &'static str,
    /// The official Chinese name, e.g. 渝北区.
    pub name: &'static str,
    pub name_en: &'static str,
}

/// Reads the shipped table. It is part of the program, not user input, so a fault stops the program at first use
/// (a test reads it on every build).
fn parse_table(text: &'static str) -> Result<Vec<District>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end_matches('\r')));
    match lines.next() {
        Some((_, header)) if header.trim_start_matches('\u{feff}') == HEADER => {}
        _ => return Err(format!("line 1: header should be '{HEADER}'")),
    }
    let mut districts: Vec<District> = Vec::new();
    for (number, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        let fields: Vec<&'static str> = line.split(',').collect();
        let [code, name, name_en] = fields[..] else {
            return Err(format!(
                "line {number}: expected 3 fields, found {}",
                fields.len()
            ));
        };
        if !is_six_digits(code) {
            return Err(format!("line {number}: code '{code}' is not 6 digits"));
        }
        if districts.iter().any(|d| d.code == code) {
            return Err(format!("line {number}: code '{code}' is listed twice"));
        }
        districts.push(District {
            code,
            name,
            name_en,
        });
    }
    Ok(districts)
}

fn is_six_digits(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

static TABLE: LazyLock<Vec<District>> = LazyLock::new(|| {
    parse_table(SOURCE).unwrap_or_else(|fault| panic!("reference/gbt2260_chongqing.csv: {fault}"))
});

/// Every row: the city first, then its districts and counties in code order.
pub fn all() -> &'static [District] {
    &TABLE
}

/// Why a text is not a known region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistrictCodeError {
    #[error("'{0}' is not a region code: GB/T 2260 codes have 6 digits")]
    Malformed(String),
    #[error("region code '{0}' is not a county-level division of Chongqing")]
    Unknown(String),
}

/// A GB/T 2260 code of Chongqing (the city, 500000, or one of its 38 districts and counties). Serialised as the
/// plain code; deserialising checks it against the table.
#[derive(Clone, Copy)]
pub struct DistrictCode(&'static District);

impl DistrictCode {
    /// Parses user text (trimmed); only codes in the table are accepted.
    pub fn parse(input: &str) -> Result<DistrictCode, DistrictCodeError> {
        let code = input.trim();
        if !is_six_digits(code) {
            return Err(DistrictCodeError::Malformed(code.to_string()));
        }
        all()
            .iter()
            .find(|d| d.code == code)
            .map(DistrictCode)
            .ok_or_else(|| DistrictCodeError::Unknown(code.to_string()))
    }

    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    pub fn district(&self) -> &'static District {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }

    pub fn name_en(&self) -> &'static str {
        self.0.name_en
    }

    /// The row for Chongqing as a whole, used when a figure is not tied to one district.
    pub fn is_city_level(&self) -> bool {
        self.0.code == CITY_CODE
    }

    /// Whether Liangjiang New Area covers part of this district.
    pub fn overlaps_liangjiang(&self) -> bool {
        LIANGJIANG_DISTRICTS.contains(&self.0.code)
    }
}

crate::table_code::table_code!(DistrictCode, DistrictCodeError);

impl utoipa::PartialSchema for DistrictCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some("GB/T 2260 region code (行政区划代码) of Chongqing or one of its districts and counties."))
            .pattern(Some("^50[0-9]{4}$"))
            .examples(["500112"])
            .into()
    }
}

impl utoipa::ToSchema for DistrictCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DistrictCode {
        DistrictCode::parse(text).expect(text)
    }

    #[test]
    fn table_holds_the_city_and_its_38_districts_and_counties() {
        assert_eq!(all().len(), 39);
        assert_eq!(
            all().iter().filter(|d| d.code.starts_with("5001")).count(),
            26
        );
        assert_eq!(
            all().iter().filter(|d| d.code.starts_with("5002")).count(),
            12
        );
        assert!(code("500000").is_city_level());
    }

    #[test]
    fn district_code_gives_chinese_and_english_names() {
        let yubei = code("500112");
        assert_eq!(yubei.name(), "渝北区");
        assert_eq!(yubei.name_en(), "Yubei District");
        assert_eq!(code("500243").name(), "彭水苗族土家族自治县");
    }

    #[test]
    fn parsing_trims_whitespace() {
        assert_eq!(code(" 500105 ").as_str(), "500105");
    }

    #[test]
    fn codes_outside_chongqing_or_retired_are_rejected_by_name() {
        // 500234 was 开县 until it became 500154 开州区 in 2016; 510104 is in Chengdu.
        for unknown in ["500234", "510104"] {
            let err = DistrictCode::parse(unknown).unwrap_err();
            assert_eq!(err, DistrictCodeError::Unknown(unknown.into()));
            assert!(err.to_string().contains(unknown));
        }
    }

    #[test]
    fn text_that_is_not_six_digits_is_malformed() {
        for bad in ["50011", "5001122", "50011a", "", "渝北区"] {
            assert!(
                matches!(
                    DistrictCode::parse(bad),
                    Err(DistrictCodeError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn liangjiang_overlaps_jiangbei_yubei_and_beibei_only() {
        let overlapping: Vec<&str> = all()
            .iter()
            .filter_map(|d| DistrictCode::parse(d.code).ok())
            .filter(DistrictCode::overlaps_liangjiang)
            .map(|d| d.name())
            .collect();
        assert_eq!(overlapping, ["江北区", "北碚区", "渝北区"]);
    }

    #[test]
    fn serde_uses_the_plain_code_and_validates() {
        let json = serde_json::to_string(&code("500109")).expect("serialise");
        assert_eq!(json, "\"500109\"");
        assert_eq!(
            serde_json::from_str::<DistrictCode>(&json).expect("deserialise"),
            code("500109")
        );
        assert!(serde_json::from_str::<DistrictCode>("\"500199\"").is_err());
    }

    #[test]
    fn openapi_schema_is_a_string() {
        let schema =
            serde_json::to_value(<DistrictCode as utoipa::PartialSchema>::schema()).expect("json");
        assert_eq!(schema["type"], "string");
    }
}
