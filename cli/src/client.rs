//! Thin blocking clients over the sans-IO core: build → send (ureq) → parse, with the core's
//! token cache, retry planner and rate limiter. Nothing here decides what a reply means: the core
//! does.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use imedit::easemob::{
    build_rewrite_request, parse_rewrite_response, AppToken, RewriteMessage, RewriteOutcome, Settings, TokenAction,
    TokenCache, TokenPolicy, TokenSource,
};
use imedit::limit::RateLimiter;
use imedit::retry::{RetryDecision, RetryPlanner, RetryPolicy};
use imedit::volcengine::{
    parse_modify_message_response, parse_response, Endpoint, ModifyMessage, OpenApiResponse, ResponseMetadata,
    SignableRequest, SignedRequest, Signer, SigningParams,
};
use imedit::{Error, HttpRequest, HttpResponse};

/// The current Unix time in seconds.
pub fn now_secs() -> u64 {
    now_ms() / 1000
}

/// The current Unix time in milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A uniform random value in `[0, 1)` for the retry planner's jitter.
pub fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u64(now_ms());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// What a [`Transport`] reports to its observer.
#[derive(Debug)]
pub enum Event<'a> {
    /// A request is about to be sent.
    Sending(&'a HttpRequest),
    /// A reply arrived after `elapsed`.
    Received(&'a HttpResponse, Duration),
    /// The request failed before a reply arrived.
    Failed(&'a Error),
}

/// A callback that sees every request and reply (for printing them).
pub type Observer = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// Sends [`HttpRequest`]s byte for byte with ureq and returns the raw replies, whatever their
/// status.
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
    observer: Option<Observer>,
}

impl core::fmt::Debug for Transport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Transport").field("observed", &self.observer.is_some()).finish()
    }
}

impl Default for Transport {
    fn default() -> Self {
        Self::new(Duration::from_secs(30))
    }
}

impl Transport {
    /// A transport with a timeout for each whole call.
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .build();
        Self { agent: ureq::Agent::new_with_config(config), observer: None }
    }

    /// Reports every request and reply to `observer`.
    #[must_use]
    pub fn observed(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Sends one request.
    ///
    /// # Errors
    /// [`Error::Transport`] when no reply arrived (connection refused, reset, timeout).
    pub fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        if let Some(observe) = &self.observer {
            observe(Event::Sending(request));
        }
        let started = Instant::now();
        let result = self.exchange(request);
        if let Some(observe) = &self.observer {
            match &result {
                Ok(response) => observe(Event::Received(response, started.elapsed())),
                Err(e) => observe(Event::Failed(e)),
            }
        }
        result
    }

    fn exchange(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
        let mut builder = ureq::http::Request::builder().method(request.method.as_str()).uri(request.url.as_str());
        for header in &request.headers {
            builder = builder.header(header.name.as_ref(), header.value.as_ref());
        }
        let transport = |e: &dyn core::fmt::Display| Error::transport(e.to_string());
        let reply = if request.body.is_empty() {
            let built = builder.body(()).map_err(|e| transport(&e))?;
            self.agent.run(built)
        } else {
            let built = builder.body(request.body.clone()).map_err(|e| transport(&e))?;
            self.agent.run(built)
        };
        let mut reply = reply.map_err(|e| transport(&e))?;
        let status = reply.status().as_u16();
        let headers = reply
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body = reply.body_mut().read_to_vec().map_err(|e| transport(&e))?;
        Ok(HttpResponse::new(status, headers, body))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits until the limiter gives a permit.
fn pace(limiter: &Mutex<RateLimiter>) {
    loop {
        let wait = lock(limiter).acquire(now_ms());
        if wait == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(wait));
    }
}

/// An Easemob client: app tokens from the core's [`TokenCache`], rewrites with the core's retry
/// planner (one token refresh on a token error) and rate limiter.
pub struct EasemobClient {
    settings: Settings,
    tokens: Mutex<TokenCache>,
    transport: Transport,
    policy: RetryPolicy,
    limiter: Mutex<RateLimiter>,
    token_limiter: Mutex<RateLimiter>,
}

impl core::fmt::Debug for EasemobClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EasemobClient").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl EasemobClient {
    /// A client for one app.
    pub fn new(settings: Settings, source: TokenSource, token_policy: TokenPolicy, transport: Transport) -> Self {
        Self {
            tokens: Mutex::new(TokenCache::new(settings.clone(), source, token_policy)),
            settings,
            transport,
            policy: RetryPolicy::default(),
            limiter: Mutex::new(RateLimiter::easemob_app()),
            token_limiter: Mutex::new(RateLimiter::easemob_token()),
        }
    }

    /// Uses another retry policy.
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The app settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// A valid app token: the cached one, or a new one fetched now (one attempt; the caller
    /// retries).
    ///
    /// # Errors
    /// The token request's failure.
    pub fn token(&self) -> Result<AppToken, Error> {
        loop {
            let action = lock(&self.tokens).poll(now_secs())?;
            match action {
                TokenAction::Use(token) => return Ok(token),
                TokenAction::Refresh { token, request } => {
                    // Refresh now; a failed refresh keeps the current token in use.
                    return Ok(self.fetch(&request).unwrap_or(token));
                }
                TokenAction::Fetch(request) => return self.fetch(&request),
                TokenAction::Wait => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn fetch(&self, request: &HttpRequest) -> Result<AppToken, Error> {
        pace(&self.token_limiter);
        match self.transport.send(request) {
            Ok(reply) => lock(&self.tokens).on_response(&reply, now_secs()),
            Err(e) => {
                lock(&self.tokens).on_fetch_failed(now_secs());
                Err(e)
            }
        }
    }

    /// Rewrites a message: checks the edit locally (a refusal sends nothing), then token → build
    /// → send → parse, retried as the core's [`RetryPlanner`] says.
    ///
    /// # Errors
    /// The local refusal, or the last attempt's error.
    pub fn rewrite(&self, edit: &RewriteMessage) -> Result<RewriteOutcome, Error> {
        edit.body()?;
        let mut planner = RetryPlanner::new(self.policy);
        loop {
            let (used, result) = self.attempt(edit);
            let error = match result {
                Ok(outcome) => return Ok(outcome),
                Err(e) => e,
            };
            match planner.on_error(&error, random_unit()) {
                RetryDecision::Retry { delay_ms } => std::thread::sleep(Duration::from_millis(delay_ms)),
                RetryDecision::RefreshTokenThenRetry => {
                    if let Some(token) = used {
                        lock(&self.tokens).on_call_failed(&token, &error);
                    }
                }
                RetryDecision::GiveUp => return Err(error),
            }
        }
    }

    /// One attempt: the token it used (if it got one), and the outcome.
    fn attempt(&self, edit: &RewriteMessage) -> (Option<AppToken>, Result<RewriteOutcome, Error>) {
        let token = match self.token() {
            Ok(token) => token,
            Err(e) => return (None, Err(e)),
        };
        pace(&self.limiter);
        let result = build_rewrite_request(&self.settings, token.value(), edit)
            .and_then(|request| self.transport.send(&request))
            .and_then(|reply| parse_rewrite_response(&reply));
        (Some(token), result)
    }

    /// One rewrite with a given token: build → send → parse, with no retry and no pacing (for
    /// bursts, and for `imedit easemob rewrite` with `EASEMOB_TOKEN`).
    ///
    /// # Errors
    /// The local refusal, the transport failure or the parsed error.
    pub fn rewrite_once(&self, token: &imedit::Secret, edit: &RewriteMessage) -> Result<RewriteOutcome, Error> {
        let request = build_rewrite_request(&self.settings, token, edit)?;
        parse_rewrite_response(&self.transport.send(&request)?)
    }
}

/// A Volcengine client: every attempt signed afresh with the current time, retried as the core's
/// [`RetryPlanner`] says, paced by the core's rate limiter.
#[derive(Debug)]
pub struct VolcClient {
    signer: Signer,
    endpoint: Endpoint,
    transport: Transport,
    policy: RetryPolicy,
    limiter: Mutex<RateLimiter>,
}

impl VolcClient {
    /// A client for one endpoint.
    pub fn new(signer: Signer, endpoint: Endpoint, transport: Transport) -> Self {
        Self {
            signer,
            endpoint,
            transport,
            policy: RetryPolicy::default(),
            limiter: Mutex::new(RateLimiter::volcengine_modify_message()),
        }
    }

    /// Uses another retry policy.
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The signer.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sends `ModifyMessage`.
    ///
    /// # Errors
    /// The local refusal, or the last attempt's error.
    pub fn modify_message(&self, edit: &ModifyMessage) -> Result<ResponseMetadata, Error> {
        edit.body()?;
        self.retrying(|| {
            let signed = self.signer.modify_message(&self.endpoint, edit, now_secs())?;
            parse_modify_message_response(&self.transport.send(&signed.request)?)
        })
    }

    /// Signs and sends any OpenAPI request (`params.time` is replaced by the current time on
    /// each attempt).
    ///
    /// # Errors
    /// The local refusal, or the last attempt's error.
    pub fn call(&self, request: &SignableRequest, params: &SigningParams) -> Result<OpenApiResponse, Error> {
        self.sign(request, params)?;
        self.retrying(|| {
            let signed = self.sign(request, &SigningParams { time: now_secs(), ..params.clone() })?;
            parse_response(&self.transport.send(&signed.request)?)
        })
    }

    fn sign(&self, request: &SignableRequest, params: &SigningParams) -> Result<SignedRequest, Error> {
        self.signer.sign(request, params)
    }

    fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T, Error>) -> Result<T, Error> {
        let mut planner = RetryPlanner::new(self.policy);
        loop {
            pace(&self.limiter);
            let error = match attempt() {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            match planner.on_error(&error, random_unit()) {
                RetryDecision::Retry { delay_ms } => std::thread::sleep(Duration::from_millis(delay_ms)),
                RetryDecision::RefreshTokenThenRetry | RetryDecision::GiveUp => return Err(error),
            }
        }
    }
}
