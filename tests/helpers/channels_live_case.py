"""Lesson 09: Channels' own live server, ChannelsLiveServerTestCase, in the unittest style it requires.

Not collected by a plain `pytest` run (its name does not start with test_):
tests/test_09_testing_slow.py runs it in a pytest of its own, once on a
file-based test database (it works) and once in memory (it refuses).
"""

from channels.testing import ChannelsLiveServerTestCase
from websockets.sync.client import connect

from harness.patience import FRAME


class EchoOnChannelsLiveServer(ChannelsLiveServerTestCase):
    """setUpClass forks a daphne.testing.DaphneProcess serving ASGI_APPLICATION; one per class."""

    def test_its_daphne_serves_the_course_echo_over_a_real_socket(self):
        # The class adds its host, "localhost", to ALLOWED_HOSTS, so the origin check lets this page in.
        with connect(f"{self.live_server_ws_url}/ws/sync/echo/", origin=self.live_server_url) as socket:
            socket.send("hello")
            self.assertEqual(socket.recv(timeout=FRAME), "hello")
