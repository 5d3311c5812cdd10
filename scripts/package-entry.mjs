// Makes the package's entry module: wasm-pack writes the glue
// (wasm_websocket.js), and the class JS users see is src/js/client.js over
// it. This copies the class (minified) and its types into the package, writes
// index.js/index.d.ts re-exporting what users import, and points
// package.json at them.
//
//   node scripts/package-entry.mjs <package dir> <web|bundler|...>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const [dir, target = 'web'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/package-entry.mjs <package dir> [target]');
  process.exit(2);
}
const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'js');
// The class ships without its comments and spaces (the .d.ts carries the
// documentation), names kept for readable stack traces: −2.2 KB gzipped.
const client = fs.readFileSync(path.join(src, 'client.js'), 'utf8');
const shipped = esbuild.transformSync(client, { format: 'esm', target: 'es2022', minifyWhitespace: true, minifySyntax: true });
fs.writeFileSync(path.join(dir, 'client.js'), shipped.code);
fs.copyFileSync(path.join(src, 'client.d.ts'), path.join(dir, 'client.d.ts'));

// Only the web target has an init function to call (bundlers instantiate
// the module on import).
const glue = target === 'web' ? 'default, initSync, init' : 'init';
const types = target === 'web' ? "export type { InitInput, InitOutput, SyncInitInput } from './wasm_websocket.js';\n" : '';
fs.writeFileSync(
  path.join(dir, 'index.js'),
  `export { ${glue} } from './wasm_websocket.js';\nexport { WebSocketClient } from './client.js';\n`,
);
fs.writeFileSync(
  path.join(dir, 'index.d.ts'),
  `export { ${glue} } from './wasm_websocket.js';\n${types}export * from './client.js';\n`,
);

const manifestPath = path.join(dir, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
manifest.files = [...new Set([...(manifest.files ?? []), 'index.js', 'index.d.ts', 'client.js', 'client.d.ts'])];
if (manifest.main) manifest.main = 'index.js';
manifest.module = 'index.js';
manifest.types = 'index.d.ts';
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
