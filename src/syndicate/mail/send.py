"""`syndicate send`: who gets which message, then sending it, exactly once.

    load (project, [mail], lists, journal) -> plan (recipient, language, kind)
        -> send (transport, journaled) | dry run (.eml files) | preview | status

Before the statement goes live only accredited recipients get it, and only when asked
(``--embargoed``); a draft is never sent. A recipient who got an earlier version of the statement
gets the current one as a correction. A rerun sends what is missing: never what was sent, and
what was in flight when a send was killed (uncertain) only with ``--resend-uncertain``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import click

from syndicate.config import CONFIG_FILE, OUTPUT_DIR
from syndicate.errors import ContentError, Problem, SyndicateError, display_path
from syndicate.mail import compose, lists, settings, transport
from syndicate.mail.journal import (
    FAILED,
    SENDING,
    SENT,
    Journal,
    Row,
    sender_lock,
)
from syndicate.model import Statement
from syndicate.project import Project, load
from syndicate.render.structured import modified_time
from syndicate.schema import locate


@dataclass(frozen=True, slots=True)
class Request:
    project: Path
    statement_id: str
    lists: tuple[str, ...]
    tags: tuple[str, ...]
    now: datetime
    embargoed: bool = False  # send embargoed copies (before go-live) to accredited recipients
    resend_uncertain: bool = False
    retry_failed: bool = False  # also what the server refused for good (5xx) in earlier runs
    out: Path | None = None  # the published folder (default: the project's dist/)


@dataclass(frozen=True, slots=True)
class Planned:
    recipient: lists.Recipient
    lang: str
    kind: str  # compose.ORDINARY, EMBARGOED or CORRECTION


@dataclass(slots=True)
class Plan:
    project: Project
    statement: Statement
    settings: settings.MailSettings
    composer: compose.Composer
    todo: list[Planned] = field(default_factory=list)
    sent: list[Planned] = field(default_factory=list)  # this version already
    uncertain: list[Planned] = field(default_factory=list)  # in flight when a send stopped
    failed: dict[str, str] = field(default_factory=dict)  # address -> last reply (before now)
    refused: list[Planned] = field(default_factory=list)  # refused for good (5xx) earlier
    embargoed_out: int = 0  # recipients left out: not accredited for embargoed copies
    pdfs: dict[str, bytes | None] = field(default_factory=dict)

    def message(self, planned: Planned) -> bytes:
        edition = self.composer.edition(self.statement, planned.lang, planned.kind,
                                        self.pdfs[planned.lang])
        secret = os.environ.get(settings.TOKEN_VARIABLE, "").encode()
        return self.composer.message(edition, planned.recipient, secret)

    def outgoing(self, planned: Planned) -> transport.Outgoing:
        edition = self.composer.edition(self.statement, planned.lang, planned.kind,
                                        self.pdfs[planned.lang])
        recipient = planned.recipient
        return transport.Outgoing(
            self.statement.id, edition.version, recipient.address,
            (planned.lang, recipient.list, planned.kind),
            self.composer.message_id(edition, recipient),
            lambda: self.message(planned))


@dataclass(frozen=True, slots=True)
class Summary:
    sent: int
    failed: tuple[Problem, ...]  # each with the recipient's list line and the server's reply
    pending: int
    pending_reason: str
    uncertain: tuple[Problem, ...]
    already: int  # sent by an earlier run
    embargoed_out: int
    refused: tuple[Problem, ...] = ()  # refused for good by an earlier run, not retried
    stopped: tuple[Problem, ...] = ()  # why the send stopped early, at the [mail] host line

    @property
    def ok(self) -> bool:
        return not (self.failed or self.pending or self.uncertain or self.refused)

    def __str__(self) -> str:
        counts = (
            (self.already, "already sent earlier"),
            (self.embargoed_out, "not accredited for embargoed copies left out"),
            (len(self.failed), "failed"),
            (self.pending, f"not sent ({self.pending_reason})"),
            (len(self.uncertain), "uncertain (resend with --resend-uncertain)"),
            (len(self.refused), "refused earlier (retry with --retry-failed)"),
        )
        return "; ".join([f"Sent {self.sent} message(s)",
                          *(f"{count} {what}" for count, what in counts if count)])


class DeliveryError(SyndicateError):
    """Some messages could not be sent: each one with its list line, then the summary."""

    def __init__(self, summary: Summary) -> None:
        super().__init__(str(summary))
        self.problems = [*summary.stopped, *summary.failed, *summary.refused,
                         *summary.uncertain]

    def show(self, file: IO[str] | None = None) -> None:
        for problem in self.problems:
            click.echo(str(problem), err=True, file=file)
        click.echo(f"Error: {self.message}", err=True, file=file)


def plan(request: Request) -> Plan:
    """Load everything and decide what goes to whom; a :class:`ContentError` with every problem."""
    if not request.lists:
        raise SyndicateError("name at least one list (--list NAME)")
    project = load(request.project)
    statement = project.statement(request.statement_id)
    problems: list[Problem] = []
    try:
        mail = settings.load_mail_settings(request.project)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        recipients = lists.load_recipients(request.project, request.lists, request.tags,
                                           project.site)
    except ContentError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    result = Plan(project, statement, mail, compose.Composer(project.site, project.translations,
                                                             mail, request.now))
    journal = Journal(request.project)
    try:
        history = journal.rows(statement.id)
    finally:
        journal.close()
    embargo = request.now < statement.goes_live
    current = compose.version(statement)
    for recipient in recipients:
        if embargo and not recipient.accredited:
            result.embargoed_out += 1
            continue
        rows = history.get(recipient.address.casefold(), [])
        mine = next((row for row in rows if row.version == current), None)
        planned = Planned(recipient, lists.served_language(recipient, statement, project.site),
                          _kind(embargo, rows, current))
        if mine is not None and mine.state == SENT:
            result.sent.append(planned)
        elif mine is not None and mine.state == SENDING and not request.resend_uncertain:
            result.uncertain.append(planned)
        else:
            if mine is not None and mine.state == FAILED:
                result.failed[recipient.address] = mine.reply
                if mine.reply.startswith("5") and not request.retry_failed:
                    result.refused.append(planned)
                    continue
            result.todo.append(planned)
    return result


def ready(request: Request) -> Plan:
    """The plan of a send (or its dry run), refused for a draft or, before go-live, without
    ``--embargoed``; with the PDFs its messages attach."""
    work = plan(request)
    _refuse_unsendable(request, work.statement)
    langs = sorted({planned.lang for planned in work.todo})
    work.pdfs = _pdfs(request, work.project, work.statement, langs, work.settings.attach == "pdf")
    return work


def _kind(embargo: bool, rows: list[Row], current: str) -> str:
    if embargo:
        return compose.EMBARGOED
    if any(row.state == SENT and row.version != current for row in rows):
        return compose.CORRECTION
    return compose.ORDINARY


def _refuse_unsendable(request: Request, statement: Statement) -> None:
    where = str(request.project / "statements" / statement.id)
    if statement.draft:
        raise ContentError([Problem(where, None, "a draft is never sent (remove 'draft: true' "
                                    "from statement.yaml when it is ready)")])
    if request.now < statement.goes_live and not request.embargoed:
        raise ContentError([Problem(where, None, f"goes live at {statement.goes_live.isoformat()}:"
                                    " before that, only embargoed copies to accredited recipients"
                                    " (add --embargoed)")])


def _pdfs(request: Request, project: Project, statement: Statement, langs: list[str],
          attach: bool) -> dict[str, bytes | None]:
    """Each language's communiqué as published (the exact bytes); before go-live, rendered now
    (the same bytes the publish at go-live will write)."""
    site = project.site
    if request.now < statement.goes_live:
        if not attach:
            return dict.fromkeys(langs)
        from syndicate.render.pdf import PdfRenderer

        renderer = PdfRenderer(site, project.translations, project.logo)
        return {lang: renderer.render(statement, lang).data for lang in langs}
    out = request.out or request.project / OUTPUT_DIR
    version = out.resolve()  # one publish, even if another one switches the dist link meanwhile
    # (the page's own record of the version it shows)
    modified = f'property="article:modified_time" content="{modified_time(site, statement)}"'
    problems, pdfs = [], {}
    for lang in langs:
        page, pdf = site.page_path(statement.id, lang), site.pdf_path(statement.id, lang)
        try:
            current = modified in (version / page).read_text(encoding="utf-8")
            pdfs[lang] = (version / pdf).read_bytes() if attach else None
        except OSError:
            problems.append(Problem(str(out / pdf), None, "not published yet: run `syndicate "
                                    "publish` first (the message links to the page and attaches "
                                    "this PDF)"))
            continue
        if not current:
            problems.append(Problem(str(out / page), None, "published before the statement's "
                                    "last change: run `syndicate publish` first"))
    if problems:
        raise ContentError(problems)
    return pdfs


def send(request: Request, progress: Callable[[int, int], None] | None = None,
         advance: Callable[[], None] | None = None) -> Summary:
    """Send what is missing; ``progress(total, already)`` once, ``advance()`` per message."""
    with sender_lock(request.project):
        return _send(ready(request), progress, advance)


def _send(work: Plan, progress: Callable[[int, int], None] | None,
          advance: Callable[[], None] | None) -> Summary:
    mail = work.settings
    signer = _signer(work.project.root, mail)
    if progress is not None:
        progress(len(work.todo), len(work.sent))
    journal = Journal(work.project.root)
    sender = transport.Sender(mail, settings.credentials(), journal, signer)
    by_address = {p.recipient.address: p for p in work.todo}
    counts: Counter[str] = Counter()
    failed: list[Problem] = []
    uncertain = [_uncertain(p) for p in work.uncertain]
    try:
        for result in sender.run([work.outgoing(p) for p in work.todo]):
            counts[result.state] += 1
            where = by_address[result.outgoing.address].recipient
            if result.state == FAILED:
                failed.append(Problem(where.path, where.line,
                                      f"{where.address}: {result.reply}"))
            elif result.state == transport.UNCERTAIN:
                uncertain.append(Problem(where.path, where.line, f"{where.address}: uncertain: "
                                         f"{result.reply} (resend with --resend-uncertain)", True))
            if advance is not None:
                advance()
    finally:
        journal.close()
    return Summary(counts[SENT], tuple(failed), counts[transport.PENDING], sender.stopped,
                   tuple(uncertain), len(work.sent),
                   work.embargoed_out, tuple(_refused(p, work.failed) for p in work.refused),
                   (_at(work.project.root, "host", sender.stopped),) if sender.stopped else ())


def _signer(project: Path, mail: settings.MailSettings) -> transport.Signer | None:
    if mail.dkim_key is None:
        return None
    try:
        return transport.Signer(mail.dkim_key, mail.dkim_selector, mail.dkim_domain)
    except ValueError as exc:
        raise ContentError([_at(project, "dkim_key", f"dkim_key: {exc}")]) from None


def _at(project: Path, key: str, message: str) -> Problem:
    """A problem at the line of ``[mail] key``: why a send stopped (the server unreachable, TLS,
    credentials: at ``host``), a DKIM key that is not one..."""
    path = project / CONFIG_FILE
    return Problem(str(path), locate(path.read_text(encoding="utf-8-sig"), ("mail",), key),
                   message)


def _refused(planned: Planned, replies: dict[str, str]) -> Problem:
    recipient = planned.recipient
    return Problem(recipient.path, recipient.line, f"{recipient.address}: refused by an earlier "
                   f"send: {replies[recipient.address]} (correct the list, or retry with "
                   "--retry-failed)", True)


def _uncertain(planned: Planned) -> Problem:
    recipient = planned.recipient
    return Problem(recipient.path, recipient.line, f"{recipient.address}: uncertain: an earlier "
                   "send stopped during its transaction (resend with --resend-uncertain)", True)


def dry_run(request: Request, folder: Path) -> str:
    """Write every message a send would send now as ``.eml`` files into ``folder``."""
    work = ready(request)
    folder.mkdir(parents=True, exist_ok=True)
    for number, planned in enumerate(work.todo, 1):
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", planned.recipient.address)
        path = folder / f"{number:05d}-{planned.lang}-{name}.eml"
        path.write_bytes(work.message(planned))
    return (f"Wrote {len(work.todo)} message(s) to {display_path(folder)} "
            f"({len(work.sent)} already sent, nothing sent now)")


def preview(request: Request, lang: str | None) -> str:
    """One message in ``lang`` exactly as it would go out: to the first recipient of the lists
    who gets that language, else to the sender's own address."""
    work = plan(request) if request.lists else _sample_plan(request)
    _refuse_unsendable(request, work.statement)
    lang = lang or work.statement.original
    if work.statement.translation(lang) is None:
        raise ContentError([Problem(str(request.project / "statements" / work.statement.id), None,
                                    f"no {lang!r} translation")])
    everyone = work.todo + work.uncertain + work.sent
    kind = everyone[0].kind if everyone else _kind(request.now < work.statement.goes_live, [], "")
    planned = next((p for p in everyone if p.lang == lang),
                   Planned(lists.Recipient(work.settings.sender, "", (lang,), (), True, "preview",
                                           "", 0), lang, kind))
    work.pdfs.update(_pdfs(request, work.project, work.statement, [lang],
                           work.settings.attach == "pdf"))
    return work.message(planned).decode("ascii")


def _sample_plan(request: Request) -> Plan:
    project = load(request.project)
    statement = project.statement(request.statement_id)
    mail = settings.load_mail_settings(request.project)
    return Plan(project, statement, mail,
                compose.Composer(project.site, project.translations, mail, request.now))


def status(request: Request) -> str:
    """Sent / failed (with the server's reply) / uncertain / pending, per list and language."""
    work = plan(request)
    table: Counter[tuple[str, str, str]] = Counter()
    lines = []
    for planned in work.sent:
        table[(planned.recipient.list, planned.lang, "sent")] += 1
    for planned in work.uncertain:
        table[(planned.recipient.list, planned.lang, "uncertain")] += 1
    for planned in work.todo + work.refused:
        failed = work.failed.get(planned.recipient.address)
        table[(planned.recipient.list, planned.lang, "failed" if failed else "pending")] += 1
        if failed:
            lines.append(f"  {planned.recipient.where}: {planned.recipient.address}: {failed}")
    states = ("sent", "failed", "uncertain", "pending")
    keys = sorted({(lst, lang) for lst, lang, _ in table})
    rows = [f"{'list':<16} {'lang':<6} " + " ".join(f"{s:>9}" for s in states)]
    rows += [f"{lst:<16} {lang:<6} " + " ".join(f"{table[(lst, lang, s)]:>9}" for s in states)
             for lst, lang in keys]
    version = compose.version(work.statement)
    return "\n".join([f"{work.statement.id} (version {version})", *rows, *lines])

