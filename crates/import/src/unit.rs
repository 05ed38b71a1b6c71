//! Units as they appear in headers, unit columns and cells (`万元`, `(亿元)`, `10k yuan`, `人`, `吨标准煤`):
//! each is a power of ten of one base unit, or a bare multiplier (`万`) that scales whatever the indicator's unit is.

use crate::catalogue::BaseUnit;
use crate::normalise::key_into;

/// A unit of the file: `10^exponent` of `base`, or of the indicator's own base unit when `base` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    pub base: Option<BaseUnit>,
    pub exponent: i8,
}

impl Unit {
    /// Whether this unit can measure an indicator kept in `base`.
    pub fn fits(self, base: BaseUnit) -> bool {
        self.base.is_none_or(|b| b == base)
    }
}

const fn unit(base: BaseUnit, exponent: i8) -> Option<Unit> {
    Some(Unit {
        base: Some(base),
        exponent,
    })
}

/// Parses a unit text; `scratch` is reused to avoid an allocation per call.
pub(crate) fn parse_unit(text: &str, scratch: &mut String) -> Option<Unit> {
    key_into(text, scratch);
    let k = scratch
        .strip_prefix("单位:")
        .or_else(|| scratch.strip_prefix("unit:"))
        .unwrap_or(scratch);
    let k = k.strip_prefix("单位").unwrap_or(k);
    lookup(k)
}

fn lookup(k: &str) -> Option<Unit> {
    use BaseUnit::*;
    let multiplier = |exponent| {
        Some(Unit {
            base: None,
            exponent,
        })
    };
    match k {
        "元" | "yuan" | "cny" | "rmb" | "人民币" | "人民币元" | "¥" | "元人民币" => {
            unit(Yuan, 0)
        }
        "千元" | "thousandyuan" | "1000yuan" | "kyuan" | "千元人民币" => unit(Yuan, 3),
        "万元" | "10kyuan" | "10000yuan" | "tenthousandyuan" | "万元人民币" | "10kcny"
        | "10thousandyuan" => unit(Yuan, 4),
        "百万元" | "millionyuan" | "1000000yuan" | "myuan" | "mlnyuan" => unit(Yuan, 6),
        "亿元" | "100millionyuan" | "100myuan" | "hundredmillionyuan" | "100000000yuan"
        | "亿元人民币" => unit(Yuan, 8),
        "人" | "person" | "persons" | "people" | "名" | "人数" => unit(Person, 0),
        "千人" | "thousandpersons" | "thousandpeople" => unit(Person, 3),
        "万人" | "10kpersons" | "10kpeople" | "10000persons" | "10000people" => unit(Person, 4),
        "吨标准煤"
        | "吨标煤"
        | "tce"
        | "吨标准煤当量"
        | "tonnesofcoalequivalent"
        | "tonnecoalequivalent"
        | "t标准煤"
        | "tonsofstandardcoal"
        | "tonstandardcoal" => unit(TonneCoalEquivalent, 0),
        "千克标准煤" | "kgce" | "公斤标准煤" => unit(TonneCoalEquivalent, -3),
        "万吨标准煤" | "万吨标煤" | "10ktce" | "10000tce" => unit(TonneCoalEquivalent, 4),
        "千瓦时" | "kwh" | "度" | "kw·h" => unit(KilowattHour, 0),
        "兆瓦时" | "mwh" | "千千瓦时" => unit(KilowattHour, 3),
        "万千瓦时" | "万度" | "10kkwh" => unit(KilowattHour, 4),
        "亿千瓦时" | "亿度" => unit(KilowattHour, 8),
        "个" | "项" | "件" | "家" | "户" | "count" | "pcs" | "items" | "number" => {
            unit(Count, 0)
        }
        "千" | "thousand" | "k" => multiplier(3),
        "万" | "10k" | "tenthousand" => multiplier(4),
        "百万" | "million" | "mln" => multiplier(6),
        "亿" | "100million" | "hundredmillion" => multiplier(8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Unit> {
        parse_unit(text, &mut String::new())
    }

    #[test]
    fn money_units_in_chinese_and_english_scale_by_powers_of_ten() {
        assert_eq!(parse("元"), unit(BaseUnit::Yuan, 0));
        assert_eq!(parse("万元"), unit(BaseUnit::Yuan, 4));
        assert_eq!(parse("10k Yuan"), unit(BaseUnit::Yuan, 4));
        assert_eq!(parse("10,000 yuan"), unit(BaseUnit::Yuan, 4));
        assert_eq!(parse("亿元"), unit(BaseUnit::Yuan, 8));
        assert_eq!(parse("千元"), unit(BaseUnit::Yuan, 3));
        assert_eq!(parse("单位：万元"), unit(BaseUnit::Yuan, 4));
    }

    #[test]
    fn people_and_energy_units_are_known() {
        assert_eq!(parse("人"), unit(BaseUnit::Person, 0));
        assert_eq!(parse("万人"), unit(BaseUnit::Person, 4));
        assert_eq!(parse("吨标准煤"), unit(BaseUnit::TonneCoalEquivalent, 0));
        assert_eq!(parse("tce"), unit(BaseUnit::TonneCoalEquivalent, 0));
    }

    #[test]
    fn a_bare_multiplier_fits_any_indicator() {
        let wan = parse("万").expect("known");
        assert!(wan.fits(BaseUnit::Yuan) && wan.fits(BaseUnit::Person));
        assert!(!parse("万元").expect("known").fits(BaseUnit::Person));
    }
}
