from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from oversight.selectors.access import organisations_for_user
from sessions_app.selectors.access import memberships_for_user


@login_required
def home(request):
    """One group (or one organisation overseen) and nothing else: straight to its page. More:
    let the user choose. None: say so."""
    memberships = list(memberships_for_user(user=request.user))
    overseen = organisations_for_user(user=request.user)
    if len(memberships) == 1 and not overseen:
        return redirect("sessions_app:dashboard", group_slug=memberships[0].group.slug)
    if len(overseen) == 1 and not memberships:
        return redirect("oversight:table", org_slug=overseen[0].organisation.slug)
    return render(
        request, "sessions_app/home.html", {"memberships": memberships, "overseen": overseen}
    )
