"""
Folding names the way players compare them.

A player types "ilkay" for İlkay, "isik" or "ışık" for Işık, "zoe" for
Zoë: names are compared case-folded, with accents and other combining
marks dropped, and the Turkish dotless ı taken as i (its capital I folds
to i already, and the dotted İ to i with a combining dot that goes).
Plain lower() gets both Turkish i's wrong.  (Account and character names
are also compared with look-alike letters merged: imaginary.accounts'
nameKey builds on the same folding.)
"""

import functools
import unicodedata


@functools.lru_cache(maxsize=8192)
def foldName(text):
    """C{text} as names are compared: folded case, no marks, ı as i."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded
                   if not unicodedata.combining(c)).replace("ı", "i")
