"""One message per statement version, language and recipient: plain text and HTML made from the
same translation as the page, the PDF communiqué attached (or linked), unsubscribe headers.

No I/O and no clock: the PDFs' bytes and ``now`` are arguments. Headers go through
:data:`email.policy.SMTP`, which refuses a CR or LF in any header value, so a title cannot inject
a header. What is the same for every recipient (the edition: subject, bodies, the attachment
encoded once) is made once per statement version, language and kind.
"""

from __future__ import annotations

import gettext
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.quoprimime import body_encode
from email.utils import format_datetime as rfc5322_date
from email.utils import formataddr
from urllib.parse import quote, urlsplit

from babel.dates import format_datetime
from markupsafe import Markup, escape

from syndicate.i18n import N_, dateline, long_date
from syndicate.mail.lists import Recipient
from syndicate.mail.settings import MailSettings
from syndicate.model import Site, Statement, Translation
from syndicate.templating import environment

ORDINARY, EMBARGOED, CORRECTION = "ordinary", "embargoed", "correction"
EMBARGO_LINE = N_("EMBARGOED UNTIL %(time)s")
CORRECTION_SUBJECT = N_("Correction: %(title)s")
CORRECTED_ON = N_("Corrected on %(date)s")
READ_ONLINE = N_("Read online")
UNSUBSCRIBE = N_("Unsubscribe")
MARK = "\x00unsubscribe\x00"  # where each recipient's own unsubscribe URL goes in the bodies
STYLES = {  # inline CSS for the body's HTML (mail clients drop <style> and stylesheets)
    "p": "margin:0 0 1em",
    "h2": "margin:1.2em 0 .4em;font-size:21px",
    "h3": "margin:1.2em 0 .4em;font-size:18px",
    "h4": "margin:1em 0 .4em;font-size:17px",
    "a": "color:#0b5394",
    "blockquote": "margin:0 0 1em;padding-left:1em;border-left:3px solid #cccccc;color:#444444",
    "ul": "margin:0 0 1em;padding-left:1.5em",
    "ol": "margin:0 0 1em;padding-left:1.5em",
    "pre": "white-space:pre-wrap;font-size:14px",
    "table": "border-collapse:collapse;margin:0 0 1em",
    "th": "border:1px solid #cccccc;padding:.3em .6em",
    "td": "border:1px solid #cccccc;padding:.3em .6em",
}
_OPENING = re.compile(rf"<({'|'.join(STYLES)})(?=[\s>/])")


def version(statement: Statement) -> str:
    """What identifies a statement's version: the instant of its last correction (or date)."""
    return statement.modified.isoformat()


def inline_styles(html: str) -> str:
    """The body's safe HTML with each known element's style written on it.

    >>> inline_styles('<p>See <a href="https://x.example/">x</a></p>')
    '<p style="margin:0 0 1em">See <a style="color:#0b5394" href="https://x.example/">x</a></p>'
    """
    return _OPENING.sub(lambda m: f'<{m[1]} style="{STYLES[m[1]]}"', html)


@dataclass(frozen=True, slots=True)
class Edition:
    """What every recipient of one statement version, language and kind gets alike, encoded
    once: the common headers, each body part quoted-printable around the place of the
    unsubscribe URL (joined to it by soft line breaks), the PDF part in base64."""

    statement: str
    version: str
    lang: str
    kind: str
    subject: str
    headers: bytes  # From, Reply-To, Subject, Date, Content-Language (through policy SMTP)
    text: tuple[bytes, bytes]  # the plain text part before and after the URL, encoded
    html: tuple[bytes, bytes]  # the HTML part likewise
    attachment: bytes  # the whole encoded PDF part (headers and body), b"" when linked
    boundary: str


class Composer:
    def __init__(self, site: Site, translations: dict[str, gettext.NullTranslations],
                 settings: MailSettings, now: datetime) -> None:
        self.site = site
        self.translations = translations
        self.settings = settings
        self.date = rfc5322_date(now)
        self.host = urlsplit(site.base_url).hostname or "localhost"
        self._editions: dict[tuple[str, str, str, str], Edition] = {}

    def edition(self, statement: Statement, lang: str, kind: str, pdf: bytes | None) -> Edition:
        key = (statement.id, version(statement), lang, kind)
        if key not in self._editions:
            self._editions[key] = self._edition(statement, lang, kind, pdf)
        return self._editions[key]

    def _edition(self, statement: Statement, lang: str, kind: str, pdf: bytes | None) -> Edition:
        site, language = self.site, self.site.language(lang)
        translation = statement.translation(lang)
        assert translation is not None
        words = self.translations[lang]
        embargo = correction = ""
        subject = translation.title
        if kind == EMBARGOED:
            when = format_datetime(statement.goes_live, "long", tzinfo=site.tzinfo,
                                   locale=language.locale)
            embargo = words.gettext(EMBARGO_LINE) % {"time": when}
            subject = f"{embargo}: {subject}"
        elif kind == CORRECTION:
            subject = words.gettext(CORRECTION_SUBJECT) % {"title": subject}
            corrected = words.gettext(CORRECTED_ON) % {
                "date": long_date(statement.modified, site.tzinfo, language.locale)}
            correction = f"{corrected}: {translation.correction}" if translation.correction \
                else corrected
        fields = {
            "language": language, "tag": language.tag, "t": translation, "subject": subject,
            "embargo": embargo, "correction": correction,
            "dateline": dateline(translation.place, statement.date, site.tzinfo, language.locale),
            "url": site.page_url(statement.id, lang), "pdf_url": site.pdf_url(statement.id, lang),
            "attached": pdf is not None, "unsubscribe": Markup(MARK),
            "body": Markup(inline_styles(translation.body_html)),
        }
        html = environment(words).get_template("mail.html").render(**fields)
        common = EmailMessage(policy=SMTP)  # refuses a CR or LF in any header value
        common["From"] = Address(language.issuer, addr_spec=self.settings.sender)
        if self.settings.reply_to:
            common["Reply-To"] = self.settings.reply_to
        common["Subject"] = subject
        common["Date"] = self.date
        common["Content-Language"] = language.tag
        common["MIME-Version"] = "1.0"
        key = "\x00".join((statement.id, version(statement), lang, kind))
        return Edition(statement.id, version(statement), lang, kind, subject,
                       common.as_bytes().removesuffix(b"\r\n"),
                       _split_encode(self._text(translation, fields, words)),
                       _split_encode(html),
                       self._attachment(pdf, f"{statement.id}-{lang}.pdf"),
                       "=_" + hashlib.sha256(key.encode()).hexdigest()[:24])

    @staticmethod
    def _text(translation: Translation, fields: dict[str, object],
              words: gettext.NullTranslations) -> str:
        lines = [str(fields[k]) for k in ("embargo", "correction") if fields[k]]
        title = translation.title
        lines += [title, "=" * min(len(title), 72), str(fields["dateline"]), ""]
        if translation.summary:
            lines += [translation.summary, ""]
        lines += [translation.body_markdown.strip(), "",
                  f"{words.gettext(READ_ONLINE)}: {fields['url']}"]
        if not fields["attached"]:
            lines.append(f"PDF: {fields['pdf_url']}")
        lines += ["", "-- ", f"{words.gettext(UNSUBSCRIBE)}: {MARK}", ""]
        return "\n".join(lines)

    @staticmethod
    def _attachment(pdf: bytes | None, filename: str) -> bytes:
        if pdf is None:
            return b""
        part = EmailMessage(policy=SMTP)
        part.set_content(pdf, maintype="application", subtype="pdf", disposition="attachment",
                         filename=filename)
        return part.as_bytes()

    def message_id(self, edition: Edition, recipient: Recipient) -> str:
        """Stable for (statement version, language, recipient): a rerun's copy has the same."""
        digest = hashlib.sha256("\x00".join(
            (edition.statement, edition.version, edition.lang, recipient.address.casefold())
        ).encode()).hexdigest()[:32]
        return f"<{digest}@{self.host}>"

    def unsubscribe_url(self, recipient: Recipient, lang: str, secret: bytes) -> str:
        token = hmac.new(secret, recipient.address.casefold().encode(), "sha256").hexdigest()
        return self.settings.unsubscribe_template.format(
            address=quote(recipient.address, safe="@"), list=quote(recipient.list, safe=""),
            lang=lang, token=token[:32])

    def message(self, edition: Edition, recipient: Recipient, secret: bytes = b"") -> bytes:
        """The message for one recipient, as it goes out (``secret`` keys the unsubscribe
        token): the recipient's headers, then the edition's, then the parts."""
        url = self.unsubscribe_url(recipient, edition.lang, secret)
        personal = [("To", _address(recipient.name, recipient.address)),
                    ("Message-ID", self.message_id(edition, recipient)),
                    ("List-Id", f"<{recipient.list}.{self.host}>"),
                    ("List-Unsubscribe", f"<{url}>")]
        if url.startswith("https://"):
            personal.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        b = edition.boundary
        alternative = b"".join((
            f'Content-Type: multipart/alternative; boundary="{b}a"\r\n\r\n--{b}a\r\n'.encode(),
            _part("plain", edition.text, url), f"\r\n--{b}a\r\n".encode(),
            _part("html", edition.html, str(escape(url))), f"\r\n--{b}a--\r\n".encode()))
        if edition.attachment:
            body = b"".join((f'Content-Type: multipart/mixed; boundary="{b}m"\r\n\r\n'
                             f"--{b}m\r\n".encode(), alternative, f"\r\n--{b}m\r\n".encode(),
                             edition.attachment, f"\r\n--{b}m--\r\n".encode()))
        else:
            body = alternative
        return b"".join((*(_header(name, value) for name, value in personal), edition.headers,
                         body))


def _header(name: str, value: str) -> bytes:
    """One header line; its value is ASCII already (encoded words, quoted URLs)."""
    if "\r" in value or "\n" in value or not value.isascii():
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    return f"{name}: {value}\r\n".encode("ascii")


def _address(name: str, address: str) -> str:
    """``Name <address>``, the name quoted or RFC 2047 encoded as needed.

    >>> _address("Bob Jones, Jr.", "bob@x.example"), _address("Chloé", "c@x.example")
    ('"Bob Jones, Jr." <bob@x.example>', '=?utf-8?b?Q2hsb8Op?= <c@x.example>')
    """
    if "\r" in name or "\n" in name:
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    if name.isascii():
        return formataddr((name, address))
    return f"{Header(name, 'utf-8', header_name='To').encode()} <{address}>"


def _split_encode(text: str) -> tuple[bytes, bytes]:
    """``text`` quoted-printable encoded on both sides of :data:`MARK` (lines of at most 75
    characters, so each side can end with a soft line break)."""
    before, _, after = text.partition(MARK)
    return _quoted(before), _quoted(after)


def _quoted(text: str) -> bytes:
    """UTF-8 quoted-printable, as :mod:`email` does it (``body_encode`` takes bytes as Latin-1)."""
    octets = text.encode("utf-8").decode("latin-1")
    return body_encode(octets, maxlinelen=75, eol="\r\n").encode("ascii")


def _part(subtype: str, encoded: tuple[bytes, bytes], url: str) -> bytes:
    """A text part: its headers, then the encoded text with ``url`` joined in by soft breaks."""
    return b"".join((
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode(),
        encoded[0], b"=\r\n", _quoted(url),
        b"=\r\n", encoded[1]))
