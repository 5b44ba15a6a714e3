// binaryen_server.js: runs one of the npm package binaryen's command-line
// tools (an Emscripten build: bin/wasm-opt, bin/wasm-dis, bin/wasm-as) many
// times in one node process, since compiling its 10 MB of WebAssembly takes
// longer than most runs. difftest.py --proposals uses it.
//
//   node binaryen_server.js TOOL
//
// Each line on stdin is a JSON array of arguments; the tool's main runs with
// them and the line "\u0001exit N" (N its exit status) follows whatever it
// printed on stdout. Inputs and outputs are files (the tool reaches the real
// file system through Emscripten's NODERAWFS).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const vm = require('vm');

const tool = path.resolve(process.argv[2]);
let src = fs.readFileSync(tool, 'utf8');
if (src.startsWith('#!')) src = src.slice(src.indexOf('\n') + 1);
// The tool's Module object is ours: no run at load, and no exit after a run.
const pre = 'var Module=typeof Module!="undefined"?Module:{};';
const tail = 'createWasm().then(()=>run());';
if (!src.startsWith(pre) || !src.includes(tail)) {
  console.error('binaryen_server: ' + tool + ' is not the Emscripten build it expects');
  process.exit(2);
}
src = 'var Module=globalThis.__binaryenModule;' + src.slice(pre.length);
src = src.replace(tail, 'globalThis.__binaryenReady=createWasm().then(()=>{run();return callMain});');
globalThis.__binaryenModule = { noInitialRun: true, noExitRuntime: true };
const wrapped = vm.runInThisContext('(function(require,module,exports,__filename,__dirname){' +
                                    src + '\n})', { filename: tool });
wrapped(require, { exports: {} }, {}, tool, path.dirname(tool));

globalThis.__binaryenReady.then((callMain) => {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let status;
    try {
      status = callMain(JSON.parse(line));
    } catch (e) {
      status = typeof e === 'object' && e && 'status' in e ? e.status : 1;
    }
    process.exitCode = 0;
    fs.writeSync(1, '\u0001exit ' + (status | 0) + '\n');
  });
});
