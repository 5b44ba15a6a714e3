;; particles.wat: an array-of-structs workload. A population of particles
;; (structs of f64 position and velocity and an i32 id) lives in a GC
;; array; each step moves every particle, and one in eight is replaced by a
;; new struct (garbage at a steady rate); every step also builds a linked
;; list of the particles that left the unit box and walks it. The checksum
;; folds the ids of the escaped particles. 200000 particles, 60 steps
;; (--quick: 2000 and 10).
(module
  (;include wasi.wat;)
  (type $p (struct (field $x (mut f64)) (field $y (mut f64))
                   (field $vx f64) (field $vy f64) (field $id i32)))
  (type $ps (array (mut (ref null $p))))
  (type $cell (struct (field $item (ref $p)) (field $next (ref null $cell))))

  (global $seed (mut i32) (i32.const 12345))

  ;; A pseudo-random number in [0, 1).
  (func $rand (result f64)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245))
                               (i32.const 12345)))
    (f64.div (f64.convert_i32_u (i32.shr_u (global.get $seed) (i32.const 8)))
             (f64.const 16777216)))

  (func $particle (param $id i32) (result (ref $p))
    (struct.new $p (call $rand) (call $rand)
      (f64.mul (f64.sub (call $rand) (f64.const 0.5)) (f64.const 0.02))
      (f64.mul (f64.sub (call $rand) (f64.const 0.5)) (f64.const 0.02))
      (local.get $id)))

  (func $bench (param $n i32) (param $steps i32) (result i32)
    (local $all (ref $ps)) (local $i i32) (local $s i32) (local $q (ref $p))
    (local $out (ref null $cell)) (local $acc i32) (local $next_id i32)
    (local.set $all (array.new_default $ps (local.get $n)))
    (block $e (loop $l
      (br_if $e (i32.ge_u (local.get $i) (local.get $n)))
      (array.set $ps (local.get $all) (local.get $i) (call $particle (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.set $next_id (local.get $n))
    (block $done (loop $step
      (br_if $done (i32.ge_u (local.get $s) (local.get $steps)))
      (local.set $out (ref.null $cell))
      (local.set $i (i32.const 0))
      (block $e2 (loop $l2
        (br_if $e2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $q (ref.as_non_null (array.get $ps (local.get $all) (local.get $i))))
        (struct.set $p $x (local.get $q)
          (f64.add (struct.get $p $x (local.get $q)) (struct.get $p $vx (local.get $q))))
        (struct.set $p $y (local.get $q)
          (f64.add (struct.get $p $y (local.get $q)) (struct.get $p $vy (local.get $q))))
        (if (i32.or (f64.lt (struct.get $p $x (local.get $q)) (f64.const 0))
                    (f64.gt (struct.get $p $x (local.get $q)) (f64.const 1)))
          (then (local.set $out (struct.new $cell (local.get $q) (local.get $out)))))
        (if (i32.eqz (i32.and (i32.add (local.get $i) (local.get $s)) (i32.const 7)))
          (then
            (array.set $ps (local.get $all) (local.get $i) (call $particle (local.get $next_id)))
            (local.set $next_id (i32.add (local.get $next_id) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
      (block $e3 (loop $l3
        (br_if $e3 (ref.is_null (local.get $out)))
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
          (struct.get $p $id (struct.get $cell $item (ref.as_non_null (local.get $out))))))
        (local.set $out (struct.get $cell $next (ref.as_non_null (local.get $out))))
        (br $l3)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $step)))
    (local.get $acc))

  (func (export "_start")
    (call $print_checksum
      (if (result i32) (call $quick)
        (then (call $bench (i32.const 2000) (i32.const 10)))
        (else (call $bench (i32.const 200000) (i32.const 60)))))))
