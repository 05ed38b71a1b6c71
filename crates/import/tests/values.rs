//! Values: units, separators, signs and precision; always exact.

mod common;

use chainpark_import::Problem;
use common::*;

fn long(indicator: &str, value: &str) -> common::Outcome {
    csv(&format!(
        "统一社会信用代码,期间,指标,数值\n{},2021-01,{indicator},\"{value}\"\n",
        code(1)
    ))
}

#[test]
fn value_in_wan_yuan_header_is_scaled_to_fen() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值(万元)\n{},2021-01,增加值,12.34\n",
        code(1)
    ));
    assert_eq!(out.single_value(), 12_340_000);
}

#[test]
fn value_in_yi_yuan_unit_column_is_scaled_to_fen() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值,单位\n{},2021-01,营业收入,1.5,亿元\n",
        code(1)
    ));
    assert_eq!(out.single_value(), 15_000_000_000);
}

#[test]
fn unit_written_in_the_cell_wins_over_the_header() {
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值(万元)\n{},2021-01,增加值,3亿元\n",
        code(1)
    ));
    assert_eq!(out.single_value(), 30_000_000_000);
    assert_eq!(long("增加值", "1,234.56 元").single_value(), 123_456);
    assert_eq!(long("增加值", "12.5万元").single_value(), 12_500_000);
    assert_eq!(long("增加值", "2千元").single_value(), 200_000);
}

#[test]
fn thousands_separators_full_width_digits_and_stray_spaces_are_read() {
    assert_eq!(long("税金", "1,234,567.89").single_value(), 123_456_789);
    assert_eq!(long("税金", "１，２３４．５").single_value(), 123_450);
    assert_eq!(long("税金", "  + 12 ").single_value(), 1_200);
}

#[test]
fn parentheses_mean_negative_and_negative_profit_is_accepted() {
    assert_eq!(long("利润总额", "(1,234.00)").single_value(), -123_400);
    assert_eq!(long("利润", "-5").single_value(), -500);
}

#[test]
fn negative_employee_count_is_rejected() {
    let e = long("从业人员", "-3")
        .assert_problem(2, Problem::NegativeValue)
        .clone();
    assert_eq!(e.reason, "Employees cannot be negative: '-3'");
}

#[test]
fn negative_energy_use_is_rejected() {
    long("综合能源消费量", "(2.5)").assert_problem(2, Problem::NegativeValue);
}

#[test]
fn employees_in_wan_ren_are_scaled() {
    assert_eq!(
        long("从业人员期末人数", "1.2万人").single_value(),
        1_200_000
    );
}

#[test]
fn energy_in_wan_tonnes_of_coal_equivalent_is_scaled() {
    assert_eq!(long("综合能耗", "0.01万吨标准煤").single_value(), 10_000);
}

#[test]
fn more_decimals_than_hundredths_are_rejected_not_rounded() {
    let e = long("增加值", "1.005")
        .assert_problem(2, Problem::TooManyDecimals)
        .clone();
    assert!(e.reason.contains("never rounded"), "{}", e.reason);
    // In 万元 six decimals still fit in fen.
    assert_eq!(long("增加值", "1.000001万元").single_value(), 1_000_001);
}

#[test]
fn non_numeric_value_is_rejected() {
    let e = long("增加值", "约100")
        .assert_problem(2, Problem::BadValue)
        .clone();
    assert_eq!(e.cell, "约100");
    long("增加值", "1,5").assert_problem(2, Problem::BadValue);
    long("增加值", "12%").assert_problem(2, Problem::UnknownUnit);
}

#[test]
fn unit_that_does_not_fit_the_indicator_is_rejected() {
    long("增加值", "3人").assert_problem(2, Problem::UnitMismatch);
    let out = csv(&format!(
        "统一社会信用代码,期间,指标,数值,单位\n{},2021-01,从业人员,3,万元\n",
        code(1)
    ));
    out.assert_problem(2, Problem::UnitMismatch);
}

#[test]
fn value_too_large_for_the_store_is_rejected() {
    long("增加值", "1亿亿亿元").assert_problem(2, Problem::UnknownUnit);
    long("增加值", "999999999999999999").assert_problem(2, Problem::ValueOutOfRange);
}

#[test]
fn unit_in_the_value_header_applies_only_to_indicators_it_can_measure() {
    let text = format!(
        "统一社会信用代码,期间,指标,数值（万元）\n{c},2021-01,营业收入,2\n{c},2021-01,从业人员,120\n",
        c = code(1)
    );
    assert_eq!(
        csv(&text).triples().iter().map(|t| t.3).collect::<Vec<_>>(),
        vec![2_000_000, 12_000]
    );
}
