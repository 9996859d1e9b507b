"""Lesson 17: what a student may report: the course's exercises alone, so a student's statuses are bounded."""

import pytest
from django.utils import timezone

from course.kit.registry import EXERCISES
from tests.helpers.workshop import a_room
from workshop import frames, room
from workshop.models import Status

pytestmark = pytest.mark.django_db


def test_the_room_takes_the_ids_of_the_courses_exercises_and_no_other():
    assert frames.catalogue() == {exercise.id for exercise in EXERCISES}
    for exercise_id in ("99.9", "00.0", "01.99", "16.12"):
        with pytest.raises(frames.ClientError, match="one of the course's exercises"):
            frames.report({"exercise": exercise_id, "status": "passing"})


def test_a_student_holds_at_most_one_status_per_exercise_of_the_course():
    workshop, _ = a_room("alice")
    alice = workshop.students.get()
    for exercise_id in sorted(frames.catalogue()) * 2:  # every exercise, each reported twice
        room.save_report(alice, frames.report({"exercise": exercise_id, "status": "failing"}), timezone.now())
    assert Status.objects.filter(student=alice).count() == len(EXERCISES)
