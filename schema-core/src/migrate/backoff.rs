//! Pauses with jitter: migrators started together (app replicas at deploy) and retries of a
//! blocked statement spread out instead of knocking at the same instant.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// `pause` shortened by a random part of up to half of it: between `pause / 2` and `pause`.
pub(crate) fn jittered(pause: Duration) -> Duration {
    // RandomState is seeded randomly per process and per instance: enough randomness to
    // desynchronise processes, without a dependency for it.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let fraction = (random % 1_000) as f64 / 2_000.0; // 0 ..= 0.4995
    pause.mul_f64(1.0 - fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jittered_pause_stays_between_half_and_all_of_it() {
        let pause = Duration::from_millis(800);
        let pauses: Vec<Duration> = (0..200).map(|_| jittered(pause)).collect();
        assert!(pauses
            .iter()
            .all(|p| *p > Duration::from_millis(400) && *p <= pause));
        // Not one value for all: the point of jitter.
        assert!(pauses.iter().any(|p| *p != pauses[0]));
    }
}
