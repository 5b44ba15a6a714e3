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
;;| func 0 sum:
;;|     0  i32.load                 r1, r0, 4
;;|     2  i32.load                 r2, r0, 8
;;|     3+ i32.add/ra               r0, r1, r2
;;|     5  return                  
;;| func 1 store:
;;|     0  i64.store                r0, r1, 16
;;|     2  return                  
;;| func 2 call:
;;|     0  const32                  r2, 1
;;|     2  call                     r2, 0
;;|     4  i32.add                  r0, r0, r2
;;|     5+ return                  
