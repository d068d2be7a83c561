"""What the API tests share: `api(role)`, an API client authenticated as the role's user (tests/conftest.py users)."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(users):
    def login(role):
        client = APIClient()
        client.force_authenticate(users[role])
        return client

    return login
