"""
The core verbs and the basic thing types, as plugins.

The engine finds its own verbs the same way it finds a world author's: by
asking the plugin system for IVerbSource and IThingType providers.
"""

from imaginary.verbs import (
    admin, body, builder, channels, core, handling, info, talk)
from imaginary.verbs.base import VerbSource
from imaginary.verbs.builder import ThingType
from imaginary.simulation import factories

coreVerbs = VerbSource("core", [
    core.Look, core.Go, core.Take, core.Drop, core.Put, core.Inventory,
    talk.Say, talk.Emote, talk.Tell, talk.Whisper, talk.Shout, talk.Who,
    handling.Give, handling.Open, handling.Close, handling.Lock,
    handling.Unlock, handling.Wear, handling.Remove, handling.Equipment,
    handling.Eat, body.Hit, body.Score, info.Help, info.Actions,
    builder.Dig, builder.Bury, builder.Create, builder.ListThingTypes, builder.Reload,
    builder.Describe, builder.Name, builder.Set, builder.Illuminate,
    builder.Teleport, builder.Destroy, builder.Scrutinize,
])

channelVerbs = VerbSource("channels", [
    channels.Channels, channels.Join, channels.Leave, channels.Chat,
    channels.ChannelCommand, channels.ChannelTalk,
])

adminVerbs = VerbSource("admin", [
    admin.Shutdown, admin.Wall, admin.Boot, admin.Ban, admin.Unban,
    admin.Promote, admin.Demote,
])

thingType = ThingType("thing", factories.plainThing, "an ordinary thing")
boxType = ThingType("box", factories.box, "a container that opens and closes")
keyType = ThingType("key", factories.key, "a key (set a lock's key to use it)")
foodType = ThingType("food", factories.food, "something to eat")
lampType = ThingType("lamp", factories.lamp, "a light source")
