//! `sqlx::migrate!` embeds `migrations/` when this crate compiles; without
//! this, adding or changing a migration would not rebuild the binary, and
//! it would go on applying the old set.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
