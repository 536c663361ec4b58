"""syndicate: write a statement once per language; publish feeds, PDF communiqués and share kits."""

__version__ = "0.1.0"
