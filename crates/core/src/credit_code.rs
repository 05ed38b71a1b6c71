//! The unified social credit code (统一社会信用代码, GB 32100-2015) that identifies every enterprise in the zone.
//! A `CreditCode` can only be built by checking structure and check character, so a code that exists is a valid
//! one and the rest of chainpark never re-checks it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

/// The 31 characters a code may contain; a character's value is its index. I, O, Z, S and V are left out because
/// they are easily mistaken for 1, 0, 2, 5 and U.
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1..17 (3^(i-1) mod 31), from the standard.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

const LENGTH: usize = 18;
const BODY_LENGTH: usize = 17;

/// Registration authorities of position 1: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会,
/// 9 工商/市场监管, A 中央军委改革和编制办公室, N 农业, Y 其他.
const AUTHORITIES: &str = "123456789ANY";

/// Why a text is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("expected {expected} characters, found {found}")]
    WrongLength { expected: usize, found: usize },
    #[error(
        "character '{found}' at position {position} is not used in credit codes (I, O, Z, S and V never are)"
    )]
    InvalidCharacter { position: usize, found: char },
    #[error("registration authority '{0}' at position 1 is not one of 1-9, A, N, Y")]
    UnknownAuthority(char),
    #[error("organisation kind '{0}' at position 2 should be a digit 1-9")]
    InvalidKind(char),
    #[error("region code at positions 3-8 should be 6 digits, found '{0}'")]
    InvalidRegionCode(String),
    #[error("check character should be '{expected}', found '{found}'")]
    WrongCheckCharacter { expected: char, found: char },
}

/// An 18-character unified social credit code that passed every check of GB 32100-2015.
///
/// Serialised as its plain string; deserialising parses, so an API never accepts a bad code. In OpenAPI it is a
/// `string` (the manual `ToSchema` below).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

fn char_value(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// The check character that positions 1..17 call for; fails on the first character outside the charset.
fn weighted_check(body: &[char]) -> Result<char, CreditCodeError> {
    let mut sum = 0u32;
    for (i, (&c, weight)) in body.iter().zip(WEIGHTS).enumerate() {
        let value = char_value(c).ok_or(CreditCodeError::InvalidCharacter {
            position: i + 1,
            found: c,
        })?;
        sum += value * weight;
    }
    // 31 − (sum mod 31) lies in 1..=31 and 31 stands for 0, which the outer `% 31` does; the index is then < 31.
    let check = (31 - sum % 31) % 31;
    Ok(char::from(CHARSET.as_bytes()[check as usize]))
}

/// The check character (position 18) for the first 17 characters, or `None` when `body17` is not 17 characters of
/// the charset. Uppercase only: callers that accept user text go through [`CreditCode::parse`].
pub fn check_character(body17: &str) -> Option<char> {
    let body: Vec<char> = body17.chars().collect();
    if body.len() != BODY_LENGTH {
        return None;
    }
    weighted_check(&body).ok()
}

/// Structural checks of positions 1..8 (authority, kind, region); the charset is checked separately.
fn check_structure(body: &[char]) -> Result<(), CreditCodeError> {
    if !AUTHORITIES.contains(body[0]) {
        return Err(CreditCodeError::UnknownAuthority(body[0]));
    }
    if !matches!(body[1], '1'..='9') {
        return Err(CreditCodeError::InvalidKind(body[1]));
    }
    let region = &body[2..8];
    if !region.iter().all(char::is_ascii_digit) {
        return Err(CreditCodeError::InvalidRegionCode(region.iter().collect()));
    }
    Ok(())
}

impl CreditCode {
    /// Parses user text: surrounding whitespace is dropped and lowercase letters are read as uppercase, because
    /// codes are often typed or pasted from spreadsheets that way.
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let chars: Vec<char> = input
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if chars.len() != LENGTH {
            return Err(CreditCodeError::WrongLength {
                expected: LENGTH,
                found: chars.len(),
            });
        }
        // A bad character is the most useful thing to point at (a typed O for 0), wherever it is, so it goes first.
        if let Some((i, &found)) = chars
            .iter()
            .enumerate()
            .find(|(_, c)| char_value(**c).is_none())
        {
            return Err(CreditCodeError::InvalidCharacter {
                position: i + 1,
                found,
            });
        }
        let body = &chars[..BODY_LENGTH];
        check_structure(body)?;
        let expected = weighted_check(body)?;
        let found = chars[BODY_LENGTH];
        if found != expected {
            return Err(CreditCodeError::WrongCheckCharacter { expected, found });
        }
        Ok(CreditCode(chars.into_iter().collect()))
    }

    /// Builds the full code from its first 17 characters by appending the computed check character; used when a
    /// code is generated (test data, or a code read without its last character). Takes the body as written:
    /// uppercase, no surrounding whitespace.
    pub fn from_body(body17: &str) -> Result<CreditCode, CreditCodeError> {
        let body: Vec<char> = body17.chars().collect();
        if body.len() != BODY_LENGTH {
            return Err(CreditCodeError::WrongLength {
                expected: BODY_LENGTH,
                found: body.len(),
            });
        }
        let check = weighted_check(&body)?;
        check_structure(&body)?;
        let mut code: String = body.into_iter().collect();
        code.push(check);
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The GB/T 2260 region code of the registering authority (positions 3-8), e.g. "500000" for Chongqing's city
    /// level or "500112" for Yubei.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CreditCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for CreditCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character.",
            ))
            .min_length(Some(LENGTH))
            .max_length(Some(LENGTH))
            .pattern(Some("^[1-9ANY][1-9][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"))
            .examples(["914403001922038216"])
            .into()
    }
}

impl utoipa::ToSchema for CreditCode {}

#[cfg(test)]
mod tests {
    use super::*;

    // Published codes of real enterprises; each check character was recomputed independently of this module.
    const HUAWEI: &str = "914403001922038216"; // 华为技术有限公司
    const TENCENT: &str = "91440300708461136T"; // 深圳市腾讯计算机系统有限公司
    const XIAOMI: &str = "91110108551385082Q"; // 北京小米科技有限责任公司
    const CHANGAN: &str = "915000002028257485"; // 重庆长安汽车股份有限公司

    #[test]
    fn published_codes_of_real_enterprises_are_accepted() {
        for text in [HUAWEI, TENCENT, XIAOMI, CHANGAN] {
            let code = CreditCode::parse(text).expect(text);
            assert_eq!(code.as_str(), text);
        }
    }

    #[test]
    fn surrounding_whitespace_and_lowercase_are_tolerated() {
        let code = CreditCode::parse("  91440300708461136t\t").expect("lowercase check letter");
        assert_eq!(code.as_str(), TENCENT);
    }

    #[test]
    fn code_of_wrong_length_is_rejected_with_the_length_found() {
        assert_eq!(
            CreditCode::parse("91440300708461136"),
            Err(CreditCodeError::WrongLength {
                expected: 18,
                found: 17
            })
        );
        assert_eq!(
            CreditCode::parse(""),
            Err(CreditCodeError::WrongLength {
                expected: 18,
                found: 0
            })
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let err = CreditCode::parse("9144030070846113６T").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::InvalidCharacter {
                position: 17,
                found: '６'
            }
        );
    }

    #[test]
    fn letters_i_o_z_s_v_are_rejected_with_their_position() {
        for bad in ['I', 'O', 'Z', 'S', 'V'] {
            let text = format!("91500000MA5U{bad}T6X26");
            assert_eq!(
                CreditCode::parse(&text),
                Err(CreditCodeError::InvalidCharacter {
                    position: 13,
                    found: bad
                })
            );
        }
    }

    #[test]
    fn wrong_check_character_names_the_expected_one() {
        let err = CreditCode::parse("91500000202801446W").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::WrongCheckCharacter {
                expected: 'H',
                found: 'W'
            }
        );
        assert_eq!(err.to_string(), "check character should be 'H', found 'W'");
    }

    #[test]
    fn unknown_registration_authority_is_rejected() {
        let code = CreditCode::from_body("B1500000202801446");
        assert_eq!(code, Err(CreditCodeError::UnknownAuthority('B')));
    }

    #[test]
    fn organisation_kind_must_be_a_digit() {
        assert_eq!(
            CreditCode::from_body("9A500000202801446"),
            Err(CreditCodeError::InvalidKind('A'))
        );
        assert_eq!(
            CreditCode::from_body("90500000202801446"),
            Err(CreditCodeError::InvalidKind('0'))
        );
    }

    #[test]
    fn region_code_must_be_six_digits() {
        assert_eq!(
            CreditCode::from_body("9150A000202801446"),
            Err(CreditCodeError::InvalidRegionCode("50A000".into()))
        );
    }

    #[test]
    fn every_single_character_change_of_a_valid_code_is_rejected() {
        for valid in [HUAWEI, TENCENT, XIAOMI, CHANGAN] {
            let chars: Vec<char> = valid.chars().collect();
            for position in 0..chars.len() {
                for replacement in CHARSET.chars().filter(|&c| c != chars[position]) {
                    let mut changed = chars.clone();
                    changed[position] = replacement;
                    let text: String = changed.into_iter().collect();
                    assert!(CreditCode::parse(&text).is_err(), "{text} was accepted");
                }
            }
        }
    }

    #[test]
    fn check_character_wraps_31_to_zero() {
        // The weighted sum of this body is a multiple of 31, so 31 − 0 = 31 must become '0'.
        assert_eq!(check_character("9150000020280144M"), Some('0'));
        let code = CreditCode::from_body("9150000020280144M").expect("valid body");
        assert_eq!(code.as_str(), "9150000020280144M0");
        assert!(CreditCode::parse(code.as_str()).is_ok());
    }

    #[test]
    fn check_character_needs_seventeen_charset_characters() {
        assert_eq!(check_character("9144030070846113"), None);
        assert_eq!(check_character("91440300708461136T"), None);
        assert_eq!(check_character("9144030070846113I"), None);
        assert_eq!(check_character("91440300708461136"), Some('T'));
    }

    #[test]
    fn from_body_appends_the_check_character() {
        let code = CreditCode::from_body("91500000202825748").expect("valid body");
        assert_eq!(code.as_str(), CHANGAN);
    }

    #[test]
    fn region_code_is_positions_three_to_eight() {
        let code = CreditCode::parse(CHANGAN).expect("valid");
        assert_eq!(code.region_code(), "500000");
    }

    #[test]
    fn serde_round_trips_as_a_plain_string_and_validates() {
        let code = CreditCode::parse(HUAWEI).expect("valid");
        let json = serde_json::to_string(&code).expect("serialise");
        assert_eq!(json, format!("\"{HUAWEI}\""));
        let back: CreditCode = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, code);
        let bad = serde_json::from_str::<CreditCode>("\"91500000202801446W\"");
        assert!(bad.is_err());
    }

    #[test]
    fn openapi_schema_is_a_string() {
        let schema =
            serde_json::to_value(<CreditCode as utoipa::PartialSchema>::schema()).expect("json");
        assert_eq!(schema["type"], "string");
        assert_eq!(<CreditCode as utoipa::ToSchema>::name(), "CreditCode");
    }
}
