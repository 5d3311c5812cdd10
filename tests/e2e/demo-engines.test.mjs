// The demo page in every engine (demo.test.mjs goes through every control
// with Playwright in Chromium): it loads under its CSP, connects with
// echo-protocol, echoes text and a canvas, survives a server-side drop with
// reconnect on, closes with a code and reason, and leaves a screenshot
// (test-output/demo-<engine>.png) to look at. Controls are used through the
// DOM (click(), value + input events), the same way in every engine.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, launch, outputFile, startServer } from './harness.mjs';

for (const engine of ENGINES) {
  describe(engine, () => {
    let server;
    let browser;
    let page;

    before(async () => {
      server = await startServer();
      browser = await launch(engine);
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`${server.base}/`);
      await page.waitForSelector('body[data-ready=true]');
      await page.evaluate(() => {
        window.ui = {
          click: (id) => document.getElementById(id).click(),
          fill(id, value) {
            const input = document.getElementById(id);
            input.value = value;
            input.dispatchEvent(new Event('input', { bubbles: true }));
          },
          entries: (kind) => [...document.querySelectorAll(`#log li[data-kind="${kind}"]`)].map((li) => li.querySelector('.body').textContent),
          state: () => document.getElementById('state').textContent,
        };
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test('connects with echo-protocol and shows OPEN', async () => {
      await page.evaluate(() => ui.click('connect'));
      await page.waitForSelector('#state[data-state="1"]');
      const got = await page.evaluate(() => ({ state: ui.state(), open: ui.entries('open') }));
      assert.equal(got.state, 'OPEN');
      assert.match(got.open[0], /protocol "echo-protocol"/);
    });

    test('text and canvas come back and show in the log', async () => {
      await page.evaluate(() => {
        ui.fill('text', `Hello from ${navigator.userAgent.includes('Firefox') ? 'Firefox' : 'a browser'}`);
        ui.click('send-text');
        ui.click('send-canvas');
      });
      await page.waitForFunction(() => document.querySelectorAll('#log li[data-kind="message"]').length >= 2);
      const messages = await page.evaluate(() => ui.entries('message'));
      assert.match(messages[0], /^text, \d+ chars: Hello from /);
      assert.match(messages[1], /bytes/);
    });

    test('a server-side drop is followed by a reconnect', async () => {
      await page.evaluate(() => ui.click('drop'));
      await page.waitForFunction(() => document.getElementById('reconnect-status').textContent.includes('reconnected 1 times'), undefined, { timeout: 15_000 });
      const got = await page.evaluate(() => ({ state: ui.state(), reconnect: ui.entries('reconnect') }));
      assert.equal(got.state, 'OPEN');
      assert.equal(got.reconnect.at(-1), 'reconnected on attempt 1');
    });

    test('closes with a code and reason; screenshot; no script errors or CSP violations', async () => {
      await page.evaluate(() => {
        ui.fill('close-code', '4000');
        ui.fill('close-reason', 'bye');
        ui.click('close');
      });
      await page.waitForSelector('#state[data-state="3"]');
      const closes = await page.evaluate(() => ui.entries('close'));
      assert.ok(closes.includes('code 4000 reason "bye" wasClean true'), closes.join(' | '));
      await page.screenshot({ path: outputFile(`demo-${engine}.png`) });
      assert.deepEqual(await page.problems(), []);
    });
  });
}
