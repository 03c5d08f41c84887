#!/usr/bin/env node
// Drops the `name` custom section (Rust function names) from a release wasm. worker-build
// 0.8.7 runs wasm-opt with `--debuginfo` to keep it, and it is a sixth of the module
// (about 50 KB of the gzipped size); the runtime needs none of it. Without it a trap's
// stack shows `wasm-function[N]` instead of the Rust name; a dev build
// (`bash scripts/build.sh --dev`, or `wrangler dev`) keeps the names for debugging. The
// `producers` and `target_features` sections (which tools built the module, with which
// features) go too. Every other section is copied byte for byte.
//
//   node scripts/strip-names.mjs build/index_bg.wasm
import fs from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/strip-names.mjs <module.wasm>');
  process.exit(2);
}
const wasm = fs.readFileSync(file);
if (wasm.readUInt32LE(0) !== 0x6d736100) {
  console.error(`${file}: not a wasm module`);
  process.exit(1);
}

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb(at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = wasm[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

const DROPPED = new Set(['name', 'producers', 'target_features']);
const kept = [wasm.subarray(0, 8)];
let dropped = 0;
for (let at = 8; at < wasm.length; ) {
  const start = at;
  const id = wasm[at];
  const [size, body] = leb(at + 1);
  const end = body + size;
  if (end > wasm.length) {
    console.error(`${file}: section at ${start} runs past the end`);
    process.exit(1);
  }
  let name = null;
  if (id === 0) {
    const [length, text] = leb(body);
    name = wasm.subarray(text, text + length).toString('utf8');
  }
  if (DROPPED.has(name)) dropped += end - start;
  else kept.push(wasm.subarray(start, end));
  at = end;
}
fs.writeFileSync(file, Buffer.concat(kept));
console.log(`[build] ${file}: name, producers and target_features sections dropped (${dropped} bytes)`);
