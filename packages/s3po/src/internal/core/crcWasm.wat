;; s3po's CRC-64/NVME and CRC-32C, slicing-by-8 (`checksums.ts` fills the tables and feeds the input).
;; Assembled with WABT 1.0.39: `npx -p wabt wat2wasm crcWasm.wat` gives the bytes in `crcWasm.ts`.
;;
;; Memory (two pages): CRC-64/NVME's 8 tables of 256 i64 at 0 (table s at s * 2048: the CRC of a
;; byte followed by s zero bytes), CRC-32C's 8 tables of 256 i32 at 16384 (table s at 16384 + s * 1024),
;; CRC-64's register out at 24576, the input at 24592 (up to 65536 bytes).
(module
  (memory (export "memory") 2)
  ;; Folds `length` input bytes into CRC-64/NVME's register (high and low halves), written out at 24576.
  (func (export "crc64nvme") (param $high i32) (param $low i32) (param $length i32)
    (local $crc i64) (local $p i32) (local $end i32) (local $whole i32) (local $x i64)
    (local.set $crc (i64.or (i64.shl (i64.extend_i32_u (local.get $high)) (i64.const 32))
                            (i64.extend_i32_u (local.get $low))))
    (local.set $p (i32.const 24592))
    (local.set $end (i32.add (i32.const 24592) (local.get $length)))
    (local.set $whole (i32.sub (local.get $end) (i32.and (local.get $length) (i32.const 7))))
    (block $wholeDone
      (loop $wholeLoop
        (br_if $wholeDone (i32.ge_u (local.get $p) (local.get $whole)))
        (local.set $x (i64.xor (local.get $crc) (i64.load (local.get $p))))
        (local.set $crc
          (i64.xor (i64.xor (i64.xor (i64.xor (i64.xor (i64.xor (i64.xor (i64.load offset=14336 (i32.shl (i32.and (i32.wrap_i64 (local.get $x)) (i32.const 255)) (i32.const 3)))
          (i64.load offset=12288 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 8))) (i32.const 255)) (i32.const 3))))
          (i64.load offset=10240 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 16))) (i32.const 255)) (i32.const 3))))
          (i64.load offset=8192 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 24))) (i32.const 255)) (i32.const 3))))
          (i64.load offset=6144 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 32))) (i32.const 255)) (i32.const 3))))
          (i64.load offset=4096 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 40))) (i32.const 255)) (i32.const 3))))
          (i64.load offset=2048 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 48))) (i32.const 255)) (i32.const 3))))
          (i64.load offset=0 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 56))) (i32.const 255)) (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $wholeLoop)))
    (block $tailDone
      (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $crc
          (i64.xor (i64.shr_u (local.get $crc) (i64.const 8))
            (i64.load (i32.shl (i32.and (i32.xor (i32.wrap_i64 (local.get $crc)) (i32.load8_u (local.get $p)))
                                        (i32.const 255))
                               (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tailLoop)))
    (i64.store (i32.const 24576) (local.get $crc)))
  ;; Folds `length` input bytes into CRC-32C's register, and returns it.
  (func (export "crc32c") (param $crc i32) (param $length i32) (result i32)
    (local $p i32) (local $end i32) (local $whole i32) (local $x i32) (local $y i32)
    (local.set $p (i32.const 24592))
    (local.set $end (i32.add (i32.const 24592) (local.get $length)))
    (local.set $whole (i32.sub (local.get $end) (i32.and (local.get $length) (i32.const 7))))
    (block $wholeDone
      (loop $wholeLoop
        (br_if $wholeDone (i32.ge_u (local.get $p) (local.get $whole)))
        (local.set $x (i32.xor (local.get $crc) (i32.load (local.get $p))))
        (local.set $y (i32.load offset=4 (local.get $p)))
        (local.set $crc
          (i32.xor (i32.xor (i32.xor (i32.xor (i32.xor (i32.xor (i32.xor (i32.load offset=23552 (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 2)))
          (i32.load offset=22528 (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 255)) (i32.const 2))))
          (i32.load offset=21504 (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 255)) (i32.const 2))))
          (i32.load offset=20480 (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 255)) (i32.const 2))))
          (i32.load offset=19456 (i32.shl (i32.and (local.get $y) (i32.const 255)) (i32.const 2))))
          (i32.load offset=18432 (i32.shl (i32.and (i32.shr_u (local.get $y) (i32.const 8)) (i32.const 255)) (i32.const 2))))
          (i32.load offset=17408 (i32.shl (i32.and (i32.shr_u (local.get $y) (i32.const 16)) (i32.const 255)) (i32.const 2))))
          (i32.load offset=16384 (i32.shl (i32.and (i32.shr_u (local.get $y) (i32.const 24)) (i32.const 255)) (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $wholeLoop)))
    (block $tailDone
      (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $crc
          (i32.xor (i32.shr_u (local.get $crc) (i32.const 8))
            (i32.load offset=16384
              (i32.shl (i32.and (i32.xor (local.get $crc) (i32.load8_u (local.get $p))) (i32.const 255))
                       (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tailLoop)))
    (local.get $crc)))
