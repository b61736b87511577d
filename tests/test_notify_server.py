"""
The server and texts: a text that waited is told (with its tell data)
when the player's character enters play on any front end.
"""

from imaginary.language.grammar import FEMALE
from imaginary.notify import api, model
from imaginary.session.avatar import PlayerAvatar
from sessionkit import (  # noqa: F401
    RecordingFrontEnd, fastHashes, newAccount, server, settle)


def test_a_waiting_text_is_told_when_the_character_enters_play(server):
    account = newAccount(server, "bob")
    avatar = PlayerAvatar(server, account)
    avatar.createCharacter("Bob", "female")
    mara = server.world.createCharacter("Mara", FEMALE)
    store = server.store
    store.transact(lambda: setattr(model.settingsOf(account, create=True),
                                   "enabled", True))
    item = store.transact(api.notify, mara, account, "Come to the well.")
    assert item.state == "pending"
    front = RecordingFrontEnd()
    avatar.play("Bob", front)
    settle()
    assert "Mara texts you, 'Come to the well.'" in front.take()
    assert ("Comm.Channel.Text", {"channel": "tell", "talker": "Mara",
                                  "text": "Come to the well.",
                                  "to": "Bob"}) in front.data
    assert (item.state, item.route) == ("sent", "game")
