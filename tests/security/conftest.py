"""Fixtures of the attack tests: the two groups'
world of tests/security/_access_world.py."""

import pytest

from tests.security._access_world import World, build_world


@pytest.fixture
def world(group, term, leader, deputy, secretary, member, other_group, outsider) -> World:
    return build_world(
        group=group, term=term, leader=leader, deputy=deputy, secretary=secretary, member=member,
        other_group=other_group, outsider=outsider,
    )
