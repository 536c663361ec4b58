"""Hostile cases for `syndicate send` (issue 24): broken press lists and [mail] tables, what may
never be sent, and a server that is not there. Each names the file and line to look at; none
touches the publish."""

from __future__ import annotations

import re
from collections.abc import Callable

from hostile_harness import CHECK, NOW, Case, S, World

ID = S.rsplit("/", 1)[1]
HEADER = "address,name,language,tags,accredited\n"
MAIL = ('\n[mail]\nhost = "127.0.0.1"\nport = 1\nsecurity = "none"\nfrom = "press@gov.example"\n'
        "retries = 0\n")
SEND = ("send", ID, "--list", "press", "--now", NOW)


def press(rows: str | bytes, mail: str = MAIL) -> Callable[[World], None]:
    def apply(world: World) -> None:
        data = rows if isinstance(rows, bytes) else (HEADER + rows).encode()
        world.write("lists/press.csv", data)
        config = world.path("syndicate.toml").read_text(encoding="utf-8")
        world.write("syndicate.toml", config + mail)

    return apply


def also(first: Callable[[World], None], then: Callable[[World], None]) -> Callable[[World], None]:
    def apply(world: World) -> None:
        first(world)
        then(world)

    return apply


def line(text: str) -> str:
    return "^" + re.escape(text)


GOOD = "ana@jornal.example,Ana,pt-BR,,yes\n"
CASES = [
    Case("send-list-bad-address", press("ana@@jornal.example,Ana,pt,,\n"),
         (line("lists/press.csv:2: invalid address 'ana@@jornal.example'"),), command=CHECK),
    Case("send-list-duplicate-and-language",
         press(GOOD + "ANA@jornal.example,Ana,pt,,\nkarl@x.example,Karl,de,,\n"),
         (line("lists/press.csv:3: ANA@jornal.example is already on line 2"),
          line("lists/press.csv:4: the site publishes no language for 'de'")), command=CHECK),
    Case("send-list-unknown-column", press(b"mail,language\nx@y.example,en\n"),
         (line("lists/press.csv:1: unknown column 'mail'"),
          line("lists/press.csv:1: missing column 'address'")), command=CHECK),
    Case("send-list-invalid-utf8", press(HEADER.encode() + b"\xff@x.example,X,en,,\n"),
         (line("lists/press.csv: invalid UTF-8"),), command=CHECK),
    Case("send-list-name-with-line-break",
         press('eve@x.example,"Eve\nBcc: victim@x.example",en,,\n'),
         (line("lists/press.csv:3: the name contains a control character"),), command=CHECK),
    Case("send-mail-unknown-key", press(GOOD, MAIL + 'pasword = "hunter2"\n'),
         (r"^syndicate\.toml:\d+: unknown key 'pasword' in \[mail\]",), command=CHECK),
    Case("send-no-mail-table", press(GOOD, ""),
         (line("syndicate.toml: no [mail] table"),), command=SEND),
    Case("send-unknown-list", press(GOOD),
         (line("lists/ngo.csv: no list 'ngo' (lists: press)"),),
         command=("send", ID, "--list", "ngo", "--now", NOW)),
    Case("send-draft", also(press(GOOD), lambda w: w.edit(f"{S}/statement.yaml", "original: pt",
                                                          "original: pt\ndraft: true")),
         (line(f"{S}: a draft is never sent"),), command=SEND),
    Case("send-before-go-live-without-embargoed", press(GOOD),
         (line(f"{S}: goes live at 2022-11-22T00:00:00+00:00"),),
         command=("send", ID, "--list", "press", "--now", "2022-11-21T12:00:00+00:00")),
    Case("send-corrected-but-not-republished",
         also(press(GOOD), lambda w: w.edit(f"{S}/statement.yaml", "original: pt",
                                            "original: pt\nupdated: 2022-11-23T10:00:00+00:00")),
         (line(f"dist/pt/{ID}/index.html: published before the statement's last change"),),
         command=SEND),
    Case("send-dkim-key-not-a-key",
         also(press(GOOD, MAIL + 'dkim_key = "dkim.pem"\ndkim_selector = "press"\n'),
              lambda w: w.write("dkim.pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                                            "-----END RSA PRIVATE KEY-----\n")),
         (r"^syndicate\.toml:\d+: dkim_key: dkim\.pem is not a PEM RSA private key",),
         command=SEND),
    Case("send-unsubscribe-token-without-secret",
         press(GOOD, MAIL + 'unsubscribe = "https://press.example.org/u?a={address}&t={token}"\n'),
         (r"^syndicate\.toml:\d+: the unsubscribe template uses \{token\}: set "
          "SYNDICATE_UNSUBSCRIBE_SECRET",), command=SEND),
    Case("send-server-unreachable", press(GOOD),
         (r"^syndicate\.toml:\d+: cannot connect to 127\.0\.0\.1:1: ",
          line("Error: Sent 0 message(s); 1 not sent (cannot connect")), command=SEND),
]
