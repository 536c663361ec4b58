"""The ``[mail]`` table of ``syndicate.toml`` (validated by :func:`syndicate.config.load_site`)
and the SMTP credentials, which only ever come from the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from syndicate.config import CONFIG_FILE
from syndicate.errors import ContentError, Problem
from syndicate.schema import locate

USER_VARIABLE = "SYNDICATE_SMTP_USER"
PASSWORD_VARIABLE = "SYNDICATE_SMTP_PASSWORD"
TOKEN_VARIABLE = "SYNDICATE_UNSUBSCRIBE_SECRET"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return f"Credentials(user={self.user!r}, password='***')"


@dataclass(frozen=True, slots=True)
class MailSettings:
    host: str
    port: int
    security: str  # starttls, tls or none
    sender: str  # the From address
    reply_to: str = ""
    rate: int = 0  # messages per second over all connections; 0: no limit
    connections: int = 2
    timeout: int = 30  # seconds, per SMTP command
    retries: int = 3  # for temporary (4xx) failures and lost connections
    retry_delay: int = 2  # seconds before the first retry; doubled each time
    attach: str = "pdf"  # pdf: the communiqué attached; link: only linked
    unsubscribe: str = ""  # URL template; "" means mailto:<from>?subject=unsubscribe
    cafile: Path | None = None  # extra certificate authorities to trust (an internal relay)
    dkim_key: Path | None = None
    dkim_selector: str = ""
    dkim_domain: str = ""

    @property
    def unsubscribe_template(self) -> str:
        return self.unsubscribe or f"mailto:{self.sender}?subject=unsubscribe"


def load_mail_settings(project: Path) -> MailSettings:
    """The ``[mail]`` table; a :class:`ContentError` when it is missing or incomplete.

    Call after :func:`syndicate.config.load_site` validated the file (keys and types)."""
    path = project / CONFIG_FILE
    text = path.read_text(encoding="utf-8-sig")
    table = tomllib.loads(text).get("mail")
    if not isinstance(table, dict):
        raise ContentError([Problem(str(path), None, "no [mail] table: `send` needs at least "
                                    "host and from (see the README's press officers' section)")])
    problems = []

    def inside(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        file = project / str(value)
        if Path(value).is_absolute() or ".." in Path(value).parts or not file.is_file():
            problems.append(Problem(str(path), locate(text, ("mail",), key),
                                    f"{key} must name a file inside the project, not {value!r}"))
        return file

    cafile, dkim_key = inside("cafile"), inside("dkim_key")
    if dkim_key is not None and not table.get("dkim_selector"):
        problems.append(Problem(str(path), locate(text, ("mail",), "dkim_key"),
                                "dkim_key needs dkim_selector (its public key's DNS selector)"))
    if "{token}" in table.get("unsubscribe", "") and not os.environ.get(TOKEN_VARIABLE):
        problems.append(Problem(str(path), locate(text, ("mail",), "unsubscribe"),
                                f"the unsubscribe template uses {{token}}: set {TOKEN_VARIABLE}"))
    if problems:
        raise ContentError(problems)
    security = table.get("security", "starttls")
    sender = table["from"]
    return MailSettings(
        host=table["host"], port=table.get("port", DEFAULT_PORTS[security]), security=security,
        sender=sender, reply_to=table.get("reply_to", ""), rate=table.get("rate", 0),
        connections=table.get("connections", 2), timeout=table.get("timeout", 30),
        retries=table.get("retries", 3), retry_delay=table.get("retry_delay", 2),
        attach=table.get("attach", "pdf"), unsubscribe=table.get("unsubscribe", ""),
        cafile=cafile, dkim_key=dkim_key, dkim_selector=table.get("dkim_selector", ""),
        dkim_domain=table.get("dkim_domain", sender.rpartition("@")[2]),
    )


def credentials() -> Credentials | None:
    """SMTP AUTH credentials from ``SYNDICATE_SMTP_USER`` and ``SYNDICATE_SMTP_PASSWORD``."""
    user = os.environ.get(USER_VARIABLE, "")
    return Credentials(user, os.environ.get(PASSWORD_VARIABLE, "")) if user else None
