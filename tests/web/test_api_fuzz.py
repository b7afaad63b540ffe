"""Schemathesis over the app's own /openapi.json: every operation, generated inputs, no 5xx.

Runs against a database holding real imported patents (the ``world`` fixture), once as the
anonymous public and once as a logged-in city officer (session cookie and CSRF header set,
so the state-changing operations get past the CSRF check and reach the services).
Bounded: 25 examples per operation and role, so the module takes about a minute on two cores.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from web_support import csrf_of, login

from ipcity.web.security import SESSION_COOKIE

# 25 requests per operation and role: 15 valid ones, 10 invalid ones.
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    derandomize=True,
    database=None,
)


@pytest.fixture
def api_schema(app: Any, world: Any) -> Any:
    """The app's OpenAPI schema, loaded from the running app (ASGI, in process)."""
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def officer_session(app: Any, world: Any) -> dict[str, Any]:
    """Cookie and CSRF header of a city officer logged in through the real form."""
    with TestClient(app) as client:
        login(client, world.users["city_officer"])
        return {
            "cookies": {SESSION_COOKIE: client.cookies.get(SESSION_COOKIE)},
            "headers": {"X-CSRF-Token": csrf_of(client)},
        }


def _operations() -> list[tuple[str, str]]:
    # Collected from the app itself, so a new API operation is fuzzed without editing this file.
    from ipcity.config import Settings
    from ipcity.web.app import create_app

    app = create_app(Settings(database_url="sqlite://", environment="test"))
    spec = app.openapi()
    app.state.engine.dispose()
    return sorted((method.upper(), path) for path, item in spec["paths"].items() for method in item)


OPERATIONS = _operations()


def test_schema_lists_the_api(api_schema: Any) -> None:
    """The schema the fuzzer walks holds the registry API (so an empty schema cannot pass)."""
    paths = set(api_schema.raw_schema["paths"])
    assert {"/api/v1/patents", "/api/v1/holders/{holder_id}", "/api/v1/imports"} <= paths
    assert len(OPERATIONS) >= 10


@pytest.mark.parametrize("role", ["public", "city_officer"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_error(
    role: str, method: str, path: str, api_schema: Any, officer_session: dict[str, Any]
) -> None:
    """Valid and invalid generated requests to one operation: never a 5xx, as the public
    and as a city officer (whose writes get past CSRF and reach the services)."""
    operation = api_schema[path][method]
    auth = officer_session if role == "city_officer" else {}

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES[mode])
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error], **auth)

        try:
            call()
        except Unsatisfiable:
            # No invalid request exists for an operation without parameters or body.
            assert mode is GenerationMode.NEGATIVE
