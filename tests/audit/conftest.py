"""A deputy besides the shared secretary, leader and member: the audit log is theirs to read."""

import pytest

from sessions_app.models import Member
from tests.factories import MemberFactory


@pytest.fixture
def deputy(group):
    return MemberFactory(
        group=group, role=Member.Role.DEPUTY, display_name="赵副书记", user__username="deputy"
    )
