"""A generator of realistic synthetic syndicate projects, for the benchmarks.

``python benchmarks/corpus.py --statements 1000 OUT`` writes a project folder ``OUT`` with the
shipped project's ``syndicate.toml`` and ``locales/`` and N bilingual statements (Portuguese and
English, Portuguese the original four times in five), each with 1 to 3 pages of body: paragraphs
with accents and «» quotes, headings, lists, block quotes and links, tags in both languages, and
dates spread over a decade. The same N and seed always give the same bytes (``random.Random``).
The English translations record the fingerprint of their original, as ``syndicate translated``
would, so ``syndicate check --strict`` passes.

:func:`generate` returns the statements as plain records; :mod:`peers` writes the same content
as a Hugo and a Pelican site.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("pt", "en")
FIRST_DAY = date(2015, 1, 5)
LAST_DAY = date(2026, 10, 30)  # before the benchmark's --now

# Parallel vocabularies: the same index gives the Portuguese and the English phrase.
SUBJECTS = [
    ("O Governo português", "The Portuguese Government"),
    ("O Ministério dos Negócios Estrangeiros", "The Ministry of Foreign Affairs"),
    ("O Conselho de Ministros", "The Council of Ministers"),
    ("A Secretária de Estado da Saúde", "The Secretary of State for Health"),
    ("O Primeiro-Ministro", "The Prime Minister"),
    ("A Ministra da Educação", "The Minister of Education"),
    ("A Agência para a Integração, Migrações e Asilo", "The Agency for Integration, Migration "
     "and Asylum"),
    ("O Instituto da Conservação da Natureza", "The Institute for Nature Conservation"),
]
VERBS = [
    ("aprovou hoje", "approved today"),
    ("anunciou", "announced"),
    ("reafirmou o seu compromisso com", "reaffirmed its commitment to"),
    ("saúda", "welcomes"),
    ("apresentou em Bruxelas", "presented in Brussels"),
    ("assinou um acordo sobre", "signed an agreement on"),
    ("lançou a consulta pública sobre", "launched the public consultation on"),
]
OBJECTS = [
    ("o programa nacional de habitação acessível", "the national affordable housing programme"),
    ("a estratégia para a transição energética", "the strategy for the energy transition"),
    ("a reforma da administração pública", "the reform of public administration"),
    ("o plano de ação para as migrações", "the action plan for migration"),
    ("a cooperação com os países de língua portuguesa",
     "cooperation with Portuguese-speaking countries"),
    ("o reforço do Serviço Nacional de Saúde", "the strengthening of the National Health Service"),
    ("a proteção das zonas costeiras e dos oceanos", "the protection of coastal areas and oceans"),
    ("a digitalização das escolas do ensino básico", "the digitalisation of primary schools"),
    ("o orçamento para a ciência e a inovação", "the budget for science and innovation"),
]
COMPLEMENTS = [
    ("em articulação com as autarquias", "together with the municipalities"),
    ("até ao final da legislatura", "by the end of the legislature"),
    ("no âmbito do Plano de Recuperação e Resiliência",
     "under the Recovery and Resilience Plan"),
    ("com um investimento de 120 milhões de euros", "with an investment of 120 million euros"),
    ("em cooperação com a União Europeia", "in cooperation with the European Union"),
    ("após ouvir os parceiros sociais", "after hearing the social partners"),
    ("nas regiões autónomas dos Açores e da Madeira",
     "in the autonomous regions of the Azores and Madeira"),
]
QUOTES = [
    ("«Este é um passo decisivo para o país», sublinhou o ministro.",
     "“This is a decisive step for the country”, the minister stressed."),
    ("«Ninguém pode ficar para trás», afirmou a secretária de Estado.",
     "“No one can be left behind”, the Secretary of State said."),
    ("Segundo o comunicado, a medida é «uma prioridade política de primeira ordem».",
     "According to the statement, the measure is “a political priority of the first order”."),
]
HEADINGS = [
    ("Principais medidas", "Main measures"),
    ("Próximos passos", "Next steps"),
    ("Contexto", "Background"),
    ("Financiamento e execução", "Funding and implementation"),
]
LIST_ITEMS = [
    ("criação de 3 500 novas vagas em creches", "3,500 new places in nurseries"),
    ("apoio às famílias com rendimentos mais baixos", "support for lower-income families"),
    ("simplificação dos procedimentos de licenciamento", "simpler licensing procedures"),
    ("formação de técnicos em ação climática", "training of staff in climate action"),
    ("reforço das equipas de saúde pública", "more public health teams"),
    ("avaliação independente ao fim de dois anos", "an independent review after two years"),
]
LINKS = [
    ("https://www.portugal.gov.pt/", "portal do Governo", "Government portal"),
    ("https://eur-lex.europa.eu/", "legislação europeia", "European legislation"),
    ("https://www.un.org/", "Nações Unidas", "United Nations"),
]
TAGS = [
    ("migrações", "migration"), ("saúde", "health"), ("educação", "education"),
    ("habitação", "housing"), ("ambiente", "environment"), ("União Europeia", "European Union"),
    ("cooperação", "cooperation"), ("orçamento", "budget"), ("ciência", "science"),
    ("oceanos", "oceans"), ("CPLP", "CPLP"), ("administração pública", "public administration"),
]
PLACES = [("Lisboa", "Lisbon"), ("Porto", "Porto"), ("Bruxelas", "Brussels"),
          ("Nova Iorque", "New York"), ("Coimbra", "Coimbra"), ("Funchal", "Funchal")]
SLUG_WORDS = ["habitacao", "saude", "oceanos", "migracoes", "escolas", "energia", "ciencia",
              "cplp", "orcamento", "reforma", "acordo", "consulta"]


@dataclass(frozen=True)
class Text:
    """One language of a statement."""

    title: str
    summary: str
    place: str
    tags: tuple[str, ...]
    body: str  # Markdown


@dataclass(frozen=True)
class Record:
    id: str
    day: date
    original: str
    texts: dict[str, Text]  # by language code


def _sentence(rng: random.Random) -> tuple[str, str]:
    s, v, o, c = (rng.randrange(len(x)) for x in (SUBJECTS, VERBS, OBJECTS, COMPLEMENTS))
    return tuple(  # type: ignore[return-value]
        f"{SUBJECTS[s][i]} {VERBS[v][i]} {OBJECTS[o][i]} {COMPLEMENTS[c][i]}." for i in (0, 1)
    )


def _paragraph(rng: random.Random) -> tuple[str, str]:
    sentences = [_sentence(rng) for _ in range(rng.randint(3, 6))]
    if rng.random() < 0.35:
        sentences.insert(rng.randrange(len(sentences) + 1), QUOTES[rng.randrange(len(QUOTES))])
    if rng.random() < 0.25:
        url, pt, en = LINKS[rng.randrange(len(LINKS))]
        sentences.append((f"Mais informação no [{pt}]({url}).", f"More in the [{en}]({url})."))
    return " ".join(s[0] for s in sentences), " ".join(s[1] for s in sentences)


def _body(rng: random.Random) -> tuple[str, str]:
    """1 to 3 A4 pages: 3 to 14 paragraphs, with a heading, a list or a quote now and then."""
    blocks: list[tuple[str, str]] = []
    for number in range(rng.randint(3, 14)):
        if number and rng.random() < 0.15:
            heading = HEADINGS[rng.randrange(len(HEADINGS))]
            blocks.append((f"## {heading[0]}", f"## {heading[1]}"))
        blocks.append(_paragraph(rng))
        if rng.random() < 0.12:
            items = rng.sample(LIST_ITEMS, rng.randint(2, 4))
            blocks.append(("\n".join(f"- {i[0]}" for i in items),
                           "\n".join(f"- {i[1]}" for i in items)))
        elif rng.random() < 0.08:
            quote = QUOTES[rng.randrange(len(QUOTES))]
            blocks.append((f"> {quote[0]}", f"> {quote[1]}"))
    return ("\n\n".join(b[0] for b in blocks) + "\n", "\n\n".join(b[1] for b in blocks) + "\n")


def generate(count: int, seed: int = 7) -> list[Record]:
    """``count`` bilingual statements, the same for the same arguments."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    records = []
    for number in range(count):
        day = FIRST_DAY + timedelta(days=span * number // max(count, 1) + rng.randrange(3))
        s, v, o = (rng.randrange(len(x)) for x in (SUBJECTS, VERBS, OBJECTS))
        title = tuple(f"{SUBJECTS[s][i]} {VERBS[v][i]} {OBJECTS[o][i]}" for i in (0, 1))
        summary = _sentence(rng)
        body = _body(rng)
        place = PLACES[rng.randrange(len(PLACES))]
        tags = rng.sample(TAGS, rng.randint(1, 4))
        slug = "-".join(rng.sample(SLUG_WORDS, 2))
        texts = {
            lang: Text(title[i], summary[i], place[i], tuple(t[i] for t in tags), body[i])
            for i, lang in enumerate(LANGS)
        }
        original = "pt" if rng.random() < 0.8 else "en"
        records.append(Record(f"{day.isoformat()}-{slug}-{number:05d}", day, original, texts))
    return records


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fingerprint(text: Text) -> dict[str, str]:
    """What ``syndicate translated`` records (syndicate.workflow.fingerprint)."""
    fields = {"title": text.title, "summary": text.summary, "body": text.body.strip()}
    return {k: hashlib.sha256(v.encode("utf-8")).hexdigest()[:12] for k, v in fields.items()}


def statement_markdown(record: Record, lang: str) -> str:
    text = record.texts[lang]
    lines = [
        "---",
        f"title: {_quoted(text.title)}",
        f"summary: {_quoted(text.summary)}",
        f"place: {text.place}",
        "tags: [" + ", ".join(_quoted(t) for t in text.tags) + "]",
    ]
    if lang != record.original:
        lines.append("translated_from:")
        fingerprint = _fingerprint(record.texts[record.original])
        lines += [f"  {key}: {_quoted(value)}" for key, value in fingerprint.items()]
    return "\n".join([*lines, "---", "", text.body])


def write_project(records: list[Record], out: Path) -> None:
    """A syndicate project: the shipped config and catalogs, and the statements."""
    if out.exists():
        shutil.rmtree(out)
    (out / "statements").mkdir(parents=True)
    shutil.copy2(ROOT / "syndicate.toml", out / "syndicate.toml")
    shutil.copytree(ROOT / "locales", out / "locales")
    for record in records:
        folder = out / "statements" / record.id
        folder.mkdir()
        (folder / "statement.yaml").write_text(
            f"date: {record.day.isoformat()}\noriginal: {record.original}\n", encoding="utf-8"
        )
        for lang in LANGS:
            (folder / f"{lang}.md").write_text(statement_markdown(record, lang), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="project folder to (re)create")
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_project(generate(args.statements, args.seed), args.out)
    print(f"{args.statements} statements in {args.out}")


if __name__ == "__main__":
    main()
