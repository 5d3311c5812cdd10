// The package's TypeScript declarations, checked by the TypeScript
// compiler in strict mode: correct uses compile, wrong ones are rejected
// (each `@ts-expect-error` line must really be an error), and the class's
// public surface has no `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, outputFile } from './harness.mjs';

const CONSUMER = `
import init, { WebSocketClient, WebSocket as DropIn, WebSocketStream, WebSocketError, type MessageData, type BinaryType, type WebSocketClientEventMap, type WebSocketCloseInfo } from '../../pkg/index.js';

export async function streams(signal: AbortSignal): Promise<void> {
  const wss = new WebSocketStream('ws://127.0.0.1:8080/echo', { protocols: ['echo-protocol'], signal, highWaterMark: 1 << 16, reconnect: { maxRetries: 3 } });
  const fresh = new WebSocketStream(async () => \`ws://127.0.0.1:8080/echo?token=\${Date.now()}\`, { protocols: () => ['echo-protocol'], reconnect: true });
  fresh.addEventListener('reconnecting', function (e) {
    const lost: number = e.detail.possiblyLost;
    const stream: WebSocketStream = this;
    void [lost, stream];
  });
  fresh.addEventListener('gaveup', (e) => void e.detail.reason.toUpperCase());
  // @ts-expect-error: a reconnected event's detail has no possiblyLost
  fresh.addEventListener('reconnected', (e) => e.detail.possiblyLost);
  fresh.close();
  const { readable, writable, protocol, extensions } = await wss.opened;
  const writer = writable.getWriter();
  await writer.write('text');
  await writer.write(new Uint8Array([1, 2]));
  const reader = readable.getReader();
  const { value } = await reader.read();
  if (typeof value === 'string') value.toUpperCase();
  else if (value) value.byteLength;
  const url: string = wss.url;
  wss.close({ closeCode: 1000, reason: 'bye' });
  const info: Required<WebSocketCloseInfo> = await wss.closed;
  const code: number = info.closeCode;
  const error = new WebSocketError('done', { closeCode: 4000, reason: 'why' });
  const errorCode: number | null = error.closeCode;
  const dom: DOMException = error;
  await readable.cancel(error);
  void [protocol, extensions, url, code, errorCode, dom];
  // @ts-expect-error: close takes { closeCode, reason }, not a number
  wss.close(1000);
  // @ts-expect-error: readable chunks are strings or ArrayBuffers
  const wrong: Blob | undefined = (await reader.read()).value;
  void wrong;
}

export async function demo(file: File, image: ImageData): Promise<void> {
  await init();
  const ws = new WebSocketClient('ws://127.0.0.1:8080/echo', ['echo-protocol'], { binaryType: 'arraybuffer' });
  const again = new WebSocketClient(new URL('ws://127.0.0.1:8080/'), 'echo-protocol');
  again.close();
  const state: 0 | 1 | 2 | 3 = ws.readyState;
  const open: 1 = WebSocketClient.OPEN;
  if (state === open) ws.send('hi');
  ws.binaryType = 'blob';
  const bt: BinaryType = ws.binaryType;
  ws.onmessage = (e) => {
    const data: MessageData = e.data;
    if (typeof data === 'string') data.toUpperCase();
    else if (data instanceof Blob) data.size;
    else data.byteLength;
  };
  ws.onclose = (e) => console.log(e.code, e.reason, e.wasClean);
  ws.onopen = null;
  // DOM dispatch: the client is \`this\` and the event's target.
  ws.onmessage = function (e) {
    this.send(typeof e.data === 'string' ? e.data : 'binary');
  };
  ws.addEventListener('message', function (e) {
    const self: WebSocketClient = this;
    void [self, e.data];
  });
  const target: EventTarget = ws;
  target.dispatchEvent(new Event('open'));
  const controller = new AbortController();
  ws.addEventListener('reconnecting', (e) => e.detail.attempt, { signal: controller.signal, passive: true, capture: false });
  ws.removeEventListener('close', () => {}, { capture: true });
  ws.addEventListener('custom', (e: Event) => e.type); // any other type, as on every EventTarget
  ws.addEventListener('close', (e) => e.wasClean, { once: true });
  ws.addEventListener('message', { handleEvent: (e: WebSocketClientEventMap['message']) => e.data });
  ws.send(new Uint8Array([1]));
  ws.send(new Uint8Array([1]).buffer);
  ws.send(new DataView(new ArrayBuffer(2)));
  ws.send(file);
  ws.send(new Blob(['x']));
  ws.send(image);
  const n: number = ws.bufferedAmount;
  await ws.opened;
  await ws.drain(1 << 20);
  const closed: CloseEvent = await ws.closed;
  void closed;
  const s: string = ws.url + ws.protocol + ws.extensions;
  ws.close();
  ws.close(4000, 'bye');
  ws.free();
  ws[Symbol.dispose]();
  void [bt, n, s];

  // @ts-expect-error: binaryType is a closed union
  ws.binaryType = 'text';
  // @ts-expect-error: readyState is read-only
  ws.readyState = 1;
  // @ts-expect-error: numbers are not sendable without conversion
  ws.send(42);
  // @ts-expect-error: a known event type gets its own event type
  ws.addEventListener('close', (e: MessageEvent) => e.data);
  // @ts-expect-error: reconnect events carry their detail type
  ws.addEventListener('reconnecting', (e) => e.detail.nope);
  // @ts-expect-error: close events have no data
  ws.addEventListener('close', (e) => e.data);
  // @ts-expect-error: the close code is a number
  ws.close('1000');
  // @ts-expect-error: opened resolves with nothing
  const nothing: CloseEvent = await ws.opened;
  void nothing;
  // @ts-expect-error: protocols are strings
  new WebSocketClient('ws://x/', [1]);
  // The drop-in name is the same class; the discard counters are numbers.
  const dropIn: WebSocketClient = new DropIn('ws://x/', [], { sendAfterClose: 'throw' });
  const discarded: number = dropIn.discardedSends + dropIn.discardedBytes;
  void discarded;
  // @ts-expect-error: sendAfterClose is 'discard' or 'throw'
  new DropIn('ws://x/', [], { sendAfterClose: 'drop' });
  // @ts-expect-error: the counters are read-only
  dropIn.discardedSends = 0;
}
`;

test('the .d.ts accepts correct uses and rejects wrong ones under --strict', () => {
  const file = outputFile(path.join('types', 'consumer.ts'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, CONSUMER);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    output = execFileSync(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,esnext.disposable', '--skipLibCheck', 'false', file],
      { encoding: 'utf8' },
    );
  } catch (e) {
    output = `${e.stdout}${e.stderr}`;
    assert.fail(`tsc rejected the consumer:\n${output}`);
  }
  assert.equal(output.trim(), '');
});

test('the public class surface has no any', () => {
  const read = (file) => fs.readFileSync(path.join(ROOT, 'pkg', file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''); // types, not prose
  const surface = read('client.d.ts') + read('stream.d.ts');
  assert.match(surface, /export class WebSocketClient extends EventTarget/);
  assert.match(surface, /export class WebSocketStream extends EventTarget \{/);
  assert.match(surface, /export class WebSocketError extends DOMException/);
  assert.doesNotMatch(surface, /\bany\b/);
});
