"""The basics every other test relies on: login, me, a directory read, restart."""
from conftest import assert_problem


def test_login_and_me(server):
    r = server.get("/api/v1/me", who="FRA/admin")
    assert r.status_code == 200
    me = r.json()
    assert me["role"] == "state_admin" and me["state"] == "FRA"


def test_wrong_password_is_401(server):
    r = server.post("/api/v1/login", json={"username": "fra-admin", "password": "x" * 20})
    assert_problem(r, 401)


def test_data_survives_restart(server):
    before = server.get("/api/v1/states/FRA/pocs", who="FRA/admin").json()["items"]
    server.restart()
    after = server.get("/api/v1/states/FRA/pocs", who="FRA/admin").json()["items"]
    assert before == after and len(before) >= 3
