//! Exact reading of indicator values: `1,234.56`, `１２３．４`, `(12.5)`, `12.5万元`, `1.2E+05` become integer
//! hundredths of the indicator's base unit by decimal string arithmetic; no float ever touches a value, and a value
//! that needs more precision than a hundredth is refused instead of rounded.

use crate::catalogue::BaseUnit;
use crate::normalise::fold_char;
use crate::unit::{Unit, parse_unit};

/// A decimal number as written: `mantissa × 10^exponent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub mantissa: i128,
    pub exponent: i32,
}

/// Why a cell is not a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueError {
    NotANumber,
    UnknownUnit(String),
    UnitMismatch { unit: String, base: BaseUnit },
    TooManyDecimals { max_decimals: i32 },
    OutOfRange,
    Negative,
}

/// Digits kept in an `i128` mantissa with room for scaling.
const MAX_DIGITS: usize = 30;

/// Splits `text` into a decimal number and the (trimmed) text after it, which may be a unit.
/// `scratch` receives the folded text when `text` is not plain ASCII.
pub(crate) fn parse_decimal<'t>(
    text: &'t str,
    scratch: &'t mut String,
) -> Result<(Decimal, &'t str), ValueError> {
    match plain_decimal(text.as_bytes()) {
        Some(decimal) => Ok((decimal, "")),
        None => general_decimal(text, scratch),
    }
}

/// [`parse_decimal`] for any cell.
fn general_decimal<'t>(
    text: &'t str,
    scratch: &'t mut String,
) -> Result<(Decimal, &'t str), ValueError> {
    let s: &str = if text.is_ascii() {
        text
    } else {
        scratch.clear();
        scratch.extend(text.chars().map(fold_char));
        scratch.as_str()
    };
    let s = s.trim();
    let bytes = s.as_bytes();
    let (negative, body, rest) = if bytes.first() == Some(&b'(') {
        // Accountants' negative: (1,234.00), possibly followed by a unit.
        let close = s.find(')').ok_or(ValueError::NotANumber)?;
        (true, s[1..close].trim(), s[close + 1..].trim())
    } else {
        let (negative, unsigned) = match bytes.first() {
            Some(b'-') => (true, s[1..].trim_start()),
            Some(b'+') => (false, s[1..].trim_start()),
            _ => (false, s),
        };
        let end = number_end(unsigned.as_bytes());
        (negative, &unsigned[..end], unsigned[end..].trim())
    };
    if number_end(body.as_bytes()) != body.len() {
        return Err(ValueError::NotANumber);
    }
    Ok((digits(body, negative)?, rest))
}

/// The common cell, read in one pass: `-`?, 1 to 18 digits with at most one point between them, nothing else.
/// Anything else (spaces, separators, signs, exponents, units, full-width digits) goes the general way, which
/// reads these cells to the same decimal.
fn plain_decimal(b: &[u8]) -> Option<Decimal> {
    let (negative, body) = match b.split_first() {
        Some((b'-', body)) => (true, body),
        _ => (false, b),
    };
    let mut mantissa: i64 = 0;
    let (mut digits, mut point) = (0usize, None);
    for (i, &c) in body.iter().enumerate() {
        match c {
            b'0'..=b'9' if digits < 18 => {
                digits += 1;
                mantissa = mantissa * 10 + i64::from(c - b'0');
            }
            b'.' if point.is_none() && i > 0 => point = Some(i),
            _ => return None,
        }
    }
    let decimals = match point {
        Some(at) if at + 1 == body.len() => return None,
        Some(at) => body.len() - at - 1,
        None if body.is_empty() => return None,
        None => 0,
    };
    Some(Decimal {
        mantissa: i128::from(if negative { -mantissa } else { mantissa }),
        exponent: -(decimals as i32),
    })
}

/// Length of the leading run that can belong to a number: digits, separators, point, exponent.
fn number_end(b: &[u8]) -> usize {
    let mut i = 0;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',' || b[i] == b'.') {
        i += 1;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > start {
            i = j;
        }
    }
    i
}

fn digits(body: &str, negative: bool) -> Result<Decimal, ValueError> {
    let b = body.as_bytes();
    let (mantissa_part, exp_part) = match b.iter().position(|&c| c == b'e' || c == b'E') {
        Some(p) => (&b[..p], Some(&b[p + 1..])),
        None => (b, None),
    };
    let (int_part, frac_part) = match mantissa_part.iter().position(|&c| c == b'.') {
        Some(p) => (&mantissa_part[..p], &mantissa_part[p + 1..]),
        None => (mantissa_part, &[][..]),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(ValueError::NotANumber);
    }
    if !frac_part.iter().all(u8::is_ascii_digit)
        || !int_part.iter().all(|c| c.is_ascii_digit() || *c == b',')
    {
        return Err(ValueError::NotANumber);
    }
    if int_part.contains(&b',') && !thousands_groups_are_regular(int_part) {
        // `1,5` is a decimal comma or a typo, never a thousands separator: refuse rather than read 15.
        return Err(ValueError::NotANumber);
    }
    let mut mantissa: i128 = 0;
    let mut significant = 0usize;
    let mut any_digit = false;
    for &c in int_part.iter().chain(frac_part) {
        if c == b',' {
            continue;
        }
        any_digit = true;
        let d = i128::from(c - b'0');
        if mantissa == 0 && d == 0 {
            continue;
        }
        significant += 1;
        if significant > MAX_DIGITS {
            return Err(ValueError::OutOfRange);
        }
        mantissa = mantissa * 10 + d;
    }
    if !any_digit {
        return Err(ValueError::NotANumber);
    }
    let mut exponent = -(frac_part.len() as i32);
    if let Some(e) = exp_part {
        let (sign, digits) = match e.first() {
            Some(b'-') => (-1, &e[1..]),
            Some(b'+') => (1, &e[1..]),
            _ => (1, e),
        };
        if digits.is_empty() || digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
            return Err(ValueError::NotANumber);
        }
        let n: i32 = digits
            .iter()
            .fold(0, |acc, &c| acc * 10 + i32::from(c - b'0'));
        exponent += sign * n;
    }
    Ok(Decimal {
        mantissa: if negative { -mantissa } else { mantissa },
        exponent,
    })
}

/// `1,234,567`: a first group of 1–3 digits, then groups of exactly 3.
fn thousands_groups_are_regular(int_part: &[u8]) -> bool {
    let mut groups = int_part.split(|&c| c == b',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    first_ok && groups.all(|g| g.len() == 3)
}

/// `decimal × 10^unit_exponent` in hundredths, exactly.
pub(crate) fn to_hundredths(decimal: Decimal, unit_exponent: i8) -> Result<i64, ValueError> {
    let shift = decimal.exponent + i32::from(unit_exponent) + 2;
    let mut m = decimal.mantissa;
    if shift >= 0 {
        for _ in 0..shift {
            if m == 0 {
                break;
            }
            m = m.checked_mul(10).ok_or(ValueError::OutOfRange)?;
        }
    } else {
        for _ in 0..-shift {
            if m % 10 != 0 {
                return Err(ValueError::TooManyDecimals {
                    max_decimals: 2 + i32::from(unit_exponent),
                });
            }
            m /= 10;
        }
    }
    i64::try_from(m).map_err(|_| ValueError::OutOfRange)
}

/// Reads a value cell of an indicator kept in `base`. The unit written in the cell wins; else `fallback` (the
/// unit column, the indicator label or the header); else the base unit itself.
pub(crate) fn parse_value(
    text: &str,
    base: BaseUnit,
    allow_negative: bool,
    fallback: Option<Unit>,
    scratch: &mut String,
    unit_scratch: &mut String,
) -> Result<i64, ValueError> {
    let (decimal, rest) = parse_decimal(text, scratch)?;
    let unit = if rest.is_empty() {
        fallback
    } else {
        Some(
            parse_unit(rest, unit_scratch)
                .ok_or_else(|| ValueError::UnknownUnit(rest.to_string()))?,
        )
    };
    scale(decimal, base, allow_negative, unit)
}

pub(crate) fn scale(
    decimal: Decimal,
    base: BaseUnit,
    allow_negative: bool,
    unit: Option<Unit>,
) -> Result<i64, ValueError> {
    let exponent = match unit {
        Some(u) if !u.fits(base) => {
            return Err(ValueError::UnitMismatch {
                unit: u
                    .base
                    .map(BaseUnit::symbol_zh)
                    .unwrap_or_default()
                    .to_string(),
                base,
            });
        }
        Some(u) => u.exponent,
        None => 0,
    };
    if decimal.mantissa < 0 && !allow_negative {
        return Err(ValueError::Negative);
    }
    to_hundredths(decimal, exponent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Unit;

    fn yuan(text: &str) -> Result<i64, ValueError> {
        parse_value(
            text,
            BaseUnit::Yuan,
            true,
            None,
            &mut String::new(),
            &mut String::new(),
        )
    }

    fn wan_yuan(text: &str) -> Result<i64, ValueError> {
        let unit = Some(Unit {
            base: Some(BaseUnit::Yuan),
            exponent: 4,
        });
        parse_value(
            text,
            BaseUnit::Yuan,
            true,
            unit,
            &mut String::new(),
            &mut String::new(),
        )
    }

    #[test]
    fn a_plain_cell_is_read_in_one_pass_to_the_decimal_the_general_way_reads() {
        let plain = [
            "0",
            "7",
            "-7",
            "12345.67",
            "-0.5",
            "000123.4500",
            "999999999999999999",
            "-1.00000000000000001",
            "0.01",
        ];
        for text in plain {
            let read = plain_decimal(text.as_bytes()).expect(text);
            assert_eq!(
                Ok((read, "")),
                general_decimal(text, &mut String::new()),
                "{text}"
            );
        }
        let not_plain = [
            "",
            "-",
            ".5",
            "5.",
            "1.2.3",
            "1,234",
            " 12",
            "12 ",
            "+1",
            "1e3",
            "12万",
            "１２",
            "--1",
            "1-",
            "9999999999999999999",
        ];
        for text in not_plain {
            assert_eq!(None, plain_decimal(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn plain_decimals_become_fen() {
        assert_eq!(yuan("1234.56"), Ok(123_456));
        assert_eq!(yuan("0"), Ok(0));
        assert_eq!(yuan(".5"), Ok(50));
        assert_eq!(yuan("7."), Ok(700));
        assert_eq!(yuan("+12"), Ok(1200));
        assert_eq!(yuan("  12  "), Ok(1200));
    }

    #[test]
    fn thousands_separators_in_half_and_full_width_are_dropped() {
        assert_eq!(yuan("1,234,567.89"), Ok(123_456_789));
        assert_eq!(yuan("1，234，567.89"), Ok(123_456_789));
        assert_eq!(yuan("１２３．４"), Ok(12_340));
        assert_eq!(yuan("1,5"), Err(ValueError::NotANumber));
        assert_eq!(yuan("12,34,567"), Err(ValueError::NotANumber));
    }

    #[test]
    fn parentheses_and_minus_signs_mean_negative() {
        assert_eq!(yuan("(1,234.00)"), Ok(-123_400));
        assert_eq!(yuan("-5"), Ok(-500));
        assert_eq!(yuan("－5"), Ok(-500));
        assert_eq!(yuan("− 5"), Ok(-500));
        assert_eq!(yuan("(5"), Err(ValueError::NotANumber));
    }

    #[test]
    fn units_inside_cells_override_the_header() {
        assert_eq!(yuan("12.5万元"), Ok(12_500_000));
        assert_eq!(yuan("3亿元"), Ok(30_000_000_000));
        assert_eq!(yuan("1,234.56 元"), Ok(123_456));
        assert_eq!(wan_yuan("1 元"), Ok(100));
        assert_eq!(wan_yuan("2千元"), Ok(200_000));
        assert_eq!(wan_yuan("1.5"), Ok(1_500_000));
    }

    #[test]
    fn scientific_notation_from_excel_exports_is_exact() {
        assert_eq!(yuan("1.2E+05"), Ok(12_000_000));
        assert_eq!(yuan("3.00000000000000e-1"), Ok(30));
        assert_eq!(
            yuan("1e-3"),
            Err(ValueError::TooManyDecimals { max_decimals: 2 })
        );
    }

    #[test]
    fn more_decimals_than_a_hundredth_are_refused_not_rounded() {
        assert_eq!(
            yuan("1.234"),
            Err(ValueError::TooManyDecimals { max_decimals: 2 })
        );
        assert_eq!(yuan("1.230"), Ok(123));
        assert_eq!(wan_yuan("1.234567"), Ok(1_234_567));
        assert_eq!(
            wan_yuan("1.2345678"),
            Err(ValueError::TooManyDecimals { max_decimals: 6 })
        );
    }

    #[test]
    fn text_and_unknown_units_are_not_values() {
        assert_eq!(yuan("abc"), Err(ValueError::NotANumber));
        assert_eq!(yuan(""), Err(ValueError::NotANumber));
        assert_eq!(yuan("12%"), Err(ValueError::UnknownUnit("%".into())));
        assert_eq!(yuan("1.2.3"), Err(ValueError::NotANumber));
        assert!(matches!(yuan("12人"), Err(ValueError::UnitMismatch { .. })));
    }

    #[test]
    fn values_beyond_i64_hundredths_are_out_of_range() {
        assert_eq!(yuan("99999999999999999999"), Err(ValueError::OutOfRange));
        assert_eq!(yuan("92233720368547758.07"), Ok(i64::MAX));
    }
}
