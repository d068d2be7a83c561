"""The roles of the permission matrix: the seven of supervision.roles, a logged-in user with no role, and an
anonymous visitor; and the users of the shared fixtures who act as them."""

from supervision.roles import Role

OUTSIDER, ANONYMOUS = "outsider", "anonymous"
ROLES = (Role.ADMIN, Role.COMMISSION_STAFF, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_LIAISON, Role.CASE_OFFICE,
         Role.COMMISSION_LEADER, OUTSIDER, ANONYMOUS)
# -> the users of tests/conftest.py (and the results fixtures: the liaison of the stations' own village).
ROLE_USERS = {Role.ADMIN: "admin", Role.COMMISSION_STAFF: "commission", Role.TEAM_LEADER: "leader",
              Role.TEAM_MEMBER: "member", Role.UNIT_LIAISON: "target_liaison", Role.CASE_OFFICE: "case_office",
              Role.COMMISSION_LEADER: "commission_leader", OUTSIDER: "outsider"}
