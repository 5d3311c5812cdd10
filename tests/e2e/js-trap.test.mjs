// A trap inside the module never turns into a hung page (src/allocator.rs).
// Deep JS recursion that calls into the module at every level ends in a
// stack overflow; where it strikes inside the allocator, the allocator is
// left mid-call. The allocator must then refuse (later calls fail with an
// error) instead of spinning. Each round runs on a fresh instance of the
// plain module and shifts where the overflow strikes (a different frame
// size at each level); afterwards the page must answer, and a later call
// into the same instance must return or throw, in every engine. At least
// one round must have struck the allocator (its instance refuses from then
// on), or the test has not tested what it claims; Firefox stops the
// recursion in JS first (README, engines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, usePackagePage } from './harness.mjs';

const ROUNDS = 24;
// The time a round takes at most: a hung page never answers.
const ANSWER_MS = 20_000;

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, module: 'plain' });

  test(`a stack overflow inside the module, allocator included, leaves the page answering and later calls returning or throwing (${engine})`, async () => {
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const result = ctx.page.evaluate(async (round) => {
        // A second URL is a second module instance, with its own memory.
        const glue = await import(`/pkg/wasm_websocket_plain.js?trap-round=${round}`);
        await glue.default({ module_or_path: '/pkg/wasm_websocket_plain_bg.wasm' });
        const url = `ws://127.0.0.1/${'x'.repeat(1 + round * 13)}`;
        let depth = 0;
        // `padding` changes each level's frame size, so that the overflow
        // strikes at a different instruction in each round.
        const dive = (...padding) => {
          depth += 1;
          glue.connectTarget(url, []);
          return dive(...padding) + padding.length;
        };
        let overflow = 'none';
        try {
          dive(...Array(round).fill(round));
        } catch (error) {
          overflow = error?.constructor?.name ?? String(error);
        }
        const later = [];
        for (let i = 0; i < 3; i++) {
          try {
            later.push(glue.connectTarget(`ws://127.0.0.1/after-${i}`, []) === `ws://127.0.0.1/after-${i}` ? 'returned' : 'wrong value');
          } catch (error) {
            later.push(error?.constructor?.name ?? String(error));
          }
        }
        return { overflow, depth, later };
      }, round);
      const answered = await Promise.race([result, new Promise((resolve) => setTimeout(() => resolve('no answer'), ANSWER_MS))]);
      assert.notEqual(answered, 'no answer', `round ${round}: the page stopped answering`);
      rounds.push(answered);
    }
    for (const [round, { overflow, depth, later }] of rounds.entries()) {
      // RangeError (V8, JavaScriptCore), InternalError (SpiderMonkey's
      // "too much recursion"), RuntimeError (a wasm trap).
      assert.ok(['RangeError', 'InternalError', 'RuntimeError'].includes(overflow), `round ${round}: ${overflow}`);
      assert.ok(depth > 100, `round ${round}: depth ${depth}`);
      // Either the instance works on, or it refuses every later call.
      assert.ok(
        later.every((outcome) => outcome === 'returned') || later.every((outcome) => outcome === 'RuntimeError'),
        `round ${round}: ${later}`,
      );
    }
    const refusing = rounds.filter(({ later }) => later[0] === 'RuntimeError').length;
    // Firefox ends the JS recursion ("too much recursion") before the
    // module's frames ever overflow, so no round can strike the module
    // there (README, engines); the page must still answer.
    if (engine !== 'firefox') {
      assert.ok(refusing > 0, `no round struck the allocator: ${JSON.stringify(rounds.map((r) => r.overflow))}`);
    }
    // The page itself still works: a fresh client connects and echoes.
    const echoed = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/echo`);
      await c.opened;
      const reply = new Promise((resolve) => c.addEventListener('message', (e) => resolve(e.data), { once: true }));
      c.send('still here');
      const data = await reply;
      c.close();
      return data;
    });
    assert.equal(echoed, 'still here');
    console.log(`${engine}: ${refusing} of ${ROUNDS} rounds struck the allocator`);
  });
});
