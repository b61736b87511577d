"""
A hypothesis state machine for imaginary.store: random creates, sets,
deletes (with all three reference rules), failing and succeeding
transactions, and close/reopen, checked after every step against a plain
Python model of the same data.
"""

import shutil
import tempfile

from hypothesis import settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, initialize, invariant, precondition, rule)

from imaginary.store import (
    CASCADE, DISALLOW, NULLIFY, DeletionDisallowed, Item, ItemNotFound,
    Store, boolean, integer, reference, text, textlist)


class SMNode(Item):
    typeName = "sm_node"
    name = text(indexed=True)
    number = integer()
    flag = boolean()
    tags = textlist()
    soft = reference(whenDeleted=NULLIFY)
    owner = reference(whenDeleted=CASCADE)
    anchor = reference(whenDeleted=DISALLOW)


REFS = ("soft", "owner", "anchor")
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="\x00\x1f"),
                max_size=8)
values = {
    "name": st.one_of(st.none(), texts),
    "number": st.one_of(st.none(), st.integers(-2 ** 63, 2 ** 63 - 1)),
    "flag": st.one_of(st.none(), st.booleans()),
    "tags": st.one_of(st.none(), st.lists(texts, max_size=3)),
}


class Rollback(Exception):
    pass


class StoreMachine(RuleBasedStateMachine):
    """The model: {storeID: {attribute: value (refs as storeIDs)}}."""

    @initialize()
    def start(self):
        self.dir = tempfile.mkdtemp()
        self.store = Store(self.dir + "/s")
        self.model = {}
        self.everCommitted = set()
        self.items = {}   # strong refs keep identity across steps

    def teardown(self):
        if self.store._conn is not None:
            self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers -------------------------------------------------------------

    def _delete(self, model, sid):
        closure = self._closureIn(model, sid)
        for victim in closure:
            for other, row in model.items():
                if other not in closure and row["anchor"] == victim:
                    return False
        for victim in closure:
            del model[victim]
        for row in model.values():
            if row["soft"] in closure:
                row["soft"] = None
        return True

    def _closureIn(self, model, sid):
        closure, stack = set(), [sid]
        while stack:
            x = stack.pop()
            if x in closure:
                continue
            closure.add(x)
            stack.extend(o for o, row in model.items() if row["owner"] == x)
        return closure

    def _item(self, sid):
        item = self.items.get(sid)
        if item is None or item.store is None:
            item = self.store.getItemByID(sid)
            self.items[sid] = item
        return item

    def _do(self, op, model):
        """Apply op to the store (inside a transaction) and to model."""
        kind = op[0]
        if kind == "create":
            _, attrs = op
            item = SMNode(store=self.store, **attrs)
            self.items[item.storeID] = item
            row = {k: None for k in ("name", "number", "flag", "tags") + REFS}
            row.update(attrs)
            for r in REFS:
                if isinstance(row[r], Item):
                    row[r] = row[r].storeID
            if row["tags"] is not None:
                row["tags"] = list(row["tags"])
            model[item.storeID] = row
        elif kind == "set":
            _, sid, attr, value = op
            setattr(self._item(sid), attr, value)
            model[sid][attr] = value.storeID if isinstance(value, Item) \
                else (list(value) if isinstance(value, list) else value)
        elif kind == "delete":
            _, sid = op
            allowed = self._delete(model, sid)
            try:
                self._item(sid).deleteFromStore()
            except DeletionDisallowed:
                assert not allowed
                raise
            assert allowed

    # -- rules -------------------------------------------------------------

    @rule(data=st.data())
    def create(self, data):
        attrs = {k: data.draw(v) for k, v in values.items()}
        live = sorted(self.model)
        for r in REFS:
            if live and data.draw(st.booleans()):
                attrs[r] = self._item(data.draw(st.sampled_from(live)))
        shadow = _copy(self.model)
        self.store.transact(self._do, ("create", attrs), shadow)
        self.model = shadow
        self.everCommitted |= set(self.model)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def set(self, data):
        sid = data.draw(st.sampled_from(sorted(self.model)))
        attr = data.draw(st.sampled_from(sorted(values) + list(REFS)))
        if attr in REFS:
            target = data.draw(st.one_of(
                st.none(), st.sampled_from(sorted(self.model))))
            if attr != "soft" and target is not None:
                # Keep CASCADE/DISALLOW graphs acyclic (like real data).
                if target in self._closureIn(self.model, sid):
                    target = None
            value = None if target is None else self._item(target)
        else:
            value = data.draw(values[attr])
        shadow = _copy(self.model)
        self.store.transact(self._do, ("set", sid, attr, value), shadow)
        self.model = shadow

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def delete(self, data):
        sid = data.draw(st.sampled_from(sorted(self.model)))
        shadow = _copy(self.model)
        try:
            self.store.transact(self._do, ("delete", sid), shadow)
        except DeletionDisallowed:
            return
        self.model = shadow

    @precondition(lambda self: self.model)
    @rule(data=st.data(), fail=st.booleans())
    def transaction(self, data, fail):
        """Several operations in one transaction, maybe failing at the end."""
        shadow = _copy(self.model)
        ops = []
        for _ in range(data.draw(st.integers(1, 4))):
            live = sorted(shadow)
            if not live:
                break
            sid = data.draw(st.sampled_from(live))
            attr = data.draw(st.sampled_from(sorted(values)))
            ops.append(("set", sid, attr, data.draw(values[attr])))
        ops.append(("create", {"name": "tx", "number": 1}))

        def run():
            for op in ops:
                self._do(op, shadow)
            if fail:
                raise Rollback()
        try:
            self.store.transact(run)
        except Rollback:
            return
        self.model = shadow
        self.everCommitted |= set(self.model)

    @rule()
    def reopen(self):
        self.store.close()
        self.items = {}
        self.store = Store(self.dir + "/s")

    # -- invariants --------------------------------------------------------

    @invariant()
    def matches_model(self):
        if not hasattr(self, "store"):
            return
        stored = {n.storeID: n for n in self.store.query(SMNode)}
        assert set(stored) == set(self.model)
        for sid, row in self.model.items():
            node = stored[sid]
            for attr in ("name", "number", "flag", "tags"):
                assert getattr(node, attr) == row[attr], (sid, attr)
            for r in REFS:
                target = getattr(node, r)
                assert (target.storeID if target is not None else None) == \
                    row[r], (sid, r)
        for sid in self.everCommitted - set(self.model):
            try:
                self.store.getItemByID(sid)
            except ItemNotFound:
                pass
            else:
                raise AssertionError(f"deleted {sid} still loads")

    @invariant()
    def ids_never_reused(self):
        if not hasattr(self, "store") or not self.everCommitted:
            return
        assert self.store._nextID > max(self.everCommitted)


def _copy(model):
    return {sid: {k: (list(v) if isinstance(v, list) else v)
                  for k, v in row.items()} for sid, row in model.items()}


StoreMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=30, deadline=None)
TestStoreMachine = StoreMachine.TestCase
