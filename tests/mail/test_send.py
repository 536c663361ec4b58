"""`syndicate send` to a real SMTP server (aiosmtpd, STARTTLS on a throw-away certificate, AUTH),
read back with the standard `email` parser and dkimpy."""

from __future__ import annotations

import base64
import email
import email.policy
import fcntl
from collections.abc import Callable
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import dkim
import mailkit
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mailkit import PASSWORD, SID, Server, send

# The fixtures (a conftest.py here would shadow tests/conftest.py's module name)
certificate, published, make_project = mailkit.certificate, mailkit.published, mailkit.make_project
smtp_server, plain_server, tls_server = mailkit.smtp_server, mailkit.plain_server, \
    mailkit.tls_server

TITLES = {
    "en": "Portugal supports António Vitorino's candidacy for Director-General of the IOM",
    "pt": "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM",
}
PDF = {lang: f"{lang}/{SID}/{SID}-{lang}.pdf" for lang in ("en", "pt")}


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_each_recipient_gets_their_language_with_the_published_pdf(
        smtp_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(smtp_server, unsubscribe="https://press.example.org/u?a={address}"
                           "&l={list}&t={token}")
    result = send(project, env={"SYNDICATE_UNSUBSCRIBE_SECRET": "k"})
    assert result.exit_code == 0, result.output
    assert "Sent 3 message(s)" in result.stdout
    inbox = smtp_server.inbox
    assert all(m.authenticated and m.tls for m in inbox.messages)
    expected = {"ana@jornal.example": ("pt", "pt-PT"), "bob@paper.example": ("en", "en"),
                "chloe@journal.example": ("en", "en")}  # fr is not published: her second choice
    for address, (lang, tag) in expected.items():
        (message,) = inbox.to(address)
        assert message["Subject"] == TITLES[lang]
        assert message["Content-Language"] == tag
        assert message["From"].addresses[0].addr_spec == "press@gov.example"
        assert message.get_content_type() == "multipart/mixed"
        text, html = parts(message)
        assert TITLES[lang] in text and f"/{lang}/{SID}/" in text
        assert f"https://press.example.org/{lang}/{SID}/" in html
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == f"{SID}-{lang}.pdf"
        assert attachment.get_content() == (project / "dist" / PDF[lang]).read_bytes()
        unsubscribe = message["List-Unsubscribe"]
        assert unsubscribe.startswith(f"<https://press.example.org/u?a={address}&l=press&t=")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe.strip("<>") in unescape(html) and unsubscribe.strip("<>") in text
    bob = inbox.to("bob@paper.example")[0]
    assert bob["To"].addresses[0].display_name == "Bob Jones, Jr."


def test_a_rerun_sends_nothing_and_the_message_id_is_stable(
        plain_server: Server, make_project: Callable[..., Path], tmp_path: Path) -> None:
    project = make_project(plain_server, attach="link")
    assert send(project, "--dry-run", str(tmp_path / "eml")).exit_code == 0
    dry = {p.name.split("-", 2)[2].removesuffix(".eml"): p.read_bytes()
           for p in (tmp_path / "eml").iterdir()}
    assert len(dry) == 3
    first = send(project)
    assert first.exit_code == 0, first.output
    again = send(project)
    assert again.exit_code == 0, again.output
    assert "Sent 0 message(s); 3 already sent earlier" in again.stdout
    inbox = plain_server.inbox
    assert len(inbox.messages) == 3
    for received in inbox.messages:
        (address,) = received.recipients
        assert received.raw.replace(b"\r\n", b"\n") == dry[address].replace(b"\r\n", b"\n")
        message = received.message
        assert not list(message.iter_attachments())  # attach = "link"
        assert f"{SID}-" in parts(message)[1] and ".pdf" in parts(message)[1]
    status = send(project, "--status")
    assert status.exit_code == 0
    assert "press            pt             1         0         0         0" in status.stdout


def test_dkim_signature_verifies(smtp_server: Server, make_project: Callable[..., Path]) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    project = make_project(smtp_server, dkim_key="tls/dkim.pem", dkim_selector="press")
    (project / "tls" / "dkim.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    public = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"press._domainkey.gov.example."
        return b"v=DKIM1; k=rsa; p=" + public

    assert send(project).exit_code == 0
    for received in smtp_server.inbox.messages:
        assert received.raw.startswith(b"DKIM-Signature:")
        assert dkim.verify(received.raw, dnsfunc=dns)
        tampered = received.raw.replace(b"Subject: ", b"Subject: X", 1)
        assert not dkim.verify(tampered, dnsfunc=dns)


def test_a_refused_recipient_does_not_stop_the_others(
        smtp_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(smtp_server)
    smtp_server.inbox.refuse.add("bob@paper.example")
    smtp_server.inbox.later.add("ana@jornal.example")  # 451 once: retried
    result = send(project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert "lists/press.csv:3: bob@paper.example: 550 5.1.1 <bob@paper.example>: mailbox " \
           "unavailable" in [line.replace(str(project) + "/", "") for line in lines]
    assert lines[-1] == "Error: Sent 2 message(s); 1 failed"
    assert sorted(r for m in smtp_server.inbox.messages for r in m.recipients) == [
        "ana@jornal.example", "chloe@journal.example"]
    status = send(project, "--status")
    assert "550 5.1.1" in status.stdout and "0         0" in status.stdout
    smtp_server.inbox.refuse.clear()  # the mailbox is back, but 5xx is for good:
    again = send(project)
    assert again.exit_code == 1 and len(smtp_server.inbox.messages) == 2
    assert "bob@paper.example: refused by an earlier send: 550 5.1.1" in again.stderr
    assert again.stderr.splitlines()[-1] == (
        "Error: Sent 0 message(s); 2 already sent earlier; 1 refused earlier (retry with "
        "--retry-failed)")
    assert send(project, "--retry-failed").exit_code == 0
    assert len(smtp_server.inbox.messages) == 3


def test_a_connection_lost_during_data_is_uncertain(
        smtp_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(smtp_server, connections=1)
    smtp_server.inbox.drop.add("chloe@journal.example")  # closed before the reply to DATA
    result = send(project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "chloe@journal.example: uncertain: connection lost during DATA" in result.stderr
    assert result.stderr.splitlines()[-1] == "Error: Sent 2 message(s); 1 uncertain (resend " \
        "with --resend-uncertain)"
    assert send(project).exit_code == 1  # not resent unless asked
    assert len(smtp_server.inbox.messages) == 2
    assert send(project, "--resend-uncertain").exit_code == 0
    assert sorted(r for m in smtp_server.inbox.messages for r in m.recipients) == [
        "ana@jornal.example", "bob@paper.example", "chloe@journal.example"]


def test_credentials_never_shown_and_unreachable_server_is_a_summary(
        smtp_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(smtp_server, retries=1)
    text = (project / "syndicate.toml").read_text()
    (project / "syndicate.toml").write_text(text.replace(f"port = {smtp_server.port}",
                                                         "port = 1"))
    result = send(project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and PASSWORD not in result.output
    first, last = result.stderr.splitlines()
    host = text.splitlines().index('host = "127.0.0.1"') + 1  # the line to look at
    assert first.startswith(f"{project}/syndicate.toml:{host}: cannot connect to 127.0.0.1:1: ")
    assert last.startswith("Error: Sent 0 message(s); 3 not sent (cannot connect to 127.0.0.1:1")
    assert "press            en             0         0         0         2" in send(
        project, "--status").stdout


def test_wrong_password_stops_the_send(smtp_server: Server, make_project: Callable[..., Path],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(smtp_server)
    monkeypatch.setenv("SYNDICATE_SMTP_PASSWORD", "N0t-The-Pa55word")
    result = send(project)
    assert result.exit_code == 1
    assert "refused the credentials: 535" in result.stderr
    assert "N0t-The-Pa55word" not in result.output
    assert smtp_server.inbox.messages == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_a_stalled_server_and_a_preview(
        tls_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(tls_server, timeout=1)
    tls_server.inbox.stall.add("bob@paper.example")  # times out once, then answers
    result = send(project)
    assert result.exit_code == 0, result.output
    assert sorted(r for m in tls_server.inbox.messages for r in m.recipients) == [
        "ana@jornal.example", "bob@paper.example", "chloe@journal.example"]
    assert all(m.tls and m.authenticated for m in tls_server.inbox.messages)
    preview = send(project, "--preview", "--lang", "en")
    assert preview.exit_code == 0
    shown = email.message_from_bytes(preview.stdout_bytes, policy=email.policy.default)
    (bob,) = tls_server.inbox.to("bob@paper.example")
    assert shown["Message-ID"] == bob["Message-ID"]  # the first en recipient: Bob
    assert shown["Content-Language"] == "en" and shown["Subject"] == TITLES["en"]


def test_one_send_at_a_time(plain_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server)
    (project / ".syndicate-state").mkdir()
    with (project / ".syndicate-state" / "send.lock").open("a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = send(project)
    assert result.exit_code == 1
    assert "another `syndicate send` is running in this project" in result.stderr
    assert plain_server.inbox.messages == []


def test_an_untrusted_certificate_stops_the_send(smtp_server: Server,
                                                 make_project: Callable[..., Path]) -> None:
    project = make_project(smtp_server)
    config = project / "syndicate.toml"
    config.write_text(config.read_text().replace('cafile = "tls/cert.pem"\n', ""))
    result = send(project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "TLS failed: CERTIFICATE_VERIFY_FAILED" in result.stderr.splitlines()[0]
    assert smtp_server.inbox.messages == []
