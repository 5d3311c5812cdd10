// The three engines the e2e tests run in, each from Debian's packages and
// never a downloaded browser, behind one small page interface:
//   chromium  Debian's chromium, driven by playwright-core (DevTools protocol)
//   firefox   Debian's firefox-esr, driven by puppeteer-core (WebDriver BiDi)
//   webkit    WebKitGTK's MiniBrowser, driven by WebKitWebDriver (W3C
//             WebDriver; needs a display: npm test starts Xvfb)
// A page has goto(url), evaluate(fn, arg), waitForFunction(fn, arg, opts),
// waitForSelector(css), screenshot(path) and problems(): the uncaught
// errors and console errors seen so far.
//
// WS_ENGINES=chromium,firefox,webkit (the default) picks the engines.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

export const ENGINES = (process.env.WS_ENGINES ?? 'chromium,firefox,webkit').split(',').filter(Boolean);

const which = (...names) => {
  for (const name of names) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error(`none of ${names.join(', ')} found: npm test installs the Debian packages as root`);
};

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Console lines every engine prints for a refused connection: not our errors. */
const EXPECTED_CONSOLE = /Failed to load resource|WebSocket connection to|Firefox can.t establish a connection|WebSocket network error|was interrupted while the page was loading|WebSocket is already in CLOSING or CLOSED state/;

/** Launches `engine`; `close()` ends it. `args` are extra Chromium flags. */
export async function launch(engine, { args = [] } = {}) {
  switch (engine) {
    case 'chromium':
      return playwrightBrowser(
        await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? which('chromium', 'chromium-browser'), args: [...CHROMIUM_ARGS, ...args] }),
      );
    case 'firefox':
      return puppeteerBrowser(await puppeteer.launch({ browser: 'firefox', executablePath: which('firefox-esr', 'firefox'), headless: true }));
    case 'webkit':
      return WebKitBrowser.launch();
    default:
      throw new Error(`unknown engine ${engine}`);
  }
}

function playwrightBrowser(browser) {
  return {
    async newPage({ viewport = { width: 1200, height: 900 } } = {}) {
      const page = await browser.newPage({ viewport });
      const problems = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text()) && problems.push(`console: ${m.text()}`));
      return Object.assign(page, {
        async problems() {
          return [...problems];
        },
        raw: page,
      });
    },
    close: () => browser.close(),
  };
}

function puppeteerBrowser(browser) {
  return {
    async newPage({ viewport = { width: 1200, height: 900 } } = {}) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      const problems = [];
      // Firefox reports its own connection failures as page errors too.
      page.on('pageerror', (e) => !EXPECTED_CONSOLE.test(e.message) && problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text()) && problems.push(`console: ${m.text()}`));
      return {
        raw: page,
        goto: (url) => page.goto(url),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        waitForFunction: (fn, arg, { timeout = 30_000 } = {}) => page.waitForFunction(fn, { timeout, polling: 20 }, arg),
        waitForSelector: (css, { timeout = 30_000 } = {}) => page.waitForSelector(css, { timeout }),
        screenshot: ({ path }) => page.screenshot({ path }),
        async problems() {
          return [...problems];
        },
      };
    },
    close: () => browser.close(),
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * WebKitGTK's MiniBrowser through its own WebKitWebDriver, started here on a
 * free port and stopped by its PID: plain W3C WebDriver over fetch.
 */
class WebKitBrowser {
  static async launch() {
    if (!process.env.DISPLAY) throw new Error('WebKit needs a display: run under npm test (it starts Xvfb) or set DISPLAY');
    const binary = execFileSync('sh', ['-c', "dpkg -L libwebkit2gtk-4.1-0 | grep '/MiniBrowser$' | head -n1"], { encoding: 'utf8' }).trim();
    if (!binary) throw new Error('MiniBrowser not found: install the Debian package webkit2gtk-driver');
    const port = await freePort();
    const driver = spawn(which('WebKitWebDriver'), [`--port=${port}`], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/status`)).ok) break;
      } catch {
        if (i > 100) throw new Error('WebKitWebDriver did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return new WebKitBrowser(driver, base, binary);
  }

  constructor(driver, base, binary) {
    this.driver = driver;
    this.base = base;
    this.binary = binary;
    this.sessions = [];
  }

  /** One page is one WebDriver session (one MiniBrowser window). */
  async newPage({ viewport = { width: 1200, height: 900 } } = {}) {
    const capabilities = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: this.binary, args: ['--automation'] } };
    const created = await webdriver(this.base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    const session = `${this.base}/session/${created.sessionId}`;
    this.sessions.push(session);
    const call = (method, path, body) => webdriver(session, method, path, body);
    await call('POST', '/timeouts', { script: 170_000, pageLoad: 60_000 });
    await call('POST', '/window/rect', viewport).catch(() => {});
    return new WebKitPage(call);
  }

  async close() {
    for (const session of this.sessions) await webdriver(session, 'DELETE', '').catch(() => {});
    this.driver.kill();
  }
}

async function webdriver(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
  return json.value;
}

/** Installed in every page WebKit loads: collects what the other drivers report as events. */
const WATCH_PROBLEMS = `
  if (!window.__problems) {
    window.__problems = [];
    // Read after every listener ran: an error a page handles with
    // preventDefault() is not a problem.
    addEventListener('error', (e) => setTimeout(() => e.defaultPrevented || __problems.push('pageerror: ' + e.message)));
    addEventListener('unhandledrejection', (e) => __problems.push('pageerror: ' + (e.reason && e.reason.message || e.reason)));
    const error = console.error;
    console.error = (...args) => { __problems.push('console: ' + args.join(' ')); error.apply(console, args); };
  }`;

class WebKitPage {
  constructor(call) {
    this.call = call;
  }

  async goto(url) {
    await this.call('POST', '/url', { url });
    await this.call('POST', '/execute/sync', { script: WATCH_PROBLEMS, args: [] });
  }

  /** Runs `fn(arg)` in the page, awaiting a returned promise; values come back as JSON. */
  async evaluate(fn, arg) {
    const script = `const done = arguments[arguments.length - 1];
      const args = Array.prototype.slice.call(arguments, 0, -1);
      Promise.resolve().then(() => (${fn.toString()})(...args)).then(
        (value) => done({ ok: true, value: value === undefined ? null : value }),
        (e) => done({ ok: false, error: String((e && e.stack) || e), message: String((e && e.message) || e) }));`;
    const result = await this.call('POST', '/execute/async', { script, args: arg === undefined ? [] : [arg] });
    if (!result.ok) throw new Error(`${result.message}\n${result.error}`);
    return result.value;
  }

  async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await this.evaluate(fn, arg);
      if (value) return value;
      if (Date.now() > end) throw new Error(`waitForFunction timed out after ${timeout} ms: ${fn}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  waitForSelector(css, options) {
    return this.waitForFunction((selector) => document.querySelector(selector) !== null, css, options);
  }

  async screenshot({ path }) {
    // Let the page paint its latest state first (two frames, or 1 s).
    await this.evaluate(() => new Promise((r) => {
      requestAnimationFrame(() => requestAnimationFrame(r));
      setTimeout(r, 1000);
    }));
    fs.writeFileSync(path, Buffer.from(await this.call('GET', '/screenshot'), 'base64'));
  }

  async problems() {
    return (await this.evaluate(() => window.__problems ?? [])).slice();
  }
}
