;; Moves in memory: a load whose value only goes to a store of the same
;; width (move32/64/128).
;; Vector updates of memory, mem[p] += y * mem[q] (lo_fuse_update in lower_fuse.c):
;; a v128.load, a multiply-add of a second v128.load and a v128.store back
;; to the first address become one instruction; the first load may move
;; down past integer steps, and nothing fuses where the address is copied
;; away before a local.tee.
(module
  (memory 1)
  (func $both_forms (param $p i32) (param $q i32) (param $a f64)
    (local $y v128)
    (local.set $y (f64x2.splat (local.get $a)))
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p))
                 (f64x2.mul (local.get $y) (v128.load (local.get $q)))))
    (v128.store offset=16 (local.get $p)
      (f64x2.add (v128.load offset=16 (local.get $p))
                 (f64x2.mul (local.get $y)
                            (v128.load (i32.add (local.get $q) (i32.const 16)))))))
  (func $f32x4 (param $p i32) (param $q i32) (param $a f32)
    (local $y v128)
    (local.set $y (f32x4.splat (local.get $a)))
    (v128.store (local.get $p)
      (f32x4.add (v128.load (local.get $p))
                 (f32x4.mul (local.get $y) (v128.load (local.get $q))))))
  (func $step_between (param $p i32) (param $q0 i32) (param $a f64)
    (local $y v128) (local $q i32)
    (local.set $y (f64x2.splat (local.get $a)))
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p))
                 (f64x2.mul (local.get $y)
                   (v128.load (local.tee $q (i32.add (local.get $q0) (i32.const 32))))))))
  (func $address_copied (param $p i32) (param $q i32) (param $a f64)
    (local $y v128)
    (local.set $y (f64x2.splat (local.get $a)))
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p))
                 (f64x2.mul (local.get $y) (v128.load (local.tee $p (local.get $q)))))))
  (func $other_offset (param $p i32) (param $q i32) (param $a f64)
    (local $y v128)
    (local.set $y (f64x2.splat (local.get $a)))
    (v128.store offset=32 (local.get $p)
      (f64x2.add (v128.load (local.get $p))
                 (f64x2.mul (local.get $y) (v128.load (local.get $q))))))
  (func $store_between (param $p i32) (param $q i32) (param $a f64)
    (local $y v128)
    (local.set $y (f64x2.splat (local.get $a)))
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p))
                 (f64x2.mul (local.get $y)
                   (v128.load (block (result i32) (i32.store (local.get $q) (i32.const 7)) (local.get $q)))))))
  (func $moves (param $to i32) (param $from i32)
    (i64.store (local.get $to) (i64.load offset=8 (local.get $from)))
    (v128.store offset=16 (local.get $to) (v128.load (local.get $from)))
    (f32.store (local.get $to) (f32.load (local.get $from)))
    ;; Narrower: no move.
    (i64.store32 (local.get $to) (i64.load (local.get $from)))))
;;| func 0 both_forms:
;;|     0  f64x2.splat              r3, r2
;;|     2  f64x2.mul_add/mem        [r0 + 0] += r3 * [r1 + 0]
;;|     5  f64x2.mul_add/mem        [r0 + 16] += r3 * [r1 + 16, wrapping]
;;|     8  return                  
;;| func 1 f32x4:
;;|     0  f32x4.splat              r3, r2
;;|     2  f32x4.mul_add/mem        [r0 + 0] += r3 * [r1 + 0]
;;|     5  return                  
;;| func 2 step_between:
;;|     0  f64x2.splat              r3, r2
;;|     2  i32.add/ri               r5, r1, 32
;;|     3+ f64x2.mul_add/mem        [r0 + 0] += r3 * [r5 + 0]
;;|     6  return                  
;;| func 3 address_copied:
;;|     0  f64x2.splat              r3, r2
;;|     2  v128.load                r6, r0, 0
;;|     4  copy2                    r5, r0, r0, r1
;;|     6  v128.load                r10, r0, 0
;;|     8  f64x2.mul_add            r6, r6, r3, r10
;;|    10  v128.store               r5, r6, 0
;;|    12  return                  
;;| func 4 other_offset:
;;|     0  f64x2.splat              r3, r2
;;|     2  v128.load                r6, r0, 0
;;|     4  v128.load                r10, r1, 0
;;|     6  f64x2.mul_add            r6, r6, r3, r10
;;|     8  v128.store               r0, r6, 32
;;|    10  return                  
;;| func 5 store_between:
;;|     0  f64x2.splat              r3, r2
;;|     2  v128.load                r6, r0, 0
;;|     4  copy                     r5, r0
;;|     6  copy.v128                r8, r3
;;|     8  store32.k                r1, 0, 0x7
;;|    10  copy                     r10, r1
;;|    12  v128.load                r10, r10, 0
;;|    14  f64x2.mul_add            r6, r6, r8, r10
;;|    16  v128.store               r5, r6, 0
;;|    18  return                  
;;| func 6 moves:
;;|     0  move64                   [r0 + 0] = [r1 + 8]
;;|     3  move128                  [r0 + 16] = [r1 + 0]
;;|     6  move32                   [r0 + 0] = [r1 + 0]
;;|     9  i64.load                 r3, r1, 0
;;|    11  i64.store32/vacc         r0, r3, 0
;;|    13  return                  
