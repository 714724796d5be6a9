from django.shortcuts import render

from sessions_app.selectors.sessions import member_record
from sessions_app.views.common import group_view


@group_view()
def my_record(request):
    return render(request, "sessions_app/me.html", {"record": member_record(member=request.member)})
