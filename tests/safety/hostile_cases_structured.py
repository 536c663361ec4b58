"""Hostile cases for the structured data in the pages' heads (issue 22): a title, summary or
tag that tries to end the JSON-LD ``<script>`` (``</script>``, ``<!--``, ``<script>``) publishes,
and a reader finds the statement's words as they were written, in one ``<script>`` that is
JSON-LD and nothing else: no second script, no markup from the title in the head."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import extruct
import lxml.html
from hostile_harness import PUBLISH, Case, S, World

EN = f"{S}/en.md"
BREAKOUTS = {
    "title": "R&D </script><script>alert(1)</script><!-- <script> -->",
    "summary": "<!--<script>alert(2)//</script>--> & </SCRIPT >",
    "tags": "</script><img src=x onerror=alert(3)>",
}


def front(key: str, value: str) -> Callable[[World], None]:
    """en.md's front-matter line ``key: ...`` set to ``value`` (a JSON string is YAML)."""

    def apply(world: World) -> None:
        source = world.path(EN).read_text(encoding="utf-8")
        line = f"{key}: {json.dumps([value] if key == 'tags' else value)}"
        if re.search(rf"(?m)^{key}:", source):
            source = re.sub(rf"(?m)^{key}:.*$", lambda _: line, source, count=1)
        else:
            source = source.replace("---\n", f"---\n{line}\n", 1)
        world.write(EN, source)

    return apply


def reads_back(key: str, value: str) -> Callable[[World], list[str]]:
    """The problems a reader finds on the English page: its JSON-LD as extruct reads it must
    carry ``value`` whole, and the page must hold that one script and no other."""

    def check(world: World) -> list[str]:
        page = next((world.project / "dist" / "en").glob("*/index.html"))
        text = page.read_text(encoding="utf-8")
        tree = lxml.html.fromstring(text)
        problems = [f"{page}: <script> in the body" for _ in tree.body.iter("script")]
        scripts = list(tree.head.iter("script"))
        if [s.get("type") for s in scripts] != ["application/ld+json"]:
            problems.append(f"{page}: head scripts {[s.get('type') for s in scripts]}")
        problems += [f"{page}: <{e.tag}> in the head" for e in tree.head.iter("img", "b")]
        articles = extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"]
        if len(articles) != 1:
            return [*problems, f"{page}: {len(articles)} JSON-LD objects"]
        field = {"title": "headline", "summary": "description", "tags": "keywords"}[key]
        found = articles[0].get(field)
        if found != ([value] if key == "tags" else value):
            problems.append(f"{page}: {field} read back as {found!r}")
        return problems

    return check


CASES = [
    Case(f"structured-data-{key}-cannot-end-the-script", front(key, value), (), exit=0,
         command=PUBLISH, after=reads_back(key, value))
    for key, value in BREAKOUTS.items()
]
