// Host helpers of the npm package: `send` performs a built request with `fetch`, and the two
// clients do build → send → parse in one awaited call, following the core's retry advice
// (RetryPlanner), rate limits (RateLimiter) and, for Easemob, the app-token lifecycle
// (TokenCache). Every decision is the core's; this file only moves bytes and waits.
//
// The CommonJS build (dist/cjs/client.js) is generated from this file by pkg/build.sh: keep to
// `import { … } from "./x.mjs";` lines and `export` declarations.
import {
  buildRewriteRequest,
  checkRewriteEdit,
  parseModifyMessageResponse,
  parseOpenApiResponse,
  parseRewriteResponse,
  RateLimiter,
  RetryPlanner,
  TokenCache,
  transportError,
  VolcengineSigner,
} from "./glue.mjs";
import { isImeditError } from "./snippet.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const unixSeconds = () => Math.floor(Date.now() / 1000);
const globalFetch = (url, init) => globalThis.fetch(url, init);

function reason(error) {
  const text = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return text + cause;
}

/**
 * Sends a request built by imedit with `fetch` and returns what the parsers take:
 * `{ status, headers, body }`. A failure before a reply (refused, reset, DNS) is thrown as an
 * `ImeditError` with code `transport`.
 */
export async function send(request, fetch = globalFetch) {
  const init = { method: request.method, headers: request.headers };
  if (request.body !== "") init.body = request.body;
  let response;
  let body;
  try {
    response = await fetch(request.url, init);
    body = await response.text();
  } catch (error) {
    if (isImeditError(error)) throw error;
    throw transportError(reason(error));
  }
  const headers = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body };
}

async function permit(limiter) {
  if (!limiter) return;
  for (let wait = limiter.acquire(Date.now()); wait > 0; wait = limiter.acquire(Date.now())) {
    await sleep(wait);
  }
}

/**
 * Runs `attempt` until it succeeds or the core's retry planner gives up. `onFailure` sees each
 * failure first (the Easemob client reports token errors to its cache there).
 */
async function withRetries(policy, attempt, onFailure) {
  const planner = new RetryPlanner(policy);
  try {
    for (;;) {
      const used = {};
      try {
        return await attempt(used);
      } catch (error) {
        if (!isImeditError(error)) throw error;
        onFailure?.(used, error);
        const plan = planner.onError(error, Math.random());
        if (plan.decision === "retry") await sleep(plan.delayMs);
        else if (plan.decision !== "refreshTokenThenRetry") throw error;
      } finally {
        used.token?.free();
      }
    }
  } finally {
    planner.free();
  }
}

/**
 * Volcengine RTC OpenAPI client: signs every attempt afresh (`Date.now()`), sends with `fetch`,
 * parses the reply, and retries as the core advises.
 */
export class VolcengineClient {
  #signer;
  #endpoint;
  #fetch;
  #retry;
  #limiter;

  constructor({ credentials, endpoint, fetch, retry, limiter } = {}) {
    this.#signer = new VolcengineSigner(credentials);
    this.#endpoint = endpoint;
    this.#fetch = fetch ?? globalFetch;
    this.#retry = retry;
    this.#limiter = limiter === undefined ? RateLimiter.volcengineModifyMessage() : limiter;
  }

  /** `ModifyMessage`: resolves to the reply's `ResponseMetadata`, or throws `ImeditError`. */
  modifyMessage(params) {
    return withRetries(this.#retry, async () => {
      const signed = this.#signer.modifyMessage(params, unixSeconds(), this.#endpoint);
      await permit(this.#limiter);
      return parseModifyMessageResponse(await send(signed.request, this.#fetch));
    });
  }

  /** Any OpenAPI action: resolves to `{ metadata, result }`, or throws `ImeditError`. */
  request(request, { region, service, signedHeaders } = {}) {
    return withRetries(this.#retry, async () => {
      const signed = this.#signer.sign(request, { region, service, signedHeaders, time: unixSeconds() });
      await permit(this.#limiter);
      return parseOpenApiResponse(await send(signed.request, this.#fetch));
    });
  }

  toString() {
    return `VolcengineClient(${this.#signer.accessKeyId})`;
  }

  toJSON() {
    return { accessKeyId: this.#signer.accessKeyId };
  }
}

/**
 * Easemob / Agora Chat client: keeps the app token in the core's TokenCache (one fetch in flight
 * at a time, refreshed ahead of expiry, fetched again once after a token error), sends with
 * `fetch`, parses the reply, and retries as the core advises.
 */
export class EasemobClient {
  #settings;
  #cache;
  #fetch;
  #retry;
  #limiter;
  #tokenLimiter;
  #inflight = null;

  constructor({ settings, source, policy, fetch, retry, limiter, tokenLimiter } = {}) {
    this.#settings = settings;
    this.#cache = new TokenCache(settings, source, policy);
    this.#fetch = fetch ?? globalFetch;
    this.#retry = retry;
    this.#limiter = limiter === undefined ? RateLimiter.easemobApp() : limiter;
    this.#tokenLimiter = tokenLimiter === undefined ? RateLimiter.easemobToken() : tokenLimiter;
  }

  /** Rewrites a sent message: resolves to the reply's fields, or throws `ImeditError`. */
  async rewriteMessage(edit) {
    checkRewriteEdit(edit); // an edit that cannot be sent is refused before any token is fetched
    return withRetries(
      this.#retry,
      async (used) => {
        used.token = await this.#token();
        const request = buildRewriteRequest(this.#settings, used.token, edit);
        await permit(this.#limiter);
        return parseRewriteResponse(await send(request, this.#fetch));
      },
      (used, error) => {
        if (used.token) this.#cache.onCallFailed(used.token, error);
      },
    );
  }

  /** A valid app token (fetched when needed). Free it when done (`token.free()`). */
  token() {
    return this.#token();
  }

  /** Replaces the token source (for example a fresh Agora token). */
  setSource(source) {
    this.#cache.setSource(source);
  }

  async #token() {
    for (;;) {
      const action = this.#cache.poll(unixSeconds());
      switch (action.action) {
        case "use":
          return action.token;
        case "refresh":
          this.#fetchToken(action.request).then(
            (fresh) => fresh.free(),
            () => {},
          );
          return action.token;
        case "fetch":
          return this.#fetchToken(action.request);
        default:
          // Another call is fetching the token: wait for it, then ask again.
          await (this.#inflight ?? sleep(50));
      }
    }
  }

  #fetchToken(request) {
    const run = async () => {
      try {
        await permit(this.#tokenLimiter);
        let response;
        try {
          response = await send(request, this.#fetch);
        } catch (error) {
          this.#cache.onFetchFailed(unixSeconds());
          throw error;
        }
        return this.#cache.onResponse(response, unixSeconds());
      } finally {
        this.#inflight = null;
      }
    };
    this.#inflight = run();
    return this.#inflight;
  }

  toString() {
    return `EasemobClient(${this.#cache})`;
  }

  toJSON() {
    return this.#cache.toJSON();
  }
}
