;; Array indexing: base + (i << 2) feeding a load becomes one indexed load;
;; the same sum kept for later becomes one i32.add_shl.
(module
  (memory 1)
  (func $get (param $base i32) (param $i i32) (result i32)
    local.get $base
    local.get $i
    i32.const 2
    i32.shl
    i32.add
    i32.load offset=8)
  (func $get_plain (param $base i32) (param $i i32) (result i64)
    local.get $base
    local.get $i
    i32.add
    i64.load8_u)
  (func $addr (param $base i32) (param $i i32) (result i32)
    local.get $base
    local.get $i
    i32.const 3
    i32.shl
    i32.add))
;;| func 0 get:
;;|     0  i32.load/idx             r0, [r0 + r1 << 2], 8
;;|     3  return                  
;;| func 1 get_plain:
;;|     0  i64.load8_u/idx          r0, [r0 + r1 << 0], 0
;;|     3  return                  
;;| func 2 addr:
;;|     0  i32.add_shl              r0, r0 + r1 << 3
;;|     2  return                  
