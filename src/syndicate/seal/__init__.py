"""Seals: proof that a communiqué is the press office's (issue 25).

settings   the ``[seal]`` table of ``syndicate.toml``; the passphrase or PIN from the environment
signer     the key and certificate (PKCS#12 or a PKCS#11 token), checked before any rendering
sealing    a rendered PDF -> the PDF with a PAdES seal appended; the manifest's CMS signature
verify     a sealed PDF, or a published folder (signed manifest, every file's hash)
"""

import warnings

# cryptography 51 deprecates DSA, and pyHanko imports its DSA key types as it loads (its
# validator looks them up again for a DSA signature). No seal here is DSA (RSA or ECDSA), so
# the warning, printed to whoever seals or verifies, would say nothing about their seal.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")
