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

async function startServer(env = {}) {
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

function stopServer(server) {
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * Starts the echo server, opens the benchmark page in Chromium (gc()
 * exposed) and runs `body` with { server, browser, page, errors, timer }:
 * uncaught page errors collect in `errors`; `timer` is the page's
 * cross-origin isolation and performance.now()'s step. Afterwards the
 * browser is closed and the server stopped, whatever happened.
 */
export async function withBenchPage(body) {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser(['--js-flags=--expose-gc']);
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
    return await body({ server, browser, page, errors, timer });
  } finally {
    await browser?.close();
    stopServer(server);
  }
}

/** The command-line value after `name`, or `fallback`. */
export function argValue(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}
