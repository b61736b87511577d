"""
What a telnet client says about itself, read into what the server needs:
its colour depth (from MTTS bits and terminal type names) and the MSSP
table MUD crawlers read.  Pure functions: the telnet protocol
(telnet.py) gathers the facts, this decides.
"""

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
