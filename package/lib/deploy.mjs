// `edge-customers deploy`: `wrangler deploy` of the packaged build (no build step), after
// the check `npm run deploy` makes: no deploy while the environment's KV namespace id is
// still a placeholder (unless --dry-run). The packaged wrangler.toml is the repository's
// without [build]; --kv-id fills in the id, --config names a wrangler.toml of your own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, UsageError } from './cli.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const HELP = `Usage: edge-customers deploy [--env preview] [--dry-run] [--kv-id ID | --config FILE] [-- WRANGLER_ARGS]

Deploys the packaged release build to Cloudflare with \`wrangler deploy\` (no build step).
Needs a Cloudflare login (\`npx wrangler login\`, or CLOUDFLARE_API_TOKEN) except with
--dry-run. Refuses to deploy while the KV namespace id is a placeholder.

  --env NAME       the wrangler environment: none is production, \`preview\` has sandbox
                   keys and the dashboard on (README, Deploy)
  --dry-run        bundle and check, upload nothing (no login, no KV id needed)
  --kv-id ID       the id of your CUSTOMERS KV namespace for that environment
                   (\`npx wrangler kv namespace create CUSTOMERS\`)
  --config FILE    your own wrangler.toml instead of the packaged one; its main and
                   [assets] directory must point into this package (node_modules/
                   edge-customers/build/index.js and node_modules/edge-customers/public)
  -- ARGS          passed on to wrangler deploy (e.g. -- --outdir dist)
  -h, --help       this help`;

const FLAGS = {
  env: { type: 'string', short: 'e' },
  'dry-run': { type: 'boolean' },
  'kv-id': { type: 'string' },
  config: { type: 'string', short: 'c' },
};

/** The packaged wrangler.toml with absolute paths into the package and, given, the KV id. */
function renderConfig(envName, kvId) {
  let text = fs.readFileSync(path.join(packageRoot, 'wrangler.toml'), 'utf8');
  text = text.replace(/^main = "build\/index\.js"$/m, `main = ${JSON.stringify(path.join(packageRoot, 'build', 'index.js'))}`);
  text = text.replace(/^directory = "public"$/m, `directory = ${JSON.stringify(path.join(packageRoot, 'public'))}`);
  if (kvId) {
    if (!/^[0-9a-f]{32}$/.test(kvId)) throw new UsageError(`deploy: --kv-id must be a KV namespace id (32 hex digits), not '${kvId}'`);
    const placeholder = envName === 'preview' ? '00000000000000000000000000000001' : '00000000000000000000000000000000';
    text = text.replace(`id = "${placeholder}"`, `id = "${kvId}"`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-customers-deploy-'));
  const file = path.join(dir, 'wrangler.toml');
  fs.writeFileSync(file, text);
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The CUSTOMERS KV id of `envName` in `configFile`, read by wrangler's own reader. */
async function kvIdOf(configFile, envName) {
  const { unstable_readConfig } = await import('wrangler');
  const config = unstable_readConfig({ config: configFile, env: envName || undefined });
  return (config.kv_namespaces ?? []).find((ns) => ns.binding === 'CUSTOMERS')?.id ?? '';
}

/** Runs wrangler with `args`; answers its exit code. */
function wrangler(args) {
  const bin = path.join(path.dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export async function deploy(args) {
  const split = args.indexOf('--');
  const passOn = split >= 0 ? args.slice(split + 1) : [];
  const parsed = parseFlags('deploy', split >= 0 ? args.slice(0, split) : args, { flags: FLAGS, help: HELP });
  if (!parsed) return 0;
  const { values } = parsed;
  if (values.config && values['kv-id']) throw new UsageError('deploy: choose one of --kv-id and --config (put the id in your config)');
  if (values.config && !fs.existsSync(values.config)) throw new UsageError(`deploy: no such file ${values.config}`);
  const envName = values.env ?? '';
  const config = values.config ? { file: path.resolve(values.config), cleanup: () => {} } : renderConfig(envName, values['kv-id']);
  try {
    if (!values['dry-run']) {
      const kvId = await kvIdOf(config.file, envName);
      if (!kvId || /^0+1?$/.test(kvId)) {
        console.error(`[deploy] no real KV namespace id for CUSTOMERS${envName ? ` in env.${envName}` : ''} (it is '${kvId}').`);
        console.error(`[deploy] Create one with \`npx wrangler kv namespace create CUSTOMERS\` and pass it: edge-customers deploy${envName ? ` --env ${envName}` : ''} --kv-id <id>`);
        return 1;
      }
    }
    // --env= is the top level (production), named so wrangler need not warn about it.
    const wranglerArgs = ['deploy', '--config', config.file, `--env=${envName}`, ...(values['dry-run'] ? ['--dry-run'] : []), ...passOn];
    return await wrangler(wranglerArgs);
  } finally {
    config.cleanup();
  }
}
