"""The admin is one of the three places a liveblog Post can be saved from."""

from django.contrib import admin

from db_demo.models import ChatMessage, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "created"]
    search_fields = ["title", "body"]


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["room", "sender", "text", "created"]
    list_filter = ["room"]
