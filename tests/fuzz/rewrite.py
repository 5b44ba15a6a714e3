"""rewrite.py: semantics-preserving rewrites of the modules tools/difftest
generates, so that weft runs code binaryen's generator does not make while
V8 (which lacks the feature, or to which the feature changes nothing) runs
the module as generated and both must print the same.

- split_memory(text, rng): multi-memory. The module's one memory becomes
  2 to 4 memories with the same limits and contents: every write (store,
  memory.fill, memory.copy, memory.init, an active data segment,
  memory.grow) goes to all of them through helper functions, every read
  (load, memory.size) to one chosen at random, and memory.copy copies
  between memories. Works on binaryen's folded text form (wasm-dis).
- extend_consts(wasm, rng): extended constant expressions. Every global's
  i32/i64 initialiser and every data and element segment's offset that is a
  lone i32.const/i64.const becomes an expression of i32/i64 add, sub and mul
  with the same value (wrapping). Works on the binary."""
import re

# ---- Text form: a small s-expression reader and writer ---------------------


def parse(text):
    """binaryen's text form as nested lists of atoms (strings kept with
    their quotes; comments dropped)."""
    stack, cur, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c in ' \t\r\n':
            i += 1
        elif c == ';' and text.startswith(';;', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif c == '(' and text.startswith('(;', i):
            i = text.index(';)', i) + 2
        elif c == '(':
            stack.append(cur)
            cur = []
            i += 1
        elif c == ')':
            done, cur = cur, stack.pop()
            cur.append(done)
            i += 1
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            cur.append(text[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ' \t\r\n()"':
                j += 1
            cur.append(text[i:j])
            i = j
    return cur


def write(node, out, depth=0):
    """Appends the text of `node` to the list `out`."""
    if isinstance(node, str):
        out.append(node)
        return
    out.append('(')
    for k, x in enumerate(node):
        if k:
            out.append('\n' + ' ' * depth if isinstance(x, list) else ' ')
        write(x, out, depth + 1)
    out.append(')')


def text_of(nodes):
    """The text of a list of top-level nodes, one a line."""
    out = []
    for x in nodes:
        write(x, out)
        out.append('\n')
    return ''.join(out)


# ---- Multi-memory ------------------------------------------------------------

LOAD = re.compile(r'^(i32|i64|f32|f64|v128)\.load')
STORE = re.compile(r'^(i32|i64|f32|f64|v128)\.store')


def immediates(node):
    """The atoms after an instruction's name (memory names, offset=, align=,
    lane indices), and where its operands begin."""
    k = 1
    while k < len(node) and isinstance(node[k], str):
        k += 1
    return node[1:k], k


# What diff_driver.c and diff_node.js give the imports of newer binaryen's
# generator that would call back into the module: the body of a function
# that does the same (binaryen's interpreter would really call the export).
STUBS = {'"call-export"': [], '"call-export-catch"': [['i32.const', '0']],
         '"sleep"': [['local.get', '1']]}


def inline_stubs(mod):
    """Replaces the module's imports of call-export, call-export-catch and
    sleep with functions that do what difftest's stand-ins do."""
    for k, x in enumerate(mod):
        if isinstance(x, list) and len(x) == 4 and x[0] == 'import' and \
                x[1] == '"fuzzing-support"' and x[2] in STUBS and \
                isinstance(x[3], list) and x[3][0] == 'func':
            mod[k] = x[3] + STUBS[x[2]]


def split_memory(text, rng, count=None):
    """The text of the module in `text` with its memory split as the module
    comment says, or None when it has no memory of its own (or an imported
    one, or more than one). The imports that call back into the module
    become stand-ins in the module (inline_stubs), for binaryen's
    interpreter."""
    top = parse(text)
    if len(top) != 1 or not top[0] or top[0][0] != 'module':
        return None
    mod = top[0]
    mems = [k for k, x in enumerate(mod) if isinstance(x, list) and x and x[0] == 'memory']
    imported = any(isinstance(x, list) and x and x[0] == 'import' and
                   any(isinstance(y, list) and y and y[0] == 'memory' for y in x) for x in mod)
    if len(mems) != 1 or imported:
        return None
    decl = mod[mems[0]]
    if len(decl) < 2 or not decl[1].startswith('$') or any(isinstance(x, list) for x in decl):
        return None
    first = decl[1]
    addr = 'i64' if 'i64' in decl else 'i32'
    count = count or rng.randint(2, 4)
    names = [first] + ['$weft_m%d' % k for k in range(1, count)]
    helpers, helper_funcs = {}, []

    def helper(key, params, result, body):
        if key not in helpers:
            name = '$weft_mm_%d' % len(helpers)
            helpers[key] = name
            func = ['func', name] + [['param', t] for t in params]
            if result:
                func += [['result', result], ['local', result]]
            helper_funcs.append(func + body)
        return helpers[key]

    def get(k):
        return ['local.get', str(k)]

    def mem_arg(imm):
        """The immediates without a memory name (binaryen names each
        memory; a bare number is a lane index), and that name or None."""
        if imm and imm[0].startswith('$'):
            return imm[1:], imm[0]
        return imm, None

    def visit(node):
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            if isinstance(node, list):
                for k, x in enumerate(node):
                    node[k] = visit(x)
            return node
        for k in range(1, len(node)):
            node[k] = visit(node[k])
        op = node[0]
        imm, start = immediates(node)
        args = node[start:]
        if LOAD.match(op):
            rest, _ = mem_arg(imm)
            return [op, rng.choice(names)] + rest + args
        if STORE.match(op):
            rest, _ = mem_arg(imm)
            vtype = op.split('.')[0]
            body = [[op, m] + rest + [get(0), get(1)] for m in names]
            return ['call', helper((op,) + tuple(rest), [addr, vtype], None, body)] + args
        if op == 'memory.size':
            return ['memory.size', rng.choice(names)]
        if op == 'memory.grow':
            body = [['local.set', '1', ['memory.grow', first, get(0)]]] + \
                [['drop', ['memory.grow', m, get(0)]] for m in names[1:]] + [get(1)]
            return ['call', helper(('grow',), [addr], addr, body)] + args
        if op == 'memory.fill':
            body = [['memory.fill', m, get(0), get(1), get(2)] for m in names]
            return ['call', helper(('fill',), [addr, 'i32', addr], None, body)] + args
        if op == 'memory.copy':
            # Each memory but the source takes its copy from the source
            # (unchanged until last), then the source copies within itself.
            src = rng.choice(names)
            body = [['memory.copy', m, src, get(0), get(1), get(2)] for m in names if m != src]
            body.append(['memory.copy', src, src, get(0), get(1), get(2)])
            return ['call', helper(('copy', src), [addr, addr, addr], None, body)] + args
        if op == 'memory.init':
            seg = imm[-1]
            body = [['memory.init', m, seg, get(0), get(1), get(2)] for m in names]
            return ['call', helper(('init', seg), [addr, 'i32', 'i32'], None, body)] + args
        return node

    copies = []
    for k, x in enumerate(mod):
        if not isinstance(x, list) or not x:
            continue
        if x[0] in ('func', 'global', 'elem', 'start'):
            mod[k] = visit(x)
        elif x[0] == 'data' and len(x) >= 3 and isinstance(x[2], list) and \
                isinstance(x[1], str) and x[1].startswith('$'):
            # An active segment of the one memory: the same bytes at the
            # same offset in every other memory, after all the originals so
            # that a segment out of bounds traps at the same point.
            rest = x[3:] if x[2][0] == 'memory' else x[2:]
            for m in names[1:]:
                copies.append(['data', '%s_%s' % (x[1], m[1:]), ['memory', m]] + rest)
    at = mems[0] + 1
    mod[at:at] = [['memory'] + [m] + decl[2:] for m in names[1:]]
    mod.extend(copies)
    mod.extend(helper_funcs)
    inline_stubs(mod)
    return text_of(top)


# ---- Extended constant expressions ----------------------------------------------


def leb(b, i):
    """The LEB128 at b[i:]: its bits as unsigned, their count, and the index
    after it."""
    v = shift = 0
    while True:
        x = b[i]
        i += 1
        v |= (x & 0x7f) << shift
        shift += 7
        if not x & 0x80:
            return v, shift, i


def uleb(b, i):
    """The unsigned LEB128 at b[i:] and the index after it."""
    v, _, i = leb(b, i)
    return v, i


def sleb(b, i):
    """The signed LEB128 at b[i:] and the index after it."""
    v, shift, i = leb(b, i)
    if b[i - 1] & 0x40:
        v -= 1 << shift
    return v, i


def enc_uleb(v):
    out = bytearray()
    while True:
        x = v & 0x7f
        v >>= 7
        if v:
            out.append(x | 0x80)
        else:
            out.append(x)
            return bytes(out)


def enc_sleb(v):
    out = bytearray()
    while True:
        x = v & 0x7f
        v >>= 7
        if (v == 0 and not x & 0x40) or (v == -1 and x & 0x40):
            out.append(x)
            return bytes(out)
        out.append(x | 0x80)


# (const, add, sub, mul) opcodes per width.
OPS = {32: (0x41, 0x6a, 0x6b, 0x6c), 64: (0x42, 0x7c, 0x7d, 0x7e)}


def signed(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def const_expr(value, bits, rng, depth):
    """Bytes of a constant expression (no end) of i32/i64 add, sub and mul
    that gives `value` modulo 2^bits."""
    const, add, sub, mul = OPS[bits]
    mask = (1 << bits) - 1
    value &= mask
    kind = rng.randrange(4) if depth > 0 else 0
    if kind == 0:
        return bytes([const]) + enc_sleb(signed(value, bits))
    pick = rng.choice([rng.getrandbits(bits), rng.randint(0, 16), mask - rng.randint(0, 16)])
    if kind == 1:  # a + (value - a)
        return const_expr(pick, bits, rng, depth - 1) + \
            const_expr(value - pick, bits, rng, depth - 1) + bytes([add])
    if kind == 2:  # (value + a) - a
        return const_expr(value + pick, bits, rng, depth - 1) + \
            const_expr(pick, bits, rng, depth - 1) + bytes([sub])
    # c * (value / c) for an odd c, whose inverse modulo 2^bits exists.
    c = pick | 1
    return const_expr(c, bits, rng, depth - 1) + \
        const_expr(value * pow(c, -1, 1 << bits), bits, rng, depth - 1) + bytes([mul])


def skip_expr(b, i):
    """The index after the constant expression at b[i:] (through its end)."""
    while True:
        op = b[i]
        i += 1
        if op == 0x0b:
            return i
        if op in (0x41, 0x42):
            i = sleb(b, i)[1]
        elif op == 0x43:
            i += 4
        elif op == 0x44:
            i += 8
        elif op in (0x23, 0xd2):
            i = uleb(b, i)[1]
        elif op == 0xd0:
            i = sleb(b, i)[1]
        elif op == 0xfd:  # v128.const
            i = uleb(b, i)[1] + 16
        elif op in (0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e):
            pass
        else:
            raise ValueError('constant expression opcode 0x%02x' % op)


def rewrite_expr(b, i, rng, counts):
    """The rewritten bytes of the constant expression at b[i:], and the
    index after it."""
    end = skip_expr(b, i)
    if b[i] in (0x41, 0x42) and end == sleb(b, i + 1)[1] + 1:
        bits = 32 if b[i] == 0x41 else 64
        value = sleb(b, i + 1)[0]
        counts['exprs'] += 1
        return const_expr(value, bits, rng, rng.randint(1, 3)) + b'\x0b', end
    return b[i:end], end


def skip_valtype(b, i):
    if b[i] in (0x63, 0x64):
        return sleb(b, i + 1)[1]
    return i + 1


def extend_consts(wasm, rng):
    """Module bytes `wasm` with its constant expressions extended as the
    module comment says, and how many were rewritten."""
    counts = {'exprs': 0}
    out = bytearray(wasm[:8])
    i = 8
    while i < len(wasm):
        sid = wasm[i]
        size, j = uleb(wasm, i + 1)
        end = j + size
        if sid in (6, 9, 11):
            n, k = uleb(wasm, j)
            body = bytearray(enc_uleb(n))
            for _ in range(n):
                start = k
                if sid == 6:  # global: type, mutability, init
                    k = skip_valtype(wasm, k) + 1
                    body += wasm[start:k]
                    e, k = rewrite_expr(wasm, k, rng, counts)
                    body += e
                    continue
                flags, k = uleb(wasm, k)
                if sid == 11:  # data: 0 expr, 1 passive, 2 memidx expr
                    if flags == 2:
                        k = uleb(wasm, k)[1]
                    body += wasm[start:k]
                    if flags != 1:
                        e, k = rewrite_expr(wasm, k, rng, counts)
                        body += e
                    ln, k2 = uleb(wasm, k)
                    body += wasm[k:k2 + ln]
                    k = k2 + ln
                    continue
                # element: bit 0 passive/declarative, bit 1 explicit table
                # (with bit 0 clear), bit 2 expressions instead of indices.
                if flags & 3 == 2:
                    k = uleb(wasm, k)[1]
                body += wasm[start:k]
                if not flags & 1:
                    e, k = rewrite_expr(wasm, k, rng, counts)
                    body += e
                rest = k
                if flags & 3:
                    k = skip_valtype(wasm, k) if flags & 4 else k + 1
                m, k = uleb(wasm, k)
                for _ in range(m):
                    k = skip_expr(wasm, k) if flags & 4 else uleb(wasm, k)[1]
                body += wasm[rest:k]
            out.append(sid)
            out += enc_uleb(len(body)) + body
        else:
            out += wasm[i:end]
        i = end
    return bytes(out), counts['exprs']
