"""The text ``syndicate new`` writes where the statement is to be, in the original's language.

``check`` warns while it is still in a statement (see :mod:`syndicate.sources`).

>>> placeholder("pt_PT")
'Escreva aqui o comunicado.'
>>> placeholder("sv_SE")  # a language without its own: English
'Write the statement here.'
>>> placeholder_line("Intro.\\n\\nEscreva aqui o comunicado.\\n")
3
"""

from __future__ import annotations

PLACEHOLDERS = {  # by the locale's language
    "en": "Write the statement here.",
    "pt": "Escreva aqui o comunicado.",
    "fr": "Rédigez ici le communiqué.",
    "es": "Escriba aquí el comunicado.",
    "ar": "اكتب نص البيان هنا.",
}


def placeholder(locale: str) -> str:
    """The placeholder for a CLDR locale (``pt_PT``) or language; English when there is none."""
    return PLACEHOLDERS.get(locale.replace("-", "_").split("_")[0], PLACEHOLDERS["en"])


def placeholder_line(body: str) -> int | None:
    """The line (from 1) of ``body`` where a placeholder still stands, or None."""
    for number, line in enumerate(body.split("\n"), 1):
        if any(text in line for text in PLACEHOLDERS.values()):
            return number
    return None
