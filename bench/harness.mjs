// What the benchmark and the soak share: the echo/test server as a child
// process on a free loopback port, stopped by the PID it recorded, and the
// benchmark page in Chromium with gc() exposed.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../tests/e2e/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'www', 'server.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => d.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  child.stdout.resume();
  return { pid: child.pid, port };
}

export function stopServer(server) {
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * Chromium (with gc() exposed) on the benchmark page of `server`, ready.
 * Returns { browser, page, errors, timer } (uncaught page errors collect
 * there; timer: cross-origin isolation and performance.now()'s step).
 */
export async function openBenchPage(server) {
  const browser = await launchBrowser(['--js-flags=--expose-gc']);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.port}/bench/page.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
  // Latency is read with performance.now(); its resolution depends on
  // cross-origin isolation (see www/server.js), so check it and report it.
  const timer = await page.evaluate(() => {
    let step = Infinity;
    for (let i = 0, last = performance.now(); i < 100_000 && step > 0.001; i++) {
      const t = performance.now();
      if (t > last) step = Math.min(step, t - last);
      last = t;
    }
    return { isolated: self.crossOriginIsolated, resolutionMs: step };
  });
  if (!timer.isolated) throw new Error('the benchmark page is not cross-origin isolated');
  return { browser, page, errors, timer };
}
