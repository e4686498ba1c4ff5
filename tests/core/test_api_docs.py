"""The browsable API docs work on a network without internet: everything comes from our static files."""

import re

from django.contrib.staticfiles import finders


def test_api_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
    assert external == []
    assert "cdn.jsdelivr.net" not in html
    # The Swagger UI bundle and stylesheet are our own static files, and they exist.
    assets = re.findall(r"""/static/(drf_spectacular_sidecar/[^"']+)""", html)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        assert finders.find(asset), asset


def test_api_schema_the_docs_page_reads_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Safety knowledge quiz competition API"
