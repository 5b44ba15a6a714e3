;; binary_trees.wat: the allocation test of the benchmarks game's
;; "binary-trees", with Wasm GC structs: many short-lived complete binary
;; trees of growing depth, one long-lived tree that survives every
;; collection, and a count of each tree's nodes. Written for weft's suite.
(module
  (;include wasi.wat;)
  (type $node (struct (field $left (ref null $node)) (field $right (ref null $node))))

  ;; A complete tree of depth d (a leaf has two null children).
  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $node (call $make (local.get $d)) (call $make (local.get $d))))))

  ;; The number of nodes of tree t.
  (func $check (param $t (ref $node)) (result i32)
    (local $left (ref null $node))
    (local.set $left (struct.get $node $left (local.get $t)))
    (if (result i32) (ref.is_null (local.get $left))
      (then (i32.const 1))
      (else
        (i32.add
          (i32.add (i32.const 1) (call $check (ref.as_non_null (local.get $left))))
          (call $check (ref.as_non_null (struct.get $node $right (local.get $t))))))))

  (func $run (param $max i32) (result i32)
    (local $h i32) (local $long (ref null $node))
    (local $d i32) (local $n i32) (local $i i32) (local $sum i32)
    ;; The stretch tree, one deeper than the deepest, then the long-lived one.
    (local.set $h (call $mix (i32.const 0)
      (call $check (call $make (i32.add (local.get $max) (i32.const 1))))))
    (local.set $long (call $make (local.get $max)))
    ;; 2^(max - d + 4) trees of each depth d = 4, 6, .., max.
    (local.set $d (i32.const 4))
    (loop $depths
      (local.set $n (i32.shl (i32.const 1)
        (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
      (local.set $sum (i32.const 0))
      (local.set $i (i32.const 0))
      (loop $trees
        (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $trees (i32.lt_u (local.get $i) (local.get $n))))
      (local.set $h (call $mix (call $mix (local.get $h) (local.get $n)) (local.get $sum)))
      (local.set $d (i32.add (local.get $d) (i32.const 2)))
      (br_if $depths (i32.le_u (local.get $d) (local.get $max))))
    (call $mix (local.get $h) (call $check (ref.as_non_null (local.get $long)))))

  (func (export "_start")
    (call $print_checksum
      (call $run (select (i32.const 8) (i32.const 16) (call $quick))))))
