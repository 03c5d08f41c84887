// Finds import cycles between the Rust modules of the two crates (core/src, the pure
// `api-core`, and src, the Worker glue): every `crate::…`, `super::…` and `api_core::…`
// path in a module's non-test code (in `use` lines and inline) is an edge to the deepest
// module it names; a module's own ancestors and descendants do not count. Prints each
// cycle and exits 1 if there is any. tests/module-graph.test.mjs runs it.
//   node scripts/module-graph.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CRATES = [['core/src', 'api_core'], ['src', 'edge_customers']];

/** Module path (`api_core::resources::objects`) → file. */
const modules = new Map();
function collect(dir, base, crate) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(file, base, crate);
    else if (entry.name.endsWith('.rs')) {
      const rel = path.relative(base, file).replace(/\.rs$/, '').replace(/(^|\/)mod$/, '').replace(/^lib$/, '');
      modules.set(rel ? `${crate}::${rel.split('/').join('::')}` : crate, file);
    }
  }
}
for (const [dir, crate] of CRATES) collect(path.join(root, dir), path.join(root, dir), crate);

/** The deepest module a path (`['super', 'view', 'customer_json']`) names, seen from `from`. */
function target(from, segments) {
  const [head, ...rest] = segments;
  let base;
  if (head === 'crate') base = from.split('::')[0];
  else if (head === 'api_core') base = 'api_core';
  else if (head === 'super') {
    const parts = from.split('::');
    // In `x/mod.rs` or `lib.rs`, `super` is the parent of `x`; in `x/y.rs` it is `x`.
    parts.pop();
    let tail = rest;
    while (tail[0] === 'super') { parts.pop(); tail = tail.slice(1); }
    base = parts.join('::');
    rest.splice(0, rest.length, ...tail);
  } else return null;
  let found = modules.has(base) ? base : null;
  let current = base;
  for (const segment of rest) {
    current = `${current}::${segment}`;
    if (!modules.has(current)) break;
    found = current;
  }
  return found;
}

const edges = new Map();
for (const [module, file] of modules) {
  let text = fs.readFileSync(file, 'utf8');
  const tests = text.indexOf('#[cfg(test)]');
  if (tests >= 0) text = text.slice(0, tests);
  text = text.replace(/\/\/.*$/gm, '');
  const out = new Set();
  const add = (segments) => {
    const t = target(module, segments);
    if (t && t !== module && !t.startsWith(`${module}::`) && !module.startsWith(`${t}::`)) out.add(t);
  };
  for (const m of text.matchAll(/\b(crate|super|api_core)((?:::\w+)+)/g)) add([m[1], ...m[2].split('::').filter(Boolean)]);
  for (const m of text.matchAll(/use\s+(super|crate|api_core)((?:::\w+)*)::\{([^}]*)\}/g)) {
    for (const part of m[3].split(',')) add([m[1], ...m[2].split('::').filter(Boolean), ...part.trim().split('::').filter(Boolean)]);
  }
  edges.set(module, [...out]);
}

// Tarjan's strongly connected components: each one of more than one module is a cycle.
let counter = 0;
const stack = [];
const onStack = new Set();
const index = new Map();
const low = new Map();
const cycles = [];
function visit(v) {
  index.set(v, counter);
  low.set(v, counter);
  counter++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component);
  }
}
for (const v of edges.keys()) if (!index.has(v)) visit(v);

for (const cycle of cycles) {
  console.log(`cycle: ${cycle.join(' <-> ')}`);
  for (const v of cycle) console.log(`  ${v} -> ${edges.get(v).filter((w) => cycle.includes(w)).join(', ')}`);
}
console.log(`${modules.size} modules, ${cycles.length} import cycles`);
process.exit(cycles.length ? 1 : 0);
