// Worker child processes for the crash tests: each runs tests/support/child-worker.mjs
// (Miniflare with its Durable Object and KV state persisted in a temporary directory) in
// a process group of its own, so that a kill -9 takes node and the workerd it started down
// at once; `cleanup` kills what is left and removes the directories.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './receiver.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The children and state directories of one test file; `prefix` names its directories. */
export function childWorkers(prefix) {
  const dirs = [];
  const children = new Set();

  /** A fresh directory for a worker's persisted state. */
  function tempDir() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  }

  /** Starts the worker on `persist` (with `vars`); resolves with `{ child, url, peek }`. */
  function startChild(persist, vars = {}) {
    const child = spawn(process.execPath, [path.join(here, 'child-worker.mjs'), persist, JSON.stringify(vars)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the child did not start: ${out}`)), 30_000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/READY (\S+) (\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve({ child, url: m[1], peek: m[2] });
        }
      });
      child.stderr.on('data', (chunk) => {
        out += chunk;
      });
      child.on('exit', (code) => reject(new Error(`the child exited (${code}): ${out}`)));
    });
  }

  /** SIGKILL to the whole group: node and the workerd it started die at once. */
  function kill(child) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
    children.delete(child);
  }

  /** Waits (at most 5 s) until a killed child has exited. */
  async function waitExit(child) {
    for (let i = 0; i < 50 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
  }

  function cleanup() {
    for (const child of children) kill(child);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  return { tempDir, startChild, kill, waitExit, cleanup };
}
