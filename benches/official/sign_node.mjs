// Time the official Node signer (@volcengine/openapi Signer) on the mm_basic ModifyMessage request.
//   node benches/official/sign_node.mjs [ITERATIONS]     (default 20000; 3 runs, median reported)
// Uses the package installed by tests/vectors/generate/regenerate.sh.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "tests", "vectors", "generate", "package.json"));
const { Signer } = require("@volcengine/openapi");
const version = require("@volcengine/openapi/package.json").version;

const BODY =
  '{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,' +
  '"Ext":{"key":"value"},"Content":"{\\"text\\":\\"hello\\"}"}';
const credentials = {
  accessKeyId: "AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU",
  secretKey: "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw==",
};
const n = Number(process.argv[2] ?? 20000);
const RUNS = 3;

// Same request as tests/vectors/volcengine/sign/node-mm-basic.json; the real clock is used.
const makeRequest = () => ({
  region: "cn-north-1",
  method: "POST",
  pathname: "/",
  params: { Action: "ModifyMessage", Version: "2020-12-01" },
  headers: { Host: "rtc.volcengineapi.com", "Content-Type": "application/json" },
  body: BODY,
});

function run(count) {
  const requests = Array.from({ length: count }, makeRequest); // built outside the timed loop
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) new Signer(requests[i], "rtc").addAuthorization(credentials);
  const t1 = process.hrtime.bigint();
  if (!requests[count - 1].headers.Authorization.startsWith("HMAC-SHA256 ")) throw new Error("not signed");
  return Number(t1 - t0) / 1000 / count;
}

run(Math.min(n, 2000)); // warm-up
const runs = Array.from({ length: RUNS }, () => run(n));
const median = [...runs].sort((a, b) => a - b)[Math.floor(RUNS / 2)];
const r2 = (x) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({ signer: `@volcengine/openapi ${version}`, us_per_sign: r2(median), runs: runs.map(r2), iterations: n }),
);
