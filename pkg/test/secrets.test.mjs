// Every public object and error made with known secrets, formatted every way JavaScript can
// (String(), template literals, JSON.stringify, util.inspect, error.message and error.stack): no
// secret substring may appear. Also: CR, LF and NUL refused in string inputs, and 64-bit ids exact.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";

import * as imedit from "../dist/node.mjs";

const SK = "SECRETKEY0123456789abcdef";
const STS = "STSTOKENzyxwvu987654";
const CLIENT_SECRET = "YXA6CLIENTSECRETqwerty";
const APP_TOKEN = "YWMtAPPTOKENasdfgh";
const AGORA = "007AGORATOKENzxcvb";
const SECRETS = [SK, STS, CLIENT_SECRET, APP_TOKEN, AGORA];

/** Any 8-character window of a secret counts as a leak. */
function assertClean(what, text) {
  for (const secret of SECRETS) {
    for (let i = 0; i + 8 <= secret.length; i++) {
      const w = secret.slice(i, i + 8);
      assert.ok(!text.includes(w), `${what} leaks ${JSON.stringify(w)}: ${text}`);
    }
  }
}

function formats(value) {
  const out = [
    String(value),
    `${value}`,
    JSON.stringify(value) ?? "",
    inspect(value),
    inspect(value, { depth: Infinity, getters: true }),
  ];
  if (value instanceof Error) out.push(value.message, value.stack ?? "");
  return out;
}

function check(what, value) {
  for (const text of formats(value)) assertClean(what, text);
}

function thrown(run) {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

const settings = { baseUrl: "https://a1.easemob.com", orgName: "org", appName: "app" };
const volcCreds = { accessKeyId: "AKLTvisible", secretAccessKey: SK, sessionToken: STS };
const tokenReply = { status: 200, headers: {}, body: JSON.stringify({ access_token: APP_TOKEN, expires_in: 7200 }) };
const EDIT = { appId: 1n, conversationShortId: 2n, messageId: 3n, ext: { k: "v" }, content: imedit.textContent("x") };

test("no public object or error formats a secret", () => {
  const signer = new imedit.VolcengineSigner(volcCreds);
  const signed = signer.modifyMessage(EDIT, 1_717_245_296);
  // The secrets are there to be sent...
  assert.equal(signed.request.headers["X-Security-Token"], STS);
  assert.ok(signed.stages.canonicalRequest.includes(STS));
  // ...but never printed.
  check("signer", signer);
  check("signed request", signed);
  check("request", signed.request);
  check("stages", signed.stages);
  check("one-shot signature", imedit.buildModifyMessageRequest(volcCreds, EDIT, 1_717_245_296));
  check("signRequest", imedit.signRequest(volcCreds, { method: "GET", host: "iam.volcengineapi.com" }, { region: "cn-north-1", service: "iam", time: 1 }));

  const tokenRequest = imedit.buildTokenRequest(settings, { clientId: "YXA6id", clientSecret: CLIENT_SECRET });
  assert.ok(tokenRequest.body.includes(CLIENT_SECRET));
  check("token request", tokenRequest);
  const exchange = imedit.buildAgoraTokenExchangeRequest(settings, AGORA);
  check("agora exchange", exchange);
  const token = imedit.parseTokenResponse(tokenReply, 1_700_000_000);
  assert.equal(token.expose(), APP_TOKEN);
  check("app token", token);
  const rewrite = imedit.buildRewriteRequest(settings, token, { messageId: "1", type: "txt", msg: "x" });
  check("rewrite request", rewrite);

  const cache = new imedit.TokenCache(settings, { clientId: "YXA6id", clientSecret: CLIENT_SECRET });
  const fetchAction = cache.poll(1_700_000_000);
  check("fetch action", fetchAction);
  check("new token", cache.onResponse(tokenReply, 1_700_000_000));
  check("use action", cache.poll(1_700_000_001));
  check("refresh action", cache.poll(1_700_003_700));
  check("token cache", cache);
  check("token getter", cache.token);
  check("agora cache", new imedit.TokenCache(settings, { agoraToken: AGORA }));

  check("volcengine client", new imedit.VolcengineClient({ credentials: volcCreds }));
  check("easemob client", new imedit.EasemobClient({ settings, source: { clientId: "YXA6id", clientSecret: CLIENT_SECRET } }));
});

test("no error formats a secret, even from the secret's own field", () => {
  const errors = [
    // Invalid secrets and shapes: the message names the field, never the value.
    thrown(() => new imedit.VolcengineSigner({ accessKeyId: "AKLT", secretAccessKey: SK, sessionToken: `${STS}\r\nX: 1` })),
    thrown(() => new imedit.VolcengineSigner({ accessKeyId: `AKLT ${SK}`, secretAccessKey: SK })),
    thrown(() => new imedit.VolcengineSigner(`AKLT:${SK}`)),
    thrown(() => new imedit.VolcengineSigner({ accessKeyId: "AKLT", secretAccessKey: 42 })),
    thrown(() => imedit.buildTokenRequest(settings, { clientId: "id", clientSecret: `${CLIENT_SECRET}\n` })),
    thrown(() => imedit.buildTokenRequest(settings, CLIENT_SECRET)),
    thrown(() => imedit.buildAgoraTokenExchangeRequest(settings, `${AGORA} x`)),
    thrown(() => new imedit.TokenCache(settings, { agoraToken: `${AGORA}\u0000` }).poll(1)),
    thrown(() => new imedit.TokenCache(settings, AGORA)),
    thrown(() => imedit.buildRewriteRequest(settings, new imedit.AppToken(`${APP_TOKEN}\r\n`), { messageId: "1", type: "txt", msg: "x" })),
    // Vendor refusals.
    thrown(() => imedit.parseTokenResponse({ status: 400, body: JSON.stringify({ error: "invalid_grant", error_description: "bad client" }) }, 1)),
    thrown(() => imedit.parseRewriteResponse({ status: 401, body: JSON.stringify({ error: "unauthorized" }) })),
    thrown(() => imedit.parseModifyMessageResponse({ status: 502, body: "<html>502</html>" })),
    imedit.transportError("connection reset"),
    // A token reply that carries the token but is otherwise malformed: the excerpt must not show it.
    thrown(() => imedit.parseTokenResponse({ status: 200, body: JSON.stringify({ access_token: APP_TOKEN, expires_in: "soon" }) }, 1)),
    thrown(() => imedit.parseAgoraTokenExchangeResponse({ status: 200, body: JSON.stringify({ access_token: APP_TOKEN, expire_timestamp: "x" }) }, 1)),
  ];
  for (const [i, error] of errors.entries()) {
    assert.ok(imedit.isImeditError(error), `${i}: ${error}`);
    check(`error ${i} (${error.code})`, error);
  }
});

test("CR, LF and NUL are refused in string inputs", () => {
  const bad = ["a\rb", "a\nb", "a\0b", "a\r\nX-Injected: 1"];
  const cases = {
    "volcengine access_key_id": (v) => new imedit.VolcengineSigner({ accessKeyId: v, secretAccessKey: SK }),
    "volcengine session_token": (v) => new imedit.VolcengineSigner({ accessKeyId: "AKLT", secretAccessKey: SK, sessionToken: v }),
    "volcengine region": (v) => imedit.buildModifyMessageRequest(volcCreds, EDIT, 1, { region: v, host: "rtc.example.com" }),
    "volcengine host": (v) => imedit.buildModifyMessageRequest(volcCreds, EDIT, 1, { region: "cn-north-1", host: v }),
    "volcengine ids": (v) => imedit.buildModifyMessageRequest(volcCreds, { ...EDIT, messageId: `1${v}` }, 1),
    "header value": (v) => imedit.signRequest(volcCreds, { method: "GET", host: "h", headers: { "X-Custom": v } }, { region: "r", service: "s", time: 1 }),
    "header name": (v) => imedit.signRequest(volcCreds, { method: "GET", host: "h", headers: [[`X${v}`, "1"]] }, { region: "r", service: "s", time: 1 }),
    "method": (v) => imedit.signRequest(volcCreds, { method: `GET${v}`, host: "h" }, { region: "r", service: "s", time: 1 }),
    "signing region": (v) => imedit.signRequest(volcCreds, { method: "GET", host: "h" }, { region: v, service: "s", time: 1 }),
    "easemob base_url": (v) => imedit.buildTokenRequest({ ...settings, baseUrl: `https://a1.easemob.com${v}` }, { clientId: "id", clientSecret: "s" }),
    "easemob org_name": (v) => imedit.buildTokenRequest({ ...settings, orgName: v }, { clientId: "id", clientSecret: "s" }),
    "easemob app_key": (v) => imedit.buildTokenRequest({ baseUrl: settings.baseUrl, appKey: `org#${v}` }, { clientId: "id", clientSecret: "s" }),
    "easemob client_id": (v) => imedit.buildTokenRequest(settings, { clientId: v, clientSecret: "s" }),
    "easemob client_secret": (v) => imedit.buildTokenRequest(settings, { clientId: "id", clientSecret: v }),
    "agora token": (v) => imedit.buildAgoraTokenExchangeRequest(settings, v),
    "app token": (v) => imedit.buildRewriteRequest(settings, new imedit.AppToken(v), { messageId: "1", type: "txt", msg: "x" }),
    "message id": (v) => imedit.buildRewriteRequest(settings, new imedit.AppToken("t"), { messageId: `1${v}`, type: "txt", msg: "x" }),
    "user": (v) => imedit.buildRewriteRequest(settings, new imedit.AppToken("t"), { messageId: "1", type: "txt", msg: "x", user: v }),
    "custom event": (v) => imedit.buildRewriteRequest(settings, new imedit.AppToken("t"), { messageId: "1", type: "custom", customEvent: v }),
  };
  for (const [name, run] of Object.entries(cases)) {
    for (const value of bad) {
      const error = thrown(() => run(value));
      assert.ok(imedit.isImeditError(error), `${name} ${JSON.stringify(value)}: ${error}`);
      assert.equal(error.code, "invalid_input", `${name} ${JSON.stringify(value)}: ${error.message}`);
    }
  }
});

test("64-bit ids stay exact", () => {
  const body = (id) =>
    imedit.buildModifyMessageRequest(volcCreds, { appId: id, conversationShortId: id, messageId: id, ext: { k: "v" } }, 1).request.body;
  const exact = [
    [1, "1"],
    [1n, "1"],
    ["1", "1"],
    [9007199254740993n, "9007199254740993"],
    ["9007199254740993", "9007199254740993"],
    [9223372036854775807n, "9223372036854775807"],
    ["9223372036854775807", "9223372036854775807"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
  ];
  for (const [id, digits] of exact) {
    assert.equal(body(id), `{"AppId":${digits},"ConversationShortId":${digits},"MessageId":${digits},"Ext":{"k":"v"}}`);
  }
  const refused = [0, 0n, "0", -1n, 2 ** 53 + 2, 9007199254740993, 1.5, 9223372036854775808n, "9223372036854775808", "1e3", "", null];
  for (const id of refused) {
    const error = thrown(() => body(id));
    assert.equal(error.code, "invalid_input", `${String(id)}: ${error.message}`);
    assert.equal(error.field, "app_id");
  }
  const unsafe = thrown(() => body(2 ** 53 + 2));
  assert.match(unsafe.message, /bigint or a decimal string/);

  // Easemob message ids are strings.
  const token = new imedit.AppToken("t");
  for (const id of ["1", "9007199254740993", "9223372036854775807"]) {
    const request = imedit.buildRewriteRequest(settings, token, { messageId: id, type: "txt", msg: "x" });
    assert.equal(request.url, `https://a1.easemob.com/org/app/messages/rewrite/${id}`);
  }
  for (const id of ["9223372036854775808", "0x1", "", 123]) {
    const error = thrown(() => imedit.buildRewriteRequest(settings, token, { messageId: id, type: "txt", msg: "x" }));
    assert.equal(error.code, "invalid_input", String(id));
    assert.equal(error.field, "message_id");
  }
  // Exact in replies too: Result text is kept as sent.
  const reply = { status: 200, body: '{"ResponseMetadata":{"RequestId":"r"},"Result":{"MessageId":9223372036854775807}}' };
  assert.equal(imedit.parseOpenApiResponse(reply).result, '{"MessageId":9223372036854775807}');
});
