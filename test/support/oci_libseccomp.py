#!/usr/bin/python3
"""
The reference stack for OCI seccomp profiles, for differential tests: turns a Docker/Podman
profile into a libseccomp filter the way the container engines do it, using Debian's
python3-seccomp (run it with /usr/bin/python3).

  1. the engine's profile resolution (moby profiles/seccomp/seccomp_linux.go setupSeccomp,
     containers/common pkg/seccomp): archMap entry of the native arch, includes/excludes by
     arch, capabilities (bounding set) and kernel version, one spec entry per name;
  2. runc's libcontainer/seccomp InitSeccomp + matchCall: actions via getAction, rules whose
     action equals the default skipped, names libseccomp cannot resolve ignored, conditions on a
     repeated argument index split into one rule per condition;
  3. the facts runc's patchbpf needs for its -ENOSYS stub (largest syscall number named in the
     profile per arch), returned as JSON so the test can put the stub in front of the filter.

Input (stdin, JSON): {"profile": {...} or "profileText": "..." (exact u64 values), "native": "x86_64", "caps": [...], "kernel": "6.1",
"optimize": 0|2, "out": "/path/filter.bpf"}. Output (stdout, JSON): {"arches": [...],
"lastSyscalls": {"x86_64": n, ...}, "stub": bool, "ignored": [names], "missing": {arch: [names]}, "rules": n, "ms": build+export time}.
Errors: a message on stderr and exit status 1.
"""
import json
import sys
import time

import seccomp

# SCMP_ARCH_* -> (libseccomp Arch, libseccomp-golang's native string, seccompile's ArchName)
ARCHES = {
    "SCMP_ARCH_X86": (seccomp.Arch.X86, "x86", "x86"),
    "SCMP_ARCH_X86_64": (seccomp.Arch.X86_64, "amd64", "x86_64"),
    "SCMP_ARCH_X32": (seccomp.Arch.X32, "x32", "x32"),
    "SCMP_ARCH_ARM": (seccomp.Arch.ARM, "arm", "arm"),
    "SCMP_ARCH_AARCH64": (seccomp.Arch.AARCH64, "arm64", "aarch64"),
    "SCMP_ARCH_PPC64LE": (seccomp.Arch.PPC64LE, "ppc64le", "ppc64le"),
    "SCMP_ARCH_S390X": (seccomp.Arch.S390X, "s390x", "s390x"),
    "SCMP_ARCH_RISCV64": (seccomp.Arch.RISCV64, "riscv64", "riscv64"),
}
BY_OURS = {ours: scmp for scmp, (_, _, ours) in ARCHES.items()}

OPS = {
    "SCMP_CMP_NE": seccomp.NE,
    "SCMP_CMP_LT": seccomp.LT,
    "SCMP_CMP_LE": seccomp.LE,
    "SCMP_CMP_EQ": seccomp.EQ,
    "SCMP_CMP_GE": seccomp.GE,
    "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}
EPERM = 1
NR_SCMP_ERROR = -1


class AllCaps:
    """The bounding set of a privileged container: every capability."""

    def __contains__(self, cap):
        return True


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def kernel_at_least(current, minimum):
    """moby kernelGreaterEqualThan: only "major.minor" count."""
    cur = [int(x) for x in current.split(".")[:2]]
    want = [int(x) for x in minimum.split(".")[:2]]
    return cur >= want


def resolve_profile(profile, native, caps, kernel):
    """moby setupSeccomp: the engine-level profile -> an OCI runtime-spec LinuxSeccomp."""
    arch_string = ARCHES[BY_OURS[native]][1]
    out = {
        "defaultAction": profile.get("defaultAction", ""),
        "defaultErrnoRet": profile.get("defaultErrnoRet"),
        "architectures": list(profile.get("architectures") or []),
        "flags": profile.get("flags"),
        "syscalls": [],
    }
    if profile.get("architectures") and profile.get("archMap"):
        fail("'architectures' and 'archMap' were specified, use either")
    for entry in profile.get("archMap") or []:
        if entry["architecture"] == BY_OURS[native]:
            out["architectures"].append(entry["architecture"])
            out["architectures"].extend(entry.get("subArchitectures") or [])
            break
    for call in profile.get("syscalls") or []:
        inc = call.get("includes") or {}
        exc = call.get("excludes") or {}
        if arch_string in (exc.get("arches") or []):
            continue
        if any(c in caps for c in exc.get("caps") or []):
            continue
        if exc.get("minKernel") and kernel_at_least(kernel, exc["minKernel"]):
            continue
        if inc.get("arches") and arch_string not in inc["arches"]:
            continue
        if any(c not in caps for c in inc.get("caps") or []):
            continue
        if inc.get("minKernel") and not kernel_at_least(kernel, inc["minKernel"]):
            continue
        names = list(call.get("names") or [])
        if call.get("name"):
            names.append(call["name"])
        for name in names:
            out["syscalls"].append(
                {"names": [name], "action": call["action"], "errnoRet": call.get("errnoRet"), "args": call.get("args") or []}
            )
    return out


def get_action(name, errno_ret):
    """runc seccomp_linux.go getAction (libseccomp-golang SetReturnCode keeps the low 16 bits)."""
    if name in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"):
        return seccomp.KILL
    if name == "SCMP_ACT_KILL_PROCESS":
        return seccomp.KILL_PROCESS
    if name == "SCMP_ACT_ERRNO":
        return seccomp.ERRNO((EPERM if errno_ret is None else errno_ret) & 0xFFFF)
    if name == "SCMP_ACT_TRAP":
        return seccomp.TRAP
    if name == "SCMP_ACT_ALLOW":
        return seccomp.ALLOW
    if name == "SCMP_ACT_TRACE":
        return seccomp.TRACE((EPERM if errno_ret is None else errno_ret) & 0xFFFF)
    if name == "SCMP_ACT_LOG":
        return seccomp.LOG
    if name == "SCMP_ACT_NOTIFY":
        return seccomp.NOTIFY
    fail("invalid action " + name)


def build(spec, native, optimize):
    """runc InitSeccomp + matchCall, then the facts patchbpf's stub is built from."""
    default = get_action(spec["defaultAction"], spec.get("defaultErrnoRet"))
    native_arch = ARCHES[BY_OURS[native]][0]
    filt = seccomp.SyscallFilter(default)
    arches = [BY_OURS[native]]
    for a in spec["architectures"]:
        if a not in ARCHES:
            fail("architecture not supported by this helper: " + a)
        if not filt.exist_arch(ARCHES[a][0]):
            filt.add_arch(ARCHES[a][0])
        if a not in arches:
            arches.append(a)
    if optimize:
        filt.set_attr(seccomp.Attr.CTL_OPTIMIZE, optimize)
    filt.set_attr(seccomp.Attr.CTL_NNP, 0)
    ignored = []
    rules = 0
    for call in spec["syscalls"]:
        name = call["names"][0]
        action = get_action(call["action"], call.get("errnoRet"))
        if action == default:
            continue
        # libseccomp-golang's GetSyscallFromName fails on __NR_SCMP_ERROR (-1); python returns it.
        try:
            nr = seccomp.resolve_syscall(native_arch, name)
        except ValueError:
            nr = NR_SCMP_ERROR
        if nr == NR_SCMP_ERROR:
            ignored.append(name)
            continue
        conds = [(a["index"], OPS[a["op"]], a.get("value", 0), a.get("valueTwo", 0)) for a in call["args"]]
        indexes = [c[0] for c in conds]
        groups = [[c] for c in conds] if len(set(indexes)) != len(indexes) else [conds]
        for group in groups:
            try:
                filt.add_rule(action, nr, *[seccomp.Arg(i, op, v, v2) for (i, op, v, v2) in group])
            except RuntimeError as e:
                fail("error adding seccomp rule for syscall %s (%s): %s" % (name, call["action"], e))
            rules += 1
    # patchbpf findLastSyscalls (newer runc also always counts the native arch)
    last = {}
    for a in arches:
        largest = 0
        for call in spec["syscalls"]:
            try:
                n = seccomp.resolve_syscall(ARCHES[a][0], call["names"][0])
            except ValueError:
                continue
            largest = max(largest, n)
        if largest:
            last[ARCHES[a][2]] = largest
    # Names libseccomp cannot place on an arch (unknown to this version, or absent there).
    missing = {}
    for a in arches:
        out = []
        for call in spec["syscalls"]:
            try:
                n = seccomp.resolve_syscall(ARCHES[a][0], call["names"][0])
            except ValueError:
                n = NR_SCMP_ERROR
            if n < 0:
                out.append(call["names"][0])
        missing[ARCHES[a][2]] = sorted(set(out))
    allowish = spec["defaultAction"] in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE")
    return filt, {
        "arches": [ARCHES[a][2] for a in arches],
        "lastSyscalls": last,
        "stub": not allowish,
        "ignored": ignored,
        "missing": missing,
        "rules": rules,
    }


def main():
    req = json.load(sys.stdin)
    native = req.get("native", "x86_64")
    if native not in BY_OURS:
        fail("native arch not supported by this helper: " + native)
    profile = json.loads(req["profileText"]) if "profileText" in req else req["profile"]
    caps = set(req.get("caps") or [])
    if "ALL" in caps:
        caps = AllCaps()
    spec = resolve_profile(profile, native, caps, req.get("kernel", "6.1"))
    if spec["defaultAction"] == "SCMP_ACT_NOTIFY":
        fail("SCMP_ACT_NOTIFY cannot be used as default action")
    t0 = time.perf_counter()
    filt, info = build(spec, native, int(req.get("optimize", 0)))
    with open(req["out"], "wb") as f:
        filt.export_bpf(f)
    info["ms"] = (time.perf_counter() - t0) * 1000
    json.dump(info, sys.stdout)


if __name__ == "__main__":
    main()
