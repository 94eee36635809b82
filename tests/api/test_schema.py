"""The OpenAPI schema and its readers: complete, valid, served from our own static files."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_declares_the_bearer_key_and_uses_it(schema):
    scheme = schema["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operation = schema["paths"]["/api/v1/api-key"]["get"]
    assert {"ApiKey": []} in operation["security"]


def test_every_operation_documents_its_problems_and_writes_their_idempotency_key(schema):
    assert "Problem" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("400", "404", "429", "500"):
                content = responses[status]["content"]
                assert "application/problem+json" in content, (method, path, status)
            if method in ("post", "put", "patch", "delete"):
                assert {"409", "422"} <= set(responses), (method, path)
                names = [p["name"] for p in operation.get("parameters", [])]
                assert "Idempotency-Key" in names, (method, path)


def test_the_description_explains_auth_idempotency_errors_limits_and_pages(schema):
    description = schema["info"]["description"]
    for topic in ("Bearer", "Idempotency-Key", "24 hours", "problem+json", "429", "cursor"):
        assert topic in description


def test_the_schema_validates_with_no_warning(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_readers_load_from_our_static_files_under_a_strict_script_policy(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources)  # no CDN
    assert "googleapis" not in html
    assert re.search(r"<script>(?!\s*</script>)", html) is None  # no inline script
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()
    assert script_src == ["'self'"]
    for src in sources:
        assert client.get(src).status_code == 200, src


def test_other_pages_keep_the_strict_style_policy(client):
    policy = client.get("/api/v1/problems/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy


def test_the_lint_target_validates_the_schema():
    from pathlib import Path

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert "spectacular --validate --fail-on-warn" in makefile
