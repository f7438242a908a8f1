// Package tests: `npm pack`, then install the tarball into throwaway projects under a temporary
// folder and use it from ESM, CommonJS, TypeScript (tsc --strict), workerd (a worker served on
// 127.0.0.1), Deno and Bun. The tools come from IMEDIT_NODE_TOOLS (default .tools/node), where
// scripts/test-node installs them.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";

import { PKG, ROOT } from "./support.mjs";

const TOOLS = process.env.IMEDIT_NODE_TOOLS || join(ROOT, ".tools", "node");
const BIN = join(TOOLS, "node_modules", ".bin");
const work = mkdtempSync(join(tmpdir(), "imedit-package-"));
let tarball;

/** Runs a command; returns its stdout (and stderr with `both`), or throws with everything it printed. */
function run(cmd, args, cwd, env = {}, both = false) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal ?? r.error}):\n${r.stdout}\n${r.stderr}`);
  return both ? r.stdout + r.stderr : r.stdout;
}

/** A throwaway project with the packed tarball installed. */
function project(name, files, packageJson = { type: "module" }) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `imedit-${name}-check`, private: true, ...packageJson }, null, 2));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline", tarball], dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

before(() => {
  const out = run("npm", ["pack", "--json", "--pack-destination", work], PKG);
  const [info] = JSON.parse(out);
  tarball = join(work, info.filename);
  const packed = info.files.map((f) => f.path).sort();
  console.log(`packed ${info.filename}: ${info.size} bytes, ${packed.length} files`);
  // The whitelist: the built files, the README and package.json; nothing else.
  for (const path of packed) {
    assert.ok(path === "package.json" || path === "README.md" || path.startsWith("dist/"), `unexpected file in the package: ${path}`);
  }
  for (const needed of ["dist/imedit_bg.wasm", "dist/node.mjs", "dist/workerd.mjs", "dist/cjs/index.js", "dist/index.d.ts", "dist/index.d.cts"]) {
    assert.ok(packed.includes(needed), `missing ${needed}`);
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

// The same checks in every runtime: the official vector's signature, an Easemob rewrite request,
// an ImeditError, exact 64-bit ids. `m` is the package's namespace.
const CHECKS = `
function checks(m) {
  const fail = (what, got, want) => { throw new Error(what + ": got " + got + ", want " + want); };
  const eq = (what, got, want) => { if (got !== want) fail(what, got, want); };
  const signer = new m.VolcengineSigner({
    accessKeyId: "AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU",
    secretAccessKey: "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==",
  });
  const signed = signer.modifyMessage(
    { appId: "123456", conversationShortId: 7123456789012345678n, messageId: "7234567890123456789", ext: { key: "value" }, content: m.textContent("hello") },
    1717245296,
  );
  eq("signature", signed.stages.signature, "ec14db7733b1ee85ad605e6eb959764cc558f3d75d802d5d3ae7191cf06e5316");
  eq("authorization", signed.request.headers.Authorization.slice(-64), signed.stages.signature);
  eq("body", signed.request.body, '{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Ext":{"key":"value"},"Content":"{\\\\"text\\\\":\\\\"hello\\\\"}"}');
  const token = new m.AppToken("YWMtTOKEN");
  const rewrite = m.buildRewriteRequest({ baseUrl: "https://a1.easemob.com", appKey: "org#app" }, token, { messageId: "9223372036854775807", type: "txt", msg: "new" });
  eq("rewrite url", rewrite.url, "https://a1.easemob.com/org/app/messages/rewrite/9223372036854775807");
  eq("rewrite auth", rewrite.headers.Authorization, "Bearer YWMtTOKEN");
  eq("redacted", JSON.stringify(rewrite).includes("YWMtTOKEN"), false);
  let error;
  try { signer.modifyMessage({ appId: 0, conversationShortId: 1, messageId: 1, ext: { k: "v" } }, 1); } catch (e) { error = e; }
  eq("ImeditError", error instanceof m.ImeditError && error instanceof Error && m.isImeditError(error), true);
  eq("code", error.code + "/" + error.field, "invalid_input/app_id");
  eq("clients", typeof m.VolcengineClient + typeof m.EasemobClient + typeof m.send, "functionfunctionfunction");
  return { signature: signed.stages.signature, rewrite: rewrite.url, error: error.code };
}
`;

describe("the packed package", () => {
  test("ESM (Node)", () => {
    const dir = project("esm", {
      "check.mjs": `${CHECKS}\nimport * as m from "imedit";\nconsole.log(JSON.stringify({ entry: import.meta.resolve("imedit"), ...checks(m) }));\n`,
    });
    const out = JSON.parse(run("node", ["check.mjs"], dir));
    assert.match(out.entry, /\/node_modules\/imedit\/dist\/node\.mjs$/);
    assert.equal(out.error, "invalid_input");
  });

  test("CommonJS (Node)", () => {
    const dir = project(
      "cjs",
      { "check.cjs": `${CHECKS}\nconst m = require("imedit");\nconsole.log(JSON.stringify({ entry: require.resolve("imedit"), ...checks(m) }));\n` },
      { type: "commonjs" },
    );
    const out = JSON.parse(run("node", ["check.cjs"], dir));
    assert.match(out.entry, /\/node_modules\/imedit\/dist\/cjs\/index\.js$/);
    assert.equal(out.signature, "ec14db7733b1ee85ad605e6eb959764cc558f3d75d802d5d3ae7191cf06e5316");
  });

  test("TypeScript: tsc --strict --noEmit over a sample that uses every export", () => {
    const dir = project("ts", {
      "sample.mts": TS_SAMPLE,
      "sample.cts": `import imedit = require("imedit");\nconst signer: imedit.VolcengineSigner = new imedit.VolcengineSigner({ accessKeyId: "AKLT", secretAccessKey: "s" });\nexport const id: string = signer.accessKeyId;\nexport const codes: imedit.ErrorCode[] = imedit.errorCodes();\n`,
      "tsconfig.json": JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022"], types: [], skipLibCheck: false },
        files: ["sample.mts", "sample.cts"],
      }),
    });
    // Every runtime export of the package appears in the sample.
    const exported = run("node", ["--input-type=module", "-e", 'import * as m from "imedit"; console.log(Object.keys(m).join(" "))'], dir).trim().split(" ");
    assert.ok(exported.length >= 25, exported.join(" "));
    for (const name of exported) assert.match(TS_SAMPLE, new RegExp(`\\b${name}\\b`), `the sample does not use ${name}`);
    run(join(BIN, "tsc"), ["-p", "."], dir);
  });

  test("workerd: a worker on 127.0.0.1 builds a signed ModifyMessage and a rewrite request", async () => {
    const dir = project("workerd", {
      "worker.mjs": `${CHECKS}\nimport * as m from "imedit";\nexport default { async fetch() { return Response.json(checks(m)); } };\n`,
    });
    const entry = new URL(run("node", ["--conditions=workerd", "--input-type=module", "-e", 'console.log(import.meta.resolve("imedit"))'], dir).trim());
    assert.match(entry.pathname, /\/dist\/workerd\.mjs$/, "the workerd condition picks dist/workerd.mjs");
    const port = await freePort();
    writeFileSync(join(dir, "config.capnp"), workerdConfig(dir, relative(dir, entry.pathname), port));
    const worker = spawn(join(BIN, "workerd"), ["serve", "config.capnp"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    worker.stdout.on("data", (d) => (log += d));
    worker.stderr.on("data", (d) => (log += d));
    try {
      const response = await retryFetch(`http://127.0.0.1:${port}/`, 20_000);
      const out = await response.json();
      assert.equal(out.signature, "ec14db7733b1ee85ad605e6eb959764cc558f3d75d802d5d3ae7191cf06e5316", log);
      assert.equal(out.rewrite, "https://a1.easemob.com/org/app/messages/rewrite/9223372036854775807");
      assert.equal(out.error, "invalid_input");
    } catch (error) {
      throw new Error(`${error.message}\nworkerd said:\n${log}`);
    } finally {
      worker.kill();
    }
  });

  test("Deno (from npm)", () => {
    const dir = project("deno", {
      "deno.json": JSON.stringify({ nodeModulesDir: "manual" }),
      "check_test.mjs": `${CHECKS}\nimport * as m from "imedit";\nDeno.test("imedit in Deno", () => { const out = checks(m); if (out.error !== "invalid_input") throw new Error("no ImeditError"); });\n`,
      // Type-checked by Deno against the package's declarations.
      "typed_test.ts": `import { isImeditError, VolcengineSigner, type SignedRequest } from "imedit";\nDeno.test("types in Deno", () => {\n  const signer = new VolcengineSigner({ accessKeyId: "AKLT", secretAccessKey: "s" });\n  const signed: SignedRequest = signer.modifyMessage({ appId: 1n, conversationShortId: "2", messageId: 3, content: "{}" }, 1717245296);\n  if (signed.stages.xDate !== "20240601T123456Z") throw new Error(signed.stages.xDate);\n  try { signer.modifyMessage({ appId: 0, conversationShortId: 1, messageId: 1 }, 1); } catch (e: unknown) { if (!isImeditError(e) || e.code !== "invalid_input") throw e; }\n});\n`,
    });
    const out = run(join(BIN, "deno"), ["test", "--allow-read", "--allow-env", "check_test.mjs", "typed_test.ts"], dir, { DENO_DIR: join(work, "deno-dir"), NO_COLOR: "1" }, true);
    assert.match(out, /ok \| 2 passed/, out);
  });

  test("Bun (from npm)", () => {
    const dir = project("bun", {
      "check.test.ts": `${CHECKS}\nimport { expect, test } from "bun:test";\nimport * as m from "imedit";\nconst c = require("imedit");\ntest("imedit in Bun (import and require)", () => { expect(checks(m).error).toBe("invalid_input"); expect(checks(c).signature).toBe(checks(m).signature); });\n`,
    });
    const out = run(join(BIN, "bun"), ["test"], dir, { BUN_INSTALL_CACHE_DIR: join(work, "bun-cache"), NO_COLOR: "1" }, true);
    assert.match(out, /\b1 pass\b/, out);
    assert.match(out, /\b0 fail\b/, out);
  });
});

function workerdConfig(dir, entry, port) {
  const entryDir = entry.slice(0, entry.lastIndexOf("/"));
  const files = readdirSync(join(dir, entryDir)).filter((f) => /\.(mjs|wasm)$/.test(f) && f !== "node.mjs" && f !== "web.mjs");
  const modules = [`(name = "worker.mjs", esModule = embed "worker.mjs")`];
  for (const f of files) {
    // The package's entry answers to "imedit"; its relative imports resolve next to it.
    const name = f === entry.slice(entryDir.length + 1) ? "imedit" : f;
    modules.push(f.endsWith(".wasm") ? `(name = "${name}", wasm = embed "${entryDir}/${f}")` : `(name = "${name}", esModule = embed "${entryDir}/${f}")`);
  }
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    ${modules.join(",\n    ")}
  ],
  compatibilityDate = "2025-01-01",
);
`;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function retryFetch(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// Uses every export of the package, with types; tsc checks it under --strict.
const TS_SAMPLE = `
import {
  AppToken, EasemobClient, ImeditError, RateLimiter, RetryPlanner, TokenCache, VolcengineClient, VolcengineSigner,
  buildAgoraTokenExchangeRequest, buildModifyMessageRequest, buildRewriteRequest, buildTokenRequest, checkRewriteEdit, errorCodes,
  isImeditError, mergeExt, parseAgoraTokenExchangeResponse, parseModifyMessageResponse, parseOpenApiResponse,
  parseRewriteResponse, parseTokenResponse, send, signRequest, signingKeyHex, textContent, transportError,
} from "imedit";
import type {
  EasemobSettings, ErrorCode, FetchLike, HttpRequest, HttpResponse, ModifyMessageParams, OpenApiResponse,
  ResponseMetadata, RetryDecision, RewriteEdit, RewriteOutcome, SentResponse, SignedRequest, TokenAction,
  VolcengineCredentials,
} from "imedit";

const credentials: VolcengineCredentials = { accessKeyId: "AKLT", secretAccessKey: "secret", sessionToken: null };
const params: ModifyMessageParams = { appId: 1n, conversationShortId: "2", messageId: 3, ext: [["k", "v"]], content: textContent("x") };
const signer = new VolcengineSigner(credentials);
const signed: SignedRequest = signer.modifyMessage(params, 1717245296, { region: "cn-north-1" });
const cold: SignedRequest = buildModifyMessageRequest(credentials, params, 1717245296);
const any: SignedRequest = signRequest(credentials, { method: "GET", host: "iam.volcengineapi.com", query: { Action: "ListUsers" } }, { region: "cn-north-1", service: "iam", time: 1 });
const key: string = signingKeyHex("secret", "20240601", "cn-north-1", "rtc");
const request: HttpRequest = signed.request;
const headers: Record<string, string> = request.headers;
const stages: string = cold.stages.canonicalRequest + any.stages.signature + key + headers["X-Date"];

const reply: HttpResponse = { status: 200, headers: { "content-type": "application/json" }, body: new Uint8Array(0) };
const meta: ResponseMetadata = parseModifyMessageResponse(reply);
const openapi: OpenApiResponse = parseOpenApiResponse(reply);

const settings: EasemobSettings = { baseUrl: "https://a1.easemob.com", appKey: "org#app" };
const tokenRequest: HttpRequest = buildTokenRequest(settings, { clientId: "id", clientSecret: "secret" }, { ttl: 3600, unit: "seconds" });
const exchange: HttpRequest = buildAgoraTokenExchangeRequest(settings, "007agora");
const token: AppToken = parseTokenResponse(reply, 1700000000, { refreshMargin: 60 });
const agoraToken: AppToken = parseAgoraTokenExchangeResponse(reply, 1700000000);
const expires: number | undefined = token.expiresAt;
const edit: RewriteEdit = { messageId: "9223372036854775807", type: "txt", msg: "new", extMode: "merge" };
checkRewriteEdit(edit);
const rewrite: HttpRequest = buildRewriteRequest(settings, new AppToken("YWMt", 1, null), edit);
const outcome: RewriteOutcome = parseRewriteResponse({ status: 200, body: '{"data":"success"}' });
const merged: Record<string, string> = mergeExt({ a: "1" }, [["b", "2"]], "replace");

const cache = new TokenCache(settings, { agoraToken: "007agora" }, null, 60);
const action: TokenAction = cache.poll(1700000000);
if (action.action === "fetch" || action.action === "refresh") console.log(action.request.url);
if (action.action === "use") console.log(action.token.refreshAt);

const planner = new RetryPlanner({ maxAttempts: 2 });
const error: ImeditError = transportError("reset");
const decision: RetryDecision = planner.onError(error, Math.random());
if (decision.decision === "retry") console.log(decision.delayMs);
const failed: boolean = cache.onCallFailed(token, error);
const limiter = RateLimiter.volcengineModifyMessage();
const wait: number = limiter.acquire(Date.now()) + RateLimiter.restore(50, 1, limiter.state).acquire(0);
const codes: ErrorCode[] = errorCodes();

function handle(e: unknown): string {
  if (isImeditError(e)) return e.code + e.retry + e.fault + (e.status ?? 0) + (e.vendorCode ?? "") + (e.requestId ?? "");
  if (e instanceof ImeditError) return e.code;
  return "other";
}

const fetchLike: FetchLike = async () => ({ status: 200, headers: { forEach() {} }, text: async () => "" });
async function clients(): Promise<void> {
  const sent: SentResponse = await send(request, fetchLike);
  const volc = new VolcengineClient({ credentials, fetch: fetchLike, retry: { baseDelayMs: 10 }, limiter: new RateLimiter(50, 1) });
  const m: ResponseMetadata = await volc.modifyMessage(params);
  const r: OpenApiResponse = await volc.request({ method: "GET", host: "h" }, { region: "cn-north-1", service: "rtc" });
  const easemob = new EasemobClient({ settings, source: { clientId: "id", clientSecret: "s" }, limiter: null, tokenLimiter: RateLimiter.easemobToken() });
  const o: RewriteOutcome = await easemob.rewriteMessage(edit);
  const t: AppToken = await easemob.token();
  easemob.setSource({ agoraToken: "x" });
  const app = RateLimiter.easemobApp();
  console.log(sent.status, m.requestId, r.result, o.path, t.toJSON().issuedAt, app.acquire(0), volc.toJSON().accessKeyId);
}
declare const console: { log(...args: unknown[]): void };
console.log(stages, meta, openapi, tokenRequest, exchange, agoraToken, expires, rewrite, outcome, merged, failed, wait, codes, handle, clients, signer.toJSON().accessKeyId);
`;
