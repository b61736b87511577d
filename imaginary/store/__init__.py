"""
imaginary.store: an object database with Axiom's data model, on SQLite.

The names follow Axiom's (Item, Store, text, reference, powerUp, ...), so
anyone who knows Axiom reads world code at once; the implementation is our
own.  See docs/store.md for the design and the measured costs.
"""

from .attributes import (
    CASCADE, DISALLOW, NULLIFY, boolean, bytes, compoundIndex,
    ieee754_double, inmemory, integer, reference, text, textlist, timestamp)
from .comparison import AND, OR, Placeholder
from .errors import (
    ConstraintError, DeletionDisallowed, DuplicateTypeName,
    DuplicateUniqueItem, ItemNotFound, NoCrossStoreReferences, NoInheritance,
    NotAStore, NoUpgradePathAvailable, PowerupNotInstalled, QueryError,
    SchemaMismatch, StoreClosed, StoreError, StoreFull, StoreInUse)
from .item import Item, empowerment, transacted
from .powerups import IPowerupIndirector
from .scheduler import (
    IScheduler, Scheduler, TimedEvent, TimedEventFailureLog)
from .store import Store
from .upgrade import (
    UpgradeFailed, declareLegacyItem, registerAttributeCopyingUpgrader,
    registerDeletionUpgrader, registerUpgrader)

__all__ = [
    "AND", "CASCADE", "ConstraintError", "DISALLOW", "DeletionDisallowed",
    "DuplicateTypeName", "DuplicateUniqueItem", "IPowerupIndirector",
    "IScheduler", "Item",
    "ItemNotFound", "NULLIFY", "NoCrossStoreReferences", "NoInheritance",
    "NoUpgradePathAvailable",
    "NotAStore", "OR", "Placeholder", "PowerupNotInstalled", "QueryError",
    "SchemaMismatch", "Scheduler", "Store", "StoreClosed", "StoreError",
    "StoreFull", "StoreInUse", "TimedEvent", "TimedEventFailureLog", "UpgradeFailed",
    "boolean", "bytes", "compoundIndex",
    "declareLegacyItem", "empowerment", "ieee754_double", "inmemory", "integer", "reference",
    "registerAttributeCopyingUpgrader", "registerDeletionUpgrader",
    "registerUpgrader", "text", "textlist", "timestamp", "transacted",
]
