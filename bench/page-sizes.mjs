// What a page loads of the npm package (pkg/, the web build), gzipped
// (zlib level 9), against the size budgets:
// - a page that makes only plain clients (and plain streams): init()
//   loads the plain module;
// - a page that uses every feature: init({ reconnect: true }) loads the
//   full module instead.
// - a page that uses delivery: init({ delivery: true }) loads the delivery
//   module instead of the full one (no budget: what it pays over the full
//   page is reported).
// All load index.js (the classes, bundled); the full and delivery pages
// also the reconnecting client's part, reconnecting-client.js.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// 20 KiB for a plain page; the every-feature page must not grow past
// 46,500 B (it was 45,633 B before the drop-in work of 0.2).
export const BUDGETS = { plain: 20_480, full: 46_500 };

export const PAGES = {
  plain: ['index.js', 'wasm_websocket_plain.js', 'wasm_websocket_plain_bg.wasm'],
  full: ['index.js', 'reconnecting-client.js', 'wasm_websocket.js', 'wasm_websocket_bg.wasm'],
  delivery: ['index.js', 'reconnecting-client.js', 'wasm_websocket_delivery.js', 'wasm_websocket_delivery_bg.wasm'],
};

/** `{ files: { name: { raw, gzip } }, pages: { plain: { gzip, budget, within } , full: … } }`. */
export function pageSizes(dir) {
  const files = {};
  for (const file of new Set(Object.values(PAGES).flat())) {
    const at = path.join(dir, file);
    if (!fs.existsSync(at)) throw new Error(`${at} is missing: run npm run build first`);
    const bytes = fs.readFileSync(at);
    files[file] = { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  }
  const pages = {};
  for (const [page, list] of Object.entries(PAGES)) {
    const gzip = list.reduce((sum, file) => sum + files[file].gzip, 0);
    pages[page] = { files: list, gzip, budget: BUDGETS[page] ?? null, within: !(gzip > BUDGETS[page]) };
  }
  // What delivery costs a page: the delivery module against the full one.
  pages.delivery.overFull = pages.delivery.gzip - pages.full.gzip;
  return { files, pages };
}

/** Lines for the bench's report. */
export function describe(sizes) {
  const lines = ['npm package (pkg/, release, wasm-opt), gzipped:'];
  for (const [file, s] of Object.entries(sizes.files)) lines.push(`  ${file.padEnd(30)} ${String(s.raw).padStart(7)} B raw, ${String(s.gzip).padStart(6)} B gzipped`);
  lines.push('', 'bytes a page loads (gzipped) against the budget:');
  for (const [page, p] of Object.entries(sizes.pages)) {
    const budget = p.budget === null ? `${p.overFull} B more than the full page` : `budget ${p.budget} B  ${p.within ? 'ok' : 'OVER BUDGET'}`;
    lines.push(`  ${page.padEnd(8)} ${String(p.gzip).padStart(6)} B  ${budget}  (${p.files.join(' + ')})`);
  }
  return lines;
}
