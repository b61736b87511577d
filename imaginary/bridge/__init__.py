"""
Bridges: the game's channels relayed to other chat systems.

Today one, the IRC bridge: an admin links a channel to a channel on an
IRC network (C{channel link ooc irc://irc.example.net:6697/#game}), and
the server keeps one IRC client connection per network, relaying lines
both ways.  Which networks, with which nick and SASL credentials, is the
operator's configuration (C{imaginary serve --irc-bridge FILE}), never
the verb's: see docs/irc-bridge.md.  The modules::

    config.py    the configuration file and irc:// URLs
    outbox.py    lines toward IRC: one per second, bursts merged, kept
                 (bounded) while the network is down
    client.py    the IRC client connection (twisted.words' IRCClient
                 with SASL PLAIN added)
    service.py   the bridge: a child service of the server, one Network
                 per IRC network, reconnecting with jittered backoff
"""
