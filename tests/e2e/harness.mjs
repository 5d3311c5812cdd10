// Shared by the browser tests: the echo/test server (server/launch.mjs) on
// an ephemeral 127.0.0.1 port (stopped by the test, by its PID), and the browsers of
// browsers.mjs (Debian's Chromium, Firefox ESR and WebKitGTK; never a
// downloaded browser). launchBrowser/openPage are Playwright on Chromium,
// for the tests that use Playwright's richer page API.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after, describe } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ENGINES, launch } from './browsers.mjs';
import { launch as launchServer } from '../../server/launch.mjs';

export { ENGINES, launch };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUTPUT = path.join(ROOT, 'test-output');

export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: install the Debian package "chromium" (npm test does it as root)');
  }
}

export async function launchBrowser(extraArgs = []) {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * Starts the echo/test server; `env` adds its settings (CHAT_NOTICE_MS …).
 * `close()` stops it.
 */
export async function startServer(env = {}) {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'wasm_websocket.js'))) {
    throw new Error('pkg/ is missing: run `npm run build` (npm test does it) first');
  }
  return launchServer({ env });
}

/** A page that fails the test on any uncaught error or CSP violation. */
export async function openPage(browser, url, options = {}) {
  const page = await browser.newPage(options);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|WebSocket connection to|WebSocket is already in CLOSING or CLOSED state/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  await page.goto(url);
  return { page, problems };
}

/**
 * A second server on an ephemeral 127.0.0.1 port, in this process, in
 * front of the project's server at `projectPort`: `own(req, res)` answers
 * what it returns true for, every other request is passed through. For
 * pages the project's server does not serve (its CSP admits sockets to its
 * own origin only) and for the servers of third-party libraries. `close()`
 * stops it and ends its connections.
 */
export async function startFrontServer(projectPort, own = () => false) {
  const server = http.createServer((req, res) => {
    if (own(req, res)) return;
    const upstream = http.request(
      { host: '127.0.0.1', port: projectPort, path: req.url, method: req.method, headers: req.headers, agent: false },
      (reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', (e) => res.writeHead(502).end(String(e)));
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    server,
    port,
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function outputFile(name) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  return path.join(OUTPUT, name);
}

/**
 * The demo page of a fresh server in a fresh browser of `engine` (see
 * browsers.mjs), with the package loaded as `window.WSC` and small helpers:
 * `module` 'full' (the default: init({ reconnect: true })), 'plain' (init())
 * or 'delivery' (init({ delivery: true })).
 * the common start of the browser test files. Returns { engine, server,
 * browser, page }; `page.problems()` lists uncaught errors so far.
 * `browserArgs` are extra command-line flags for Chromium.
 */
export async function packagePage({ engine = 'chromium', browserArgs = [], module = 'full' } = {}) {
  const server = await startServer();
  const browser = await launch(engine, { args: browserArgs });
  const page = await browser.newPage();
  await loadPackage(page, server, module);
  return { engine, server, browser, page };
}

/**
 * Opens `server`'s demo page in `page` and loads the package there, as
 * `packagePage` does (a page's CSP lets it connect to its own server only).
 * The demo page has called init({ delivery: true }) already (www/app.js),
 * and a loaded module stays: the delivery module serves every `module`
 * here. What init() alone loads is tested on a page without the package
 * (js-init.test.mjs).
 */
export async function loadPackage(page, server, module = 'full') {
  await page.goto(`${server.base}/`);
  await page.waitForSelector('body[data-ready=true]');
  await page.evaluate(async ([ws, module]) => {
    const mod = await import('/pkg/index.js');
    // init() loads the plain module, init({ reconnect: true }) the full one.
    await mod.default(module === 'plain' ? undefined : module === 'delivery' ? { delivery: true } : { reconnect: true });
    window.WSS = mod.WebSocketStream;
    window.WSC = mod.WebSocketClient;
    window.WS_BASE = ws;
    window.HTTP_BASE = ws.replace('ws', 'http');
    window.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // Waits for what the page can observe, never for a guessed time.
    window.until = async (what, fn, ms = 5000) => {
      const end = Date.now() + ms;
      while (!fn()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(5);
      }
    };
  }, [server.ws, module]);
}

/**
 * `packagePage()` for a group of tests: opened before its first test
 * (then `setup()` runs in the page), closed after its last. Returns an
 * object whose `engine`, `server`, `browser` and `page` are set once it is
 * open.
 */
export function usePackagePage({ setup, ...options } = {}) {
  const ctx = {};
  before(async () => {
    Object.assign(ctx, await packagePage(options));
    if (setup) await ctx.page.evaluate(setup);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/**
 * Takes the page of `ctx` offline or back online. Chromium: the DevTools
 * protocol's network emulation (navigator.onLine follows, the events fire,
 * connections fail). Firefox and WebKit have no such switch for a page, so
 * there `navigator.onLine` is overridden and the event dispatched.
 */
export async function setOffline(ctx, offline) {
  if (ctx.engine === 'chromium') {
    ctx.cdp ??= await ctx.page.context().newCDPSession(ctx.page);
    await ctx.cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    return;
  }
  await ctx.page.evaluate((offline) => {
    Object.defineProperty(Navigator.prototype, 'onLine', { configurable: true, get: () => !offline });
    window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
  }, offline);
}

/** `body(engine)` inside a `describe(engine)` for every engine under test. */
export function forEachEngine(body) {
  for (const engine of ENGINES) describe(engine, () => body(engine));
}
