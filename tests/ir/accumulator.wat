;; The accumulator forms (lower_pass.c): an instruction that reads what the
;; instruction just before it computed reads it from the accumulator, a
;; register, instead of waiting for the slot's store to reach its load. The
;; words stay the same: the operand's slot is still listed. Shown here: the
;; forms of binary operators (/ar, /ra, /ai, /ia), unary ones (/a),
;; compare-and-branch, loads whose address, index or base was just computed
;; (/acc, /idx/acc, /add/acc), stores of a value just computed (/vacc), and
;; where no accumulator form may be used: after a label, and when the value
;; was computed as another type (i32 bits reinterpreted as f32).
(module
  (memory 1)
  (func $chain (param i32 i32) (result i32)
    ;; ((a * 3 + b) ^ 5) - (a >> b): the subtraction's second operand is
    ;; the shift, just computed.
    local.get 0
    i32.const 3
    i32.mul
    local.get 1
    i32.add
    i32.const 5
    i32.xor
    local.get 0
    local.get 1
    i32.shr_u
    i32.sub)
  (func $imm_first (param i32) (result i32)
    i32.const 100
    local.get 0
    i32.const 7
    i32.and
    i32.sub)
  (func $float (param f64 f64) (result f64)
    local.get 0
    local.get 1
    f64.add
    f64.sqrt
    f64.const 1
    f64.div
    f64.const 2
    local.get 0
    f64.sub
    f64.div)
  (func $pointer_chase (param i32 i32)
    ;; p->next->value, then a store of value + 1 to p.
    local.get 0
    local.get 0
    i32.load offset=4
    i32.load offset=8
    i32.const 1
    i32.add
    i32.store)
  (func $index (param i32 i32) (result i32)
    ;; table[x & 255] with a 4-byte element, then base[k] + 16.
    local.get 0
    local.get 1
    i32.const 255
    i32.and
    i32.const 2
    i32.shl
    i32.add
    i32.load
    i32.const 16
    i32.add
    i32.load)
  (func $branch (param i32) (result i32)
    block
      local.get 0
      i32.load8_u
      i32.const 10
      i32.eq
      br_if 0
      local.get 0
      i32.load
      br_if 0
      i32.const 1
      return
    end
    i32.const 0)
  (func $label (param i32) (result i32)
    ;; The loop head is a label: the multiply after it reads its slot.
    local.get 0
    i32.const 1
    i32.add
    local.set 0
    loop
      local.get 0
      i32.const 3
      i32.mul
      local.tee 0
      i32.const 1000
      i32.lt_u
      br_if 0
    end
    local.get 0)
  (func $reinterpret (param i32) (result f32)
    local.get 0
    i32.const 1
    i32.add
    f32.reinterpret_i32
    f32.const 1
    f32.add))
;;| func 0 chain:
;;|     0  i32.mul/ri               r2, r0, 3
;;|     2  i32.add/ar               r2, r2, r1
;;|     4  i32.xor/ai               r2, r2, 5
;;|     6  i32.shr_u                r3, r0, r1
;;|     8  i32.sub/ra               r0, r2, r3
;;|    10  return                  
;;| func 1 imm_first:
;;|     0  i32.and/ri               r2, r0, 7
;;|     2  i32.sub/ia               r0, r2, 100
;;|     4  return                  
;;| func 2 float:
;;|     0  f64.add                  r2, r0, r1
;;|     2  f64.sqrt/a               r2, r2
;;|     4  f64.div/ai               r2, r2, 0x3ff0000000000000
;;|     7  f64.sub/ir               r3, r0, 0x4000000000000000
;;|    10  f64.div/ra               r0, r2, r3
;;|    12  return                  
;;| func 3 pointer_chase:
;;|     0  i32.load                 r3, r0, 4
;;|     2  i32.load/acc             r3, r3, 8
;;|     4  i32.add/ai               r3, r3, 1
;;|     6  i32.store/vacc           r0, r3, 0
;;|     8  return                  
;;| func 4 index:
;;|     0  i32.and/ri               r3, r1, 255
;;|     2  i32.load/idx/acc         r2, [r0 + r3 << 2], 0
;;|     5  i32.load/add/acc         r0, r2, 16
;;|     7  return                  
;;| func 5 branch:
;;|     0  i32.load8_u              r1, r0, 0
;;|     2  jump.if.i32.eq/ai        r1, 0xa, @12
;;|     5  i32.load                 r1, r0, 0
;;|     7  jump.nz/acc              r1, @12
;;|     9  const32                  r0, 1
;;|    11  return                  
;;|    12  const32                  r0, 0
;;|    14  return                  
;;| func 6 label:
;;|     0  i32.add/ri               r0, r0, 1
;;|     2  i32.mul/ri               r0, r0, 3
;;|     4  jump.if.i32.lt_u/ai      r0, 0x3e8, @2
;;|     7  return                  
;;| func 7 reinterpret:
;;|     0  i32.add/ri               r1, r0, 1
;;|     2  f32.add/ri               r0, r1, 1065353216
;;|     4  return                  
