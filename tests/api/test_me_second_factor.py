"""GET /api/v1/me says whether the account has a second factor and whether the deployment
requires one of its role, so that the web interface can ask for the code or lead to enrolling.
"""
from test_second_factor import enrol


def me(server, who):
    r = server.get("/api/v1/me", who=who)
    assert r.status_code == 200, r.text
    return r.json()


def test_me_tells_the_second_factor(server):
    doc = me(server, "DEU/officer")
    assert doc["second_factor"] is False and doc["second_factor_required"] is False
    enrol(server, "DEU/officer")
    doc = me(server, "DEU/officer")
    assert doc["second_factor"] is True and doc["second_factor_required"] is False


def test_me_tells_what_the_deployment_requires(server):
    assert server.stop() == 0
    server.start("--require-second-factor")
    for who, required in (("DEU/admin", True), ("secretariat", True), ("DEU/officer", False)):
        doc = me(server, who)
        assert doc["second_factor_required"] is required, who
        assert doc["second_factor"] is False, who
