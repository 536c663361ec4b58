"""A project's own interface words (locales/) broken in every way a hand-edited catalog can be.

A catalog that cannot be read, or a word that cannot be filled in (a placeholder the English
lacks, a lone %), stops publish with its path and line.
"""

from __future__ import annotations

import os

from hostile_harness import CHECK, Case, World

PO = "locales/pt_PT/LC_MESSAGES/messages.po"
HEAD = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'


def _write(text: str | bytes):  # type: ignore[no-untyped-def]
    def apply(world: World) -> None:
        world.write(PO, text)

    return apply


def _folder(world: World) -> None:
    world.path(PO).unlink()
    world.path(PO).mkdir()


def _unreadable(world: World) -> None:
    path = world.write(PO, HEAD)
    os.chmod(path, 0)
    world.later(lambda: os.chmod(path, 0o644))


def _two_broken(world: World) -> None:
    world.edit("syndicate.toml", 'tag = "en"', 'tag = "fr"')
    world.write(PO, HEAD + 'msgid "Share"\nbogus\n')
    world.write("locales/fr/LC_MESSAGES/messages.po", HEAD.encode() + b"\xff\n")


CASES = [
    Case("locales-invalid-utf8", _write(HEAD.encode() + b'msgid "Share"\nmsgstr "\xff"\n'),
         (rf"^{PO}:5: invalid catalog: invalid UTF-8 \(a catalog is UTF-8 text\)$",)),
    Case("locales-bad-line", _write(HEAD + 'msgid "Share"\nmsgstr "Partilhe"\nbogus\n'),
         (rf"^{PO}:6: invalid catalog: .*'bogus",)),
    Case("locales-two-broken-catalogs-in-one-run", _two_broken,
         (rf"^{PO}:5: invalid catalog: .*'bogus",
          r"^locales/fr/LC_MESSAGES/messages.po:4: invalid catalog: invalid UTF-8",
          r"^Error: 2 problems found$"),
         command=CHECK),
    Case("locales-catalog-is-a-folder", _folder,
         (rf"^{PO}: not a regular file$",)),
    Case("locales-catalog-unreadable", _unreadable,
         (rf"^{PO}: Permission denied$",), unprivileged=True),
    Case("locales-unknown-placeholder",
         _write(HEAD + 'msgid "Share on %(platform)s"\nmsgstr "Partilhe no %(rede)s"\n'),
         (rf"^{PO}:4: translation of 'Share on %\(platform\)s': '%\(rede\)s' is no "
          r"placeholder of the original \(it has '%\(platform\)s'\)$",)),
    Case("locales-lone-percent", _write(HEAD + 'msgid "Share"\nmsgstr "Partilhar 100%"\n'),
         (rf"^{PO}:4: translation of 'Share': '%' is no placeholder of the original",),
         command=CHECK),
    Case("locales-pt-br-without-words",
         lambda world: world.edit("syndicate.toml", 'tag = "pt-PT"', 'tag = "pt-BR"'),
         (r"^locales/pt_BR/LC_MESSAGES/messages.po: warning: no interface words for pt-BR "
          r"\(pt_BR\): 'Archive %\(number\)s', 'Copy the text'.* "
          r"\(pt-PT's words are not used for pt-BR: if pt-PT is "
          r'meant, write tag = "pt-PT"\)',),
         command=(*CHECK, "--strict")),
]
