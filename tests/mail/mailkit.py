"""A real SMTP server (aiosmtpd) on 127.0.0.1, with STARTTLS on a throw-away certificate and
AUTH, and a published copy of the shipped project with press lists and a [mail] table."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import shutil
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from conftest import copy_project
from syndicate.cli import main

SID = "2022-11-22-vitorino-iom"
NOW = "2026-11-28T12:00:00+00:00"
USER, PASSWORD = "press-office", "s3cret-Pa55word"
PRESS = """address,name,language,tags,accredited
ana@jornal.example,Ana Lima,pt-BR,politics,yes
bob@paper.example,"Bob Jones, Jr.",en-GB,economy,no
chloe@journal.example,Chloé,fr en,politics,yes
"""


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes  # as the server received it (after dot-unstuffing)
    authenticated: bool
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Inbox:
    """The server's behaviour and what it received (the handler aiosmtpd calls)."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550 at RCPT
    later: set[str] = field(default_factory=set)  # 451 at RCPT, once each
    drop: set[str] = field(default_factory=set)  # connection closed at end of DATA, once each
    stall: set[str] = field(default_factory=set)  # no answer to RCPT for 3 s, once each
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if address in self.stall:
            self.stall.discard(address)
            await asyncio.sleep(3)  # the client has given up (timeout = 1) and gone
        if address in self.later:
            self.later.discard(address)
            return "451 4.3.2 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.drop:
            self.drop -= set(envelope.rcpt_tos)
            server.transport.close()  # lost before the reply: not delivered
            return "421 closing"
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content, session.authenticated,
                                          session.ssl is not None or server.transport
                                          .get_extra_info("ssl_object") is not None))
        return "250 2.0.0 Ok: queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [m.message for m in self.messages if address in m.recipients]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class _BoundController(Controller):
    """aiosmtpd's controller serving on a socket bound before it starts (port 0: the system
    picks a free one), so that no other process can take the port between its choice and the
    server's start, as one could when a port was found free, let go and bound again."""

    def __init__(self, handler: Any, **options: Any) -> None:
        self.listening = socket.socket()
        try:
            self.listening.bind(("127.0.0.1", 0))
            self.listening.listen()
            super().__init__(handler, hostname="127.0.0.1",
                             port=int(self.listening.getsockname()[1]), **options)
        except BaseException:
            self.listening.close()
            raise

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self.listening,
                                       ssl=self.ssl_context)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A throw-away self-signed certificate for 127.0.0.1 (made here, never committed)."""
    folder = tmp_path_factory.mktemp("tls")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.TraditionalOpenSSL,
                                            serialization.NoEncryption()))
    return paths


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  data: Any) -> AuthResult:
    ok = (isinstance(data, LoginPassword) and data.login == USER.encode()
          and data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    inbox: Inbox
    port: int
    tls: bool  # TLS and AUTH required
    security: str  # what [mail] security must say


@pytest.fixture
def smtp_server(certificate: Certificate) -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1 that requires STARTTLS and AUTH."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    yield from _serve(dict(tls_context=context, require_starttls=True, auth_required=True,
                           authenticator=_authenticate), tls=True)


@pytest.fixture
def tls_server(certificate: Certificate) -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1 speaking TLS from the start (port 465 style), with AUTH."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    # (aiosmtpd counts only STARTTLS as TLS for auth_require_tls: the tests using this server
    # ignore its warning about AUTH without TLS)
    yield from _serve(dict(ssl_context=context, auth_required=True, auth_require_tls=False,
                           authenticator=_authenticate), tls=True, security="tls")


@pytest.fixture
def plain_server() -> Iterator[Server]:
    """A plain SMTP server on 127.0.0.1 (no TLS, no AUTH): for the many-message tests."""
    yield from _serve({}, tls=False)


def _serve(options: dict[str, Any], tls: bool, security: str = "") -> Iterator[Server]:
    inbox = Inbox()
    controller = _BoundController(inbox, **options)
    try:
        controller.start()
        yield Server(inbox, controller.port, tls, security or ("starttls" if tls else "none"))
    finally:
        controller.stop(no_assert=True)  # (also when it did not start: its thread, its loop)
        controller.listening.close()


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with a press list, published once (shared, never changed)."""
    root = copy_project(tmp_path_factory.mktemp("mail") / "project")
    (root / "lists").mkdir()
    (root / "lists" / "press.csv").write_text(PRESS, encoding="utf-8")
    result = cli("publish", "--project", root, "--now", NOW, "--jobs", "1", "-q")
    assert result.exit_code == 0, result.output
    return root


def mail_table(server: Server, certificate: Certificate | None, **extra: object) -> str:
    values: dict[str, object] = {"host": "127.0.0.1", "port": server.port,
                                 "security": server.security, "from": "press@gov.example",
                                 "retry_delay": 0, "timeout": 5}
    if server.tls and certificate is not None:
        values["cafile"] = "tls/cert.pem"
    values.update(extra)
    lines = ["", "[mail]"] + [f'{key} = "{value}"' if isinstance(value, str)
                              else f"{key} = {value}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_project(published: Path, tmp_path: Path, certificate: Certificate,
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A private copy of the published project, sending to ``server`` (credentials in the
    environment, as operators set them)."""
    monkeypatch.setenv("SYNDICATE_SMTP_USER", USER)
    monkeypatch.setenv("SYNDICATE_SMTP_PASSWORD", PASSWORD)

    def make(server: Server, **extra: object) -> Path:
        root = tmp_path / "project"
        shutil.copytree(published, root, symlinks=True)
        (root / "tls").mkdir()
        shutil.copy(certificate.cert, root / "tls" / "cert.pem")
        with (root / "syndicate.toml").open("a", encoding="utf-8") as handle:
            handle.write(mail_table(server, certificate, **extra))
        if not server.tls:
            monkeypatch.delenv("SYNDICATE_SMTP_USER")
            monkeypatch.delenv("SYNDICATE_SMTP_PASSWORD")
        return root

    return make


def cli(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def send(project: Path, *args: str, now: str = NOW, env: dict[str, str] | None = None) -> Result:
    return cli("send", SID, "--project", project, "--list", "press", "--now", now, *args,
               env=env)
