// The demo page as a person uses it, in headless Chromium: connect, text
// echo, file echo, canvas echo, binaryType switch, auto-send, close with
// code and reason, the readyState indicator, and a screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, outputFile, startServer } from './harness.mjs';

let server;
let browser;
let page;
let problems;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, `${server.base}/`, { viewport: { width: 1200, height: 900 } }));
  await page.waitForSelector('body[data-ready=true]');
  // Record every readyState the indicator shows, in order.
  await page.evaluate(() => {
    window.stateTrail = [document.getElementById('state').textContent];
    new MutationObserver(() => window.stateTrail.push(document.getElementById('state').textContent)).observe(
      document.getElementById('state'),
      { childList: true, characterData: true, subtree: true },
    );
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const entries = (kind) =>
  page.$$eval(`#log li[data-kind="${kind}"]`, (lis) => lis.map((li) => ({ ...li.dataset, text: li.querySelector('.body').textContent })));

async function waitForEntries(kind, count) {
  await page.waitForFunction(([k, n]) => document.querySelectorAll(`#log li[data-kind="${k}"]`).length >= n, [kind, count]);
  return entries(kind);
}

test('the URL defaults to the serving host and connecting opens with echo-protocol', async () => {
  assert.match(await page.inputValue('#url'), new RegExp(`^${server.ws}/echo\\?key=demo-[a-z0-9]+$`));
  await page.click('#connect');
  await page.waitForSelector('#state[data-state="1"]');
  assert.equal(await page.textContent('#state'), 'OPEN');
  const [open] = await entries('open');
  assert.match(open.text, /protocol "echo-protocol"/);
});

test('sent text comes back and shows in the log', async () => {
  await page.fill('#text', 'Hello Server! héllo');
  await page.click('#send-text');
  const [message] = await waitForEntries('message', 1);
  assert.equal(message.type, 'text');
  assert.equal(message.text, 'text, 19 chars: Hello Server! héllo');
});

test('a chosen file is echoed with the same size, as Blob then ArrayBuffer after the switch', async () => {
  const bytes = Buffer.alloc(300_000, 0);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  await page.setInputFiles('#file', { name: 'sample.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await page.click('#send-file');
  let messages = await waitForEntries('message', 2);
  assert.equal(messages[1].type, 'Blob');
  assert.equal(messages[1].size, '300000');
  await page.waitForFunction(() => document.getElementById('upload').value === 1);
  assert.match(await page.textContent('#upload-text'), /^100% \(300000 of 300000 bytes/);

  await page.check('input[name=binary-type][value=arraybuffer]');
  await page.click('#send-file');
  messages = await waitForEntries('message', 3);
  assert.equal(messages[2].type, 'ArrayBuffer');
  assert.equal(messages[2].size, '300000');
  assert.match(messages[2].text, /^ArrayBuffer, 300000 bytes: 00 07 0e 15/);
});

test('canvas pixels are echoed and painted pixel-equal on the second canvas', async () => {
  // Draw a stroke as a person would.
  const box = await page.locator('#draw').boundingBox();
  await page.mouse.move(box.x + 20, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + 80, box.y + 30, { steps: 8 });
  await page.mouse.move(box.x + 150, box.y + 110, { steps: 8 });
  await page.mouse.up();
  await page.click('#send-canvas');
  await page.waitForFunction(() => document.getElementById('canvas-status').textContent.startsWith('echo painted'));
  const same = await page.evaluate(() => {
    const read = (id) => {
      const c = document.getElementById(id);
      return c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    };
    const a = read('draw');
    const b = read('echo');
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
    const dark = a.filter((v, i) => i % 4 === 0 && v < 60).length;
    return { length: a.length, differing, dark };
  });
  assert.equal(same.length, 160 * 120 * 4);
  assert.equal(same.differing, 0);
  assert.ok(same.dark > 50, 'the drawn stroke is in the image');
});

test('auto-send sends a random number every second and each comes back', async () => {
  const before = (await entries('message')).length;
  await page.check('#auto-send');
  await page.waitForFunction((n) => document.querySelectorAll('#log li[data-kind="message"]').length >= n + 2, before, { timeout: 4000 });
  await page.uncheck('#auto-send');
  const sent = (await entries('sent')).filter((e) => e.text.startsWith('number '));
  assert.ok(sent.length >= 2, `sent ${sent.length}`);
  const echoed = (await entries('message')).slice(before).map((e) => e.text);
  for (const entry of sent.slice(0, 2)) {
    const number = entry.text.slice('number '.length);
    assert.match(number, /^\d{1,8}$/);
    assert.ok(Number(number) <= 0xffffff);
    assert.ok(echoed.includes(`text, ${number.length} chars: ${number}`), `echo of ${number}`);
  }
});

test('an invalid close code is reported, then close shows code and reason', async () => {
  await page.fill('#close-code', '1001');
  await page.click('#close');
  const [failure] = await waitForEntries('failure', 1);
  assert.match(failure.text, /^InvalidAccessError: close code 1001 is not allowed/);
  assert.equal(await page.textContent('#state'), 'OPEN');

  await page.fill('#close-code', '4000');
  await page.fill('#close-reason', 'bye from the demo');
  await page.click('#close');
  const [close] = await waitForEntries('close', 1);
  assert.equal(close.code, '4000');
  assert.equal(close.reason, 'bye from the demo');
  assert.equal(close.clean, 'true');
  assert.equal(close.text, 'code 4000 reason "bye from the demo" wasClean true');
  await page.waitForSelector('#state[data-state="3"]');
});

test('the readyState indicator followed every transition', async () => {
  const trail = await page.evaluate(() => window.stateTrail);
  assert.deepEqual(trail, ['CLOSED', 'CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
});

test('the server dropping the connection is recovered from, and shown', async () => {
  const url = await page.inputValue('#url');
  await page.click('#connect');
  await page.waitForSelector('#state[data-state="1"]');
  const before = (await entries('reconnect')).length;
  await page.click('#drop');
  await page.waitForFunction((n) => document.querySelectorAll('#log li[data-kind="reconnect"]').length >= n + 2, before, { timeout: 5000 });
  const [lost, back] = (await entries('reconnect')).slice(before);
  assert.match(lost.text, /^connection lost \(1006\); attempt 1 in \d+ ms(; messages: [^;]+)?$/);
  assert.ok(Number(lost.delay) >= 500 && Number(lost.delay) <= 1000, lost.delay);
  assert.equal(back.text, 'reconnected on attempt 1');
  await page.waitForSelector('#state[data-state="1"]');
  assert.match(await page.textContent('#reconnect-status'), /^Reconnect: connected · queued 0 messages \(0 bytes\) · reconnected 1 times$/);
  await page.click('#send-text');
  await page.waitForFunction(() => [...document.querySelectorAll('#log li[data-kind="message"]')].at(-1)?.dataset.text === 'Hello Server! héllo');
  assert.equal(await page.inputValue('#url'), url);
});

test('a refused connection is shown clearly', async () => {
  await page.uncheck('#reconnect');
  await page.fill('#url', `${server.ws}/refuse`);
  await page.click('#connect');
  const failures = await waitForEntries('failure', 3);
  assert.ok(failures.some((f) => f.text === `could not connect to ${server.ws}/refuse`), JSON.stringify(failures));
  assert.ok(failures.some((f) => f.text === 'connection failed before it opened (1006)'));
  await page.fill('#url', 'ftp://nowhere/');
  await page.click('#connect');
  const last = (await waitForEntries('failure', 4)).at(-1);
  assert.match(last.text, /^SyntaxError: invalid WebSocket URL "ftp:\/\/nowhere\/"/);
});

test('screenshot, and no script errors or CSP violations on the page', async () => {
  // Show a healthy, reconnecting session in the picture.
  await page.check('#reconnect');
  await page.fill('#url', `${server.ws}/echo?key=screenshot`);
  await page.click('#connect');
  await page.waitForSelector('#state[data-state="1"]');
  await page.click('#send-text');
  await page.click('#send-canvas');
  await page.click('#drop');
  await page.waitForFunction(() => document.getElementById('reconnect-status').textContent.includes('reconnected 1 times'));
  await page.click('#send-text');
  await page.waitForTimeout(300);
  await page.screenshot({ path: outputFile('demo.png'), fullPage: true });
  const csp = (await page.request.get(`${server.base}/`)).headers()['content-security-policy'];
  assert.equal(csp, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'");
  assert.deepEqual(problems, []);
});
