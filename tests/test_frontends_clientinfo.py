"""imaginary.frontends.clientinfo: colour depth and the MSSP table."""

from imaginary.frontends.clientinfo import (
    MTTS_256, MTTS_ANSI, MTTS_TRUECOLOR, colourDepth, msspPayload)


def test_colour_depth_from_mtts_then_names():
    assert colourDepth(MTTS_TRUECOLOR | MTTS_ANSI, []) == "truecolour"
    assert colourDepth(MTTS_256 | MTTS_ANSI, ["TINTIN++"]) == "256"
    assert colourDepth(MTTS_ANSI, []) == "16"
    assert colourDepth(0, ["XTERM-256COLOR"]) == "256"
    assert colourDepth(0, ["Mudlet"]) == "16"
    assert colourDepth(0, ["DUMB"]) is None


def test_mssp_payload_keeps_the_framing_bytes_out_of_values():
    payload = msspPayload({"NAME": "Imag\x01inary", "PLAYERS": 3})
    assert payload == b"\x01NAME\x02Imaginary\x01PLAYERS\x023"
