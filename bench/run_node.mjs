// run_node.mjs: runs a benchmark module on node (V8), the JIT reference and
// the reference output of the registry programs.
//   node run_node.mjs [--dir HOST[::GUEST]]... FILE.wasm [ARGS...]
// A module importing WASI runs its _start through node:wasi, with each
// --dir preopened under GUEST (default HOST) and ARGS as its arguments; an
// import-free one has run() or run_quick() (ARGS = --quick) called and prints
// "checksum: N" like the native build.
import { readFileSync } from 'node:fs';
import { argv, exit } from 'node:process';

const args = argv.slice(2);
const preopens = {};
while (args[0] === '--dir') {
  const [host, guest] = args[1].split('::');
  preopens[guest ?? host] = host;
  args.splice(0, 2);
}
const [path, ...rest] = args;
const module = new WebAssembly.Module(readFileSync(path));
const wantsWasi = WebAssembly.Module.imports(module)
  .some((imp) => imp.module === 'wasi_snapshot_preview1');

if (wantsWasi) {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', args: [path, ...rest], env: {}, preopens,
    returnOnExit: true });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  exit(wasi.start(instance) ?? 0);
} else {
  const instance = new WebAssembly.Instance(module, {});
  const run = rest[0] === '--quick' ? instance.exports.run_quick : instance.exports.run;
  console.log(`checksum: ${run() >>> 0}`);
}
