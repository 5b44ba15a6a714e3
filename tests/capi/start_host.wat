;; A start function that is a host function: api_test.c makes it trap.
(module
  (import "host" "fail" (func $fail))
  (start $fail))
