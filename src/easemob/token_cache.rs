//! A sans-IO app-token cache: it says what to do, the host does it.

use super::settings::Settings;
use super::token::{
    build_agora_token_exchange_request, build_token_request, parse_agora_token_exchange_response, parse_token_response,
    AppToken, ClientCredentials, TokenPolicy,
};
use crate::error::{Error, RetryAdvice};
use crate::http::{HttpRequest, HttpResponse};
use crate::secret::Secret;

/// How the cache obtains tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `grant_type=client_credentials` with the app's client id and secret.
    ClientCredentials(ClientCredentials),
    /// The Agora token exchange, with an Agora app token made by the host (replace it with
    /// [`TokenCache::set_source`] before it expires).
    AgoraToken(Secret),
}

/// What the host should do before an Easemob call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenAction {
    /// Use this token.
    Use(AppToken),
    /// Use this token now, and send `request` to refresh it (report the reply with
    /// [`TokenCache::on_response`]); no other refresh is asked for meanwhile.
    Refresh {
        /// The current token, still valid.
        token: AppToken,
        /// The token request to send.
        request: HttpRequest,
    },
    /// There is no valid token: send `request`, report the reply with
    /// [`TokenCache::on_response`], then ask again.
    Fetch(HttpRequest),
    /// There is no valid token and a fetch is already in flight: wait for it, then ask again.
    Wait,
}

/// The app-token cache, as a state machine driven by the host: no clock, no I/O, no threads.
///
/// ```
/// use imedit::easemob::{ClientCredentials, Settings, TokenAction, TokenCache, TokenPolicy, TokenSource, EASEMOB_A1};
/// use imedit::HttpResponse;
/// let settings = Settings::new(EASEMOB_A1, "org", "app")?;
/// let source = TokenSource::ClientCredentials(ClientCredentials::new("YXA6id", "YXA6secret")?);
/// let mut cache = TokenCache::new(settings, source, TokenPolicy::default());
/// let now = 1_700_000_000;
/// let TokenAction::Fetch(request) = cache.poll(now)? else { unreachable!() };
/// // ... send `request`, then report the reply:
/// let reply = HttpResponse::new(200, vec![], r#"{"access_token":"YWMtabc","expires_in":7200,"application":"u"}"#);
/// cache.on_response(&reply, now)?;
/// assert!(matches!(cache.poll(now + 60)?, TokenAction::Use(_)));
/// assert!(matches!(cache.poll(now + 3600)?, TokenAction::Refresh { .. })); // half the lifetime
/// # Ok::<(), imedit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TokenCache {
    settings: Settings,
    source: TokenSource,
    policy: TokenPolicy,
    token: Option<AppToken>,
    fetch_started: Option<u64>,
    fetch_timeout: u64,
    last_failure: Option<u64>,
}

impl TokenCache {
    /// How long a fetch may stay unanswered (seconds) before another one is asked for.
    pub const DEFAULT_FETCH_TIMEOUT: u64 = 60;
    /// After a failed refresh, how long (seconds) a still-valid token is used before the next
    /// refresh is asked for. A fetch without a valid token is never delayed.
    pub const REFRESH_COOLDOWN: u64 = 10;

    /// An empty cache.
    pub fn new(settings: Settings, source: TokenSource, policy: TokenPolicy) -> Self {
        Self {
            settings,
            source,
            policy,
            token: None,
            fetch_started: None,
            fetch_timeout: Self::DEFAULT_FETCH_TIMEOUT,
            last_failure: None,
        }
    }

    /// Sets how long a fetch may stay unanswered before another one is asked for.
    #[must_use]
    pub fn with_fetch_timeout(mut self, seconds: u64) -> Self {
        self.fetch_timeout = seconds;
        self
    }

    /// Replaces the token source (for example a fresh Agora token).
    pub fn set_source(&mut self, source: TokenSource) {
        self.source = source;
    }

    /// The settings the token requests are built from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The policy the cache follows.
    pub fn policy(&self) -> &TokenPolicy {
        &self.policy
    }

    /// The current token, valid or not.
    pub fn token(&self) -> Option<&AppToken> {
        self.token.as_ref()
    }

    /// Whether a fetch is in flight at `now`.
    pub fn is_fetching(&self, now: u64) -> bool {
        self.fetch_started.is_some_and(|t| now < t.saturating_add(self.fetch_timeout))
    }

    /// What to do at `now` before a call.
    ///
    /// # Errors
    /// As the token request builders (an Agora token that is not header-safe).
    pub fn poll(&mut self, now: u64) -> Result<TokenAction, Error> {
        let fetching = self.is_fetching(now);
        let cooling = self.last_failure.is_some_and(|t| now < t.saturating_add(Self::REFRESH_COOLDOWN));
        match self.token.as_ref().filter(|t| !t.is_expired(now)) {
            Some(token) if fetching || cooling || !token.needs_refresh(now) => Ok(TokenAction::Use(token.clone())),
            Some(token) => {
                let token = token.clone();
                let request = self.start_fetch(now)?;
                Ok(TokenAction::Refresh { token, request })
            }
            None if fetching => Ok(TokenAction::Wait),
            None => Ok(TokenAction::Fetch(self.start_fetch(now)?)),
        }
    }

    fn start_fetch(&mut self, now: u64) -> Result<HttpRequest, Error> {
        let request = match &self.source {
            TokenSource::ClientCredentials(c) => build_token_request(&self.settings, c, &self.policy)?,
            TokenSource::AgoraToken(t) => build_agora_token_exchange_request(&self.settings, t)?,
        };
        self.fetch_started = Some(now);
        Ok(request)
    }

    /// Reports the reply to the token request, received at `now`. On success the new token is
    /// stored and returned; on failure the old token (if still valid) stays in use, and a refresh
    /// is asked for again after [`Self::REFRESH_COOLDOWN`] (a fetch at once, if no valid token is
    /// left).
    ///
    /// # Errors
    /// As [`parse_token_response`] or [`parse_agora_token_exchange_response`].
    pub fn on_response(&mut self, response: &HttpResponse, now: u64) -> Result<AppToken, Error> {
        self.fetch_started = None;
        let parsed = match &self.source {
            TokenSource::ClientCredentials(_) => parse_token_response(response, now, &self.policy),
            TokenSource::AgoraToken(_) => parse_agora_token_exchange_response(response, now, &self.policy),
        };
        match parsed {
            Ok(token) => {
                self.last_failure = None;
                self.token = Some(token.clone());
                Ok(token)
            }
            Err(e) => {
                self.last_failure = Some(now);
                Err(e)
            }
        }
    }

    /// Reports that the token request failed at `now` before a reply arrived (a transport
    /// failure).
    pub fn on_fetch_failed(&mut self, now: u64) {
        self.fetch_started = None;
        self.last_failure = Some(now);
    }

    /// Reports that a call made with `used` failed with `error`. Returns `true` when the error
    /// says the token is expired or invalid ([`RetryAdvice::RefreshToken`]): the token is then
    /// forgotten, and the host should poll again (which fetches a new one) and retry the call
    /// once. Other errors (including Easemob's 401 "You are not authorized to edit this
    /// message", a permission error) leave the cache untouched and return `false`.
    pub fn on_call_failed(&mut self, used: &AppToken, error: &Error) -> bool {
        if error.retry() != RetryAdvice::RefreshToken {
            return false;
        }
        if self.token.as_ref().is_some_and(|t| t.value() == used.value()) {
            self.token = None;
        }
        true
    }
}
