"""Lesson 16: a server (DEBUG off) never signs with the development SECRET_KEY the course prints.

Lesson 11's tokens, sessions and CSRF tokens are signed with SECRET_KEY: on the development key,
printed in lessons/settings.py, anyone who has read the course can sign a login token that works.
"""

import runpy

import pytest

from course.catalogue import REPO_DIR

SETTINGS = str(REPO_DIR / "lessons" / "settings.py")


def test_debug_off_with_the_development_key_refuses_to_start_and_says_what_to_do(monkeypatch):
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SystemExit) as refused:
        runpy.run_path(SETTINGS)
    said = str(refused.value.code)
    assert "SECRET_KEY is the development key" in said and "export SECRET_KEY=" in said


def test_the_development_key_set_by_hand_is_refused_too(monkeypatch):
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", "django-insecure-channels-lessons-development-only")
    with pytest.raises(SystemExit):
        runpy.run_path(SETTINGS)


def test_debug_off_with_a_key_of_its_own_starts(monkeypatch):
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "a-key-of-this-servers-own-" + "x" * 30)
    assert runpy.run_path(SETTINGS)["DEBUG"] is False


def test_a_laptop_with_debug_on_keeps_the_development_key(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert runpy.run_path(SETTINGS)["SECRET_KEY"] == "django-insecure-channels-lessons-development-only"
