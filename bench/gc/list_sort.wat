;; list_sort.wat: functional-style list code as managed-language compilers
;; emit it: a list of boxed keys is sorted by a merge sort that builds new
;; cells at every merge (no cell is changed once another list shares it),
;; then copied into an array of references and tallied into an integer array.
;; Nearly every object dies young. Written for weft's suite.
(module
  (;include wasi.wat;)
  (type $cell (struct (field $key i32) (field $next (mut (ref null $cell)))))
  (type $cells (array (mut (ref null $cell))))
  (type $ints (array (mut i32)))

  ;; A list of n pseudo-random keys (a linear congruential generator from seed).
  (func $random_list (param $n i32) (param $seed i32) (result (ref null $cell))
    (local $list (ref null $cell))
    (loop $more
      (local.set $seed (i32.add (i32.mul (local.get $seed) (i32.const 1103515245))
                                (i32.const 12345)))
      (local.set $list (struct.new $cell (local.get $seed) (local.get $list)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $more (local.get $n)))
    (local.get $list))

  ;; The merge of sorted lists a and b into new cells (unsigned order).
  (func $merge (param $a (ref null $cell)) (param $b (ref null $cell)) (result (ref null $cell))
    (local $head (ref $cell)) (local $tail (ref null $cell)) (local $c (ref null $cell))
    (local.set $head (struct.new $cell (i32.const 0) (ref.null $cell)))
    (local.set $tail (local.get $head))
    (block $done
      (loop $step
        (br_if $done (ref.is_null (local.get $a)))
        (br_if $done (ref.is_null (local.get $b)))
        (if (i32.le_u (struct.get $cell $key (local.get $a)) (struct.get $cell $key (local.get $b)))
          (then
            (local.set $c (struct.new $cell (struct.get $cell $key (local.get $a)) (ref.null $cell)))
            (local.set $a (struct.get $cell $next (local.get $a))))
          (else
            (local.set $c (struct.new $cell (struct.get $cell $key (local.get $b)) (ref.null $cell)))
            (local.set $b (struct.get $cell $next (local.get $b)))))
        (struct.set $cell $next (local.get $tail) (local.get $c))
        (local.set $tail (local.get $c))
        (br $step)))
    ;; What is left of either list is shared as it is.
    (struct.set $cell $next (local.get $tail)
      (select (result (ref null $cell)) (local.get $a) (local.get $b)
              (i32.eqz (ref.is_null (local.get $a)))))
    (struct.get $cell $next (local.get $head)))

  ;; A sorted copy of the first n (>= 1) cells of list.
  (func $sort (param $list (ref null $cell)) (param $n i32) (result (ref null $cell))
    (local $half i32) (local $rest (ref null $cell)) (local $i i32)
    (if (i32.eq (local.get $n) (i32.const 1))
      (then (return (struct.new $cell (struct.get $cell $key (local.get $list)) (ref.null $cell)))))
    (local.set $half (i32.shr_u (local.get $n) (i32.const 1)))
    (local.set $rest (local.get $list))
    (local.set $i (local.get $half))
    (loop $skip
      (local.set $rest (struct.get $cell $next (local.get $rest)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $skip (local.get $i)))
    (call $merge (call $sort (local.get $list) (local.get $half))
                 (call $sort (local.get $rest) (i32.sub (local.get $n) (local.get $half)))))

  ;; One round: sort n keys, check the order through an array of the
  ;; cells, and fold a histogram of the top bytes into the checksum.
  (func $round (param $h i32) (param $n i32) (param $seed i32) (result i32)
    (local $list (ref null $cell)) (local $vec (ref $cells)) (local $hist (ref $ints))
    (local $copy (ref $ints)) (local $i i32) (local $k i32) (local $prev i32)
    (local.set $list (call $sort (call $random_list (local.get $n) (local.get $seed)) (local.get $n)))
    (local.set $vec (array.new_default $cells (local.get $n)))
    (local.set $hist (array.new $ints (i32.const 0) (i32.const 256)))
    (loop $fill
      (array.set $cells (local.get $vec) (local.get $i) (local.get $list))
      (local.set $list (struct.get $cell $next (local.get $list)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $tally
      (local.set $k (struct.get $cell $key (array.get $cells (local.get $vec) (local.get $i))))
      (if (i32.lt_u (local.get $k) (local.get $prev)) (then unreachable))
      (local.set $prev (local.get $k))
      (array.set $ints (local.get $hist) (i32.shr_u (local.get $k) (i32.const 24))
        (i32.add (array.get $ints (local.get $hist) (i32.shr_u (local.get $k) (i32.const 24)))
                 (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $tally (i32.lt_u (local.get $i) (array.len (local.get $vec)))))
    (local.set $copy (array.new_default $ints (i32.const 256)))
    (array.copy $ints $ints (local.get $copy) (i32.const 0) (local.get $hist) (i32.const 0)
                (i32.const 256))
    (local.set $i (i32.const 0))
    (loop $fold
      (local.set $h (call $mix (local.get $h) (array.get $ints (local.get $copy) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fold (i32.lt_u (local.get $i) (i32.const 256))))
    (call $mix (local.get $h) (struct.get $cell $key (array.get $cells (local.get $vec)
                                 (i32.shr_u (local.get $n) (i32.const 1))))))

  (func $run (param $rounds i32) (result i32)
    (local $h i32) (local $r i32)
    (loop $rounds
      (local.set $h (call $round (local.get $h) (i32.const 20000)
                                 (i32.add (i32.const 17) (local.get $r))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $r) (local.get $rounds))))
    (local.get $h))

  (func (export "_start")
    (call $print_checksum (call $run (select (i32.const 2) (i32.const 30) (call $quick))))))
