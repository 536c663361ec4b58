"""WeasyPrint, imported without its slow search for native libraries.

WeasyPrint 70 opens each native library it needs (GObject, Pango, PangoFT2, HarfBuzz and its
subsetter, fontconfig) by trying up to six names, one per platform; for a name without a path, cffi
asks :func:`ctypes.util.find_library`, which on Linux runs ``ldconfig``, then ``gcc``, then ``ld``
for each name that is not there (about twenty of them), a noticeable part of every worker's start
(``benchmarks/notes.md``). Each list also holds the Linux file name (``libpango-1.0.so.0``), which
the dynamic loader finds on its own, so while WeasyPrint imports, :func:`load` has that search
answer "not found" at once: the loader then opens the very files a search would have named. Should
the import fail that way, it imports again with the real search.

Its font subsetting then asks cffi for a C array type spelled with its length
(``hb_codepoint_t[N]``), which cffi parses with pycparser for each new length (about eleven in a
worker's first communiqué and bilingual edition, more for every new length after). :func:`load` has
cffi's cache of parsed types answer those from the array type it already knows, without parsing: the
very same type object.

pydyf, which writes WeasyPrint's PDFs, compresses each stream (at zlib's level 9) every time the
stream's bytes are asked for, and a PDF with a file identifier asks twice: once to write it, once
to hash every object for the identifier. :func:`load` has pydyf compress each distinct stream once
(:class:`_CompressedOnce`): the same bytes, a third of the compressing (``benchmarks/notes.md``).
"""

from __future__ import annotations

import re
import sys
import threading
import zlib
from collections import OrderedDict
from types import ModuleType
from typing import Protocol

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

        _array_types_without_parsing()
        _streams_compressed_once()
        return sys.modules["weasyprint"]


def _not_found(name: str) -> None:
    return None


ARRAY = re.compile(r"hb_codepoint_t\[([0-9]+)\]")


class _Backend(Protocol):
    """What :class:`_ArrayTypes` asks of cffi's backend."""

    def new_array_type(self, pointer: object, length: int) -> object: ...


_Parsed = tuple[object, bool]  # a declaration's type, and whether it is a function


class _ArrayTypes(dict[object, _Parsed]):
    """cffi's cache of parsed types (``FFI._parsed_types``: a declaration -> its type and
    whether it is a function), which also answers ``hb_codepoint_t[N]`` for a new ``N`` by
    making the array type from the element's pointer type, as cffi's parser would."""

    def __init__(self, parsed: dict[object, _Parsed], backend: _Backend, pointer: object) -> None:
        super().__init__(parsed)
        self.backend, self.pointer = backend, pointer

    def __missing__(self, key: object) -> _Parsed:
        match = ARRAY.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise KeyError(key)
        found = self[key] = (self.backend.new_array_type(self.pointer, int(match[1])), False)
        return found


def _array_types_without_parsing() -> None:
    """Install :class:`_ArrayTypes` in WeasyPrint's FFI, when it is the cffi this was written
    for and the type made is the one parsing makes (else leave it: only slower)."""
    try:
        from weasyprint.text.ffi import ffi

        parsed = getattr(ffi, "_parsed_types", None)
        if type(parsed) is not dict:  # noqa: E721  (already installed, or another cffi)
            return
        pointer = ffi.typeof("hb_codepoint_t *")
        fast = _ArrayTypes(parsed, ffi._backend, pointer)
        if fast["hb_codepoint_t[2]"][0] is not ffi.typeof("hb_codepoint_t[2]"):
            return
        ffi._parsed_types = fast
    except Exception:  # noqa: BLE001  (an optimisation: never a reason to fail)
        return


class _Compressor(Protocol):
    """What a ``zlib.compressobj`` is to pydyf."""

    def compress(self, data: bytes, /) -> bytes: ...

    def flush(self, mode: int = zlib.Z_FINISH, /) -> bytes: ...


ZLIB_DEFAULTS = (zlib.DEFLATED, zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY)


class _CompressedOnce:
    """:mod:`zlib` for pydyf, but ``compressobj`` (fed one stream, then flushed): each distinct
    stream compressed once at each level; the streams a worker wrote last are kept with their
    compressed bytes, up to :data:`KEPT_BYTES` of both, the least recently asked for dropped
    first. A ``compressobj`` with any other setting than the level is zlib's own."""

    KEPT_BYTES = 8 * 1024 * 1024  # (a PDF asks for each of its streams twice while it is written)

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self._size = 0

    def compressobj(self, level: int = -1, method: int = zlib.DEFLATED,
                    wbits: int = zlib.MAX_WBITS, memLevel: int = zlib.DEF_MEM_LEVEL,  # noqa: N803
                    strategy: int = zlib.Z_DEFAULT_STRATEGY,
                    zdict: bytes | None = None) -> _Compressor:
        settings = (method, wbits, memLevel, strategy)
        if settings != ZLIB_DEFAULTS or zdict is not None:
            return zlib.compressobj(level, *settings, *([zdict] if zdict is not None else []))
        return _Stream(self, level)

    def __getattr__(self, name: str) -> object:  # (the rest of zlib, as it is)
        return getattr(zlib, name)

    def compressed(self, level: int, data: bytes) -> bytes:
        """``data`` as ``zlib.compressobj(level)`` compresses it (with its flush)."""
        key = (level, data)
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        compressor = zlib.compressobj(level)
        found = compressor.compress(data) + compressor.flush()
        self._keep(key, found)
        return found

    def _keep(self, key: tuple[int, bytes], compressed: bytes) -> None:
        size = len(key[1]) + len(compressed)
        if size > self.KEPT_BYTES:
            return  # (it would leave room for nothing else)
        while self._size + size > self.KEPT_BYTES:
            (_, data), dropped = self._kept.popitem(last=False)
            self._size -= len(data) + len(dropped)
        self._kept[key] = compressed
        self._size += size


class _Stream:
    """One ``compressobj`` of :class:`_CompressedOnce`: compresses what it was fed at its
    flush."""

    def __init__(self, once: _CompressedOnce, level: int) -> None:
        self._once, self._level, self._fed = once, level, bytearray()

    def compress(self, data: bytes) -> bytes:
        self._fed += data
        return b""

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        if mode != zlib.Z_FINISH:
            raise ValueError("only a whole stream is compressed here")
        data, self._fed = bytes(self._fed), bytearray()
        return self._once.compressed(self._level, data)


def _streams_compressed_once() -> None:
    """Give pydyf :class:`_CompressedOnce` for its :mod:`zlib` (when it is the module pydyf
    imported: else it is installed already, or pydyf changed, and this leaves it)."""
    pydyf = sys.modules.get("pydyf")
    if pydyf is not None and getattr(pydyf, "zlib", None) is zlib:
        vars(pydyf)["zlib"] = _CompressedOnce()  # (a module attribute pydyf looks up)
