// Makes the package's entry modules. wasm-pack writes each wasm module's
// glue (wasm_websocket.js: the full module; wasm_websocket_plain.js: the
// plain one); the classes JS users see are src/js/*.js over them. This
// minifies the glue, copies the classes (minified) and their types into
// the package, writes modules.js (which files init() loads, per target),
// index.js/index.d.ts re-exporting what users import, and points
// package.json at them.
//
//   node scripts/package-entry.mjs <package dir> <web|bundler> [--single]
//
// --single: the package has one module (wasm_websocket.js, full), as the
// benchmark's has; init() loads it whatever it is asked.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const args = process.argv.slice(2);
const single = args.includes('--single');
const [dir, target = 'web'] = args.filter((a) => a !== '--single');
if (!dir) {
  console.error('usage: node scripts/package-entry.mjs <package dir> [target] [--single]');
  process.exit(2);
}
const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'js');
const write = (name, text) => fs.writeFileSync(path.join(dir, name), text);

// The classes ship as one minified module, index.js (fewer requests, and
// one gzip stream compresses better than six): src/js/*.js bundled, without
// comments (the .d.ts files carry the documentation), local names
// shortened, the names users see (classes, methods, exports) kept. Only
// modules.js, written below per target, stays a file of its own.
const TYPED = ['init', 'client', 'stream'];
const entry = "export { default, default as init } from './init.js';\nexport { WebSocketClient } from './client.js';\nexport { WebSocketStream, WebSocketError } from './stream.js';\n";
const bundled = esbuild.buildSync({
  stdin: { contents: entry, resolveDir: src, sourcefile: 'index.js' },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  keepNames: true,
  external: ['./modules.js'],
  write: false,
});
write('index.js', bundled.outputFiles[0].text);
for (const name of TYPED) fs.copyFileSync(path.join(src, `${name}.d.ts`), path.join(dir, `${name}.d.ts`));

// wasm-bindgen's glue, minified the same way (it documents the wasm side,
// which users never call).
const GLUES = ['wasm_websocket', ...(single ? [] : ['wasm_websocket_plain'])];
for (const stem of GLUES) {
  for (const file of [`${stem}.js`, `${stem}_bg.js`]) {
    const at = path.join(dir, file);
    if (fs.existsSync(at)) fs.writeFileSync(at, esbuild.transformSync(fs.readFileSync(at, 'utf8'), { format: 'esm', target: 'es2022', minify: true }).code);
  }
}

// Which glue init() loads. A web page fetches the chosen module when
// init() is called; a bundler instantiates what is imported statically, so
// there the plain module is imported (plain clients work without init())
// and the full one only by init({ reconnect: true }).
const plainGlue = single ? './wasm_websocket.js' : './wasm_websocket_plain.js';
write(
  'modules.js',
  target === 'web'
    ? `export const EAGER = null;\nexport const PLAIN = () => import('${plainGlue}');\nexport const FULL = () => import('./wasm_websocket.js');\n`
    : `import * as plain from '${plainGlue}';\nexport const EAGER = { ...plain };\nexport const PLAIN = async () => plain;\nexport const FULL = () => import('./wasm_websocket.js');\n`,
);

write(
  'index.d.ts',
  "export { default, default as init } from './init.js';\nexport type { InitOptions, ModuleSource } from './init.js';\nexport * from './client.js';\nexport * from './stream.js';\n",
);

const manifestPath = path.join(dir, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const plainFiles = single
  ? []
  : ['wasm_websocket_plain_bg.wasm', 'wasm_websocket_plain.js', 'wasm_websocket_plain.d.ts', ...(target === 'web' ? [] : ['wasm_websocket_plain_bg.js'])];
manifest.files = [
  ...new Set([
    ...(manifest.files ?? []),
    ...plainFiles,
    'index.js',
    'index.d.ts',
    'modules.js',
    ...TYPED.map((m) => `${m}.d.ts`),
  ]),
];
if (manifest.main) manifest.main = 'index.js';
manifest.module = 'index.js';
manifest.types = 'index.d.ts';
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
