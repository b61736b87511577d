"""
The page players play on, served from files shipped in the package.

C{imaginary/frontends/web/page/} holds plain HTML, CSS and JavaScript:
no build step, no CDN, no third-party request (the Content-Security-Policy
would refuse one anyway).  C{GET /} is C{index.html}; its script and
style sheet are under C{/static/}.  Files are read once and kept: they
are small, and they only change with a new release.
"""

from importlib import resources

from twisted.web.resource import NoResource, Resource

from .headers import securePage

TYPES = {
    ".html": b"text/html; charset=utf-8",
    ".js": b"text/javascript; charset=utf-8",
    ".css": b"text/css; charset=utf-8",
    ".svg": b"image/svg+xml",
}


def shippedFile(name):
    """The bytes of C{name} in the page's folder, or None."""
    folder = resources.files(__package__ + ".page")
    candidate = folder.joinpath(name)
    if "/" in name or name.startswith(".") or not candidate.is_file():
        return None
    return candidate.read_bytes()


class StaticFiles(Resource):
    """/static/NAME: the page's script, style sheet and icon."""

    def __init__(self):
        super().__init__()
        self._files = {}

    def getChild(self, path, request):
        """
        The shipped file C{path} names (kept in memory once read), or a 404 for
        a name or type not shipped.
        """
        name = path.decode("utf-8", "replace")
        suffix = name[name.rfind("."):] if "." in name else ""
        if suffix not in TYPES:
            return NoResource()
        body = self._files.get(name)
        if body is None:
            body = shippedFile(name)
            if body is None:
                return NoResource()
            self._files[name] = body
        return ShippedFile(body, TYPES[suffix])


class ShippedFile(Resource):
    """One static file with the security headers every page carries."""

    isLeaf = True

    def __init__(self, body, contentType):
        super().__init__()
        self.body = body
        self.contentType = contentType

    def render_GET(self, request):
        """The file's bytes, with its content type and the security headers."""
        securePage(request, self.contentType)
        return self.body
