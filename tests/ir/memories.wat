;; wat2wasm: --enable-multi-memory --enable-memory64
;; Accesses to memory 0 of 32 bits keep their folded forms (memory.wat);
;; any other memory, and a 64-bit one, takes the general form, which names
;; the memory, carries a 64-bit offset and checks the access against that
;; memory's size: /m32 with an i32 address, /m64 with an i64 one.
(module
  (memory $small 1)
  (memory $other 1)
  (memory $wide i64 1)
  (func $copy_across (param i32)
    local.get 0
    local.get 0
    i32.load offset=8
    i32.store $other offset=4)
  (func $wide_load (param i64) (result i64)
    local.get 0
    i64.load $wide offset=0xfffffff0)
  (func $wide_store_const (param i64)
    local.get 0
    f64.const 1.5
    f64.store $wide)
  (func $lanes (param i32 i64) (result v128)
    local.get 1
    local.get 0
    v128.load32_splat $other
    v128.load32_lane $wide offset=16 1)
  (func $sizes (result i64)
    memory.size $other
    i64.extend_i32_u
    memory.size $wide
    i64.add)
  (func $grow_wide (param i64) (result i64)
    local.get 0
    memory.grow $wide)
  (func $bulk (param i64 i32)
    local.get 0
    i32.const 0
    local.get 1
    memory.copy $wide $other
    local.get 0
    i32.const 255
    i64.const 16
    memory.fill $wide))
;;| func 0 copy_across:
;;|     0  i32.load                 r2, r0, 8
;;|     2  i32.store/m32            r0, r2, mem 1, 0x4
;;|     5  return                  
;;| func 1 wide_load:
;;|     0  i64.load/m64             r0, r0, mem 2, 0xfffffff0
;;|     3  return                  
;;| func 2 wide_store_const:
;;|     0  const64                  r2, 0x3ff8000000000000
;;|     3  f64.store/m64            r0, r2, mem 2, 0x0
;;|     6  return                  
;;| func 3 lanes:
;;|     0  v128.load32_splat/m32    r3, r0, mem 1, 0x0
;;|     3  v128.load32_lane/m64     r2, r1, r3, mem 2, lane 1, 0x10
;;|     7  copy.v128                r0, r2
;;|     9  return                  
;;| func 4 sizes:
;;|     0  memory.size              r0, 1
;;|     2  i64.extend_i32_u         r0, r0
;;|     4  memory.size              r1, 2
;;|     6  i64.add                  r0, r0, r1
;;|     8  return                  
;;| func 5 grow_wide:
;;|     0  memory.grow64            r0, r0, 2
;;|     2  return                  
;;| func 6 bulk:
;;|     0  const32                  r3, 0
;;|     2  memory.copy64            r0:i64, r3, r1, 2, 1
;;|     5  const32                  r4, 16
;;|     6+ const32                  r3, 255
;;|     8  memory.fill64            r0, r3, r4, 2
;;|    11  return                  
