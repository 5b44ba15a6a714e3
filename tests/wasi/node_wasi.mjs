// node_wasi.mjs: runs a WASI command under node's own WASI, for the
// differential check in run_tests.sh. Usage:
//   node --experimental-wasi-unstable-preview1 node_wasi.mjs SANDBOX FILE.wasm
//        [--env=KEY=VALUE...] -- [ARGS...]
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import process from 'node:process';

const [sandbox, file, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const env = {};
for (const e of rest.slice(0, sep)) {
    const kv = e.slice('--env='.length);
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
const wasi = new WASI({
    version: 'preview1',
    args: [file, ...rest.slice(sep + 1)],
    env,
    preopens: { '/sandbox': sandbox },
    returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
