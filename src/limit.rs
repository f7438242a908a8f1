//! A token-bucket rate limiter driven by the caller's clock, with state that can be exported to
//! and restored from a shared store.

/// The limiter's state, to keep in a shared store (Redis, a database row) when several processes
/// share one vendor quota: read it, [`RateLimiter::restore`], `acquire`, write
/// [`RateLimiter::state`] back, all under the store's lock or compare-and-set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LimiterState {
    /// Permits available, in thousandths of a permit.
    pub tokens_milli: u64,
    /// When the state was last updated, in Unix milliseconds.
    pub updated_ms: u64,
}

/// A token bucket: `rate_per_sec` permits per second, up to `burst` at once. It never reads a
/// clock: every call takes the caller's `now_ms`.
///
/// ```
/// use imedit::limit::RateLimiter;
/// let mut limiter = RateLimiter::new(50, 1); // 50/s, no burst
/// assert_eq!(limiter.acquire(1_000), 0);     // go now
/// assert_eq!(limiter.acquire(1_000), 20);    // wait 20 ms
/// assert_eq!(limiter.acquire(1_020), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateLimiter {
    rate_per_sec: u64,
    burst_milli: u64,
    state: LimiterState,
    started: bool,
}

impl RateLimiter {
    /// A full bucket of `burst` permits, refilled at `rate_per_sec` (both at least 1).
    pub fn new(rate_per_sec: u32, burst: u32) -> Self {
        let burst_milli = u64::from(burst.max(1)) * 1000;
        Self {
            rate_per_sec: u64::from(rate_per_sec.max(1)),
            burst_milli,
            state: LimiterState { tokens_milli: burst_milli, updated_ms: 0 },
            started: false,
        }
    }

    /// Volcengine `ModifyMessage`: 50 requests per second.
    pub fn volcengine_modify_message() -> Self {
        Self::new(50, 1)
    }

    /// Easemob REST calls: 100 requests per second per App Key.
    pub fn easemob_app() -> Self {
        Self::new(100, 1)
    }

    /// The Easemob token endpoint: 300 requests per second per App Key.
    pub fn easemob_token() -> Self {
        Self::new(300, 1)
    }

    /// A limiter continuing from a stored state.
    pub fn restore(rate_per_sec: u32, burst: u32, state: LimiterState) -> Self {
        let mut limiter = Self::new(rate_per_sec, burst);
        limiter.state = LimiterState { tokens_milli: state.tokens_milli.min(limiter.burst_milli), ..state };
        limiter.started = true;
        limiter
    }

    /// The state to store.
    pub fn state(&self) -> LimiterState {
        self.state
    }

    /// Takes one permit at `now_ms` and returns 0, or returns how many milliseconds to wait before
    /// calling again (no permit is taken then). A clock that goes backwards refills nothing.
    pub fn acquire(&mut self, now_ms: u64) -> u64 {
        self.refill(now_ms);
        if self.state.tokens_milli >= 1000 {
            self.state.tokens_milli -= 1000;
            return 0;
        }
        // Permits come back at `rate_per_sec` per 1000 ms, i.e. `rate_per_sec` thousandths per ms.
        let missing = 1000 - self.state.tokens_milli;
        missing.div_ceil(self.rate_per_sec)
    }

    fn refill(&mut self, now_ms: u64) {
        if !self.started {
            self.started = true;
            self.state.updated_ms = now_ms;
            return;
        }
        let elapsed = now_ms.saturating_sub(self.state.updated_ms);
        let added = elapsed.saturating_mul(self.rate_per_sec);
        self.state.tokens_milli = self.state.tokens_milli.saturating_add(added).min(self.burst_milli);
        self.state.updated_ms = self.state.updated_ms.max(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_exceeds_the_rate_over_a_second() {
        let mut limiter = RateLimiter::easemob_app();
        let mut sent = 0;
        let mut now = 10_000;
        while now < 11_000 {
            match limiter.acquire(now) {
                0 => sent += 1,
                wait => now += wait,
            }
        }
        assert!((99..=101).contains(&sent), "{sent}");
    }

    #[test]
    fn burst_and_restore() {
        let mut a = RateLimiter::new(10, 5);
        assert!((0..5).all(|_| a.acquire(0) == 0));
        assert_eq!(a.acquire(0), 100);
        let mut b = RateLimiter::restore(10, 5, a.state());
        assert_eq!(b.acquire(50), 50);
        assert_eq!(b.acquire(100), 0);
        // A clock that goes backwards refills nothing.
        assert_eq!(b.acquire(10), 100);
    }
}
