// Copies Redoc's standalone bundle from the pinned npm package into
// adapters/http/apidoc/assets, with one patch: the "API docs by Redocly" link in
// the side menu loads its logo from a CDN, which the docs page's CSP (and the
// rule that the page contacts no other host) forbids; the patch replaces that
// image with an empty inline SVG. Nothing else changes.
//
//   node vendor-redoc.mjs            writes the assets
//   node vendor-redoc.mjs --check    exits 1 if the committed assets differ
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "node_modules/redoc/bundles");
const dst = join(here, "../../adapters/http/apidoc/assets");

const cdnLogo = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const localLogo = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

const bundle = readFileSync(join(src, "redoc.standalone.js"), "utf8");
const hits = bundle.split(cdnLogo).length - 1;
if (hits !== 1) {
  console.error(`vendor-redoc: expected the CDN logo URL once in the bundle, found it ${hits} times; review the patch for this Redoc version`);
  process.exit(1);
}
const files = {
  "redoc.standalone.js": bundle.replace(cdnLogo, localLogo),
  "redoc.standalone.js.LICENSE.txt": readFileSync(join(src, "redoc.standalone.js.LICENSE.txt"), "utf8"),
  "redoc.LICENSE": readFileSync(join(here, "node_modules/redoc/LICENSE"), "utf8"),
};
const version = JSON.parse(readFileSync(join(here, "node_modules/redoc/package.json"), "utf8")).version;

if (process.argv.includes("--check")) {
  let stale = false;
  for (const [name, want] of Object.entries(files)) {
    let got = "";
    try { got = readFileSync(join(dst, name), "utf8"); } catch { /* missing */ }
    if (got !== want) {
      console.error(`vendor-redoc: adapters/http/apidoc/assets/${name} is not redoc@${version}'s (patched) file; run: npm --prefix tools/npm run vendor-redoc`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
  console.log(`vendor-redoc: assets match redoc@${version} (patched: no CDN logo)`);
} else {
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dst, name), body);
  console.log(`vendor-redoc: wrote redoc@${version} into adapters/http/apidoc/assets`);
}
