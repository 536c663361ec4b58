"""The hostile suite's harness: every case is a real process, under a timeout, checked from outside.

A case breaks a copy of the shipped project that has already been published (`World.project`,
its output in `project/dist`), runs one syndicate command in a subprocess whose working folder is
the project, and the suite then checks what a user (or the person whose files sit beside the
project) would notice: the exit status, the located message, no traceback, the previous publish
byte for byte, the files outside the project byte for byte, and that the command ended at all.

Cases live in `hostile_cases_<topic>.py` modules, each with a `CASES` list.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
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


def command_line(case: Case, world: World) -> list[str]:
    places = {"project": world.project, "outside": world.outside, "out": world.project / "dist"}
    words = [word.format(**places) for word in case.command]
    prefix: list[str] = []
    if case.unprivileged and os.geteuid() == 0:
        prefix = ["setpriv", f"--bounding-set={DAC_CAPS}", "--inh-caps=-all", "--"]
    return [*prefix, sys.executable, "-m", "syndicate", *words]


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: still running at the timeout (killed)
    stdout: str
    stderr: str


def run(case: Case, world: World) -> Outcome:
    """The case's command in its own process group, killed whole if it outlives the timeout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE")}
    with subprocess.Popen(
        command_line(case, world), cwd=world.project, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    ) as process:  # fmt: skip
        try:
            out, err = process.communicate(timeout=case.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            return Outcome(None, out, err)
    return Outcome(process.returncode, out, err)
