// Makes the package's entry modules. wasm-pack writes each wasm module's
// glue (wasm_websocket.js: the full module; wasm_websocket_plain.js: the
// plain one); the classes JS users see are src/js/*.js over them. This
// bundles the classes (minified) into index.js and reconnecting-client.js,
// copies their types, minifies the glue, writes index.d.ts, and points
// package.json at them.
//
//   node scripts/package-entry.mjs <package dir> <web|bundler> [--single]
//
// --single: the package has one module (wasm_websocket.js, full), as the
// benchmark's has; init() loads it whatever it is asked.
import fs from 'node:fs';
import os from 'node:os';
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

// The classes ship bundled and minified (fewer requests, and one gzip
// stream compresses better than six), without comments (the .d.ts files
// carry the documentation), local names shortened (the public classes
// keep their `name`, set in their files): index.js, and
// reconnecting-client.js, which only init({ reconnect: true }) (or
// { delivery: true }) loads (a
// bundle of its own: a shared chunk would cost a plain page more than it
// saves).
const TYPED = ['init', 'client', 'stream'];
// Bundled from a staging copy of src/js/ with modules.js beside it (which
// glue init() loads, per target; the glue files stay external). A web page
// fetches the chosen module when init() is called; a bundler instantiates
// what is imported statically, so there the plain module is imported
// (plain clients work without init()) and the full one only by
// init({ reconnect: true }).
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-websocket-js-'));
fs.cpSync(src, stage, { recursive: true, filter: (from) => from === src || from.endsWith('.js') });
const plainGlue = single ? './wasm_websocket.js' : './wasm_websocket_plain.js';
// init({ delivery: true }) loads the delivery module (a superset of the full one).
const fullGlue = single ? "'./wasm_websocket.js'" : "delivery ? './wasm_websocket_delivery.js' : './wasm_websocket.js'";
fs.writeFileSync(
  path.join(stage, 'modules.js'),
  target === 'web'
    ? `export const EAGER = null;\nexport const PLAIN = () => import('${plainGlue}');\nexport const FULL = (delivery) => import(${fullGlue});\n`
    : `import * as plain from '${plainGlue}';\nexport const EAGER = { ...plain };\nexport const PLAIN = async () => plain;\nexport const FULL = (delivery) => import(${fullGlue});\n`,
);
fs.writeFileSync(
  path.join(stage, 'index.js'),
  "export { default, default as init } from './init.js';\nexport { WebSocketClient, WebSocket } from './client.js';\nexport { WebSocketStream, WebSocketError } from './stream.js';\n",
);
const bundle = (entryPoints) =>
  esbuild.buildSync({
    entryPoints,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    outdir: dir,
    external: ['./wasm_websocket*.js', './reconnecting-client.js'],
  });
bundle({ index: path.join(stage, 'index.js') });
bundle({ 'reconnecting-client': path.join(stage, 'reconnecting-client.js') });
fs.rmSync(stage, { recursive: true });
for (const name of TYPED) fs.copyFileSync(path.join(src, `${name}.d.ts`), path.join(dir, `${name}.d.ts`));

// wasm-bindgen's glue, minified the same way (it documents the wasm side,
// which users never call), and without `initSync`: init() chooses and
// fetches the module, so the package does not export it.
const GLUES = ['wasm_websocket', ...(single ? [] : ['wasm_websocket_plain', 'wasm_websocket_delivery'])];
for (const stem of GLUES) {
  for (const file of [`${stem}.js`, `${stem}_bg.js`]) {
    const at = path.join(dir, file);
    if (!fs.existsSync(at)) continue;
    let code = fs.readFileSync(at, 'utf8');
    if (target === 'web' && file === `${stem}.js`) {
      const exported = 'export { initSync, __wbg_init as default };';
      if (!code.includes(exported)) throw new Error(`${file}: wasm-bindgen's export line changed; update package-entry.mjs`);
      code = code.replace(exported, 'export { __wbg_init as default };');
    }
    fs.writeFileSync(at, esbuild.transformSync(code, { format: 'esm', target: 'es2022', minify: true, treeShaking: true }).code);
  }
}

write(
  'index.d.ts',
  "export { default, default as init } from './init.js';\nexport type { InitOptions, ModuleSource } from './init.js';\nexport * from './client.js';\nexport * from './stream.js';\n",
);

const manifestPath = path.join(dir, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const moduleFiles = (stem) => [`${stem}_bg.wasm`, `${stem}.js`, `${stem}.d.ts`, ...(target === 'web' ? [] : [`${stem}_bg.js`])];
const plainFiles = single ? [] : [...moduleFiles('wasm_websocket_plain'), ...moduleFiles('wasm_websocket_delivery')];
// The server side of delivery (Node, for the `ws` package): copied as it is.
for (const name of ['server.js', 'server.d.ts']) fs.copyFileSync(path.join(src, name), path.join(dir, name));
manifest.files = [
  ...new Set([
    ...(manifest.files ?? []),
    ...plainFiles,
    'index.js',
    'index.d.ts',
    'reconnecting-client.js',
    'server.js',
    'server.d.ts',
    ...TYPED.map((m) => `${m}.d.ts`),
  ]),
];
// `wasm-websocket/server` for Node; every file stays importable by its path.
manifest.exports = {
  '.': { types: './index.d.ts', default: './index.js' },
  './server': { types: './server.d.ts', default: './server.js' },
  './*': './*',
};
if (manifest.main) manifest.main = 'index.js';
manifest.module = 'index.js';
manifest.types = 'index.d.ts';
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
