//! The store's conformance suite: every case is written once, against the public store API, and runs on each
//! engine as its own test — `sqlite::areas_create_get_list_update_archive` and
//! `postgres::areas_create_get_list_update_archive` — so a failure on one engine names the engine. PostgreSQL
//! runs in a fresh schema of the server that CHAINPARK_TEST_POSTGRES names; without it the PostgreSQL tests say
//! SKIPPED and pass, unless CHAINPARK_REQUIRE_POSTGRES=1 (CI sets it), which makes them fail.
//!
//! `cargo test -p chainpark-store --test conformance -- postgres::` runs one engine's half.

mod support;

mod accounts;
mod assessment;
mod catalogue;
mod chain_intel;
mod constraints;
mod disclosure;
mod imports;
mod meters;
mod month_partitions;
mod registry;
mod safety;
mod scopes;
mod space;
mod targets;
mod workflow;

/// Declares each case once per engine, in the modules `sqlite` and `postgres`.
macro_rules! conformance {
    ($($module:ident :: $case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    crate::support::run(crate::support::Engine::Sqlite, crate::$module::$case).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    crate::support::run(crate::support::Engine::Postgres, crate::$module::$case).await;
                }
            )+
        }
    };
}

conformance! {
    registry::areas_create_get_list_update_archive,
    registry::an_update_decided_on_an_older_version_is_refused_and_changes_nothing,
    registry::chains_create_get_list_update_archive,
    registry::segments_create_get_list_update_archive,
    registry::supply_links_create_get_list_update_archive,
    registry::people_create_get_list_update_archive,
    registry::posts_create_get_list_update_archive,
    registry::parks_create_get_list_update_archive,
    registry::enterprises_create_get_list_update_archive,
    registry::an_area_code_is_unique,
    registry::a_chain_code_is_unique,
    registry::a_credit_code_is_unique,
    registry::a_park_has_one_open_ended_chief,
    registry::a_park_chief_is_the_post_holder_on_the_actors_day,
    registry::a_missing_object_is_not_found,
    registry::a_reference_to_a_missing_object_is_invalid,
    scopes::a_chain_owner_sees_only_its_chain,
    scopes::a_park_chief_edits_only_its_park,
    scopes::an_enterprise_user_sees_only_its_enterprise,
    scopes::a_scoped_actor_may_not_read_the_audit_trail,
    accounts::accounts_create_get_list_update,
    accounts::a_username_is_unique,
    accounts::a_session_lives_until_it_is_deleted_or_expires,
    accounts::sessions_and_tokens_expire_at_the_instant_they_are_asked_at,
    accounts::a_token_works_until_it_is_revoked_or_expires,
    accounts::creating_and_revoking_a_token_is_audited_without_the_secret,
    accounts::a_new_password_ends_the_other_sessions_and_revokes_the_tokens,
    accounts::a_disabled_account_has_no_session_and_no_token,
    accounts::an_actor_is_scoped_by_the_posts_held_today,
    workflow::an_appeal_runs_its_closed_loop_with_a_version_per_step,
    workflow::an_appeal_step_on_a_stale_version_loses,
    workflow::a_work_order_step_on_a_stale_version_loses,
    workflow::a_refused_step_changes_nothing,
    workflow::an_appeal_is_rated_once,
    workflow::a_closed_appeal_is_reopened_only_within_the_configured_working_days,
    workflow::an_assignment_names_the_assignee_in_the_history,
    imports::a_refused_import_stores_nothing,
    imports::an_import_cut_off_before_its_end_stores_nothing,
    imports::a_finished_import_stores_every_value,
    imports::a_calendar_file_that_covers_part_of_an_unloaded_year_stores_nothing,
    imports::imports_are_listed_to_their_author_and_to_those_who_read_everything,
    imports::an_import_naming_an_enterprise_that_does_not_exist_stores_nothing,
    imports::check_reports_values_whose_enterprise_does_not_exist,
    imports::an_import_that_changes_one_month_of_a_year_leaves_the_other_months_and_their_imports_as_they_were,
    imports::a_revised_months_history_keeps_the_import_that_stored_that_month,
    constraints::unique_and_foreign_key_violations_become_conflict_and_invalid,
    assessment::a_parcel_keeps_its_history_and_a_year_is_evaluated_on_its_end,
    assessment::a_scheme_in_use_is_not_edited_in_place,
    assessment::a_rerun_after_a_revised_figure_lists_exactly_that_firm,
    assessment::an_enterprise_user_reads_only_its_own_result,
    assessment::a_class_list_is_paged_and_sorted_by_the_store_as_the_whole_list_would_be,
    chain_intel::a_small_chain_is_diagnosed_as_worked_out_by_hand,
    chain_intel::past_month_completeness_ignores_firms_that_settled_later,
    chain_intel::a_project_in_production_fills_its_segment,
    chain_intel::a_weight_for_a_segment_of_another_chain_is_refused,
    meters::a_generated_series_rolls_up_exactly_as_its_readings_recorded_one_by_one,
    meters::a_generated_series_over_hours_that_hold_readings_is_refused_and_stores_nothing,
    chain_intel::all_chains_read_at_once_have_the_facts_each_chain_has_alone,
    space::vacancy_on_a_past_date_reflects_the_leases_then,
    space::a_lease_sharing_a_day_with_another_of_the_unit_is_refused_and_stores_nothing,
    space::a_lease_expiring_within_ninety_days_alerts_the_park_chief_once,
    safety::a_failed_item_records_a_hazard_due_in_working_days,
    safety::a_hazard_closes_only_on_a_passed_recheck_after_its_work_order_is_done,
    safety::an_overdue_hazard_alerts_the_park_chief_once,
    safety::a_photo_is_kept_byte_for_byte_and_a_false_one_stores_nothing,
    safety::inspections_are_reached_by_the_parks_team_only,
    targets::target_weights_marks_and_leads_read_back_as_written,
    targets::a_mark_or_lead_for_a_segment_of_another_chain_is_refused_and_stores_nothing,
    targets::an_exclusion_needs_a_reason_and_a_target_is_pinned_or_excluded_not_both,
    targets::target_weights_out_of_range_are_refused_and_store_nothing,
    targets::a_candidate_becomes_a_lead_once_per_segment,
    targets::a_chain_chief_steers_the_targets_of_its_chain_only_and_an_owner_reads_them,
    disclosure::a_restricted_readers_cell_facts_follow_an_import_that_changes_a_value,
    disclosure::readers_of_different_reach_get_their_own_unreadable_counts_from_the_shared_facts,
    disclosure::a_same_firms_base_follows_an_import_that_changes_last_years_value,
}
