from django.test import Client
from django.urls import reverse


def test_other_groups_page_is_a_chinese_404_inside_the_site(client_for, outsider, group):
    response = client_for(outsider).get(reverse("sessions_app:dashboard", args=[group.slug]))
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "id=\"main\"" in page  # the site's layout, with its navigation
    assert "Not Found" not in page


def test_members_forbidden_page_explains_roles(client_for, group, member):
    response = client_for(member).get(reverse("sessions_app:session_create", args=[group.slug]))
    assert response.status_code == 403
    assert "403 Forbidden" not in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_server_error_page_renders_without_a_request_context(db):
    from django.views.defaults import server_error

    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "vendor/bootstrap/bootstrap.min.css" in response.content.decode()
