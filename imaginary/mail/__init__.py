"""
imaginary.mail: in-game mailboxes, and mail to and from the real world.

The modules::

    model.py      mailboxes and messages in the store, the game's mail
                  settings, addresses (C{name@domain} from the name key,
                  and the operator's aliases), delivery inside the game
    accountmail.py  a player's real address (verified by a code), and
                  password reset codes
    compose.py    messages as the standard library's EmailMessage (out),
                  and what a player's mail client sent, read back (in)
    outbound.py   the queue: a store item per message leaving the game,
                  sent by the store's scheduler through twisted.mail to
                  the operator's relay, with retries, bounces and DKIM
    api.py        C{sendMail}, for world authors' plugins
    lists.py      a story group's mailing list: its archive, and posting
                  to it (C{post}, and C{ScheduledListPost} for authors)
    listmail.py   the list's copy for a member's real inbox (List-*
                  headers, the [handle] tag, From rewriting) and the
                  members' choices (C{group mail on|off})
    dmarc.py      a sender domain's DMARC policy, through twisted.names

The inbound SMTP server is a front end (imaginary/frontends/smtp.py) and
the verbs are in imaginary/verbs/mail.py.  This package sits just above
the accounts in the layers (docs/layers.md): it knows characters and
accounts, nothing of verbs, sessions or front ends.
"""
