"""
The verbs: what players (and NPC minds) type, parsed and run.

L{base<imaginary.verbs.base>} has the parser and what a verb is made of
(L{Verb<imaginary.verbs.base.Verb>}, L{Find<imaginary.verbs.base.Find>},
L{VerbSource<imaginary.verbs.base.VerbSource>}); the other modules hold
the verbs themselves, gathered by the plugins in C{imaginary/plugins/}.
"""
