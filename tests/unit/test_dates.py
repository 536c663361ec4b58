"""Dates: a bare date is the start of that day in the site's time zone; datelines use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import SHIPPED_ID, write
from syndicate.config import load_site
from syndicate.i18n import dateline
from syndicate.sources import load_statements


@pytest.mark.parametrize(
    ("value", "utc"),
    [
        ("2022-11-22", datetime(2022, 11, 22, 0, 0, tzinfo=UTC)),  # Lisbon winter: UTC+0
        ("2023-06-01", datetime(2023, 5, 31, 23, 0, tzinfo=UTC)),  # Lisbon summer: UTC+1
        ("2023-03-26", datetime(2023, 3, 26, 0, 0, tzinfo=UTC)),  # DST starts at 01:00 that day
        ("2023-10-29", datetime(2023, 10, 28, 23, 0, tzinfo=UTC)),  # DST ends at 02:00 that day
        ("2022-11-22T23:30:00-05:00", datetime(2022, 11, 23, 4, 30, tzinfo=UTC)),
        ("2022-11-22T10:00:00Z", datetime(2022, 11, 22, 10, 0, tzinfo=UTC)),
    ],
)
def test_statement_dates(project: Path, value: str, utc: datetime) -> None:
    write(project / "statements" / SHIPPED_ID / "statement.yaml", f"date: {value}\noriginal: pt\n")
    site = load_site(project)
    [statement] = load_statements(project, site).statements
    assert statement.date == utc
    assert statement.date.utcoffset() is not None


def test_dateline_uses_the_site_time_zone(project: Path) -> None:
    site = load_site(project)
    # 23:30 in New York on the 22nd is already the 23rd in Lisbon.
    moment = datetime(2022, 11, 22, 23, 30, tzinfo=UTC) - timedelta(hours=-5)
    assert dateline("Lisboa", moment, site.tzinfo, "pt_PT") == "Lisboa, 23 de novembro de 2022"
    assert dateline("Lisbon", moment, site.tzinfo, "en") == "Lisbon, November 23, 2022"


def test_pt_is_european_portuguese(project: Path) -> None:
    site = load_site(project)
    assert site.language("pt").locale == "pt_PT"
    assert site.language("pt").tag == "pt-PT"


def test_updated_before_date_is_an_error(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    write(
        project / "statements" / SHIPPED_ID / "statement.yaml",
        "date: 2022-11-22\nupdated: 2022-11-21T10:00:00+00:00\noriginal: pt\n",
    )
    result = run("check", "--project", project)
    assert result.exit_code == 1
    assert "statement.yaml:2: updated is earlier than date" in result.stderr
