"""A test project in three scripts' worth of trouble: an English original, its European
Portuguese and Arabic translations, emoji (a flag among them) in the title and the summary, a
GFM table and a long English text that the PDF must hyphenate.

Shared by the tests that publish it (``tests/render/test_pdf_scripts.py``); :func:`write_project`
writes it into a folder and returns that folder.
"""

# ruff: noqa: E501 (prose lines)

from __future__ import annotations

from pathlib import Path

STATEMENT_ID = "2023-05-02-migration-compact"

ARABIC = """
[languages.ar]
tag = "ar"
title = "الحكومة البرتغالية — بيانات صحفية"
description = "البيانات الصحفية للحكومة البرتغالية"
issuer = "الحكومة البرتغالية"

[languages.ar.contact]
name = "المكتب الصحفي"
email = "press@example.org"
phone = "+351 213 923 500"
"""  # the Arabic language of a site (also the validators' Arabic site)

CONFIG = """\
base_url = "https://press.example.org/"
timezone = "Europe/Lisbon"
default_language = "en"

[languages.en]
tag = "en"
title = "Portuguese Government — Press statements"
description = "Press statements of the Portuguese Government"
issuer = "Portuguese Government"

[languages.pt]
tag = "pt-PT"
title = "Governo de Portugal — Comunicados"
description = "Comunicados de imprensa do Governo de Portugal"
issuer = "Governo de Portugal"
""" + ARABIC

STATEMENT_YAML = "date: 2023-05-02\noriginal: en\n"

# Long English paragraphs full of long words, so that the justified text hyphenates many times.
PARAGRAPHS = [
    "The Portuguese Government welcomed the unanimous endorsement of the Global Compact for Safe, Orderly and Regular Migration by the intergovernmental conference, an internationally negotiated framework that strengthens cooperation among countries of origin, transit and destination, and reaffirms the fundamental responsibilities of governments towards migrants and refugees.",
    "Representatives of the participating delegations emphasized that comprehensive, evidence-based migration governance requires sustained investment in institutional capacity, transparent administrative procedures and accountability mechanisms, together with consultations involving municipalities, employers, trade unions, universities, humanitarian organizations and diaspora associations.",
    "The Secretary of State for Internationalization highlighted the extraordinary contribution of immigrant communities to demographic sustainability, entrepreneurship, technological innovation and intercultural understanding, and announced complementary programmes for professional qualification, recognition of foreign qualifications, language instruction and accessible healthcare.",
    "Portugal was elected to chair the implementation review, a responsibility that the Government accepted with determination. Environmental degradation, desertification, unemployment and humanitarian emergencies displace millions of people every year; international solidarity, predictability and shared responsibility remain indispensable for protecting their dignity.",
    "Notwithstanding considerable progress, the participating governments acknowledged persistent difficulties: bureaucratic complexity, discriminatory practices, insufficient information and the vulnerability of unaccompanied children. The Government committed to simplifying regularization, strengthening anti-trafficking coordination and guaranteeing interpretation services in every administrative department.",
]

TABLE_EN = """\
| Year | Arrivals | Change |
|:-----|---------:|-------:|
| 2021 | 111,000 | +8% |
| 2022 | 117,000 | +5% |
"""

EN = f"""---
title: "Portugal 🇵🇹 welcomes the Global Compact for Migration 🌍"
summary: "The Portuguese Government 🇵🇹 welcomed the endorsement of the Global Compact for Migration 🤝 and announced new programmes."
place: Lisbon
tags: [migration]
---

{chr(10).join(p + chr(10) for p in PARAGRAPHS)}
See the [conference's documents](https://www.un.org/en/conferences/migration/global-compact-for-safe-orderly-regular-migration) for the full text.

{TABLE_EN}"""

PT = """---
title: "Portugal 🇵🇹 saúda o Pacto Global para as Migrações 🌍"
summary: "O Governo português 🇵🇹 saudou a aprovação do Pacto Global para as Migrações 🤝 e anunciou novos programas."
place: Lisboa
tags: [migrações]
---

O Governo português saudou a aprovação unânime do Pacto Global para uma Migração Segura, Ordenada e Regular pela conferência intergovernamental, um quadro negociado internacionalmente que reforça a cooperação entre os países de origem, de trânsito e de destino.

| Ano | Chegadas | Variação |
|:----|---------:|---------:|
| 2021 | 111 000 | +8% |
| 2022 | 117 000 | +5% |
"""

AR = """---
title: "البرتغال 🇵🇹 ترحب بالميثاق العالمي للهجرة 🌍"
summary: "رحبت الحكومة البرتغالية 🇵🇹 باعتماد الميثاق العالمي من أجل الهجرة الآمنة والمنظمة والنظامية 🤝 وأعلنت عن برامج جديدة."
place: لشبونة
---

رحبت الحكومة البرتغالية باعتماد المؤتمر الحكومي الدولي بالإجماع للميثاق العالمي من أجل الهجرة الآمنة والمنظمة والنظامية، وهو إطار تم التفاوض عليه دوليًا يعزز التعاون بين بلدان المنشأ والعبور والمقصد.

المنظمة الدولية للهجرة هي وكالة الأمم المتحدة المسؤولة عن إدارة الهجرة الدولية، انظر [موقع المنظمة الدولية للهجرة](https://www.iom.int/) ووثائق المؤتمر الكاملة على الموقع الرسمي للأمم المتحدة في أقرب وقت ممكن.

النص الكامل على https://www.un.org/ar/ للاطلاع.

| السنة | عدد الوافدين | التغير |
|:--|--:|--:|
| 2021 | 111000 | +8% |
| 2022 | 117000 | +5% |
"""

TRANSLATIONS = {"en": EN, "pt": PT, "ar": AR}


def write_project(root: Path) -> Path:
    """Write the project into ``root`` (created) and return it."""
    folder = root / "statements" / STATEMENT_ID
    folder.mkdir(parents=True)
    (root / "syndicate.toml").write_text(CONFIG, encoding="utf-8")
    (folder / "statement.yaml").write_text(STATEMENT_YAML, encoding="utf-8")
    for lang, text in TRANSLATIONS.items():
        (folder / f"{lang}.md").write_text(text, encoding="utf-8")
    return root
