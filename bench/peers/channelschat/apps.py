from django.apps import AppConfig


class ChannelsChatConfig(AppConfig):
    name = "bench.peers.channelschat"
    label = "peerchat"
