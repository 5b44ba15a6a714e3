;; binary_trees.wat: the binary-trees allocator benchmark with GC structs.
;; For each depth d from 4 to max (step 2), builds 2^(max - d + 4) trees
;; of depth d and walks them (count of nodes), and keeps one long-lived
;; tree of depth max alive throughout. run() uses max 16, run_quick() 8;
;; the checksum folds the node counts.
(module
  (type $node (struct (field $left (ref null $node)) (field $right (ref null $node))))

  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else
        (struct.new $node
          (call $make (i32.sub (local.get $d) (i32.const 1)))
          (call $make (i32.sub (local.get $d) (i32.const 1)))))))

  (func $check (param $t (ref null $node)) (result i32)
    (local $l (ref null $node))
    (local.set $l (struct.get $node $left (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (local.get $l))
                   (call $check (struct.get $node $right (local.get $t))))))))

  (func $bench (param $max i32) (result i32)
    (local $long (ref null $node))
    (local $d i32) (local $iters i32) (local $i i32) (local $sum i32) (local $acc i32)
    (local.set $acc (call $check (call $make (i32.add (local.get $max) (i32.const 1)))))
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (block $done
      (loop $depths
        (br_if $done (i32.gt_s (local.get $d) (local.get $max)))
        (local.set $iters
          (i32.shl (i32.const 1) (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
        (local.set $sum (i32.const 0))
        (local.set $i (i32.const 0))
        (block $end
          (loop $trees
            (br_if $end (i32.ge_s (local.get $i) (local.get $iters)))
            (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $trees)))
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $sum)))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $depths)))
    (i32.add (i32.mul (local.get $acc) (i32.const 31)) (call $check (local.get $long))))

  (func (export "run") (result i32) (call $bench (i32.const 16)))
  (func (export "run_quick") (result i32) (call $bench (i32.const 8))))
