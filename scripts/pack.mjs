// `npm run package`: makes the npm package `edge-customers` (dist/edge-customers-<v>.tgz):
// the release build (build/), the dashboard (public/), wrangler.toml without its [build]
// step, and the CLI of package/. Staged in a temporary directory, so the tree stays clean.
//   node scripts/pack.mjs [--no-build] [--out DIR]
// --no-build packs build/ as it is (tests/package.test.mjs: `npm test` has just made the
// release build; a dev build is packed too, with a warning); otherwise the release build
// runs first (skipped when build/ is up to date). Prints the tarball's path.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'no-build': { type: 'boolean' }, out: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'dist'));

/** wrangler.toml without its [build] table: the package deploys what it holds. */
export function withoutBuildStep(toml) {
  const lines = toml.split('\n');
  const start = lines.indexOf('[build]');
  if (start < 0) return toml;
  let end = start + 1;
  while (end < lines.length && !/^\[/.test(lines[end])) end += 1;
  // Keep the comment block that introduces the next table.
  while (end > start + 1 && /^#/.test(lines[end - 1])) end -= 1;
  return [...lines.slice(0, start), ...lines.slice(end)].join('\n');
}

/** The files of build/ the worker runs: the JS entry and the wasm (it imports nothing else). */
function workerFiles() {
  const stamp = path.join(root, 'build', '.build-stamp');
  const mode = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').split(' ')[0] : '';
  if (!mode) throw new Error('build/ holds no finished build: run `npm run build`');
  if (mode !== 'release') console.error(`[pack] warning: build/ holds a ${mode} build, not the release build (\`npm run build\`)`);
  return fs.readdirSync(path.join(root, 'build'), { withFileTypes: true })
    .filter((e) => e.isFile() && (e.name === 'index.js' || e.name.endsWith('.wasm')))
    .map((e) => e.name);
}

function stage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-customers-pack-'));
  for (const name of ['bin', 'lib', 'package.json', 'README.md']) {
    fs.cpSync(path.join(root, 'package', name), path.join(dir, name), { recursive: true });
  }
  fs.mkdirSync(path.join(dir, 'build'));
  for (const name of workerFiles()) fs.copyFileSync(path.join(root, 'build', name), path.join(dir, 'build', name));
  fs.cpSync(path.join(root, 'public'), path.join(dir, 'public'), { recursive: true });
  const toml = withoutBuildStep(fs.readFileSync(path.join(root, 'wrangler.toml'), 'utf8'));
  if (/^\[build\]/m.test(toml) || !/^main = "build\/index\.js"$/m.test(toml)) throw new Error('wrangler.toml: unexpected shape');
  fs.writeFileSync(path.join(dir, 'wrangler.toml'), toml);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!values['no-build']) execFileSync('bash', [path.join(root, 'scripts', 'build.sh'), '--release'], { stdio: 'inherit' });
  const dir = stage();
  try {
    fs.mkdirSync(out, { recursive: true });
    const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const tarball = path.join(out, info.filename);
    console.error(`[pack] ${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} KB packed, ${(info.unpackedSize / 1024).toFixed(1)} KB unpacked`);
    console.log(tarball);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
