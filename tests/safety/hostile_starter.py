"""A process that imports syndicate once and forks a process for each hostile case.

Started once per test worker (`Starter`), single-threaded, with the environment every case gets.
For each case it is sent the command's words, its working folder and the two descriptors its
output goes to; it forks, and the child does what ``python -m syndicate WORDS`` does from there:
a new session (the harness kills its whole group after the case's timeout), its working
folder first on ``sys.path``, ``sys.argv`` as ``-m`` sets it, standard input from /dev/null,
and ``syndicate/__main__.py`` run as ``__main__``; its exit status is the one the harness
gets. What it skips is the interpreter's start and syndicate's imports: about a quarter of a
second a case, half of a case's time (figures: ``benchmarks/notes.md``).

What still differs from a new interpreter: the child has the starter's hash seed and the
modules it imported (a module in the project's folder cannot stand in for one of them), and its
objects are not torn down at its end (a file it left open and unflushed stays so); syndicate's
own end (`cli.base.run`) skips the teardown too.

The protocol, in messages on a Unix socket: the harness sends a JSON object (``words``,
``cwd``) with the two descriptors; the starter answers ``pid N`` for the child, then ``status
N`` once the child has ended (its exit status as :attr:`subprocess.Popen.returncode` has it).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from typing import NoReturn


def serve(sock: socket.socket) -> None:
    """Fork a child for each request on ``sock`` until the harness closes it."""
    while True:
        message, fds, _flags, _address = socket.recv_fds(sock, 1 << 16, 2)
        if not message:
            return
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(request["words"], request["cwd"], fds)
        for fd in fds:
            os.close(fd)
        sock.send(f"pid {pid}".encode())
        _, status = os.waitpid(pid, 0)
        sock.send(f"status {os.waitstatus_to_exitcode(status)}".encode())


def _child(words: list[str], cwd: str, fds: list[int]) -> NoReturn:
    """Become ``python -m syndicate WORDS`` in ``cwd``, writing to ``fds``; never returns."""
    import atexit
    import runpy

    status: object = 1
    try:
        os.setsid()
        os.chdir(cwd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (null, *fds):
            os.close(fd)
        sys.path[0] = os.getcwd()
        sys.argv = ["-m", *words]  # (runpy puts the module's file first, as -m does)
        runpy.run_module("syndicate", run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as done:
        status = done.code
    except BaseException:  # as the interpreter says what ended it
        sys.excepthook(*sys.exc_info())
        status = 1
    if status is not None and not isinstance(status, int):
        sys.stderr.write(f"{status}\n")
        status = 1
    threading._shutdown()  # type: ignore[attr-defined]  # (then its exit handlers, as Python)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status or 0)


if __name__ == "__main__":
    # Imported once here: what every case's command imports first.
    import syndicate.cli  # noqa: F401
    import syndicate.inputs  # noqa: F401

    serve(socket.socket(fileno=int(sys.argv[1])))
