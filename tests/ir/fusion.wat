;; Peephole fusions of lowering. An address that is a slot plus a constant
;; folds into the load or store when there is no static offset (the sum
;; wraps at 32 bits; an offset would not). i32.eqz of an integer compare
;; inverts the compare, and an eqz before a branch becomes the branch's
;; sense, so `a == 252; eqz; br_if` is one jump. Copies in a row pair up
;; into copy2.
(module
  (memory 1)
  (func $load_add (param i32) (result i32)
    local.get 0
    i32.const 1296
    i32.add
    i32.load)
  (func $load_add_offset (param i32) (result i32)
    ;; An offset is kept: the constant add is not folded.
    local.get 0
    i32.const 8
    i32.add
    i32.load offset=4)
  (func $store_add (param i32 i64)
    local.get 0
    i32.const 16
    i32.add
    local.get 1
    i64.store)
  (func $eqz_compare (param i32) (result i32)
    local.get 0
    i32.const 252
    i32.eq
    i32.eqz)
  (func $eqz_branch (param i32 i32) (result i32)
    block
      local.get 0
      i32.const 252
      i32.eq
      i32.eqz
      br_if 0
      local.get 1
      i32.const 7
      i32.and
      i32.eqz
      br_if 0
      i32.const 1
      return
    end
    i32.const 0)
  (func $float_eqz (param f64 f64) (result i32)
    ;; No inversion for floats: eqz (a < b) is not a >= b when one is NaN.
    local.get 0
    local.get 1
    f64.lt
    i32.eqz)
  (func $rotate (param i32 i32 i32) (result i32)
    (local i32)
    loop
      local.get 0
      local.set 3
      local.get 1
      local.set 0
      local.get 2
      local.set 1
      local.get 3
      local.set 2
      local.get 3
      br_if 0
    end
    local.get 0))
;;| func 0 load_add:
;;|     0  enter                    zero 0 from r1, frame 3 slots
;;|     2  i32.load/add             r1, r0, 1296
;;|     4  return1                  r1
;;| func 1 load_add_offset:
;;|     0  enter                    zero 0 from r1, frame 3 slots
;;|     2  i32.add/ri               r1, r0, 8
;;|     4  i32.load                 r1, r1, 4
;;|     6  return1                  r1
;;| func 2 store_add:
;;|     0  enter                    zero 0 from r2, frame 4 slots
;;|     2  i64.store/add            r0, r1, 16
;;|     4  return                  
;;| func 3 eqz_compare:
;;|     0  enter                    zero 0 from r1, frame 3 slots
;;|     2  i32.ne/ri                r1, r0, 252
;;|     4  return1                  r1
;;| func 4 eqz_branch:
;;|     0  enter                    zero 0 from r2, frame 4 slots
;;|     2  jump.if.i32.ne/ri        r0, 0xfc, @12
;;|     5  i32.and/ri               r2, r1, 7
;;|     7  jump.z                   r2, @12
;;|     9  const32                  r0, 1
;;|    11  return                  
;;|    12  const32                  r0, 0
;;|    14  return                  
;;| func 5 float_eqz:
;;|     0  enter                    zero 0 from r2, frame 4 slots
;;|     2  f64.lt                   r2, r0, r1
;;|     4  i32.eqz                  r2, r2
;;|     6  return1                  r2
;;| func 6 rotate:
;;|     0  enter                    zero 1 from r3, frame 5 slots
;;|     2  copy2                    r3, r0, r0, r1
;;|     4  copy2                    r1, r2, r2, r3
;;|     6  jump.nz                  r3, @2
;;|     8  return1                  r0
