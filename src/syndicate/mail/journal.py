"""Who got which version of which statement: a SQLite journal in the project's private state
folder (``.syndicate-state/send.sqlite3``, never published, ignored by git).

Each message is recorded as ``sending`` (committed) *before* its SMTP transaction and as ``sent``
or ``failed`` after it, so a kill at any instant loses nobody: a rerun sends what has no row or
failed, and the rows still ``sending`` are the only messages that may have gone out without being
recorded; they are *uncertain*, reported, and sent again only when asked. WAL mode makes each
commit durable against a kill of the process (the operating system keeps the written log);
``synchronous=NORMAL`` skips the fsync of each commit (a power cut may forget the last ones).
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from syndicate.errors import OutputError

STATE_DIR = ".syndicate-state"
JOURNAL = "send.sqlite3"
SENDING, SENT, FAILED = "sending", "sent", "failed"
SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery (
    statement TEXT NOT NULL,
    version TEXT NOT NULL,          -- the statement's last modification (see compose.version)
    address TEXT NOT NULL,          -- casefolded
    lang TEXT NOT NULL,
    list TEXT NOT NULL,
    kind TEXT NOT NULL,             -- ordinary, embargoed or correction
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    message_id TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '', -- the server's last reply (or the error)
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (statement, version, address)
);
"""


@dataclass(frozen=True, slots=True)
class Row:
    address: str
    version: str
    lang: str
    list: str
    kind: str
    state: str
    reply: str


def state_folder(project: Path) -> Path:
    """``.syndicate-state/``, made on first use with a ``.gitignore`` that ignores it all."""
    folder = project / STATE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# syndicate's private state: never commit or publish it\n*\n")
    except OSError as exc:
        raise OutputError(f"{folder}: cannot use the private state folder: {exc}") from None
    return folder


@contextmanager
def sender_lock(project: Path) -> Iterator[None]:
    """One ``send`` at a time per project (two would both see a recipient as missing)."""
    path = state_folder(project) / "send.lock"
    with path.open("a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"{path}: another `syndicate send` is running in this project; "
                              "try again when it has finished") from None
        yield


class Journal:
    """One connection shared by the sending threads (its writes serialized by a lock)."""

    def __init__(self, project: Path) -> None:
        path = state_folder(project) / JOURNAL
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                       timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"{path}: cannot open the send journal: {exc}") from None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise OutputError(f"the send journal: {exc}") from None

    def rows(self, statement: str) -> dict[str, list[Row]]:
        """Every row of a statement (all versions), by address."""
        found: dict[str, list[Row]] = {}
        with self._write() as db:
            cursor = db.execute("SELECT address, version, lang, list, kind, state, reply "
                                "FROM delivery WHERE statement = ?", (statement,))
            for row in cursor:
                found.setdefault(row[0], []).append(Row(*row))
        return found

    def begin(self, statement: str, version: str, address: str, fields: tuple[str, ...],
              message_id: str) -> None:
        """Record a message as in flight (``fields``: lang, list, kind) before sending it."""
        with self._write() as db:
            db.execute(
                "INSERT INTO delivery (statement, version, address, lang, list, kind, state, "
                "message_id, attempts) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?, 1) "
                "ON CONFLICT (statement, version, address) DO UPDATE SET state = 'sending', "
                "lang = excluded.lang, list = excluded.list, kind = excluded.kind, "
                "attempts = attempts + 1",
                (statement, version, address, *fields, message_id))

    def end(self, statement: str, version: str, address: str, state: str, reply: str) -> None:
        with self._write() as db:
            db.execute("UPDATE delivery SET state = ?, reply = ? "
                       "WHERE statement = ? AND version = ? AND address = ?",
                       (state, reply, statement, version, address))
