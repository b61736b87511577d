"""
ActionFailure: how the simulation says no.

Any check deep in the simulation (a closed container, a bulky garment, a
movement restriction) raises ActionFailure.  The verb's transaction then
rolls back every change, and only the failure's message reaches the actor
(and, when the failure carries one, the bystanders' message).
"""


class ActionFailure(Exception):
    """
    A refused action.  C{event} is an Event (or None); C{message} is the
    plain reason, for code that only needs the text.
    """

    def __init__(self, message, event=None):
        Exception.__init__(self, message)
        self.message = message
        self.event = event

    @classmethod
    def simple(cls, message):
        """A failure that only tells the actor C{message}."""
        return cls(message)

    def __str__(self):
        return str(self.message)
