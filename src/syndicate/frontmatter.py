"""One source file of a statement, read and checked: ``statement.yaml`` or a translation's
front matter. A :class:`SourceFile` collects its problems and warnings with their lines; YAML
is read safely (no tags, anchors or deep nesting) with the line of every key."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from syndicate.errors import SHOWN_PER_FILE, Problem
from syndicate.files import MAX_FILE_BYTES, NotRegularFile, TooLarge, read_regular
from syndicate.model import Site
from syndicate.when import WHEN, parse_when

# Characters XML 1.0 cannot carry (and so no feed can): C0 controls but tab/LF/CR, surrogates,
# U+FFFE and U+FFFF.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_YAML_DEPTH = 10  # front matter needs 2 (a list in a mapping)
# Front-matter text is laid out in every PDF, page and feed: a very long title kept each PDF's
# layout busy (see benchmarks/hostile.md). Generous for a press statement.
TEXT_LIMITS = {"title": 500, "summary": 2_000, "place": 200, "correction": 2_000, "tag": 100}
MAX_TAGS = 50



class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings so we parse them ourselves."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules on libyaml's C parser (much faster), for well-formed front matter;
    anything it rejects is parsed again by :class:`_Loader`, whose messages are the reference."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class _Fallback(Exception):
    """The fast parser gave up: parse with the reference loader."""


@dataclass(slots=True)
class YamlMapping:
    """A YAML mapping's values with the line of each key."""

    values: dict[str, Any]
    lines: dict[str, int]


class SourceFile:
    """One source file being validated; collects its problems."""

    def __init__(
        self,
        path: Path,
        problems: list[Problem],
        first_line: int = 1,
        warnings: list[Problem] | None = None,
    ) -> None:
        self.path = path
        self.shown = str(path)
        self.problems = problems
        self.offset = first_line - 1
        self.warnings = warnings

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.shown, line, message))

    def warn(self, line: int | None, message: str) -> None:
        if self.warnings is not None:
            self.warnings.append(Problem(self.shown, line, message, True))

    def read_text(self) -> str | None:
        try:
            raw = read_regular(self.path, MAX_FILE_BYTES)
        except (NotRegularFile, TooLarge) as exc:
            self.error(None, str(exc.strerror))
            return None
        except OSError as exc:
            self.error(None, f"cannot read: {exc.strerror}")
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.error(line, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
            return None
        if raw.startswith(b"\xef\xbb\xbf"):
            self.warn(1, "byte order mark removed")
        if "\r" in text:
            self.warn(text.count("\n", 0, text.index("\r")) + 1, "CRLF line endings converted")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.refuse_characters(text):
            return None
        normalized = unicodedata.normalize("NFC", text)
        if normalized != text:
            pairs = enumerate(zip(text, normalized, strict=False))
            first = next((i for i, (a, b) in pairs if a != b), 0)
            self.warn(text.count("\n", 0, first) + 1, "text normalized to NFC")
        return normalized

    def refuse_characters(self, text: str) -> bool:
        """Report the characters XML cannot carry (the first few with their lines: the count
        of lines before each grows with the file); True when there is one."""
        line, position, found = 1, 0, 0
        for match in XML_INVALID.finditer(text):
            found += 1
            if found == SHOWN_PER_FILE:  # this line and those before: all that is shown
                self.error(None, f"{len(XML_INVALID.findall(text, match.start())):,} more "
                                 "characters that are not allowed (control characters)")
                break
            line += text.count("\n", position, match.start())
            position = match.start()
            self.error(line, f"character U+{ord(match.group()):04X} is not allowed "
                             "(a control character that feeds and pages cannot carry)")
        return found > 0

    def refuse_tags_and_aliases(self, text: str, loader: type[Any] = _Loader) -> bool:
        """Report the first YAML tag (``!!python/object``...), anchor, alias or too deep
        nesting; True when there is none.

        Safe loading already constructs no objects; refusing aliases also rules out alias
        bombs (billion laughs), the depth limit PyYAML's recursion, and a statement never
        needs any of them.
        """
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            line = (event.start_mark.line if event.start_mark else 0) + 1 + self.offset
            tag = getattr(event, "tag", None)
            message = None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                message = "YAML anchors and aliases (&name, *name) are not allowed: write the "
                message += "value out"
            elif tag and tag != "!" and not (
                isinstance(event, yaml.ScalarEvent) and event.implicit[0]
            ):
                shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
                message = f"YAML tag {shown!r} is not allowed: write plain values"
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    message = f"YAML nested more than {MAX_YAML_DEPTH} levels deep"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if message:
                self.error(line, message)
                return False
        return True

    def parse_yaml(self, text: str, allowed: set[str]) -> YamlMapping | None:
        if _FastLoader is not _Loader and not yaml.reader.Reader.NON_PRINTABLE.search(text):
            before = len(self.problems)
            try:
                return self._parse_yaml(text, allowed, _FastLoader)
            except _Fallback:
                del self.problems[before:]
        return self._parse_yaml(text, allowed, _Loader)

    def _parse_yaml(self, text: str, allowed: set[str],
                    loader_class: type[Any]) -> YamlMapping | None:
        try:
            loader = loader_class(text)
        except yaml.reader.ReaderError as exc:  # a character YAML does not accept
            where = text.count("\n", 0, exc.position) + 1 + self.offset
            message = f"character U+{exc.character:04X} is not allowed in YAML"
            self.error(where, f"{message} (a control character)")
            return None
        try:
            if not self.refuse_tags_and_aliases(text, loader_class):
                return None
            return self._mapping(loader, allowed)
        except yaml.YAMLError as exc:
            if loader_class is _FastLoader:
                raise _Fallback from exc
            self._malformed(exc, text)
            return None
        finally:
            loader.dispose()

    def _mapping(self, loader: Any, allowed: set[str]) -> YamlMapping | None:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {})
        if not isinstance(node, yaml.MappingNode):
            self.error(
                node.start_mark.line + 1 + self.offset,
                "expected 'key: value' lines, not a single value or list",
            )
            return None
        mapping = YamlMapping({}, {})
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + self.offset
            key = self._key(loader, key_node, line, mapping, allowed)
            if key is not None and (value := self._value(loader, value_node, key, line)):
                mapping.values[key] = value[0]
                mapping.lines[key] = line
        return mapping

    def _key(self, loader: Any, node: yaml.Node, line: int, mapping: YamlMapping,
             allowed: set[str]) -> str | None:
        """The key at ``line`` if it is a word this file may have, once; else None, reported."""
        try:
            key = loader.construct_object(node, deep=True)
        except ValueError:  # Python's limit on digits (4,300) of a number
            key = "(a number too long to read)"
        if not isinstance(key, str):
            self.error(line, f"key {key!r} must be a word")
        elif key in mapping.values:
            self.error(line, f"duplicate key {key!r} (first on line {mapping.lines[key]})")
        elif key not in allowed:
            self.error(line, f"unknown key {key!r} (known keys: {', '.join(sorted(allowed))})")
        else:
            return key
        return None

    def _value(self, loader: Any, node: yaml.Node, key: str, line: int) -> tuple[Any] | None:
        """(the value of ``key``,), or None when it cannot be taken (reported)."""
        try:
            value = _join_surrogates(loader.construct_object(node, deep=True))
        except ValueError:  # Python's limit on digits (4,300) of a number
            self.error(line, f"{key} is a number too long to read: write text in "
                             "quotes, or a shorter number")
            return None
        if (bad := _invalid_character(value)) is not None:  # e.g. "\x00" or "\uD800"
            kind = ("a lone surrogate, half of a UTF-16 pair" if "\ud800" <= bad <= "\udfff"
                    else "a control character")
            self.error(line, f"character U+{ord(bad):04X} is not allowed ({kind} "
                             "that feeds and pages cannot carry, written as a YAML escape)")
            return None
        return (value,)

    def _malformed(self, exc: yaml.YAMLError, text: str) -> None:
        if not isinstance(exc, yaml.MarkedYAMLError):
            self.error(None, f"malformed YAML: {exc}")
            return
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + self.offset if mark else None
        hint = _quote_hint(text, mark.line) if mark and exc.problem == COLON_PROBLEM else ""
        self.error(line, f"malformed YAML: {exc.problem or exc.context}{hint}")

    def string(
        self,
        mapping: YamlMapping,
        key: str,
        *,
        required: bool = False,
        missing_line: int | None = None,
    ) -> str:
        value = mapping.values.get(key)
        if value is None:
            if required and key in mapping.values:
                self.error(mapping.lines[key], f"{key} is empty")
            elif required:
                self.error(missing_line, f"missing {key}")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(mapping.lines[key], f"{key} must be text")
            return ""
        text = " ".join(str(value).split())
        if len(text) > TEXT_LIMITS.get(key, len(text)):
            self.error(mapping.lines[key], f"{key} is {len(text):,} characters long; the limit "
                                           f"is {TEXT_LIMITS[key]:,}")
            return ""
        if required and not text:
            self.error(mapping.lines[key], f"{key} is empty")
        elif required and not any(map(_visible, text)):
            self.error(mapping.lines[key], f"{key} has no visible character "
                       f"(only {', '.join(sorted({f'U+{ord(c):04X}' for c in text}))})")
            return ""
        elif (unclosed := _unclosed_bidi(text)) is not None:
            self.error(mapping.lines[key], f"{key}: {unicodedata.name(unclosed).lower()} "
                       f"(U+{ord(unclosed):04X}) is not closed, so it would reorder what "
                       "follows the text in titles, feeds and PDFs: close it or remove it")
            return ""
        return text

    def flag(self, mapping: YamlMapping, key: str) -> bool:
        value = mapping.values.get(key, False)
        if not isinstance(value, bool):
            self.error(mapping.lines[key], f"{key} must be true or false")
            return False
        return value

    def fingerprint(self, mapping: YamlMapping, key: str) -> tuple[tuple[str, str], ...]:
        """A mapping of short words to short strings, e.g. the hashes ``translated`` writes."""
        value = mapping.values.get(key)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.error(mapping.lines[key], f"{key} must map names to hashes (written by "
                                           "`syndicate translated`)")
            return ()
        return tuple(sorted(value.items()))

    def tags(self, mapping: YamlMapping) -> tuple[str, ...] | None:
        if "tags" not in mapping.values:
            return None
        value = mapping.values["tags"]
        line = mapping.lines["tags"]
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            self.error(line, "tags must be a list of words, e.g. [migration, IOM]")
            return ()
        tags = tuple(dict.fromkeys(" ".join(t.split()) for t in value))
        if len(tags) > MAX_TAGS or any(len(tag) > TEXT_LIMITS["tag"] for tag in tags):
            self.error(line, f"tags: at most {MAX_TAGS} tags of at most {TEXT_LIMITS['tag']} "
                             "characters each")
            return ()
        return tags

    def when(self, mapping: YamlMapping, key: str, site: Site, *,
             required: bool) -> datetime | None:
        if key not in mapping.values:
            if required:
                self.error(None, f"missing {key} ({WHEN})")
            return None
        value, line = mapping.values[key], mapping.lines[key]
        if not isinstance(value, str):
            self.error(line, f"{key} must be {WHEN}")
            return None
        return parse_when(
            value.strip(), site, lambda message: self.error(line, f"{key}: {message}")
        )


COLON_PROBLEM = "mapping values are not allowed here"  # PyYAML's words for `key: a: b`


def _quote_hint(text: str, index: int) -> str:
    """For a value with ``: `` in it: how to write it, quoted."""
    key, _, value = text.split("\n")[index].partition(":")
    if not key.strip() or key[:1].isspace() or not value.strip():
        return ""
    quoted = json.dumps(value.strip(), ensure_ascii=False)
    return f"; a value with ': ' in it must be quoted: {key.strip()}: {quoted}"


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts), or None when there is no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    return None


def no_front_matter(text: str) -> str:
    """Why :func:`split_front_matter` found none in ``text``."""
    first = text.split("\n", 1)[0]
    if first.lstrip("\ufeff").rstrip() == "---":
        if first.startswith("\ufeff"):
            return ("a second byte order mark (U+FEFF) before the front matter's '---': "
                    "remove it (save the file as UTF-8 without BOM)")
        return "front matter not closed: end it with a line '---' before the body"
    return "missing front matter: start the file with '---', then 'title: ...', then '---'"


# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
_BLANK = set("\u115f\u1160\u3164\uffa0\u2800")
_EMBEDDINGS, _POP = set("\u202a\u202b\u202d\u202e"), "\u202c"
_ISOLATES, _POP_ISOLATE = set("\u2066\u2067\u2068"), "\u2069"


def _visible(char: str) -> bool:
    """True for a character that draws something: a letter, digit, punctuation or symbol.

    >>> _visible("a"), _visible("\u200b"), _visible("\u3164")
    (True, False, False)
    """
    return unicodedata.category(char)[0] in "LNPS" and char not in _BLANK


def _unclosed_bidi(text: str) -> str | None:
    """The first bidirectional embedding, override or isolate of ``text`` still open at its
    end (as Unicode's bidi algorithm pairs them), or None.

    >>> _unclosed_bidi("\u202eevil"), _unclosed_bidi("\u2067x\u2069 and \u202by\u202c")
    ('\u202e', None)
    """
    stack: list[str] = []
    for char in text:
        if char in _EMBEDDINGS or char in _ISOLATES:
            stack.append(char)
        elif char == _POP and stack and stack[-1] in _EMBEDDINGS:
            stack.pop()
        elif char == _POP_ISOLATE and any(c in _ISOLATES for c in stack):
            while stack.pop() not in _ISOLATES:
                pass
    return stack[0] if stack else None


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_surrogates(value: Any) -> Any:
    """``value`` with each UTF-16 surrogate pair made the character it stands for, as JSON
    reads them: YAML's ``"\\ud83d\\ude00"`` is one emoji (PyYAML decodes each half alone)."""
    if isinstance(value, str):
        return _SURROGATE_PAIR.sub(
            lambda pair: pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"),
            value)
    if isinstance(value, list):
        return [_join_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_join_surrogates(k): _join_surrogates(v) for k, v in value.items()}
    return value


def _invalid_character(value: object) -> str | None:
    """The first character XML cannot carry in a YAML value (escapes such as ``"\\x00"`` in a
    double-quoted string make one without its byte ever being in the file)."""
    if isinstance(value, str):
        match = XML_INVALID.search(value)
        return match.group() if match else None
    if isinstance(value, list | tuple):
        return next((c for c in map(_invalid_character, value) if c is not None), None)
    if isinstance(value, dict):
        return _invalid_character([*value.keys(), *value.values()])
    return None
