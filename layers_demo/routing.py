"""WebSocket routes and worker channels of layers_demo (composed by lessons/routing.py)."""

from django.urls import path

from layers_demo.direct import DirectConsumer
from layers_demo.generic_chat import GenericChatConsumer
from layers_demo.hardened_chat import ChatConsumer
from layers_demo.plain_chat import PlainChatConsumer
from layers_demo.primes import WORKER_CHANNEL, PrimesConsumer, PrimesWorker

websocket_urlpatterns = [
    # <str:room> takes any name without "/": the consumer checks it and refuses bad ones.
    # Lesson 05's hardened chat: the room <room> is the group "chat-<room>" (announce sends there too).
    path("ws/chat/<str:room>/", ChatConsumer.as_asgi()),
    path("ws/layers/direct/", DirectConsumer.as_asgi()),
    path("ws/layers/primes/", PrimesConsumer.as_asgi()),
]

# Lesson 04's chats have no flood limit: routed only in development (settings.SERVE_HAZARD_DEMOS),
# and each keeps to groups of its own ("plain-chat-<room>", "generic-chat-<room>"), so a flood
# sent on them never reaches a ws/chat/<room>/ socket.
hazard_urlpatterns = [
    path("ws/layers/plain-chat/<str:room>/", PlainChatConsumer.as_asgi()),
    path("ws/layers/generic-chat/<str:room>/", GenericChatConsumer.as_asgi()),
]

# Channel names served by `python manage.py runworker <name>` (lesson 06),
# through the root router's ChannelNameRouter.
worker_channels = {
    WORKER_CHANNEL: PrimesWorker.as_asgi(),
}
