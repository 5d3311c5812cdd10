// The npm package as a user gets it: `npm run build:bundler` (wasm-pack
// with the package's features, then the short import names), `npm pack`,
// installed into a scratch project from the tarball, bundled by Vite (with
// vite-plugin-wasm), and run in every engine against the echo server. (The --target web build is what the demo page imports directly.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ENGINES, ROOT, OUTPUT, launch, startServer } from './harness.mjs';

const SCRATCH = path.join(OUTPUT, 'consumer');
const PACK = path.join(OUTPUT, 'pack');
const env = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let server;
let dist;
let tarball;

before(async () => {
  run('bash', [path.join(ROOT, 'scripts', 'build.sh'), '--target', 'bundler', '--out-dir', 'pkg-bundler'], ROOT);
  fs.rmSync(PACK, { recursive: true, force: true });
  fs.mkdirSync(PACK, { recursive: true });
  const packed = JSON.parse(run('npm', ['pack', path.join(ROOT, 'pkg-bundler'), '--pack-destination', PACK, '--json'], ROOT));
  tarball = packed[0];

  fs.rmSync(SCRATCH, { recursive: true, force: true });
  fs.mkdirSync(SCRATCH, { recursive: true });
  const write = (name, text) => fs.writeFileSync(path.join(SCRATCH, name), text);
  write('package.json', JSON.stringify({ name: 'scratch-consumer', private: true, type: 'module', dependencies: { 'wasm-websocket': `file:${path.join(PACK, tarball.filename)}` } }, null, 2));
  write('vite.config.mjs', "import wasm from 'vite-plugin-wasm';\nexport default { plugins: [wasm()], build: { target: 'esnext' }, logLevel: 'warn' };\n");
  write('index.html', '<!doctype html><meta charset="utf-8"><title>consumer</title><pre id="out">starting</pre><script type="module" src="./main.js"></script>\n');
  write(
    'main.js',
    `import init, { WebSocketClient } from 'wasm-websocket';
const out = document.getElementById('out');
const url = new URLSearchParams(location.search).get('ws');
const ws = new WebSocketClient(url, 'echo-protocol', { binaryType: 'arraybuffer' });
const got = [];
ws.onopen = () => { ws.send('from a bundled app'); ws.send(new Uint8Array([1, 2, 3])); };
ws.onmessage = (e) => {
  got.push(typeof e.data === 'string' ? e.data : [...new Uint8Array(e.data)].join(','));
  if (got.length === 2) ws.close(1000, 'done');
};
ws.onclose = async function (e) {
  const plain = { got, code: e.code, reason: e.reason, clean: e.wasClean, eventTarget: this instanceof EventTarget };
  // The full module, a chunk of its own, loaded on demand.
  await init({ reconnect: true });
  const resilient = new WebSocketClient(url, 'echo-protocol', { reconnect: true });
  resilient.onopen = () => resilient.send('reconnecting client');
  resilient.onmessage = (m) => { resilient.close(1000); out.textContent = JSON.stringify({ ...plain, resilient: m.data }); };
};
`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], SCRATCH);
  run('node', [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], SCRATCH);
  dist = path.join(SCRATCH, 'dist');
  server = await startServer();
});

after(async () => {
  await server?.close();
});

test('the packed tarball has complete metadata and only the package files', () => {
  const meta = JSON.parse(fs.readFileSync(path.join(SCRATCH, 'node_modules', 'wasm-websocket', 'package.json'), 'utf8'));
  for (const field of ['name', 'version', 'description', 'license', 'repository', 'types', 'files']) {
    assert.ok(meta[field], `package.json has ${field}`);
  }
  assert.equal(meta.name, 'wasm-websocket');
  const files = tarball.files.map((f) => f.path).sort();
  // Both wasm modules (plain and full), the bundled classes and their types.
  for (const stem of ['wasm_websocket', 'wasm_websocket_plain']) {
    for (const file of [`${stem}_bg.wasm`, `${stem}.js`, `${stem}_bg.js`, `${stem}.d.ts`]) assert.ok(files.includes(file), `${file} in ${files}`);
  }
  for (const entry of ['index.js', 'reconnecting-client.js', 'index.d.ts', 'init.d.ts', 'client.d.ts', 'stream.d.ts']) assert.ok(files.includes(entry), `${entry} in ${files}`);
  assert.equal(meta.module, 'index.js');
  assert.equal(meta.types, 'index.d.ts');
  assert.ok(files.every((f) => !f.startsWith('src/') && !f.includes('node_modules')), files.join());
});

for (const engine of ENGINES) test(`a Vite-bundled app using the installed package talks to the echo server in ${engine}`, async () => {
  const files = http.createServer((req, res) => {
    const rel = new URL(req.url, 'http://x').pathname;
    const file = path.join(dist, rel === '/' ? 'index.html' : rel);
    if (!file.startsWith(dist) || !fs.existsSync(file)) return res.writeHead(404).end();
    const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'Content-Type': type }).end(fs.readFileSync(file));
  });
  await new Promise((r) => files.listen(0, '127.0.0.1', r));
  const browser = await launch(engine);
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${files.address().port}/?ws=${encodeURIComponent(`${server.ws}/echo`)}`);
    await page.waitForFunction(() => document.getElementById('out').textContent.startsWith('{'), undefined, { timeout: 10000 });
    const result = JSON.parse(await page.evaluate(() => document.getElementById('out').textContent));
    assert.deepEqual(result, { got: ['from a bundled app', '1,2,3'], code: 1000, reason: 'done', clean: true, eventTarget: true, resilient: 'reconnecting client' });
    assert.deepEqual(await page.problems(), []);
  } finally {
    await browser.close();
    files.close();
  }
});
