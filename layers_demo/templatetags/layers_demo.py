"""Template tags for the lesson 04-06 pages: which process and channel layer served this page."""

import os

from channels.layers import get_channel_layer
from django import template

register = template.Library()


@register.simple_tag
def channel_layer_name() -> str:
    """The class name of this process's default channel layer, e.g. RedisChannelLayer."""
    return type(get_channel_layer()).__name__


@register.simple_tag
def server_pid() -> int:
    """The id of the server process that rendered the page (two servers, two ids)."""
    return os.getpid()
