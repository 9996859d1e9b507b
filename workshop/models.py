"""The workshop room's tables (lesson 17): what the instructor's page shows, kept in the database.

Kept, not held in memory: the instructor's server can restart mid-workshop and
every student's status, raised hand and shared file is still there, and a
student's laptop that went to sleep simply stops being seen (Student.last_seen),
with no connection count to go wrong. Each student writes only their own rows:
the token their socket sent first decides whose (workshop/tokens.py).
"""

from django.db import models
from django.db.models.functions import Lower


class Workshop(models.Model):
    """One session of the course in a room: `python manage.py workshop open` makes one."""

    code = models.CharField(max_length=12)  # the join code; never shown on a page or in a log
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # null while new students may join
    # Joins refused while it was open (a wrong code, or too many from one address): the page shows it.
    refused_joins = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"workshop {self.pk} ({'open' if self.closed_at is None else 'closed'})"


class Student(models.Model):
    """A laptop that joined a workshop under a name."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="students")
    name = models.CharField(max_length=40)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Presence: active while this is less than ACTIVE_MINUTES old (workshop/room.py). Any frame moves it.
    last_seen = models.DateTimeField()
    last_report_at = models.DateTimeField(null=True, blank=True)  # the last check result; null until one
    # The newest message of the instructor this laptop has printed (0: none): "seen by 12 of 30".
    message_seen = models.PositiveBigIntegerField(default=0)
    doctor = models.JSONField(null=True, blank=True)  # the latest `doctor` verdict; null until one is sent
    hand_raised_at = models.DateTimeField(null=True, blank=True)  # null: no hand up

    class Meta:
        # "Alice" and "alice" are one name: two rows the instructor cannot tell apart would be
        # two people answering to one name. The database enforces it, so two laptops joining
        # under one name at the same moment cannot both get in.
        constraints = [models.UniqueConstraint("workshop", Lower("name"), name="one_name_per_workshop")]

    def __str__(self) -> str:
        return self.name


class Status(models.Model):
    """The latest result of one exercise's check on one student's laptop."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="statuses")
    exercise = models.CharField(max_length=5)  # "NN.K"
    status = models.CharField(max_length=7)  # "passing" or "failing"
    # The failing check's name; "" when passing. (Not "check": a field of that name
    # would hide Model.check(), which Django's system checks call: models.E020.)
    failed_check = models.CharField(max_length=200, blank=True)
    # The one line the student's terminal printed after "What it says:" (never their code); "" when passing.
    says = models.CharField(max_length=300, blank=True, default="")
    changed_at = models.DateTimeField()  # moves only when status or check changes

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "exercise"], name="one_status_per_exercise")]
        verbose_name_plural = "statuses"

    def __str__(self) -> str:
        return f"{self.student} {self.exercise} {self.status}"


class Message(models.Model):
    """A message from the instructor to every student; its id is the replay cursor (lesson 12)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="messages")
    text = models.CharField(max_length=500)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.text[:40]


class Share(models.Model):
    """A file a student chose to show the instructor (`python manage.py workshop share NN.K`)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="shares")
    exercise = models.CharField(max_length=5)
    path = models.CharField(max_length=300)
    code = models.TextField()
    shared_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.student} {self.exercise} {self.path}"
