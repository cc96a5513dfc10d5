#!/usr/bin/python3
"""Builds a filter with libseccomp (Debian's python3-seccomp) for bench/compile.bench.ts.

stdin: JSON {"optimize": 1|2, "default": ACTION, "badArch": ACTION,
             "sections": [{"arch": name, "rules": [{"syscall": name, "action": ACTION,
                                                      "args": [[index, op, a, b], ...]}]}]}
       Each section is built as a one-arch filter, then merged (SyscallFilter.merge), so a rule
       applies exactly on the arches whose section lists it.
       ACTION: {"kind": "allow"|"errno"|"kill_process"|"kill_thread"|"trap"|"trace"|"log"|"user_notif", ...}
argv[1]: where to write the filter (export_bpf: raw struct sock_filter[], host byte order).
stdout: JSON {"ms": build+export time in milliseconds, "unsupported": [rules libseccomp refused]}.
"""
import json
import sys
import time

import seccomp as s

OPS = {"eq": s.EQ, "ne": s.NE, "lt": s.LT, "le": s.LE, "gt": s.GT, "ge": s.GE, "masked_eq": s.MASKED_EQ}
ARCHES = {"x86_64": s.Arch.X86_64, "x86": s.Arch.X86, "x32": s.Arch.X32, "aarch64": s.Arch.AARCH64, "arm": s.Arch.ARM}


def action(a):
    k = a["kind"]
    if k == "allow":
        return s.ALLOW
    if k == "errno":
        return s.ERRNO(a["errno"])
    if k == "kill_process":
        return s.KILL_PROCESS
    if k == "kill_thread":
        return s.KILL
    if k == "trap":
        return s.TRAP
    if k == "trace":
        return s.TRACE(a["data"])
    if k == "log":
        return s.LOG
    if k == "user_notif":
        return s.NOTIFY
    raise ValueError(k)


def main():
    spec = json.load(sys.stdin)
    t0 = time.perf_counter()
    unsupported = []
    merged = None
    for section in spec["sections"]:
        f = s.SyscallFilter(action(spec["default"]))
        f.set_attr(s.Attr.ACT_BADARCH, action(spec["badArch"]))
        f.set_attr(s.Attr.CTL_OPTIMIZE, spec["optimize"])
        arch = ARCHES[section["arch"]]
        if (arch & 0xFFFFFFFF) != s.system_arch():  # Arch.* are signed, system_arch() unsigned
            f.add_arch(arch)
            f.remove_arch(s.Arch.NATIVE)
        for r in section["rules"]:
            args = [s.Arg(i, OPS[op], a, b) for (i, op, a, b) in r["args"]]
            try:
                f.add_rule(action(r["action"]), r["syscall"], *args)
            except Exception as e:  # e.g. a name libseccomp does not know on this arch
                unsupported.append("%s/%s: %s" % (section["arch"], r["syscall"], e))
        if merged is None:
            merged = f
        else:
            merged.merge(f)
    f = merged
    with open(sys.argv[1], "wb") as out:
        f.export_bpf(out)
    ms = (time.perf_counter() - t0) * 1000
    json.dump({"ms": ms, "unsupported": unsupported}, sys.stdout)


main()
