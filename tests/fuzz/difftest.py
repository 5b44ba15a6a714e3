#!/usr/bin/env python3
"""difftest.py: the differential test behind tools/difftest. Makes modules
with binaryen's `wasm-opt --translate-to-fuzz` from seeded random bytes, runs
each on weft (diff_driver) and on V8 (node diff_node.js), and compares the
canonical lines the two print. See tools/difftest --help."""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# WebAssembly 2.0 as weft runs it, minus reference types (binaryen 108's
# generator emits reference-typed code that V8 and weft both reject as
# invalid, for example ref.func in an externref global), which
# --ref-types-every mixes back in now and then to compare validation.
FEATURES = ['--mvp-features', '--enable-sign-ext', '--enable-mutable-globals',
            '--enable-nontrapping-float-to-int', '--enable-bulk-memory', '--enable-multivalue']
# SIMD goes into every other module: exports with v128 in their signature
# cannot be called from JS, so without it more exports are compared.
SIMD = '--enable-simd'
# --denan makes the module replace every NaN a float operation produces with
# zero, so NaN payloads (which engines may choose differently) cannot reach
# memory, integers or logs.
TTF = ['-ttf', '--denan']

STRATEGIES = [('direct', 'guard'), ('indirect', 'explicit'), ('switch', 'guard'),
              ('direct', 'explicit'), ('indirect', 'guard'), ('switch', 'explicit')]


def split_modules(text):
    """Maps each module path to its list of lines."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith('== '):
            cur = line[3:]
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def same_line(w, v):
    """Whether weft's line w says what V8's line v says. V8 reports both
    trapping float-to-integer truncations (out of range: "integer
    overflow"; NaN: "invalid conversion to integer") as one kind."""
    if w == v:
        return True
    for kind in (' trap int-overflow', ' trap invalid-conv'):
        if w.endswith(kind) and v.endswith(' trap float-trunc') and \
                w[:-len(kind)] == v[:-len(' trap float-trunc')]:
            return True
    return False


def same(weft, v8):
    return len(weft) == len(v8) and all(same_line(w, v) for w, v in zip(weft, v8))


def explain(weft, v8):
    """Names the class of an explained difference, or returns None."""
    # Both ran out of stack, at depths that differ: what happened before
    # (logs, memory writes) may differ too, and everything after the first
    # exhaustion is suspect.
    for i, (a, b) in enumerate(zip(weft, v8)):
        if not same_line(a, b):
            if 'stack-exhausted' in a or 'stack-exhausted' in b:
                return 'stack-depth'
            rest_a, rest_b = weft[i:], v8[i:]
            if any('stack-exhausted' in x for x in rest_a + rest_b):
                return 'stack-depth'
            return None
    if len(weft) != len(v8):
        longer = weft if len(weft) > len(v8) else v8
        if any('stack-exhausted' in x for x in longer):
            return 'stack-depth'
    return None


def run(cmd, files, timeout):
    """Runs cmd + files; returns (stdout, None) or (stdout, what failed)."""
    try:
        p = subprocess.run(cmd + files, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, text=True, errors='replace')
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or '')
        return out, 'hang (no answer in %ds)' % timeout
    if p.returncode != 0:
        return p.stdout, 'exit status %d: %s' % (p.returncode, p.stderr.strip()[-500:])
    return p.stdout, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=100)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--batch', type=int, default=50)
    ap.add_argument('--work', required=True)
    ap.add_argument('--driver', required=True)
    ap.add_argument('--node', default='node')
    ap.add_argument('--wasm-opt', default='wasm-opt')
    ap.add_argument('--ref-types-every', type=int, default=8,
                    help='every Nth module also enables reference types (0: never)')
    ap.add_argument('--timeout', type=int, default=120, help='seconds per batch')
    ap.add_argument('--quiet', action='store_true')
    a = ap.parse_args()

    mods = os.path.join(a.work, 'modules')
    keep = os.path.join(a.work, 'mismatches')
    os.makedirs(mods, exist_ok=True)
    os.makedirs(keep, exist_ok=True)
    node_cmd = [a.node, '--experimental-wasm-type-reflection', '--stack-size=900',
                os.path.join(HERE, 'diff_node.js')]
    counts = {'modules': 0, 'invalid-both': 0, 'same': 0, 'calls': 0, 'traps': 0,
              'logs': 0, 'generate-failed': 0}
    explained, unexplained = {}, []
    started = time.time()
    for first in range(0, a.count, a.batch):
        ids = range(first, min(first + a.batch, a.count))
        files = []
        for i in ids:
            rng = random.Random('%d-%d' % (a.seed, i))
            raw = os.path.join(mods, '%d.bin' % i)
            wasm = os.path.join(mods, '%d.wasm' % i)
            with open(raw, 'wb') as f:
                f.write(rng.randbytes(rng.randint(1024, 16384)))
            feats = list(FEATURES)
            if i % 2 == 0:
                feats.append(SIMD)
            if a.ref_types_every and i % a.ref_types_every == a.ref_types_every - 1:
                feats.append('--enable-reference-types')
            p = subprocess.run([a.wasm_opt, raw] + TTF + feats + ['-o', wasm],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.unlink(raw)
            if p.returncode != 0:
                counts['generate-failed'] += 1
                continue
            files.append(wasm)
        dispatch, bounds = STRATEGIES[(first // a.batch) % len(STRATEGIES)]
        wcmd = [a.driver, '--dispatch', dispatch, '--bounds', bounds]
        wout, wfail = run(wcmd, files, a.timeout)
        vout, vfail = run(node_cmd, files, a.timeout)
        wmods, vmods = split_modules(wout), split_modules(vout)
        for path in files:
            counts['modules'] += 1
            w, v = wmods.get(path), vmods.get(path)
            if w is None or v is None or (wfail and path == list(wmods)[-1]) or \
                    (vfail and path == list(vmods)[-1]):
                # The batch died or hung on or before this module: run it
                # alone to tell which.
                w, f1 = run(wcmd, [path], 30)
                v, f2 = run(node_cmd, [path], 30)
                w = split_modules(w).get(path, []) + (['weft failed: ' + f1] if f1 else [])
                v = split_modules(v).get(path, []) + (['node failed: ' + f2] if f2 else [])
            if same(w, v):
                counts['same'] += 1
                if w == ['invalid']:
                    counts['invalid-both'] += 1
                counts['calls'] += sum(1 for x in w if x.startswith('call '))
                counts['traps'] += sum(1 for x in w if ' trap ' in x)
                counts['logs'] += sum(1 for x in w if x.startswith('log-'))
                os.unlink(path)
                continue
            why = explain(w, v)
            base = os.path.join(keep, os.path.basename(path)[:-5])
            shutil.copy(path, base + '.wasm')
            with open(base + '.weft', 'w') as f:
                f.write('\n'.join(w) + '\n')
            with open(base + '.v8', 'w') as f:
                f.write('\n'.join(v) + '\n')
            with open(base + '.txt', 'w') as f:
                f.write('dispatch %s, bounds %s, class %s\n' % (dispatch, bounds, why or 'UNEXPLAINED'))
            if why:
                explained.setdefault(why, []).append(base + '.wasm')
            else:
                unexplained.append(base + '.wasm')
                first_diff = next((k for k, (x, y) in enumerate(zip(w, v)) if not same_line(x, y)),
                                  min(len(w), len(v)))
                print('difftest: MISMATCH %s (%s/%s): weft %r, V8 %r' % (
                    base + '.wasm', dispatch, bounds,
                    w[first_diff] if first_diff < len(w) else '<end>',
                    v[first_diff] if first_diff < len(v) else '<end>'), file=sys.stderr)
            os.unlink(path)
        if not a.quiet:
            print('difftest: %d/%d modules, %d unexplained, %.0fs' % (
                counts['modules'], a.count, len(unexplained), time.time() - started),
                file=sys.stderr, flush=True)
    print('difftest: seed %d: %d modules (%d generation failures), %d identical '
          '(%d invalid on both), %d export calls compared (%d traps), %d log calls' % (
              a.seed, counts['modules'], counts['generate-failed'], counts['same'],
              counts['invalid-both'], counts['calls'], counts['traps'], counts['logs']))
    for why, paths in sorted(explained.items()):
        print('difftest: explained (%s): %d, e.g. %s' % (why, len(paths), paths[0]))
    print('difftest: %d unexplained mismatches%s' % (
        len(unexplained), (', kept in ' + keep) if unexplained else ''))
    return 1 if unexplained else 0


if __name__ == '__main__':
    sys.exit(main())
