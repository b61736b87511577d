"""
Story groups, as plugins: the C{group} verb, and the C{imaginary groups}
command that shows and sets the operator's limits (kept in the store;
docs/operating.md).
"""

from twisted.plugin import IPlugin
from zope.interface import implementer

from imaginary.cli import ICommand, openStore
from imaginary.verbs import groups
from imaginary.verbs.base import VerbSource

groupVerbs = VerbSource("groups", [groups.GroupCommand])


@implementer(IPlugin, ICommand)
class GroupsCommand:
    """`imaginary groups [--max-groups N] [--max-members N]` (server off)."""

    name = "groups"
    help = "show or set the limits on story groups"

    def configure(self, parser):
        """--max-groups and --max-members."""
        parser.add_argument("--max-groups", type=int, default=None,
                            help="groups one character may be in")
        parser.add_argument("--max-members", type=int, default=None,
                            help="members one group may have")

    def run(self, args):
        """Change what was given, then print every limit and group."""
        from imaginary.simulation import groups as model
        for value in (args.max_groups, args.max_members):
            if value is not None and not 1 <= value <= 1000:
                raise SystemExit("imaginary: a limit is from 1 to 1000")
        store = openStore(args.store)
        try:
            def change():
                config = model.settings(store)
                if args.max_groups is not None:
                    config.maxGroups = args.max_groups
                if args.max_members is not None:
                    config.maxMembers = args.max_members
                return config
            config = store.transact(change)
            print(f"max-groups: {config.maxGroups}")
            print(f"max-members: {config.maxMembers}")
            for group in store.query(model.Group,
                                     sort=model.Group.handle.ascending):
                print(f"group: {group.handle} ({group.name}), "
                      f"{len(group.members())} members")
        finally:
            store.close()
        return 0


groupsCommand = GroupsCommand()
