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
// The classes ship without their comments and spaces (the .d.ts files
// carry the documentation), names kept for readable stack traces.
const MODULES = ['client', 'stream'];
for (const name of MODULES) {
  const code = fs.readFileSync(path.join(src, `${name}.js`), 'utf8');
  const shipped = esbuild.transformSync(code, { format: 'esm', target: 'es2022', minifyWhitespace: true, minifySyntax: true });
  fs.writeFileSync(path.join(dir, `${name}.js`), shipped.code);
  fs.copyFileSync(path.join(src, `${name}.d.ts`), path.join(dir, `${name}.d.ts`));
}

// Only the web target has an init function to call (bundlers instantiate
// the module on import).
const glue = target === 'web' ? 'default, initSync, init' : 'init';
const types = target === 'web' ? "export type { InitInput, InitOutput, SyncInitInput } from './wasm_websocket.js';\n" : '';
fs.writeFileSync(
  path.join(dir, 'index.js'),
  `export { ${glue} } from './wasm_websocket.js';\nexport { WebSocketClient } from './client.js';\nexport { WebSocketStream, WebSocketError } from './stream.js';\n`,
);
fs.writeFileSync(
  path.join(dir, 'index.d.ts'),
  `export { ${glue} } from './wasm_websocket.js';\n${types}export * from './client.js';\nexport * from './stream.js';\n`,
);

const manifestPath = path.join(dir, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
manifest.files = [...new Set([...(manifest.files ?? []), 'index.js', 'index.d.ts', ...MODULES.flatMap((m) => [`${m}.js`, `${m}.d.ts`])])];
if (manifest.main) manifest.main = 'index.js';
manifest.module = 'index.js';
manifest.types = 'index.d.ts';
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
