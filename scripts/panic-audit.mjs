// Lists the places in the Rust sources (outside #[cfg(test)] modules and the fuzz
// module) that can panic on their own: unwrap(), expect(), panic!, unreachable!,
// todo!, unimplemented!, and slice/array indexing with [...]. Exits 1 on the first
// five kinds; indexing is printed for review (tests/no-panics.test.mjs pins the list).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function* rustFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* rustFiles(p);
    else if (entry.name.endsWith('.rs') && entry.name !== 'fuzz.rs' && entry.name !== 'tests.rs' && entry.name !== 'test_support.rs' && entry.name !== 'fixtures.rs') yield p;
  }
}

/** The lines of a file before its first `#[cfg(test)]` module (tests sit at the end). */
function productionLines(text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*#\[cfg\(test\)\]/.test(lines[i]) && /^\s*(pub(\(crate\))? )?mod /.test(lines[i + 1] ?? '')) break;
    out.push([i + 1, lines[i]]);
  }
  return out;
}

/** Reviewed exceptions: file, the code, why it cannot panic. */
const REVIEWED = [
  ['core/src/wire/ids.rs', 'new_from_slice(secret).unwrap_or_else(|_| unreachable!())', 'HMAC takes keys of any length: new_from_slice never fails'],
];

export function audit() {
  const panics = [];
  const indexing = [];
  for (const dir of ['src', 'core/src']) {
    for (const file of rustFiles(path.join(root, dir))) {
      const rel = path.relative(root, file);
      for (const [n, raw] of productionLines(fs.readFileSync(file, 'utf8'))) {
        const line = raw.replace(/\/\/.*$/, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
        const reviewed = REVIEWED.some(([f, code]) => f === rel && raw.includes(code));
        if (!reviewed && /\.unwrap\(\)|\.expect\(|\bpanic!|\bunreachable!|\btodo!|\bunimplemented!/.test(line)) panics.push(`${rel}:${n}: ${raw.trim()}`);
        if (/[\w)\]]\[[^\]\[]+\]/.test(line) && !/^\s*#!?\[/.test(line) && !/&\[|: \[|-> \[|vec!\[/.test(line)) indexing.push(`${rel}:${n}: ${raw.trim()}`);
      }
    }
  }
  return { panics, indexing };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { panics, indexing } = audit();
  for (const p of panics) console.log(`panic: ${p}`);
  for (const i of indexing) console.log(`index: ${i}`);
  console.log(`${panics.length} panicking calls, ${indexing.length} indexing expressions to review`);
  process.exit(panics.length ? 1 : 0);
}
