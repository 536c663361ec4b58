"""The Jinja2 environment shared by every HTML-producing renderer.

One environment per language (its gettext catalog installed), autoescaping on, templates from the
package's ``templates/`` folder, each compiled once in a process (:class:`_Compiled`).
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable

import jinja2
from markupsafe import Markup


def environment(translations: gettext.NullTranslations) -> jinja2.Environment:
    # (Every environment is made here, alike: they share their templates' compiled code, which
    # Jinja keys by the template's name and source, not by the environment's settings.)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("syndicate", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_COMPILED,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _gettext(translations)
    return env


class _Compiled(jinja2.BytecodeCache):
    """The templates' compiled code, kept in memory for every environment of this process:
    they are all made alike (:func:`environment`), so a page template compiled for one
    language serves the others (Jinja checks each template's source against its code's). An
    edit's publish renders a page and an index page per language: compiled once, not per
    language (figures: ``benchmarks/notes.md``)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


def _gettext(translations: gettext.NullTranslations) -> Callable[..., Markup]:
    """What Jinja's newstyle ``_`` does with autoescaping on (the message marked safe, then
    ``%`` with the variables escaped), in one call instead of three through the template's
    context, each message looked up once: a statement page calls it 15-17 times."""

    @functools.cache
    def translated(message: str) -> Markup:
        return Markup(translations.gettext(message))

    def gettext(message: str, /, **variables: object) -> Markup:
        return translated(message) % variables

    return gettext
