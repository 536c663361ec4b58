import sys

try:
    from syndicate.cli import run
except KeyboardInterrupt:  # Ctrl-C while the tool starts: as the command group says it later
    sys.stderr.write("Interrupted: nothing was written.\n")
    raise SystemExit(130) from None

run()
