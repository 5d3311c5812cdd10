// Keeps the benchmark and soak harnesses from rotting: a smoke run of each
// (tiny sizes, one round), checking that every client and workload
// reported sane numbers and that the shortened soak found no growth.
// Timing is not judged here; `npm run bench` does that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, OUTPUT } from './harness.mjs';

const run = (script, args) =>
  execFileSync(process.execPath, [path.join(ROOT, 'bench', script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('bench harness smoke run: every client and workload measured, echoes checked', () => {
  const out = path.join(OUTPUT, 'bench-smoke');
  const printed = run('run.mjs', ['--smoke', '--out', out]);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  assert.deepEqual(report.workloads.map((w) => w.name), ['pipelined', 'rtt', 'binary', 'backpressure']);
  for (const w of report.workloads) {
    const clients = w.clients.map((c) => c.client).sort();
    // Each face plain and reconnecting, and with delivery; the relay floor
    // (an EventTarget that re-dispatches) wherever the JS class runs
    // without backpressure.
    const base =
      w.name === 'backpressure'
        ? ['js-class', 'js-delivery', 'js-reconnecting', 'raw-blob', 'raw-view', 'rust-async', 'rust-async-reconnecting']
        : ['floor-relay', 'js-class', 'js-delivery', 'js-reconnecting', 'raw-blob', 'raw-view', 'rust-async', 'rust-async-reconnecting', 'rust-callback', 'rust-delivery', 'rust-reconnecting'];
    // The streams with their floor; Chromium has a native WebSocketStream to compare ours with.
    const stream = ['pipelined', 'binary'].includes(w.name);
    const expected = stream ? [...base, 'floor-streams', 'stream-delivery', 'stream-native', 'stream-ours', 'stream-reconnecting'].sort() : base;
    assert.deepEqual(clients, expected, w.name);
    for (const c of w.clients) {
      assert.ok(Number.isFinite(c.median) && c.median > 0, `${w.name}/${c.client}: ${c.median}`);
      assert.ok(Number.isFinite(c.ratio) && c.ratio > 0, `${w.name}/${c.client} ratio`);
      // Chromium's renderer time: every client runs script and uses the main thread.
      assert.ok(c.threadUsPerMessage > 0 && Number.isFinite(c.threadRatio), `${w.name}/${c.client} main-thread time`);
      assert.ok(c.scriptUsPerMessage >= 0 && Number.isFinite(c.scriptRatio), `${w.name}/${c.client} script time`);
    }
    // Delivery against reconnecting alone, and its ACK frames: coalesced,
    // far fewer than the data messages.
    for (const c of w.clients.filter((c) => c.client.endsWith('-delivery'))) {
      assert.ok(Number.isFinite(c.toReconnecting) && c.toReconnecting > 0, `${w.name}/${c.client} to reconnecting`);
      if (c.client === 'rust-delivery') continue; // its driver closes at once: acks are counted on the JS clients
      assert.ok(c.acksPerMessage > 0 && c.acksPerMessage <= 1, `${w.name}/${c.client}: ${c.acksPerMessage} ACK frames per message`);
    }
    // Each face read against the floor of its shape, paired per round.
    const floored = w.name === 'backpressure' ? [] : ['js-reconnecting', ...(stream ? ['stream-ours', 'stream-reconnecting'] : [])];
    for (const name of floored) {
      const c = w.clients.find((x) => x.client === name);
      assert.ok(Number.isFinite(c.toFloor) && c.toFloor > 0, `${w.name}/${name} to its floor: ${c.toFloor}`);
    }
    assert.ok(!w.clients.some((c) => c.toFloor !== undefined && !floored.includes(c.client)), `${w.name}: only the floored faces have a ratio to a floor`);
    const raw = w.clients.find((c) => c.client === 'raw-view');
    assert.equal(raw.threadRatio, 1, 'raw is the unit');
  }
  // The page is cross-origin isolated, so latencies are read in 5 µs steps.
  assert.ok(report.timerResolutionMs > 0 && report.timerResolutionMs <= 0.005, `performance.now() step ${report.timerResolutionMs} ms`);
  // The bytes each kind of page loads, measured against the budgets.
  assert.deepEqual(Object.keys(report.sizes.pages), ['plain', 'full', 'delivery']);
  for (const page of Object.values(report.sizes.pages)) {
    assert.ok(page.gzip > 0 && typeof page.within === 'boolean');
    assert.equal(page.gzip, page.files.reduce((sum, file) => sum + report.sizes.files[file].gzip, 0));
  }
  assert.ok(report.sizes.pages.plain.budget > 0 && report.sizes.pages.full.budget > 0);
  assert.ok(report.sizes.pages.plain.gzip < report.sizes.pages.full.gzip / 1.5, 'the plain page loads the plain module');
  const { delivery, full } = report.sizes.pages;
  assert.equal(delivery.overFull, delivery.gzip - full.gzip, 'what delivery costs a page is reported');
  assert.ok(delivery.overFull > 0 && !full.files.some((f) => f.includes('delivery')), 'only a delivery page loads the delivery module');
  assert.match(fs.readFileSync(path.join(out, 'results.svg'), 'utf8'), /^<svg /);
  assert.match(printed, /bytes a page loads/);
});

test('shortened soak: no wasm memory growth, JS heap growth under 1 MB, for every face', () => {
  const out = path.join(OUTPUT, 'soak');
  const printed = run('soak.mjs', ['--cycles', '300', '--drops', '100', '--out', out]);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'soak.json'), 'utf8'));
  assert.deepEqual(report.rows.map((r) => r.face), ['callback', 'async', 'js', 'js-reconnecting', 'callback-connecting', 'js-connecting', 'js-dropped']);
  for (const row of report.rows) {
    assert.equal(row.wasmGrowth, 0, `${row.face}: wasm memory grew`);
    assert.ok(row.heapGrowth < 1_000_000, `${row.face}: heap grew ${row.heapGrowth}`);
  }
  assert.match(printed, /soak: 7 passed, 0 failed/);
});

test('a panic in wasm aborts the call and init() routes its message to the console', async () => {
  const { launchBrowser, startServer } = await import('./harness.mjs');
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(`${server.base}/bench/page.html`);
    await page.waitForFunction(() => window.ready === true);
    const thrown = await page.evaluate(async () => {
      const mod = await import('/pkg-bench/wasm_websocket.js');
      try {
        mod.bench_panic('from the test');
        return 'no panic';
      } catch (e) {
        return `${e.constructor.name}: ${e.message}`;
      }
    });
    assert.match(thrown, /^RuntimeError: unreachable/);
    assert.ok(consoleErrors.some((t) => t.includes('deliberate panic: from the test')), consoleErrors.join('\n'));
  } finally {
    await browser.close();
    await server.close();
  }
});
