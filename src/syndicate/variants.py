"""The PDF flavours a communiqué can be written in (``[pdf] variant``, ``--pdf-variant``).

A module of its own so that ``syndicate --help`` names them without importing the model (its
dataclasses, zoneinfo and hashlib: about a tenth of the start-up).
"""

# "tagged" is a plain tagged PDF, the others archival (PDF/A-3) or accessible (PDF/UA-1).
PDF_VARIANTS = ("pdf/a-3u", "pdf/a-3b", "pdf/ua-1", "tagged")
DEFAULT_PDF_VARIANT = "pdf/a-3u"
