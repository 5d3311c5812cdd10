// The chat rooms of the test server (server/chat-room.js), from Node with the
// `ws` client: broadcast with nickname and server timestamp, joins and
// leaves with the member count, notices pushed unasked (on a timer and
// from the control endpoint), the `chat` subprotocol, and every limit:
// message size (1009), rate (1008), room size (1008), bad frames (1008),
// missing nickname (1008), foreign origins (403), each with a log line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createServer } from '../../server/server.js';

let close;
let base;
const lines = [];

before(async () => {
  let server;
  ({ server, close } = createServer({
    logger: (...parts) => lines.push(parts.join(' ')),
    chat: { noticeMs: 300, maxMembers: 3, rateCount: 5, rateWindowMs: 1000, maxMessageBytes: 256 },
  }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${server.address().port}`;
});

after(() => close());

/** A member of `room`: its received messages (parsed) and helpers. */
async function member(room, nick, options = {}) {
  const ws = new WebSocket(`ws://${base}/room/${room}?nick=${encodeURIComponent(nick)}`, ['chat'], options);
  const got = [];
  const waiters = [];
  ws.on('message', (data) => {
    got.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  const until = async (what, fn, ms = 3000) => {
    const end = Date.now() + ms;
    while (!fn(got)) {
      if (Date.now() > end) throw new Error(`${nick}: timed out waiting for ${what}; got ${JSON.stringify(got)}`);
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return got;
  };
  return { ws, got, closed, until, say: (text, id) => ws.send(JSON.stringify({ type: 'say', text, id })) };
}

const ofType = (got, type) => got.filter((m) => m.type === type);

test('a message reaches every member, the sender too, with nickname, id and server timestamp', async () => {
  const a = await member('lobby', 'Ann');
  const b = await member('lobby', 'Bob');
  assert.equal(a.ws.protocol, 'chat');
  const before = Date.now();
  a.say('hello room', 'm1');
  for (const m of [a, b]) await m.until('the message', (got) => ofType(got, 'message').length === 1);
  for (const m of [a, b]) {
    const [message] = ofType(m.got, 'message');
    assert.equal(message.nick, 'Ann');
    assert.equal(message.text, 'hello room');
    assert.equal(message.id, 'm1');
    assert.ok(message.at >= before && message.at <= Date.now(), `timestamp ${message.at}`);
  }
  assert.deepEqual(ofType(a.got, 'welcome').map((w) => [w.you, w.room, w.members]), [['Ann', 'lobby', 1]]);
  // A plain member's rate: no burst beyond its window's count.
  assert.deepEqual(ofType(a.got, 'welcome')[0].rate, { count: 5, windowMs: 1000, burst: 5 });
  a.ws.close();
  b.ws.close();
});

test('joins and leaves are announced with the member count', async () => {
  const a = await member('counts', 'Ann');
  const b = await member('counts', 'Bob');
  await a.until('Bob joined', (got) => ofType(got, 'join').some((j) => j.nick === 'Bob'));
  b.ws.close();
  await a.until('Bob left', (got) => ofType(got, 'leave').length === 1);
  assert.deepEqual(
    a.got.filter((m) => m.type === 'join' || m.type === 'leave').map((m) => [m.type, m.nick, m.members]),
    [
      ['join', 'Ann', 1],
      ['join', 'Bob', 2],
      ['leave', 'Bob', 1],
    ],
  );
  a.ws.close();
});

test('the server pushes notices unasked: on its timer and from the control endpoint', async () => {
  const a = await member('news', 'Ann');
  await a.until('a timed notice', (got) => ofType(got, 'notice').some((n) => n.text.startsWith('server time ')));
  const response = await fetch(`http://${base}/control/notice?room=news&text=${encodeURIComponent('hello from another tab')}`);
  assert.equal(await response.text(), '1');
  await a.until('the pushed notice', (got) => ofType(got, 'notice').some((n) => n.text === 'hello from another tab'));
  assert.equal((await fetch(`http://${base}/control/notice?room=news`)).status, 400);
  a.ws.close();
});

test('limits close the offender with 1009 or 1008 and a log line; the others stay', async () => {
  const calm = await member('limits', 'Calm');
  const big = await member('limits', 'Big');
  big.ws.send(JSON.stringify({ type: 'say', text: 'x'.repeat(300) }));
  assert.deepEqual(await big.closed, { code: 1009, reason: 'message too big' });

  const fast = await member('limits', 'Fast');
  for (let i = 0; i < 6; i++) fast.say(`spam ${i}`);
  assert.deepEqual(await fast.closed, { code: 1008, reason: 'rate limit' });
  await calm.until('the 5 allowed messages', (got) => ofType(got, 'message').filter((m) => m.nick === 'Fast').length === 5);

  const binary = await member('limits', 'Bin');
  binary.ws.send(Buffer.from([1, 2, 3]));
  assert.equal((await binary.closed).code, 1008);
  const junk = await member('limits', 'Junk');
  junk.ws.send('not json');
  assert.equal((await junk.closed).code, 1008);
  const shape = await member('limits', 'Shape');
  shape.ws.send(JSON.stringify({ type: 'shout', text: 'hi' }));
  assert.equal((await shape.closed).code, 1008);

  assert.equal(calm.ws.readyState, WebSocket.OPEN);
  for (const why of [/Big in limits with 1009: \d+ bytes > 256/, /Fast in limits with 1008: more than 5 messages/, /Bin in limits with 1008: binary frame/, /Junk in limits with 1008: invalid JSON/, /Shape in limits with 1008: malformed message/]) {
    assert.ok(lines.some((l) => why.test(l)), `log line matching ${why}`);
  }
  calm.ws.close();
});

test('a full room and a missing nickname are refused with 1008', async () => {
  const members = [await member('full', 'A'), await member('full', 'B'), await member('full', 'C')];
  const fourth = await member('full', 'D');
  assert.deepEqual(await fourth.closed, { code: 1008, reason: 'room is full' });
  const nameless = await member('full2', '   ');
  assert.equal((await nameless.closed).code, 1008);
  assert.ok(lines.some((l) => l.includes('room full is full (3)')));
  for (const m of members) m.ws.close();
});

test('the origin allow-list applies to chat rooms', async () => {
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(`ws://${base}/room/lobby?nick=Eve`, ['chat'], { origin: 'https://evil.example' });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.on('open', () => resolve(101));
    ws.on('error', () => {});
  });
  assert.equal(status, 403);
});
