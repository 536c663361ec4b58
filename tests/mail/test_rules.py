"""Who may get what: embargoed copies only to accredited recipients and only when asked, drafts
never, corrections to those who got an earlier version; no header injection through a title."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import mailkit
import pytest
from mailkit import NOW, SID, Server, cli, send

from conftest import REPO
from syndicate.mail import compose, lists, settings
from syndicate.publish import load

certificate, published, make_project = mailkit.certificate, mailkit.published, mailkit.make_project
plain_server = mailkit.plain_server

BEFORE = "2022-11-21T18:00:00+00:00"  # the statement goes live at 2022-11-22 00:00 in Lisbon


def first_line(message: object) -> str:
    body = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content().splitlines()[0])


def test_embargo_only_accredited_only_when_asked(plain_server: Server,
                                                 make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server)
    refused = send(project, now=BEFORE)
    assert refused.exit_code == 1
    assert f"statements/{SID}: goes live at 2022-11-22T00:00:00+00:00" in refused.stderr
    assert "--embargoed" in refused.stderr and "Traceback" not in refused.output
    assert plain_server.inbox.messages == []

    result = send(project, "--embargoed", now=BEFORE)
    assert result.exit_code == 0, result.output
    assert "1 not accredited for embargoed copies left out" in result.stdout
    inbox = plain_server.inbox
    assert inbox.to("bob@paper.example") == []  # not accredited
    (ana,) = inbox.to("ana@jornal.example")
    assert ana["Subject"].startswith("EMBARGO ATÉ 22 de novembro de 2022, 00:00:00 WET: ")
    assert first_line(ana) == "EMBARGO ATÉ 22 de novembro de 2022, 00:00:00 WET"
    (chloe,) = inbox.to("chloe@journal.example")
    assert first_line(chloe).startswith("EMBARGOED UNTIL November 22, 2022")
    assert "EMBARGOED UNTIL" in chloe.get_body(("html",)).get_content()
    # rendered before the publish that makes it public, the communiqué is the same file
    (pdf,) = list(ana.iter_attachments())
    assert pdf.get_content() == (project / "dist" / f"pt/{SID}/{SID}-pt.pdf").read_bytes()

    after = send(project)  # live: an ordinary send to whoever lacks this version
    assert after.exit_code == 0, after.output
    assert "Sent 1 message(s); 2 already sent earlier" in after.stdout
    (bob,) = inbox.to("bob@paper.example")
    assert not first_line(bob).startswith("EMBARGO")
    assert len(inbox.messages) == 3


def test_a_statement_embargoed_past_its_date_is_sent_once_live(
        plain_server: Server, make_project: Callable[..., Path]) -> None:
    """Its page says it was modified when it went live (the embargo's lift, not its date):
    send reads the same instant, so the page counts as current."""
    project = make_project(plain_server)
    shared = project / "statements" / SID / "statement.yaml"
    shared.write_text(shared.read_text() + "embargo: 2022-11-22T10:30\n")
    published = cli("publish", "--project", project, "--now", NOW, "-q")
    assert published.exit_code == 0, published.output
    result = send(project)
    assert result.exit_code == 0, result.output
    assert "Sent 3 message(s)" in result.stdout
    assert len(plain_server.inbox.messages) == 3


def test_a_draft_is_never_sent(plain_server: Server, make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server)
    shared = project / "statements" / SID / "statement.yaml"
    shared.write_text(shared.read_text() + "draft: true\n")
    for now, flags in ((NOW, ()), (BEFORE, ("--embargoed",))):
        result = send(project, *flags, now=now)
        assert result.exit_code == 1
        assert "a draft is never sent" in result.stderr
    assert plain_server.inbox.messages == []


def test_a_correction_goes_to_earlier_recipients(plain_server: Server,
                                                 make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server, attach="link")
    assert send(project).exit_code == 0
    folder = project / "statements" / SID
    (folder / "statement.yaml").write_text(
        "date: 2022-11-22\noriginal: pt\nupdated: 2022-11-23T15:00:00+00:00\n")
    for lang, note in (("pt", "Corrigida a data das eleições."),
                       ("en", "The election date was corrected.")):
        path = folder / f"{lang}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nplace: ", f"\ncorrection: {note}\nplace: ", 1),
                        encoding="utf-8")
    press = project / "lists" / "press.csv"
    press.write_text(press.read_text() + "dan@news.example,Dan,en,,no\n")

    stale = send(project)
    assert stale.exit_code == 1
    assert "published before the statement's last change" in stale.stderr
    assert len(plain_server.inbox.messages) == 3
    assert cli("publish", "--project", project, "--now", NOW, "--jobs", "1", "-q").exit_code == 0

    result = send(project)
    assert result.exit_code == 0, result.output
    inbox = plain_server.inbox
    assert len(inbox.messages) == 3 + 4
    ana = inbox.to("ana@jornal.example")[-1]
    assert ana["Subject"].startswith("Correção: Governo apoia")
    assert first_line(ana) == "Corrigido em 23 de novembro de 2022: Corrigida a data das eleições."
    bob = inbox.to("bob@paper.example")[-1]
    assert bob["Subject"].startswith("Correction: Portugal supports")
    assert first_line(bob) == "Corrected on November 23, 2022: The election date was corrected."
    assert ana["Message-ID"] != inbox.to("ana@jornal.example")[0]["Message-ID"]
    (dan,) = inbox.to("dan@news.example")  # new on the list: the current version, no correction
    assert dan["Subject"].startswith("Portugal supports")


def test_a_title_cannot_inject_a_header(plain_server: Server,
                                        make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server)
    path = project / "statements" / SID / "en.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'title: "Portugal', 'title: "Evil\\r\\nBcc: victim@example.org\\r\\n\\r\\nPortugal', 1),
        encoding="utf-8")
    result = send(project)  # (the title's line breaks are folded into spaces when it is read)
    assert result.exit_code == 0, result.output
    for received in plain_server.inbox.messages:
        assert len(received.recipients) == 1
        assert received.message["Bcc"] is None
        assert b"\r\nBcc:" not in received.raw
    (bob,) = plain_server.inbox.to("bob@paper.example")
    assert bob["Subject"].startswith("Evil Bcc: victim@example.org Portugal supports")

    # and by construction: the message itself refuses a CR or LF in any header
    loaded = load(REPO)
    statement = loaded.statement(SID)
    evil = dataclasses.replace(statement, translations=tuple(
        dataclasses.replace(t, title="Evil\r\nBcc: victim@example.org")
        for t in statement.translations))
    mail = settings.MailSettings("127.0.0.1", 25, "none", "press@gov.example", attach="link")
    composer = compose.Composer(loaded.site, loaded.translations, mail, datetime.now(UTC))
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        composer.edition(evil, "en", compose.ORDINARY, None)
    edition = composer.edition(statement, "en", compose.ORDINARY, None)
    reader = lists.Recipient("a@b.example", "Eve\r\nBcc: victim@example.org", ("en",), (),
                             False, "press", "x", 1)
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        composer.message(edition, reader)


def test_the_published_folder_may_be_elsewhere(plain_server: Server, tmp_path: Path,
                                               make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server)
    www = tmp_path / "www"
    missing = send(project, "--out", str(www))
    assert missing.exit_code == 1
    assert f"{www}/en/{SID}/{SID}-en.pdf: not published yet: run `syndicate publish` first" \
        in missing.stderr
    shutil.copytree(project / "dist", www)  # (the copy holds the files, not the link)
    (project / "dist").unlink()
    assert send(project).exit_code == 1  # nothing in dist/ now
    result = send(project, "--out", str(www))
    assert result.exit_code == 0, result.output
    (bob,) = plain_server.inbox.to("bob@paper.example")
    (pdf,) = list(bob.iter_attachments())
    assert pdf.get_content() == (www / f"en/{SID}/{SID}-en.pdf").read_bytes()
