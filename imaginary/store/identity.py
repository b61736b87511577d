"""
The identity map: storeID -> the live Item object, held weakly.

While anything holds an item, every load of its storeID returns that same
object; an item nobody holds is dropped and rebuilt from its row next time.
C{weakref.WeakValueDictionary} does this, but builds each entry through
Python-level constructors; this map keeps a slotted C{weakref.ref}
subclass that carries its key, created by C code, which matters when a
transaction creates or loads tens of thousands of items.
"""

import weakref


class _KeyedRef(weakref.ref):
    __slots__ = ("key",)


class IdentityMap:
    """A mapping of int keys to weakly held values."""

    __slots__ = ("_data", "_remove", "__weakref__")

    def __init__(self):
        self._data = {}
        selfRef = weakref.ref(self)

        def remove(ref):
            owner = selfRef()
            if owner is not None and owner._data.get(ref.key) is ref:
                del owner._data[ref.key]
        self._remove = remove

    def get(self, key, default=None):
        """The live value for C{key}, or C{default}."""
        ref = self._data.get(key)
        if ref is None:
            return default
        value = ref()
        return default if value is None else value

    def __setitem__(self, key, value):
        ref = _KeyedRef(value, self._remove)
        ref.key = key
        self._data[key] = ref

    def pop(self, key, default=None):
        """Forget C{key}; return its live value or C{default}."""
        ref = self._data.pop(key, None)
        value = None if ref is None else ref()
        return default if value is None else value

    def __delitem__(self, key):
        del self._data[key]

    def __len__(self):
        return len(self._data)
