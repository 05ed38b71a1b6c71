//! Exact fractions of integers, so that a value, a benchmark and the points they give are the same on every
//! machine and equal to a hand computation; rounded once, half away from zero, where a figure is shown or kept.

use std::cmp::Ordering;

/// A non-negative or negative fraction `num / den` with `den > 0`.
#[derive(Debug, Clone, Copy)]
pub struct Exact {
    num: i128,
    den: i128,
}

impl Exact {
    /// `num / den`; `None` when `den` is zero.
    pub fn ratio(num: i128, den: i128) -> Option<Exact> {
        match den.cmp(&0) {
            Ordering::Equal => None,
            Ordering::Greater => Some(Exact { num, den }),
            Ordering::Less => Some(Exact {
                num: -num,
                den: -den,
            }),
        }
    }

    pub fn integer(n: i128) -> Exact {
        Exact { num: n, den: 1 }
    }

    /// Reads a plain decimal such as `24.097`, `-3` or `0.0302` (at most 12 decimals).
    pub fn parse_decimal(text: &str) -> Option<Exact> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || fraction.len() > 12
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
            || whole.len() > 20
        {
            return None;
        }
        let num: i128 = format!("{whole}{fraction}").parse().ok()?;
        let den = 10i128.pow(fraction.len() as u32);
        Some(Exact {
            num: if negative { -num } else { num },
            den,
        })
    }

    pub fn times(self, other: Exact) -> Exact {
        Exact {
            num: self.num * other.num,
            den: self.den * other.den,
        }
        .reduced()
    }

    /// `self ÷ other`; `None` when `other` is zero.
    pub fn over(self, other: Exact) -> Option<Exact> {
        Exact::ratio(self.num * other.den, self.den * other.num).map(Exact::reduced)
    }

    pub fn plus(self, other: Exact) -> Exact {
        Exact {
            num: self.num * other.den + other.num * self.den,
            den: self.den * other.den,
        }
        .reduced()
    }

    pub fn minus(self, other: Exact) -> Exact {
        self.plus(Exact {
            num: -other.num,
            den: other.den,
        })
    }

    fn reduced(self) -> Exact {
        let g = gcd(self.num.unsigned_abs(), self.den.unsigned_abs()) as i128;
        if g > 1 {
            Exact {
                num: self.num / g,
                den: self.den / g,
            }
        } else {
            self
        }
    }

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// The value × 10^decimals rounded half away from zero to an integer.
    pub fn scaled(self, decimals: u32) -> i64 {
        let n = self.num * 10i128.pow(decimals);
        let q = (2 * n.abs() + self.den) / (2 * self.den);
        (if n < 0 { -q } else { q }) as i64
    }

    /// The value printed with `decimals` decimals, rounded half away from zero.
    pub fn decimal(self, decimals: u32) -> String {
        let scaled = self.scaled(decimals);
        let unit = 10i64.pow(decimals);
        let sign = if scaled < 0 { "-" } else { "" };
        let (whole, fraction) = (scaled.abs() / unit, scaled.abs() % unit);
        if decimals == 0 {
            format!("{sign}{whole}")
        } else {
            format!(
                "{sign}{whole}.{fraction:0width$}",
                width = decimals as usize
            )
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl PartialEq for Exact {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

#[cfg(test)]
mod tests {
    use super::Exact;

    #[test]
    fn decimals_read_exactly_and_round_half_away_from_zero() {
        let x = Exact::parse_decimal("24.097").expect("decimal");
        assert_eq!(x.decimal(2), "24.10");
        assert_eq!(Exact::ratio(-5, 200).expect("ratio").decimal(2), "-0.03");
        assert_eq!(Exact::ratio(1, 8).expect("ratio").decimal(2), "0.13");
        assert!(Exact::parse_decimal("1e5").is_none());
        assert!(Exact::parse_decimal(".").is_none());
        assert_eq!(
            Exact::parse_decimal("0.5")
                .expect("decimal")
                .times(Exact::integer(3)),
            Exact::ratio(3, 2).expect("ratio")
        );
    }
}
