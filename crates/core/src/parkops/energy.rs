//! Energy in tonnes of coal equivalent (吨标准煤, tce): each medium's amount times its conversion factor. The
//! factors are data (the `energy_factors` table, seeded from GB/T 2589's reference values), kept in millionths of
//! a kilogram of coal equivalent per unit, so that the conversion is exact integer arithmetic.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::parkops::meters::Medium;

/// One medium's conversion factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnergyFactor {
    pub medium: Medium,
    /// Millionths of a kgce per unit of the medium (0.1229 kgce/kWh = 122 900).
    pub micro_kgce_per_unit: i64,
    /// Where the factor comes from.
    pub source: String,
}

/// An amount (thousandths of the medium's unit) in hundredths of a tce — the unit the `energy_use` indicator keeps
/// its values in — rounded half up: amount/10³ units × factor/10⁶ kgce / 10³ kg·t⁻¹ × 10² = amount × factor / 10¹⁰.
pub fn centi_tce(amount_milli: i64, factor: &EnergyFactor) -> i64 {
    let product = i128::from(amount_milli) * i128::from(factor.micro_kgce_per_unit);
    let divisor: i128 = 10_000_000_000;
    let rounded = (product + divisor / 2).div_euclid(divisor);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn electricity_converts_to_tce_at_its_factor_rounded_to_hundredths() {
        let factor = EnergyFactor {
            medium: Medium::Electricity,
            micro_kgce_per_unit: 122_900,
            source: "GB/T 2589-2020".into(),
        };
        // 100 000 kWh × 0.1229 kgce/kWh = 12 290 kgce = 12.29 tce.
        assert_eq!(centi_tce(100_000_000, &factor), 1_229);
        // 40 kWh = 4.916 kgce = 0.004916 tce: rounds to 0.00.
        assert_eq!(centi_tce(40_000, &factor), 0);
        // 50 000 kWh = 6.145 tce: 614.5 hundredths round half up to 615.
        assert_eq!(centi_tce(50_000_000, &factor), 615);
    }
}
