//! What a template and its spares share: the prefix that names a template on the server, and
//! the key of the advisory locks taken on a template's name (its build, its pool's refill).

use sha2::{Digest, Sha256};

/// The prefix of every template database's name.
pub const TEMPLATE_PREFIX: &str = "schema_template_";

/// The second key of the template's advisory lock (and of its spares' refill lock).
pub(super) fn lock_key(name: &str) -> i32 {
    let digest = Sha256::digest(name.as_bytes());
    i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}
