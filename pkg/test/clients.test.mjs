// The host helpers (send, VolcengineClient, EasemobClient) against a local HTTP server on
// 127.0.0.1 that answers with scripted replies, using Node's real fetch.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";

import * as imedit from "../dist/node.mjs";

const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const JSON_HEADERS = { "Content-Type": "application/json" };

/** A server whose replies are scripted per test; it records every request. */
let server;
let origin;
let script = [];
let seen = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const i = script.findIndex((s) => s.match(req));
      if (i < 0) {
        res.writeHead(599, { "Content-Type": "text/plain" }).end(`unscripted ${req.method} ${req.url}`);
        return;
      }
      const [reply] = script.splice(i, 1);
      res.writeHead(reply.status, reply.headers ?? JSON_HEADERS).end(reply.body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  script = [];
  seen = [];
});

const reply = (match, status, body, headers) => ({ match, status, body: typeof body === "string" ? body : JSON.stringify(body), headers });
const isToken = (req) => req.method === "POST" && req.url === "/org/app/token";
const isRewrite = (req) => req.method === "PUT" && req.url.startsWith("/org/app/messages/rewrite/");
const isOpenApi = (req) => req.method === "POST" && req.url === "/?Action=ModifyMessage&Version=2020-12-01";
const count = (pred) => seen.filter(pred).length;

// ---- send --------------------------------------------------------------------------------------------

describe("send", () => {
  test("performs the request as built and returns { status, headers, body }", async () => {
    script.push(reply(isRewrite, 200, { data: "success" }, { "Content-Type": "application/json", "X-Extra": "1" }));
    const token = new imedit.AppToken("YWMtTOKEN");
    const request = imedit.buildRewriteRequest(
      { baseUrl: origin, orgName: "org", appName: "app", allowHttp: true },
      token,
      { messageId: "9223372036854775807", type: "txt", msg: "new text" },
    );
    const response = await imedit.send(request);
    assert.equal(response.status, 200);
    assert.equal(response.headers["x-extra"], "1");
    assert.equal(response.body, '{"data":"success"}');
    assert.equal(seen[0].url, "/org/app/messages/rewrite/9223372036854775807");
    assert.equal(seen[0].headers.authorization, "Bearer YWMtTOKEN");
    assert.equal(seen[0].body, '{"new_msg":{"type":"txt","msg":"new text"}}');
    assert.deepEqual(imedit.parseRewriteResponse(response).path, null);
  });

  test("a refused connection is an ImeditError with code transport", async () => {
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    const request = imedit.buildAgoraTokenExchangeRequest(
      { baseUrl: `http://127.0.0.1:${port}`, appKey: "org#app", allowHttp: true },
      "007AGORA",
    );
    await assert.rejects(imedit.send(request), (e) => imedit.isImeditError(e) && e.code === "transport" && e.retry === "retry");
  });

  test("an injected fetch is used", async () => {
    const calls = [];
    const fake = async (url, init) => {
      calls.push([url, init]);
      return { status: 204, headers: new Headers({ a: "b" }), text: async () => "" };
    };
    const signed = imedit.buildModifyMessageRequest(
      { accessKeyId: "AKLTexample", secretAccessKey: "c2VjcmV0" },
      { appId: 1n, conversationShortId: 2n, messageId: 3n, ext: { k: "v" } },
      1_717_245_296,
    );
    const response = await imedit.send(signed.request, fake);
    assert.deepEqual(response, { status: 204, headers: { a: "b" }, body: "" });
    assert.equal(calls[0][0], "https://rtc.volcengineapi.com/?Action=ModifyMessage&Version=2020-12-01");
    assert.equal(calls[0][1].method, "POST");
    assert.equal(calls[0][1].body, signed.request.body);
  });
});

// ---- Volcengine --------------------------------------------------------------------------------------

const meta = (id) => ({
  ResponseMetadata: { RequestId: id, Action: "ModifyMessage", Version: "2020-12-01", Service: "rtc", Region: "cn-north-1" },
  Result: {},
});
const volcError = (code, message) => ({
  ResponseMetadata: { RequestId: "err-1", Action: "ModifyMessage", Error: { Code: code, Message: message } },
});

function volcClient(options = {}) {
  return new imedit.VolcengineClient({
    credentials: { accessKeyId: "AKLTexample", secretAccessKey: "c2VjcmV0" },
    endpoint: { region: "cn-north-1", host: origin },
    retry: FAST,
    ...options,
  });
}

const EDIT = { appId: "123456", conversationShortId: 7123456789012345678n, messageId: "7234567890123456789", ext: { reviewed: "yes" } };

describe("VolcengineClient", () => {
  test("success: one signed request, the metadata back", async () => {
    script.push(reply(isOpenApi, 200, meta("req-1")));
    const before = Math.floor(Date.now() / 1000);
    const result = await volcClient().modifyMessage(EDIT);
    assert.equal(result.requestId, "req-1");
    assert.equal(seen.length, 1);
    const sent = seen[0];
    assert.match(sent.headers.authorization, /^HMAC-SHA256 Credential=AKLTexample\/\d{8}\/cn-north-1\/rtc\/request, /);
    assert.equal(
      sent.body,
      '{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Ext":{"reviewed":"yes"}}',
    );
    // Signed with Date.now().
    const xDate = sent.headers["x-date"];
    const signedAt = Date.UTC(+xDate.slice(0, 4), +xDate.slice(4, 6) - 1, +xDate.slice(6, 8), +xDate.slice(9, 11), +xDate.slice(11, 13), +xDate.slice(13, 15)) / 1000;
    assert.ok(Math.abs(signedAt - before) <= 5, `${xDate}`);
  });

  test("429 then success: retried, signed again", async () => {
    script.push(reply(isOpenApi, 429, volcError("FlowLimitExceeded", "too many")));
    script.push(reply(isOpenApi, 200, meta("req-2")));
    const result = await volcClient().modifyMessage(EDIT);
    assert.equal(result.requestId, "req-2");
    assert.equal(count(isOpenApi), 2);
  });

  test("a gateway's HTML 502 is retried, within bounds", async () => {
    const html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    for (let i = 0; i < 4; i++) script.push(reply(isOpenApi, 502, html, { "Content-Type": "text/html" }));
    await assert.rejects(volcClient().modifyMessage(EDIT), (e) => {
      assert.ok(e instanceof imedit.ImeditError);
      assert.equal(e.code, "malformed_response");
      assert.equal(e.status, 502);
      assert.match(e.excerpt, /502 Bad Gateway/);
      return true;
    });
    assert.equal(count(isOpenApi), 3, "three attempts, then give up");
  });

  test("a refusal that retrying cannot fix is thrown at once", async () => {
    script.push(reply(isOpenApi, 403, volcError("SignatureDoesNotMatch", "bad signature")));
    await assert.rejects(volcClient().modifyMessage(EDIT), (e) => e.code === "invalid_credentials" && e.vendorCode === "SignatureDoesNotMatch" && e.requestId === "err-1");
    assert.equal(seen.length, 1);
  });

  test("any OpenAPI action", async () => {
    script.push(reply((r) => r.method === "GET", 200, '{"ResponseMetadata":{"RequestId":"r"},"Result":{"Total":9007199254740993}}'));
    const out = await volcClient().request({ method: "GET", host: origin.slice(7), scheme: "http", query: { Action: "ListRooms", Version: "2020-12-01" } }, { region: "cn-north-1", service: "rtc" });
    assert.equal(out.result, '{"Total":9007199254740993}');
    assert.equal(seen[0].url, "/?Action=ListRooms&Version=2020-12-01");
  });
});

// ---- Easemob -----------------------------------------------------------------------------------------

const token = (value, expiresIn = 7200) => ({ access_token: value, expires_in: expiresIn, application: "app-uuid" });
const rewritten = { path: "/messages/rewrite/1235807318835202004", uri: "x", timestamp: 1705372388118, action: "put", data: "success", duration: 3 };

function easemobClient(options = {}) {
  return new imedit.EasemobClient({
    settings: { baseUrl: origin, orgName: "org", appName: "app", allowHttp: true },
    source: { clientId: "YXA6id", clientSecret: "YXA6secret" },
    retry: FAST,
    ...options,
  });
}

const REWRITE = { messageId: "1235807318835202004", type: "txt", msg: "edited" };

describe("EasemobClient", () => {
  test("success: a token, then the rewrite", async () => {
    script.push(reply(isToken, 200, token("YWMtONE")));
    script.push(reply(isRewrite, 200, rewritten));
    const client = easemobClient();
    const out = await client.rewriteMessage(REWRITE);
    assert.equal(out.timestamp, 1705372388118);
    assert.equal(out.path, "/messages/rewrite/1235807318835202004");
    assert.equal(seen[0].body, '{"grant_type":"client_credentials","client_id":"YXA6id","client_secret":"YXA6secret"}');
    assert.equal(seen[1].headers.authorization, "Bearer YWMtONE");
    // The token is reused.
    script.push(reply(isRewrite, 200, rewritten));
    await client.rewriteMessage(REWRITE);
    assert.equal(count(isToken), 1);
  });

  test("401 token error: one refresh, then success", async () => {
    script.push(reply(isToken, 200, token("YWMtOLD")));
    script.push(reply(isRewrite, 401, { error: "unauthorized", error_description: "Unable to authenticate due to expired access Token" }));
    script.push(reply(isToken, 200, token("YWMtNEW")));
    script.push(reply(isRewrite, 200, rewritten));
    const out = await easemobClient().rewriteMessage(REWRITE);
    assert.equal(out.action, "put");
    assert.equal(count(isToken), 2);
    const rewrites = seen.filter(isRewrite);
    assert.deepEqual(rewrites.map((r) => r.headers.authorization), ["Bearer YWMtOLD", "Bearer YWMtNEW"]);
  });

  test("a second token error is not refreshed again", async () => {
    const expired = { error: "auth_bad_access_token", error_description: "Unable to authenticate due to corrupt access Token" };
    script.push(reply(isToken, 200, token("YWMtA")), reply(isRewrite, 401, expired));
    script.push(reply(isToken, 200, token("YWMtB")), reply(isRewrite, 401, expired));
    await assert.rejects(easemobClient().rewriteMessage(REWRITE), (e) => e.code === "token_invalid" && e.retry === "refresh_token");
    assert.equal(count(isToken), 2);
    assert.equal(count(isRewrite), 2);
  });

  test("429 then success: retried with the same token", async () => {
    script.push(reply(isToken, 200, token("YWMtT")));
    script.push(reply(isRewrite, 429, { error: "reach_limit", error_description: "This request has reached api limit" }));
    script.push(reply(isRewrite, 200, rewritten));
    await easemobClient().rewriteMessage(REWRITE);
    assert.equal(count(isToken), 1);
    assert.equal(count(isRewrite), 2);
  });

  test("a permission 401 is not a token error: no refresh, no retry", async () => {
    script.push(reply(isToken, 200, token("YWMtP")));
    script.push(reply(isRewrite, 401, { error: "message_rewrite_error", error_description: "You are not authorized to edit this message." }));
    await assert.rejects(easemobClient().rewriteMessage(REWRITE), (e) => {
      assert.equal(e.code, "permission_denied");
      assert.equal(e.retry, "do_not_retry");
      assert.equal(e.vendorMessage, "You are not authorized to edit this message.");
      return true;
    });
    assert.equal(count(isToken), 1);
    assert.equal(count(isRewrite), 1);
  });

  test("a gateway's HTML 502 is retried", async () => {
    script.push(reply(isToken, 200, token("YWMtG")));
    script.push(reply(isRewrite, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", { "Content-Type": "text/html" }));
    script.push(reply(isRewrite, 200, rewritten));
    await easemobClient().rewriteMessage(REWRITE);
    assert.equal(count(isRewrite), 2);
  });

  test("concurrent calls share one token fetch", async () => {
    script.push(reply(isToken, 200, token("YWMtSHARED")));
    for (let i = 0; i < 5; i++) script.push(reply(isRewrite, 200, rewritten));
    const client = easemobClient();
    await Promise.all(Array.from({ length: 5 }, () => client.rewriteMessage(REWRITE)));
    assert.equal(count(isToken), 1);
    assert.ok(seen.filter(isRewrite).every((r) => r.headers.authorization === "Bearer YWMtSHARED"));
  });

  test("a refused token request is thrown with the vendor's fields", async () => {
    script.push(reply(isToken, 400, { error: "invalid_grant", error_description: "client_secret is wrong" }));
    await assert.rejects(easemobClient().rewriteMessage(REWRITE), (e) => e.code === "invalid_credentials" && e.vendorCode === "invalid_grant");
    assert.equal(count(isRewrite), 0);
  });

  test("an Agora token source is exchanged", async () => {
    script.push(reply(isToken, 200, { access_token: "YWMtAGORA", expire_timestamp: Date.now() + 3_600_000 }));
    script.push(reply(isRewrite, 200, rewritten));
    await easemobClient({ source: { agoraToken: "007AGORAtoken" } }).rewriteMessage(REWRITE);
    assert.equal(seen[0].headers.authorization, "Bearer 007AGORAtoken");
    assert.equal(seen[0].body, '{"grant_type":"agora"}');
    assert.equal(seen[1].headers.authorization, "Bearer YWMtAGORA");
  });
});
