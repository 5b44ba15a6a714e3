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
    i64.add))
