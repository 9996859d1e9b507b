"""Lesson 08: ws/liveblog/, where every saved Post reaches every socket after COMMIT, and only then."""

import io

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from db_demo.models import Post
from lessons.asgi import application
from tests.helpers.clients import ORIGIN

TITLE, BODY = "Live from lesson 08", "saved, committed, sent"


def logged_in_admin() -> Client:
    # password=None: an unusable password, so no slow hashing; force_login needs none.
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", password=None)
    client = Client()
    client.force_login(user)
    return client


def add_in_the_admin(draft: Post) -> int:
    response = logged_in_admin().post("/admin/db_demo/post/add/", {"title": TITLE, "body": BODY})
    assert response.status_code == 302, "the admin did not save the post"
    return Post.objects.get(title=TITLE).pk


def change_in_the_admin(draft: Post) -> int:
    response = logged_in_admin().post(f"/admin/db_demo/post/{draft.pk}/change/", {"title": TITLE, "body": BODY})
    assert response.status_code == 302, "the admin did not save the post"
    return draft.pk


def create_in_the_shell(draft: Post) -> int:
    return Post.objects.create(title=TITLE, body=BODY).pk


def update_in_the_shell(draft: Post) -> int:
    draft.title, draft.body = TITLE, BODY
    draft.save()
    return draft.pk


def create_with_the_post_command(draft: Post) -> int:
    call_command("post", TITLE, BODY, stdout=io.StringIO())
    return Post.objects.get(title=TITLE).pk


def save_a_post_then_fail() -> None:
    try:
        with transaction.atomic():
            Post.objects.create(title=TITLE, body=BODY)
            raise RuntimeError("something later in the same transaction failed")
    except RuntimeError:
        pass


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "publish",
    [add_in_the_admin, change_in_the_admin, create_in_the_shell, update_in_the_shell, create_with_the_post_command],
)
async def test_every_liveblog_socket_receives_a_post_created_or_updated_anywhere(publish):
    draft = await database_sync_to_async(Post.objects.create)(title="draft", body="saved before the sockets opened")
    readers = [WebsocketCommunicator(application, "/ws/liveblog/", headers=ORIGIN) for _ in range(2)]
    for reader in readers:
        await reader.connect()
    post_id = await sync_to_async(publish)(draft)
    frames = [await reader.receive_json_from() for reader in readers]
    assert frames == [{"post": {"id": post_id, "title": TITLE, "body": BODY}}] * 2
    for reader in readers:
        await reader.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_liveblog_sends_nothing_when_the_transaction_rolls_back():
    communicator = WebsocketCommunicator(application, "/ws/liveblog/", headers=ORIGIN)
    await communicator.connect()
    await database_sync_to_async(save_a_post_then_fail)()
    await database_sync_to_async(Post.objects.create)(title="Committed", body="saved after the rollback")
    # Had the rolled-back post been sent, it would come first (lesson 09, "Proving silence").
    assert (await communicator.receive_json_from())["post"]["title"] == "Committed"
    assert await database_sync_to_async(Post.objects.count)() == 1
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_queryset_update_sends_nothing_to_the_liveblog_as_no_save_signal_fires():
    draft = await database_sync_to_async(Post.objects.create)(title="Hi", body="saved before the socket opened")
    communicator = WebsocketCommunicator(application, "/ws/liveblog/", headers=ORIGIN)
    await communicator.connect()
    changed = await database_sync_to_async(Post.objects.filter(title="Hi").update)(body="changed")
    assert changed == 1  # the row did change, in one UPDATE, without Post.save()
    await database_sync_to_async(Post.objects.create)(title="Saved", body="with save()")
    assert (await communicator.receive_json_from())["post"]["title"] == "Saved"  # the update never came first
    await database_sync_to_async(draft.refresh_from_db)()
    assert draft.body == "changed"
    await communicator.disconnect()


async def test_a_frame_sent_to_the_liveblog_gets_an_error_and_the_socket_stays_open():
    communicator = WebsocketCommunicator(application, "/ws/liveblog/", headers=ORIGIN)
    await communicator.connect()
    await communicator.send_to(text_data="hello")
    reply = await communicator.receive_json_from()
    assert "only receives posts" in reply["error"]
    await communicator.send_to(text_data="again")
    assert "error" in await communicator.receive_json_from()
    await communicator.disconnect()


@pytest.mark.django_db
def test_the_post_command_says_that_without_redis_url_no_server_heard_it_live(capsys):
    call_command("post", TITLE, BODY)
    output = capsys.readouterr()
    assert output.out.startswith("Saved post ")  # saved all the same: a replay finds it
    assert output.err.startswith("No server heard it live: REDIS_URL is unset")


@pytest.mark.django_db
@pytest.mark.parametrize("layer", ["redis"], indirect=True)
def test_the_post_command_warns_nothing_on_a_layer_servers_can_share(layer, capsys):
    call_command("post", TITLE, BODY)
    assert capsys.readouterr().err == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("title", "body"), [("", BODY), ("x" * 201, BODY), (TITLE, "")])
def test_the_post_command_refuses_a_post_the_admin_would_refuse(title, body):
    with pytest.raises(CommandError, match="not saved"):
        call_command("post", title, body)
    assert Post.objects.count() == 0
