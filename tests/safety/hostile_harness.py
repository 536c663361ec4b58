"""The hostile suite's harness: every case is a real process, under a timeout, checked from outside.

A case breaks a copy of the shipped project that has already been published (`World.project`,
its output in `project/dist`), runs one syndicate command in a process of its own whose working
folder is the project (forked, as `python -m syndicate` would run it, from a process that has
imported syndicate once per test worker: see `hostile_starter`), and the suite then checks
what a user (or the person whose files sit beside the project) would notice: the exit status,
the located message, no traceback, the previous publish byte for byte, the files outside the
project byte for byte, and that the command ended at all.

Cases live in `hostile_cases_<topic>.py` modules, each with a `CASES` list.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import locale
import os
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conftest import REPO, SHIPPED_ID

NOW = "2026-12-01T12:00:00+00:00"
S = f"statements/{SHIPPED_ID}"
PUBLISH = ("publish", "--now", NOW, "--jobs", "1")
CHECK = ("check",)

# A problem line: `path: message` or `path:line: message` (a path holds no blank).
LOCATED = r"^[^\s:][^:]*(:\d+)?: \S"

# Capabilities that let root ignore file permission bits; dropped for `unprivileged` cases.
DAC_CAPS = "-dac_override,-dac_read_search"


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[World], None]
    expect: tuple[str, ...]  # regular expressions; each must match (re.search) a line of stderr
    exit: int = 1
    command: tuple[str, ...] = PUBLISH  # after `python -m syndicate`; {project} {outside} {out}
    needs: str = ""  # "root": mounts and the like; skipped, with the reason, for other users
    unprivileged: bool = False  # as root: without the capabilities that bypass permission bits
    timeout: float = 60.0
    # What a reader of the output would find wrong once the command ended (a publish that
    # succeeds): one line per problem, none when all is well.
    after: Callable[[World], list[str]] | None = None


@dataclass
class World:
    """One case's surroundings: the published project and someone else's files beside it."""

    project: Path
    outside: Path
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def path(self, rel: str) -> Path:
        return self.project / rel

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.path(rel)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} does not contain {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def later(self, cleanup: Callable[[], None]) -> None:
        self.cleanups.append(cleanup)

    def mount_tmpfs(self, rel: str, kib: int) -> Path:
        """A small file system at `rel` (root only), unmounted when the case ends."""
        path = self.path(rel)
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(path)],
                       check=True)  # fmt: skip
        self.later(lambda: subprocess.run(["umount", "-l", str(path)], check=False))
        return path

    def close(self) -> None:
        for cleanup in reversed(self.cleanups):
            cleanup()
        self.cleanups.clear()


def published_project(root: Path) -> Path:
    """A copy of the shipped project, published once (the state every case starts from)."""
    project = root / "project"
    project.mkdir(parents=True)
    shutil.copy(REPO / "syndicate.toml", project / "syndicate.toml")
    shutil.copytree(REPO / "statements", project / "statements")
    shutil.copytree(REPO / "locales", project / "locales", ignore=shutil.ignore_patterns("*.mo"))
    result = subprocess.run(
        [sys.executable, "-m", "syndicate", *PUBLISH, "--quiet"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return project


def make_world(base: Path, root: Path) -> World:
    """The published project copied (links as links) beside a folder of someone else's files."""
    project = root / "project"
    shutil.copytree(base, project, symlinks=True)
    outside = root / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("someone else's secret\n", encoding="utf-8")
    (outside / "folder" / "file.txt").write_text("someone else's file\n", encoding="utf-8")
    return World(project=project, outside=outside)


def snapshot(top: Path) -> dict[str, str]:
    """Every entry below `top` (not following links): a file's mode and SHA-256, a link's target."""
    found: dict[str, str] = {}
    for path in _walk(top):
        info = path.lstat()
        name = path.relative_to(top).as_posix()
        if stat.S_ISLNK(info.st_mode):
            found[name] = f"link -> {os.readlink(path)}"
        elif stat.S_ISREG(info.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[name] = f"file {stat.S_IMODE(info.st_mode):o} {digest}"
        else:
            found[name] = f"{stat.S_IFMT(info.st_mode):o} {stat.S_IMODE(info.st_mode):o}"
    return found


def _walk(top: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        yield Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))


def published(project: Path) -> dict[str, str]:
    """The publish a web server serves: where `dist` points, and every file there."""
    dist = project / "dist"
    if not dist.is_symlink():
        return {"dist": "not a link"}
    return {"dist": os.readlink(dist)} | snapshot(dist.resolve())


def words_of(case: Case, world: World) -> list[str]:
    """The case's command's words after ``python -m syndicate``, its places filled in."""
    places = {"project": world.project, "outside": world.outside, "out": world.project / "dist"}
    return [word.format(**places) for word in case.command]


def drops_capabilities(case: Case) -> bool:
    """Whether the case's command runs without the capabilities that let root read anything
    (``setpriv``, in a new interpreter): an unprivileged case run as root."""
    return case.unprivileged and os.geteuid() == 0


def command_line(case: Case, world: World) -> list[str]:
    words = words_of(case, world)
    prefix: list[str] = []
    if drops_capabilities(case):
        prefix = ["setpriv", f"--bounding-set={DAC_CAPS}", "--inh-caps=-all", "--"]
    return [*prefix, sys.executable, "-m", "syndicate", *words]


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: still running at the timeout (killed)
    stdout: str
    stderr: str


def case_environment() -> dict[str, str]:
    """The environment every case's command runs in: this one without syndicate's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE")}


def run(case: Case, world: World, starter: Starter | None = None) -> Outcome:
    """The case's command in its own process group, killed whole if it outlives the timeout:
    forked by ``starter`` (see :mod:`hostile_starter`), or started as a new ``python -m
    syndicate`` where the case drops capabilities first (``setpriv``) or there is none."""
    if starter is not None and not drops_capabilities(case):
        return starter.run(words_of(case, world), world.project, case.timeout)
    with subprocess.Popen(
        command_line(case, world), cwd=world.project, env=case_environment(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    ) as process:  # fmt: skip
        try:
            out, err = process.communicate(timeout=case.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            return Outcome(None, out, err)
    return Outcome(process.returncode, out, err)


class Starter:
    """This test worker's :mod:`hostile_starter` process, which forks each case's command
    from a process that has imported syndicate already."""

    def __init__(self) -> None:
        self.last = 0  # the pid of the last command's process
        self._start()

    def _start(self) -> None:
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("hostile_starter.py")),
                 str(theirs.fileno())],
                pass_fds=[theirs.fileno()], env=case_environment(), stdin=subprocess.DEVNULL)

    def run(self, words: list[str], cwd: Path, timeout: float) -> Outcome:
        """``python -m syndicate WORDS`` in ``cwd``, as :func:`run` says. Should anything
        go wrong here, the starter is replaced (its answers would be out of step)."""
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        outputs, pending = {out_r: bytearray(), err_r: bytearray()}, {out_r, err_r}
        self.last = 0  # (until the starter says this command's pid)
        try:
            try:
                request = json.dumps({"words": words, "cwd": str(cwd)}).encode()
                socket.send_fds(self.sock, [request], [out_w, err_w])
            finally:
                os.close(out_w)
                os.close(err_w)
            deadline = time.monotonic() + timeout
            self.last = self._answer("pid", None) or 0
            status = (self._answer("status", deadline)
                      if _read_all(outputs, pending, deadline) else None)
            if status is None:  # (still running at the deadline)
                with contextlib.suppress(ProcessLookupError):  # (it ended meanwhile)
                    os.killpg(self.last, signal.SIGKILL)
                _read_all(outputs, pending, None)
                self._answer("status", None)
        except BaseException:  # (the command's processes killed, and a new starter)
            if self.last:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.last, signal.SIGKILL)
            self.close()
            self._start()
            raise
        finally:
            for fd in pending:
                os.close(fd)
        out, err = (_text(bytes(outputs[fd])) for fd in (out_r, err_r))
        return Outcome(status, out, err)

    def _answer(self, kind: str, deadline: float | None) -> int | None:
        """The starter's next answer, of ``kind`` ("pid", "status"); None if the ``deadline``
        (``time.monotonic``) came first."""
        # (a timeout of 0 would make the socket non-blocking: at least a millisecond)
        self.sock.settimeout(None if deadline is None
                             else max(deadline - time.monotonic(), 0.001))
        try:
            message = self.sock.recv(64).decode()
        except TimeoutError:
            return None
        said, _, number = message.partition(" ")
        if said != kind or not number.lstrip("-").isdigit():
            raise RuntimeError(f"the hostile starter said {message!r} for its {kind}"
                               if message else "the hostile starter has ended")
        value = int(number)
        assert kind != "pid" or value > 1, message  # (never a group of all processes)
        return value

    def close(self) -> None:
        self.sock.close()  # (the starter ends when it reads the end of the socket)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _read_all(outputs: dict[int, bytearray], pending: set[int], deadline: float | None) -> bool:
    """Read each descriptor of ``pending`` to its end into its buffer in ``outputs``, closing
    it and taking it out of ``pending``; False if the ``deadline`` (``time.monotonic``) came
    first (the rest left open, and in ``pending``)."""
    with selectors.DefaultSelector() as selector:
        for fd in pending:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    outputs[key.fd] += chunk
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
                    pending.discard(key.fd)
    return True


def _text(data: bytes) -> str:
    """What ``subprocess`` with ``text=True`` makes of a program's output."""
    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace(
        "\r", "\n")
