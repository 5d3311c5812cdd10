// The source's structure, checked: the Rust modules form layers that only
// import downwards, with no cycle between files; and no default, limit or
// message of the crate is copied into the JavaScript sources (they get them
// from the wasm module). DEVELOPING.md describes the layers listed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = path.join(ROOT, 'src');

/** Bottom first: a module may import from its own layer's files or from lower layers. */
const LAYERS = [
  ['bindings', 'vocabulary', 'allocator', 'init'],
  ['error', 'from_js'],
  ['options'],
  ['socket', 'delivery'],
  ['resilience'],
  ['lifecycle'],
  ['connection', 'js'],
  ['lib'],
];
const layerOf = (module) => LAYERS.findIndex((names) => names.includes(module.split('/')[0]));

function rustFiles(dir = SRC) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return rustFiles(full);
    return entry.name.endsWith('.rs') ? [full] : [];
  });
}

/** `src/a/b.rs` and `src/a/b/mod.rs` → `a/b`; `src/lib.rs` → `lib`. */
function moduleOf(file, src = SRC) {
  const parts = path.relative(src, file).replace(/\.rs$/, '').split(path.sep);
  if (parts.at(-1) === 'mod') parts.pop();
  return parts.join('/');
}

/** Each file's imports of other files, outside comments and test modules. */
function edges(src = SRC) {
  const files = rustFiles(src);
  const modules = new Set(files.map((f) => moduleOf(f, src)));
  const found = [];
  for (const file of files) {
    const from = moduleOf(file, src);
    const isMod = file.endsWith(`${path.sep}mod.rs`) || from === 'lib';
    const code = fs
      .readFileSync(file, 'utf8')
      .split('#[cfg(test)]')[0]
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n');
    for (const match of code.matchAll(/(?<![$\w]|in )(crate|super)::((?:\w+::)*)/g)) {
      const words = match[2].split('::').filter(Boolean);
      const base = match[1] === 'crate' ? [] : from.split('/').slice(0, isMod ? -1 : -1);
      const parts = [...base, ...words];
      let to = 'lib';
      for (let i = parts.length; i > 0; i--) {
        if (modules.has(parts.slice(0, i).join('/'))) {
          to = parts.slice(0, i).join('/');
          break;
        }
      }
      if (to !== from && !from.startsWith(`${to}/`)) found.push([from, to]);
    }
  }
  return found;
}

test('every Rust module belongs to a layer', () => {
  const unplaced = [...new Set(rustFiles().map((f) => moduleOf(f)))].filter((m) => layerOf(m) < 0);
  assert.deepEqual(unplaced, []);
});

const upward = (found) => [...new Set(found.filter(([from, to]) => layerOf(to) > layerOf(from)).map(([from, to]) => `${from} -> ${to}`))];

function cyclesOf(found) {
  const graph = new Map();
  for (const [from, to] of found) {
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from).add(to);
  }
  const cycles = [];
  const state = new Map(); // 1: on the path, 2: done
  const visit = (node, trail) => {
    if (state.get(node) === 2) return;
    if (state.get(node) === 1) {
      cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
      return;
    }
    state.set(node, 1);
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 2);
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}

test('Rust modules import only from their own layer or below', () => {
  assert.deepEqual(upward(edges()), []);
});

test('no two Rust files import each other, directly or around a cycle', () => {
  assert.deepEqual(cyclesOf(edges()), []);
});

test('the checks see an upward import and a cycle in a made-up tree', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  const write = (file, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('lib.rs', 'mod socket;\nmod lifecycle;\n');
  write('socket/mod.rs', 'pub(crate) mod close;\n/// crate::lifecycle::Doc in a comment is no import\n');
  write('socket/close.rs', 'use crate::lifecycle::Lifecycle;\npub(in crate::socket) fn f() {}\n');
  write('lifecycle.rs', 'use crate::socket::close::f;\n#[cfg(test)]\nmod tests { use crate::lib; }\n');
  try {
    const found = edges(dir);
    assert.deepEqual(upward(found), ['socket/close -> lifecycle']);
    assert.deepEqual(cyclesOf(found), ['lifecycle -> socket/close -> lifecycle']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The crate's option error texts (the fixed part of each): those given to
 * a `RangeError`/`TypeError` directly, and every text in src/from_js.rs,
 * where the option readers build theirs.
 */
function rustMessages() {
  const texts = new Set();
  const add = (text) => {
    // The longest fixed run of a `format!` text, without its `{…}` holes.
    const fixed = text.split(/\{[^}]*\}/).sort((a, b) => b.length - a.length)[0].trim();
    if (fixed.length >= 12 && fixed.includes(' ')) texts.add(fixed);
  };
  for (const file of rustFiles()) {
    const code = fs.readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:RangeError|TypeError)::new\(\s*(?:&format!\()?"([^"]+)"/g)) add(m[1]);
    if (file.endsWith(`${path.sep}from_js.rs`)) {
      const code_only = code.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
      for (const m of code_only.matchAll(/"([^"\\]+)"/g)) add(m[1]);
    }
  }
  return [...texts];
}

test('no option error text of the crate is copied into the JavaScript sources', () => {
  const messages = rustMessages();
  assert.ok(messages.includes('must be a number, 0 or more'), `the texts are found: ${messages}`);
  assert.ok(messages.includes('highWaterMark must be a number of bytes, 0 or more'));
  const copies = [];
  for (const name of fs.readdirSync(path.join(SRC, 'js')).filter((n) => n.endsWith('.js'))) {
    const js = fs.readFileSync(path.join(SRC, 'js', name), 'utf8');
    for (const text of messages) if (js.includes(text)) copies.push(`${name}: ${text}`);
  }
  assert.deepEqual(copies, []);
});

test('no default or limit of the crate is copied into the JavaScript sources', () => {
  const options = fs.readFileSync(path.join(SRC, 'options', 'mod.rs'), 'utf8');
  const defaults = [...options.matchAll(/pub const (DEFAULT_\w+): u32 = ([^;]+);/g)].map((m) => [m[1], m[2].trim()]);
  assert.deepEqual(defaults.map(([name]) => name).sort(), ['DEFAULT_BACKPRESSURE_POLL_MS', 'DEFAULT_HIGH_WATER_MARK', 'DEFAULT_RECONNECT_CONNECT_TIMEOUT_MS']);
  const copies = [];
  for (const name of fs.readdirSync(path.join(SRC, 'js')).filter((n) => n.endsWith('.js'))) {
    const js = fs.readFileSync(path.join(SRC, 'js', name), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    for (const [constant, value] of defaults) {
      if (js.includes(constant)) copies.push(`${name}: ${constant}`);
      // An expression such as `1 << 20` or `10_000` (as `10000` in JS), outside comments.
      const jsValue = value.replaceAll('_', '');
      if (/[^\d]/.test(jsValue) && js.includes(jsValue)) copies.push(`${name}: ${jsValue}`);
      if (/^\d{3,}$/.test(jsValue) && new RegExp(`\\b${jsValue}\\b`).test(js)) copies.push(`${name}: ${jsValue}`);
    }
  }
  assert.deepEqual(copies, []);
});
