// Write Volcengine signing vectors by executing the official Node SDK (npm `@volcengine/openapi`).
//
// Nothing of the SDK is re-implemented here: every expected value comes from the SDK's exported
// `Signer` (`addAuthorization(credentials, date)`, then its public `canonicalString()`,
// `stringToSign()` and `getSigningKey()` for the intermediate values). The date is passed as the
// SDK's own `date` argument. Each result is cross-checked with node:crypto before it is written.
//
// Usage: node gen_node.mjs [OUTPUT_ROOT]   (default: the tests/vectors folder above this script)

import { createHash, createHmac } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));
const { Signer } = require("@volcengine/openapi");
const sdkVersion = require("@volcengine/openapi/package.json").version;
const SOURCE = `@volcengine/openapi ${sdkVersion}, Signer.addAuthorization`;

const pad = (n) => String(n).padStart(2, "0");
const xDate = (unix) => {
  const d = new Date(unix * 1000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(
    d.getUTCMinutes(),
  )}${pad(d.getUTCSeconds())}Z`;
};

const expandBody = (body) =>
  typeof body === "string" ? body : body.map((s) => (typeof s === "string" ? s : s.repeat.repeat(s.times))).join("");

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

function parseAuthorization(auth) {
  assert(auth.startsWith("HMAC-SHA256 Credential="), auth);
  const parts = Object.fromEntries(
    auth
      .slice("HMAC-SHA256 ".length)
      .split(", ")
      .map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
  );
  return parts;
}

function signCase(defaults, c) {
  const inp = { ...defaults, ...c.input };
  const body = expandBody(inp.body);

  const headers = {};
  if (inp.sign_host !== false) headers["Host"] = inp.host;
  for (const [k, v] of inp.headers) headers[k] = v;
  const params = {};
  for (const [k, v] of inp.query) {
    if (Object.hasOwn(params, k)) params[k] = [].concat(params[k], v);
    else params[k] = v;
  }
  const request = { region: inp.region, method: inp.method, pathname: inp.path, params, headers, body };
  const before = new Set(Object.keys(headers));
  const credentials = { accessKeyId: inp.access_key_id, secretKey: inp.secret_access_key };
  if (inp.session_token) credentials.sessionToken = inp.session_token;

  const signer = new Signer(request, inp.service);
  const date = new Date(inp.time * 1000);
  signer.addAuthorization(credentials, date);

  const out = signer.request.headers;
  const auth = out["Authorization"];
  const { SignedHeaders: signed, Signature: signature } = parseAuthorization(auth);
  const datetime = signer.getDateTime(date);
  assert(out["X-Date"] === xDate(inp.time) && datetime === out["X-Date"], `X-Date ${out["X-Date"]}`);
  const canonical = signer.canonicalString();
  const sts = signer.stringToSign(datetime);
  const signingKey = signer.getSigningKey(credentials, datetime.slice(0, 8), inp.region, inp.service).toString();

  // Cross-check the chain with node:crypto.
  const lines = sts.split("\n");
  assert(lines[0] === "HMAC-SHA256" && lines[1] === datetime, "string to sign header");
  assert(createHash("sha256").update(canonical, "utf8").digest("hex") === lines[3], "canonical request hash");
  assert(
    createHmac("sha256", Buffer.from(signingKey, "hex")).update(sts, "utf8").digest("hex") === signature,
    "signature",
  );
  const cl = canonical.split("\n");
  assert(cl[cl.length - 2] === signed, "SignedHeaders line");

  const added = Object.keys(out)
    .filter((k) => !before.has(k) && k !== "Authorization")
    .map((k) => [k, out[k]]);

  const name = `node-${c.name}`;
  const vec = {
    name,
    description: c.description,
    source: SOURCE,
    input: {
      access_key_id: inp.access_key_id,
      secret_access_key: inp.secret_access_key,
      session_token: inp.session_token ?? null,
      region: inp.region,
      service: inp.service,
      method: inp.method,
      host: inp.host,
      path: inp.path,
      query: inp.query,
      headers: inp.headers,
      body,
      time: inp.time,
      signed_headers: signed.split(";"),
    },
    expected: {
      canonical_request: canonical,
      string_to_sign: sts,
      signing_key: signingKey,
      signature,
      authorization: auth,
      headers: added,
    },
  };
  return [name, vec];
}

const PAIR = /\[\n\s+("(?:[^"\\]|\\.)*"),\n\s+("(?:[^"\\]|\\.)*")\n\s+\]/g;

function write(path, vec) {
  const text = JSON.stringify(vec, null, 2).replace(PAIR, "[$1, $2]"); // [name, value] pairs on one line
  assert(JSON.stringify(JSON.parse(text)) === JSON.stringify(vec), "pretty printing");
  writeFileSync(path, text + "\n");
}

const outRoot = process.argv[2] ?? dirname(here);
const cases = JSON.parse(readFileSync(join(here, "cases.json"), "utf8"));
const signDir = join(outRoot, "volcengine", "sign");
mkdirSync(signDir, { recursive: true });
for (const f of readdirSync(signDir)) if (f.startsWith("node-") && f.endsWith(".json")) unlinkSync(join(signDir, f));
let n = 0;
for (const c of cases.sign) {
  if (!c.sdks.includes("node")) continue;
  const [name, vec] = signCase(cases.defaults, c);
  write(join(signDir, `${name}.json`), vec);
  n++;
}
console.log(`gen_node: ${SOURCE} wrote ${n} sign vectors`);
