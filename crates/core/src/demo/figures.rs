//! The demo zone's monthly indicators, 2019-01 to 2022-12, generated so that the zone's roll-ups print the published
//! figures of DOMAIN.md §4 to the last digit:
//!
//! - digital-economy added value, 1–6月 2021 = 336.28 亿元; 1–6月 2020 = 217.52 亿元, so growth is +54.6 %
//!   (336.28 ÷ 217.52 − 1 = 54.597 %);
//! - industrial gross output, 1–9月 2021 = 3161.2 亿元, of which the automobile chain 1153 亿元 and electronics
//!   1650 亿元; 1–9月 2020 = 2443.0 亿元, so growth is +29.4 % (29.398 %).
//!
//! How: firms fall into strata (digital economy or not for added value; automobile, electronics or another chain
//! for the gross output of industrial firms). Each stratum gets a total per stretch of months (the anchored
//! stretches carry the published totals), split over the months by a seasonal pattern and over the stratum's firms
//! by each firm's size, both with the largest-remainder method, so the integers add up exactly. Values are whole
//! hundreds of yuan (万元 with two decimals, as firms report). Every (indicator, year) has its own random stream,
//! so a test may load a few years of one indicator and see exactly the values the full demo holds.

use crate::digital_economy::DigitalEconomyMap;
use crate::industry::IndustryCode;
use crate::period::Month;

use super::DemoZone;
use super::rng::Rng;

/// The indicators the demo generates, by catalogue code.
pub const DEMO_INDICATORS: [&str; 3] = ["added_value", "gross_output", "employees"];
pub const FIRST_YEAR: i32 = 2019;
pub const LAST_YEAR: i32 = 2022;

/// Chongqing city's digital-economy added value, 1–6月 2021, three times the zone's (the zone is one third of it),
/// in fen. Loaded as a region figure of 500000.
pub const CHONGQING_DIGITAL_ADDED_VALUE_H1_2021_FEN: i64 = 3 * YI * 33_628 / 100;

const YI: i64 = 10_000_000_000; // 1 亿元 in fen
/// Allocation unit: 100 yuan (0.01 万元) in fen.
const UNIT: i64 = 10_000;

/// One generated value: the enterprise (index into `DemoZone::enterprises`), the month, hundredths of the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoFigure {
    pub enterprise: usize,
    pub month: Month,
    pub value: i64,
}

/// What a stratum of firms reports over one year: stretches of months, each with its exact total in fen.
struct YearPlan {
    stretches: [(u32, u32, i64); 2],
}

fn yi(hundredths_of_yi: i64) -> i64 {
    hundredths_of_yi * YI / 100
}

/// The plans, in hundredths of 亿元: (first half, second half) or (January–September, October–December).
fn added_value_plan(digital: bool, year: i32) -> YearPlan {
    let (h1, h2) = match (digital, year) {
        (true, 2019) => (17_400, 19_600),
        (true, 2020) => (21_752, 26_000), // anchored: 217.52 亿
        (true, 2021) => (33_628, 38_000), // anchored: 336.28 亿
        (true, _) => (38_500, 43_000),
        (false, 2019) => (70_000, 76_000),
        (false, 2020) => (68_000, 80_000),
        (false, 2021) => (82_000, 88_000),
        (false, _) => (87_000, 93_000),
    };
    YearPlan {
        stretches: [(1, 6, yi(h1)), (7, 12, yi(h2))],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputStratum {
    Automobile,
    Electronics,
    Other,
}

fn gross_output_plan(stratum: OutputStratum, year: i32) -> YearPlan {
    use OutputStratum::*;
    let (ytd9, q4) = match (stratum, year) {
        (Automobile, 2019) => (100_000, 38_000),
        (Automobile, 2020) => (92_000, 36_000),
        (Automobile, 2021) => (115_300, 42_000), // anchored: 1153 亿
        (Automobile, _) => (120_000, 43_000),
        (Electronics, 2019) => (115_000, 45_000),
        (Electronics, 2020) => (125_000, 50_000),
        (Electronics, 2021) => (165_000, 60_000), // anchored: 1650 亿
        (Electronics, _) => (180_000, 65_000),
        (Other, 2019) => (30_000, 11_000),
        (Other, 2020) => (27_300, 11_000), // 2020: 920 + 1250 + 273 = 2443.0 亿
        (Other, 2021) => (35_820, 13_000), // 2021: 1153 + 1650 + 358.2 = 3161.2 亿
        (Other, _) => (38_000, 14_000),
    };
    YearPlan {
        stretches: [(1, 9, yi(ytd9)), (10, 12, yi(q4))],
    }
}

/// Seasonal weights of the months: a slow start around the Spring Festival, a strong June and December.
const SEASON: [u64; 12] = [82, 78, 100, 98, 102, 116, 96, 99, 104, 103, 108, 128];

/// Generates the demo's monthly values, one (indicator, year) at a time.
pub struct DemoFigures {
    /// Size of each firm (a heavy-tailed weight); leading companies are the largest.
    sizes: Vec<u64>,
    digital: Vec<bool>,
    industrial: Vec<Option<OutputStratum>>,
}

impl DemoFigures {
    pub fn new(zone: &DemoZone) -> DemoFigures {
        let map = DigitalEconomyMap::default_map();
        let chain_of_segment: std::collections::HashMap<&str, &str> = zone
            .chains
            .iter()
            .flat_map(|c| {
                c.segments
                    .iter()
                    .map(move |s| (s.code.as_str(), c.code.as_str()))
            })
            .collect();
        let mut rng = Rng::for_part("figures:sizes");
        let mut sizes = Vec::with_capacity(zone.enterprises.len());
        let mut digital = Vec::with_capacity(zone.enterprises.len());
        let mut industrial = Vec::with_capacity(zone.enterprises.len());
        for e in &zone.enterprises {
            let code = IndustryCode::parse(&e.industry_code).ok();
            // Pareto-like: most firms are small, a few are large.
            let draw = rng.between(1, 1000) as u64;
            let mut size = 1_000_000 / (draw + 20);
            if e.above_size {
                size *= 4;
            }
            if e.leading {
                size *= 60;
            }
            sizes.push(size.max(1));
            digital.push(code.as_ref().and_then(|c| map.classify(c)).is_some());
            let chain = e
                .segment_codes
                .first()
                .and_then(|s| chain_of_segment.get(s.as_str()))
                .copied();
            let stratum = code.filter(|c| c.is_manufacturing()).map(|_| match chain {
                Some("AUTO") => OutputStratum::Automobile,
                Some("ELEC") => OutputStratum::Electronics,
                _ => OutputStratum::Other,
            });
            industrial.push(stratum);
        }
        DemoFigures {
            sizes,
            digital,
            industrial,
        }
    }

    /// Number of firms counted in the digital economy (any category 01–05).
    pub fn digital_firms(&self) -> usize {
        self.digital.iter().filter(|d| **d).count()
    }

    /// All values of one indicator in one year, in month order; empty for an indicator the demo does not have.
    pub fn year(&self, indicator: &str, year: i32) -> Vec<DemoFigure> {
        let mut rng = Rng::for_part(&format!("figures:{indicator}:{year}"));
        match indicator {
            "added_value" => {
                let mut out = Vec::new();
                for digital in [true, false] {
                    let firms: Vec<usize> = (0..self.sizes.len())
                        .filter(|&i| self.digital[i] == digital)
                        .collect();
                    self.allocate(
                        &firms,
                        year,
                        &added_value_plan(digital, year),
                        &mut rng,
                        &mut out,
                    );
                }
                out.sort_by_key(|f| (f.month, f.enterprise));
                out
            }
            "gross_output" => {
                let mut out = Vec::new();
                for stratum in [
                    OutputStratum::Automobile,
                    OutputStratum::Electronics,
                    OutputStratum::Other,
                ] {
                    let firms: Vec<usize> = (0..self.sizes.len())
                        .filter(|&i| self.industrial[i] == Some(stratum))
                        .collect();
                    self.allocate(
                        &firms,
                        year,
                        &gross_output_plan(stratum, year),
                        &mut rng,
                        &mut out,
                    );
                }
                out.sort_by_key(|f| (f.month, f.enterprise));
                out
            }
            "employees" => {
                // A stock: each firm's headcount, growing a little from year to year and month to month.
                let mut out = Vec::with_capacity(self.sizes.len() * 12);
                let growth = 100 + (year - FIRST_YEAR) as u64 * 4;
                for month in 1..=12u32 {
                    let Some(m) = Month::new(year, month) else {
                        continue;
                    };
                    for (i, size) in self.sizes.iter().enumerate() {
                        let persons = (size / 40 + 5) * growth / 100 + u64::from(month) / 4;
                        let jitter = rng.between(0, 3) as u64;
                        out.push(DemoFigure {
                            enterprise: i,
                            month: m,
                            value: ((persons + jitter) * 100) as i64,
                        });
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// Splits each stretch's total over its months (by season) and each month's over the firms (by size, with a
    /// little noise), exactly.
    fn allocate(
        &self,
        firms: &[usize],
        year: i32,
        plan: &YearPlan,
        rng: &mut Rng,
        out: &mut Vec<DemoFigure>,
    ) {
        if firms.is_empty() {
            return;
        }
        for &(first, last, total) in &plan.stretches {
            let months: Vec<u32> = (first..=last).collect();
            let season: Vec<u64> = months.iter().map(|m| SEASON[*m as usize - 1]).collect();
            let per_month = largest_remainder(total / UNIT, &season);
            for (month, units) in months.iter().zip(per_month) {
                let weights: Vec<u64> = firms
                    .iter()
                    .map(|&i| self.sizes[i] * (90 + rng.between(0, 20) as u64))
                    .collect();
                let Some(m) = Month::new(year, *month) else {
                    continue;
                };
                for (&firm, share) in firms.iter().zip(largest_remainder(units, &weights)) {
                    out.push(DemoFigure {
                        enterprise: firm,
                        month: m,
                        value: share * UNIT,
                    });
                }
            }
        }
    }
}

/// Splits `total` in proportion to `weights` into integers that add up to `total` exactly (Hamilton's method;
/// ties go to the earlier weight).
fn largest_remainder(total: i64, weights: &[u64]) -> Vec<i64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let total_u = total as u128;
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = total_u * u128::from(*w);
        shares.push((exact / sum) as i64);
        remainders.push((exact % sum, i));
    }
    let missing = total - shares.iter().sum::<i64>();
    remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.into_iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_zone;
    use crate::figures::Ratio;

    fn sum(
        values: &[DemoFigure],
        months: std::ops::RangeInclusive<u32>,
        keep: impl Fn(usize) -> bool,
    ) -> i64 {
        values
            .iter()
            .filter(|f| months.contains(&f.month.month()) && keep(f.enterprise))
            .map(|f| f.value)
            .sum()
    }

    #[test]
    fn largest_remainder_adds_up_exactly() {
        let parts = largest_remainder(10, &[1, 1, 1]);
        assert_eq!(parts, vec![4, 3, 3]);
        assert_eq!(
            largest_remainder(1_000_003, &[7, 13, 29, 31])
                .iter()
                .sum::<i64>(),
            1_000_003
        );
    }

    #[test]
    fn digital_economy_added_value_is_336_28_yi_in_h1_2021_up_54_6_percent() {
        let zone = demo_zone();
        let figures = DemoFigures::new(&zone);
        let digital = |i: usize| figures.digital[i];
        let h1_2021 = sum(&figures.year("added_value", 2021), 1..=6, digital);
        let h1_2020 = sum(&figures.year("added_value", 2020), 1..=6, digital);
        assert_eq!(h1_2021, 3_362_800_000_000);
        assert_eq!(
            Ratio::growth(h1_2021, h1_2020).map(|g| g.percent(1)),
            Some("54.6".into())
        );
        assert_eq!(CHONGQING_DIGITAL_ADDED_VALUE_H1_2021_FEN, 3 * h1_2021);
    }

    #[test]
    fn industrial_output_is_3161_2_yi_in_q1_to_q3_2021_up_29_4_percent() {
        let zone = demo_zone();
        let figures = DemoFigures::new(&zone);
        let y2021 = figures.year("gross_output", 2021);
        let y2020 = figures.year("gross_output", 2020);
        let all = |_| true;
        assert_eq!(sum(&y2021, 1..=9, all), yi(316_120));
        let auto = |i: usize| figures.industrial[i] == Some(OutputStratum::Automobile);
        let elec = |i: usize| figures.industrial[i] == Some(OutputStratum::Electronics);
        assert_eq!(sum(&y2021, 1..=9, auto), yi(115_300));
        assert_eq!(sum(&y2021, 1..=9, elec), yi(165_000));
        let growth = Ratio::growth(sum(&y2021, 1..=9, all), sum(&y2020, 1..=9, all)).expect("rate");
        assert_eq!(growth.percent(1), "29.4");
    }

    #[test]
    fn the_same_year_is_generated_the_same_way_every_time() {
        let zone = demo_zone();
        let figures = DemoFigures::new(&zone);
        assert_eq!(
            figures.year("employees", 2020),
            figures.year("employees", 2020)
        );
        assert!(figures.digital_firms() >= 6000);
    }
}
