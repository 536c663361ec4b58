"""Command line interface (placeholder until the pipeline lands)."""

import click


@click.group()
def main() -> None:
    """syndicate: publish statements as feeds, PDFs and share kits."""
