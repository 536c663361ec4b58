"""Press lists: `check` reports every problem with its line; lists never reach the output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mailkit
from mailkit import cli, send

from conftest import write

certificate, published, make_project = mailkit.certificate, mailkit.published, mailkit.make_project
plain_server = mailkit.plain_server

BAD = """address,name,language,tags,accredited
ana@jornal.example,Ana,pt-BR,,yes
not-an-address,X,en,,
Ana@Jornal.Example,Ana again,pt,,
carl@x.example,Carl,de,,no
dora@x.example,Dora,xx-!!,,no
eve@x.example,"Eve
Bcc: evil@x.example",en,,no
fred@x.example,Fred,en,,maybe
"""


def test_check_reports_every_list_problem_with_its_line(project: Path) -> None:
    write(project / "lists" / "press.csv", BAD)
    write(project / "lists" / "other.csv", "email,language\nx@y.example,en\n")
    shared = project / "statements" / mailkit.SID / "statement.yaml"
    shared.write_text(shared.read_text() + "embargoe: 2022-11-23\n")  # and a content problem
    result = cli("check", "--project", project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line.replace(str(project) + "/", "") for line in result.stderr.splitlines()]
    expected = [
        "lists/other.csv:1: unknown column 'email'",
        "lists/other.csv:1: missing column 'address'",
        "lists/press.csv:3: invalid address 'not-an-address'",
        "lists/press.csv:4: Ana@jornal.example is already on line 2",
        "lists/press.csv:5: the site publishes no language for 'de' (it publishes pt-PT, en)",
        "lists/press.csv:6: unknown language tag 'xx-!!'",
        "lists/press.csv:8: the name contains a control character",
        "lists/press.csv:9: accredited must be yes or no, not 'maybe'",
        f"statements/{mailkit.SID}/statement.yaml:3: ",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert lines[-1] == f"Error: {len(expected)} problems found"


def test_check_accepts_a_good_list(project: Path) -> None:
    write(project / "lists" / "press.csv",
          "address,name,language,tags,accredited\nana@jornal.example,Ana,pt-BR en,a b,yes\n")
    result = cli("check", "--project", project)
    assert result.exit_code == 0, result.output


def test_an_unknown_list_is_named(plain_server: mailkit.Server,
                                  make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server)
    result = cli("send", mailkit.SID, "--project", project, "--list", "nope", "--now",
                 mailkit.NOW)
    assert result.exit_code == 1
    assert "lists/nope.csv: no list 'nope' (lists: press)" in result.stderr
    assert plain_server.inbox.messages == []
    assert send(project, "--tag", "economy").exit_code == 0  # only Bob has this tag
    assert [m.recipients for m in plain_server.inbox.messages] == [["bob@paper.example"]]


def test_lists_never_reach_the_published_output(published: Path) -> None:
    addresses = [b"ana@jornal.example", b"bob@paper.example", b"chloe@journal.example"]
    files = [p for p in (published / "dist").resolve().rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert not any(address in data for address in addresses), path


def test_a_mail_table_is_checked(project: Path) -> None:
    with (project / "syndicate.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[mail]\nhost = "smtp.example"\nfrom = "press@example.org"\nhots = 1\n'
                     'security = "ssl"\nunsubscribe = "http://x.example/{who}"\n')
    result = cli("check", "--project", project)
    assert result.exit_code == 1
    lines = [line.replace(str(project) + "/", "") for line in result.stderr.splitlines()]
    assert lines[:3] == [
        "syndicate.toml:21: unknown key 'hots' in [mail] (known keys: attach, cafile, "
        "connections, dkim_domain, dkim_key, dkim_selector, from, host, port, rate, reply_to, "
        "retries, retry_delay, security, timeout, unsubscribe)",
        "syndicate.toml:22: security must be starttls, tls or none, not 'ssl'",
        "syndicate.toml:23: unsubscribe must be an https: or mailto: URL template, not "
        "'http://x.example/{who}'",
    ]


def test_an_address_on_two_lists_gets_one_message(plain_server: mailkit.Server,
                                                  make_project: Callable[..., Path]) -> None:
    project = make_project(plain_server, attach="link")
    write(project / "lists" / "ngo.csv", "address,language\nANA@Jornal.example,en\n"
                                         "dora@ngo.example,en\n")
    result = send(project, "--list", "ngo")
    assert result.exit_code == 0, result.output
    assert "Sent 4 message(s)" in result.stdout
    received = sorted(r for m in plain_server.inbox.messages for r in m.recipients)
    assert received == ["ana@jornal.example", "bob@paper.example", "chloe@journal.example",
                        "dora@ngo.example"]
    (ana,) = plain_server.inbox.to("ana@jornal.example")
    assert ana["Content-Language"] == "pt-PT"  # the first list naming her wins
    again = send(project, "--list", "ngo")
    assert "Sent 0 message(s); 4 already sent earlier" in again.stdout
