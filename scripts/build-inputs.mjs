// Prints one SHA-256 over everything a worker build depends on, so scripts/build.sh can
// skip a build whose inputs have not changed:
//   - every file under src/ and core/ (core/ may not exist yet), Cargo.toml, Cargo.lock,
//     .cargo/, build.rs and rust-toolchain(.toml): tracked files and untracked ones that
//     are not ignored (`git ls-files -co --exclude-standard`); without git, a plain walk;
//   - package-lock.json (esbuild, binaryen), scripts/build.sh, scripts/fast-shim.mjs,
//     scripts/strip-names.mjs, and the strings given as arguments (scripts/build.sh
//     passes the tool versions; the build mode is kept beside the hash in the stamp).
// Usage: node scripts/build-inputs.mjs <extra>...
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'core', 'Cargo.toml', 'Cargo.lock', '.cargo', 'build.rs',
  'rust-toolchain', 'rust-toolchain.toml', 'package-lock.json', 'scripts/build.sh', 'scripts/fast-shim.mjs',
  'scripts/strip-names.mjs'];

function gitFiles() {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard', '--', ...INPUTS],
      { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.toString('utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

function walkFiles() {
  const files = [];
  const walk = (rel) => {
    let stat;
    try {
      stat = fs.statSync(path.join(root, rel));
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(path.join(root, rel))) walk(path.posix.join(rel, name));
    } else {
      files.push(rel);
    }
  };
  INPUTS.forEach(walk);
  return files;
}

const files = [...new Set(gitFiles() ?? walkFiles())].sort();
const hash = createHash('sha256');
for (const extra of process.argv.slice(2)) hash.update(`arg\0${extra}\0`);
for (const file of files) {
  let content;
  try {
    content = fs.readFileSync(path.join(root, file));
  } catch {
    content = Buffer.from('<missing>'); // tracked but deleted in the work tree
  }
  hash.update(`file\0${file}\0${content.length}\0`);
  hash.update(content);
}
console.log(hash.digest('hex'));
