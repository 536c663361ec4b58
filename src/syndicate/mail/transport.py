"""SMTP as operators run it: STARTTLS or implicit TLS, AUTH from the environment, a rate limit,
several connections (threads), retries with back-off for temporary (4xx) failures and lost
connections, none for permanent (5xx) ones, and optional DKIM signing (dkimpy).

Each message is journaled ``sending`` before its transaction and ``sent``/``failed`` after it
(see :mod:`syndicate.mail.journal`). A recipient refused does not stop the others; a server that
cannot be reached or refuses the credentials stops the send, leaving the rest pending.
"""

from __future__ import annotations

import ipaddress
import queue
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from syndicate.errors import SyndicateError
from syndicate.mail.journal import FAILED, SENT, Journal
from syndicate.mail.settings import USER_VARIABLE, Credentials, MailSettings

PENDING, UNCERTAIN = "pending", "uncertain"
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"content-language",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version",
                  b"content-type", b"reply-to")


class Unreachable(SyndicateError):
    """The server cannot be reached, refuses TLS or the credentials: nothing more can go."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: its journal key and fields, and how to make its bytes."""

    statement: str
    version: str
    address: str  # as on the list (the journal keeps it casefolded)
    fields: tuple[str, str, str]  # lang, list, kind
    message_id: str
    render: Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Result:
    outgoing: Outgoing
    state: str  # sent, failed or pending
    reply: str


class InFlight(Exception):
    """The connection was lost after the message was handed over, before the server's reply:
    it may have been delivered. Never retried on its own (the journal keeps it uncertain)."""


class Reply(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code


def _said(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else text


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Signer:
    """DKIM signatures (RSA-SHA256, relaxed/relaxed) with the key file of ``[mail] dkim_key``."""

    def __init__(self, key: Path, selector: str, domain: str) -> None:
        """Raises ValueError when ``key`` is not a PEM RSA private key (PKCS#1 or #8)."""
        import dkim.crypto

        self.key = key.read_bytes()
        self.selector, self.domain = selector.encode(), domain.encode()
        try:
            dkim.crypto.parse_pem_private_key(self.key)
        except dkim.crypto.UnparsableKeyError as exc:
            reason = " ".join(str(exc).split())
            raise ValueError(f"{key.name} is not a PEM RSA private key ({reason})") from None

    def sign(self, message: bytes) -> bytes:
        import dkim

        signature: bytes = dkim.sign(message, self.selector, self.domain, self.key,
                                     canonicalize=(b"relaxed", b"relaxed"),
                                     include_headers=list(SIGNED_HEADERS))
        return signature + message


class Pacer:
    """At most ``rate`` messages per second over every connection (0: no limit)."""

    def __init__(self, rate: int) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next)
            self.next = slot + self.interval
        time.sleep(max(0.0, slot - now))


class Connection:
    """One SMTP session, opened on first use and again after it is lost."""

    def __init__(self, settings: MailSettings, credentials: Credentials | None) -> None:
        self.settings = settings
        self.credentials = credentials
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        s = self.settings
        context = ssl.create_default_context()  # the system's authorities, then cafile's too
        if s.cafile is not None:
            context.load_verify_locations(cafile=s.cafile)
        if s.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                 context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            self._start(smtp, context)
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return smtp

    def _start(self, smtp: smtplib.SMTP, context: ssl.SSLContext) -> None:
        where = f"{self.settings.host}:{self.settings.port}"
        try:
            if self.settings.security == "starttls":
                try:
                    smtp.starttls(context=context)
                except smtplib.SMTPNotSupportedError:
                    raise Unreachable(f"{where} does not offer STARTTLS ([mail] security)"
                                      ) from None
            self._login(smtp)
        except smtplib.SMTPAuthenticationError as exc:
            raise Unreachable(f"{where} refused the credentials: {exc.smtp_code} "
                              f"{_said(exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            raise Unreachable(f"{where} does not offer AUTH (unset {USER_VARIABLE} to send "
                              "without logging in)") from None
        except ssl.SSLError as exc:
            raise Unreachable(f"{where}: TLS failed: {exc.reason or exc}") from None

    def _login(self, smtp: smtplib.SMTP) -> None:
        if self.credentials is None:
            return
        if self.settings.security == "none" and not _loopback(self.settings.host):
            raise Unreachable(f"{self.settings.host}: refusing to send the password unencrypted "
                              "(set [mail] security to starttls or tls)")
        smtp.login(self.credentials.user, self.credentials.password)

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
            self.smtp = None

    def quit(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.drop()

    def transact(self, sender: str, recipient: str, data: bytes) -> str:
        """MAIL, RCPT, DATA; the server's final reply, or :class:`Reply` with its refusal."""
        smtp = self.open()
        smtp.ehlo_or_helo_if_needed()
        for command, argument in (("mail", sender), ("rcpt", recipient)):
            code, text = smtp.mail(argument) if command == "mail" else smtp.rcpt(argument)
            if code not in (250, 251):
                smtp.rset()
                raise Reply(code, _said(text))
        try:
            code, text = smtp.data(data)
        except smtplib.SMTPDataError as exc:  # DATA refused: nothing was handed over
            smtp.rset()
            raise Reply(exc.smtp_code, _said(exc.smtp_error)) from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise InFlight(str(exc) or type(exc).__name__) from None
        if code != 250:
            raise Reply(code, _said(text))
        return f"{code} {_said(text)}"


class Sender:
    """Sends a batch over ``connections`` threads, journaling each message."""

    def __init__(self, settings: MailSettings, credentials: Credentials | None,
                 journal: Journal, signer: Signer | None) -> None:
        self.settings = settings
        self.credentials = credentials
        self.journal = journal
        self.signer = signer
        self.pacer = Pacer(settings.rate)
        self.stopped: str = ""  # why the send stopped early ("" while it goes on)
        self.crash: Exception | None = None  # what stopped a worker (raised after the batch)

    def run(self, batch: Sequence[Outgoing]) -> Iterator[Result]:
        """Send every message; yield each one's result as it is known (in this thread)."""
        jobs: queue.SimpleQueue[Outgoing] = queue.SimpleQueue()
        for outgoing in batch:
            jobs.put(outgoing)
        results: queue.SimpleQueue[Result] = queue.SimpleQueue()
        threads = [threading.Thread(target=self._work, args=(jobs, results), daemon=True)
                   for _ in range(min(self.settings.connections, len(batch)) or 1)]
        for thread in threads:
            thread.start()
        for _ in batch:
            yield results.get()
        for thread in threads:
            thread.join()
        if self.crash is not None:  # e.g. the journal could not be written
            raise self.crash

    def _work(self, jobs: queue.SimpleQueue[Outgoing], results: queue.SimpleQueue[Result]) -> None:
        connection = Connection(self.settings, self.credentials)
        try:
            while True:
                try:
                    outgoing = jobs.get_nowait()
                except queue.Empty:
                    return
                if self.stopped:
                    results.put(Result(outgoing, PENDING, self.stopped))
                    continue
                try:
                    results.put(self._deliver(connection, outgoing))
                except Exception as exc:  # every result must arrive, or run() waits forever
                    self.crash = self.crash or exc
                    self.stopped = self.stopped or str(exc)
                    results.put(Result(outgoing, PENDING, self.stopped))
        finally:
            connection.quit()

    def _connect(self, connection: Connection) -> str:
        """Open the connection, retrying; "" when open, else why not (and the send stops)."""
        for attempt in range(self.settings.retries + 1):
            try:
                connection.open()
                return ""
            except Unreachable as exc:
                self.stopped = exc.message
                return exc.message
            except (OSError, smtplib.SMTPException) as exc:
                reason = f"cannot connect to {self.settings.host}:{self.settings.port}: {exc}"
                connection.drop()
                if attempt < self.settings.retries:
                    time.sleep(self.settings.retry_delay * 2 ** attempt)
        self.stopped = reason
        return reason

    def _deliver(self, connection: Connection, outgoing: Outgoing) -> Result:
        if reason := self._connect(connection):
            return Result(outgoing, PENDING, reason)
        data = outgoing.render()
        if self.signer is not None:
            data = self.signer.sign(data)
        key = (outgoing.statement, outgoing.version, outgoing.address.casefold())
        self.journal.begin(*key, outgoing.fields, outgoing.message_id)
        reply = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                time.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
                if self._connect(connection):
                    break
            self.pacer.wait()
            try:
                reply = connection.transact(self.settings.sender, outgoing.address, data)
            except InFlight as exc:  # the journal keeps it "sending": uncertain
                connection.drop()
                return Result(outgoing, UNCERTAIN, f"connection lost during DATA: {exc}")
            except Reply as exc:
                reply = str(exc)
                if exc.code == 421:
                    connection.drop()
                if exc.code >= 500:
                    break
                continue
            except (OSError, smtplib.SMTPException) as exc:  # lost before DATA: safe to retry
                reply = f"connection lost: {exc or type(exc).__name__}"
                connection.drop()
                continue
            self.journal.end(*key, SENT, reply)
            return Result(outgoing, SENT, reply)
        self.journal.end(*key, FAILED, reply or self.stopped)
        return Result(outgoing, FAILED, reply or self.stopped)
