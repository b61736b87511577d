"""
Information verbs: help, help <topic>, actions (commands).

Help comes from the verbs themselves (each verb's C{help} text), so a verb
added by a plugin is documented the moment it joins, and help can never
describe a verb that does not exist.
"""


from .base import Verb, hasPermission, report



def _available(context):
    return [v for v in context.registry.verbs()
            if v.names and hasPermission(context.actor, v.permission)]


# Words the session answers before any verb sees them (imaginary.session:
# the line dialogue), so no Verb carries their help.
SESSION_HELP = {
    "quit": "quit: leave the game; your character rests where it is and "
            "comes back there when you log in again.",
    "password": "password: change your account's password (you are asked "
                "for the new one twice; nothing you type is shown).",
}


class Help(Verb):
    """help: how to play. help <command>: what a command does."""

    names = ("help", "?")
    syntax = ("help|?", "help|? {topic}")

    def run(self, context, topic=None):
        """
        Tell the actor the general help, or the help of the command C{topic}
        names.
        """
        if topic is None:
            report(context, "Type commands in plain English: 'look', "
                           "'look at <thing>', 'take <thing>', 'go north' "
                           "(or just 'n'), 'say hello'. 'actions' lists "
                           "every command; 'help <command>' explains one, "
                           "'help quit' and 'help password' among them.")
            return
        word = topic.strip().lower()
        if word in SESSION_HELP:
            report(context, SESSION_HELP[word])
            return
        verb = context.registry.find(word)
        if verb is None or not hasPermission(context.actor, verb.permission):
            report(context, f"There is no help on '{word}'. Type 'actions' "
                           f"for the list of commands.")
            return
        report(context, verb.help)


class Actions(Verb):
    """actions (or: commands): list every command you can use."""

    names = ("actions", "commands")
    syntax = ("actions|commands",)

    def run(self, context):
        """
        List the first name of every verb the actor may use, and the session's
        own commands.
        """
        names = sorted({v.names[0] for v in _available(context)} |
                       set(SESSION_HELP))
        report(context, "Commands: " + ", ".join(names) + ".")
