#!/usr/bin/env python3
"""mdwe.py PROGRAM [ARGS...]: runs PROGRAM with the kernel's memory-deny-write-execute rule (Linux 6.3 and later).

prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) refuses any mapping that is writable and executable and any change
that makes memory executable, from here on and across execve: the rule systemd's MemoryDenyWriteExecute= applies
with a seccomp filter. The release check runs the Native AOT binary through it (tests/aot-gate/aot_gate.py
--runner) to show that the unit's MemoryDenyWriteExecute=true does not break the node.
"""
import ctypes
import os
import sys

PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.exit(f"mdwe.py: prctl(PR_SET_MDWE) failed: {os.strerror(ctypes.get_errno())} (Linux 6.3 or later is needed)")
os.execv(sys.argv[1], sys.argv[1:])
