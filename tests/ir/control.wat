;; Control flow becomes resolved jumps; a compare followed by br_if or if
;; fuses into one compare-and-jump.
(module
  (func $count (param i32) (result i32) (local i32)
    loop $top
      local.get 1
      i32.const 1
      i32.add
      local.set 1
      local.get 1
      local.get 0
      i32.lt_s
      br_if $top
    end
    local.get 1)
  (func $max (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.gt_s
    if (result i32)
      local.get 0
    else
      local.get 1
    end)
  (func $switch (param i32) (result i32)
    block $b2
      block $b1
        block $b0
          local.get 0
          br_table $b0 $b1 $b2
        end
        i32.const 10
        return
      end
      i32.const 20
      return
    end
    i32.const 30))
;;| func 0 count:
;;|     0  i32.add/ri               r1, r1, 1
;;|     2  jump.if.i32.lt_s/ar      r1, r0, @0
;;|     4  return1                  r1
;;| func 1 max:
;;|     0  jump.unless.i32.gt_s     r0, r1, @6
;;|     2  copy                     r2, r0
;;|     4  return1                  r2
;;|     6  copy                     r2, r1
;;|     8  return1                  r2
;;| func 2 switch:
;;|     0  jump.table               r0, [@5 @8 @11]
;;|     5  const32                  r0, 10
;;|     7  return                  
;;|     8  const32                  r0, 20
;;|    10  return                  
;;|    11  const32                  r0, 30
;;|    13  return                  
