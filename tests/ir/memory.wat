;; Loads and stores carry their static offset; calls pass arguments in
;; place: the caller's argument slots become the callee's first locals.
(module
  (memory 1)
  (func $sum (param i32) (result i32)
    local.get 0
    i32.load offset=4
    local.get 0
    i32.load offset=8
    i32.add)
  (func $store (param i32 i64)
    local.get 0
    local.get 1
    i64.store offset=16)
  (func $call (param i32) (result i32)
    local.get 0
    i32.const 1
    call $sum
    i32.add))
