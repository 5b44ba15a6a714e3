;; Pair instructions (ir_pairs.def): an instruction A directly followed by
;; a B becomes one instruction that runs both, shown as A and then B marked
;; '+' at the word B's operands and jump offsets count from. A pair needs
;; nothing to jump to its B: a loop head stays where it is. A conditional
;; branch may be an A (its B runs when it does not jump), or a B; either
;; keeps its target, re-aimed for the shorter code. Where pairs overlap
;; (A+B and B+C) the pass picks the choice that saves the most, a table pair
;; counting double, and of equal choices the earlier pair.
(module
  (memory 1)
  (func $two_steps (param i32 i32) (result i32)
    ;; Two counter steps pair (add/ri + add/ri); the multiply reads the
    ;; second sum from the accumulator.
    local.get 0
    i32.const 4
    i32.add
    local.set 0
    local.get 1
    i32.const 8
    i32.add
    local.set 1
    local.get 0
    local.get 1
    i32.mul)
  (func $loop_head (param i32 i32) (result i32)
    ;; The loop's step and test are its head, a jump target: the add before
    ;; the loop does not pair with it.
    local.get 0
    i32.const 1
    i32.add
    local.set 0
    (loop $l
      local.get 1
      i32.const 3
      i32.add
      local.set 1
      local.get 1
      i32.const 100
      i32.lt_u
      br_if $l)
    local.get 0
    local.get 1
    i32.add)
  (func $test_pair (param i32 i32 i32) (result i32)
    ;; A is a conditional branch and B the add after it: the branch's
    ;; offset still reaches the return of 7.
    (block $b
      local.get 0
      local.get 1
      i32.add
      local.get 2
      i32.ne
      br_if $b
      local.get 0
      i32.const 1
      i32.add
      return)
    i32.const 7)
  (func $hash (param i32 i32) (result i32)
    ;; A xor of a shift: i32.shr_u/ri + i32.xor/ra.
    local.get 0
    local.get 1
    i32.const 3
    i32.shr_u
    i32.xor)
  (func $compare (param i32 i32 i32) (result i32)
    ;; Two three-word loads (indexed) pair: B's words start at A's last.
    (block $out
      (loop $l
        local.get 0
        local.get 2
        i32.add
        i32.load8_u
        local.get 1
        local.get 2
        i32.add
        i32.load8_u
        i32.ne
        br_if $out
        local.get 2
        i32.const 1
        i32.add
        local.set 2
        br $l))
    local.get 2)
  (func $dispatch (param i32 i32) (result i32)
    ;; An interpreter's dispatch, switch (code[pc]): the indexed load of the
    ;; opcode pairs with the jump table on it.
    (block $c (block $b (block $a
      local.get 0
      local.get 1
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=64
      br_table $a $b $c)
      i32.const 10
      return)
      i32.const 20
      return)
    i32.const 30)
)
;;| func 0 two_steps:
;;|     0  i32.add/ri               r0, r0, 4
;;|     1+ i32.add/ri               r1, r1, 8
;;|     3  i32.mul/ra               r0, r0, r1
;;|     5  return                  
;;| func 1 loop_head:
;;|     0  i32.add/ri               r0, r0, 1
;;|     2  add.jump.if.lt_u         r1, r1 + 3, 0x64, @2
;;|     5  i32.add                  r0, r0, r1
;;|     6+ return                  
;;| func 2 test_pair:
;;|     0  i32.add                  r3, r0, r1
;;|     2  jump.if.i32.ne/ar        r3, r2, @6
;;|     3+ i32.add/ri               r0, r0, 1
;;|     5  return                  
;;|     6  const32                  r0, 7
;;|     8  return                  
;;| func 3 hash:
;;|     0  i32.shr_u/ri             r3, r1, 3
;;|     1+ i32.xor/ra               r0, r0, r3
;;|     3  return                  
;;| func 4 compare:
;;|     0  i32.load8_u/idx          r3, [r0 + r2 << 0], 0
;;|     2+ i32.load8_u/idx          r4, [r1 + r2 << 0], 0
;;|     5  jump.if.i32.ne/ar        r4, r3, @10
;;|     6+ i32.add/ri               r2, r2, 1
;;|     8  jump                     @0
;;|    10  return1                  r2
;;| func 5 dispatch:
;;|     0  i32.load/idx             r2, [r0 + r1 << 2], 64
;;|     2+ jump.table               r2, [@7 @10 @13]
;;|     7  const32                  r0, 10
;;|     9  return                  
;;|    10  const32                  r0, 20
;;|    12  return                  
;;|    13  const32                  r0, 30
;;|    15  return                  
