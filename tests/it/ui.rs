//! Compile-time invariants: each file under `tests/ui/` breaks one rule and must fail with
//! the committed message; each file under `tests/ui/pass/` must compile.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/*.rs");
}
