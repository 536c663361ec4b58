"""WeasyPrint imported through :func:`syndicate.render.weasy.load` opens the same native
libraries as a plain import, leaves ``ctypes.util.find_library`` as it was, and still works
when its quick way fails."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the quick import applies to Linux only")

LIBRARIES = ("gobject", "pango", "harfbuzz", "fontconfig")
# Prints the native libraries mapped into the process, then renders a line of text.
REPORT = """
import json
libraries = sorted({line.split()[-1] for line in open("/proc/self/maps")
                    if any(name in line for name in NAMES) and ".so" in line})
pdf = weasyprint.HTML(string="<p>Olá</p>").write_pdf()
print(json.dumps({"libraries": libraries, "pdf": pdf.startswith(b"%PDF-")}))
""".replace("NAMES", repr(LIBRARIES))


def run(script: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-W", "error", "-c", script + REPORT],
                          capture_output=True, text=True, check=True)
    report: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    report["printed"] = done.stdout.splitlines()[:-1]
    return report


def test_the_same_libraries_as_a_plain_import() -> None:
    plain = run("import weasyprint\n")
    quick = run(
        "import ctypes.util\n"
        "real = ctypes.util.find_library\n"
        "from syndicate.render import weasy\n"
        "weasyprint = weasy.load()\n"
        "assert ctypes.util.find_library is real\n"
        "assert weasy.load() is weasyprint\n"
    )
    assert quick == plain
    assert plain["printed"] == []
    assert plain["pdf"] is True
    names = " ".join(plain["libraries"])  # type: ignore[arg-type]
    assert all(f"lib{name}" in names for name in LIBRARIES), names


def test_falls_back_to_the_real_search() -> None:
    # The loader refuses the libraries' file names while the quick import runs: the quick
    # import fails, and the one with the real search (which finds them by their short names)
    # gives a working WeasyPrint.
    report = run(
        "import ctypes.util, cffi\n"
        "from syndicate.render import weasy\n"
        "real_dlopen = cffi.FFI.dlopen\n"
        "def dlopen(ffi, name, flags=0):\n"
        "    if ctypes.util.find_library is weasy._not_found and '.so' in str(name):\n"
        "        raise OSError(f'refused {name}')\n"
        "    return real_dlopen(ffi, name, flags)\n"
        "cffi.FFI.dlopen = dlopen\n"
        "weasyprint = weasy.load()\n"
        "cffi.FFI.dlopen = real_dlopen\n"
    )
    printed = " ".join(report["printed"])  # type: ignore[arg-type]
    assert "could not import some external libraries" in printed  # the quick way failed
    assert report["pdf"] is True
    names = " ".join(report["libraries"])  # type: ignore[arg-type]
    assert all(f"lib{name}" in names for name in LIBRARIES), names


# Renders a document whose fonts subset to new glyph counts, with cffi's C parser refusing
# glyph arrays: the types WeasyPrint asks for by length must come without it. Prints them.
SUBSETTING = """
from syndicate.render import weasy
weasyprint = weasy.load()
from weasyprint.text.ffi import ffi
parse = ffi._parser.parse_type
def no_arrays(declaration, *args, **kwargs):
    assert not declaration.startswith("hb_codepoint_t["), f"cffi parsed {declaration}"
    return parse(declaration, *args, **kwargs)
ffi._parser.parse_type = no_arrays
html = "<p>" + " ".join(chr(c) for c in range(0x41, 0x41 + 23)) + "</p>"
pdf = weasyprint.HTML(string=html).write_pdf()
made = ffi.new("hb_codepoint_t[1234]", list(range(1234)))
print(json.dumps({"pdf": pdf.startswith(b"%PDF-"), "type": ffi.getctype(ffi.typeof(made)),
                  "length": len(made), "last": made[1233]}))
"""


def test_font_subsetting_asks_cffi_for_array_types_it_does_not_parse() -> None:
    """WeasyPrint spells each glyph array's type with its length; cffi parsed each new one
    (3-10 ms). The types come ready-made, and are the types parsing would give."""
    done = subprocess.run([sys.executable, "-W", "error", "-c", "import json\n" + SUBSETTING],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "pdf": True, "type": "uint32_t[1234]", "length": 1234, "last": 1233}
    from syndicate.render import weasy

    weasy.load()
    from weasyprint.text.ffi import ffi

    with ffi._lock:  # the parser's own answer, as cffi makes it
        parsed = ffi._get_cached_btype(ffi._parser.parse_type("hb_codepoint_t[987]"))
    assert ffi.typeof("hb_codepoint_t[987]") is parsed
