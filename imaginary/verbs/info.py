"""
Information verbs: help, help <topic>, actions (commands).

Help comes from the verbs themselves (each verb's ``help`` text), so a verb
added by a plugin is documented the moment it joins, and help can never
describe a verb that does not exist.
"""


from .base import Verb, hasPermission, report



def _available(context):
    return [v for v in context.registry.verbs()
            if v.names and hasPermission(context.actor, v.permission)]


class Help(Verb):
    names = ("help", "?")
    syntax = ("help|?", "help|? {topic}")
    help = "help: how to play. help <command>: what a command does."

    def run(self, context, topic=None):
        if topic is None:
            report(context, "Type commands in plain English: 'look', "
                           "'take lamp', 'go north' (or just 'n'), "
                           "'say hello'. 'actions' lists every command; "
                           "'help <command>' explains one.")
            return
        word = topic.strip().lower()
        verb = context.registry.find(word)
        if verb is None or not hasPermission(context.actor, verb.permission):
            report(context, f"There is no help on '{word}'. Type 'actions' "
                           f"for the list of commands.")
            return
        report(context, verb.help)


class Actions(Verb):
    names = ("actions", "commands")
    syntax = ("actions|commands",)
    help = "actions (or: commands): list every command you can use."

    def run(self, context):
        names = sorted({v.names[0] for v in _available(context)})
        report(context, "Commands: " + ", ".join(names) + ".")
