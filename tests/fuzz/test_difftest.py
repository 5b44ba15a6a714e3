#!/usr/bin/env python3
"""test_difftest.py: checks difftest.py's helpers that decide what counts as
the same or as explained: the table64 and memory64 readers of --proposals,
the NaN-bit comparison, the SIMD rewrite and nan_leak's precondition; the
rewrites of --multi-memory and --extended-const (rewrite.py) and the reading
of binaryen's interpreter output (binaryen_exec.py). Run by meson test (no
binaryen or node needed)."""
import os
import sys
import tempfile
import random
import re
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import binaryen_exec  # noqa: E402
import difftest  # noqa: E402
import rewrite  # noqa: E402

HEADER = b'\0asm\1\0\0\0'


def section(sid, payload):
    return bytes([sid, len(payload)]) + payload


def write(data):
    f = tempfile.NamedTemporaryFile(suffix='.wasm', delete=False)
    f.write(data)
    f.close()
    return f.name


class Readers(unittest.TestCase):
    def check(self, data, table64, memory64):
        path = write(data)
        try:
            self.assertEqual(difftest.has_table64(path), table64)
            self.assertEqual(difftest.memory64(path), memory64)
        finally:
            os.unlink(path)

    def test_32_bit_table_and_memory(self):
        self.check(HEADER + section(4, b'\x01\x70\x01\x02\x03') + section(5, b'\x01\x00\x01'),
                   False, False)

    def test_64_bit_table(self):
        self.check(HEADER + section(4, b'\x01\x70\x04\x02') + section(5, b'\x01\x04\x01'),
                   True, True)

    def test_64_bit_memory_and_32_bit_table(self):
        self.check(HEADER + section(4, b'\x02\x70\x00\x01\x6f\x01\x00\x05') +
                   section(5, b'\x01\x05\x01\x02'), False, True)

    def test_imported_64_bit_table_after_other_imports(self):
        imports = (b'\x03'
                   b'\x01m\x01f\x00\x00'          # a function
                   b'\x01m\x01g\x03\x7f\x00'      # a global
                   b'\x01m\x01t\x01\x70\x05\x01\x02')  # a 64-bit table, min 1 max 2
        self.check(HEADER + section(2, imports), True, False)

    def test_cut_binary_counts_as_table64(self):
        self.check(HEADER + b'\x04\x05\x01\x70', True, False)

    def test_no_tables(self):
        self.check(HEADER + section(1, b'\x01\x60\x00\x00'), False, False)


class NanBits(unittest.TestCase):
    def test_payloads_of_a_float_nan_in_an_integer(self):
        self.assertTrue(difftest.nan_lanes_differ(0x7fc00000, 0xffd15c4e, 32))
        self.assertTrue(difftest.nan_lanes_differ(0x7ff8000000000000, 0xfff8000000000001, 64))

    def test_a_nan_against_a_number_is_a_difference(self):
        self.assertFalse(difftest.nan_lanes_differ(0x7fc00000, 0x3f800000, 32))
        self.assertFalse(difftest.nan_lanes_differ(0x7f800000, 0x7fc00000, 32))  # infinity

    def test_lines(self):
        self.assertTrue(difftest.nan_payload('log-i32 i32:7fc00000', 'log-i32 i32:ffd15c4e'))
        self.assertFalse(difftest.nan_payload('log-i32 i32:00000001', 'log-i32 i32:00000002'))

    def test_trap_kinds_of_v8(self):
        self.assertTrue(difftest.same_line('call f trap int-overflow', 'call f trap float-trunc'))
        self.assertFalse(difftest.same_line('call f trap div-zero', 'call f trap float-trunc'))

    def test_a_module_v8_loads_only_with_a_flag_is_explained(self):
        flag = ['invalid without --experimental-wasm-typed-funcref']
        self.assertEqual(difftest.explain(['call f = i32:00000001'], flag),
                         'v8-flag --experimental-wasm-typed-funcref')
        self.assertIsNone(difftest.explain(['call f = i32:00000001'], ['invalid']))


class Rewrites(unittest.TestCase):
    def test_simd_float_results_are_wrapped(self):
        text, n = difftest.canon_simd_text(
            '(module\n (func $f (result v128)\n  (f32x4.add (local.get $0) (local.get $1))\n )\n)')
        self.assertEqual(n, 1)
        self.assertIn('(call $weft_canon_f32x4 (f32x4.add', text)
        self.assertIn('func $weft_canon_f32x4', text)

    def test_leak_ops_name_what_moves_nan_bits(self):
        for op in ('i32.reinterpret_f32', 'f64.store', 'f32.copysign', 'f32x4.add'):
            self.assertTrue(any(x in op for x in difftest.LEAK_OPS), op)
        for op in ('f32.add', 'f64.min', 'f32.load', 'i32.trunc_sat_f32_s'):
            self.assertFalse(any(x in op for x in difftest.LEAK_OPS), op)


def eval_const(b, i):
    """The value of the i32/i64 constant expression at b[i:] (add, sub,
    mul), and the index after its end, as an engine would compute it."""
    stack = []
    while b[i] != 0x0b:
        op = b[i]
        if op in (0x41, 0x42):
            v, i = rewrite.sleb(b, i + 1)
            stack.append((v, 32 if op == 0x41 else 64))
            continue
        (y, bits), (x, _) = stack.pop(), stack.pop()
        r = {0x6a: x + y, 0x7c: x + y, 0x6b: x - y, 0x7d: x - y, 0x6c: x * y, 0x7e: x * y}[op]
        stack.append((r % (1 << bits), bits))
        i += 1
    (v, bits), = stack
    return v % (1 << bits), i + 1


class ExtendedConst(unittest.TestCase):
    # Globals: i32 -5, i64 2^40 + 3, f32 1.0 (left alone); an active data
    # segment at 16 and a passive one; element segments with flags 0 (at 2)
    # and 4 (expressions, at 0), with ref.func.
    GLOBALS = (b'\x03\x7f\x00\x41\x7b\x0b' + b'\x7e\x01\x42' + rewrite.enc_sleb(2**40 + 3) +
               b'\x0b' + b'\x7d\x00\x43\x00\x00\x80\x3f\x0b')
    DATA = b'\x02\x00\x41\x10\x0b\x02hi\x01\x01z'
    ELEMS = b'\x02\x00\x41\x02\x0b\x01\x00\x04\x41\x00\x0b\x01\xd2\x00\x0b'

    def module(self):
        return HEADER + section(6, self.GLOBALS) + section(9, self.ELEMS) + \
            section(11, self.DATA)

    def test_values_are_kept(self):
        for seed in range(50):
            out, n = rewrite.extend_consts(self.module(), random.Random(seed))
            self.assertEqual(n, 5)
            secs = {sid: (i, end) for sid, i, end in difftest.sections(out)}
            i = secs[6][0] + 1
            v, i = eval_const(out, i + 2)
            self.assertEqual(v, 2**32 - 5)
            v, i = eval_const(out, i + 2)
            self.assertEqual(v, 2**40 + 3)
            self.assertEqual(out[i:secs[6][1]], b'\x7d\x00\x43\x00\x00\x80\x3f\x0b')
            i = secs[11][0] + 2
            v, i = eval_const(out, i)
            self.assertEqual((v, out[i:secs[11][1]]), (16, b'\x02hi\x01\x01z'))
            i = secs[9][0] + 2
            v, i = eval_const(out, i)
            self.assertEqual((v, out[i:i + 3]), (2, b'\x01\x00\x04'))
            v, i = eval_const(out, i + 3)
            self.assertEqual((v, out[i:secs[9][1]]), (0, b'\x01\xd2\x00\x0b'))

    def test_expressions_are_extended(self):
        ops = set()
        for seed in range(50):
            out, _ = rewrite.extend_consts(self.module(), random.Random(seed))
            ops.update(op for op in (0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e) if op in out)
        self.assertEqual(ops, {0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e})


SPLIT_INPUT = """(module
 (import "fuzzing-support" "log-i32" (func $log (param i32)))
 (import "fuzzing-support" "sleep" (func $sleep (param i32 i32) (result i32)))
 (memory $0 1 2)
 (data $d0 (i32.const 8) "ab")
 (data $d1 "cd")
 (func $f (result i32)
  (i32.store8 offset=3 (i32.const 1) (i32.const 2))
  (memory.fill (i32.const 0) (i32.const 1) (i32.const 4))
  (memory.copy (i32.const 0) (i32.const 1) (i32.const 4))
  (memory.init $d1 (i32.const 0) (i32.const 0) (i32.const 2))
  (drop (memory.grow (i32.const 1)))
  (drop (v128.load8_lane offset=1 3 (i32.const 0) (v128.const i32x4 0 0 0 0)))
  (i32.add (memory.size) (i32.load offset=4 align=1 (i32.const 0)))
 )
)"""


class SplitMemory(unittest.TestCase):
    def split(self, seed=1, count=3):
        """The split module's text, on one line."""
        return ' '.join(rewrite.split_memory(SPLIT_INPUT, random.Random(seed), count).split())

    def test_memories_and_segments(self):
        text = self.split()
        self.assertEqual(len(re.findall(r'\(memory \$\S+ 1 2\)', text)), 3)
        self.assertIn('(memory $weft_m2 1 2)', text)
        self.assertIn('(data $d0_weft_m1 (memory $weft_m1) (i32.const 8) "ab")', text)
        self.assertIn('(data $d1 "cd")', text)

    def test_writes_go_to_every_memory(self):
        text = self.split()
        for op in ('i32.store8', 'memory.fill', 'memory.init', 'memory.grow'):
            self.assertEqual(text.count('(' + op + ' '), 3, op)
        self.assertIn('(memory.init $weft_m1 $d1', text)
        self.assertEqual(text.count('(memory.copy '), 3)
        self.assertNotIn('(i32.store8 offset', text)

    def test_reads_name_a_memory(self):
        for seed in range(10):
            top = rewrite.parse(self.split(seed))
            flat = str(top)
            for op in ('i32.load', 'v128.load8_lane', 'memory.size'):
                self.assertRegex(flat, r"'%s', '\$(0|weft_m1|weft_m2)'" % op)

    def test_callbacks_become_stand_ins(self):
        text = self.split()
        self.assertNotIn('"sleep"', text)
        self.assertIn('(func $sleep (param i32 i32) (result i32) (local.get 1))', text)

    def test_no_memory(self):
        self.assertIsNone(rewrite.split_memory('(module (func $f))', random.Random(1)))


class BinaryenExec(unittest.TestCase):
    OUT = ['[LoggingExternalInterface logging 7]',
           '[fuzz-exec] export g', '[LoggingExternalInterface logging 1]',
           '[fuzz-exec] export f', '[LoggingExternalInterface logging -1 0]',
           '[fuzz-exec] note result: f => 1.5', '-2', 'nan:0x400000',
           '[fuzz-exec] export h', '[trap i32.div_s by 0]',
           '[fuzz-exec] export v', '[fuzz-exec] export k', '[trap unreachable]']
    WEFT = ['log-i32 i32:00000007', 'log-i64 i64:00000000ffffffff',
            'call f = f64:3ff8000000000000 i32:fffffffe f32:nan',
            'call h trap div-zero', 'call v skip', 'call k = i32:00000001']

    def test_same(self):
        self.assertEqual(binaryen_exec.compare(self.WEFT, self.OUT), (None, 2))

    def test_differences(self):
        self.assertIsNotNone(binaryen_exec.compare(
            [x.replace('fffffffe', 'fffffffd') for x in self.WEFT], self.OUT))
        self.assertIsNotNone(binaryen_exec.compare(
            [x.replace('00000007', '00000008') for x in self.WEFT], self.OUT))
        self.assertIsNotNone(binaryen_exec.compare(
            [x.replace('div-zero', 'unreachable') for x in self.WEFT], self.OUT))

    def test_trap_wording(self):
        for kind, message in (('indirect-call', 'cast failure in call_indirect'),
                              ('div-zero', 'i64.rem_u by 0'),
                              ('invalid-conv', 'truncSFloat of nan'),
                              ('memory-oob', 'out of bounds segment access in memory.copy'),
                              ('unreachable', 'unreachable')):
            self.assertTrue(binaryen_exec.same_trap(kind, message), message)
        self.assertFalse(binaryen_exec.same_trap('div-zero', 'unreachable'))

    def test_start_trap(self):
        self.assertEqual(binaryen_exec.compare(
            ['log-i32 i32:00000000', 'start trap unreachable'],
            ['[LoggingExternalInterface logging 0]', '[trap unreachable]']), (None, 0))


if __name__ == '__main__':
    unittest.main()
