// scripts/short-import-names.mjs: the renamed module still links to its
// glue and computes the same result; imports of other modules keep their
// names; and it refuses, leaving the files as they were, when the glue does
// not match what it expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import binaryen from 'binaryen';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'short-import-names.mjs');
const A = '__wbg_a_0123456789abcdef';
const B = '__wbg_b_fedcba9876543210';

// A module shaped like wasm-bindgen's: two imports from its glue, plus a
// function and a memory import from another module (whose names stay).
const WAT = `(module
  (import "./x_bg.js" "${A}" (func $a (result i32)))
  (import "other" "keep" (func $k (result i32)))
  (import "other" "memory" (memory 1 2))
  (import "./x_bg.js" "${B}" (func $b (result i32)))
  (func (export "sum") (result i32)
    (i32.add (call $a) (i32.mul (call $b) (call $k)))))`;

function fixture(glue) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'short-names-'));
  const module = binaryen.parseText(WAT);
  fs.writeFileSync(path.join(dir, 'x_bg.wasm'), module.emitBinary());
  module.dispose();
  fs.writeFileSync(path.join(dir, 'x.js'), glue);
  return dir;
}

function run(dir) {
  try {
    const stdout = execFileSync('node', [SCRIPT, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stdout, stderr: '' };
  } catch (e) {
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

const snapshot = (dir) => ['x_bg.wasm', 'x.js'].map((f) => fs.readFileSync(path.join(dir, f)));

const GLUE = `export const imports = {\n  ${A}: () => 2,\n  ${B}: () => 3,\n};\n`;

test('renames the glue imports in the module and the glue alike, and they still link', async () => {
  const dir = fixture(GLUE);
  const result = run(dir);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /2 imports renamed/);

  const bytes = fs.readFileSync(path.join(dir, 'x_bg.wasm'));
  const module = new WebAssembly.Module(bytes);
  assert.deepEqual(
    WebAssembly.Module.imports(module).map((i) => `${i.module} ${i.name} ${i.kind}`),
    // (binaryen writes the memory import first)
    ['other memory memory', './x_bg.js $0 function', 'other keep function', './x_bg.js $1 function'],
  );
  const glue = fs.readFileSync(path.join(dir, 'x.js'), 'utf8');
  assert.equal(glue, 'export const imports = {\n  $0: () => 2,\n  $1: () => 3,\n};\n');

  const { imports } = await import(pathToFileURL(path.join(dir, 'x.js')).href);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
  const instance = new WebAssembly.Instance(module, {
    './x_bg.js': imports,
    other: { keep: () => 5, memory },
  });
  assert.equal(instance.exports.sum(), 2 + 3 * 5);
});

test('refuses a second run: the short names are taken', () => {
  const dir = fixture(GLUE);
  assert.equal(run(dir).status, 0);
  const before = snapshot(dir);
  const again = run(dir);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /\$0 is already used in x\.js/);
  assert.deepEqual(snapshot(dir), before);
});

test('refuses glue that names an import twice or not at all', () => {
  for (const [glue, message] of [
    [`${GLUE}// ${A}\n`, new RegExp(`${A} occurs 2 times in x\\.js, expected once`)],
    [`export const imports = { ${A}: () => 2 };\n`, new RegExp(`${B} occurs 0 times in x\\.js, expected once`)],
  ]) {
    const dir = fixture(glue);
    const before = snapshot(dir);
    const result = run(dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, message);
    assert.deepEqual(snapshot(dir), before);
  }
});
