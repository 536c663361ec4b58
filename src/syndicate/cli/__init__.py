"""The command line: parse, call one function, report. The only package that prints or exits.

``base`` holds the group and the options several commands share; the commands live by what
they are for: ``site`` (init, publish, check, status, serve, ping), ``content`` (new,
translated, i18n, share) ``delivery`` (send) and ``proof`` (verify).
"""

from syndicate.cli import content, delivery, proof, site  # noqa: F401  (each adds its commands)
from syndicate.cli.base import main, run

__all__ = ["main", "run"]
