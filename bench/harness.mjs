// What the benchmark and the soak share: the echo/test server as a child
// process on a free loopback port, stopped by the PID it recorded, and the
// benchmark page in Chromium with gc() exposed.
import { launch, launchBrowser } from '../tests/e2e/harness.mjs';
import { launch as launchServer } from '../server/launch.mjs';

/**
 * Starts the echo server, opens the benchmark page in `engine` (Chromium by
 * default, with gc() exposed; Firefox and WebKit through browsers.mjs) and
 * runs `body` with { server, browser, page, errors, timer, agent }:
 * uncaught page errors collect in `errors` (read them with `await
 * errors()` in other engines); `timer` is the page's cross-origin isolation
 * and performance.now()'s step. Afterwards the browser is closed and the
 * server stopped, whatever happened.
 */
export async function withBenchPage(body, { engine = 'chromium' } = {}) {
  const server = await launchServer();
  let browser;
  try {
    let page;
    let errors;
    if (engine === 'chromium') {
      // Playwright's own page: the soak reads the heap over the DevTools protocol.
      browser = await launchBrowser(['--js-flags=--expose-gc']);
      page = await browser.newPage();
      errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
    } else {
      browser = await launch(engine);
      page = await browser.newPage();
    }
    await page.goto(`http://127.0.0.1:${server.port}/bench/page.html`);
    await page.waitForFunction(() => window.ready === true, undefined, { timeout: 30_000 });
    const agent = await page.evaluate(() => navigator.userAgent);
    // Latency is read with performance.now(); its resolution depends on
    // cross-origin isolation (see server/server.js), so check it and report it.
    const timer = await page.evaluate(() => {
      let step = Infinity;
      for (let i = 0, last = performance.now(); i < 100_000 && step > 0.001; i++) {
        const t = performance.now();
        if (t > last) step = Math.min(step, t - last);
        last = t;
      }
      return { isolated: self.crossOriginIsolated, resolutionMs: step };
    });
    if (!timer.isolated && engine === 'chromium') throw new Error('the benchmark page is not cross-origin isolated');
    if (engine !== 'chromium') {
      // Collected at the end of the run, like Playwright's events.
      const read = () => page.problems();
      errors = { read };
    }
    return await body({ server, browser, page, errors, timer, agent });
  } finally {
    await browser?.close();
    await server.close();
  }
}

/** The command-line value after `name`, or `fallback`. */
export function argValue(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}
