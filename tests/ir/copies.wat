;; A local written while stack entries still read its old value: the old
;; value is copied to its entry's home first, then the new value is
;; computed straight into the local (one copy, not a copy of the old value
;; and a copy of the result). post_inc: the old x in r2, the add into r0.
;; twice: two entries read the old x (one copy2). loop: the copy runs at
;; the loop's head, before the add. tests/unit/test_copies.c checks the
;; values.
(module
  (func $post_inc (param $x i32) (result i32)
    local.get $x
    local.get $x i32.const 1 i32.add local.set $x
    local.get $x i32.const 100 i32.mul i32.add)
  (func $twice (param $x i32) (param $y i32) (result i32)
    local.get $x local.get $x
    local.get $x local.get $y i32.mul local.set $x
    i32.const 7 i32.mul i32.add local.get $x i32.sub)
  (func $tee (param $x i32) (param $y i32) (result i32)
    local.get $x
    local.get $x local.get $y i32.mul local.tee $x
    i32.sub local.get $x i32.xor)
  (func $loop (param $x i32) (param $n i32) (result i32)
    (local $acc i32)
    loop $l
      local.get $x
      local.get $x local.get $x i32.add local.tee $x
      local.get $acc i32.add i32.sub local.get $acc i32.add local.set $acc
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if $l
    end
    local.get $acc))
;;| func 0 post_inc:
;;|     0  copy                     r1, r0
;;|     2  i32.add/ri               r0, r0, 1
;;|     4  i32.mul/ai               r2, r0, 100
;;|     6  i32.add/ra               r0, r1, r2
;;|     8  return                  
;;| func 1 twice:
;;|     0  copy2                    r2, r0, r3, r0
;;|     2  i32.mul                  r0, r0, r1
;;|     4  i32.mul/ri               r3, r3, 7
;;|     6  i32.add/ra               r2, r2, r3
;;|     8  i32.sub/ar               r0, r2, r0
;;|    10  return                  
;;| func 2 tee:
;;|     0  copy                     r2, r0
;;|     2  i32.mul                  r0, r0, r1
;;|     4  i32.sub/ra               r2, r2, r0
;;|     6  i32.xor/ar               r0, r2, r0
;;|     8  return                  
;;| func 3 loop:
;;|     0  copy                     r3, r0
;;|     2  i32.add                  r0, r0, r0
;;|     4  i32.add/ar               r4, r0, r2
;;|     6  i32.sub/ra               r3, r3, r4
;;|     8  i32.add/ar               r2, r3, r2
;;|    10  add.jump.if.ne           r1, r1 + -1, 0x0, @0
;;|    13  return1                  r2
