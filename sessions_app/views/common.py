"""What every group page does first: find the user's membership of the group in the URL."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from sessions_app.selectors.access import member_get_for_user


def group_view(*, managers_only: bool = False, leaders_only: bool = False):
    """Decorate a view taking group_slug: sets request.member, 404 for other groups' users.

    managers_only: secretary, leader or deputy (who keep the records); members get 403.
    leaders_only: leader or deputy (who approve); others get 403.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, group_slug, *args, **kwargs):
            member = member_get_for_user(user=request.user, group_slug=group_slug)
            # Set before the role checks, so a refusal is recorded against this group.
            request.member = member
            if managers_only and not member.can_manage_records:
                raise PermissionDenied
            if leaders_only and not member.is_leader:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
