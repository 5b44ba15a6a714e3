#!/usr/bin/env python3
"""test_difftest.py: checks difftest.py's helpers that decide what counts as
the same or as explained: the table64 and memory64 readers of --proposals,
the NaN-bit comparison, the SIMD rewrite and nan_leak's precondition. Run
by meson test (no binaryen or node needed)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import difftest  # noqa: E402

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


if __name__ == '__main__':
    unittest.main()
