"""Memory and process cgroups for one worker's jobs: the kernel itself counts and caps them.

A memory cgroup counts everything a job allocates, shared memory, memfds and tmpfs pages (its
working folder) included, and the kernel stops the job at the cap without a watcher's delay; a
pids cgroup stops a fork bomb at its cap. Both are made below the grader's own cgroup (v1 or v2)
where the OS lets us; where it does not, ``create`` says so and the monitor counts instead.
"""
from __future__ import annotations

import itertools
import os
import signal
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PREFIX = "grader-"


def _own_paths() -> dict[str, str]:
    """controller -> our cgroup path, from /proc/self/cgroup ('' key: the v2 hierarchy)."""
    out = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                out[c] = path
    except OSError:
        pass
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_members(path: Path) -> None:
    for _ in range(50):
        try:
            members = [int(x) for x in (path / "cgroup.procs").read_text().split()]
        except OSError:
            return
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _pid_namespace() -> str:
    """Our PID namespace's inode: a process id means something only within its namespace, and the
    cgroup tree can be shared by graders in several (containers, sandboxes): a grader in another one
    took a running grader's cgroups for a dead one's and removed them, mid-batch."""
    try:
        return os.readlink("/proc/self/ns/pid").split("[")[-1].rstrip("]")
    except OSError:
        return "0"


_SERIAL = itertools.count()


def _name(slot: int) -> str:
    """Unique per engine, not only per process: two engines of one process (a `grader check` run
    inside a process that grades, as a test does) shared "grader-<pid>-0", and the first to close
    removed the other's cgroups under its running jobs."""
    return f"{PREFIX}{_pid_namespace()}-{os.getpid()}-{next(_SERIAL)}-{slot}"


def collect_leftovers(parent: Path) -> None:
    """Cgroups of graders that are gone (killed before they could clean up), of our own PID
    namespace only (``_pid_namespace``)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    ns = _pid_namespace()
    for name in names:
        fields = name[len(PREFIX):].split("-")
        if len(fields) < 3 or fields[0] != ns:
            continue
        pid = fields[1]
        if name.startswith(PREFIX) and pid.isdigit() and not _alive(int(pid)):
            _kill_members(parent / name)
            try:
                os.rmdir(parent / name)
            except OSError:
                pass


@dataclass
class JobCgroups:
    memory: Path | None
    pids: Path | None
    v2: bool
    oom_seen: int = 0

    @classmethod
    def create(cls, slot: int, memory_mb: int, max_processes: int) -> tuple["JobCgroups | None", list[str]]:
        name = _name(slot)
        own = _own_paths()
        if "" in own and len(own) == 1 or (ROOT / "cgroup.controllers").exists():
            parent = ROOT / own.get("", "/").lstrip("/")
            collect_leftovers(parent)
            try:
                ctl = (parent / "cgroup.subtree_control")
                ctl.write_text("+memory +pids")
                path = parent / name
                path.mkdir(exist_ok=True)
                (path / "memory.max").write_text(str(memory_mb * 2**20))
                if (path / "memory.swap.max").exists():
                    (path / "memory.swap.max").write_text("0")
                (path / "pids.max").write_text(str(max_processes))
                return cls(path, path, True), []
            except OSError as exc:
                return None, [f"memory: no memory cgroup ({exc.strerror}); the grader counts memory itself "
                              f"every 0.1 s (resident memory, memfds, the job folder, the machine's kernel memory)"]
        made: dict[str, Path] = {}
        notes = []
        for controller in ("memory", "pids"):
            if controller not in own or not (ROOT / controller / "cgroup.procs").exists():
                continue
            parent = ROOT / controller / own[controller].lstrip("/")
            collect_leftovers(parent)
            try:
                path = parent / name
                path.mkdir(exist_ok=True)
                if controller == "memory":
                    (path / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
                    try:
                        (path / "memory.memsw.limit_in_bytes").write_text(str(memory_mb * 2**20))
                    except OSError:
                        pass
                else:
                    (path / "pids.max").write_text(str(max_processes))
                made[controller] = path
            except OSError as exc:
                what = ("the grader counts memory itself every 0.1 s (private memory, memfds, the job folder, "
                        "the machine's kernel memory)"
                        if controller == "memory" else "the grader counts processes itself every 0.1 s")
                notes.append(f"{controller}: no {controller} cgroup ({exc.strerror}); {what}")
        if not made:
            return None, notes or ["memory: no cgroups on this machine; the grader counts memory and processes "
                                   "itself every 0.1 s"]
        if "memory" not in made:
            notes.append("memory: no memory cgroup; the grader counts memory itself every 0.1 s")
        return cls(made.get("memory"), made.get("pids"), False), notes

    def enter(self, pid: int) -> None:
        """Put a job in before it runs any student code."""
        for path in {self.memory, self.pids} - {None}:
            (path / "cgroup.procs").write_text(str(pid))

    def oom_kills(self) -> int:
        """How many processes the kernel killed at this cgroup's memory cap so far."""
        if self.memory is None:
            return 0
        try:
            text = (self.memory / ("memory.events" if self.v2 else "memory.oom_control")).read_text()
        except OSError:
            return 0
        fields = dict(line.split()[:2] for line in text.splitlines() if len(line.split()) >= 2)
        try:
            return int(fields.get("oom_kill", 0))
        except ValueError:
            return 0

    def hit_memory_cap(self) -> bool:
        """Did the kernel stop the last job at the memory cap? (Call once after each job.)"""
        n = self.oom_kills()
        hit, self.oom_seen = n > self.oom_seen, n
        return hit

    def usage(self) -> int:
        if self.memory is None:
            return 0
        name = "memory.current" if self.v2 else "memory.usage_in_bytes"
        try:
            return int((self.memory / name).read_text())
        except (OSError, ValueError):
            return 0

    def empty(self) -> None:
        for path in {self.memory, self.pids} - {None}:
            _kill_members(path)

    def remove(self) -> None:
        for path in {self.memory, self.pids} - {None}:
            _kill_members(path)
            try:
                os.rmdir(path)
            except OSError:
                pass
