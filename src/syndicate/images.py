"""Statement images made safe to publish: checked, stripped of metadata, re-encoded.

Pure functions (bytes in, bytes out; no disk, no clock). An image is published only as one of
four kinds, recognised by its content, never by its name alone, and named with the matching
extension (a web server serves it by that name):

* PNG, JPEG and WebP are decoded by Pillow (only those three decoders) within a pixel budget
  (:data:`MAX_IMAGE_PIXELS`, against decompression bombs), turned upright as their EXIF
  orientation says, converted to sRGB when they carry a colour profile, and encoded again with
  nothing but the pixels: no EXIF (GPS positions, camera serial numbers), no XMP, no ICC
  profile, no PNG text chunks, no comments. A JPEG that needs no turning keeps its own
  quantization tables (no second generation of loss); of a phone's MPO file (a JPEG followed by
  a depth map or a preview) only the photo is kept. Same input, same bytes.
* SVG is parsed by lxml without network, DTD or entities, and rebuilt from an allow-list of
  drawing elements and attributes: no script, no event handler, no ``foreignObject``, no
  ``<image>``, no link but to a ``#fragment`` of the same file, no stylesheet that imports or
  fetches.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_IMAGE_BYTES = 10_000_000  # a statement image's file size
MAX_IMAGE_PIXELS = 40_000_000  # width x height (a 40-megapixel photo)
MAX_SVG_ELEMENTS = 20_000
JPEG_QUALITY = 90  # for a JPEG that had to be turned or converted
WEBP_QUALITY = 90
EXTENSIONS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".svg": "SVG"}
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp",
               "SVG": "image/svg+xml"}
KIND_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "SVG": "SVG"}
_RASTER_MODES = {"PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"},
                 "JPEG": {"L", "RGB"}, "WEBP": {"RGB", "RGBA"}}  # (CMYK: to RGB, for browsers
# and for the PDF/A communiqués, whose output intent is sRGB)

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
SVG_ELEMENTS = frozenset("""
    svg g defs symbol use switch title desc path rect circle ellipse line polyline polygon
    text tspan textPath linearGradient radialGradient stop clipPath mask pattern marker style
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence
""".split())
SVG_ATTRIBUTES = frozenset("""
    id class style version viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r
    rx ry fx fy fr d points pathLength transform dx dy rotate textLength lengthAdjust
    startOffset method spacing offset gradientUnits gradientTransform spreadMethod
    patternUnits patternContentUnits patternTransform clipPathUnits maskUnits
    maskContentUnits markerUnits markerWidth markerHeight refX refY orient filterUnits
    primitiveUnits in in2 result mode type values operator k1 k2 k3 k4 stdDeviation
    edgeMode order kernelMatrix divisor bias targetX targetY preserveAlpha
    surfaceScale diffuseConstant specularConstant specularExponent kernelUnitLength
    azimuth elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle scale
    xChannelSelector yChannelSelector baseFrequency numOctaves seed stitchTiles radius
    tableValues slope intercept amplitude exponent flood-color flood-opacity
    lighting-color fill fill-opacity fill-rule stroke stroke-width stroke-opacity
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset
    opacity color display visibility overflow clip clip-path clip-rule mask filter
    marker-start marker-mid marker-end stop-color stop-opacity font-family font-size
    font-style font-weight font-variant font-stretch text-anchor text-decoration
    dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
    writing-mode direction unicode-bidi paint-order vector-effect shape-rendering
    text-rendering image-rendering color-interpolation color-interpolation-filters
    mix-blend-mode isolation transform-origin media
""".split())
_URL = re.compile(r"url\(\s*(['\"]?)\s*([^)'\"]*)", re.IGNORECASE)
_UNSAFE_CSS = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding",
                         re.IGNORECASE)


_ENTITIES = "declares XML entities (<!ENTITY>): save the SVG without a DOCTYPE"


class ImageError(ValueError):
    """Why an image cannot be published (a message to follow the image's name)."""


def kind_of_name(name: str) -> str | None:
    """The kind an image's file name promises (``PNG``, ``JPEG``, ``WEBP``, ``SVG``), or None.

    >>> kind_of_name("charts/Chart.JPG"), kind_of_name("notes.txt")
    ('JPEG', None)
    """
    return EXTENSIONS.get(posixpath.splitext(name)[1].lower())


def media_type(name: str) -> str:
    return MEDIA_TYPES[kind_of_name(name) or "PNG"]


def sniff(data: bytes) -> str | None:
    """The raster kind ``data`` starts like, or None (then it may be SVG, or nothing)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def sanitize(name: str, data: bytes) -> bytes:
    """The bytes to publish for the image file ``name`` holding ``data``; raises ImageError.

    >>> svg = sanitize("dot.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()">'
    ...                b'<script>alert(2)</script><circle r="1"/></svg>')
    >>> svg.decode().splitlines()[1]
    '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>'
    """
    expected = kind_of_name(name)
    if expected is None:
        raise ImageError("is not named .png, .jpg, .jpeg, .webp or .svg")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"is {len(data):,} bytes; the limit is {MAX_IMAGE_BYTES:,}")
    kind = sniff(data)
    if kind is None:
        root = _parse_svg(data, expected == "SVG")
        kind = "SVG" if root is not None else None
    if kind is None:
        raise ImageError("is not a PNG, JPEG, WebP or SVG image")
    if kind != expected:
        article = "an" if kind == "SVG" else "a"
        raise ImageError(f"is {article} {KIND_NAMES[kind]} image, not {KIND_NAMES[expected]}: "
                         "give the file the extension of what it is")
    if kind == "SVG":
        assert root is not None
        return _clean_svg(root)
    return _reencode(data, kind)


# Raster images -------------------------------------------------------------------------------


def _reencode(data: bytes, kind: str) -> bytes:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageError(_too_many_pixels(f" ({width:,} x {height:,})"))
                # (A phone's JPEG is often MPO: the photo, then a depth map or a preview.)
                if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
                    raise ImageError("is animated; only still images are published")
                image.load()
                return _encode(image, kind)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_too_many_pixels()) from None
    except Exception as exc:  # noqa: BLE001  (a decoder's many errors: truncated, corrupt, ...)
        raise ImageError(f"cannot be read as {KIND_NAMES[kind]}: {exc}") from None


def _too_many_pixels(size: str = "") -> str:
    return (f"has too many pixels{size}; the limit is {MAX_IMAGE_PIXELS:,} (a decompression "
            "bomb?): scale it down")


def _encode(image: Image, kind: str) -> bytes:
    from PIL import ImageOps

    orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation
    profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    keep_jpeg = (image.format == "JPEG" and orientation in (1, None) and not profile
                 and image.mode in _RASTER_MODES[kind])
    if not keep_jpeg:
        image = ImageOps.exif_transpose(image)
        if profile:
            image = _to_srgb(image, profile)
    if image.mode not in _RASTER_MODES[kind]:
        alpha = "A" in image.mode or transparency is not None
        image = image.convert("RGBA" if alpha and kind != "JPEG" else "RGB")
        transparency = None
    # Nothing of the source but its pixels: Pillow's encoders read some metadata (ICC profile,
    # comment, EXIF) from ``info`` when it is not given.
    image.info = {} if transparency is None else {"transparency": transparency}
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, "PNG", compress_level=6)
    elif keep_jpeg:
        image.save(out, "JPEG", quality="keep")
    elif kind == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def _to_srgb(image: Image, profile: bytes) -> Image:
    """``image`` in sRGB (its embedded profile applied), or as it is when that fails."""
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return image if converted is None else converted  # (None only when converted in place)


# SVG -----------------------------------------------------------------------------------------


def _parse_svg(data: bytes, named_svg: bool) -> etree._Element | None:
    """The root of ``data`` parsed as SVG; None when it is no XML at all (and not named .svg);
    raises ImageError for a file that is SVG, or named so, but cannot be published."""
    if b"<!ENTITY" in data:  # (before parsing: libxml2 would expand internal ones)
        raise ImageError(_ENTITIES)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if named_svg:
            raise ImageError(f"is not well-formed SVG: {exc}") from None
        return None
    if etree.QName(root).text != f"{{{SVG}}}svg":
        if named_svg:
            raise ImageError(f"is not an SVG image (its root is <{etree.QName(root).localname}> "
                             f"without the SVG namespace {SVG})")
        return None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ImageError(_ENTITIES)
    if sum(1 for _ in root.iter()) > MAX_SVG_ELEMENTS:
        raise ImageError(f"has more than {MAX_SVG_ELEMENTS:,} SVG elements: simplify it")
    return root


def _clean_svg(root: etree._Element) -> bytes:
    _clean_attributes(root)
    _clean_children(root)
    etree.cleanup_namespaces(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _clean_children(element: etree._Element) -> None:
    for child in list(element):
        if not _allowed_element(child):
            _drop(child)
            continue
        _clean_attributes(child)
        _clean_children(child)


def _allowed_element(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):  # a comment, a processing instruction, an entity
        return False
    name = etree.QName(element)
    if name.namespace != SVG or name.localname not in SVG_ELEMENTS:
        return False
    return name.localname != "style" or _safe_style(element.text or "")


def _clean_attributes(element: etree._Element) -> None:
    for attribute, value in list(element.attrib.items()):
        if not _allowed_attribute(etree.QName(attribute), value):
            del element.attrib[attribute]


def _allowed_attribute(name: etree.QName, value: str) -> bool:
    if name.localname == "href" and name.namespace in (None, XLINK):
        return value.strip().startswith("#")
    if name.namespace == XML:
        return name.localname in ("space", "lang")
    if name.namespace is not None or name.localname not in SVG_ATTRIBUTES:
        return False  # event handlers (onload...), editors' attributes, anything unknown
    return _safe_style(value)


def _safe_style(text: str) -> bool:
    """Whether CSS (or an attribute value) fetches nothing: ``url()`` only of a ``#fragment``.

    >>> _safe_style("fill: url(#g)"), _safe_style("fill: url('http://x/y')")
    (True, False)
    """
    if _UNSAFE_CSS.search(text):
        return False
    return all(target.strip().startswith("#") for _, target in _URL.findall(text))


def _drop(element: etree._Element) -> None:
    """Remove ``element`` and what it holds, keeping the text that follows it."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
