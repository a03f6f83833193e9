//! The registry rules, each a `const fn` that returns the violation.
