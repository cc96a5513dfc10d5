;; classic BPF program: 21 instructions; little-endian seccomp_data records of 64 bytes
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
    block $pc20
    block $pc19
    block $pc18
    block $pc14
    block $pc10
    block $pc4
    ;; 0: ld [4]
    local.get $in
    i32.load offset=4
    local.set $A
    ;; 1: jeq #0xc000003e, L4
    local.get $A
    i32.const 0xc000003e
    i32.eq
    br_if $pc4
    ;; 2: jeq #0x40000003, L14
    local.get $A
    i32.const 0x40000003
    i32.eq
    br_if $pc14
    ;; 3: ret #0x80000000
    i32.const 0x80000000
    br $ret
    end ;; $pc4
    ;; 4: ld [0]
    local.get $in
    i32.load
    local.set $A
    ;; 5: jge #0x40000000, L10
    block $tree5
    local.get $A
    i32.const 61
    i32.ge_u
    br_if $tree5
    local.get $A
    i32.const 2
    i32.shl
    i32.load
    br $ret
    end ;; $tree5
    local.get $A
    i32.const 0x40000000
    i32.ge_u
    br_if $pc10
    ;; 6: jeq #0, L19
    local.get $A
    i32.const 0
    i32.eq
    br_if $pc19
    ;; 7: jeq #1, L19
    local.get $A
    i32.const 1
    i32.eq
    br_if $pc19
    ;; 8: jeq #59, L18
    local.get $A
    i32.const 59
    i32.eq
    br_if $pc18
    ;; 9: ja L20
    br $pc20
    end ;; $pc10
    ;; 10: jeq #0x40000000, L19
    local.get $A
    i32.const 0x40000000
    i32.eq
    br_if $pc19
    ;; 11: jeq #0x40000001, L19
    local.get $A
    i32.const 0x40000001
    i32.eq
    br_if $pc19
    ;; 12: jeq #0x40000208, L18
    local.get $A
    i32.const 0x40000208
    i32.eq
    br_if $pc18
    ;; 13: ja L20
    br $pc20
    end ;; $pc14
    ;; 14: ld [0]
    local.get $in
    i32.load
    local.set $A
    ;; 15: jeq #3, L19
    local.get $A
    i32.const 3
    i32.eq
    br_if $pc19
    ;; 16: jeq #4, L19
    local.get $A
    i32.const 4
    i32.eq
    br_if $pc19
    ;; 17: jeq #11, L18, L20
    local.get $A
    i32.const 11
    i32.ne
    br_if $pc20
    end ;; $pc18
    ;; 18: ret #0
    i32.const 0
    br $ret
    end ;; $pc19
    ;; 19: ret #0x7fff0000
    i32.const 0x7fff0000
    br $ret
    end ;; $pc20
    ;; 20: ret #0x50026
    i32.const 0x50026
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
    block $pc20
    block $pc19
    block $pc18
    block $pc14
    block $pc10
    block $pc4
    ;; 0: ld [4]
    local.get $in
    i32.load offset=4
    local.set $A
    ;; 1: jeq #0xc000003e, L4
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
    i32.const 0xc000003e
    i32.eq
    br_if $pc4
    ;; 2: jeq #0x40000003, L14
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 0x40000003
    i32.eq
    br_if $pc14
    ;; 3: ret #0x80000000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x80000000
    br $ret
    end ;; $pc4
    ;; 4: ld [0]
    local.get $in
    i32.load
    local.set $A
    ;; 5: jge #0x40000000, L10
    block $tree5
    local.get $A
    i32.const 61
    i32.ge_u
    br_if $tree5
    local.get $steps
    local.get $A
    i32.const 1
    i32.shl
    i32.load16_u offset=244
    i32.add
    local.set $steps
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 2
    i32.shl
    i32.load
    br $ret
    end ;; $tree5
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
    i32.const 0x40000000
    i32.ge_u
    br_if $pc10
    ;; 6: jeq #0, L19
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 0
    i32.eq
    br_if $pc19
    ;; 7: jeq #1, L19
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 1
    i32.eq
    br_if $pc19
    ;; 8: jeq #59, L18
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 59
    i32.eq
    br_if $pc18
    ;; 9: ja L20
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    br $pc20
    end ;; $pc10
    ;; 10: jeq #0x40000000, L19
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 0x40000000
    i32.eq
    br_if $pc19
    ;; 11: jeq #0x40000001, L19
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 0x40000001
    i32.eq
    br_if $pc19
    ;; 12: jeq #0x40000208, L18
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 0x40000208
    i32.eq
    br_if $pc18
    ;; 13: ja L20
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    br $pc20
    end ;; $pc14
    ;; 14: ld [0]
    local.get $in
    i32.load
    local.set $A
    ;; 15: jeq #3, L19
    local.get $steps
    i32.const 2
    i32.add
    local.set $steps
    local.get $A
    i32.const 3
    i32.eq
    br_if $pc19
    ;; 16: jeq #4, L19
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 4
    i32.eq
    br_if $pc19
    ;; 17: jeq #11, L18, L20
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    local.get $A
    i32.const 11
    i32.ne
    br_if $pc20
    end ;; $pc18
    ;; 18: ret #0
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0
    br $ret
    end ;; $pc19
    ;; 19: ret #0x7fff0000
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x7fff0000
    br $ret
    end ;; $pc20
    ;; 20: ret #0x50026
    local.get $steps
    i32.const 1
    i32.add
    local.set $steps
    i32.const 0x50026
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
  (global (export "heap_base") i32 (i32.const 448))
  (data (i32.const 0) "\00\00\ff\7f\00\00\ff\7f\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\26\00\05\00\00\00\00\00\26\00\05\00") ;; tree at 5: return values by A
  (data (i32.const 244) "\03\00\04\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\06\00\05\00\06\00") ;; tree at 5: steps by A
  (data (i32.const 366) "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01") ;; tree at 5: A exits by a ret #k
)
