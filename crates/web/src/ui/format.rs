//! How numbers are written on the pages: money in 亿元 (or 万元 for one firm) with exact decimals, counts with
//! thousands separators, rates with a sign and "%". The exact arithmetic is the core's; this only writes it.

use chainpark_core::figures::{Unit, amount, rounded_quotient};

use super::i18n::Lang;

/// `9150` → `"9,150"`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Hundredths of a yuan in 亿元 with two decimals: `"336.28"`.
pub fn yi(fen: i64) -> String {
    amount::fen_to_yi(fen, 2)
}

/// Hundredths of a yuan in 万元 with two decimals: `"1,234.56"`.
pub fn wan(fen: i64) -> String {
    let text = rounded_quotient(i128::from(fen), 1_000_000, 2);
    match text.split_once('.') {
        Some((whole, frac)) => match whole.parse::<i64>() {
            Ok(w) => format!("{}.{frac}", grouped(w)),
            Err(_) => text,
        },
        None => text,
    }
}

/// A value of an indicator with its unit in the page's language, the way a bulletin writes it: money in 亿元
/// (100 million yuan), others in their unit.
pub fn amount_with_unit(hundredths: i64, unit: Unit, lang: Lang) -> String {
    match unit {
        Unit::Yuan => format!("{} {}", yi(hundredths), lang.t("unit.yi")),
        other => format!(
            "{} {}",
            amount::to_decimal(hundredths),
            unit_symbol(other, lang)
        ),
    }
}

/// An indicator's unit as a page writes it (money in its plain unit, 元 / yuan).
pub fn unit_symbol(unit: Unit, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => unit.symbol_zh(),
        Lang::En => lang.t(&format!("unit.symbol.{}", unit.as_str())),
    }
}

/// `"54.6"` → `"+54.6 %"`; `"-3.0"` → `"−3.0 %"`.
pub fn signed_percent(percent: &str) -> String {
    match percent.strip_prefix('-') {
        Some(rest) => format!("−{rest} %"),
        None => format!("+{percent} %"),
    }
}

/// The value in floating point, for drawing only (never for sums or for the numbers written on the page).
pub fn to_f64(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_yi_yuan_exactly() {
        assert_eq!(
            amount_with_unit(3_362_800_000_000, Unit::Yuan, Lang::Zh),
            "336.28 亿元"
        );
        assert_eq!(
            amount_with_unit(3_362_800_000_000, Unit::Yuan, Lang::En),
            "336.28 100 million yuan"
        );
        assert_eq!(wan(123_456_789), "123.46");
        assert_eq!(wan(12_345_678_900), "12,345.68");
        assert_eq!(grouped(9150), "9,150");
        assert_eq!(grouped(-1_000_000), "-1,000,000");
        assert_eq!(signed_percent("54.6"), "+54.6 %");
        assert_eq!(signed_percent("-3.0"), "−3.0 %");
    }
}
