"""WebSub: remember which feeds a publish changed, and tell the hub about them.

A publish compares each subscription feed it renders (not the archives, which are no WebSub
topics) with the checksum the previous publish recorded in ``manifest.json``; when the site
names a hub it writes the changed feeds' URLs to ``websub.json`` in the output (listed in the
manifest like any other file). ``syndicate ping`` reads that file and POSTs
``hub.mode=publish`` and ``hub.url=<feed>`` to the hub, one request per feed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from syndicate.errors import SyndicateError, display_path
from syndicate.model import Artifact, Site

CHANGES = "websub.json"
TOPIC_KINDS = frozenset({"rss", "atom", "jsonfeed"})  # subscription feeds, not archives
FORM_TYPE = "application/x-www-form-urlencoded"
TIMEOUT = 10.0  # seconds per request


class PingError(SyndicateError):
    """The hub could not be notified, or there is nothing to notify it of."""


@dataclass(frozen=True, slots=True)
class Changes:
    hub: str
    feeds: tuple[str, ...]  # absolute URLs of the feeds the last publish changed


def record_changes(site: Site, artifacts: Iterable[Artifact],
                   previous: Mapping[str, str]) -> Iterator[Artifact]:
    """Pass ``artifacts`` through; when the site has a hub, add ``websub.json`` at the end."""
    changed: list[str] = []
    for artifact in artifacts:
        if (artifact.kind in TOPIC_KINDS
                and previous.get(artifact.path) != hashlib.sha256(artifact.data).hexdigest()):
            changed.append(site.base_url + artifact.path)
        yield artifact
    if site.websub_hub:
        document = {"hub": site.websub_hub, "changed": sorted(changed)}
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        yield Artifact(CHANGES, "websub", None, None, data)


def load_changes(out: Path) -> Changes:
    path = out / CHANGES
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Changes(str(document["hub"]), tuple(str(url) for url in document["changed"]))
    except FileNotFoundError:
        raise PingError(f"{display_path(path)} not found: publish first, with a hub "
                        "configured ([feeds] hub in syndicate.toml)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PingError(f"{display_path(path)}: unreadable ({exc})") from None


def ping(changes: Changes, timeout: float = TIMEOUT) -> Iterator[str]:
    """Notify the hub of each changed feed; yield each feed's URL once the hub accepted it."""
    import urllib.error
    import urllib.parse
    import urllib.request  # (here: every publish imports this module, a ping is rare)

    for feed in changes.feeds:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed}).encode("ascii")
        request = urllib.request.Request(changes.hub, data=body, method="POST",
                                         headers={"Content-Type": FORM_TYPE})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()
            raise PingError(f"the hub {changes.hub} refused {feed}: "
                            f"HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise PingError(f"cannot reach the hub {changes.hub}: {reason}") from None
        yield feed


def no_pending_feeds(current: Path) -> bool:
    """Whether the current publish's ``websub.json`` (if any) names no changed feed: else a
    publish without changes is still a new publish, one that changed no feed."""
    try:
        return not load_changes(current).feeds
    except PingError:
        return True
