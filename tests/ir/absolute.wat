;; A constant address (C's statics: i32.const 0 with the variable's address
;; as the offset, or the address itself) folds with the static offset into
;; the absolute forms. A sum of 2^32 or more is out of bounds: the general
;; form keeps it, and traps.
(module
  (memory 1)
  (func $get (result i32)
    i32.const 0
    i32.load offset=1024)
  (func $set (param i32)
    i32.const 1000
    local.get 0
    i32.store16 offset=24)
  (func $past (result i64)
    i32.const 0xffffffff
    i64.load offset=1))
;;| func 0 get:
;;|     0  i32.load/abs             r0, 1024
;;|     2  return                  
;;| func 1 set:
;;|     0  i32.store16/abs          r0, 1024
;;|     2  return                  
;;| func 2 past:
;;|     0  const32                  r0, 4294967295
;;|     2  i64.load/acc             r0, r0, 1
;;|     4  return                  
