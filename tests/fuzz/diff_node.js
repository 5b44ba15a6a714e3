// diff_node.js: the V8 side of tools/difftest. Runs modules made by
// binaryen's `wasm-opt --translate-to-fuzz` on node's WebAssembly and prints
// the same canonical lines as diff_driver.c prints for weft (see there for
// the format). Needs node >= 20 with --experimental-wasm-type-reflection,
// which tools/difftest passes, to learn each export's signature.
'use strict';
const fs = require('fs');

// A helper module whose "log-v128" takes a v128 (which JS functions cannot)
// and passes its four i32 lanes on to JS. Assembled from:
//   (module (import "h" "log4" (func $l (param i32 i32 i32 i32)))
//     (func (export "log-v128") (param v128)
//       (call $l (i32x4.extract_lane 0 (local.get 0)) ... lane 3)))
const LOG_V128 = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 12, 2, 96, 4, 127, 127, 127,
  127, 0, 96, 1, 123, 0, 2, 10, 1, 1, 104, 4, 108, 111, 103, 52, 0, 0, 3, 2, 1, 1, 7, 12, 1,
  8, 108, 111, 103, 45, 118, 49, 50, 56, 0, 1, 10, 26, 1, 24, 0, 32, 0, 253, 27, 0, 32, 0, 253,
  27, 1, 32, 0, 253, 27, 2, 32, 0, 253, 27, 3, 16, 0, 11]);

const out = [];
const emit = (s) => out.push(s);
const hex = (n, w) => n.toString(16).padStart(w, '0');
const scratch = new DataView(new ArrayBuffer(8));

function fmt(type, v) {
  switch (type) {
    case 'i32': return 'i32:' + hex(v >>> 0, 8);
    case 'i64': return 'i64:' + hex(BigInt.asUintN(64, v), 16);
    case 'f32':
      if (Number.isNaN(v)) return 'f32:nan';
      scratch.setFloat32(0, v);
      return 'f32:' + hex(scratch.getUint32(0), 8);
    case 'f64':
      if (Number.isNaN(v)) return 'f64:nan';
      scratch.setFloat64(0, v);
      return 'f64:' + hex(scratch.getBigUint64(0), 16);
    default: return v === null ? 'null' : 'ref';
  }
}

// V8's trap messages, mapped to the canonical kinds of diff_driver.c.
function trapKind(e) {
  const m = String(e && e.message);
  if (e instanceof RangeError && /call stack/i.test(m)) return 'stack-exhausted';
  if (!(e instanceof WebAssembly.RuntimeError)) return 'js-error ' + m;
  const kinds = [
    [/^unreachable/, 'unreachable'],
    [/divide by zero|remainder by zero/, 'div-zero'],
    [/divide result unrepresentable/, 'int-overflow'],
    // V8 has one message for a float-to-integer truncation out of range
    // and of NaN, which the spec calls "integer overflow" and "invalid
    // conversion to integer": difftest.py matches it with either.
    [/float unrepresentable/, 'float-trunc'],
    [/memory access out of bounds|data segment/, 'memory-oob'],
    [/table index is out of bounds|table access|element segment|table/, 'table-oob'],
    [/null function or function signature mismatch|signature mismatch/, 'indirect-call'],
  ];
  for (const [re, kind] of kinds) if (re.test(m)) return kind;
  return 'unknown ' + m;
}

const zero = (t) => (t === 'i64' ? 0n : t === 'i32' || t === 'f32' || t === 'f64' ? 0 : null);

function makeImports() {
  const log = (type) => (v) => emit('log-' + type + ' ' + fmt(type, v));
  const helper = new WebAssembly.Instance(new WebAssembly.Module(LOG_V128), {
    h: { log4: (a, b, c, d) => emit('log-v128 v128:' + [a, b, c, d].map((x) => hex(x >>> 0, 8)).join(':')) },
  });
  return {
    'fuzzing-support': {
      'log-i32': log('i32'), 'log-i64': log('i64'), 'log-f32': log('f32'), 'log-f64': log('f64'),
      'log-v128': helper.exports['log-v128'],
      // Stand-ins for newer binaryen's imports, as in diff_driver.c.
      'call-export': () => {},
      'call-export-catch': () => 0,
      'sleep': (ms, id) => id,
    },
  };
}

function runModule(path) {
  emit('== ' + path);
  let module;
  try {
    module = new WebAssembly.Module(fs.readFileSync(path));
  } catch (e) {
    // A module this V8 loads only with an experimental flag names the flag
    // (node 20: typed function references, which weft has on).
    const flag = /enable with (--[\w-]+)/.exec(e.message);
    emit(flag ? 'invalid without ' + flag[1] : 'invalid');
    return;
  }
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'fuzzing-support' || !/^(log-(i32|i64|f32|f64|v128)|call-export|call-export-catch|sleep)$/.test(imp.name) ||
        imp.kind !== 'function') {
      emit('link-error');
      return;
    }
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, makeImports());
  } catch (e) {
    if (e instanceof WebAssembly.LinkError) emit('link-error');
    else emit('start trap ' + trapKind(e));
    return;
  }
  const ex = instance.exports;
  const reset = typeof ex.hangLimitInitializer === 'function' ? ex.hangLimitInitializer : null;
  for (const name of Object.keys(ex)) {
    const f = ex[name];
    if (typeof f !== 'function') continue;
    const type = WebAssembly.Function.type(f);
    if (type.parameters.includes('v128') || type.results.includes('v128')) {
      emit('call ' + name + ' skip');
      continue;
    }
    if (reset) reset();
    let r;
    try {
      r = f(...type.parameters.map(zero));
    } catch (e) {
      emit('call ' + name + ' trap ' + trapKind(e));
      continue;
    }
    const results = type.results.length === 1 ? [r] : type.results.length ? Array.from(r) : [];
    emit('call ' + name + ' =' + results.map((v, i) => ' ' + fmt(type.results[i], v)).join(''));
  }
}

for (const path of process.argv.slice(2)) {
  runModule(path);
  process.stdout.write(out.join('\n') + '\n');
  out.length = 0;
}
