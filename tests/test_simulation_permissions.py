"""
Tests for imaginary.simulation.permissions: a character's permission
level, provided as IPermissions.
"""

import pytest
from zope.interface.verify import verifyObject

from imaginary.interfaces import IPermissions
from imaginary.simulation.permissions import Permissions, grant
from imaginary.simulation.thing import Thing
from imaginary.store import Store


def test_grant_installs_permissions_that_order_the_levels():
    thing = Thing(store=Store(), name="Alice")
    assert IPermissions(thing, None) is None
    permissions = grant(thing, "builder")
    assert isinstance(permissions, Permissions)
    assert verifyObject(IPermissions, permissions)
    assert IPermissions(thing) is permissions
    assert permissions.has("player") and permissions.has("builder")
    assert not permissions.has("admin")
    grant(thing, "admin")
    assert permissions.level == "admin" and permissions.has("admin")
    with pytest.raises(ValueError, match="unknown permission level"):
        grant(thing, "god")
