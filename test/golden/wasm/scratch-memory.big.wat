;; classic BPF program: 21 instructions; big-endian seccomp_data records of 64 bytes
(module
  (memory (export "memory") 1)
  (func (export "run") (param $in i32) (param $out i32) (param $n i32)
    (local $A i32) (local $X i32) (local $w i32) (local $m0 i32) (local $m1 i32) (local $m2 i32)
    block $done
    local.get $n
    i32.eqz
    br_if $done
    loop $next
    i32.const 0
    local.set $A
    i32.const 0
    local.set $X
    i32.const 0
    local.set $m0
    i32.const 0
    local.set $m1
    i32.const 0
    local.set $m2
    local.get $out
    block $ret (result i32)
    block $pc20
    block $pc19
    block $pc7
    ;; 0: ld [4]
    local.get $in
    i32.load offset=4
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 1: st M[0]
    local.get $A
    local.set $m0
    ;; 2: ld [0]
    local.get $in
    i32.load
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 3: st M[1]
    local.get $A
    local.set $m1
    ;; 4: ld M[0]
    local.get $m0
    local.set $A
    ;; 5: jeq #0xc00000b7, L7
    local.get $A
    i32.const 0xc00000b7
    i32.eq
    br_if $pc7
    ;; 6: ret #0x80000000
    i32.const 0x80000000
    br $ret
    end ;; $pc7
    ;; 7: ld M[1]
    local.get $m1
    local.set $A
    ;; 8: tax
    local.get $A
    local.set $X
    ;; 9: ld #63
    i32.const 63
    local.set $A
    ;; 10: jeq x, L19
    local.get $A
    local.get $X
    i32.eq
    br_if $pc19
    ;; 11: txa
    local.get $X
    local.set $A
    ;; 12: jeq #64, L19
    local.get $A
    i32.const 64
    i32.eq
    br_if $pc19
    ;; 13: ld [8]
    local.get $in
    i32.load offset=8
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 14: stx M[2]
    local.get $X
    local.set $m2
    ;; 15: ldx M[2]
    local.get $m2
    local.set $X
    ;; 16: ld [12]
    local.get $in
    i32.load offset=12
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 17: and #0xffff0000
    local.get $A
    i32.const 0xffff0000
    i32.and
    local.set $A
    ;; 18: jeq #0, L20
    local.get $A
    i32.const 0
    i32.eq
    br_if $pc20
    end ;; $pc19
    ;; 19: ret #0x7fff0000
    i32.const 0x7fff0000
    br $ret
    end ;; $pc20
    ;; 20: ret #0x50001
    i32.const 0x50001
    br $ret
    end ;; $ret
    i32.store
    local.get $in
    i32.const 64
    i32.add
    local.set $in
    local.get $out
    i32.const 4
    i32.add
    local.set $out
    local.get $n
    i32.const 1
    i32.sub
    local.tee $n
    br_if $next
    end ;; $next
    end ;; $done
  )
  (func (export "run_steps") (param $in i32) (param $out i32) (param $stepsOut i32) (param $n i32)
    (local $A i32) (local $X i32) (local $w i32) (local $steps i32) (local $m0 i32) (local $m1 i32) (local $m2 i32)
    block $done
    local.get $n
    i32.eqz
    br_if $done
    loop $next
    i32.const 0
    local.set $A
    i32.const 0
    local.set $X
    i32.const 0
    local.set $steps
    i32.const 0
    local.set $m0
    i32.const 0
    local.set $m1
    i32.const 0
    local.set $m2
    local.get $out
    block $ret (result i32)
    block $pc20
    block $pc19
    block $pc7
    ;; 0: ld [4]
    local.get $in
    i32.load offset=4
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 1: st M[0]
    local.get $A
    local.set $m0
    ;; 2: ld [0]
    local.get $in
    i32.load
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 3: st M[1]
    local.get $A
    local.set $m1
    ;; 4: ld M[0]
    local.get $m0
    local.set $A
    ;; 5: jeq #0xc00000b7, L7
    local.get $steps
    i32.const 6
    i32.add
    local.set $steps
    local.get $A
    i32.const 0xc00000b7
    i32.eq
    br_if $pc7
    ;; 6: ret #0x80000000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x80000000
    br $ret
    end ;; $pc7
    ;; 7: ld M[1]
    local.get $m1
    local.set $A
    ;; 8: tax
    local.get $A
    local.set $X
    ;; 9: ld #63
    i32.const 63
    local.set $A
    ;; 10: jeq x, L19
    local.get $steps
    i32.const 4
    i32.add
    local.set $steps
    local.get $A
    local.get $X
    i32.eq
    br_if $pc19
    ;; 11: txa
    local.get $X
    local.set $A
    ;; 12: jeq #64, L19
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
    i32.const 64
    i32.eq
    br_if $pc19
    ;; 13: ld [8]
    local.get $in
    i32.load offset=8
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 14: stx M[2]
    local.get $X
    local.set $m2
    ;; 15: ldx M[2]
    local.get $m2
    local.set $X
    ;; 16: ld [12]
    local.get $in
    i32.load offset=12
    local.tee $w
    i32.const 8
    i32.rotl
    i32.const 0xff00ff
    i32.and
    local.get $w
    i32.const 8
    i32.rotr
    i32.const 0xff00ff00
    i32.and
    i32.or
    local.set $A
    ;; 17: and #0xffff0000
    local.get $A
    i32.const 0xffff0000
    i32.and
    local.set $A
    ;; 18: jeq #0, L20
    local.get $steps
    i32.const 6
    i32.add
    local.set $steps
    local.get $A
    i32.const 0
    i32.eq
    br_if $pc20
    end ;; $pc19
    ;; 19: ret #0x7fff0000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x7fff0000
    br $ret
    end ;; $pc20
    ;; 20: ret #0x50001
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x50001
    br $ret
    end ;; $ret
    i32.store
    local.get $stepsOut
    local.get $steps
    i32.store
    local.get $in
    i32.const 64
    i32.add
    local.set $in
    local.get $out
    i32.const 4
    i32.add
    local.set $out
    local.get $stepsOut
    i32.const 4
    i32.add
    local.set $stepsOut
    local.get $n
    i32.const 1
    i32.sub
    local.tee $n
    br_if $next
    end ;; $next
    end ;; $done
  )
  (global (export "heap_base") i32 (i32.const 0))
)
