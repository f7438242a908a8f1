package io.imedit

import kotlin.random.Random

/**
 * Waits until [limiter] hands out a permit (the core's token bucket decides; this only sleeps).
 */
internal fun RateLimiter.take(clock: HostClock) {
    while (true) {
        val wait = acquire(clock.nowMillis().toULong())
        if (wait == 0uL) return
        clock.sleep(wait.toLong())
    }
}

/**
 * A synchronous Volcengine OpenAPI client: for each attempt it builds and signs the request with
 * the core's [Signer] (fresh `X-Date`), sends it with [transport] and parses the reply; it waits
 * for the core's [RateLimiter] before each attempt and follows the core's [RetryPlanner] after a
 * failure (bounded attempts, jittered backoff).
 *
 * Thread-safe: share one client.
 *
 * @param credentials the access key and secret key (and session token, for STS).
 * @param endpoint where requests go and the region they are signed for.
 * @param transport how requests are sent.
 * @param retryPolicy the bounds on retries.
 * @param limiter the rate limit (ModifyMessage: 50 requests per second).
 * @param clock the time source and sleeper.
 * @param random the source of backoff jitter.
 */
class VolcengineClient @JvmOverloads constructor(
    credentials: Credentials,
    val endpoint: Endpoint = Endpoint(),
    private val transport: HttpTransport = JavaHttpTransport(),
    private val retryPolicy: RetryPolicy = RetryPolicy(),
    private val limiter: RateLimiter = RateLimiter.volcengineModifyMessage(),
    private val clock: HostClock = HostClock.System,
    private val random: Random = Random.Default,
) {
    /** The signer, with its cached signing key. */
    val signer: Signer = Signer(credentials)

    /**
     * Edits one message (`ModifyMessage`): its `Ext` fields (merged key by key) and/or its
     * `Content`. Returns the reply's `ResponseMetadata`.
     *
     * @throws ImeditException when the input is refused, the vendor refuses the call, or every
     * attempt failed; its `retryAdvice()` says what to do.
     */
    fun modifyMessage(edit: ModifyMessage): ResponseMetadata {
        edit.body() // refuses a bad edit before anything is sent
        return attempt { now -> parseModifyMessageResponse(transport.send(signer.modifyMessageRequest(endpoint, edit, now))) }
    }

    /**
     * Calls any OpenAPI action: [request] is signed for [region] and [service] at each attempt.
     * The result is `Result`, exactly as its text appears in the reply.
     */
    fun call(request: SignableRequest, region: String, service: String, signedHeaders: List<String>? = null): OpenApiResponse =
        attempt { now ->
            val signed = signer.sign(request, SigningParams(region, service, now, signedHeaders))
            parseOpenapiResponse(transport.send(signed.request()))
        }

    private fun <T> attempt(call: (now: ULong) -> T): T {
        val planner = RetryPlanner(retryPolicy)
        while (true) {
            limiter.take(clock)
            try {
                return call((clock.nowMillis() / 1000).toULong())
            } catch (e: ImeditException) {
                when (val decision = planner.onError(e, random.nextDouble())) {
                    is RetryDecision.Retry -> clock.sleep(decision.delayMs.toLong())
                    // Volcengine has no token to refresh: nothing else to try.
                    RetryDecision.RefreshTokenThenRetry, RetryDecision.GiveUp -> throw e
                }
            }
        }
    }

    override fun toString(): String = "VolcengineClient(signer=$signer, endpoint=$endpoint)"
}

/**
 * A synchronous Easemob / Agora Chat client: it keeps the app token with the core's [TokenCache]
 * (one fetch in flight across threads, refresh ahead of expiry), builds each rewrite with the
 * core, sends it with [transport] and parses the reply. After a token error it lets the cache
 * forget the token (`onCallFailed`), fetches a new one and retries once; it waits for the core's
 * rate limiters (app calls, token requests) and follows the core's [RetryPlanner] (bounded
 * attempts, jittered backoff).
 *
 * Thread-safe: share one client.
 *
 * @param settings the REST origin, org and app.
 * @param source how tokens are obtained (client credentials or an Agora token).
 * @param policy the token lifetime asked for and when to refresh.
 * @param transport how requests are sent.
 * @param retryPolicy the bounds on retries (one call, the token requests included).
 * @param limiter the app's call rate limit (100 per second).
 * @param tokenLimiter the token request rate limit (300 per second).
 * @param clock the time source and sleeper.
 * @param random the source of backoff jitter.
 */
class EasemobClient @JvmOverloads constructor(
    val settings: Settings,
    source: TokenSource,
    policy: TokenPolicy = TokenPolicy(unit = TimeUnit.SECONDS),
    private val transport: HttpTransport = JavaHttpTransport(),
    private val retryPolicy: RetryPolicy = RetryPolicy(),
    private val limiter: RateLimiter = RateLimiter.easemobApp(),
    private val tokenLimiter: RateLimiter = RateLimiter.easemobToken(),
    private val clock: HostClock = HostClock.System,
    private val random: Random = Random.Default,
) {
    /** The token cache (shared by every call of this client). */
    val tokens: TokenCache = TokenCache(settings, source, policy)

    /**
     * Rewrites one message. Returns what the server answered.
     *
     * @throws ImeditException when the input is refused, the vendor refuses the call, or every
     * attempt failed; its `retryAdvice()` says what to do (`REREAD_FIRST` after a 409 or a 500:
     * the edit may have been applied).
     */
    fun rewrite(edit: RewriteMessage): RewriteOutcome {
        edit.body() // refuses a bad edit before a token is fetched or anything is sent
        val planner = RetryPlanner(retryPolicy)
        while (true) {
            val token = token(planner)
            limiter.take(clock)
            try {
                return parseRewriteResponse(transport.send(buildRewriteRequest(settings, token, edit)))
            } catch (e: ImeditException) {
                tokens.onCallFailed(token, e)
                when (val decision = planner.onError(e, random.nextDouble())) {
                    is RetryDecision.Retry -> clock.sleep(decision.delayMs.toLong())
                    // The cache forgot the token in onCallFailed: the next token() fetches one.
                    RetryDecision.RefreshTokenThenRetry -> {}
                    RetryDecision.GiveUp -> throw e
                }
            }
        }
    }

    /**
     * A valid app token: the cached one, or one fetched now (only one fetch at a time; other
     * threads wait for it). Failures of the token request count as attempts of [planner].
     */
    fun token(planner: RetryPlanner = RetryPlanner(retryPolicy)): AppToken {
        while (true) {
            when (val action = tokens.poll(nowSecs())) {
                is TokenAction.Use -> return action.token
                is TokenAction.Refresh -> {
                    // The current token stays valid: a failed refresh is retried by the cache later.
                    return try {
                        fetch(action.request)
                    } catch (e: ImeditException) {
                        action.token
                    }
                }
                is TokenAction.Fetch -> {
                    try {
                        return fetch(action.request)
                    } catch (e: ImeditException) {
                        when (val decision = planner.onError(e, random.nextDouble())) {
                            is RetryDecision.Retry -> clock.sleep(decision.delayMs.toLong())
                            RetryDecision.RefreshTokenThenRetry, RetryDecision.GiveUp -> throw e
                        }
                    }
                }
                TokenAction.Wait -> clock.sleep(WAIT_POLL_MS)
            }
        }
    }

    private fun fetch(request: HttpRequest): AppToken {
        tokenLimiter.take(clock)
        val reply = try {
            transport.send(request)
        } catch (e: ImeditException) {
            tokens.onFetchFailed(nowSecs())
            throw e
        }
        return tokens.onResponse(reply, nowSecs())
    }

    private fun nowSecs(): ULong = (clock.nowMillis() / 1000).toULong()

    override fun toString(): String = "EasemobClient(settings=$settings, tokens=$tokens)"

    private companion object {
        /** How often a thread waiting for another thread's token fetch looks again. */
        const val WAIT_POLL_MS = 20L
    }
}
