"""The templates' ``_`` is Jinja's newstyle gettext: translated, marked safe, variables escaped."""

from __future__ import annotations

from conftest import REPO
from syndicate.i18n import load_translations
from syndicate.templating import environment

SOURCE = (
    "{{ _('Press release') }}|{{ _('Share on %(platform)s', platform=name) }}|"
    "{{ _('Corrected on %(date)s', date='<b>1 & 2</b>') }}|{{ _('Not in the catalog: 100%%') }}"
)


def test_underscore_is_jinjas_newstyle_gettext() -> None:
    env = environment(load_translations(REPO / "locales", "pt_PT"))
    ours = env.from_string(SOURCE).render(name="X <&>")
    jinjas = env.from_string(SOURCE.replace("_(", "gettext(")).render(name="X <&>")
    assert ours == jinjas
    assert ours == (
        "Comunicado de imprensa|Partilhar no X &lt;&amp;&gt;|"
        "Corrigido em &lt;b&gt;1 &amp; 2&lt;/b&gt;|Not in the catalog: 100%"
    )


def test_each_language_keeps_its_own_words() -> None:
    english = environment(load_translations(REPO / "locales", "en"))
    portuguese = environment(load_translations(REPO / "locales", "pt_PT"))
    template = "{{ _('Download PDF') }}"
    assert english.from_string(template).render() == "Download PDF"
    assert portuguese.from_string(template).render() == "Descarregar PDF"
