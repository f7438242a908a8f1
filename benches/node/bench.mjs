// Benchmarks of the npm package (figures, not a test):
//   1. ModifyMessage build + sign, in one Node process: imedit (cached signing key and cold key)
//      against the official @volcengine/openapi signer on the same request (mm_basic);
//   2. cold start, import + first signed request: Node, and workerd (time to the first answer);
//   3. wasm memory over one million signatures (memory.buffer.byteLength before and after).
//
//   bash pkg/build.sh && bash tests/vectors/generate/install.sh    # once
//   node benches/node/bench.mjs [ITERATIONS]                         # default 50000 per run
//
// workerd comes from IMEDIT_NODE_TOOLS (default .tools/node, where scripts/test-node installs it);
// that part is skipped when it is missing. Run on an otherwise idle machine.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DIST = join(ROOT, "pkg", "dist");
const TOOLS = process.env.IMEDIT_NODE_TOOLS || join(ROOT, ".tools", "node");
const N = Number(process.argv[2] ?? 50_000);
const RUNS = 5;

const imedit = await import(join(DIST, "node.mjs"));
const glue = await import(join(DIST, "glue.mjs"));
const sdkRequire = createRequire(join(ROOT, "tests", "vectors", "generate", "package.json"));
let Signer;
let sdkVersion;
try {
  ({ Signer } = sdkRequire("@volcengine/openapi"));
  sdkVersion = sdkRequire("@volcengine/openapi/package.json").version;
} catch {
  console.error("the official SDK is missing: run `bash tests/vectors/generate/install.sh` first");
  process.exit(2);
}

// The mm_basic request: tests/vectors/volcengine/sign/node-mm-basic.json.
const AK = "AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU";
const SK = "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==";
const BODY =
  '{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,' +
  '"Ext":{"key":"value"},"Content":"{\\"text\\":\\"hello\\"}"}';
const PARAMS = {
  appId: "123456",
  conversationShortId: "7123456789012345678",
  messageId: "7234567890123456789",
  ext: { key: "value" },
  content: '{"text":"hello"}',
};
const credentials = { accessKeyId: AK, secretAccessKey: SK };
const now = () => Math.floor(Date.now() / 1000);

// The same bytes on the wire, checked once.
{
  const signed = imedit.buildModifyMessageRequest(credentials, PARAMS, now());
  if (signed.request.body !== BODY) throw new Error("imedit built another body");
}

const signer = new imedit.VolcengineSigner(credentials);
const sdkRequest = () => ({
  region: "cn-north-1",
  method: "POST",
  pathname: "/",
  params: { Action: "ModifyMessage", Version: "2020-12-01" },
  headers: { Host: "rtc.volcengineapi.com", "Content-Type": "application/json" },
  body: BODY,
});
const sdkCredentials = { accessKeyId: AK, secretKey: SK };

const cases = {
  "imedit build + sign, cached key": (n) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) signer.modifyMessage(PARAMS, now());
    return process.hrtime.bigint() - t0;
  },
  "imedit build + sign, cold key": (n) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) imedit.buildModifyMessageRequest(credentials, PARAMS, now());
    return process.hrtime.bigint() - t0;
  },
  [`@volcengine/openapi ${sdkVersion} signer`]: (n) => {
    const requests = Array.from({ length: n }, sdkRequest); // built outside the timed loop
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) new Signer(requests[i], "rtc").addAuthorization(sdkCredentials);
    const t = process.hrtime.bigint() - t0;
    if (!requests[n - 1].headers.Authorization.startsWith("HMAC-SHA256 ")) throw new Error("not signed");
    return t;
  },
};

// Warm up, then interleave the runs so that background load hits every case alike.
for (const run of Object.values(cases)) run(Math.min(N, 5_000));
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [name, run] of Object.entries(cases)) samples[name].push(Number(run(N)) / 1000 / N);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const names = Object.keys(cases);
const sdk = us[names[2]];
console.log(`\nModifyMessage build + sign, µs per request (median of ${RUNS} runs of ${N}, one process, Node ${process.version})`);
for (const name of names) {
  console.log(`  ${name.padEnd(44)} ${us[name].toFixed(2).padStart(8)}   ${(sdk / us[name]).toFixed(1).padStart(5)}× the SDK's speed`);
}
console.log(`  targets: cached ≥ 20× (${(sdk / us[names[0]]).toFixed(1)}×), cold ≥ 12× (${(sdk / us[names[1]]).toFixed(1)}×)`);

// ---- cold start --------------------------------------------------------------------------------------
const COLD = `
const t0 = performance.now();
const m = await import(${JSON.stringify(join(DIST, "node.mjs"))});
const s = m.buildModifyMessageRequest(${JSON.stringify(credentials)}, ${JSON.stringify(PARAMS)}, Math.floor(Date.now() / 1000));
if (!s.request.headers.Authorization) throw new Error("not signed");
console.log(performance.now() - t0);
`;
const coldRuns = Array.from({ length: 7 }, () => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", COLD], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return { inside: Number(r.stdout), process: performance.now() - t0 };
});
console.log(`\nCold start, Node (median of 7 fresh processes)`);
console.log(`  import + first signed request: ${median(coldRuns.map((r) => r.inside)).toFixed(1)} ms`);
console.log(`  whole process (node start to exit): ${median(coldRuns.map((r) => r.process)).toFixed(1)} ms`);

await workerdColdStart();

// ---- memory ------------------------------------------------------------------------------------------
const wasm = glue.initSync({ module: new Uint8Array(0) }); // already initialised: returns the instance's exports
const before = wasm.memory.buffer.byteLength;
const t0 = performance.now();
for (let i = 0; i < 1_000_000; i++) signer.modifyMessage(PARAMS, now());
const seconds = (performance.now() - t0) / 1000;
const after = wasm.memory.buffer.byteLength;
console.log(`\nWasm memory over 1,000,000 signatures (${seconds.toFixed(1)} s)`);
console.log(`  memory.buffer.byteLength before: ${before}, after: ${after} (${after === before ? "flat" : `grew by ${after - before}`})`);

async function workerdColdStart() {
  const bin = join(TOOLS, "node_modules", ".bin", "workerd");
  if (!existsSync(bin)) {
    console.log(`\nCold start, workerd: skipped (${bin} is missing)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "imedit-bench-workerd-"));
  try {
    const files = ["workerd.mjs", "glue.mjs", "snippet.mjs", "client.mjs"];
    const withImedit = `import { buildModifyMessageRequest } from "imedit";
export default { async fetch() {
  const s = buildModifyMessageRequest(${JSON.stringify(credentials)}, ${JSON.stringify(PARAMS)}, Math.floor(Date.now() / 1000));
  return new Response(s.request.headers.Authorization);
} };`;
    const plain = `export default { async fetch() { return new Response("ok"); } };`;
    const config = (worker, port, modules) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "${worker}")${modules} ],
  compatibilityDate = "2025-01-01",
);`;
    writeFileSync(join(dir, "with.mjs"), withImedit);
    writeFileSync(join(dir, "plain.mjs"), plain);
    // workerd embeds files by paths relative to its config: copy the package's files next to it.
    for (const f of [...files, "imedit_bg.wasm"]) copyFileSync(join(DIST, f), join(dir, f));
    const modules =
      files.map((f) => `, (name = "${f === "workerd.mjs" ? "imedit" : f}", esModule = embed "${f}")`).join("") +
      `, (name = "imedit_bg.wasm", wasm = embed "imedit_bg.wasm")`;
    const time = async (worker, mods) => {
      const port = await freePort();
      const cfg = join(dir, `${worker}.capnp`);
      writeFileSync(cfg, config(worker, port, mods));
      const t0 = performance.now();
      const child = spawn(bin, ["serve", cfg], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
      try {
        for (;;) {
          try {
            const r = await fetch(`http://127.0.0.1:${port}/`);
            const text = await r.text();
            if (r.status !== 200 || !text) throw new Error(`worker answered ${r.status}`);
            return performance.now() - t0;
          } catch (error) {
            if (performance.now() - t0 > 20_000) throw error;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      } finally {
        child.kill();
      }
    };
    const w = [];
    const p = [];
    for (let i = 0; i < 5; i++) {
      w.push(await time("with.mjs", modules));
      p.push(await time("plain.mjs", ""));
    }
    console.log(`\nCold start, workerd (median of 5: process start to the first answer on 127.0.0.1)`);
    console.log(`  a worker that imports imedit and signs one request: ${median(w).toFixed(1)} ms`);
    console.log(`  an empty worker, for comparison:                    ${median(p).toFixed(1)} ms`);
    console.log(`  imedit's share:                                     ${(median(w) - median(p)).toFixed(1)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
