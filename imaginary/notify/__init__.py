"""
imaginary.notify: characters who text players.

C{notify(character, player, text)} (api.py) is the plugin API
(docs/notifications.md): a short message from a character to a player,
delivered once by the route the player chose (in the game, IRC, XMPP,
email), opt-in, held through their quiet hours and the hourly limit,
and kept in the store until a route opens.

The modules::

    model.py    each player's settings, the operator's limits and XMPP
                component settings, the notifications themselves
    api.py      notify(), the routes (INotifyRoute, installed by front
                ends on the store), flush() when a route opens, reply()

This package sits between the mail (whose queue and addresses it uses)
and the verbs in the layers (docs/layers.md): it knows characters,
accounts and mail, nothing of verbs, sessions or front ends.  The
C{account notify} verbs are in imaginary/verbs/notify.py, the XMPP
component is imaginary/frontends/xmpp.py.
"""

from .api import NotifyRefused, notify

__all__ = ["NotifyRefused", "notify"]
