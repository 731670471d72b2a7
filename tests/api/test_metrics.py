"""/metrics for the Secretariat or a configured token only; /healthz for anyone."""
import re
import secrets

import pytest
import requests

from conftest import assert_problem
from pocd_helpers import clean_log  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_log")


def _sample(text, name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    assert m, (name, labels)
    return float(m.group(1))


def test_healthz_without_auth(server):
    r = requests.get(server.url + "/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert requests.head(server.url + "/healthz").status_code == 200


def test_metrics_access(server):
    assert_problem(requests.get(server.url + "/metrics"), 401)
    assert_problem(server.get("/metrics", who="FRA/admin"), 403)
    assert_problem(server.get("/metrics", who="FRA/officer"), 403)
    r = server.get("/metrics", who="secretariat")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    for name in ("pocd_http_responses_total", "pocd_db_commits_total",
                 "pocd_http_request_duration_seconds_bucket", "pocd_db_bytes"):
        assert name in text
    assert "# TYPE pocd_http_responses_total counter" in text
    assert _sample(text, "pocd_http_responses_total", '{class="2xx"}') >= 1
    assert _sample(text, "pocd_http_responses_total", '{class="4xx"}') >= 2
    assert _sample(text, "pocd_db_bytes") > 0
    # every line is a comment or "name{labels} value"
    for line in text.splitlines():
        assert line.startswith("#") or re.match(r"^[a-z_]+(\{[^}]*\})? \S+$", line), line


def test_metrics_count_commits(server):
    before = _sample(server.get("/metrics", who="secretariat").text, "pocd_db_commits_total")
    from pocd_helpers import poc_body
    assert server.post("/api/v1/states/FRA/pocs", who="FRA/admin",
                       json=poc_body()).status_code == 201
    after = _sample(server.get("/metrics", who="secretariat").text, "pocd_db_commits_total")
    assert after >= before + 1
    h = server.get("/metrics", who="secretariat").text
    inf = _sample(h, "pocd_http_request_duration_seconds_bucket", '{le="+Inf"}')
    assert inf == _sample(h, "pocd_http_request_duration_seconds_count") and inf > 0


def test_metrics_token(server):
    token = "T0k3n-" + secrets.token_urlsafe(24)
    assert server.stop() == 0
    server.start("--metrics-token", token)
    r = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200 and "pocd_db_commits_total" in r.text
    # anything else is still refused: no token, a wrong one, a prefix, a state admin
    assert_problem(requests.get(server.url + "/metrics"), 401)
    assert_problem(requests.get(server.url + "/metrics",
                                headers={"Authorization": "Bearer " + token[:-1]}), 401)
    assert_problem(requests.get(server.url + "/metrics",
                                headers={"Authorization": "Bearer " + token + "x"}), 401)
    assert_problem(server.get("/metrics", who="DEU/admin"), 403)
    assert server.get("/metrics", who="secretariat").status_code == 200
    # the metrics token is not a login for the API
    assert_problem(requests.get(server.url + "/api/v1/me",
                                headers={"Authorization": "Bearer " + token}), 401)
    assert_problem(requests.get(server.url + "/api/v1/directory",
                                headers={"Authorization": "Bearer " + token}), 401)
