"""Tiers and quotas are an admin's decision, not a tenant's.

A member of a project sees its tier and quota and may rename it, but any tier
in a change, or a tier other than free on a new project, is refused with 403
naming the tier, and nothing changes. Admins, management tokens and the CLI
(the operator on the machine) decide tiers. Custom quotas are bounded."""

import pytest

from support.accounts import Operator, add_user, set_up_admin
from support.events import assert_error

P = "/api/v1/projects"
MAX_CUSTOM_QUOTA = 1_000_000_000
FREE = {"name": "free", "daily_quota": 1000}


@pytest.fixture
def people(server):
    """An admin, and a member (not an admin) with a project of their own,
    which the admin is a member of too (admin users see only their projects)."""
    admin = set_up_admin(server)
    member = add_user(admin, "member@example.com")
    project = member.create_project("mine")["project"]
    r = member.post(f"{P}/{project['id']}/members", {"email": admin.email})
    assert r.status == 201, r
    return {"admin": admin, "member": member, "project": project, "operator": Operator(server)}


def assert_admin_only(resp):
    assert_error(resp, 403, "FORBIDDEN", field="tier")
    assert "admin" in resp.json["error"], resp


def all_projects(server):
    return {p["id"]: p for p in Operator(server).get(P).json["projects"]}


@pytest.mark.parametrize("tier", ["pro", "free", 5000, 2, 2**63 - 1])
def test_member_cannot_change_the_tier(server, people, tier):
    member, project = people["member"], people["project"]
    before = all_projects(server)
    r = member.patch(f"{P}/{project['id']}", {"tier": tier})
    assert r.status in (400, 403), r
    if tier != 2**63 - 1:  # beyond the bound it is bad input first
        assert_admin_only(r)
    # With a rename beside it, neither happens.
    r = member.patch(f"{P}/{project['id']}", {"name": "renamed", "tier": tier})
    assert r.status in (400, 403), r
    assert all_projects(server) == before, "a refused change changed nothing"


def test_member_sees_the_tier_and_may_rename(server, people):
    member, project = people["member"], people["project"]
    assert project["tier"] == FREE
    seen = member.get(f"{P}/{project['id']}").json
    assert seen["tier"] == FREE
    r = member.patch(f"{P}/{project['id']}", {"name": "renamed"})
    assert r.status == 200, r
    assert r.json["name"] == "renamed" and r.json["tier"] == FREE


@pytest.mark.parametrize("tier", ["pro", 5000, 1000, 1])
def test_member_cannot_create_a_paid_or_custom_project(server, people, tier):
    before = all_projects(server)
    r = people["member"].post(P, {"name": "bigger", "tier": tier})
    assert_admin_only(r)
    assert all_projects(server) == before, "no project was created"


@pytest.mark.parametrize("body", [{"name": "plain"}, {"name": "explicit", "tier": "free"}])
def test_member_may_create_free_projects(server, people, body):
    r = people["member"].post(P, body)
    assert r.status == 201, r
    assert r.json["project"]["tier"] == FREE
    mine = [p["id"] for p in people["member"].get(P).json["projects"]]
    assert r.json["project"]["id"] in mine


@pytest.mark.parametrize("who", ["admin", "operator"])
def test_admins_and_operators_decide_tiers(server, people, who):
    caller, project = people[who], people["project"]
    r = caller.patch(f"{P}/{project['id']}", {"tier": "pro"})
    assert r.status == 200, r
    assert r.json["tier"] == {"name": "pro", "daily_quota": 100000}
    # The member sees the change, and still cannot undo it.
    assert people["member"].get(f"{P}/{project['id']}").json["tier"]["name"] == "pro"
    assert_admin_only(people["member"].patch(f"{P}/{project['id']}", {"tier": "free"}))
    r = caller.patch(f"{P}/{project['id']}", {"tier": 2500})
    assert r.status == 200 and r.json["tier"] == {"name": "custom", "daily_quota": 2500}, r
    created = caller.post(P, {"name": f"by-{who}", "tier": "pro"})
    assert created.status == 201 and created.json["project"]["tier"]["name"] == "pro", created


def test_a_promoted_member_may_change_tiers(server, people):
    """Admin is a property of the user: a second admin user decides too."""
    second = add_user(people["admin"], "second-admin@example.com", is_admin=True)
    r = second.post(P, {"name": "by-second", "tier": 7000})
    assert r.status == 201 and r.json["project"]["tier"] == {"name": "custom", "daily_quota": 7000}, r


@pytest.mark.parametrize("quota", [MAX_CUSTOM_QUOTA + 1, 2**63 - 1])
def test_custom_quotas_are_bounded(server, people, quota):
    admin, project = people["admin"], people["project"]
    before = all_projects(server)
    r = admin.patch(f"{P}/{project['id']}", {"tier": quota})
    assert_error(r, 400, "INVALID_PAYLOAD", field="tier")
    assert "1000000000" in r.json["error"].replace(",", ""), r
    assert_error(admin.post(P, {"name": "huge", "tier": quota}), 400, "INVALID_PAYLOAD")
    assert all_projects(server) == before
    r = admin.patch(f"{P}/{project['id']}", {"tier": MAX_CUSTOM_QUOTA})
    assert r.status == 200 and r.json["tier"]["daily_quota"] == MAX_CUSTOM_QUOTA, r


def test_the_cli_still_sets_tiers_within_the_bound(server, people):
    project = people["project"]
    server.set_tier(project["id"], "pro")
    assert people["member"].get(f"{P}/{project['id']}").json["tier"]["name"] == "pro"
    server.set_tier(project["id"], 12345)
    assert people["member"].get(f"{P}/{project['id']}").json["tier"]["daily_quota"] == 12345
    code, _, err = server.cli("project", "set-tier", "--project", project["id"], "--tier", str(2**63 - 1),
                              json_out=False, check=False)
    assert code != 0 and "tier" in err, err
    code, _, err = server.cli("project", "create", "--name", "huge", "--tier", str(MAX_CUSTOM_QUOTA + 1),
                              json_out=False, check=False)
    assert code != 0 and "tier" in err, err
    assert people["member"].get(f"{P}/{project['id']}").json["tier"]["daily_quota"] == 12345
