"""WeasyPrint, imported without its slow search for native libraries.

WeasyPrint 70 opens each native library it needs (GObject, Pango, PangoFT2, HarfBuzz and its
subsetter, fontconfig) by trying up to six names, one per platform; for a name without a path,
cffi asks :func:`ctypes.util.find_library`, which on Linux runs ``ldconfig``, then ``gcc``,
then ``ld``: about 10 ms for each name that is not there, about twenty of them, 0.15-0.2 s of
every worker's start here. Each list also holds the Linux file name (``libpango-1.0.so.0``),
which the dynamic loader finds on its own, so while WeasyPrint imports, :func:`load` has that
search answer "not found" at once: the loader then opens the very files a search would have
named. Should the import fail that way, it imports again with the real search.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType

_lock = threading.Lock()


def load() -> ModuleType:
    """The ``weasyprint`` module, imported on first use in this process (see above; while it
    imports, a search by another thread also answers "not found").

    Under a lock, so that another thread never gets a module still being imported.
    """
    with _lock:
        if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
            import ctypes.util

            real = ctypes.util.find_library
            ctypes.util.find_library = _not_found
            try:
                import weasyprint  # noqa: F401
            except OSError:
                for name in [name for name in sys.modules
                             if name == "weasyprint" or name.startswith("weasyprint.")]:
                    del sys.modules[name]
            finally:
                ctypes.util.find_library = real
        import weasyprint  # noqa: F401  (the real search, if the quick one failed)

        return sys.modules["weasyprint"]


def _not_found(name: str) -> None:
    return None
