;; Peephole fusions of lowering. An address that is a slot plus a constant
;; folds into the load or store when there is no static offset (the sum
;; wraps at 32 bits; an offset would not). An i32.and feeding a branch
;; becomes a bit-test jump; an add of a sum becomes i32.add3 and a xor of a
;; rotation i32.xor_rotl. A constant stored needs no slot. A
;; loop's step and test (add a constant, compare with one, branch back)
;; become one add.jump. i32.eqz of an integer compare
;; inverts the compare, and an eqz before a branch becomes the branch's
;; sense, so `a == 252; eqz; br_if` is one jump. Copies in a row pair up
;; into copy2. A shift right by a constant masked by a constant below 2^16
;; is one i32.shr_u_and (a bit field). A branch back to a loop head that is a short run ending in a
;; jump table (a switch in a loop) gets its own copy of the head, which uses
;; the head's table (jump.table.at).
(module
  (memory 1)
  (func $bit_field (param i32) (result i32)
    local.get 0
    i32.const 8
    i32.shr_u
    i32.const 255
    i32.and)
  (func $bit_field_wide_mask (param i32) (result i32)
    ;; A mask of 2^16 or more keeps the two instructions.
    local.get 0
    i32.const 3
    i32.shr_u
    i32.const 0x1ffff
    i32.and)
  (func $load_add (param i32) (result i32)
    local.get 0
    i32.const 1296
    i32.add
    i32.load)
  (func $load_add_offset (param i32) (result i32)
    ;; An offset is kept: the constant add is not folded.
    local.get 0
    i32.const 8
    i32.add
    i32.load offset=4)
  (func $load_sub (param i32) (result f64)
    local.get 0
    i32.const 40
    i32.sub
    f64.load)
  (func $store_add (param i32 i64)
    local.get 0
    i32.const 16
    i32.add
    local.get 1
    i64.store)
  (func $eqz_compare (param i32) (result i32)
    local.get 0
    i32.const 252
    i32.eq
    i32.eqz)
  (func $eqz_branch (param i32 i32) (result i32)
    block
      local.get 0
      i32.const 252
      i32.eq
      i32.eqz
      br_if 0
      local.get 1
      i32.const 7
      i32.and
      i32.eqz
      br_if 0
      i32.const 1
      return
    end
    i32.const 0)
  (func $float_eqz (param f64 f64) (result i32)
    ;; No inversion for floats: eqz (a < b) is not a >= b when one is NaN.
    local.get 0
    local.get 1
    f64.lt
    i32.eqz)
  (func $rotate (param i32 i32 i32) (result i32)
    (local i32)
    loop
      local.get 0
      local.set 3
      local.get 1
      local.set 0
      local.get 2
      local.set 1
      local.get 3
      local.set 2
      local.get 3
      br_if 0
    end
    local.get 0)
  (func $dispatch (param i32 i32) (result i32)
    (local i32)
    loop
      block
        block
          local.get 0
          i32.load8_u
          br_table 0 1 2
        end
        local.get 1
        i32.const 3
        i32.add
        local.set 1
        local.get 0
        i32.const 1
        i32.add
        local.set 0
        br 1
      end
      local.get 1
      i32.const 1
      i32.shl
      local.set 1
      local.get 0
      i32.const 1
      i32.add
      local.set 0
      br 0
    end
    local.get 1)
  (func $v_mul_add (param i32 v128)
    ;; SIMD as scalars: a multiply feeding an add fuses (rounded twice), and
    ;; v128 loads and stores fold a constant added to their address.
    local.get 0
    local.get 0
    i32.const 16
    i32.add
    v128.load
    local.get 1
    local.get 1
    f64x2.mul
    f64x2.add
    v128.store)
  (func $bit_test (param i32 i32) (result i32)
    block
      local.get 0
      i32.const 128
      i32.and
      br_if 0
      local.get 0
      local.get 1
      i32.and
      if
        i32.const 2
        return
      end
      i32.const 1
      return
    end
    i32.const 0)
  (func $hash_round (param i32 i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add
    local.get 2
    i32.add
    local.get 0
    i32.const 7
    i32.rotl
    i32.xor)
  (func $mul_sub (param f64 f64 f64) (result f64)
    ;; a - b * c fuses; b * c - a does not (the product must be subtracted).
    local.get 0
    local.get 1
    local.get 2
    f64.mul
    f64.sub
    local.get 1
    local.get 2
    f64.mul
    local.get 0
    f64.sub
    f64.add)
  (func $store_constants (param i32)
    local.get 0
    i32.const 0
    i32.store8 offset=3
    local.get 0
    f64.const 1.5
    f64.store offset=8
    local.get 0
    i64.const -1
    i64.store32)
  (func $loops (param i32) (result i32)
    (local i32)
    loop
      local.get 1
      i32.const 1
      i32.add
      local.tee 1
      i32.const 100
      i32.lt_u
      br_if 0
    end
    loop
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      br_if 0
    end
    local.get 1)
  ;; A select of two 32-bit constants carries them: select.kk.
  (func $select_constants (param i32 i32) (result i32)
    (select (i32.const -1) (i32.const 1) (i32.lt_s (local.get 0) (local.get 1))))
  ;; x - x / c * c, clang's x % c, is one remainder by the constant.
  (func $remainder (param i32) (result i32)
    (i32.sub (local.get 0) (i32.mul (i32.div_u (local.get 0) (i32.const 50)) (i32.const 50))))
  (func $remainder_signed64 (param i64) (result i64)
    (i64.sub (local.get 0) (i64.mul (i64.div_s (local.get 0) (i64.const 10)) (i64.const 10))))
  ;; Not a signed divide by -1 (it traps where the remainder does not), nor
  ;; different constants, nor another dividend.
  (func $remainder_minus_one (param i32) (result i32)
    (i32.sub (local.get 0) (i32.mul (i32.div_s (local.get 0) (i32.const -1)) (i32.const -1))))
  (func $remainder_other (param i32 i32) (result i32)
    (i32.sub (local.get 1) (i32.mul (i32.div_u (local.get 0) (i32.const 9)) (i32.const 9))))
  ;; A select of two values by a compare of the same two is a min or max.
  (func $min_signed (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.lt_s (local.get 0) (local.get 1))))
  (func $max_unsigned_swapped (param i32 i32) (result i32)
    (select (local.get 1) (local.get 0) (i32.le_u (local.get 0) (local.get 1))))
  (func $max_signed64 (param i64 i64) (result i64)
    (select (local.get 0) (local.get 1) (i64.gt_s (local.get 0) (local.get 1))))
  ;; Not a compare of other values, nor of a constant, nor of floats.
  (func $select_other (param i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.lt_s (local.get 0) (local.get 2))))
  (func $select_constant (param i32) (result i32)
    (select (local.get 0) (i32.const 10) (i32.lt_s (local.get 0) (i32.const 10))))
  (func $select_float (param f64 f64) (result f64)
    (select (local.get 0) (local.get 1) (f64.lt (local.get 0) (local.get 1)))))
;;| func 0 bit_field:
;;|     0  i32.shr_u_and            r0, r0, r8, r255
;;|     2  return                  
;;| func 1 bit_field_wide_mask:
;;|     0  i32.shr_u/ri             r1, r0, 3
;;|     2  i32.and/ai               r0, r1, 131071
;;|     4  return                  
;;| func 2 load_add:
;;|     0  i32.load/add             r0, r0, 1296
;;|     2  return                  
;;| func 3 load_add_offset:
;;|     0  i32.add/ri               r1, r0, 8
;;|     1+ i32.load/acc             r0, r1, 4
;;|     3  return                  
;;| func 4 load_sub:
;;|     0  f64.load/add             r0, r0, 4294967256
;;|     2  return                  
;;| func 5 store_add:
;;|     0  i64.store/add            r0, r1, 16
;;|     2  return                  
;;| func 6 eqz_compare:
;;|     0  i32.ne/ri                r0, r0, 252
;;|     2  return                  
;;| func 7 eqz_branch:
;;|     0  jump.if.i32.ne/ri        r0, 0xfc, @9
;;|     3  i32.and/ri               r2, r1, 7
;;|     4+ jump.z/acc               r2, @9
;;|     6  const32                  r0, 1
;;|     8  return                  
;;|     9  const32                  r0, 0
;;|    11  return                  
;;| func 8 float_eqz:
;;|     0  f64.lt                   r2, r0, r1
;;|     2  i32.eqz/a                r0, r2
;;|     4  return                  
;;| func 9 rotate:
;;|     0  copy2                    r3, r0, r0, r1
;;|     1+ copy2                    r1, r2, r2, r3
;;|     3  jump.nz                  r3, @0
;;|     5  return                  
;;| func 10 dispatch:
;;|     0  i32.load8_u              r3, r0, 0
;;|     2  jump.table               r3, [@7 @14 @0]
;;|     7  i32.add/ri               r1, r1, 3
;;|     8+ i32.add/ri               r0, r0, 1
;;|    10  i32.load8_u/acc          r3, r0, 0
;;|    12  jump.table.at            r3, [table of @2]
;;|    14  i32.shl/ri               r1, r1, 1
;;|    16  i32.add/ri               r0, r0, 1
;;|    18  i32.load8_u/acc          r3, r0, 0
;;|    20  jump.table.at            r3, [table of @2]
;;|    22  return1                  r1
;;| func 11 v_mul_add:
;;|     0  v128.load/add            r4, r0, 16
;;|     2  f64x2.mul_add            r4, r4, r1, r1
;;|     4  v128.store               r0, r4, 0
;;|     6  return                  
;;| func 12 bit_test:
;;|     0  jump.if.i32.and/ri       r0, 0x80, @11
;;|     3  jump.unless.i32.and      r0, r1, @8
;;|     5  const32                  r0, 2
;;|     7  return                  
;;|     8  const32                  r0, 1
;;|    10  return                  
;;|    11  const32                  r0, 0
;;|    13  return                  
;;| func 13 hash_round:
;;|     0  i32.add3                 r3, r2, r0, r1
;;|     2  i32.xor_rotl/a           r0, r3, r0, r7
;;|     4  return                  
;;| func 14 mul_sub:
;;|     0  f64.mul_sub              r3, r0, r1, r2
;;|     2  f64.mul                  r4, r1, r2
;;|     4  f64.sub/ar               r4, r4, r0
;;|     6  f64.add/ra               r0, r3, r4
;;|     8  return                  
;;| func 15 store_constants:
;;|     0  store8.k                 r0, 3, 0x0
;;|     2  store64.k                r0, 8, 0x3ff8000000000000
;;|     5  store32.k                r0, 0, 0xffffffff
;;|     7  return                  
;;| func 16 loops:
;;|     0  add.jump.if.lt_u         r1, r1 + 1, 0x64, @0
;;|     3  add.jump.if.ne           r0, r0 + -1, 0x0, @3
;;|     6  return1                  r1
;;| func 17 select_constants:
;;|     0  i32.lt_s                 r4, r0, r1
;;|     2  select.kk                r0, r4 ? 4294967295 : 1
;;|     5  return                  
;;| func 18 remainder:
;;|     0  i32.rem_u/ri             r0, r0, 50
;;|     2  return                  
;;| func 19 remainder_signed64:
;;|     0  i64.rem_s/ri             r0, r0, 0xa
;;|     3  return                  
;;| func 20 remainder_minus_one:
;;|     0  i32.div_s/ri             r2, r0, 4294967295
;;|     2  i32.mul/ai               r2, r2, 4294967295
;;|     3+ i32.sub/ra               r0, r0, r2
;;|     5  return                  
;;| func 21 remainder_other:
;;|     0  i32.div_u/ri             r3, r0, 9
;;|     2  i32.mul/ai               r3, r3, 9
;;|     3+ i32.sub/ra               r0, r1, r3
;;|     5  return                  
;;| func 22 min_signed:
;;|     0  i32.min_s                r0, r0, r1
;;|     2  return                  
;;| func 23 max_unsigned_swapped:
;;|     0  i32.max_u                r0, r1, r0
;;|     2  return                  
;;| func 24 max_signed64:
;;|     0  i64.max_s                r0, r0, r1
;;|     2  return                  
;;| func 25 select_other:
;;|     0  i32.lt_s                 r5, r0, r2
;;|     2  select                   r0, r0, r1, r5
;;|     4  return                  
;;| func 26 select_constant:
;;|     0  i32.lt_s/ri              r3, r0, 10
;;|     2  const32                  r2, 10
;;|     3+ select                   r0, r0, r2, r3
;;|     5  return                  
;;| func 27 select_float:
;;|     0  f64.lt                   r4, r0, r1
;;|     2  select                   r0, r0, r1, r4
;;|     4  return                  
