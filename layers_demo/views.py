"""The lesson 06 form's HTTP view: announce to a chat room from a plain Django view."""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from layers_demo.announce import announce
from layers_demo.validation import ClientError

NOT_STAFF = "announcing needs a staff user: log in at /accounts/login/ (python manage.py createsuperuser makes one)"


@require_POST
def announce_view(request):
    """POST /layers/announce/ with `room` and `text`, by a staff user: like `python manage.py announce`."""
    # Django's CSRF middleware has checked the form's token by now. An announcement reaches
    # every socket of a room, past the chat's flood limit: only staff may send one. A JSON
    # 403, not a redirect to the login page, because the lesson page posts with fetch().
    if not request.user.is_staff:
        return JsonResponse({"error": NOT_STAFF}, status=403)
    room, text = request.POST.get("room", ""), request.POST.get("text", "")
    try:
        # A sync view: Django runs it in a thread, where async_to_sync may wait.
        announce(room, text)
    except ClientError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"announced": {"room": room, "message": text}})
