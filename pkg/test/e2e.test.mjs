// The shared end-to-end scenario (tests/e2e/scenario.json, format in tests/e2e/README.md) against
// a real `imedit emulator` process, with the package's clients and Node's real fetch.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";

import * as imedit from "../dist/node.mjs";
import { parseJson, ROOT, show } from "./support.mjs";

const SCENARIO = process.env.IMEDIT_E2E_SCENARIO || join(ROOT, "tests", "e2e", "scenario.json");

function binary() {
  if (process.env.IMEDIT_BIN) return process.env.IMEDIT_BIN;
  const bin = join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "debug", "imedit");
  if (!existsSync(bin)) {
    const built = spawnSync("cargo", ["build", "--quiet", "-p", "imedit-cli"], { cwd: ROOT, stdio: "inherit" });
    assert.equal(built.status, 0, "cargo build -p imedit-cli failed");
  }
  return bin;
}

/** Starts the emulator and resolves to { base, process } once it printed its base URL. */
function startEmulator(seed) {
  const child = spawn(binary(), ["emulator", "--port", "0", "--seed", seed], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the emulator printed no base URL within 30 s")), 30_000);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the emulator exited early (${code})`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolvePromise({ base: out.slice(0, nl).trim(), child });
      }
    });
  });
}

/** `actual` contains `expected`: keys of expected objects present, arrays element by element. */
function contains(actual, expected) {
  if (expected === null || typeof expected !== "object") {
    return typeof expected === "number" || typeof expected === "bigint" ? Number(actual) === Number(expected) : actual === expected;
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  }
  return actual !== null && typeof actual === "object" && Object.entries(expected).every(([k, v]) => k in actual && contains(actual[k], v));
}

/** JSON equality, object key order ignored, numbers as numbers. */
function same(a, b) {
  if (typeof a === "number" || typeof a === "bigint" || typeof b === "number" || typeof b === "bigint") return Number(a) === Number(b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return show(ka) === show(kb) && ka.every((k) => same(a[k], b[k]));
}

const optText = (v) => (typeof v === "string" ? v : undefined);

function rewriteEdit(messageId, e) {
  return {
    messageId,
    type: e.type ?? "",
    msg: optText(e.msg),
    customEvent: optText(e.custom_event),
    customExts: e.custom_exts ?? undefined,
    newExt: e.new_ext ?? undefined,
    extMode: e.ext_mode === "replace" ? "replace" : "merge",
    user: optText(e.user),
  };
}

/** Runs a client call and compares its outcome with `expect`. */
async function outcome(expect, call) {
  let error;
  try {
    await call();
  } catch (e) {
    if (!imedit.isImeditError(e)) throw e;
    error = e;
  }
  if ("ok" in expect) {
    if (error) throw new Error(`expected success, got ${error.code}: ${error.message}`);
    return;
  }
  if (!error) throw new Error(`expected the error ${show(expect.error)}, got success`);
  const want = expect.error;
  const got = { code: error.code, status: error.status ?? null, retry: error.retry, vendor_code: error.vendorCode ?? null, local: error.fault === "caller" };
  for (const [key, value] of Object.entries(want)) {
    if (!(key in got)) throw new Error(`unknown outcome field ${key}`);
    if (!same(got[key], value)) throw new Error(`${key}: got ${show(got[key])}, want ${show(value)} (${error.message})`);
  }
}

test("the shared e2e scenario, with the package's clients", async () => {
  const scenario = parseJson(readFileSync(SCENARIO, "utf8"), { integerKeys: true });
  assert.equal(scenario.format, 1, "unknown scenario format");
  const { base, child } = await startEmulator(resolve(dirname(SCENARIO), scenario.seed));
  const policy = scenario.retry_policy;
  const retry = { maxAttempts: policy.max_attempts, baseDelayMs: policy.base_delay_ms, maxDelayMs: policy.max_delay_ms };
  const em = scenario.easemob;
  const settings = { baseUrl: base, orgName: em.org_name, appName: em.app_name, allowHttp: true };
  const easemob = new imedit.EasemobClient({
    settings,
    source: { clientId: em.client_id, clientSecret: em.client_secret },
    policy: { ttl: em.token_ttl, unit: "seconds" },
    retry,
  });
  const volc = new imedit.VolcengineClient({
    credentials: { accessKeyId: scenario.volcengine.access_key_id, secretAccessKey: scenario.volcengine.secret_access_key },
    endpoint: { region: scenario.volcengine.region, host: base },
    retry,
  });

  const counts = {};
  try {
    for (const step of scenario.steps) {
      try {
        await runStep(step);
      } catch (error) {
        throw new Error(`step ${step.id} (${step.op}): ${error.message}`);
      }
      counts[step.op] = (counts[step.op] ?? 0) + 1;
      console.log(`ok  ${step.id}`);
    }
  } finally {
    await fetch(`${base}/_emulator/shutdown`, { method: "POST" }).catch(() => {});
    setTimeout(() => child.kill(), 2_000).unref();
  }
  const summary = Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([op, n]) => `${op} ${n}`)
    .join(", ");
  console.log(`e2e scenario: ${scenario.steps.length} steps passed (${summary})`);

  async function runStep(step) {
    switch (step.op) {
      case "admin": {
        const init = { method: step.method };
        if (step.body !== undefined) {
          init.body = show(step.body);
          init.headers = { "Content-Type": "application/json" };
        }
        const response = await fetch(base + step.path, init);
        const text = await response.text();
        const want = step.expect ?? {};
        assert.equal(response.status, want.status ?? 200, text);
        if (want.json !== undefined) assert.ok(contains(parseJson(text, { integerKeys: true }), want.json), `${text} does not contain ${show(want.json)}`);
        return;
      }
      case "easemob.token":
        return outcome(step.expect, async () => (await easemob.token()).free());
      case "easemob.rewrite":
        return outcome(step.expect, () => easemob.rewriteMessage(rewriteEdit(step.message_id, step.edit)));
      case "easemob.burst": {
        const token = await easemob.token();
        const edit = rewriteEdit(step.message_id, step.edit);
        let ok = 0;
        const errors = {};
        try {
          for (let i = 0; i < step.count; i++) {
            try {
              imedit.parseRewriteResponse(await imedit.send(imedit.buildRewriteRequest(settings, token, edit)));
              ok++;
            } catch (e) {
              if (!imedit.isImeditError(e)) throw e;
              errors[e.code] = (errors[e.code] ?? 0) + 1;
            }
          }
        } finally {
          token.free();
        }
        assert.equal(ok, step.expect.ok, `successes (errors ${show(errors)})`);
        assert.ok(same(errors, step.expect.errors), `errors: got ${show(errors)}, want ${show(step.expect.errors)}`);
        return;
      }
      case "easemob.read_message":
        return readBack(`/_emulator/easemob/apps/${em.org_name}/${em.app_name}/messages/${step.message_id}`, step.expect);
      case "volcengine.modify_message": {
        const p = step.params;
        const params = { appId: p.app_id, conversationShortId: p.conversation_short_id, messageId: p.message_id, ext: p.ext ?? undefined, content: optText(p.content) };
        return outcome(step.expect, () => volc.modifyMessage(params));
      }
      case "volcengine.read_message":
        return readBack(`/_emulator/volcengine/messages/${step.app_id}/${step.conversation_short_id}/${step.message_id}`, step.expect);
      default:
        throw new Error(`unknown op ${step.op}`);
    }
  }

  async function readBack(path, expect) {
    const response = await fetch(base + path);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const stored = parseJson(text, { integerKeys: true });
    for (const [key, value] of Object.entries(expect)) {
      if (key === "ext") assert.equal(show(stored.ext), show(value), "ext (key order included)");
      else assert.ok(same(stored[key], value), `${key}: got ${show(stored[key])}, want ${show(value)}`);
    }
  }
});
