//! Digital transformation (DOMAIN.md §2.8): big-data intelligent transformation projects (智能化改造项目), and the
//! recognition of digital workshops (数字化车间) and intelligent factories (智能工厂) with the criteria that were
//! met recorded beside them. A factory stands on at least two recognised workshops of the same enterprise.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Invalid, Violations};
use crate::registry::Id;
use crate::workflow::appeals::text;
use crate::workflow::wire_enum;

wire_enum! {
    /// What was recognised.
    RecognitionKind {
        /// 数字化车间
        DigitalWorkshop = "digital_workshop",
        /// 智能工厂
        IntelligentFactory = "intelligent_factory",
    }
}

/// Chongqing's recent criteria (DOMAIN.md §2.8), per kind: project investment ≥ 10 m yuan (1,000 万元); numerical
/// control rate ≥ 60 % (workshop) or 70 % (factory), on key processes ≥ 70 % or 80 %; MES in use; and results of
/// cost −15 %, efficiency +10 %, defects −10 %, energy efficiency +8 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecognitionCriteria {
    pub min_investment: i64,
    pub min_cnc_rate_pct: i32,
    pub min_key_process_cnc_pct: i32,
    pub mes_required: bool,
    pub min_cost_reduction_pct: i32,
    pub min_efficiency_gain_pct: i32,
    pub min_defect_reduction_pct: i32,
    pub min_energy_gain_pct: i32,
    /// Recognised digital workshops a factory needs.
    pub min_workshops: usize,
}

impl RecognitionKind {
    pub fn criteria(self) -> RecognitionCriteria {
        let (cnc, key, workshops) = match self {
            RecognitionKind::DigitalWorkshop => (60, 70, 0),
            RecognitionKind::IntelligentFactory => (70, 80, 2),
        };
        RecognitionCriteria {
            min_investment: 1_000,
            min_cnc_rate_pct: cnc,
            min_key_process_cnc_pct: key,
            mes_required: true,
            min_cost_reduction_pct: 15,
            min_efficiency_gain_pct: 10,
            min_defect_reduction_pct: 10,
            min_energy_gain_pct: 8,
            min_workshops: workshops,
        }
    }
}

/// A big-data intelligent transformation project of an enterprise. Money in 万元.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransformationProject {
    pub id: Id,
    pub enterprise_id: Id,
    pub enterprise_name: String,
    pub name: String,
    pub investment: i64,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransformationProjectInput {
    pub enterprise_id: Id,
    pub name: String,
    pub investment: i64,
    pub started_on: NaiveDate,
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
}

pub type TransformationProjectDraft = TransformationProjectInput;

impl TransformationProjectInput {
    pub fn parse(self) -> Result<TransformationProjectDraft, Invalid> {
        let mut v = Violations::default();
        let name = text(&mut v, "name", &self.name, true, 200);
        if self.investment < 0 {
            v.add("investment", "cannot be negative");
        }
        if self.completed_on.is_some_and(|c| c < self.started_on) {
            v.add("completed_on", "is before started_on");
        }
        v.finish(TransformationProjectInput { name, ..self })
    }
}

impl TransformationProject {
    pub fn to_input(&self) -> TransformationProjectInput {
        TransformationProjectInput {
            enterprise_id: self.enterprise_id,
            name: self.name.clone(),
            investment: self.investment,
            started_on: self.started_on,
            completed_on: self.completed_on,
        }
    }
}

/// A recognised digital workshop or intelligent factory, with what it achieved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recognition {
    pub id: Id,
    pub enterprise_id: Id,
    pub enterprise_name: String,
    pub kind: RecognitionKind,
    pub name: String,
    pub recognised_on: NaiveDate,
    /// 万元
    pub investment: i64,
    pub cnc_rate_pct: i32,
    pub key_process_cnc_pct: i32,
    pub has_mes: bool,
    pub cost_reduction_pct: i32,
    pub efficiency_gain_pct: i32,
    pub defect_reduction_pct: i32,
    pub energy_gain_pct: i32,
    /// For a factory: the recognised workshops it stands on.
    pub workshop_ids: Vec<Id>,
    pub archived: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecognitionInput {
    pub enterprise_id: Id,
    pub kind: RecognitionKind,
    pub name: String,
    pub recognised_on: NaiveDate,
    pub investment: i64,
    pub cnc_rate_pct: i32,
    pub key_process_cnc_pct: i32,
    pub has_mes: bool,
    pub cost_reduction_pct: i32,
    pub efficiency_gain_pct: i32,
    pub defect_reduction_pct: i32,
    pub energy_gain_pct: i32,
    #[serde(default)]
    pub workshop_ids: Vec<Id>,
}

pub type RecognitionDraft = RecognitionInput;

impl RecognitionInput {
    /// Checks the criteria of the kind; the store checks that a factory's workshops are recognised workshops of
    /// the same enterprise, recognised no later than the factory.
    pub fn parse(mut self) -> Result<RecognitionDraft, Invalid> {
        let mut v = Violations::default();
        let name = text(&mut v, "name", &self.name, true, 200);
        let c = self.kind.criteria();
        let at_least = |v: &mut Violations, field: &str, value: i64, min: i64, unit: &str| {
            if value < min {
                v.add(
                    field,
                    format!(
                        "{value}{unit} is below the {min}{unit} a {} needs",
                        self.kind.as_str().replace('_', " ")
                    ),
                );
            }
        };
        at_least(
            &mut v,
            "investment",
            self.investment,
            c.min_investment,
            " 万元",
        );
        at_least(
            &mut v,
            "cnc_rate_pct",
            self.cnc_rate_pct.into(),
            c.min_cnc_rate_pct.into(),
            "%",
        );
        at_least(
            &mut v,
            "key_process_cnc_pct",
            self.key_process_cnc_pct.into(),
            c.min_key_process_cnc_pct.into(),
            "%",
        );
        at_least(
            &mut v,
            "cost_reduction_pct",
            self.cost_reduction_pct.into(),
            c.min_cost_reduction_pct.into(),
            "%",
        );
        at_least(
            &mut v,
            "efficiency_gain_pct",
            self.efficiency_gain_pct.into(),
            c.min_efficiency_gain_pct.into(),
            "%",
        );
        at_least(
            &mut v,
            "defect_reduction_pct",
            self.defect_reduction_pct.into(),
            c.min_defect_reduction_pct.into(),
            "%",
        );
        at_least(
            &mut v,
            "energy_gain_pct",
            self.energy_gain_pct.into(),
            c.min_energy_gain_pct.into(),
            "%",
        );
        for (field, value) in [
            ("cnc_rate_pct", self.cnc_rate_pct),
            ("key_process_cnc_pct", self.key_process_cnc_pct),
        ] {
            if value > 100 {
                v.add(field, "cannot exceed 100%");
            }
        }
        if c.mes_required && !self.has_mes {
            v.add(
                "has_mes",
                "a manufacturing execution system (MES) is required",
            );
        }
        v.list_within_limit("workshop_ids", self.workshop_ids.len());
        self.workshop_ids.sort_unstable();
        self.workshop_ids.dedup();
        match self.kind {
            RecognitionKind::DigitalWorkshop if !self.workshop_ids.is_empty() => {
                v.add("workshop_ids", "only a factory stands on workshops")
            }
            RecognitionKind::IntelligentFactory if self.workshop_ids.len() < c.min_workshops => v
                .add(
                    "workshop_ids",
                    format!(
                        "a factory needs at least {} recognised digital workshops",
                        c.min_workshops
                    ),
                ),
            _ => {}
        }
        v.finish(RecognitionInput { name, ..self })
    }
}

/// The counts the dashboard shows on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransformationSummary {
    pub as_of: NaiveDate,
    /// Transformation projects completed on or before `as_of`.
    pub completed_projects: i64,
    /// Started but not completed by `as_of`.
    pub projects_under_way: i64,
    /// Investment of the completed projects, 万元.
    pub completed_investment: i64,
    pub digital_workshops: i64,
    pub intelligent_factories: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: RecognitionKind, workshops: Vec<Id>) -> RecognitionInput {
        RecognitionInput {
            enterprise_id: 1,
            kind,
            name: "总装数字化车间".into(),
            recognised_on: NaiveDate::from_ymd_opt(2021, 6, 1).expect("date"),
            investment: 2_500,
            cnc_rate_pct: 75,
            key_process_cnc_pct: 85,
            has_mes: true,
            cost_reduction_pct: 18,
            efficiency_gain_pct: 20,
            defect_reduction_pct: 12,
            energy_gain_pct: 9,
            workshop_ids: workshops,
        }
    }

    #[test]
    fn a_factory_needs_two_recognised_workshops() {
        let e = input(RecognitionKind::IntelligentFactory, vec![4, 4])
            .parse()
            .unwrap_err();
        assert_eq!(e.0[0].field, "workshop_ids");
        assert!(
            input(RecognitionKind::IntelligentFactory, vec![4, 5])
                .parse()
                .is_ok()
        );
    }

    #[test]
    fn a_factory_lists_at_most_1000_workshops() {
        let e = input(RecognitionKind::IntelligentFactory, (1..=1001).collect())
            .parse()
            .unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "workshop_ids");
        assert!(e.0[0].message.contains("1000"), "{}", e.0[0].message);
    }

    #[test]
    fn criteria_below_the_threshold_are_named() {
        let mut i = input(RecognitionKind::IntelligentFactory, vec![1, 2]);
        i.cnc_rate_pct = 65;
        i.has_mes = false;
        let fields: Vec<String> = i
            .parse()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["cnc_rate_pct", "has_mes"]);
        let mut w = input(RecognitionKind::DigitalWorkshop, vec![]);
        w.cnc_rate_pct = 65;
        assert!(w.parse().is_ok(), "65 % is enough for a workshop");
    }

    #[test]
    fn completion_before_start_is_refused() {
        let p = TransformationProjectInput {
            enterprise_id: 1,
            name: "焊装线改造".into(),
            investment: 800,
            started_on: NaiveDate::from_ymd_opt(2021, 6, 1).expect("date"),
            completed_on: NaiveDate::from_ymd_opt(2021, 5, 1),
        };
        assert_eq!(p.parse().unwrap_err().0[0].field, "completed_on");
    }
}
