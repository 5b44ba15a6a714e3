;; Constant folding. An operator whose operands are all constants is
;; computed while lowering, with the handler's own C expression, so its
;; result is a constant (which an instruction that takes an immediate then
;; folds in); one that would trap, such as a division by zero, is left to
;; trap when it runs. A branch, if, select or br_table on a constant
;; condition or index takes its one way with no test: the other way is
;; dead code and emits nothing.
(module
  (func $arith (param i32) (result i32)
    ;; (3 * 4 + 1) << 2 == 52, then added to the parameter.
    local.get 0
    i32.const 3
    i32.const 4
    i32.mul
    i32.const 1
    i32.add
    i32.const 2
    i32.shl
    i32.add)
  (func $float (result f64)
    f64.const 2
    f64.sqrt
    f64.const 1
    f64.add)
  (func $compare (result i32)
    i64.const -1
    i64.const 1
    i64.lt_u)
  (func $trap (result i32)
    i32.const 7
    i32.const 0
    i32.div_u)
  (func $branches (param i32) (result i32)
    block
      i32.const 0
      br_if 0
      local.get 0
      i32.const 1
      i32.add
      local.set 0
      i32.const 1
      br_if 0
      local.get 0
      i32.const 100
      i32.add
      local.set 0
    end
    local.get 0)
  (func $if (param i32) (result i32)
    i32.const 0
    if (result i32)
      local.get 0
      i32.const 1
      i32.add
    else
      local.get 0
      i32.const 2
      i32.add
    end
    i32.const 1
    if (result i32)
      i32.const 3
    else
      i32.const 4
    end
    i32.add)
  (func $select (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.const 0
    select)
  (func $table (param i32) (result i32)
    block
      block
        i32.const 5
        br_table 0 1
      end
      i32.const 10
      return
    end
    i32.const 20))
;;| func 0 arith:
;;|     0  i32.add/ri               r0, r0, 52
;;|     1+ return                  
;;| func 1 float:
;;|     0  const64                  r0, 0x4003504f333f9de6
;;|     3  return                  
;;| func 2 compare:
;;|     0  const32                  r0, 0
;;|     2  return                  
;;| func 3 trap:
;;|     0  const32                  r0, 7
;;|     2  i32.div_u/ri             r0, r0, 0
;;|     4  return                  
;;| func 4 branches:
;;|     0  i32.add/ri               r0, r0, 1
;;|     2  return1                  r0
;;|     4  return                  
;;| func 5 if:
;;|     0  i32.add/ri               r1, r0, 2
;;|     2  const32                  r2, 3
;;|     4  i32.add/ra               r0, r1, r2
;;|     6  return                  
;;| func 6 select:
;;|     0  return1                  r1
;;| func 7 table:
;;|     0  jump                     @5
;;|     2  const32                  r0, 10
;;|     4  return                  
;;|     5  const32                  r0, 20
;;|     7  return                  
