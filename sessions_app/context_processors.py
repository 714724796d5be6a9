from sessions_app.selectors.access import memberships_for_user


def current_membership(request):
    """The user's groups, and the membership for the group the URL names, for the navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    member = getattr(request, "member", None)
    if member is not None:
        return {"current_member": member, "current_group": member.group}
    return {"my_memberships": memberships_for_user(user=request.user)}
