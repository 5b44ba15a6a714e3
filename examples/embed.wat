;; embed.wat: the guest of examples/embed.c. It imports a host function,
;; exports a memory, a global and three functions: one traps, one never
;; returns (for the interruption example).
(module
  (import "host" "scale" (func $scale (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  ;; Writes scale(i) for i in [0, n) as i32s from address 0; returns their sum.
  (func (export "fill") (param $n i32) (result i64) (local $i i32) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.shl (local.get $i) (i32.const 2)) (call $scale (local.get $i)))
        (local.set $sum (i64.add (local.get $sum)
          (i64.extend_i32_u (i32.load (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.get $sum))
  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_u (local.get 0) (local.get 1)))
  (func (export "spin") (loop $again (br $again))))
