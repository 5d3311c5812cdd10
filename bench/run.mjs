// npm run bench: the raw browser WebSocket and every face of wasm-websocket,
// side by side in one headless Chromium, against a loopback echo server that
// this script starts and stops (by its PID). Rounds are interleaved and the
// client order rotates each round; the report gives medians and the median
// of per-round paired ratios to raw JS.
//
//   node bench/run.mjs [--rounds N] [--smoke] [--only rtt,binary] [--clients a,b] [--out DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argValue as value, withBenchPage } from './harness.mjs';
import { describe, pageSizes } from './page-sizes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SMOKE = process.argv.includes('--smoke');
const ROUNDS = Number(value('--rounds', SMOKE ? 1 : 9));
const OUT = path.resolve(value('--out', path.join(ROOT, 'bench')));
// --engine chromium (default), firefox or webkit; results of engines other
// than Chromium go to results-<engine>.json.
const ENGINE = value('--engine', 'chromium');
const SUFFIX = ENGINE === 'chromium' ? '' : `-${ENGINE}`;

const MIB = 1 << 20;
const WORKLOADS = SMOKE
  ? [
      { name: 'pipelined', count: 200, size: 32, clients: 'all', blocks: 2 },
      { name: 'rtt', count: 20, size: 32, clients: 'all', blocks: 2 },
      { name: 'binary', count: 2, size: 64 * 1024, clients: 'all' },
      { name: 'backpressure', count: 4, size: 256 * 1024, clients: 'backpressure' },
    ]
  : [
      { name: 'pipelined', count: 20_000, size: 32, clients: 'all', blocks: 10 },
      { name: 'rtt', count: 2_000, size: 32, clients: 'all', blocks: 100 },
      { name: 'binary', count: 64, size: MIB, clients: 'all' },
      { name: 'backpressure', count: 256, size: MIB, clients: 'backpressure' },
    ];
const ONLY = value('--only', '');
if (ONLY) {
  const names = ONLY.split(',');
  WORKLOADS.splice(0, WORKLOADS.length, ...WORKLOADS.filter((w) => names.includes(w.name)));
  if (WORKLOADS.length !== names.length) throw new Error(`--only: unknown workload in ${ONLY}`);
}
// Each face plain and reconnecting (with its heartbeat and outbox on).
const CLIENTS = [
  'raw-view', 'raw-blob', 'floor-relay', 'js-class', 'js-reconnecting', 'rust-callback', 'rust-reconnecting', 'rust-async', 'rust-async-reconnecting',
  // End-to-end delivery, measured against reconnecting alone (same run, paired).
  'js-delivery', 'rust-delivery',
];
// --clients: only these (and the raw clients, floors and reconnecting
// partners their ratios need), for a quick look at one face.
const PICKED = value('--clients', '').split(',').filter(Boolean);
/**
 * The faces read against the floor of their shape (bench/page.js): an
 * EventTarget that re-dispatches each message, streams over the socket.
 */
const FLOOR_PAIRS = { 'js-reconnecting': 'floor-relay', 'stream-ours': 'floor-streams', 'stream-reconnecting': 'floor-streams' };
/** Each delivery client and the reconnecting client it is compared with. */
const DELIVERY_PAIRS = { 'js-delivery': 'js-reconnecting', 'rust-delivery': 'rust-reconnecting', 'stream-delivery': 'stream-reconnecting' };
// Pipelined text and 1 MiB binary also through WebSocketStream: ours, plain
// and reconnecting, and Chrome's native one where the engine has it.
const STREAM_WORKLOADS = ['pipelined', 'binary'];
const STREAM_CLIENTS = ['floor-streams', 'stream-ours', 'stream-reconnecting', 'stream-delivery'];
// The callback faces have no backpressure of their own; the others wait on
// bufferedAmount (raw: a 4 ms poll loop; JS class: drain(); async: the Sink).
const BACKPRESSURE_CLIENTS = ['raw-view', 'raw-blob', 'js-class', 'js-reconnecting', 'js-delivery', 'rust-async', 'rust-async-reconnecting'];

/** `list` in an order that depends only on `seed` (mulberry32, Fisher-Yates). */
function shuffled(list, seed) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** The headline figure of one measurement, higher is better. */
function figure(workload, m) {
  const seconds = m.elapsedMs / 1000;
  switch (workload.name) {
    case 'pipelined':
      return workload.count / seconds; // messages/s
    case 'rtt':
      return 1000 / median(m.latencies); // round trips/s at the median latency
    default:
      return (workload.count * workload.size) / MIB / seconds; // MiB/s
  }
}

function sizes() {
  const out = pageSizes(path.join(ROOT, 'pkg'));
  const faces = path.join(ROOT, 'bench', 'face-sizes.json');
  if (fs.existsSync(faces)) out.faces = JSON.parse(fs.readFileSync(faces, 'utf8'));
  return out;
}

function svg(report) {
  const rows = [];
  for (const w of report.workloads) {
    for (const c of w.clients) rows.push({ label: `${w.name} · ${c.client}`, ratio: c.ratio });
  }
  const width = 760;
  const barX = 250;
  const scale = (width - barX - 60) / 1.2;
  const h = 24 * rows.length + 60;
  const bars = rows
    .map((r, i) => {
      const y = 40 + i * 24;
      const w = Math.max(1, Math.min(1.2, r.ratio) * scale);
      const color = r.label.includes('raw-') ? '#8a94a0' : r.ratio >= 0.95 ? '#1f8f4e' : r.ratio >= 0.9 ? '#c98a00' : '#c0392b';
      return `<text x="${barX - 8}" y="${y + 14}" text-anchor="end">${r.label}</text>` +
        `<rect x="${barX}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${color}"/>` +
        `<text x="${barX + w + 6}" y="${y + 14}">${r.ratio.toFixed(3)}</text>`;
    })
    .join('\n');
  const one = barX + scale;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="14" font-weight="bold">Speed relative to the raw browser WebSocket (median of per-round ratios; 1.0 = raw)</text>
${bars}
<line x1="${one}" y1="32" x2="${one}" y2="${h - 10}" stroke="#1d232b" stroke-dasharray="4 3"/>
<text x="${one + 4}" y="${h - 12}">1.0</text>
</svg>
`;
}

async function main() {
  await withBenchPage(async ({ server, page, errors, timer, agent }) => {
    const url = `ws://127.0.0.1:${server.port}/echo`;
    // Chromium reports the renderer's time over the DevTools protocol:
    // script time (JS and wasm run from tasks; promise jobs are not
    // counted, so Chrome's own stream shows none) and the main thread's CPU
    // time (everything, promise jobs included). The other engines have no
    // such counters here.
    const cdp = ENGINE === 'chromium' ? await page.context().newCDPSession(page) : null;
    await cdp?.send('Performance.enable');
    const rendererMs = async () => {
      if (!cdp) return { script: 0, thread: 0 };
      const { metrics } = await cdp.send('Performance.getMetrics');
      const value = (name) => metrics.find((m) => m.name === name).value * 1000;
      return { script: value('ScriptDuration'), thread: value('ThreadTime') };
    };
    const nativeStream = await page.evaluate(() => typeof WebSocketStream === 'function');
    const results = {}; // workload -> client -> [{ round, figure, m }]
    const rounds = SMOKE ? ROUNDS : ROUNDS + 1; // round 0 warms up
    for (let round = 0; round < rounds; round++) {
      for (const workload of WORKLOADS) {
        let list = workload.clients === 'all' ? CLIENTS : BACKPRESSURE_CLIENTS;
        if (STREAM_WORKLOADS.includes(workload.name)) list = [...list, ...STREAM_CLIENTS, ...(nativeStream ? ['stream-native'] : [])];
        // Speed drifts with the machine over the seconds a round takes
        // (identical raw clients differed by up to 25% in latency and 15%
        // in pipelined throughput between rounds), so each client's
        // messages are spread over the round: in blocks (a burst of
        // pipelined messages, a run of round trips), the clients taking
        // turns block by block. With one block the order rotates each
        // round; with several it is shuffled per block, so no client
        // always follows the same one (whose socket may still be closing).
        const partner = (c) => PICKED.some((p) => FLOOR_PAIRS[p] === c || DELIVERY_PAIRS[p] === c);
        if (PICKED.length) list = list.filter((c) => PICKED.includes(c) || c.startsWith('raw-') || partner(c));
        const blocks = Math.min(workload.blocks ?? 1, workload.count);
        const measured = {};
        for (let block = 0; block < blocks; block++) {
          const count = Math.floor(workload.count / blocks) + (block < workload.count % blocks ? 1 : 0);
          const order = blocks > 1 ? shuffled(list, round * 1000 + block) : list.map((_, i) => list[(i + round) % list.length]);
          for (const client of order) {
            await page.evaluate(() => window.collect());
            const before = await rendererMs();
            const m = await page.evaluate(([c, w, p]) => window.run(c, w, p), [client, workload.name, { url, count, size: workload.size }]);
            const after = await rendererMs();
            const sum = (measured[client] ??= { elapsedMs: 0, latencies: [], peakBuffered: 0, scriptMs: 0, threadMs: 0 });
            if (m.acks) {
              // Delivery: ACK frames each way and the data messages they covered.
              sum.acksToClient = (sum.acksToClient ?? 0) + m.acks.sent;
              sum.acksFromClient = (sum.acksFromClient ?? 0) + m.acks.received;
              sum.deliveryMessages = (sum.deliveryMessages ?? 0) + m.deliveryReceived;
            }
            sum.elapsedMs += m.elapsedMs;
            sum.scriptMs += after.script - before.script;
            sum.threadMs += after.thread - before.thread;
            sum.latencies.push(...m.latencies);
            sum.peakBuffered = Math.max(sum.peakBuffered, m.peakBuffered);
          }
        }
        if (!SMOKE && round === 0) continue;
        for (const [client, m] of Object.entries(measured)) {
          ((results[workload.name] ??= {})[client] ??= []).push({ round, figure: figure(workload, m), m });
        }
      }
      process.stderr.write(`round ${round}${!SMOKE && round === 0 ? ' (warm-up)' : ''} done\n`);
    }
    const problems = Array.isArray(errors) ? errors : await errors.read();
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);

    const report = { date: new Date().toISOString(), rounds: ROUNDS, smoke: SMOKE, engine: ENGINE, browser: browserName(agent), crossOriginIsolated: timer.isolated, timerResolutionMs: timer.resolutionMs, workloads: [], sizes: sizes() };
    for (const workload of WORKLOADS) {
      const byClient = results[workload.name];
      /** A client's figure in a round. */
      const figureOf = (name, r) => byClient[name].find((x) => x.round === r)?.figure;
      const clients = Object.keys(byClient).map((client) => {
        const runs = byClient[client];
        // The limit is the better raw client for binary work (Blob sends
        // were measured faster than views for 1 MiB here).
        const ratios = runs.map((x) => {
          const base = workload.name === 'pipelined' || workload.name === 'rtt' ? figureOf('raw-view', x.round) : Math.max(figureOf('raw-view', x.round), figureOf('raw-blob', x.round));
          return x.figure / base;
        });
        const entry = { client, median: median(runs.map((x) => x.figure)), ratio: median(ratios), ratios };
        if (cdp) {
          // Renderer time per message, and its per-round ratio to raw's (lower is better).
          for (const kind of ['script', 'thread']) {
            const of = (name, r) => byClient[name].find((x) => x.round === r)?.m[`${kind}Ms`];
            entry[`${kind}UsPerMessage`] = median(runs.map((x) => (x.m[`${kind}Ms`] * 1000) / workload.count));
            entry[`${kind}Ratio`] = median(runs.map((x) => x.m[`${kind}Ms`] / of('raw-view', x.round)));
          }
        }
        if (workload.name === 'rtt') {
          const lat = runs.map((x) => x.m.latencies);
          entry.medianLatencyMs = median(lat.map((l) => median(l)));
          entry.p99LatencyMs = median(lat.map((l) => percentile(l, 99)));
        }
        if (workload.name === 'backpressure') entry.peakBuffered = Math.max(...runs.map((x) => x.m.peakBuffered));
        const floor = FLOOR_PAIRS[client];
        /** This client's figure over `other`'s, paired per round. */
        const pairedTo = (other) => median(runs.map((x) => x.figure / figureOf(other, x.round)));
        if (floor && byClient[floor]) entry.toFloor = pairedTo(floor);
        const against = DELIVERY_PAIRS[client];
        if (against && byClient[against]) {
          // Delivery on against reconnecting alone, paired round by round,
          // and the ACK frames per data message each way (each data
          // message is echoed, so both directions carry the same count).
          entry.toReconnecting = pairedTo(against);
          // (The JS clients' runs count them; the Rust driver closes at once.)
          if (runs[0].m.deliveryMessages > 0) {
            entry.acksPerMessage = median(runs.map((x) => (x.m.acksToClient + x.m.acksFromClient) / (2 * x.m.deliveryMessages)));
          }
        }
        return entry;
      });
      const entry = { name: workload.name, count: workload.count, size: workload.size, blocks: workload.blocks ?? 1, unit: workload.name === 'pipelined' ? 'msg/s' : workload.name === 'rtt' ? 'rt/s' : 'MiB/s', clients };
      // Our WebSocketStream against Chrome's, paired round by round: the
      // comparison its budget is about, without raw's noise in between.
      if (byClient['stream-ours'] && byClient['stream-native']) {
        const ratios = byClient['stream-ours'].map((x) => x.figure / figureOf('stream-native', x.round));
        entry.streamOursToNative = { ratio: median(ratios), ahead: ratios.filter((r) => r >= 1).length, ratios };
      }
      report.workloads.push(entry);
    }

    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, `results${SUFFIX}.json`), JSON.stringify(report, null, 2));
    fs.writeFileSync(path.join(OUT, `results${SUFFIX}.svg`), svg(report));
    print(report);
    // The size budgets fail the run (after the report is written); the
    // smoke run in npm test only checks that they are measured.
    const over = Object.entries(report.sizes.pages).filter(([, p]) => !p.within);
    if (!SMOKE && over.length > 0) {
      console.error(`size budget exceeded: ${over.map(([page, p]) => `${page} page ${p.gzip} B > ${p.budget} B`).join('; ')}`);
      process.exitCode = 1;
    }
  }, { engine: ENGINE });
}

/** "Chrome/156…", "Firefox/153.0" or "WebKit …" from a user agent. */
function browserName(agent) {
  return agent.match(/(Firefox|Chrome)\/[\d.]+/)?.[0] ?? `WebKit (${agent.match(/AppleWebKit\/[\d.]+/)?.[0] ?? agent})`;
}

function print(report) {
  const lines = [
    `wasm-websocket benchmark, ${report.rounds} measured round(s)${report.smoke ? ' (smoke)' : ''}, ${report.browser}, ` +
      `performance.now() step ${(report.timerResolutionMs * 1000).toFixed(1)} µs`,
  ];
  for (const w of report.workloads) {
    const turns = w.blocks > 1 ? `, in ${w.blocks} blocks per round with the clients taking turns` : '';
    lines.push('', `${w.name}: ${w.count} × ${w.size} B (${w.unit}, ratio = median of per-round ratios to raw JS${turns})`);
    for (const c of w.clients) {
      let extra = '';
      if (c.medianLatencyMs !== undefined) extra = `  median ${c.medianLatencyMs.toFixed(3)} ms, p99 ${c.p99LatencyMs.toFixed(3)} ms`;
      if (c.peakBuffered !== undefined) extra = `  peak bufferedAmount ${c.peakBuffered}`;
      const script =
        c.scriptRatio === undefined
          ? ''
          : `  script ${c.scriptUsPerMessage.toFixed(2)} µs/msg ${c.scriptRatio.toFixed(2)}×, main thread ${c.threadUsPerMessage.toFixed(2)} µs/msg ${c.threadRatio.toFixed(2)}×`;
      const acks = c.acksPerMessage === undefined ? '' : `, ACK frames per data message ${c.acksPerMessage.toFixed(5)}`;
      const delivery = c.toReconnecting === undefined ? '' : `  to reconnecting ${c.toReconnecting.toFixed(3)}${acks}`;
      const floor = c.toFloor === undefined ? '' : `  to its floor ${c.toFloor.toFixed(3)}`;
      lines.push(`  ${c.client.padEnd(23)} ${c.median.toFixed(1).padStart(12)}  ratio ${c.ratio.toFixed(3)}${script}${extra}${floor}${delivery}`);
    }
    const s = w.streamOursToNative;
    if (s) lines.push(`  our WebSocketStream to Chrome's: ${s.ratio.toFixed(3)} (median of per-round ratios; ahead or level in ${s.ahead} of ${s.ratios.length} rounds)`);
  }
  lines.push('', ...describe(report.sizes));
  if (report.sizes.faces) {
    lines.push('', 'one probe module per Rust face (release, wasm-opt -Oz):');
    for (const [face, s] of Object.entries(report.sizes.faces)) {
      lines.push(`  ${face.padEnd(24)} wasm ${s.wasm} B raw, ${s.wasmGzip} B gzipped; JS glue ${s.glueGzip} B gzipped`);
    }
  }
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
