"""
/g/<handle>/: a story group's own page, for its members only.

The page is made on every request from the world as it is now, in one
store transaction: the group's name and handle, its members with their
roles (and, for each member who allows it with C{group whereabouts show},
where the character is and whether it is in play), the journal, the
mailing list's archive by thread (imaginary/mail/lists.py) and the events
still to come.  Every value goes through C{html.escape}; the page needs
no script and carries no inline style (the Content-Security-Policy of
headers.py would refuse both), only /static/client.css, the web client's
own style sheet.

Whether a group exists is its members' business (see
imaginary/simulation/groups.py), so everything that is not a member's
view of their group gets the same 404, byte for byte: a handle nobody
has, a group the logged-in account has no character in, a path that is
not a handle, and any /g/ path at all without a login (we answer 404
rather than redirect to the login page, which would be a second kind of
answer, and the web client's page can't send anybody back anyway).  The
only other answer, the redirect from /g/<handle> to /g/<handle>/, depends
on the path's spelling alone, never on the store.
"""

import html

from imaginary.mail import lists
from imaginary.simulation.groups import (
    HANDLE, JournalEntry, findGroup, groupsOf)
from imaginary.simulation.world import RestingPlace

from .headers import securePage
from .pages import PageBase

JOURNAL_SHOWN = 100         # the newest entries shown; the rest are counted

NOT_FOUND = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>No such page</title>
<link rel="stylesheet" href="/static/client.css"></head>
<body class="document">
<main class="document-main">
<h1>No such page</h1>
<p>There is no page here. A group's page is only for its members: log in
on <a href="/">the game's page</a> with the account of one of its
characters, then come back to this address.</p>
</main>
</body>
</html>
""".encode("utf-8")


def _e(value):
    """A value as escaped HTML text."""
    return html.escape(str(value), quote=True)


def _when(time):
    """An epsilon Time as a <time> element, in UTC to the minute."""
    moment = time.asDatetime()
    return (f'<time datetime="{moment.strftime("%Y-%m-%dT%H:%MZ")}">'
            f'{moment.strftime("%Y-%m-%d %H:%M UTC")}</time>')


def groupsOfAccount(account):
    """
    The groups any of C{account}'s characters is in, each once, in the
    order of the account's characters and then of their memberships.
    """
    found, seen = [], set()
    for character in account.characters():
        for group in groupsOf(character):
            if group.storeID not in seen:
                seen.add(group.storeID)
                found.append(group)
    return found


def whereabouts(character, connected):
    """
    The sentence saying where C{character} is and whether it is in play
    (C{connected}: the storeIDs of the characters in play).  A character
    out of play is nowhere (imaginary/simulation/world.py); it says where
    it rests, which is where it will come back.
    """
    if character.storeID in connected:
        room = character.enclosingRoom()
        if room is character:
            return "In play now."
        return f"In play now, in {room.name}."
    resting = character.store.findFirst(
        RestingPlace, RestingPlace.character == character)
    if resting is not None and resting.place is not None:
        # It may have rested inside something (a cart): name the room.
        return f"Not in play; last in {resting.place.enclosingRoom().name}."
    return "Not in play."


def renderMembers(group, connected):
    """The members section: each character, its role and, if it allows
    it, its whereabouts."""
    items = []
    for record in group.members():
        character = record.member
        line = (f'<span class="name">{_e(character.name)}</span> '
                f'<span class="role">({_e(record.role)})</span>')
        if record.showWhereabouts:
            line += (f' <span class="where">'
                     f'{_e(whereabouts(character, connected))}</span>')
        items.append(f"<li>{line}</li>")
    return ('<section aria-labelledby="members">\n'
            '<h2 id="members">Members</h2>\n'
            '<ul class="entries members">\n' + "\n".join(items) +
            "\n</ul>\n</section>\n")


def renderJournal(group):
    """The journal section: entries newest first, dated and signed."""
    entries = group.journal(JOURNAL_SHOWN)
    parts = ['<section aria-labelledby="journal">\n'
             '<h2 id="journal">Journal</h2>\n']
    if not entries:
        parts.append("<p>No journal entries yet.</p>\n")
    else:
        total = group.store.count(JournalEntry, JournalEntry.group == group)
        if total > len(entries):
            parts.append(f'<p class="meta">The newest {len(entries)} of '
                         f'{total} entries.</p>\n')
        parts.append('<ol class="entries journal">\n')
        for entry in entries:
            parts.append(
                f'<li><p class="meta">{_when(entry.when)}, '
                f'signed <span class="author">{_e(entry.author)}</span>'
                f'</p>\n<p class="text">{_e(entry.text)}</p></li>\n')
        parts.append("</ol>\n")
    parts.append("</section>\n")
    return "".join(parts)


def renderArchive(group):
    """The list's archive: threads, the most recently active first."""
    threads = lists.threads(group)
    parts = ['<section aria-labelledby="archive">\n'
             '<h2 id="archive">Mailing list</h2>\n']
    if not threads:
        parts.append("<p>No posts to the list yet.</p>\n")
    for posts in threads:
        subject = posts[0].subject or "(no subject)"
        count = len(posts)
        parts.append(
            f'<article class="thread">\n<h3>{_e(subject)}</h3>\n'
            f'<p class="meta">{count} post{"s" if count != 1 else ""}'
            f'</p>\n<ol class="entries posts">\n')
        for post in posts:
            shown = ""
            if post.subject and post.subject != posts[0].subject:
                shown = f' <span class="subject">{_e(post.subject)}</span>'
            parts.append(
                f'<li><p class="meta"><span class="author">'
                f'{_e(post.author)}</span>, {_when(post.when)}{shown}</p>\n'
                f'<pre class="post-body">{_e(post.body)}</pre></li>\n')
        parts.append("</ol>\n</article>\n")
    parts.append("</section>\n")
    return "".join(parts)


def renderEvents(group):
    """The events still to come, soonest first."""
    events = group.upcoming()
    parts = ['<section aria-labelledby="upcoming">\n'
             '<h2 id="upcoming">Coming up</h2>\n']
    if not events:
        parts.append("<p>Nothing is coming up.</p>\n")
    else:
        parts.append('<ul class="entries events">\n')
        for event in events:
            parts.append(f"<li>{_when(event.when)}: "
                         f"{_e(event.description)}</li>\n")
        parts.append("</ul>\n")
    parts.append("</section>\n")
    return "".join(parts)


def renderOthers(group, account):
    """Links to the account's other groups (nothing when it has none)."""
    others = [g for g in groupsOfAccount(account) if g is not group]
    if not others:
        return ""
    links = "\n".join(f'<li><a href="/g/{_e(g.handle)}/">{_e(g.name)}</a>'
                      f"</li>" for g in others)
    return ('<nav aria-labelledby="others">\n'
            '<h2 id="others">Your other groups</h2>\n'
            f'<ul class="entries">\n{links}\n</ul>\n</nav>\n')


def renderGroupPage(group, account, connected):
    """
    The whole page for C{group} as seen by C{account} (one of whose
    characters is a member), as bytes.  C{connected}: the storeIDs of
    the characters in play.
    """
    body = "".join([
        renderMembers(group, connected), renderJournal(group),
        renderArchive(group), renderEvents(group),
        renderOthers(group, account)])
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{_e(group.name)}</title>
<link rel="stylesheet" href="/static/client.css"></head>
<body class="document">
<header class="bar">
<h1>{_e(group.name)}</h1>
<p>Handle: <span class="handle">{_e(group.handle)}</span></p>
<div class="bar-tools"><a href="/">Play</a></div>
</header>
<main class="document-main">
{body}</main>
</body>
</html>
""".encode("utf-8")


def memberView(server, account, handle):
    """
    The page's bytes when C{account} has a character in the group called
    C{handle}, else None (no such group, or not a member: the caller
    can't tell which, and neither can the browser).  Call inside a
    transaction.
    """
    group = findGroup(server.store, handle)
    if group is None:
        return None
    if not any(group.membership(c) is not None
               for c in account.characters()):
        return None
    world = server.world
    connected = {c.storeID for c in (world.connected if world else ())}
    return renderGroupPage(group, account, connected)


class GroupPages(PageBase):
    """GET (and HEAD) /g/<handle>/: a group's page, for its members."""

    allowedMethods = (b"GET", b"HEAD")

    def render(self, request):
        """
        GET and HEAD as usual; any other method 405 with Allow (Twisted
        itself answers 405 only for POST, and 501 for PUT, DELETE...).
        """
        if request.method in self.allowedMethods:
            return super().render(request)
        request.setResponseCode(405)
        request.setHeader(b"Allow", b", ".join(self.allowedMethods))
        securePage(request, b"text/plain; charset=utf-8")
        return b"Only GET and HEAD are allowed here.\n"

    def render_GET(self, request):
        """
        The group's page for a member's login; the one 404 for everything
        else (see the module's docstring).
        """
        path = [segment.decode("ascii", "replace")
                for segment in request.postpath]
        if path and path[0] != path[0].lower() and \
                HANDLE.match(path[0].lower()):
            # Handles are lowercase words; /g/OWLS/ is /g/owls/ (decided
            # by the path alone, like the slash below).
            request.redirect(f"/g/{path[0].lower()}/".encode("ascii"))
            securePage(request, b"text/html; charset=utf-8")
            return b""
        if len(path) == 1 and HANDLE.match(path[0]):
            # Decided by the path alone: the same for every handle.
            request.redirect(f"/g/{path[0]}/".encode("ascii"))
            securePage(request, b"text/html; charset=utf-8")
            return b""
        page = None
        if len(path) == 2 and path[1] == "" and HANDLE.match(path[0]):
            page = self.pageFor(request, path[0])
        securePage(request, b"text/html; charset=utf-8")
        if page is None:
            request.setResponseCode(404)
            return NOT_FOUND
        return page

    def render_HEAD(self, request):
        """
        GET's status and headers, its length, and no body (returning the
        body would have Twisted log a warning on every HEAD).
        """
        body = self.render_GET(request)
        request.setHeader(b"Content-Length", b"%d" % (len(body),))
        return b""

    def pageFor(self, request, handle):
        """The page's bytes for this request's login, or None."""
        session = self.loggedIn(request)
        if session is None:
            return None
        account = session.avatar.account
        # Deleted or banned since it logged in: as good as logged out.
        if account.store is None or account.banned:
            return None
        store = self.game.server.store
        # One transaction: the page shows one moment of the world.
        return store.transact(memberView, self.game.server, account, handle)
