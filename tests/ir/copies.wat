;; A local written while stack entries still read its old value: the old
;; value is copied to its entry's home first, then the new value is
;; computed straight into the local (one copy, not a copy of the old value
;; and a copy of the result). post_inc: the old x in r2, the add into r0.
;; twice: two entries read the old x (one copy2). loop: the copy runs at
;; the loop's head, before the add. tests/unit/test_copies.c checks the
;; values of these and of the block results below.
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
    local.get $acc)
  ;; Block results set into a local at once: each path writes the local.
  ;; ifelse: both arms compute into r3 (x). brs: the two br_if moves and
  ;; the fallthrough's constant write r2 (x). in_place: the value is in
  ;; place on the br_if, which the fallthrough reads: copied as before.
  ;; self: the else arm copies x into itself.
  (func $ifelse (param $c i32) (param $a i32) (param $b i32) (result i32)
    (local $x i32)
    (if (result i32) (local.get $c)
      (then (i32.add (local.get $a) (local.get $b)))
      (else (i32.mul (local.get $a) (local.get $b))))
    local.set $x
    (i32.add (local.get $x) (local.get $x)))
  (func $brs (param $c i32) (param $a i32) (result i32)
    (local $x i32)
    (block (result i32)
      (drop (br_if 0 (i32.const 7) (local.get $c)))
      (drop (br_if 0 (local.get $a) (i32.eq (local.get $c) (i32.const 2))))
      (i32.const 9))
    local.set $x
    (i32.mul (local.get $x) (i32.const 3)))
  (func $in_place (param $c i32) (param $a i32) (result i32)
    (local $x i32)
    (block (result i32)
      (i32.add (local.get $a) (i32.const 1))
      (br_if 0 (local.get $c))
      (drop)
      (local.get $a))
    local.set $x
    (local.get $x))
  (func $self (param $c i32) (param $x i32) (result i32)
    (if (result i32) (local.get $c)
      (then (i32.add (local.get $x) (i32.const 100)))
      (else (local.get $x)))
    local.set $x
    (local.get $x)))
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
;;| func 4 ifelse:
;;|     0  jump.z                   r0, @6
;;|     2  i32.add                  r3, r1, r2
;;|     4  jump                     @8
;;|     6  i32.mul                  r3, r1, r2
;;|     8  i32.add                  r0, r3, r3
;;|     9+ return                  
;;| func 5 brs:
;;|     0  jump.z                   r0, @6
;;|     2  const32                  r2, 7
;;|     4  jump                     @14
;;|     6  jump.unless.i32.eq/ri    r0, 0x2, @12
;;|     9  copy                     r2, r1
;;|    10+ jump                     @14
;;|    12  const32                  r2, 9
;;|    14  i32.mul/ri               r0, r2, 3
;;|    16  return                  
;;| func 6 in_place:
;;|     0  i32.add/ri               r3, r1, 1
;;|     2  jump.nz                  r0, @6
;;|     4  copy                     r3, r1
;;|     6  copy                     r2, r3
;;|     8  return1                  r2
;;| func 7 self:
;;|     0  jump.z                   r0, @6
;;|     2  i32.add/ri               r1, r1, 100
;;|     4  return1                  r1
;;|     6  copy                     r1, r1
;;|     8  return1                  r1
