// run_node.mjs: runs a benchmark module on node (V8). A module importing WASI
// runs its _start through node:wasi; an import-free one has run() or
// run_quick() called. Either way it prints "checksum: N" like the native build.
import { readFileSync } from 'node:fs';
import { argv, exit } from 'node:process';

const [path, ...rest] = argv.slice(2);
const module = new WebAssembly.Module(readFileSync(path));
const wantsWasi = WebAssembly.Module.imports(module)
  .some((imp) => imp.module === 'wasi_snapshot_preview1');

if (wantsWasi) {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', args: [path, ...rest], env: {} });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  exit(wasi.start(instance) ?? 0);
} else {
  const instance = new WebAssembly.Instance(module, {});
  const run = rest[0] === '--quick' ? instance.exports.run_quick : instance.exports.run;
  console.log(`checksum: ${run() >>> 0}`);
}
