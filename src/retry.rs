//! Retry planning: how long to wait before the next attempt, and when to stop. Sans-IO: the host
//! supplies the random value and does the waiting.

use crate::error::{Error, RetryAdvice};

/// Bounds on retrying one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// The most attempts in all, the first one included (default 3).
    pub max_attempts: u32,
    /// The backoff before the second attempt, before jitter, in milliseconds (default 200).
    pub base_delay_ms: u64,
    /// The largest backoff, before jitter, in milliseconds (default 10 000).
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 3, base_delay_ms: 200, max_delay_ms: 10_000 }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryDecision {
    /// Wait `delay_ms`, then try again. A Volcengine request must be built and signed again (a
    /// fresh `X-Date`); an Easemob request may be sent again as it is.
    Retry {
        /// How long to wait first, in milliseconds.
        delay_ms: u64,
    },
    /// The app token was refused: tell the token cache (`TokenCache::on_call_failed`), get a new
    /// token, and try again at once. Offered once per call.
    RefreshTokenThenRetry,
    /// Stop and report the error.
    GiveUp,
}

/// Plans the retries of one call: exponential backoff with full jitter, a cap, a bounded number
/// of attempts, and at most one token refresh.
///
/// ```
/// use imedit::retry::{RetryDecision, RetryPlanner, RetryPolicy};
/// use imedit::Error;
/// let mut plan = RetryPlanner::new(RetryPolicy::default());
/// let reset = Error::transport("connection reset");
/// assert_eq!(plan.on_error(&reset, 0.5), RetryDecision::Retry { delay_ms: 100 }); // 0.5 × 200 ms
/// assert_eq!(plan.on_error(&reset, 0.5), RetryDecision::Retry { delay_ms: 200 }); // 0.5 × 400 ms
/// assert_eq!(plan.on_error(&reset, 0.5), RetryDecision::GiveUp); // 3 attempts made
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPlanner {
    policy: RetryPolicy,
    attempts: u32,
    token_refreshed: bool,
}

impl RetryPlanner {
    /// A plan for one call, before its first attempt.
    pub fn new(policy: RetryPolicy) -> Self {
        Self { policy, attempts: 0, token_refreshed: false }
    }

    /// The failed attempts so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records a failed attempt and says what to do. `random` is a uniform random value in
    /// `[0, 1)` from the host (values outside are clamped); it spreads retries of many clients
    /// apart ("full jitter").
    pub fn on_error(&mut self, error: &Error, random: f64) -> RetryDecision {
        self.attempts = self.attempts.saturating_add(1);
        match error.retry() {
            RetryAdvice::Retry if self.attempts < self.policy.max_attempts => {
                RetryDecision::Retry { delay_ms: self.jittered(random) }
            }
            RetryAdvice::RefreshToken if !self.token_refreshed => {
                self.token_refreshed = true;
                RetryDecision::RefreshTokenThenRetry
            }
            _ => RetryDecision::GiveUp,
        }
    }

    /// `random × min(max_delay, base × 2^(attempts − 1))`.
    fn jittered(&self, random: f64) -> u64 {
        let shift = self.attempts.saturating_sub(1).min(63);
        let ceiling = self.policy.base_delay_ms.saturating_mul(1u64 << shift).min(self.policy.max_delay_ms);
        let random = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
        // The product is at most `ceiling`, so the conversion back cannot overflow.
        (ceiling as f64 * random) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ApiErrorKind, Vendor};

    fn api(kind: ApiErrorKind, retry: RetryAdvice) -> Error {
        ApiError {
            vendor: Vendor::Easemob,
            kind,
            status: 401,
            vendor_code: None,
            vendor_code_n: None,
            exception: None,
            message: None,
            request_id: None,
            timestamp: None,
            duration: None,
            retry,
        }
        .into()
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy { max_attempts: 10, base_delay_ms: 100, max_delay_ms: 1000 };
        let mut plan = RetryPlanner::new(policy);
        let e = Error::transport("reset");
        let delays: Vec<_> = (0..9).map(|_| plan.on_error(&e, 0.999_999)).collect();
        let want = [100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000];
        for (got, want) in delays.iter().zip(want) {
            assert!(matches!(got, RetryDecision::Retry { delay_ms } if *delay_ms == want - 1 || *delay_ms == want));
        }
        assert_eq!(plan.on_error(&e, 0.5), RetryDecision::GiveUp);
        assert_eq!(RetryPlanner::new(policy).on_error(&e, f64::NAN), RetryDecision::Retry { delay_ms: 0 });
    }

    #[test]
    fn one_token_refresh_per_call() {
        let mut plan = RetryPlanner::new(RetryPolicy::default());
        let token = api(ApiErrorKind::TokenInvalid, RetryAdvice::RefreshToken);
        assert_eq!(plan.on_error(&token, 0.1), RetryDecision::RefreshTokenThenRetry);
        assert_eq!(plan.on_error(&token, 0.1), RetryDecision::GiveUp);
    }

    #[test]
    fn permanent_and_reread_errors_stop() {
        for advice in [RetryAdvice::DoNotRetry, RetryAdvice::RereadFirst, RetryAdvice::FixClock] {
            let mut plan = RetryPlanner::new(RetryPolicy::default());
            assert_eq!(plan.on_error(&api(ApiErrorKind::Other, advice), 0.1), RetryDecision::GiveUp);
        }
    }
}
