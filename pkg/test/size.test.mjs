// The size of the built package. The target budget is the .wasm after wasm-opt -Oz at most 100 KB
// raw and 40 KB gzipped, each JavaScript glue file at most 15 KB. The .wasm does not meet it yet
// (see CHANGELOG.md): until it does, the .wasm is held to a ceiling just above its current size, so
// that it can only shrink, and the distance to the target is printed on every run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

import { PKG } from "./support.mjs";

const KB = 1024;
const TARGET = {
  "imedit_bg.wasm": { raw: 100 * KB, gzip: 40 * KB },
  "glue.mjs": { raw: 15 * KB },
  "cjs/glue.js": { raw: 15 * KB },
};
// The ceiling while the .wasm is above its target: lower it whenever the build shrinks.
const CEILING = { "imedit_bg.wasm": { raw: 380 * KB, gzip: 152 * KB } };

test("size budget", () => {
  const over = [];
  for (const [file, target] of Object.entries(TARGET)) {
    const bytes = readFileSync(join(PKG, "dist", file));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    const meets = bytes.length <= target.raw && (!target.gzip || gzip <= target.gzip);
    const limit = meets ? target : (CEILING[file] ?? target);
    console.log(
      `${file}: ${bytes.length} bytes, ${gzip} gzipped; target ${target.raw}` +
        (target.gzip ? ` / ${target.gzip} gzipped` : "") +
        (meets ? " (met)" : ` (NOT MET: ${bytes.length - target.raw} bytes over; ceiling ${limit.raw} / ${limit.gzip})`),
    );
    if (bytes.length > limit.raw || (limit.gzip && gzip > limit.gzip)) over.push(file);
  }
  assert.equal(over.length, 0, `above the size ceiling: ${over.join(", ")}`);
});
