"""
What every response of the web front end carries, and JSON answers.

The Content-Security-Policy allows only the game's own origin: no inline
script, no third-party request, no framing by another site.  C{'self'}
in connect-src covers the page's own ws:// or wss:// origin.
"""

import json

CSP = (b"default-src 'self'; base-uri 'none'; form-action 'self'; "
       b"frame-ancestors 'none'; object-src 'none'")


def securePage(request, contentType):
    """Set the content type and the security headers on a response."""
    request.setHeader(b"Content-Type", contentType)
    request.setHeader(b"Content-Security-Policy", CSP)
    request.setHeader(b"X-Content-Type-Options", b"nosniff")
    request.setHeader(b"Referrer-Policy", b"no-referrer")
    request.setHeader(b"X-Frame-Options", b"DENY")
    # Pages show who is logged in and the CSRF token: never cached.
    request.setHeader(b"Cache-Control", b"no-store")


def answer(request, code, value):
    """A JSON response: C{value} with HTTP status C{code}; the bytes."""
    request.setResponseCode(code)
    securePage(request, b"application/json; charset=utf-8")
    return json.dumps(value).encode("utf-8")


def refuse(request, code, sentence):
    """A refusal: C{{"error": sentence}} with status C{code}."""
    return answer(request, code, {"error": sentence})


def ownOrigin(request):
    """
    This server's origin as the request reached it ("http://host:port"):
    the scheme from the connection, the host from the Host header, which
    is what a browser puts in Origin when a page of ours makes a request.
    """
    scheme = "https" if request.isSecure() else "http"
    host = (request.getHeader(b"host") or b"").decode("latin-1")
    return f"{scheme}://{host}".lower()


def sameOrigin(request):
    """Whether the request's Origin header names this server's origin."""
    origin = request.getHeader(b"origin")
    if not origin or not request.getHeader(b"host"):
        return False
    return origin.decode("latin-1").lower() == ownOrigin(request)
