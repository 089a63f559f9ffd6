#!/usr/bin/env bash
# Regenerates docs/openapi.json (or, with --check, compares it) from the sources
# WITHOUT touching dist/: `nest build` (so the @nestjs/swagger CLI plugin runs, exactly
# as for `npm run build`) into a temporary folder, then that build's scripts/openapi.js.
#   bash scripts/openapi-regen.sh           # write docs/openapi.json
#   bash scripts/openapi-regen.sh --check   # fail when docs/openapi.json is stale
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/llmos-openapi-build.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
OUT="$TMP/out"

node -e '
const [root, tmp, out] = process.argv.slice(1);
const fs = require("fs");
const cli = JSON.parse(fs.readFileSync(root + "/nest-cli.json", "utf8"));
cli.compilerOptions.tsConfigPath = tmp + "/tsconfig.json";
cli.compilerOptions.watchAssets = false;
// nest resolves asset folders against the working folder (the checkout): give it a relative one.
const relOut = require("path").relative(root, out);
cli.compilerOptions.assets = (cli.compilerOptions.assets || []).map((a) => ({ ...a, outDir: a.outDir.replace(/^dist/, relOut) }));
fs.writeFileSync(tmp + "/nest-cli.json", JSON.stringify(cli, null, 2));
fs.writeFileSync(tmp + "/tsconfig.json", JSON.stringify({
  extends: root + "/tsconfig.build.json",
  compilerOptions: { outDir: out, rootDir: root, baseUrl: root, typeRoots: [root + "/node_modules/@types"] },
  include: ["src/**/*.ts", "scripts/**/*.ts", "migrations/**/*.ts"].map((p) => root + "/" + p),
  exclude: [root + "/node_modules", root + "/dist", root + "/test", root + "/**/*.spec.ts"],
}, null, 2));
' "$ROOT" "$TMP" "$OUT"

cd "$ROOT"
REL="$(realpath --relative-to="$ROOT" "$TMP")"   # nest resolves -c against the working folder
npx --no-install nest build -c "$REL/nest-cli.json" -p "$REL/tsconfig.json" >&2
ln -s "$ROOT/node_modules" "$OUT/node_modules"   # the build resolves packages from the checkout
node "$OUT/scripts/openapi.js" "$@"
