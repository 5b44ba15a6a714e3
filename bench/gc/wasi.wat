;; wasi.wat: the WASI part shared by the garbage-collection benchmarks; each
;; program's "(;include wasi.wat;)" line is replaced by this file's body
;; (tools/wat2wasm.mjs). A program prints "checksum: N" like the C ones, and
;; runs at its small size when given an argument (tools/bench passes --quick).
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "checksum: ")

  ;; Whether the program was given an argument.
  (func $quick (result i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (i32.gt_u (i32.load (i32.const 0)) (i32.const 1)))

  ;; Prints "checksum: V\n" on standard output: the digits go backwards
  ;; from byte 62, the newline at 63, after the label at 32.
  (func $print_checksum (param $v i32)
    (local $p i32)
    (local.set $p (i32.const 63))
    (i32.store8 (i32.const 63) (i32.const 10))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (local.get $v)))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 10))
    (i32.store (i32.const 8) (local.get $p))
    (i32.store (i32.const 12) (i32.sub (i32.const 64) (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))))

  ;; Folds v into the running checksum h (order-sensitive).
  (func $mix (param $h i32) (param $v i32) (result i32)
    (i32.add (i32.mul (i32.xor (local.get $h) (local.get $v)) (i32.const 16777619))
             (i32.const 2166136261)))
