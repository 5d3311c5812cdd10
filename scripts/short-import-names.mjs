// Shortens the names the wasm module imports its JS glue by.
//
// wasm-bindgen names each import `__wbg_<method>_<16 hex digits of hash>`.
// The npm module has about a hundred of them: 2.7 KB of names, and the
// hashes do not compress. This renames every import of the glue module to
// `$0`, `$1`, … in the `.wasm` and, the same way, where the glue defines it
// (an object key in `--target web` glue, an `export function` in bundler
// glue). Nothing else changes: the exports, the module name and the code.
//
// Usage: node scripts/short-import-names.mjs <wasm-pack out dir>
// It refuses (exit 1, files untouched) unless every import name occurs
// exactly once in the glue and no new name is already used there, so a
// change in wasm-bindgen's output cannot produce a module that fails to
// link.

import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) fail('usage: short-import-names.mjs <package dir>');
const wasmFile = fs.readdirSync(dir).find((f) => f.endsWith('_bg.wasm'));
if (!wasmFile) fail(`no *_bg.wasm in ${dir}`);
const stem = wasmFile.slice(0, -'_bg.wasm'.length);
// Web glue defines the imports in <stem>.js; bundler glue in <stem>_bg.js.
const glueFile = [`${stem}_bg.js`, `${stem}.js`].find((f) => fs.existsSync(path.join(dir, f)));
if (!glueFile) fail(`no ${stem}_bg.js or ${stem}.js in ${dir}`);
const wasmPath = path.join(dir, wasmFile);
const gluePath = path.join(dir, glueFile);

const wasm = fs.readFileSync(wasmPath);
let glue = fs.readFileSync(gluePath, 'utf8');

const { imports, start, end } = readImportSection(wasm);
const module = `./${stem}_bg.js`;
const renamed = new Map();
for (const imp of imports) {
  if (imp.module === module && !renamed.has(imp.name)) {
    renamed.set(imp.name, `$${renamed.size.toString(36)}`);
  }
}
if (renamed.size === 0) fail(`${wasmFile} imports nothing from ${module}`);

const token = /[A-Za-z_$][\w$]*/g;
const seen = new Map();
for (const [word] of glue.matchAll(token)) seen.set(word, (seen.get(word) ?? 0) + 1);
for (const [from, to] of renamed) {
  if (seen.get(from) !== 1) fail(`${from} occurs ${seen.get(from) ?? 0} times in ${glueFile}, expected once`);
  if (seen.has(to)) fail(`${to} is already used in ${glueFile}`);
}
glue = glue.replace(token, (word) => renamed.get(word) ?? word);

const section = encodeImportSection(
  imports.map((imp) => (imp.module === module ? { ...imp, name: renamed.get(imp.name) } : imp)),
);
const out = Buffer.concat([wasm.subarray(0, start), section, wasm.subarray(end)]);
fs.writeFileSync(wasmPath, out);
fs.writeFileSync(gluePath, glue);
console.log(
  `short-import-names: ${renamed.size} imports renamed; ${wasmFile} ${wasm.length} -> ${out.length} B`,
);

function fail(message) {
  console.error(`short-import-names: ${message}`);
  process.exit(1);
}

// ----- the wasm binary format's import section (id 2) ---------------------

function readImportSection(bytes) {
  let pos = 8; // magic and version
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  };
  const name = () => {
    const len = u32();
    const s = bytes.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const limits = () => {
    const flags = bytes[pos++];
    u32();
    if (flags & 1) u32();
  };
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    const size = u32();
    const body = pos;
    if (id !== 2) {
      pos = body + size;
      continue;
    }
    const imports = [];
    for (let n = u32(); n > 0; n--) {
      const module = name();
      const field = name();
      const descStart = pos;
      const kind = bytes[pos++];
      if (kind === 0) {
        u32(); // function: type index
      } else if (kind === 1) {
        pos++; // table: reference type, then limits
        limits();
      } else if (kind === 2) {
        limits(); // memory
      } else if (kind === 3) {
        pos += 2; // global: value type, mutability
      } else if (kind === 4) {
        pos++; // tag: attribute, then type index
        u32();
      } else {
        fail(`unknown import kind ${kind}`);
      }
      imports.push({ module, name: field, desc: bytes.subarray(descStart, pos) });
    }
    if (pos !== body + size) fail('import section length does not match its contents');
    return { imports, start, end: pos };
  }
  return fail('the module has no import section');
}

function encodeImportSection(imports) {
  const parts = [leb(imports.length)];
  for (const imp of imports) {
    for (const s of [imp.module, imp.name]) {
      const b = Buffer.from(s, 'utf8');
      parts.push(leb(b.length), b);
    }
    parts.push(imp.desc);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([2]), leb(body.length), body]);
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
