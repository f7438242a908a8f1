#!/usr/bin/env bash
# Builds the npm package into pkg/dist from the Rust crate, on a fresh machine too:
#   bash pkg/build.sh
# Steps: the wasm32 target and wasm-bindgen-cli 0.2.130 (installed when missing), npm tools
# (binaryen 132 for wasm-opt, esbuild), cargo build (profile `wasm`, feature `wasm`), wasm-bindgen
# (`web` and `nodejs` targets), wasm-opt -Oz, then the entry points, the CommonJS twins and the
# TypeScript declarations. Environment: CARGO_TARGET_DIR (default target/), IMEDIT_NODE_TOOLS
# (where the npm tools go; default .tools/node).
set -euo pipefail
PKG=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$PKG")
TOOLS=${IMEDIT_NODE_TOOLS:-$ROOT/.tools/node}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WASM_BINDGEN_VERSION=0.2.130
DIST=$PKG/dist
GEN=$TARGET_DIR/npm-gen

# ---- tools -----------------------------------------------------------------------------------
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the crates.io index served to CI can lag behind the CLI's lock file.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ] || [ ! -x "$TOOLS/node_modules/.bin/esbuild" ]; then
  [ -f "$TOOLS/package.json" ] || echo '{ "name": "imedit-node-tools", "private": true }' >"$TOOLS/package.json"
  # npm's binaryen, never Debian's (its wasm-opt 108 breaks wasm-bindgen's externref table).
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error binaryen@132 esbuild@0.28.2)
fi
WASM_OPT=$TOOLS/node_modules/.bin/wasm-opt
ESBUILD=$TOOLS/node_modules/.bin/esbuild

# ---- Rust → wasm ----------------------------------------------------------------------------------
# SIMD (every runtime the package targets has it) speeds SHA-256 up by about a quarter.
(cd "$ROOT" && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
  cargo build --quiet -p imedit --lib --features wasm --target wasm32-unknown-unknown --profile wasm)
RAW=$TARGET_DIR/wasm32-unknown-unknown/wasm/imedit.wasm
rm -rf "$GEN" "$DIST"
wasm-bindgen --target web --out-dir "$GEN/web" --out-name imedit "$RAW"
wasm-bindgen --target nodejs --out-dir "$GEN/node" --out-name imedit "$RAW"
cmp -s "$GEN/web/imedit_bg.wasm" "$GEN/node/imedit_bg.wasm" || { echo "the web and nodejs wasm differ" >&2; exit 1; }
mkdir -p "$DIST/cjs"
"$WASM_OPT" -Oz --strip-debug --strip-producers "$GEN/web/imedit_bg.wasm" -o "$DIST/imedit_bg.wasm"

# ---- JavaScript --------------------------------------------------------------------------------------
# One wasm file for every entry; the wasm-bindgen snippet (ImeditError, HttpRequest) at a fixed
# path; the glue minified (its documentation lives in the .d.ts); CommonJS twins for `require`.
node - "$GEN" "$DIST" "$PKG/src" <<'JS'
const fs = require("node:fs");
const path = require("node:path");
const [gen, dist, src] = process.argv.slice(2);
const read = (p) => fs.readFileSync(p, "utf8");
const write = (p, text) => fs.writeFileSync(path.join(dist, p), text);
const snippetPath = (dir) => {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else found.push(p);
    }
  };
  walk(path.join(dir, "snippets"));
  if (found.length !== 1) throw new Error(`expected one snippet, found ${found.length}`);
  return found[0];
};
const exportNames = (glue) =>
  [...glue.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]).filter((n) => n !== "initSync");

// ESM → CommonJS for files written to that shape: `import { … } from "./x.mjs";` and `export`
// declarations only.
const toCjs = (text) => {
  const names = [];
  let out = text.replace(/^import \{([^}]*)\} from "\.\/(\w+)\.mjs";$/gm, 'const {$1} = require("./$2.js");');
  out = out.replace(/^export (async function|function|class) (\w+)/gm, (_, kind, name) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  if (/^(import|export) /m.test(out)) throw new Error("toCjs: unsupported import or export left");
  return `"use strict";\n${out}\nmodule.exports = { ${names.join(", ")} };\n`;
};

// ESM glue (web target): snippet import → ./snippet.mjs.
const webSnippet = snippetPath(path.join(gen, "web"));
let web = read(path.join(gen, "web", "imedit.js"));
web = web.replace(/(from\s+['"])\.\/snippets\/[^'"]+(['"])/g, "$1./snippet.mjs$2");
if (!web.includes("./snippet.mjs")) throw new Error("web glue: snippet import not found");
write("glue.mjs", web);
write("snippet.mjs", read(webSnippet));

// CommonJS glue (nodejs target): snippet require → ./snippet.js, the wasm one folder up.
let node = read(path.join(gen, "node", "imedit.js"));
node = node.replace(/require\(String\.raw`\.\/snippets\/[^`]+`\)/g, 'require("./snippet.js")');
node = node.replace("`${__dirname}/imedit_bg.wasm`", "`${__dirname}/../imedit_bg.wasm`");
if (!node.includes('require("./snippet.js")') || !node.includes("/../imedit_bg.wasm")) {
  throw new Error("nodejs glue: unexpected shape");
}
write("cjs/glue.js", node);
write("cjs/snippet.js", toCjs(read(snippetPath(path.join(gen, "node")))));
write("cjs/package.json", '{ "type": "commonjs" }\n');

const client = read(path.join(src, "client.mjs"));
write("client.mjs", client);
write("cjs/client.js", toCjs(client));

const names = exportNames(web);
const clientNames = [...client.matchAll(/^export (?:async function|function|class) (\w+)/gm)].map((m) => m[1]);
const list = (xs) => xs.join(", ");
const reexports =
  `export { ${list(names)} } from "./glue.mjs";\n` +
  `export { ImeditError, isImeditError } from "./snippet.mjs";\n` +
  `export { ${list(clientNames)} } from "./client.mjs";\n`;
write(
  "node.mjs",
  `// Node.js, Deno and Bun (ES modules): the wasm is read from the package and compiled synchronously.\n` +
    `import { readFileSync } from "node:fs";\nimport { initSync } from "./glue.mjs";\n` +
    `initSync({ module: new WebAssembly.Module(readFileSync(new URL("./imedit_bg.wasm", import.meta.url))) });\n` +
    reexports,
);
write(
  "workerd.mjs",
  `// Cloudflare Workers / workerd: the runtime hands the .wasm import over as a compiled module.\n` +
    `import wasm from "./imedit_bg.wasm";\nimport { initSync } from "./glue.mjs";\ninitSync({ module: wasm });\n` +
    reexports,
);
write(
  "web.mjs",
  `// Browsers and other runtimes: the wasm is fetched next to this file.\n` +
    `import init from "./glue.mjs";\nawait init({ module_or_path: new URL("./imedit_bg.wasm", import.meta.url) });\n` +
    reexports,
);
write(
  "cjs/index.js",
  `"use strict";\n// Node.js require().\nconst glue = require("./glue.js");\nconst snippet = require("./snippet.js");\nconst client = require("./client.js");\n` +
    `module.exports = {\n${names.map((n) => `  ${n}: glue.${n},\n`).join("")}` +
    `  ImeditError: snippet.ImeditError,\n  isImeditError: snippet.isImeditError,\n` +
    `${clientNames.map((n) => `  ${n}: client.${n},\n`).join("")}};\n`,
);

// Declarations: wasm-bindgen's (without the loader API the entries hide) and the helpers'.
let types = read(path.join(gen, "web", "imedit.d.ts"));
const cut = types.indexOf("export type InitInput");
if (cut < 0) throw new Error("d.ts: loader section not found");
types = types.slice(0, cut).trimEnd() + "\n";
// `[Symbol.dispose]` needs TypeScript's esnext.disposable lib; `free()` does the same.
types = types.replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, "");
const clientTypes = read(path.join(src, "client.d.ts")).replace(/^import type \{[^}]*\} from "[^"]*";\n/m, "");
types += "\n" + clientTypes;
if (/\bany\b/.test(types.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""))) throw new Error("d.ts: `any` in the public types");
write("index.d.ts", types);
write("index.d.cts", types);
JS

# Minify the glue (size budget); the entry shims and helpers stay readable. Minifying renames the
# classes, so their exported names are given back (util.inspect and stack traces show them).
for f in glue.mjs cjs/glue.js; do
  "$ESBUILD" "$DIST/$f" --minify --log-level=warning --outfile="$DIST/$f.min" --format="$([ "$f" = glue.mjs ] && echo esm || echo cjs)"
  node - "$DIST/$f.min" <<'JS'
const fs = require("node:fs");
const file = process.argv[2];
let text = fs.readFileSync(file, "utf8");
const pairs = [
  ...[...(text.match(/export\s*\{([^}]*)\}\s*;?\s*$/)?.[1] ?? "").matchAll(/([\w$]+) as ([A-Z]\w*)/g)].map((m) => [m[1], m[2]]), // ESM: export{l as AppToken}
  ...[...text.matchAll(/\bexports\.([A-Z]\w*)=([\w$]+)/g)].map((m) => [m[2], m[1]]), // CommonJS: exports.AppToken=l
];
if (pairs.length < 5) throw new Error(`${file}: exported classes not found`);
text += pairs.map(([local, name]) => `Object.defineProperty(${local},"name",{value:"${name}"});`).join("") + "\n";
fs.writeFileSync(file, text);
JS
  mv "$DIST/$f.min" "$DIST/$f"
done
cp "$ROOT/LICENSE-MIT" "$ROOT/LICENSE-APACHE" "$DIST/"
echo "built $DIST: wasm $(wc -c <"$DIST/imedit_bg.wasm") bytes ($(gzip -9c "$DIST/imedit_bg.wasm" | wc -c) gzipped), glue $(wc -c <"$DIST/glue.mjs") / $(wc -c <"$DIST/cjs/glue.js") bytes"
