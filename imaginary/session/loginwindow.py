"""
The time and the room a connection has to log in, whatever its front end.

A connection that has not logged in yet is counted against its address
(the server's cap on connections logging in at once, shared by every
front end) and has the server's login grace time to finish.  Telnet's
dialogue and SSH's transport each hold a C{LoginWindow} from their first
byte until they are logged in or gone.
"""

TOO_SLOW = "You took too long to log in; goodbye."
TOO_MANY = ("Too many connections from your address are logging in; try "
            "again later.")


class LoginWindow:
    """
    One connection's window to log in: C{open()} counts it (False when
    its address already has too many logging in), starts the grace timer
    on the server's reactor (tests give it a Clock) that calls
    C{tooSlow()}, and C{close()} (logged in, or gone) undoes both, once.
    """

    def __init__(self, server, address, tooSlow):
        self.server = server
        self.address = address
        self.tooSlow = tooSlow
        self._timer = None
        self._counted = False

    def open(self):
        """Count the connection and start its timer; False if refused."""
        server = self.server
        if not server.startLogin(self.address):
            return False
        self._counted = True
        self._timer = server.reactor.callLater(server.loginGrace,
                                               self._expired)
        return True

    def _expired(self):
        self._timer = None
        self.tooSlow()

    def close(self):
        """Logged in or gone: the timer and the count end."""
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()
        if self._counted:
            self._counted = False
            self.server.loginOver(self.address)
