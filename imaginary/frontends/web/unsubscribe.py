"""
/unsubscribe/TOKEN: one-click unsubscribe from game mail (RFC 8058).

Game mail to a player's real address carries C{List-Unsubscribe} with
this page's address and C{List-Unsubscribe-Post: List-Unsubscribe=One-
Click}: the player's mail provider POSTs that body here, with no cookie
and no Origin, and the token (a secret only that mail carries) is the
whole authority, so this page skips the CSRF and Origin checks every
other POST has.  A GET (a link scanner, or the player clicking the link)
changes nothing: it shows a button that makes the same POST.

A group's list mail (imaginary/mail/listmail.py) names the same address
with the member's token for that list: its POST stops that list's mail
to the real inbox and nothing else (the game's other mail, and the posts
in the game's mailbox, go on).
"""

import html

from twisted.web.resource import Resource

from imaginary.mail import accountmail, listmail

from .headers import securePage


def _page(title, body):
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title></head>
<body><main><h1>{e(title)}</h1>
{body}
</main></body>
</html>
""".encode("utf-8")


class UnsubscribePage(Resource):
    """/unsubscribe: one child per token; GET asks, POST does it."""

    def __init__(self, server):
        super().__init__()
        self.imaginary = server     # not "server": putChild sets that

    def getChild(self, path, request):
        """The page for one token (any path segment; unknown ones 404)."""
        return _Token(self.imaginary, path.decode("ascii", "replace"))


class _Token(Resource):
    isLeaf = True

    def __init__(self, server, token):
        super().__init__()
        self.imaginary = server
        self.token = token

    def _known(self):
        store = self.imaginary.store
        return bool(self.token) and store.findFirst(
            accountmail.AccountEmail,
            accountmail.AccountEmail.unsubscribeToken == self.token
        ) is not None

    def _list(self):
        """The list subscription this token stops, or None."""
        return listmail.byToken(self.imaginary.store, self.token)

    def render_GET(self, request):
        securePage(request, b"text/html; charset=utf-8")
        subscription = self._list()
        if subscription is not None:
            name = html.escape(subscription.group.name)
            return _page(f"Stop {subscription.group.name}'s list mail",
                         f"""<p>Press the button to stop the posts of
{name}'s list coming to this address. They stay in your mailbox in the
game, and you can turn this on again there with <code>group mail
on</code>.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe"
value="One-Click"><button type="submit">Stop list mail</button></form>""")
        if not self._known():
            request.setResponseCode(404)
            return _page("No such address", "<p>This unsubscribe link is "
                         "not known (perhaps it was used already).</p>")
        return _page("Stop game mail", """<p>Press the button to stop the
game's characters mailing this address. You can turn it on again in the
game with <code>account email forward on</code>.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe"
value="One-Click"><button type="submit">Stop game mail</button></form>""")

    def render_POST(self, request):
        securePage(request, b"text/html; charset=utf-8")
        store = self.imaginary.store
        stopped = store.transact(listmail.unsubscribe, store, self.token)
        if stopped is not None:
            return _page("List mail stopped", f"<p>The posts of "
                         f"{html.escape(stopped.group.name)}'s list will "
                         f"no longer come to this address.</p>")
        if not self.token or not store.transact(
                accountmail.unsubscribe, store, self.token):
            request.setResponseCode(404)
            return _page("No such address", "<p>This unsubscribe link is "
                         "not known.</p>")
        return _page("Game mail stopped", "<p>The game will send no more "
                     "mail to this address.</p>")
