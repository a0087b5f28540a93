//! When to reconnect after a dropped socket: exponential backoff with full
//! jitter (a random delay below a ceiling that doubles per attempt), so a
//! restarted edge is not hit by every client at the same instant. Widget
//! and panel both use [`RECONNECT`].

/// First ceiling and the largest one, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base_ms: f64,
    pub cap_ms: f64,
}

/// The reconnect schedule of every client: up to 0.5 s after the first
/// drop, never more than 30 s.
pub const RECONNECT: Backoff = Backoff {
    base_ms: 500.0,
    cap_ms: 30_000.0,
};

impl Backoff {
    /// The delay before attempt `attempt` (0 for the first), given a
    /// uniform random number in `0..1`.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> u64 {
        let ceiling = (self.base_ms * 2f64.powi(attempt.min(16) as i32)).min(self.cap_ms);
        (random.clamp(0.0, 1.0) * ceiling) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_per_attempt_up_to_the_cap() {
        assert_eq!(RECONNECT.delay_ms(0, 1.0), 500);
        assert_eq!(RECONNECT.delay_ms(1, 1.0), 1_000);
        assert_eq!(RECONNECT.delay_ms(3, 1.0), 4_000);
        assert_eq!(RECONNECT.delay_ms(10, 1.0), 30_000);
        assert_eq!(RECONNECT.delay_ms(u32::MAX, 1.0), 30_000);
    }

    #[test]
    fn the_delay_is_a_random_share_of_the_ceiling() {
        assert_eq!(RECONNECT.delay_ms(2, 0.0), 0);
        assert_eq!(RECONNECT.delay_ms(2, 0.5), 1_000);
        assert_eq!(RECONNECT.delay_ms(2, 7.0), 2_000, "clamped");
    }
}
