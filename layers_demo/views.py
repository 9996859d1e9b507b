"""The lesson 06 form's HTTP view: announce to a chat room from a plain Django view."""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from layers_demo.announce import announce
from layers_demo.validation import ClientError


@require_POST
def announce_view(request):
    """POST /layers/announce/ with `room` and `text`: like `python manage.py announce`."""
    room, text = request.POST.get("room", ""), request.POST.get("text", "")
    try:
        # A sync view: Django runs it in a thread, where async_to_sync may wait.
        announce(room, text)
    except ClientError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"announced": {"room": room, "message": text}})
