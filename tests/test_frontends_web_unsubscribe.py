"""
One-click unsubscribe (imaginary/frontends/web/unsubscribe.py): the web
page a game mail's List-Unsubscribe names, and the headers that name it.
"""

from twisted.web.test.requesthelper import DummyRequest

from imaginary.accounts import findAccount
from imaginary.frontends.web.site import webFactory
from imaginary.mail import accountmail, api, compose, model

from sessionkit import fastHashes, newAccount, server  # noqa


def request(site, method, path, args=None):
    """Render C{path} on C{site} like a request from a mail provider."""
    req = DummyRequest(path.lstrip("/").encode().split(b"/"))
    req.method = method
    req.args = args or {}
    resource = site.getResourceFor(req)
    body = resource.render(req)
    return req.responseCode or 200, body.decode("utf-8")


def test_one_click_unsubscribe(server):
    newAccount(server, "alice")
    account = findAccount(server.store, "alice")

    def verified():
        code = accountmail.setAddress(account, "alice@player.example")
        accountmail.verify(account, code)
        return accountmail.emailOf(account).unsubscribeToken
    token = server.store.transact(verified)
    site = webFactory(server, secret=b"k" * 32)

    # A GET (a link scanner, a click) changes nothing; it offers a button.
    code, page = request(site, b"GET", f"/unsubscribe/{token}")
    assert code == 200 and 'method="post"' in page
    assert accountmail.emailOf(account).forward
    # The provider's POST, with no cookie, no Origin and no CSRF token.
    code, page = request(site, b"POST", f"/unsubscribe/{token}",
                         {b"List-Unsubscribe": [b"One-Click"]})
    assert code == 200 and "no more" in page
    assert not accountmail.emailOf(account).forward
    for method in (b"GET", b"POST"):
        code, _ = request(site, method, "/unsubscribe/not-a-token")
        assert code == 404


def test_game_mail_names_the_one_click_address(server):
    message = compose.build(
        "Mara", "mara@game.example", "alice@player.example", "Hello",
        "Body", "<1@game.example>", unsubscribe="unsubscribe+t@game.example",
        unsubscribeURL="https://game.example/unsubscribe/t")
    assert message["List-Unsubscribe"] == (
        "<https://game.example/unsubscribe/t>, "
        "<mailto:unsubscribe+t@game.example>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = compose.build(
        "Mara", "mara@game.example", "alice@player.example", "Hello",
        "Body", "<2@game.example>", unsubscribe="unsubscribe+t@game.example")
    assert plain["List-Unsubscribe"] == "<mailto:unsubscribe+t@game.example>"
    assert plain["List-Unsubscribe-Post"] is None

    def configured():
        config = model.settings(server.store)
        config.webURL = "https://game.example/"
        return api.unsubscribeURL(config, type("R", (), {
            "unsubscribeToken": "abc"})())
    assert server.store.transact(configured) == \
        "https://game.example/unsubscribe/abc"


def test_one_click_stops_one_lists_mail_only(server):
    from imaginary.mail import listmail
    from imaginary.simulation import groups
    from listkit import makePlayer
    store = server.store
    world = __import__("imaginary.simulation.world", fromlist=["x"])
    ada = world.ImaginaryWorld.get(store).createCharacter("Ada", 0)

    def make():
        owls = groups.createGroup(ada, "Owls", "owls")
        larks = groups.createGroup(ada, "Larks", "larks")
        return owls, larks
    owls, larks = store.transact(make)
    account = makePlayer(ada, "ada@player.example", listMailFor=owls)
    store.transact(lambda: setattr(listmail.subscription(larks, ada),
                                   "mail", True))
    token = listmail.subscription(owls, ada).token
    site = webFactory(server, secret=b"k" * 32)
    code, page = request(site, b"GET", f"/unsubscribe/{token}")
    assert code == 200 and 'method="post"' in page
    assert "Stop Owls&#x27;s list mail" in page
    assert listmail.subscription(owls, ada).mail
    code, page = request(site, b"POST", f"/unsubscribe/{token}",
                         {b"List-Unsubscribe": [b"One-Click"]})
    assert code == 200 and "will no longer come" in page
    assert not listmail.subscription(owls, ada).mail
    # The other list, and game mail, go on.
    assert listmail.subscription(larks, ada).mail
    assert accountmail.emailOf(account).forward
