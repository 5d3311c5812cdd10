// npm run soak: open/echo/close cycles through the Rust callback face, the
// Rust async face and the JS class (plain, and a fifth as many reconnecting:
// those have a wasm core), plus sockets dropped while connecting,
// in one page, plus JS clients the page drops while open (only their
// listeners reference them; each must still deliver its close event). No
// phase calls free(). After a warm-up, wasm linear memory must not grow and
// the JS heap (read through the Chrome DevTools Protocol after forced
// garbage collection) must grow by less than 1 MB. Exits non-zero
// otherwise.
//
//   node bench/soak.mjs [--cycles 10000] [--drops 1000] [--out DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argValue as value, withBenchPage } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CYCLES = Number(value('--cycles', 10_000));
const DROPS = Number(value('--drops', 1_000));
const OUT = path.resolve(value('--out', path.join(ROOT, 'bench')));
const HEAP_LIMIT = 1_000_000;

async function main() {
  await withBenchPage(async ({ server, page, errors }) => {
    const cdp = await page.context().newCDPSession(page);
    const measure = async () => {
      for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const wasm = await page.evaluate(() => window.wasmMemoryBytes());
      return { heap: usedSize, wasm };
    };
    const echo = `ws://127.0.0.1:${server.port}/echo`;
    const hang = `ws://127.0.0.1:${server.port}/hang`;
    const phases = [
      { face: 'callback', url: echo, count: CYCLES },
      { face: 'async', url: echo, count: CYCLES },
      { face: 'js', url: echo, count: CYCLES },
      { face: 'js-reconnecting', url: echo, count: Math.max(20, Math.round(CYCLES / 5)) },
      { face: 'callback-connecting', url: hang, count: DROPS },
      { face: 'js-connecting', url: hang, count: DROPS },
      { face: 'js-dropped', url: `${echo}?closeAfter=500`, count: DROPS },
    ];
    const rows = [];
    for (const phase of phases) {
      const warmup = Math.max(20, Math.round(phase.count / 10));
      await page.evaluate(([f, u, n]) => window.soak[f](u, n), [phase.face, phase.url, warmup]);
      const before = await measure();
      const start = Date.now();
      await page.evaluate(([f, u, n]) => window.soak[f](u, n), [phase.face, phase.url, phase.count]);
      const seconds = (Date.now() - start) / 1000;
      const after = await measure();
      const row = {
        face: phase.face,
        cycles: phase.count,
        seconds,
        wasmBefore: before.wasm,
        wasmGrowth: after.wasm - before.wasm,
        heapBefore: before.heap,
        heapGrowth: after.heap - before.heap,
      };
      row.ok = row.wasmGrowth === 0 && row.heapGrowth < HEAP_LIMIT;
      rows.push(row);
      console.log(
        `${row.face.padEnd(20)} ${String(row.cycles).padStart(6)} cycles in ${seconds.toFixed(1)} s: ` +
          `wasm memory ${row.wasmBefore} B, growth ${row.wasmGrowth} B; ` +
          `JS heap ${row.heapBefore} B, growth ${row.heapGrowth} B ${row.ok ? 'ok' : 'FAIL'}`,
      );
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'soak.json'), JSON.stringify({ date: new Date().toISOString(), cycles: CYCLES, drops: DROPS, rows }, null, 2));
    const failed = rows.filter((r) => !r.ok);
    console.log(`soak: ${rows.length - failed.length} passed, ${failed.length} failed`);
    if (failed.length) process.exitCode = 1;
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
