from django.shortcuts import render

from sessions_app.selectors.leave import leave_requests_of
from sessions_app.selectors.makeup import makeup_duties_of
from sessions_app.selectors.sessions import member_record
from sessions_app.views.common import group_view


@group_view()
def my_record(request):
    member = request.member
    context = {
        "record": member_record(member=member),
        "leave_requests": leave_requests_of(member=member),
        "makeup_duties": makeup_duties_of(member=member),
    }
    return render(request, "sessions_app/me.html", context)
