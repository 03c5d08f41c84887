// The Rust modules of both crates import one another without cycles (issue 19 asked to
// take the existing ones apart and add none): scripts/module-graph.mjs, which counts
// every crate/super/api_core path in non-test code, inline ones included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('no import cycles between the Rust modules', () => {
  let output;
  try {
    output = execFileSync('node', [path.join(root, 'scripts', 'module-graph.mjs')], { encoding: 'utf8' });
  } catch (err) {
    assert.fail(`import cycles:\n${err.stdout}`);
  }
  assert.match(output, /\b0 import cycles\b/);
});
