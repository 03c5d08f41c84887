// Checks the release wasm against issue 19's budget: at most 350 KB (350,000 bytes)
// gzipped at level 9 by Node's zlib, which is the stricter of the two measures in use
// (GNU `gzip -9`, which the README's size notes quote, makes the same file about 2.5 KB
// smaller). Usage:
//   node scripts/wasm-budget.mjs build/index_bg.wasm     (exit 1 when over)
import fs from 'node:fs';
import zlib from 'node:zlib';

const BUDGET = 350_000;
const file = process.argv[2] ?? 'build/index_bg.wasm';
const gzipped = zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const left = BUDGET - gzipped;
console.log(`${file}: ${gzipped.toLocaleString('en-US')} bytes gzipped, budget ${BUDGET.toLocaleString('en-US')}: ${left >= 0 ? `${left.toLocaleString('en-US')} under` : `${(-left).toLocaleString('en-US')} OVER`}`);
process.exit(left >= 0 ? 0 : 1);
