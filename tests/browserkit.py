"""
A real browser for the web client's tests: Debian's Chromium, headless,
driven by Playwright (its own browser download is never used: the
executable is /usr/bin/chromium, which bin/_clients.sh installs), and a
TCP relay the tests can cut to play a lost network.
"""

import os
import socket
import threading

import pytest

CHROMIUM = os.environ.get("IMAGINARY_CHROMIUM", "/usr/bin/chromium")

# The flags a sandboxed, offline machine needs: no sandbox as root, no
# GPU, and none of Chromium's own background connections (this machine's
# closed network refuses them, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-dev-shm-usage",
]


def launchChromium(playwright):
    """A headless Chromium, or the test fails saying what is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: bin/test installs Debian's "
                    f"chromium package (or set IMAGINARY_CHROMIUM)")
    return playwright.chromium.launch(executable_path=CHROMIUM,
                                      headless=True, args=CHROMIUM_ARGS)


class Relay:
    """
    A TCP relay from a free loopback port to C{port}: a page loaded
    through it talks to the server through it, and ``cut()`` drops every
    connection at once, as a lost network does, while the relay goes on
    accepting new ones.
    """

    def __init__(self, port):
        self.target = port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(
                    ("127.0.0.1", self.target), 5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b),
                                 daemon=True).start()

    def _pump(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """Drop every connection through the relay now."""
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        """Stop accepting (at once) and drop every connection."""
        self.closed = True
        try:
            # A close alone doesn't wake the thread blocked in accept(),
            # which would go on accepting one more connection.
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.cut()


OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const element of document.querySelectorAll('body *')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || getComputedStyle(element).visibility
                === 'hidden') continue;
        if (element.closest('.visually-hidden, .skip')) continue;
        if (box.right > width + 0.5 || box.left < -0.5) {
            found.push(element.tagName + '#' + element.id + '.' +
                       element.className + ' ' + Math.round(box.left) +
                       '..' + Math.round(box.right));
        }
    }
    if (document.documentElement.scrollWidth > width) {
        found.push('page scrolls sideways: ' +
                   document.documentElement.scrollWidth + ' > ' + width);
    }
    return found;
}"""


def overflowing(page):
    """The elements sticking out of the viewport's width (none is right)."""
    return page.evaluate(OVERFLOWING)
