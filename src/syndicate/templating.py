"""The Jinja2 environment shared by every HTML-producing renderer.

One environment per language (its gettext catalog installed), autoescaping on, templates from the
package's ``templates/`` folder.
"""

from __future__ import annotations

import gettext

import jinja2


def environment(translations: gettext.NullTranslations) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("syndicate", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env
