#!/usr/bin/env python3
"""difftest.py: the differential test behind tools/difftest. Makes modules
with binaryen's `wasm-opt --translate-to-fuzz` from seeded random bytes, runs
each on weft (diff_driver) and on V8 (node diff_node.js), and compares the
canonical lines the two print; with --multi-memory, binaryen's interpreter
also runs the module weft ran (binaryen_exec.py). See tools/difftest --help."""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

import binaryen_exec
import rewrite

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
# --proposals: 3.0 features that V8 in node 20 runs behind flags, for a
# binaryen new enough to generate code with them (tools/difftest installs
# one from npm). binaryen 132 makes 64-bit memories and return calls;
# extended-const is enabled, so nothing it makes under it is rejected, but
# its generator uses neither extended constants nor a second memory (which
# node 20 could not run): --extended-const and --multi-memory rewrite the
# modules it makes to get them (rewrite.py).
PROPOSALS = ['--enable-memory64', '--enable-tail-call', '--enable-extended-const']
NODE_PROPOSALS = ['--experimental-wasm-memory64', '--experimental-wasm-extended-const']

# SIMD float operations whose NaN results have payloads the spec leaves to
# the engine; binaryen 108's --denan does not touch SIMD, so canon_simd
# makes every such result lane a canonical NaN in the module itself.
SIMD_NAN_OPS = {
    'f32x4': ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt', 'ceil', 'floor', 'trunc',
              'nearest', 'demote_f64x2_zero'],
    'f64x2': ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt', 'ceil', 'floor', 'trunc',
              'nearest', 'promote_low_f32x4'],
}
CANON_FUNCS = """
 (func $weft_canon_f32x4 (param $0 v128) (result v128)
  (v128.bitselect (local.get $0)
   (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)
   (f32x4.eq (local.get $0) (local.get $0))))
 (func $weft_canon_f64x2 (param $0 v128) (result v128)
  (v128.bitselect (local.get $0)
   (v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000)
   (f64x2.eq (local.get $0) (local.get $0))))
"""


def canon_simd_text(text):
    """Wraps every SIMD float operation of a module in binaryen's folded
    text form in a call that turns its NaN lanes into canonical NaNs.
    Returns the new text and how many operations it wrapped."""
    heads = tuple('(%s.%s' % (shape, op) for shape, ops in SIMD_NAN_OPS.items() for op in ops)
    out, stack, i, n, wrapped = [], [], 0, len(text), 0
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if c == ';' and text.startswith(';;', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        if c == '(':
            wrap = None
            for h in heads:
                if text.startswith(h, i) and (i + len(h) >= n or text[i + len(h)] in ' \n)'):
                    wrap = h[1:6]
                    break
            if wrap:
                out.append('(call $weft_canon_%s ' % wrap)
                wrapped += 1
            stack.append(wrap)
            out.append(c)
        elif c == ')':
            out.append(c)
            if stack and stack.pop():
                out.append(')')
        else:
            out.append(c)
        i += 1
    text = ''.join(out)
    if wrapped:
        end = text.rstrip().rfind(')')
        text = text[:end] + CANON_FUNCS + text[end:]
    return text, wrapped


def wasm_file(path):
    """Whether the file at `path` starts as a module does."""
    try:
        with open(path, 'rb') as f:
            return f.read(4) == b'\0asm'
    except OSError:
        return False


class Binaryen:
    """Runs binaryen's tools (wasm-opt, wasm-dis, wasm-as), each either as a
    process per run or, for npm's JS build (--binaryen-server), many runs in
    one node process (binaryen_server.js), which saves compiling the tool
    each time. Inputs and outputs are files."""

    def __init__(self, a):
        self.cmds = {'opt': a.wasm_opt, 'dis': a.wasm_dis, 'as': a.wasm_as}
        self.node, self.server = a.node, a.binaryen_server
        self.procs = {}

    def run(self, tool, args):
        """Runs `tool` ('opt', 'dis' or 'as') with args; its exit status."""
        if not self.server:
            return subprocess.run([self.cmds[tool]] + args, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode
        # Now and then a run in a long-lived server fails, or reports
        # success but leaves its output empty (seen: 2 of 3,000 split
        # modules): then once more in a fresh process.
        out = args[args.index('-o') + 1] if '-o' in args else None
        for attempt in range(2):
            status = self.output(tool, args)[0]
            if status == 0 and out and not (wasm_file(out) if out.endswith('.wasm') else
                                            os.path.exists(out) and os.path.getsize(out)):
                status = 1
                self.stop(tool)
            if status == 0:
                break
        return status

    def stop(self, tool):
        """Ends the server process of `tool`, if there is one."""
        p = self.procs.pop(tool, None)
        if p:
            p.kill()
            p.wait()

    def output(self, tool, args):
        """Runs `tool` with args; its exit status and the lines it printed."""
        if not self.server:
            p = subprocess.run([self.cmds[tool]] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, errors='replace')
            return p.returncode, p.stdout.splitlines()
        lines = []
        for attempt in range(2):
            p = self.procs.get(tool)
            if p is None or p.poll() is not None:
                # A larger stack than node's default: binaryen's
                # interpreter (--fuzz-exec) recurses deeply, and the server
                # runs it some frames down already (the main thread's
                # stack is 8 MB).
                p = self.procs[tool] = subprocess.Popen(
                    [self.node, '--stack-size=4000', os.path.join(HERE, 'binaryen_server.js'),
                     self.cmds[tool]],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    text=True, errors='replace')
            try:
                p.stdin.write(json.dumps(args) + '\n')
                p.stdin.flush()
                lines = []
                for line in p.stdout:
                    if line.startswith('\x01exit '):
                        status = int(line.split()[1])
                        if status:
                            # A failed run may leave the tool's state
                            # broken (an abort): start it afresh.
                            self.stop(tool)
                        return status, lines
                    lines.append(line.rstrip('\n'))
            except (BrokenPipeError, ValueError):
                pass
            self.stop(tool)
        return 1, lines

    def text(self, wasm):
        """The text form of module `wasm`, or None."""
        wat = wasm[:-5] + '.wat'
        try:
            if self.run('dis', [wasm, '-o', wat]):
                return None
            with open(wat) as f:
                return f.read()
        finally:
            if os.path.exists(wat):
                os.unlink(wat)


def canon_simd(wasm, features, tools):
    """Rewrites `wasm` in place as canon_simd_text says; False on failure."""
    text = tools.text(wasm)
    if text is None:
        return False
    text, wrapped = canon_simd_text(text)
    if not wrapped:
        return True
    wat = wasm[:-5] + '.wat'
    with open(wat, 'w') as f:
        f.write(text)
    try:
        return tools.run('as', features + [wat, '-o', wasm]) == 0
    finally:
        os.unlink(wat)


STRATEGIES = [('direct', 'guard'), ('indirect', 'explicit'), ('switch', 'guard'),
              ('direct', 'explicit'), ('indirect', 'guard'), ('switch', 'explicit')]
TAIL_STRATEGIES = [('tail', 'guard'), ('tail', 'explicit')]


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
    if weft is None or v8 is None:
        return False
    return len(weft) == len(v8) and all(same_line(w, v) for w, v in zip(weft, v8))


def float_layouts(width):
    """Where whole or partial floats can sit in an integer of `width` bits
    that came from float bits: (float bits, exponent bits, offset of the
    integer's bit 0 in the float). An i16 lane extracted from a float
    vector holds a float's upper half, for instance."""
    if width == 32:
        return [(32, 8, 0), (32, 8, 16), (64, 11, 32), (64, 11, 48)]
    return [(64, 11, 0), (32, 8, 0), (32, 8, 32)]


def nan_lanes_differ(x, y, width):
    """Whether x and y differ only in the sign and mantissa bits of float
    lanes (whole or cut) that are NaNs in both (exponent all ones, the
    visible mantissa bits not all zero), any bits above a cut lane being
    its sign's extension (as i8x16/i16x8.extract_lane_s makes them)."""
    d = x ^ y
    for fbits, ebits, offset in float_layouts(width):
        mbits = fbits - 1 - ebits
        covered, ok = 0, True
        for start in range(-offset, width, fbits):
            lo, hi = max(start, 0), min(start + fbits, width)
            lane = ((1 << (hi - lo)) - 1) << lo
            if not d & lane:
                continue
            if start + fbits > width:
                ok = False  # The lane's exponent is not all there.
                break
            emask = ((1 << ebits) - 1) << (start + mbits)
            mmask = lane & ((1 << (start + mbits)) - 1)
            if x & emask != emask or y & emask != emask or not x & mmask or not y & mmask:
                ok = False
                break
            covered |= lane & ~emask
        top = -offset + fbits  # Above a lane cut at the bottom: its sign's copies.
        if ok and offset and top < width:
            ext = ((1 << width) - 1) ^ ((1 << top) - 1)
            sx, sy = (x >> (top - 1)) & 1, (y >> (top - 1)) & 1
            if (x & ext) == (ext if sx else 0) and (y & ext) == (ext if sy else 0):
                covered |= ext
        if ok and not d & ~covered:
            return True
    return False


def values(line):
    """The typed values of a line: a list of (width, integer)."""
    out = []
    for tok in line.split():
        kind, _, val = tok.partition(':')
        if kind in ('i32', 'f32') and len(val) == 8:
            out.append((32, int(val, 16)))
        elif kind in ('i64', 'f64') and len(val) == 16:
            out.append((64, int(val, 16)))
        elif kind == 'v128':
            lanes = val.split(':')
            out.append((128, sum(int(l, 16) << (32 * k) for k, l in enumerate(lanes))))
        else:
            out.append((None, tok))
    return out


def nan_payload(a, b):
    """Whether lines a and b differ only in NaN payload bits (what
    --denan cannot remove: NaNs made by SIMD float arithmetic, whose
    payloads the spec leaves to the engine, read back as integers)."""
    va, vb = values(a), values(b)
    if len(va) != len(vb):
        return False
    differ = False
    for (wa, x), (wb, y) in zip(va, vb):
        if (wa, x) == (wb, y):
            continue
        if wa is None or wa != wb:
            return False
        if wa == 128:
            lanes_ok = all(nan_lanes_differ((x >> (32 * k)) & 0xffffffff,
                                            (y >> (32 * k)) & 0xffffffff, 32) or
                           ((x >> (32 * k)) & 0xffffffff) == ((y >> (32 * k)) & 0xffffffff)
                           for k in range(4))
            lanes64 = all(nan_lanes_differ((x >> (64 * k)) & (2**64 - 1),
                                           (y >> (64 * k)) & (2**64 - 1), 64) or
                          ((x >> (64 * k)) & (2**64 - 1)) == ((y >> (64 * k)) & (2**64 - 1))
                          for k in range(2))
            if not (lanes_ok or lanes64):
                return False
        elif not nan_lanes_differ(x, y, wa):
            return False
        differ = True
    return differ


def explain(weft, v8):
    """Names the class of an explained difference, or returns None."""
    # V8 rejected a module it would load with an experimental flag that this
    # run does not give (diff_node.js names it): a feature node lacks, not
    # a difference; the module is not compared.
    if len(v8) == 1 and v8[0].startswith('invalid without '):
        return 'v8-flag ' + v8[0][len('invalid without '):]
    # The first difference is in NaN payload bits: everything after it
    # (memory hashes, later logs) may differ as a consequence.
    for a, b in zip(weft, v8):
        if not same_line(a, b):
            if nan_payload(a, b):
                return 'nan-payload'
            break
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


EXTRA_FEATURES = []  # PROPOSALS with --proposals


uleb = rewrite.uleb


def sections(b):
    """The sections of module bytes `b`, as (id, start, end) of their
    contents (IndexError on a cut-off module)."""
    i = 8
    while i < len(b):
        sid = b[i]
        size, i = uleb(b, i + 1)
        yield sid, i, i + size
        i += size


def memory64(path):
    """Whether the module's own memory (binaryen's generator declares one)
    is 64-bit."""
    with open(path, 'rb') as f:
        b = f.read()
    try:
        for sid, i, _ in sections(b):
            if sid == 5:
                n, j = uleb(b, i)
                return n > 0 and bool(b[j] & 4)
    except IndexError:
        pass
    return False


def has_table64(path):
    """Whether the module declares or imports a 64-bit table, which binaryen
    makes with memory64 enabled but V8 in node 20 cannot load (so the two
    could not be compared). Any binary it cannot follow counts as yes."""
    with open(path, 'rb') as f:
        b = f.read()
    try:
        for sid, i, _ in sections(b):
            if sid in (2, 4):
                n, i = uleb(b, i)
                for _ in range(n):
                    if sid == 2:
                        for _name in range(2):
                            ln, i = uleb(b, i)
                            i += ln
                        kind = b[i]
                        i += 1
                        if kind in (0, 4):
                            i = uleb(b, i + (kind == 4))[1]
                            continue
                        if kind == 3:
                            if b[i] in (0x63, 0x64):
                                return True
                            i += 2
                            continue
                        if kind == 2:
                            flags = b[i]
                            i = uleb(b, i + 1)[1]
                            if flags & 1:
                                i = uleb(b, i)[1]
                            continue
                    elif b[i] == 0x40:
                        return True  # A table with an initializer: not made here.
                    if b[i] not in (0x70, 0x6f):
                        return True
                    flags = b[i + 1]
                    if flags & 4:
                        return True
                    i = uleb(b, i + 2)[1]
                    if flags & 1:
                        i = uleb(b, i)[1]
        return False
    except IndexError:
        return True


def feats_of(path):
    """The features module `path` (NAME.wasm, NAME its number) was made with."""
    i = int(os.path.basename(path)[:-5])
    return FEATURES + EXTRA_FEATURES + ([SIMD] if i % 2 == 0 else [])


# What can move a NaN's sign or payload bits out of a float value into an
# integer, memory or a non-NaN float: reinterpreting, storing a float,
# copysign (whose result takes a NaN's sign), and SIMD (whose lanes are
# read as integers). In binaryen's text form.
LEAK_OPS = ('.reinterpret_f', 'f32.store', 'f64.store', '.copysign', 'v128.', 'x4.', 'x2.',
            'x8.', 'x16.')


def nan_leak(path, wcmd, node_cmd, a):
    """For --no-denan: whether a mismatch is explained by NaN bits that
    leaked (the spec lets engines choose a NaN's sign and payload, within
    its rules): the module has an operation that can leak them, and the
    mismatch goes away once both engines run it with every NaN that a float
    operation makes turned into 0 (binaryen's --denan pass, and SIMD NaN
    lanes made canonical)."""
    text = a.tools.text(path)
    if text is None or not any(op in text for op in LEAK_OPS):
        return None
    tmp = path[:-5] + '-denan.wasm'
    feats = feats_of(path) + ['--enable-reference-types']
    try:
        if a.tools.run('opt', [path, '--denan'] + feats + ['-o', tmp]) or \
                not canon_simd(tmp, feats, a.tools):
            return None
        w, f1 = run(wcmd, [tmp], 30)
        v, f2 = run(node_cmd, [tmp], 30)
        if not f1 and not f2 and same(split_modules(w).get(tmp), split_modules(v).get(tmp)):
            return 'nan-leak'
        return None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def confirm_simd_nans(path, wcmd, node_cmd, a):
    """Whether a mismatch goes away once the NaN results of SIMD float
    operations are canonical: then it was only their payloads."""
    tmp = path[:-5] + '-canon.wasm'
    shutil.copy(path, tmp)
    try:
        if not canon_simd(tmp, feats_of(path) + ['--enable-reference-types'], a.tools):
            return None
        w, f1 = run(wcmd, [tmp], 30)
        v, f2 = run(node_cmd, [tmp], 30)
        if not f1 and not f2 and same(split_modules(w).get(tmp), split_modules(v).get(tmp)):
            return 'simd-nan-payload'
        return None
    finally:
        os.unlink(tmp)


def split_module(wasm, feats, rng, a):
    """For --multi-memory: writes the module `wasm` with its memory split
    (rewrite.split_memory) into the split/ folder beside it. Returns
    (status, (path, memories)), (0, None) when it has no memory to split."""
    text = a.tools.text(wasm)
    if text is None:
        return 1, None
    text = rewrite.split_memory(text, rng)
    if text is None:
        return 0, None
    out = os.path.join(os.path.dirname(wasm), 'split', os.path.basename(wasm))
    wat = out[:-5] + '.wat'
    with open(wat, 'w') as f:
        f.write(text)
    try:
        if a.tools.run('as', feats + [wat, '-o', out]):
            return 1, None
    finally:
        os.unlink(wat)
    return 0, (out, text.count('\n(memory '))


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
    ap.add_argument('--wasm-dis', default='wasm-dis')
    ap.add_argument('--wasm-as', default='wasm-as')
    ap.add_argument('--binaryen-server', action='store_true',
                    help='the binaryen tools are npm\'s JS build: run each in one node process')
    ap.add_argument('--keep-simd-nans', action='store_true',
                    help='do not canonicalize the NaN results of SIMD float operations')
    ap.add_argument('--ref-types-every', type=int, default=None,
                    help='every Nth module also enables reference types (0: never; default 8, '
                         'with --proposals 0)')
    ap.add_argument('--timeout', type=int, default=120, help='seconds per batch')
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument('--tail', action='store_true',
                    help='also run batches in the tail strategy (a clang build)')
    ap.add_argument('--proposals', action='store_true',
                    help='also enable memory64, tail calls and extended-const (a newer binaryen)')
    ap.add_argument('--no-denan', action='store_true',
                    help='keep scalar NaNs; differences from NaN bits are told apart by rerunning')
    ap.add_argument('--multi-memory', action='store_true',
                    help='weft runs each module with its memory split into several '
                         '(rewrite.split_memory), V8 the module as generated')
    ap.add_argument('--extended-const', action='store_true',
                    help='constant initialisers and segment offsets become extended '
                         'constant expressions (rewrite.extend_consts) on both sides')
    ap.add_argument('--meter-every', type=int, default=0,
                    help='every Kth batch runs metered: fuel in small top-ups and an '
                         'interrupt every 100 us, each stop resumed (0: never)')
    a = ap.parse_args()
    a.tools = Binaryen(a)
    # binaryen 132 (npm's, run through the binaryen server) with reference
    # types emits typed function reference instructions (ref.as_non_null)
    # and imports (call-ref, an externref global) that node 20 does not load
    # without flags and weft has on.
    if a.ref_types_every is None:
        a.ref_types_every = 0 if a.binaryen_server else 8
    if a.proposals:
        EXTRA_FEATURES.extend(PROPOSALS)
    if a.multi_memory:
        EXTRA_FEATURES.append('--enable-multimemory')
    if a.extended_const and '--enable-extended-const' not in EXTRA_FEATURES:
        EXTRA_FEATURES.append('--enable-extended-const')
    ttf = TTF if not a.no_denan else [x for x in TTF if x != '--denan']

    mods = os.path.join(a.work, 'modules')
    keep = os.path.join(a.work, 'mismatches')
    os.makedirs(mods, exist_ok=True)
    os.makedirs(keep, exist_ok=True)
    node_cmd = [a.node, '--experimental-wasm-type-reflection', '--stack-size=900'] + \
        (NODE_PROPOSALS if a.proposals else
         ['--experimental-wasm-extended-const'] if a.extended_const else []) + \
        [os.path.join(HERE, 'diff_node.js')]
    counts = {'modules': 0, 'invalid-both': 0, 'same': 0, 'calls': 0, 'traps': 0,
              'logs': 0, 'generate-failed': 0, 'metered': 0, 'table64-redone': 0,
              'memory64': 0, 'split': 0, 'memories': 0, 'split-none': 0,
              'extended': 0, 'const-exprs': 0, 'binaryen-same': 0,
              'binaryen-calls': 0, 'binaryen-retried': 0}
    # The file weft runs for each module: with --multi-memory, the split one.
    weft_file = {}
    if a.multi_memory:
        os.makedirs(os.path.join(mods, 'split'), exist_ok=True)
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
            feats = feats_of(wasm)
            if a.ref_types_every and i % a.ref_types_every == a.ref_types_every - 1:
                feats.append('--enable-reference-types')
            rc = a.tools.run('opt', [raw] + ttf + feats + ['-o', wasm])
            # With --proposals, a module with a 64-bit table is made again
            # from other bytes (a few times at most).
            for again in range(8 if a.proposals else 0):
                if rc or not has_table64(wasm):
                    break
                counts['table64-redone'] += 1
                with open(raw, 'wb') as f:
                    f.write(rng.randbytes(rng.randint(1024, 16384)))
                rc = a.tools.run('opt', [raw] + ttf + feats + ['-o', wasm])
            else:
                if a.proposals and rc == 0 and has_table64(wasm):
                    rc = 1
            os.unlink(raw)
            if rc == 0 and a.proposals and memory64(wasm):
                counts['memory64'] += 1
            if rc == 0 and SIMD in feats and not a.keep_simd_nans and \
                    not canon_simd(wasm, feats, a.tools):
                rc = 1
            if rc == 0 and a.extended_const:
                with open(wasm, 'rb') as f:
                    b, n = rewrite.extend_consts(f.read(), random.Random('%d-%d-ec' % (a.seed, i)))
                with open(wasm, 'wb') as f:
                    f.write(b)
                counts['extended'] += n > 0
                counts['const-exprs'] += n
            weft_file[wasm] = wasm
            if rc == 0 and a.multi_memory:
                rc, split = split_module(wasm, feats, random.Random('%d-%d-mm' % (a.seed, i)), a)
                if split:
                    counts['split'] += 1
                    counts['memories'] += split[1]
                    weft_file[wasm] = split[0]
                elif rc == 0:
                    counts['split-none'] += 1
            if rc != 0:
                counts['generate-failed'] += 1
                continue
            files.append(wasm)
        strategies = STRATEGIES + (TAIL_STRATEGIES if a.tail else [])
        batch = first // a.batch
        dispatch, bounds = strategies[batch % len(strategies)]
        wcmd = [a.driver, '--dispatch', dispatch, '--bounds', bounds]
        if a.meter_every and batch % a.meter_every == a.meter_every - 1:
            wcmd += ['--meter', '97']
            bounds += ', metered'
            counts['metered'] += len(files)
        wout, wfail = run(wcmd, [weft_file[p] for p in files], a.timeout)
        vout, vfail = run(node_cmd, files, a.timeout)
        wmods, vmods = split_modules(wout), split_modules(vout)
        for path in files:
            counts['modules'] += 1
            wpath = weft_file[path]
            w, v = wmods.get(wpath), vmods.get(path)
            if w is None or v is None or (wfail and wpath == list(wmods)[-1]) or \
                    (vfail and path == list(vmods)[-1]):
                # The batch died or hung on or before this module: run it
                # alone to tell which.
                w, f1 = run(wcmd, [wpath], 30)
                v, f2 = run(node_cmd, [path], 30)
                w = split_modules(w).get(wpath, []) + (['weft failed: ' + f1] if f1 else [])
                v = split_modules(v).get(path, []) + (['node failed: ' + f2] if f2 else [])
            if same(w, v) and wpath != path:
                # Also binaryen's interpreter on the split module.
                # Once more in a fresh process if it fails: a long-running
                # server now and then fails a run that passes alone.
                for attempt in range(2):
                    rc, lines = a.tools.output('opt', feats_of(path) +
                                               [wpath, '--fuzz-exec-before'])
                    if rc == 0:
                        break
                counts['binaryen-retried'] += attempt
                differ, calls = ('binaryen failed', None) if rc else \
                    binaryen_exec.compare(w, lines)
                if differ is None:
                    counts['binaryen-same'] += 1
                    counts['binaryen-calls'] += calls
                else:
                    w = w + ['binaryen: ' + differ]
            if w == ['invalid'] and len(v) == 1 and v[0].startswith('invalid without '):
                v = ['invalid']
            if same(w, v):
                counts['same'] += 1
                if w == ['invalid']:
                    # Kept: binaryen should make valid modules, and so
                    # should the rewrites.
                    counts['invalid-both'] += 1
                    shutil.copy(path, os.path.join(keep, 'invalid-' + os.path.basename(path)))
                counts['calls'] += sum(1 for x in w if x.startswith('call '))
                counts['traps'] += sum(1 for x in w if ' trap ' in x)
                counts['logs'] += sum(1 for x in w if x.startswith('log-'))
                os.unlink(path)
                if wpath != path:
                    os.unlink(wpath)
                continue
            why = explain(w, v)
            # The reruns below run the module as generated on both sides,
            # which would hide a difference in a split module.
            if not why and SIMD in feats_of(path) and wpath == path:
                why = confirm_simd_nans(path, wcmd, node_cmd, a)
            if not why and a.no_denan and wpath == path:
                why = nan_leak(path, wcmd, node_cmd, a)
            base = os.path.join(keep, os.path.basename(path)[:-5])
            shutil.copy(path, base + '.wasm')
            if wpath != path:
                shutil.copy(wpath, base + '-split.wasm')
                os.unlink(wpath)
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
    if a.proposals:
        print('difftest: %d modules with a 64-bit memory; %d made again for a 64-bit table' %
              (counts['memory64'], counts['table64-redone']))
    if a.multi_memory:
        print('difftest: %d modules split into %d memories in all (weft ran the split '
              'modules, V8 the originals); %d without a memory to split' % (
                  counts['split'], counts['memories'], counts['split-none']))
        print('difftest: %d split modules agree with binaryen\'s interpreter too '
              '(%d export calls compared; binaryen run again %d times)' % (
                  counts['binaryen-same'], counts['binaryen-calls'], counts['binaryen-retried']))
    if a.extended_const:
        print('difftest: %d modules with extended constant expressions (%d expressions)' % (
            counts['extended'], counts['const-exprs']))
    if counts['metered']:
        print('difftest: %d modules ran metered (fuel top-ups, interrupts, resumes)' %
              counts['metered'])
    for why, paths in sorted(explained.items()):
        print('difftest: explained (%s): %d, e.g. %s' % (why, len(paths), paths[0]))
    print('difftest: %d unexplained mismatches%s' % (
        len(unexplained), (', kept in ' + keep) if unexplained else ''))
    return 1 if unexplained else 0


if __name__ == '__main__':
    sys.exit(main())
