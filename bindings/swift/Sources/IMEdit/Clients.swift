// Thin synchronous clients over the core: build → send → parse, with the core's token cache,
// retry planner and rate limiters. No logic of their own beyond sending and sleeping.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one request built by imedit and returns the reply, whatever its status.
///
/// Implementations send the request exactly as built (method, URL, every header, body bytes) and
/// return the status, the headers and the raw body. When no reply arrives (connection refused,
/// reset, timeout) they throw `ImeditError.Transport`, so that the retry advice is the same in
/// every language.
public protocol HTTPTransport {
    /// Sends `request` and returns the reply; throws `ImeditError.Transport` when none arrived.
    func send(_ request: HttpRequest) throws -> HttpResponse
}

/// An `HTTPTransport` on `URLSession` (FoundationNetworking on Linux). It blocks the calling
/// thread until the reply arrives: do not call it from the session's delegate queue.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let timeout: TimeInterval

    /// - Parameters:
    ///   - session: the session (an ephemeral one by default, without cookies or caching).
    ///   - timeout: the limit for one request, in seconds.
    public init(session: URLSession? = nil, timeout: TimeInterval = 30) {
        if let session = session {
            self.session = session
        } else {
            let config = URLSessionConfiguration.ephemeral
            config.httpCookieStorage = nil
            config.urlCache = nil
            config.requestCachePolicy = .reloadIgnoringLocalCacheData
            self.session = URLSession(configuration: config)
        }
        self.timeout = timeout
    }

    public func send(_ request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw ImeditError.Transport(reason: "Foundation refused the URL")
        }
        var req = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        req.httpMethod = request.method
        for header in request.headers {
            req.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if !request.body.isEmpty {
            req.httpBody = request.body
        }
        let done = DispatchSemaphore(value: 0)
        let box = ReplyBox()
        let task = session.dataTask(with: req) { data, response, error in
            if let error = error {
                box.result = .failure(.Transport(reason: "\(type(of: error)): \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse {
                box.result = .success((data ?? Data(), http))
            } else {
                box.result = .failure(.Transport(reason: "not an HTTP reply"))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, http) = try box.result.get()
        var headers: [HttpHeader] = []
        for (name, value) in http.allHeaderFields {
            headers.append(HttpHeader(name: "\(name)", value: "\(value)"))
        }
        return HttpResponse(status: UInt16(clamping: http.statusCode), headers: headers, body: data)
    }
}

/// The reply handed from URLSession's queue to the waiting thread (the semaphore orders the
/// write before the read).
private final class ReplyBox: @unchecked Sendable {
    var result: Result<(Data, HTTPURLResponse), ImeditError> = .failure(.Transport(reason: "no reply"))
}

/// Where the clients get the time and how they wait: the real clock by default, a simulated one
/// in tests.
public protocol HostClock {
    /// Milliseconds since the Unix epoch.
    func nowMillis() -> UInt64
    /// Waits `millis` milliseconds.
    func sleep(millis: UInt64)
}

/// The system clock and `Thread.sleep`.
public struct SystemClock: HostClock {
    /// The system clock.
    public init() {}

    public func nowMillis() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    public func sleep(millis: UInt64) {
        if millis > 0 {
            Thread.sleep(forTimeInterval: Double(millis) / 1000)
        }
    }
}

extension RateLimiter {
    /// Waits until the limiter hands out a permit (the core's token bucket decides).
    func take(_ clock: HostClock) {
        while true {
            let wait = acquire(nowMs: clock.nowMillis())
            if wait == 0 { return }
            clock.sleep(millis: wait)
        }
    }
}

private func nowSecs(_ clock: HostClock) -> UInt64 { clock.nowMillis() / 1000 }

/// A synchronous Volcengine OpenAPI client: for each attempt it builds and signs the request with
/// the core's `Signer` (fresh `X-Date`), sends it with the transport and parses the reply; it
/// waits for the core's `RateLimiter` before each attempt and follows the core's `RetryPlanner`
/// after a failure (bounded attempts, jittered backoff).
public final class VolcengineClient: CustomStringConvertible {
    /// The signer, with its cached signing key.
    public let signer: Signer
    /// Where requests go and the region they are signed for.
    public let endpoint: Endpoint
    private let transport: HTTPTransport
    private let retryPolicy: RetryPolicy
    private let limiter: RateLimiter
    private let clock: HostClock
    private let random: () -> Double

    /// - Parameters:
    ///   - credentials: the access key and secret key (and session token, for STS).
    ///   - endpoint: where requests go (default: `rtc.volcengineapi.com`, `cn-north-1`).
    ///   - transport: how requests are sent.
    ///   - retryPolicy: the bounds on retries.
    ///   - limiter: the rate limit (ModifyMessage: 50 per second).
    ///   - clock: the time source and sleeper.
    ///   - random: the source of backoff jitter, in [0, 1).
    public init(
        credentials: Credentials,
        endpoint: Endpoint? = nil,
        transport: HTTPTransport = URLSessionTransport(),
        retryPolicy: RetryPolicy = RetryPolicy(),
        limiter: RateLimiter = RateLimiter.volcengineModifyMessage(),
        clock: HostClock = SystemClock(),
        random: @escaping () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        self.signer = Signer(credentials: credentials)
        self.endpoint = try endpoint ?? Endpoint()
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.limiter = limiter
        self.clock = clock
        self.random = random
    }

    /// Edits one message (`ModifyMessage`) and returns the reply's `ResponseMetadata`.
    public func modifyMessage(_ edit: ModifyMessage) throws -> ResponseMetadata {
        _ = try edit.body()  // refuses a bad edit before anything is sent
        return try attempt { now in
            try parseModifyMessageResponse(response: self.transport.send(
                self.signer.modifyMessageRequest(endpoint: self.endpoint, params: edit, time: now)))
        }
    }

    /// Calls any OpenAPI action: `request` is signed for `region` and `service` at each attempt.
    public func call(_ request: SignableRequest, region: String, service: String, signedHeaders: [String]? = nil) throws -> OpenApiResponse {
        try attempt { now in
            let signed = try self.signer.sign(request: request, params: SigningParams(region: region, service: service, time: now, signedHeaders: signedHeaders))
            return try parseOpenapiResponse(response: self.transport.send(signed.request()))
        }
    }

    private func attempt<T>(_ call: (UInt64) throws -> T) throws -> T {
        let planner = RetryPlanner(policy: retryPolicy)
        while true {
            limiter.take(clock)
            do {
                return try call(nowSecs(clock))
            } catch let error as ImeditError {
                switch planner.onError(error: error, random: random()) {
                case let .retry(delayMs): clock.sleep(millis: delayMs)
                case .refreshTokenThenRetry, .giveUp: throw error
                }
            }
        }
    }

    public var description: String { "VolcengineClient(signer: \(signer), endpoint: \(endpoint))" }
}

/// A synchronous Easemob / Agora Chat client: it keeps the app token with the core's `TokenCache`
/// (one fetch in flight across threads, refresh ahead of expiry), builds each rewrite with the
/// core, sends it and parses the reply. After a token error it lets the cache forget the token
/// (`onCallFailed`), fetches a new one and retries once; it waits for the core's rate limiters and
/// follows the core's `RetryPlanner` (bounded attempts, jittered backoff).
public final class EasemobClient: CustomStringConvertible {
    /// The REST origin, org and app.
    public let settings: Settings
    /// The token cache, shared by every call of this client.
    public let tokens: TokenCache
    private let transport: HTTPTransport
    private let retryPolicy: RetryPolicy
    private let limiter: RateLimiter
    private let tokenLimiter: RateLimiter
    private let clock: HostClock
    private let random: () -> Double

    /// - Parameters:
    ///   - settings: the REST origin, org and app.
    ///   - source: how tokens are obtained (client credentials or an Agora token).
    ///   - policy: the token lifetime asked for and when to refresh.
    ///   - transport: how requests are sent.
    ///   - retryPolicy: the bounds on retries (one call, token requests included).
    ///   - limiter: the app's call rate limit (100 per second).
    ///   - tokenLimiter: the token request rate limit (300 per second).
    ///   - clock: the time source and sleeper.
    ///   - random: the source of backoff jitter, in [0, 1).
    public init(
        settings: Settings,
        source: TokenSource,
        policy: TokenPolicy = TokenPolicy(unit: .seconds),
        transport: HTTPTransport = URLSessionTransport(),
        retryPolicy: RetryPolicy = RetryPolicy(),
        limiter: RateLimiter = RateLimiter.easemobApp(),
        tokenLimiter: RateLimiter = RateLimiter.easemobToken(),
        clock: HostClock = SystemClock(),
        random: @escaping () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.settings = settings
        self.tokens = TokenCache(settings: settings, source: source, policy: policy)
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.limiter = limiter
        self.tokenLimiter = tokenLimiter
        self.clock = clock
        self.random = random
    }

    /// Rewrites one message and returns what the server answered.
    public func rewrite(_ edit: RewriteMessage) throws -> RewriteOutcome {
        _ = try edit.body()  // refuses a bad edit before a token is fetched or anything is sent
        let planner = RetryPlanner(policy: retryPolicy)
        while true {
            let token = try self.token(planner)
            limiter.take(clock)
            do {
                return try parseRewriteResponse(response: transport.send(
                    buildRewriteRequest(settings: settings, token: token, edit: edit)))
            } catch let error as ImeditError {
                _ = tokens.onCallFailed(used: token, error: error)
                switch planner.onError(error: error, random: random()) {
                case let .retry(delayMs): clock.sleep(millis: delayMs)
                case .refreshTokenThenRetry: break  // the cache forgot the token: the next token() fetches one
                case .giveUp: throw error
                }
            }
        }
    }

    /// A valid app token: the cached one, or one fetched now (one fetch at a time; other threads
    /// wait for it). Failures of the token request count as attempts of `planner`.
    public func token(_ planner: RetryPlanner? = nil) throws -> AppToken {
        let planner = planner ?? RetryPlanner(policy: retryPolicy)
        while true {
            switch try tokens.poll(now: nowSecs(clock)) {
            case let .use(token):
                return token
            case let .refresh(token, request):
                // The current token stays valid: a failed refresh is retried by the cache later.
                return (try? fetch(request)) ?? token
            case let .fetch(request):
                do {
                    return try fetch(request)
                } catch let error as ImeditError {
                    switch planner.onError(error: error, random: random()) {
                    case let .retry(delayMs): clock.sleep(millis: delayMs)
                    case .refreshTokenThenRetry, .giveUp: throw error
                    }
                }
            case .wait:
                clock.sleep(millis: 20)
            }
        }
    }

    private func fetch(_ request: HttpRequest) throws -> AppToken {
        tokenLimiter.take(clock)
        let reply: HttpResponse
        do {
            reply = try transport.send(request)
        } catch {
            tokens.onFetchFailed(now: nowSecs(clock))
            throw error
        }
        return try tokens.onResponse(response: reply, now: nowSecs(clock))
    }

    public var description: String { "EasemobClient(settings: \(settings), tokens: \(tokens))" }
}
