//! `schema-core pull --database-url URL --out DIR`: a live database into a crate of schema
//! code, for a team that has none yet.

fn main() -> std::process::ExitCode {
    schema_core::cli::tool_main()
}
