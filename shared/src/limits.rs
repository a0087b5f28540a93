//! Limits on how fast input may arrive.

/// A token bucket: up to `capacity` at once, refilled at `per_second`.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last_ms: i64,
}

/// New messages per conversation: a burst of 10 (an outbox resent after a
/// reconnect), then 2 a second — more than a person types.
pub const MESSAGES: (f64, f64) = (10.0, 2.0);

impl TokenBucket {
    pub fn new((capacity, per_second): (f64, f64), now_ms: i64) -> Self {
        Self {
            capacity,
            per_second,
            tokens: capacity,
            last_ms: now_ms,
        }
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, now_ms: i64) -> bool {
        let elapsed = (now_ms - self.last_ms).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.last_ms = self.last_ms.max(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_up_to_the_capacity_passes_then_the_rate_applies() {
        let mut b = TokenBucket::new((3.0, 2.0), 0);
        assert_eq!(
            (0..5).map(|_| b.take(0)).collect::<Vec<_>>(),
            vec![true, true, true, false, false]
        );
        assert!(b.take(500), "one token back after half a second at 2/s");
        assert!(!b.take(500));
        assert!(
            b.take(10_000) && b.take(10_000) && b.take(10_000) && !b.take(10_000),
            "never more than the capacity"
        );
    }

    #[test]
    fn a_clock_going_backwards_adds_nothing() {
        let mut b = TokenBucket::new((1.0, 1.0), 5_000);
        assert!(b.take(5_000));
        assert!(!b.take(1_000));
    }
}
