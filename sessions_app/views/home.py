from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from sessions_app.selectors.access import memberships_for_user


@login_required
def home(request):
    """One group: straight to its dashboard. Several: let the user choose. None: say so."""
    memberships = list(memberships_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("sessions_app:dashboard", group_slug=memberships[0].group.slug)
    return render(request, "sessions_app/home.html", {"memberships": memberships})
