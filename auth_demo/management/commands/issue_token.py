"""`python manage.py issue_token <username>`: a signed login token for ws/auth/token/ (lesson 11)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from auth_demo.tokens import MAX_AGE, issue_token


class Command(BaseCommand):
    help = (
        f"Print a signed token that logs a socket in as <username> on ws/auth/token/ (valid {MAX_AGE // 60} minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}: create one first (python manage.py createsuperuser)")
        # The token is the last word, so a script can take it with `| awk '{print $NF}'`.
        self.stdout.write(f"token for {username}, valid {MAX_AGE // 60} minutes: {issue_token(user)}")
