from __future__ import annotations

import pytest

from catalog_api import BLUEPRINT, Api


@pytest.fixture
def api() -> Api:
    api = Api()
    assert api.blueprint(BLUEPRINT).status_code == 201
    return api
