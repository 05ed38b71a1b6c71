//! `sqlx::migrate!` embeds the migration folders when the store is compiled, and cargo does not see a new file
//! there by itself: this makes adding a migration rebuild the store.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
