"""Exactly once under SIGKILL: `send` to 2,000 recipients killed 20 times at varied moments (the
first ones during start-up, the others after the server got 1 to 150 more messages), then
resumed: everyone received the statement, and the only duplicates are messages reported
uncertain."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import mailkit
from mailkit import NOW, SID, Server

certificate, published, make_project = mailkit.certificate, mailkit.published, mailkit.make_project
plain_server = mailkit.plain_server

RECIPIENTS = 2000
# 0: killed 0.3 s after start (loading, planning, opening the journal); n: after n more messages
KILLS = (0, 1, 3, 10, 25, 50, 0, 75, 100, 5, 150, 2, 40, 120, 60, 8, 90, 30, 15, 70)
UNCERTAIN = re.compile(r":\d+: warning: (\S+): uncertain")


def command(project: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "syndicate", "send", SID, "--project", str(project),
            "--list", "big", "--now", NOW, "-q", *flags]


def kill_after(project: Path, server: Server, offset: int) -> None:
    start = server.inbox.count()
    process = subprocess.Popen(command(project), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    if offset == 0:
        time.sleep(0.3)
    while offset and server.inbox.count() < start + offset and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_killed_sends_resume_without_losing_anyone(plain_server: Server,
                                                   make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server, attach="link", connections=2)
    rows = [f"r{n:04d}@example.org,Reader {n},{('pt', 'en', 'pt-BR', 'en-US')[n % 4]},,no"
            for n in range(RECIPIENTS)]
    (project / "lists" / "big.csv").write_text("address,name,language,tags,accredited\n"
                                               + "\n".join(rows) + "\n")
    for offset in KILLS:
        kill_after(project, plain_server, offset)
    killed_at = plain_server.inbox.count()
    assert 0 < killed_at < RECIPIENTS

    resumed = subprocess.run(command(project), capture_output=True, text=True, timeout=120)
    assert "Traceback" not in resumed.stderr
    uncertain = set(UNCERTAIN.findall(resumed.stderr))
    assert resumed.returncode == (1 if uncertain else 0), resumed.stderr
    assert len(uncertain) <= 2 * len(KILLS)  # at most one in flight per connection per kill
    final = subprocess.run(command(project, "--resend-uncertain"), capture_output=True,
                           text=True, timeout=120)
    assert final.returncode == 0, final.stderr

    received = Counter(r for m in plain_server.inbox.messages for r in m.recipients)
    assert set(received) == {f"r{n:04d}@example.org" for n in range(RECIPIENTS)}
    duplicates = {address for address, times in received.items() if times > 1}
    assert duplicates <= uncertain
    assert all(times <= 2 for times in received.values())
    status = subprocess.run(command(project, "--status"), capture_output=True, text=True,
                            env={**os.environ}, timeout=60)
    counts = re.findall(r"^big\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", status.stdout, re.M)
    assert sum(int(sent) for _, sent, *_ in counts) == RECIPIENTS
    assert all(rest == ["0", "0", "0"] for _, _, *rest in counts)
