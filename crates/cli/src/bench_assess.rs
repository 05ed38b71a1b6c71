//! `chainpark bench-assess`: how long evaluating every firm of a city-tier zone takes. It generates `--firms`
//! synthetic firms (fixed seed: the same firms every run) with land, leased space and a year of figures, then times
//! the evaluation under each shipped preset (Chongqing's four indicators; the Zhejiang-style six, whose benchmarks
//! read last year's averages) and the park and district results. The goal is at most 2 s for 100,000 firms.

use std::collections::BTreeMap;
use std::time::Instant;

use chainpark_core::assessment::evaluate::{FirmInput, evaluate, group_results};
use chainpark_core::assessment::land::EvaluatedArea;
use chainpark_core::assessment::scheme::{chongqing_preset, zhejiang_preset};
use chrono::NaiveDate;
use clap::Args;

#[derive(Debug, Args)]
pub struct BenchAssessArgs {
    /// Firms to evaluate.
    #[arg(long, default_value_t = 100_000)]
    pub firms: usize,
}

/// A small deterministic generator (xorshift64*), so that every run evaluates the same firms.
struct Seq(u64);

impl Seq {
    fn next(&mut self, below: u64) -> i64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % below.max(1)) as i64
    }
}

fn firms(n: usize, seq: &mut Seq, scale_percent: i64) -> Vec<FirmInput> {
    (0..n)
        .map(|i| {
            let above_size = seq.next(100) < 40;
            let held = if seq.next(100) < 85 {
                200 + seq.next(20_000)
            } else {
                0
            };
            let leased = if held == 0 || seq.next(100) < 10 {
                50_000 + seq.next(2_000_000)
            } else {
                0
            };
            let mut figures = BTreeMap::new();
            let revenue = (1_000_000 + seq.next(5_000_000_000)) * scale_percent / 100;
            figures.insert("operating_revenue".to_string(), revenue);
            figures.insert("added_value".to_string(), revenue / 4 + seq.next(1_000_000));
            figures.insert("tax".to_string(), revenue / 20 + seq.next(100_000));
            figures.insert("employees".to_string(), (5 + seq.next(2_000)) * 100);
            if seq.next(100) < 90 {
                figures.insert("energy_use".to_string(), 100 + seq.next(5_000_000));
            }
            if seq.next(100) < 70 {
                figures.insert(
                    "rd_spending".to_string(),
                    revenue / 50 + seq.next(1_000_000),
                );
            }
            FirmInput {
                enterprise_id: i as i64 + 1,
                credit_code: format!("BENCH{i:013}"),
                industry_code: if seq.next(100) < 80 {
                    "C3670".into()
                } else {
                    "I6513".into()
                },
                above_size,
                founded_on: NaiveDate::from_ymd_opt(
                    2005 + seq.next(18) as i32,
                    1 + seq.next(12) as u32,
                    1,
                ),
                area: EvaluatedArea::new(held, leased, 120),
                figures,
            }
        })
        .collect()
}

pub fn bench_assess(args: BenchAssessArgs) -> anyhow::Result<()> {
    let mut seq = Seq(0x9E37_79B9_7F4A_7C15);
    let generated = Instant::now();
    let last_year = firms(args.firms, &mut seq, 95);
    let this_year = firms(args.firms, &mut seq, 100);
    println!(
        "generated {} firms × 2 years in {:.0} ms",
        args.firms,
        generated.elapsed().as_secs_f64() * 1000.0
    );
    for preset in [chongqing_preset(), zhejiang_preset()] {
        let started = Instant::now();
        let evaluation = evaluate(&preset.body, 2022, &this_year, &last_year)?;
        let evaluated = started.elapsed();
        let parks = group_results(
            &this_year,
            &evaluation,
            &["added_value", "tax"],
            |f| Some((f.enterprise_id % 60).to_string()),
            |_| Some(100_000),
        );
        let total = started.elapsed();
        let classes: Vec<String> = evaluation
            .populations
            .iter()
            .map(|p| format!("{} {:?}", p.code, p.classes))
            .collect();
        println!(
            "{}: {} firms evaluated in {:.0} ms, with {} park results {:.0} ms — {}",
            preset.code,
            evaluation.results.len(),
            evaluated.as_secs_f64() * 1000.0,
            parks.len(),
            total.as_secs_f64() * 1000.0,
            classes.join("; ")
        );
    }
    Ok(())
}
