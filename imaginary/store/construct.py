"""
Generated constructors: C{Lamp(store=s, name="lamp")} without generic loops.

Creating items is the hot path of building a world (and of the create
benchmark).  The generic C{Item.__init__} walks the keyword dict, looks
every name up and calls C{attr.toDB} -> C{attr.check} for each value:
three Python calls per attribute.  For each Item class whose attribute
names allow it, MetaItem instead installs an C{__init__} generated from
the class's attributes (as dataclasses do), with the common checks inline:
a str that is ASCII and NUL-free, an int in the 64-bit range, an Item for
a reference, True/False.  Anything else (None, other types, values that
need conversion) goes through C{attr.toDB} exactly as before, so the
checks and their error messages are the same.
"""

import keyword

from .errors import ConstraintError

_MISSING = object()
_INT64_MIN = -(2 ** 63)
_INT64_MAX = 2 ** 63 - 1
# Names the generated function uses itself.
_PREFIX = "_i_"


def canGenerate(cls, bases):
    """
    Whether cls may get a generated __init__: it defines none, no base
    but Item does, and every attribute name can be a parameter.
    """
    if "__init__" in cls.__dict__:
        return False
    for base in bases:
        for klass in base.__mro__:
            if klass.__dict__.get("__isItemBase__"):
                break
            if "__init__" in klass.__dict__ and klass is not object:
                return False
    for name in cls.__attributeNames__:
        if (not name.isidentifier() or keyword.iskeyword(name) or
                name.startswith(_PREFIX) or name in ("store", "self")):
            return False
    return True


def _fastCheck(attr, i, name):
    """The inline acceptance test for one attribute's value, or None."""
    kind = attr.kind
    if kind == "text":
        return (f"{_PREFIX}type({name}) is {_PREFIX}str and "
                f"{name}.isascii() and '\\x00' not in {name}")
    if kind == "integer":
        return (f"{_PREFIX}type({name}) is {_PREFIX}int and "
                f"{_INT64_MIN} <= {name} <= {_INT64_MAX}")
    if kind == "reference":
        return f"{_PREFIX}isinstance({name}, {_PREFIX}reftype{i})"
    return None


def generateInit(cls, itemClass):
    """Build and return the generated __init__ for cls."""
    attrs = cls.__attributes__
    ns = {
        f"{_PREFIX}MISSING": _MISSING,
        f"{_PREFIX}cls": cls,
        f"{_PREFIX}initial": cls.__initialValues__,
        f"{_PREFIX}Item": itemClass,
        f"{_PREFIX}ConstraintError": ConstraintError,
        # Builtins under our own names: an attribute may be called "type"
        # or "list", and parameters shadow globals.
        f"{_PREFIX}type": type, f"{_PREFIX}str": str, f"{_PREFIX}int": int,
        f"{_PREFIX}list": list, f"{_PREFIX}isinstance": isinstance,
    }
    params = ", ".join(f"{a.attrname}={_PREFIX}MISSING" for a in attrs)
    star = f"*, {params}, " if attrs else ""
    lines = [
        f"def __init__({_PREFIX}self, store=None, {star}**{_PREFIX}extra):",
        f"    {_PREFIX}self._storeID = None",
        f"    {_PREFIX}self._store = None",
        f"    {_PREFIX}self._deleted = False",
        f"    {_PREFIX}v = {_PREFIX}self._v = {_PREFIX}list({_PREFIX}initial)",
    ]
    for i, factory in cls.__factories__:
        ns[f"{_PREFIX}factory{i}"] = factory
        lines.append(f"    {_PREFIX}v[{i}] = {_PREFIX}attr{i}.toDB("
                     f"{_PREFIX}factory{i}(), {_PREFIX}cls)")
    for i, attr in enumerate(attrs):
        name = attr.attrname
        ns[f"{_PREFIX}attr{i}"] = attr
        if attr.kind == "reference":
            ns[f"{_PREFIX}reftype{i}"] = attr.reftype or itemClass
        slow = f"{_PREFIX}attr{i}.toDB({name}, {_PREFIX}cls)"
        fast = _fastCheck(attr, i, name)
        lines.append(f"    if {name} is not {_PREFIX}MISSING:")
        if attr.kind == "boolean":
            lines.append(f"        {_PREFIX}v[{i}] = 1 if {name} is True "
                         f"else 0 if {name} is False else {slow}")
        elif fast is None:
            lines.append(f"        {_PREFIX}v[{i}] = {slow}")
        else:
            lines.append(f"        {_PREFIX}v[{i}] = {name} if {fast} "
                         f"else {slow}")
    lines += [
        f"    if {_PREFIX}extra:",
        f"        {_PREFIX}self._setInMemory({_PREFIX}extra)",
        f"    if {_PREFIX}cls.activate is not {_PREFIX}Item.activate:",
        f"        {_PREFIX}self.activate()",
        f"    if store is not None:",
        f"        if {_PREFIX}self._storeID is None:",
    ]
    for attr in cls.__noneForbidden__:
        lines += [
            f"            if {_PREFIX}v[{attr.index}] is None:",
            f"                raise {_PREFIX}ConstraintError({_PREFIX}cls, "
            f"{attr.attrname!r}, None, 'None is not allowed')",
        ]
    lines += [
        f"            store._addItem({_PREFIX}self)",
        f"        else:",
        # activate() stored it: the setter decides.
        f"            {_PREFIX}self.store = store",
    ]
    exec("\n".join(lines), ns)
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = (f"Create a {cls.__name__}; keyword arguments set its "
                    f"attributes (generated by imaginary.store.construct).")
    return init
