"""Fixtures of the attack tests: uploaded files in a temporary folder, and the two groups'
world of tests/security/_access_world.py."""

import pytest

from tests.security._access_world import World, build_world


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def world(group, term, leader, deputy, secretary, member, other_group, outsider) -> World:
    return build_world(
        group=group, term=term, leader=leader, deputy=deputy, secretary=secretary, member=member,
        other_group=other_group, outsider=outsider,
    )
