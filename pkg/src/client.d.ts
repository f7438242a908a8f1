// Types of the host helpers (client.mjs). pkg/build.sh appends this file, without the import
// line, to the generated declarations.
import type {
  AppToken,
  EasemobSettings,
  EasemobTokenPolicy,
  EasemobTokenSource,
  HttpRequest,
  ModifyMessageParams,
  OpenApiResponse,
  RateLimiter,
  ResponseMetadata,
  RetryPolicy,
  RewriteEdit,
  RewriteOutcome,
  SignableRequest,
  VolcengineCredentials,
  VolcengineEndpoint,
} from "./imedit";

/** The part of the Fetch API that `send` uses; `globalThis.fetch` fits it. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
}>;

/** A reply as `send` returns it: what every `parse*` function takes. */
export interface SentResponse {
  /** The HTTP status. */
  status: number;
  /** The reply headers, names lower-case. */
  headers: Record<string, string>;
  /** The body text. */
  body: string;
}

/**
 * Sends a request built by imedit with `fetch` (default `globalThis.fetch`) and returns
 * `{ status, headers, body }`. A failure before a reply is thrown as an `ImeditError` with code
 * `transport`.
 */
export declare function send(request: HttpRequest, fetch?: FetchLike): Promise<SentResponse>;

/** What both clients accept besides their credentials. */
export interface ClientOptions {
  /** The `fetch` to send with (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /** Retry bounds (default: 3 attempts, 200 ms base, 10 s cap). */
  retry?: RetryPolicy;
  /** The rate limiter of the calls (default: the vendor's documented rate); `null`: none. */
  limiter?: RateLimiter | null;
}

/** Options of `VolcengineClient`. */
export interface VolcengineClientOptions extends ClientOptions {
  /** The access key, its secret and, for STS, the session token. */
  credentials: VolcengineCredentials;
  /** Where requests go (default `https://rtc.volcengineapi.com`, `cn-north-1`). */
  endpoint?: VolcengineEndpoint;
}

/** The credential scope of a general OpenAPI request. */
export interface OpenApiScope {
  /** The region, e.g. `cn-north-1`. */
  region: string;
  /** The service, e.g. `rtc`. */
  service: string;
  /** Exactly these headers are signed (default: the signer's set). */
  signedHeaders?: string[];
}

/**
 * Volcengine RTC OpenAPI client: each attempt is signed afresh with `Date.now()`, sent with
 * `fetch` and parsed; failures are retried as the core advises, within bounds.
 */
export declare class VolcengineClient {
  constructor(options: VolcengineClientOptions);
  /** `ModifyMessage`: resolves to the reply's `ResponseMetadata`, or throws `ImeditError`. */
  modifyMessage(params: ModifyMessageParams): Promise<ResponseMetadata>;
  /** Any OpenAPI action: resolves to `{ metadata, result }`, or throws `ImeditError`. */
  request(request: SignableRequest, scope: OpenApiScope): Promise<OpenApiResponse>;
  /** `VolcengineClient(<access key id>)`. */
  toString(): string;
  /** `{ accessKeyId }`. */
  toJSON(): { accessKeyId: string };
}

/** Options of `EasemobClient`. */
export interface EasemobClientOptions extends ClientOptions {
  /** The REST origin and the app. */
  settings: EasemobSettings;
  /** Client credentials, or an Agora token to exchange. */
  source: EasemobTokenSource;
  /** Token lifetime and refresh margin. */
  policy?: EasemobTokenPolicy;
  /** The rate limiter of token requests (default: 300 per second); `null`: none. */
  tokenLimiter?: RateLimiter | null;
}

/**
 * Easemob / Agora Chat client: keeps the app token in a `TokenCache` (one fetch in flight, refreshed
 * ahead of expiry, fetched again once after a token error), sends with `fetch`, parses the reply,
 * and retries as the core advises.
 */
export declare class EasemobClient {
  constructor(options: EasemobClientOptions);
  /** Rewrites a sent message: resolves to the reply's fields, or throws `ImeditError`. */
  rewriteMessage(edit: RewriteEdit): Promise<RewriteOutcome>;
  /** A valid app token, fetched when needed. Call `free()` on it when done. */
  token(): Promise<AppToken>;
  /** Replaces the token source (for example a fresh Agora token). */
  setSource(source: EasemobTokenSource): void;
  /** `EasemobClient(TokenCache(org#app))`. */
  toString(): string;
  /** The app and the token's lifetime, the token redacted. */
  toJSON(): { appKey: string; baseUrl: string; token: object | null };
}
