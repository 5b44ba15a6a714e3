;; Locals and results. Function entry zeroes the declared locals, so a zero
;; written to one that nothing has written since emits nothing; the
;; knowledge lasts until the local is written, or until a loop head, which
;; code lowered later jumps back to (forward branches only reach code
;; lowered after what they leave, where no more was known). A result just
;; computed before a return is written to slot 0 directly, and a result
;; already in slot 0 (a call's, or parameter 0) needs no copy. A local set
;; to its own value (clang emits `local.set 3 (local.get 3)` at times)
;; emits nothing.
(module
  (func $sum (param i32) (result i32)
    (local i32 i32)
    ;; Both zeroes are free; the second write of local 1 inside the loop
    ;; is not.
    i32.const 0
    local.set 1
    block
      i32.const 0
      local.set 2
    end
    loop
      i32.const 0
      local.set 1
      local.get 2
      local.get 0
      i32.add
      local.set 2
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      br_if 0
    end
    local.get 2)
  (func $written (param i32) (result i32)
    (local i32)
    ;; After a write, a zero is written again.
    local.get 0
    local.set 1
    i32.const 0
    local.set 1
    local.get 1)
  (func $call (result i32)
    ;; No parameters: the argument, and so the result, is in slot 0.
    i32.const 5
    call $written)
  (func $param (param i32) (result i32)
    local.get 0)
  (func $self (param i32 i32) (result i32)
    local.get 1
    local.set 1
    local.get 0
    local.get 0
    local.tee 0
    i32.add))
;;| func 0 sum:
;;|     0  const32                  r1, 0
;;|     2  i32.add                  r2, r2, r0
;;|     3+ add.jump.if.ne           r0, r0 + -1, 0x0, @0
;;|     6  return1                  r2
;;| func 1 written:
;;|     0  copy                     r1, r0
;;|     2  const32                  r1, 0
;;|     4  return1                  r1
;;| func 2 call:
;;|     0  const32                  r0, 5
;;|     2  call                     r0, 1
;;|     4  return                  
;;| func 3 param:
;;|     0  return                  
;;| func 4 self:
;;|     0  i32.add                  r0, r0, r0
;;|     1+ return                  
