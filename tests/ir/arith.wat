;; Operands fold into slots: local.get and constants emit no code, and a
;; result followed by local.set is written straight into the local.
(module
  (func $add (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
  (func $add_const_into_local (param i32) (local i32)
    local.get 0
    i32.const 7
    i32.add
    local.set 1)
  (func $const_first (param i32) (result i32)
    i32.const 100
    local.get 0
    i32.sub)
  (func $tee (param i64) (result i64) (local i64)
    local.get 0
    i64.const 3
    i64.mul
    local.tee 1
    local.get 1
    i64.add)
  ;; A product feeding an add fuses into one mul_add (still two roundings).
  (func $axpy (param f64 f64 f64) (result f64)
    local.get 0
    local.get 1
    local.get 2
    f64.mul
    f64.add))
;;| func 0 add:
;;|     0  i32.add                  r0, r0, r1
;;|     1+ return                  
;;| func 1 add_const_into_local:
;;|     0  i32.add/ri               r1, r0, 7
;;|     1+ return                  
;;| func 2 const_first:
;;|     0  i32.sub/ir               r0, r0, 100
;;|     2  return                  
;;| func 3 tee:
;;|     0  i64.mul/ri               r1, r0, 0x3
;;|     3  i64.add/ar               r0, r1, r1
;;|     5  return                  
;;| func 4 axpy:
;;|     0  f64.mul_add              r0, r0, r1, r2
;;|     2  return                  
