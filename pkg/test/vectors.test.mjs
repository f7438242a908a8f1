// Runs the shared vectors of tests/vectors/ (or of $IMEDIT_VECTORS) against the built package,
// mirroring tests/vectors.rs: the same mapping of each operation's input onto the API, the same
// order-sensitive comparisons, the same layout rules and per-operation counts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import * as imedit from "../dist/node.mjs";
import { parseJson, ROOT, show } from "./support.mjs";

const OPERATIONS = {
  "volcengine/sign": sign,
  "volcengine/modify_message": modifyMessage,
  "volcengine/response": volcengineResponse,
  "easemob/token": easemobToken,
  "easemob/rewrite_message": easemobRewrite,
  "easemob/response": easemobResponse,
  "ext/merge": extMerge,
};

const root = process.env.IMEDIT_VECTORS || join(ROOT, "tests", "vectors");
const isDir = (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

test("shared vectors", () => {
  const failures = [];
  let total = 0;
  checkLayout(failures);
  for (const [operation, check] of Object.entries(OPERATIONS)) {
    const dir = join(root, operation);
    if (!isDir(dir)) {
      console.log(`${operation}: folder absent, skipped`);
      continue;
    }
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    if (files.length === 0) failures.push(`${operation}: no vector files`);
    for (const file of files) {
      try {
        check(parseJson(readFileSync(join(dir, file), "utf8")));
      } catch (error) {
        failures.push(`${operation}/${file}: ${error instanceof Error ? error.message : error}`);
      }
    }
    console.log(`${operation}: ${files.length} vector files checked`);
    total += files.length;
  }
  console.log(`${total} vector files checked in ${root}`);
  assert.equal(failures.length, 0, `${failures.length} failing vectors:\n${failures.join("\n")}`);
});

/** Unknown folders or files are failures (README files are welcome). */
function checkLayout(failures) {
  for (const api of readdirSync(root)) {
    if (!isDir(join(root, api)) || api === "generate") continue;
    for (const op of readdirSync(join(root, api))) {
      const rel = `${api}/${op}`;
      if (!isDir(join(root, rel))) continue;
      if (!(rel in OPERATIONS)) {
        failures.push(`${rel}: unknown operation folder`);
        continue;
      }
      for (const f of readdirSync(join(root, rel))) {
        if (!f.endsWith(".json") && f !== "README.md") failures.push(`${rel}/${f}: unknown file`);
      }
    }
  }
}

// ---- helpers ---------------------------------------------------------------------------------------

function field(v, key) {
  if (!(key in v)) throw new Error(`missing \`${key}\``);
  return v[key];
}

function eq(what, got, want) {
  if (show(got) !== show(want)) throw new Error(`${what}:\n   got ${show(got)}\n  want ${show(want)}`);
}

const orEmpty = (v) => (typeof v === "string" ? v : "");
const optText = (v) => (typeof v === "string" ? v : undefined);

function requestJson(r) {
  return { method: r.method, url: r.url, headers: Object.entries(r.headers), body: r.body };
}

function header(r, name) {
  const hit = Object.entries(r.headers).find(([n]) => n.toLowerCase() === name.toLowerCase());
  return hit ? hit[1] : null;
}

/** A build result against `expected.request` or `expected.error`. */
function built(expected, run) {
  let request;
  try {
    request = run();
  } catch (error) {
    if (!imedit.isImeditError(error)) throw error;
    if (!("error" in expected)) throw new Error(`expected a request, got the error ${error.message}`);
    refusal(expected.error, error);
    return;
  }
  if (!("request" in expected)) throw new Error(`expected the error ${show(expected.error)}, got a request`);
  eq("request", requestJson(request), expected.request);
}

function refusal(want, got) {
  eq("error code", got.code, field(want, "code"));
  if (typeof want.field === "string") {
    if (got.code !== "invalid_input") throw new Error(`expected field ${want.field}, got ${got.message}`);
    eq("error field", got.field, want.field);
  }
}

/** A parse error against `expected.error`: every listed field must match. */
function parsedError(want, got) {
  const actual = {
    code: got.code,
    retry: got.retry,
    status: got.status,
    vendor_code: got.vendorCode,
    vendor_code_n: got.vendorCodeN,
    exception: got.exception,
    message: got.vendorMessage,
    request_id: got.requestId,
    timestamp: got.timestamp,
    duration: got.duration,
  };
  for (const [key, value] of Object.entries(want)) {
    if (!(key in actual)) throw new Error(`unknown error field \`${key}\``);
    eq(`error.${key}`, actual[key], value);
  }
}

function response(input) {
  return { status: Number(field(input, "status")), headers: input.headers ?? [], body: field(input, "body") };
}

function parsed(expected, run, toJson) {
  let value;
  try {
    value = run();
  } catch (error) {
    if (!imedit.isImeditError(error)) throw error;
    if (!("error" in expected)) throw new Error(`expected success, got ${error.message}`);
    parsedError(expected.error, error);
    return;
  }
  if (!("ok" in expected)) throw new Error(`expected the error ${show(expected.error)}, got ${show(toJson(value))}`);
  eq("ok", toJson(value), expected.ok);
}

function volcCredentials(input) {
  return {
    accessKeyId: orEmpty(input.access_key_id),
    secretAccessKey: orEmpty(input.secret_access_key),
    sessionToken: optText(input.session_token),
  };
}

// ---- volcengine ------------------------------------------------------------------------------------

function sign(c) {
  const input = field(c, "input");
  const expected = field(c, "expected");
  const request = {
    method: field(input, "method"),
    host: field(input, "host"),
    path: field(input, "path"),
    query: field(input, "query"),
    headers: field(input, "headers"),
    body: field(input, "body"),
  };
  const params = {
    region: field(input, "region"),
    service: field(input, "service"),
    time: Number(field(input, "time")),
    signedHeaders: input.signed_headers ?? undefined,
  };
  const creds = volcCredentials(input);
  // Both entry points must agree: the one-shot signer and the caching signer (twice, so that the
  // second call uses the cached key).
  const signer = new imedit.VolcengineSigner(creds);
  try {
    for (const signed of [imedit.signRequest(creds, request, params), signer.sign(request, params), signer.sign(request, params)]) {
      const s = signed.stages;
      eq("canonical_request", s.canonicalRequest, field(expected, "canonical_request"));
      eq("string_to_sign", s.stringToSign, field(expected, "string_to_sign"));
      if (typeof expected.signing_key === "string") {
        const key = imedit.signingKeyHex(creds.secretAccessKey, s.xDate.slice(0, 8), params.region, params.service);
        eq("signing_key", key, expected.signing_key);
      }
      eq("signature", s.signature, field(expected, "signature"));
      eq("authorization", header(signed.request, "Authorization"), field(expected, "authorization"));
      for (const [name, value] of field(expected, "headers")) eq(`header ${name}`, header(signed.request, name), value);
      // The URL carries exactly the canonical query that was signed.
      const queryLine = s.canonicalRequest.split("\n")[2];
      const url = signed.request.url;
      eq("URL query", url.includes("?") ? url.slice(url.indexOf("?") + 1) : "", queryLine);
    }
  } finally {
    signer.free();
  }
}

function modifyMessage(c) {
  const input = field(c, "input");
  const expected = field(c, "expected");
  built(expected, () => {
    const p = field(input, "params");
    const params = {
      appId: orEmpty(p.app_id),
      conversationShortId: orEmpty(p.conversation_short_id),
      messageId: orEmpty(p.message_id),
      ext: p.ext ?? undefined,
      content: optText(p.content),
    };
    const endpoint = { region: orEmpty(input.region), host: optText(input.host) };
    const time = typeof input.time === "number" ? input.time : 0;
    const cold = imedit.buildModifyMessageRequest(volcCredentials(input), params, time, endpoint);
    const signer = new imedit.VolcengineSigner(volcCredentials(input));
    try {
      const cached = signer.modifyMessage(params, time, endpoint);
      eq("cached signer", requestJson(cached.request), requestJson(cold.request));
    } finally {
      signer.free();
    }
    return cold.request;
  });
}

function volcengineResponse(c) {
  const input = field(c, "input");
  const expected = field(c, "expected");
  const reply = response(input);
  const meta = (m) => ({
    request_id: m.requestId,
    action: m.action,
    version: m.version,
    service: m.service,
    region: m.region,
  });
  switch (field(input, "operation")) {
    case "modify_message":
      return parsed(expected, () => imedit.parseModifyMessageResponse(reply), meta);
    case "openapi":
      return parsed(expected, () => imedit.parseOpenApiResponse(reply), (r) => ({ ...meta(r.metadata), result: r.result }));
    default:
      throw new Error(`unknown operation ${input.operation}`);
  }
}

// ---- easemob ---------------------------------------------------------------------------------------

function settings(input) {
  const s = { baseUrl: orEmpty(input.base_url), allowHttp: input.allow_http === true };
  if (typeof input.app_key === "string") s.appKey = input.app_key;
  else Object.assign(s, { orgName: orEmpty(input.org_name), appName: orEmpty(input.app_name) });
  return s;
}

function unit(input) {
  const u = input.unit ?? "seconds";
  if (u !== "seconds" && u !== "milliseconds") throw new Error(`unknown unit ${u}`);
  return u;
}

function easemobToken(c) {
  const input = field(c, "input");
  const expected = field(c, "expected");
  const policy = { ttl: typeof input.ttl === "number" ? input.ttl : null, unit: unit(input) };
  built(expected, () =>
    input.grant === "agora"
      ? imedit.buildAgoraTokenExchangeRequest(settings(input), orEmpty(input.agora_token))
      : imedit.buildTokenRequest(
          settings(input),
          { clientId: orEmpty(input.client_id), clientSecret: orEmpty(input.client_secret) },
          policy,
        ),
  );
}

function easemobRewrite(c) {
  const input = field(c, "input");
  const expected = field(c, "expected");
  const e = field(input, "edit");
  built(expected, () => {
    const token = new imedit.AppToken(orEmpty(input.token));
    try {
      return imedit.buildRewriteRequest(settings(input), token, {
        messageId: orEmpty(input.message_id),
        type: orEmpty(e.type),
        msg: optText(e.msg),
        customEvent: optText(e.custom_event),
        customExts: e.custom_exts ?? undefined,
        newExt: e.new_ext ?? undefined,
        extMode: e.ext_mode === "replace" ? "replace" : "merge",
        user: optText(e.user),
      });
    } finally {
      token.free();
    }
  });
}

function easemobResponse(c) {
  const input = field(c, "input");
  const expected = field(c, "expected");
  const reply = response(input);
  const now = typeof input.now === "number" ? input.now : 0;
  const policy = { unit: unit(input), refreshMargin: typeof input.refresh_margin === "number" ? input.refresh_margin : 300 };
  const token = (t) => {
    try {
      return {
        token: t.expose(),
        issued_at: t.issuedAt,
        expires_at: t.expiresAt ?? null,
        refresh_at: t.refreshAt ?? null,
        application: t.application ?? null,
      };
    } finally {
      t.free();
    }
  };
  switch (field(input, "operation")) {
    case "rewrite_message":
      return parsed(
        expected,
        () => imedit.parseRewriteResponse(reply),
        (o) => ({
          path: o.path,
          uri: o.uri,
          timestamp: o.timestamp,
          organization: o.organization,
          application: o.application,
          application_name: o.applicationName,
          action: o.action,
          duration: o.duration,
        }),
      );
    case "token":
      return parsed(expected, () => imedit.parseTokenResponse(reply, now, policy), token);
    case "agora_token_exchange":
      return parsed(expected, () => imedit.parseAgoraTokenExchangeResponse(reply, now, policy), token);
    default:
      throw new Error(`unknown operation ${input.operation}`);
  }
}

// ---- ext -------------------------------------------------------------------------------------------

function extMerge(c) {
  const input = field(c, "input");
  const mode = field(input, "mode");
  if (mode !== "merge" && mode !== "replace") throw new Error(`unknown mode ${mode}`);
  const result = imedit.mergeExt(field(input, "current"), field(input, "patch"), mode);
  eq("result", result, field(field(c, "expected"), "result"));
}
