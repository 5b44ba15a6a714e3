"""binaryen_exec.py: compares weft's canonical lines for a module (see
diff_driver.c) with what binaryen's own interpreter prints for it
(`wasm-opt M.wasm --fuzz-exec-before`), a second implementation of features
V8 in node 20 lacks, such as multi-memory.

binaryen calls every export in order with zero arguments, as diff_driver
does, and prints per export "[fuzz-exec] export NAME", each logging call's
value, then "note result: NAME => V" with any further results one a line,
or "[trap MESSAGE]". It prints integers in signed decimal and floats as the
shortest decimal that reads back (a NaN as nan:0xPAYLOAD), without types, so
each value is compared under the type weft's line gives it: integers as
values, floats by their bits once read back, every NaN equal to every NaN.
Exported globals (binaryen logs their values, weft calls only functions)
and exports with v128 in their signature (weft skips them, as JS must) are
left out, and so is everything after the first export with v128 in its
signature, since binaryen's call of it changes the module's state; traps
compare by kind. A logged i64 prints as its two 32-bit
halves (as JS received it)."""
import math
import re
import struct

# binaryen's trap messages, by the canonical kind of diff_driver.c.
TRAPS = [
    ('unreachable', r'^unreachable'),
    ('div-zero', r'divide by zero|by 0\b|by zero'),
    ('table-oob', r'table|undefined element|out of bounds call'),
    ('indirect-call', r'uninitialized|null|signature|call_?indirect|cast failure|type'),
    ('int-overflow', r'integer overflow|overflow'),
    ('invalid-conv', r'trunc.*nan|invalid conversion'),
    ('memory-oob', r'memory|out of bounds (load|store)|final > |highest > |segment access'),
    ('stack-exhausted', r'stack|call depth'),
]


def binaryen_events(lines):
    """binaryen's output as a dict: export name -> list of events
    ('log', text) ('result', [text...]) ('trap', message); the start
    function's under None."""
    out = {None: []}
    cur = out[None]
    for line in lines:
        if line.startswith('[fuzz-exec] export '):
            cur = out.setdefault(line[len('[fuzz-exec] export '):], [])
        elif line.startswith('warning: '):
            continue
        elif line.startswith('[LoggingExternalInterface logging '):
            cur.append(('log', line[len('[LoggingExternalInterface logging '):-1]))
        elif line.startswith('[fuzz-exec] note result: '):
            cur.append(('result', [line.split(' => ', 1)[1]]))
        elif line.startswith('[trap '):
            cur.append(('trap', line[6:-1]))
        elif line.startswith('[') or not cur or cur[-1][0] != 'result':
            cur.append(('other', line))
        else:
            cur[-1][1].append(line)
    return out


def weft_events(lines, start_logs):
    """weft's lines as a dict: export name -> list of events, the logs of
    a call before its result or trap, as binaryen prints them; skipped
    exports map to None. The first `start_logs` logs are the start
    function's, under None (weft's lines do not tell them from the first
    call's)."""
    out, logs = {None: []}, []
    for line in lines:
        if line.startswith('log-'):
            if len(out[None]) < start_logs:
                out[None].append(('log', line.split(' ', 1)[1]))
            else:
                logs.append(('log', line.split(' ', 1)[1]))
        elif line.startswith('start trap '):
            out[None] += logs + [('trap', line[11:])]
            logs = []
        elif line.startswith('call '):
            name, rest = line[5:].split(' ', 1)
            if rest == 'skip':
                out[name] = None
            elif rest.startswith('trap '):
                out[name] = logs + [('trap', rest[5:])]
            else:
                values = rest[1:].split()
                out[name] = logs + ([('result', values)] if values else [])
            logs = []
    return out


def same_value(typed, text):
    """Whether weft's value `typed` (TYPE:BITS) is binaryen's `text`."""
    kind, _, bits = typed.partition(':')
    text = text.strip()
    if kind in ('i32', 'i64'):
        try:
            parts = [int(x) for x in text.split()]
        except ValueError:
            return False
        if len(parts) == 2 and kind == 'i64':  # A logged i64: low and high halves.
            parts = [parts[0] % (1 << 32) + (parts[1] << 32)]
        if len(parts) != 1:
            return False
        v = parts[0]
        width = 32 if kind == 'i32' else 64
        return v % (1 << width) == int(bits, 16)
    if kind in ('f32', 'f64'):
        if bits == 'nan':
            return 'nan' in text
        if 'nan' in text:
            return False
        try:
            f = float(text)
        except ValueError:
            return False
        if kind == 'f32':
            if math.isinf(f) or abs(f) <= 3.5e38:
                try:
                    return struct.pack('>f', f).hex() == bits
                except OverflowError:
                    return False
            return False
        return struct.pack('>d', f).hex() == bits
    if kind == 'v128':
        lanes = [int(x, 16) for x in re.findall(r'0x([0-9a-fA-F]+)', text)]
        return len(lanes) == 4 and ':'.join('%08x' % x for x in lanes) == bits
    return False


def trap_kind(message):
    for kind, pattern in TRAPS:
        if re.search(pattern, message, re.I):
            return kind
    return 'unknown ' + message


def same_trap(weft_kind, message):
    kind = trap_kind(message)
    if weft_kind in ('int-overflow', 'invalid-conv') and kind in ('int-overflow', 'invalid-conv'):
        return True  # binaryen words some truncation traps loosely.
    return kind == weft_kind


def compare(weft_lines, binaryen_lines):
    """(None, the number of export calls compared) when the two agree, else
    (a line saying where they first differ, None)."""
    b = binaryen_events(binaryen_lines)
    w = weft_events(weft_lines, sum(1 for e in b[None] if e[0] == 'log'))
    if 'invalid' in weft_lines or 'link-error' in weft_lines:
        return 'weft did not load the module', None
    calls = 0
    for name, events in w.items():
        if events is None and name is not None:
            # binaryen calls an export with v128 in its signature, which
            # changes the module's state (its hang-limit counter, memory):
            # what follows may differ, so the comparison ends here.
            break
        if name not in b:
            return '%s: binaryen did not call it' % name, None
        theirs = b[name]
        for k, ((k1, v1), (k2, v2)) in enumerate(zip(events, theirs)):
            ok = k1 == k2 and (
                (k1 == 'log' and same_value(v1, v2)) or
                (k1 == 'trap' and same_trap(v1, v2)) or
                (k1 == 'result' and len(v1) == len(v2) and
                 all(same_value(x, y) for x, y in zip(v1, v2))))
            if not ok:
                # binaryen's interpreter allows less depth than weft: the
                # line names stack-exhausted, which difftest explains.
                deep = 'stack-exhausted ' if 'stack-exhausted' in (
                    v1 if k1 == 'trap' else '', trap_kind(v2) if k2 == 'trap' else '') else ''
                return '%s%s: event %d: weft %s %s, binaryen %s %s' % (
                    deep, name, k, k1, v1, k2, v2), None
        if len(events) != len(theirs):
            return '%s: weft %d events, binaryen %d' % (name, len(events), len(theirs)), None
        calls += name is not None
    return None, calls
