// Sums the gzipped size of every file wrangler would upload (the --outdir of
// `wrangler deploy --dry-run`) and checks it against Cloudflare's Workers size limit on
// the free plan: 3 MB after compression. We check the stricter reading, 3,000,000 bytes.
// Usage: node scripts/bundle-size.mjs <outdir>...   (exit 1 when any is over)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const LIMIT = 3_000_000;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

let failed = false;
for (const dir of process.argv.slice(2)) {
  let raw = 0;
  let gz = 0;
  for (const file of files(dir).filter((f) => !f.endsWith('.map') && !f.endsWith('README.md'))) {
    const data = fs.readFileSync(file);
    const size = zlib.gzipSync(data, { level: 9 }).length;
    raw += data.length;
    gz += size;
    console.log(`  ${path.relative(dir, file)}: ${kb(data.length)} raw, ${kb(size)} gzipped`);
  }
  const ok = gz < LIMIT;
  failed ||= !ok;
  console.log(`${dir}: ${kb(raw)} raw, ${kb(gz)} gzipped (${((100 * gz) / LIMIT).toFixed(1)}% of the 3 MB free-plan limit): ${ok ? 'ok' : 'TOO LARGE'}`);
}
process.exit(failed ? 1 : 0);
