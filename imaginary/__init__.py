"""
Imaginary: a multiplayer text-adventure engine on Twisted.

The package is layered (docs/layers.md), each layer importing only those
below it: the object store (L{imaginary.store}), the language of messages
(L{imaginary.language}), the simulation of the world
(L{imaginary.simulation}), accounts and plugins, mail and texts
(L{imaginary.mail}, L{imaginary.notify}), the verbs (L{imaginary.verbs}),
the session layer every front end shares (L{imaginary.session}), the front
ends (L{imaginary.frontends}), and the server and command line that put
them together (L{imaginary.server}, L{imaginary.cli}).
"""
