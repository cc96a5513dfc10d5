;; classic BPF program: 26 instructions; little-endian seccomp_data records of 64 bytes
(module
  (memory (export "memory") 1)
  (func (export "run") (param $in i32) (param $out i32) (param $n i32)
    (local $A i32) (local $X i32)
    block $done
    local.get $n
    i32.eqz
    br_if $done
    loop $next
    i32.const 0
    local.set $A
    i32.const 0
    local.set $X
    local.get $out
    block $ret (result i32)
    block $pc24
    block $pc23
    block $pc22
    block $pc21
    block $pc20
    block $pc19
    block $pc18
    block $pc17
    block $pc16
    block $pc15
    block $pc14
    block $pc13
    block $pc12
    block $pc11
    block $pc10
    block $pc9
    block $pc8
    block $pc7
    block $pc6
    block $pc5
    block $pc3
    ;; 0: ld [4]
    local.get $in
    i32.load offset=4
    local.set $A
    ;; 1: jeq #0xc000003e, L3
    local.get $A
    i32.const 0xc000003e
    i32.eq
    br_if $pc3
    ;; 2: ret #0x80000000
    i32.const 0x80000000
    br $ret
    end ;; $pc3
    ;; 3: ld [0]
    local.get $in
    i32.load
    local.set $A
    ;; 4: jeq #0, L5, L6
    block $tree4
    local.get $A
    i32.const 11
    i32.ge_u
    br_if $tree4
    local.get $A
    i32.load8_u offset=66
    if
    local.get $A
    i32.const 2
    i32.shl
    i32.load
    br $ret
    end
    local.get $A
    br_table $pc5 $pc7 $pc9 $pc11 $pc13 $pc15 $pc17 $pc19 $pc21 $pc23 $pc24 $tree4
    end ;; $tree4
    local.get $A
    i32.const 0
    i32.ne
    br_if $pc6
    end ;; $pc5
    ;; 5: ret #0x7fff0000
    i32.const 0x7fff0000
    br $ret
    end ;; $pc6
    ;; 6: jeq #1, L7, L8
    local.get $A
    i32.const 1
    i32.ne
    br_if $pc8
    end ;; $pc7
    ;; 7: ret #0x7ffc0000
    i32.const 0x7ffc0000
    br $ret
    end ;; $pc8
    ;; 8: jeq #2, L9, L10
    local.get $A
    i32.const 2
    i32.ne
    br_if $pc10
    end ;; $pc9
    ;; 9: ret #0x50002
    i32.const 0x50002
    br $ret
    end ;; $pc10
    ;; 10: jeq #3, L11, L12
    local.get $A
    i32.const 3
    i32.ne
    br_if $pc12
    end ;; $pc11
    ;; 11: ret #0x30005
    i32.const 0x30005
    br $ret
    end ;; $pc12
    ;; 12: jeq #4, L13, L14
    local.get $A
    i32.const 4
    i32.ne
    br_if $pc14
    end ;; $pc13
    ;; 13: ret #0x7ff00007
    i32.const 0x7ff00007
    br $ret
    end ;; $pc14
    ;; 14: jeq #5, L15, L16
    local.get $A
    i32.const 5
    i32.ne
    br_if $pc16
    end ;; $pc15
    ;; 15: ret #0x7fc00000
    i32.const 0x7fc00000
    br $ret
    end ;; $pc16
    ;; 16: jeq #6, L17, L18
    local.get $A
    i32.const 6
    i32.ne
    br_if $pc18
    end ;; $pc17
    ;; 17: ret #0
    i32.const 0
    br $ret
    end ;; $pc18
    ;; 18: jeq #7, L19, L20
    local.get $A
    i32.const 7
    i32.ne
    br_if $pc20
    end ;; $pc19
    ;; 19: ret #0x51388
    i32.const 0x51388
    br $ret
    end ;; $pc20
    ;; 20: jeq #8, L21, L22
    local.get $A
    i32.const 8
    i32.ne
    br_if $pc22
    end ;; $pc21
    ;; 21: ret #0x12340000
    i32.const 0x12340000
    br $ret
    end ;; $pc22
    ;; 22: jeq #9, L23, L24
    local.get $A
    i32.const 9
    i32.ne
    br_if $pc24
    end ;; $pc23
    ;; 23: ret #0x80000000
    i32.const 0x80000000
    br $ret
    end ;; $pc24
    ;; 24: ld #0x50009
    i32.const 0x50009
    local.set $A
    ;; 25: ret a
    local.get $A
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
    (local $A i32) (local $X i32) (local $steps i32)
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
    local.get $out
    block $ret (result i32)
    block $pc24
    block $pc23
    block $pc22
    block $pc21
    block $pc20
    block $pc19
    block $pc18
    block $pc17
    block $pc16
    block $pc15
    block $pc14
    block $pc13
    block $pc12
    block $pc11
    block $pc10
    block $pc9
    block $pc8
    block $pc7
    block $pc6
    block $pc5
    block $pc3
    ;; 0: ld [4]
    local.get $in
    i32.load offset=4
    local.set $A
    ;; 1: jeq #0xc000003e, L3
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
    i32.const 0xc000003e
    i32.eq
    br_if $pc3
    ;; 2: ret #0x80000000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x80000000
    br $ret
    end ;; $pc3
    ;; 3: ld [0]
    local.get $in
    i32.load
    local.set $A
    ;; 4: jeq #0, L5, L6
    block $tree4
    local.get $A
    i32.const 11
    i32.ge_u
    br_if $tree4
    local.get $steps
    local.get $A
    i32.const 1
    i32.shl
    i32.load16_u offset=44
    i32.add
    local.set $steps
    local.get $A
    i32.load8_u offset=66
    if
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 2
    i32.shl
    i32.load
    br $ret
    end
    local.get $A
    br_table $pc5 $pc7 $pc9 $pc11 $pc13 $pc15 $pc17 $pc19 $pc21 $pc23 $pc24 $tree4
    end ;; $tree4
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
    i32.const 0
    i32.ne
    br_if $pc6
    end ;; $pc5
    ;; 5: ret #0x7fff0000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x7fff0000
    br $ret
    end ;; $pc6
    ;; 6: jeq #1, L7, L8
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 1
    i32.ne
    br_if $pc8
    end ;; $pc7
    ;; 7: ret #0x7ffc0000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x7ffc0000
    br $ret
    end ;; $pc8
    ;; 8: jeq #2, L9, L10
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 2
    i32.ne
    br_if $pc10
    end ;; $pc9
    ;; 9: ret #0x50002
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x50002
    br $ret
    end ;; $pc10
    ;; 10: jeq #3, L11, L12
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 3
    i32.ne
    br_if $pc12
    end ;; $pc11
    ;; 11: ret #0x30005
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x30005
    br $ret
    end ;; $pc12
    ;; 12: jeq #4, L13, L14
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 4
    i32.ne
    br_if $pc14
    end ;; $pc13
    ;; 13: ret #0x7ff00007
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x7ff00007
    br $ret
    end ;; $pc14
    ;; 14: jeq #5, L15, L16
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 5
    i32.ne
    br_if $pc16
    end ;; $pc15
    ;; 15: ret #0x7fc00000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x7fc00000
    br $ret
    end ;; $pc16
    ;; 16: jeq #6, L17, L18
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 6
    i32.ne
    br_if $pc18
    end ;; $pc17
    ;; 17: ret #0
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0
    br $ret
    end ;; $pc18
    ;; 18: jeq #7, L19, L20
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 7
    i32.ne
    br_if $pc20
    end ;; $pc19
    ;; 19: ret #0x51388
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x51388
    br $ret
    end ;; $pc20
    ;; 20: jeq #8, L21, L22
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 8
    i32.ne
    br_if $pc22
    end ;; $pc21
    ;; 21: ret #0x12340000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x12340000
    br $ret
    end ;; $pc22
    ;; 22: jeq #9, L23, L24
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 9
    i32.ne
    br_if $pc24
    end ;; $pc23
    ;; 23: ret #0x80000000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x80000000
    br $ret
    end ;; $pc24
    ;; 24: ld #0x50009
    i32.const 0x50009
    local.set $A
    ;; 25: ret a
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
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
  (global (export "heap_base") i32 (i32.const 128))
  (data (i32.const 0) "\00\00\ff\7f\00\00\fc\7f\02\00\05\00\05\00\03\00\07\00\f0\7f\00\00\c0\7f\00\00\00\00\88\13\05\00\00\00\34\12\00\00\00\80\00\00\00\00") ;; tree at 4: return values by A
  (data (i32.const 44) "\02\00\03\00\04\00\05\00\06\00\07\00\08\00\09\00\0a\00\0b\00\0b\00") ;; tree at 4: steps by A
  (data (i32.const 66) "\01\01\01\01\01\01\01\01\01\01\00") ;; tree at 4: A exits by a ret #k
)
