#!/usr/bin/env node
// Rewrites the entry of worker-build's bundle (build/index.js, built with NO_MINIFY=1),
// then minifies it. Nine changes:
// - No allocation per call. worker-build 0.8.7 wraps the entrypoint and every Durable
//   Object class in a Proxy whose traps build two new Proxies and an async wrapper on
//   every call, and makes the entrypoint a class the runtime constructs per request
//   (measured with bench/ab.mjs: an eighth of the workerd CPU of a retrieve).
// - Durable Object RPC. The object classes extend the runtime's `DurableObject`, which
//   RPC requires, and expose the wasm class's `answer(path, body)` and `alarm` (and a
//   `fetch` that answers 404): the Worker calls objects through it (src/edge/bindings.rs).
// - The futures executor's microtasks. wasm-bindgen-futures queues its run of woken tasks
//   with the global `queueMicrotask` when there is one, else with `then` on a resolved
//   promise. workerd's `queueMicrotask` wraps each task it is given; the promise's `then`
//   costs less (bench/ab.mjs, side by side: 4-7% less workerd CPU per read at c=1). So the
//   getter the executor checks once, at start, answers undefined.
// - The request in one call. `edgeRequest(request, readNames, writeNames)` answers its
//   method, its URL and the values of the headers the API reads in one string
//   (src/edge/mod.rs, `Header`): a call from the wasm per header, each with its name and
//   value crossing, cost an update about 50 us of isolate CPU (bench/profile.mjs).
// - The response in one call. `edgeRespond(status, body, requestId, stripeVersion, flags)`
//   makes it with its headers (a forwarded read's 200 is sent through it too): the wasm
//   had made the `Headers`, set each value and built the `ResponseInit` in a
//   call each.
// - A forwarded read (a retrieve, a list or search page: the object's answer is the body)
//   is answered by `edgeForward`, a promise made here from the object's pending answer:
//   the wasm's request future ends when the call is sent, not after one more turn of the
//   executor when it settles.
// - A promise the wasm awaits is watched by `edgeAwait` (src/promise.rs), two plain
//   callbacks, instead of wasm-bindgen's two closures of the wasm per promise.
// - SQL in one call a statement. `edgeExec` and `edgeQuery` take a statement's arguments
//   as one text and give a query's rows back as one (src/objects/sql.rs): the argument
//   array, each argument, each row and each value had been a call across or two.
// - Strings into the wasm by `encodeInto` at once, where the glue copied a string's ASCII
//   prefix a character at a time (below, `passStringToWasm0`).
// Panic recovery stays as worker-build's shim does it: before each call a pending reset
// runs (`checkReinitialize`), a `WebAssembly.RuntimeError` from a call marks the
// instance for reset (`handleMaybeCritical`), and an object built before a reset is
// built again before its next call.
//
//   node scripts/fast-shim.mjs build/index.js
//
// The rewrite is checked, not guessed: every replaced text must appear exactly once,
// else the build fails with the name of what changed (worker-build is pinned by
// scripts/setup.sh; a new version needs this script looked at again).
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/fast-shim.mjs <bundle.js>');
  process.exit(2);
}
let text = fs.readFileSync(file, 'utf8');

function fail(what) {
  console.error(`fast-shim: ${what} not found exactly once in ${file}; has worker-build's shim changed?`);
  process.exit(1);
}
function once(needle) {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) fail(JSON.stringify(needle.slice(0, 60)));
  return at;
}

// The helpers the replacement relies on, as worker-build's shim defines them.
for (const helper of ['function checkReinitialize()', 'function handleMaybeCritical(e)', 'var initState = __worker_init_state();', '\nfunction fetch(req, env, ctx)', '\nfunction edgeForwardError(', '\nfunction edgeSettled(', '\nvar __wbg_instance_id = 0;']) once(helper);

// The Durable Object classes worker-build wrapped: `var X2 = new Proxy(X, classProxyHooks);`.
const start = once('var shim_default = new Proxy(Entrypoint, classProxyHooks);');
const exportAt = text.indexOf('export {', start);
if (exportAt < 0) fail('the export list');
const wrapped = [...text.slice(start, exportAt).matchAll(/^var (\w+)2 = new Proxy\(\1, classProxyHooks\);$/gm)].map((m) => m[1]);
const objects = ['CustomerObject', 'AccountObject'];
for (const name of objects) if (!wrapped.includes(name)) fail(`the Proxy of ${name}`);

const entry = `// The entry (scripts/fast-shim.mjs): no Proxy, no per-request class; same recovery.
import { DurableObject as RuntimeDurableObject } from "cloudflare:workers";
function guarded(call) {
  checkReinitialize();
  try {
    const result = call();
    return result instanceof Promise
      ? result.catch((e) => {
          handleMaybeCritical(e);
          throw e;
        })
      : result;
  } catch (e) {
    handleMaybeCritical(e);
    throw e;
  }
}
var shim_default = {
  fetch(request, env, ctx) {
    return guarded(() => fetch(request, env, ctx));
  },
};
// The request's method and URL, a line each, then the values of the headers it reads
// (\`readNames\` for a GET or HEAD, else \`writeNames\`: newline-separated), each "1" and
// the value, or "0" when absent, and a newline: no method, serialised URL or header value
// holds one. The wasm passes the same two strings every time, so their splits are kept.
const headerLists = new Map();
function edgeRequest(request, readNames, writeNames) {
  const method = request.method;
  const names = method === "GET" || method === "HEAD" ? readNames : writeNames;
  let list = headerLists.get(names);
  if (list === undefined) {
    list = names.split("\\n");
    if (headerLists.size < 8) headerLists.set(names, list);
  }
  const headers = request.headers;
  let out = method + "\\n" + request.url + "\\n";
  for (const name of list) {
    const value = headers.get(name);
    out += value === null ? "0\\n" : "1" + value + "\\n";
  }
  return out;
}
// A response in one call (src/edge/mod.rs, \`respond\` and \`response_flags\`), with what
// every response carries, the request's id, the API version it asked for, and what
// \`flags\` adds (1: Idempotent-Replayed, 2: Stripe-Should-Retry).
function edgeRespond(status, body, requestId, stripeVersion, flags) {
  const headers = { "Content-Type": "application/json", "Cache-Control": "no-cache, no-store", "Request-Id": requestId };
  if (stripeVersion !== undefined) headers["Stripe-Version"] = stripeVersion;
  if (flags & 1) headers["Idempotent-Replayed"] = "true";
  if (flags & 2) headers["Stripe-Should-Retry"] = "true";
  return new Response(body, { status, headers });
}
// A forwarded read's response (src/edge/bindings.rs, \`forward_response\`): the object's
// answer \`[status, body]\`, sent as it came when it is a 200; any other answer, or a failed
// call (status 0), goes back to the wasm to be rendered as an error.
function edgeForward(answer, requestId, stripeVersion, flags) {
  return answer.then(
    (a) =>
      a[0] === 200
        ? edgeRespond(200, a[1], requestId, stripeVersion, flags)
        : guarded(() => edgeForwardError(a[0], String(a[1]), requestId, stripeVersion)),
    (e) => guarded(() => edgeForwardError(0, String(e), requestId, stripeVersion)),
  );
}
// A promise the wasm awaits (src/promise.rs, \`settled\`): its outcome goes to the wasm's
// \`edgeSettled\` with the slot that waits for it, unless the wasm instance was replaced
// meanwhile (after a trap), whose slots are gone. Plain callbacks: wasm-bindgen's
// \`JsFuture\` made two closures of the wasm's per promise, each registered for
// finalization and destroyed by a call back into the wasm.
function edgeAwait(promise, slot) {
  const instance = __wbg_instance_id;
  promise.then(
    (value) => instance === __wbg_instance_id && edgeSettled(slot, true, value),
    (error) => instance === __wbg_instance_id && edgeSettled(slot, false, error),
  );
}
// SQL in one call a statement (src/objects/sql.rs): the arguments come as one text and a
// query's rows go back as one (core/src/wire/sql_text.rs says the form: "t" and a length in
// UTF-16 units for a text, "i" and an integer, "n" for null; "r" before each row).
function edgeSqlArgs(text) {
  const args = [];
  let at = 0;
  while (at < text.length) {
    if (text.charCodeAt(at) === 110) {
      args.push(null);
      at++;
      continue;
    }
    const end = text.indexOf(";", at);
    if (end < 0) throw new Error("edgeSqlArgs: an argument without its end");
    const n = Number(text.slice(at + 1, end));
    if (text.charCodeAt(at) === 116) {
      args.push(text.slice(end + 1, end + 1 + n));
      at = end + 1 + n;
    } else {
      args.push(n);
      at = end + 1;
    }
  }
  return args;
}
function edgeExec(sql, statement, args) {
  return sql.exec(statement, ...edgeSqlArgs(args)).rowsWritten;
}
function edgeQuery(sql, statement, args) {
  let out = "";
  for (const row of sql.exec(statement, ...edgeSqlArgs(args)).raw()) {
    out += "r";
    for (const value of row) {
      if (typeof value === "string") out += "t" + value.length + ";" + value;
      else if (Number.isSafeInteger(value)) out += "i" + value + ";";
      else out += "n";
    }
  }
  return out;
}
function durableObject(Wasm) {
  return class extends RuntimeDurableObject {
    constructor(state, env) {
      super(state, env);
      this.args = [state, env];
      guarded(() => this.build());
    }
    build() {
      this.inner = new Wasm(...this.args);
      this.instanceId = initState.instanceId;
    }
    current() {
      if (this.instanceId !== initState.instanceId) this.build();
      return this.inner;
    }
    // The Worker calls an object through \`answer\` only: a \`fetch\` finds nothing here
    // (the wasm classes export none: src/objects/*/mod.rs).
    fetch() {
      return new Response('called through its RPC method answer', { status: 404 });
    }
    alarm() {
      return guarded(() => this.current().alarm());
    }
    answer(path, body) {
      return guarded(() => this.current().answer(path, body));
    }
  };
}
${objects.map((name) => `var ${name}2 = durableObject(${name});`).join('\n')}
export {
${objects.map((name) => `  ${name}2 as ${name},`).join('\n')}
  shim_default as default
};
`;
const end = text.indexOf('};', exportAt);
if (end < 0) fail('the end of the export list');
text = text.slice(0, start) + entry + text.slice(end + 2);

// The executor's check for `queueMicrotask` (js-sys's futures::queue, `hasQueueMicrotask`).
// A release build's glue calls the getter directly; a dev build's (`npm run dev`) wraps it
// in `logError(function(arg0) { … })`. No `}` may come between the name and the getter,
// so the match stays inside that one import.
const microtaskGetter = /(__wbg_queueMicrotask_[0-9a-f]+: function\([^)]*\) \{[^}]*?)const ret = arg0\.queueMicrotask;/g;
if ((text.match(microtaskGetter) || []).length !== 1) fail('the queueMicrotask getter');
text = text.replace(microtaskGetter, '$1const ret = undefined;');

// Strings into the wasm. wasm-bindgen's glue copies a string's ASCII prefix into the wasm's
// memory one character at a time in JavaScript, and only the rest with \`encodeInto\`: every
// stored customer a list reads, every command an object is sent, crosses that loop. A
// string longer than 64 characters is encoded into the memory by \`encodeInto\` (the
// runtime's native encoder) at once, into room for its longest UTF-8 form, which is then
// shrunk to what was written; below that the loop costs less (workerd's measurement is in
// ARCHITECTURE.md, "Request path").
// A dev build's glue checks the argument's type first; the fast path goes after that check.
const passString = /(function passStringToWasm0\(arg, malloc, realloc\) \{\n(?:  if \(typeof arg !== "string"\)[^\n]*\n)?)(  if \(realloc === void 0\) \{)/g;
if ((text.match(passString) || []).length !== 1) fail('passStringToWasm0');
text = text.replace(
  passString,
  `$1  if (realloc !== void 0 && arg.length > 64) {
    const room = arg.length * 3;
    const at = malloc(room, 1) >>> 0;
    const { written } = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(at, at + room));
    WASM_VECTOR_LEN = written;
    return realloc(at, room, written, 1) >>> 0;
  }
$2`,
);
fs.writeFileSync(file, text);

// Minify as worker-build would have (the unused shim parts go too).
const esbuild = process.env.ESBUILD_BIN || 'esbuild';
execFileSync(esbuild, [file, '--minify', '--format=esm', '--tree-shaking=true', `--outfile=${file}`, '--allow-overwrite', '--log-level=warning'], { stdio: 'inherit' });
