"""
What a telnet client says about itself, read into what the server needs:
its colour depth (from MTTS bits and terminal type names), the MSSP
table MUD crawlers read, and the compressor for a client that accepts
MCCP2.  Pure functions: the telnet protocol (telnet.py) gathers the
facts, this decides.
"""

import zlib

# MTTS bits (the last TTYPE answer, "MTTS <number>").
MTTS_ANSI, MTTS_UTF8, MTTS_256, MTTS_TRUECOLOR = 1, 4, 8, 256
MSSP_VAR, MSSP_VAL = b"\x01", b"\x02"

# Terminal type names known to show the 16 ANSI colours.
SIXTEEN_COLOUR_NAMES = ("xterm", "ansi", "vt100", "tintin", "mudlet",
                        "mushclient", "screen")


def colourDepth(mtts, terminalTypes):
    """
    None, "16", "256" or "truecolour" for a client that sent the MTTS
    bits C{mtts} and the terminal type names C{terminalTypes}.
    """
    if mtts & MTTS_TRUECOLOR:
        return "truecolour"
    if mtts & MTTS_256:
        return "256"
    if mtts & MTTS_ANSI:
        return "16"
    names = " ".join(terminalTypes).lower()
    if "256color" in names:
        return "256"
    if any(n in names for n in SIXTEEN_COLOUR_NAMES):
        return "16"
    return None


def msspPayload(variables):
    """The MSSP subnegotiation's payload for a dict of variables."""
    parts = []
    for key, value in variables.items():
        clean = [str(key).encode("utf-8"), str(value).encode("utf-8")]
        clean = [c.translate(None, b"\x00\x01\x02\xff") for c in clean]
        parts.append(MSSP_VAR + clean[0] + MSSP_VAL + clean[1])
    return b"".join(parts)


# MCCP2's zlib stream: a 4 KiB window (wbits 12) and small hash tables
# (memLevel 5) instead of zlib's 32 KiB and level 8.  zlib's defaults cost
# about 270 KB per connection whether or not much is ever sent (so a few
# hundred idle clients that say DO MCCP2 hold tens of MB); these cost
# about 30 KB, and game text, which repeats within a screen, compresses
# nearly as well (bench/mccp_memory.py measures both).  Any standard
# inflater reads the stream: a window smaller than the default is
# always fine for it.
MCCP_LEVEL, MCCP_WBITS, MCCP_MEMLEVEL = 6, 12, 5


def mccpCompressor():
    """A zlib compressor for one client's MCCP2 stream (zlib format)."""
    return zlib.compressobj(MCCP_LEVEL, zlib.DEFLATED, MCCP_WBITS,
                            MCCP_MEMLEVEL)
