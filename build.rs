// The migrate and generate examples embed migrations/ with `embed_migrations!`: a file added to
// or removed from the folder must rebuild them too (an edited file already does).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
