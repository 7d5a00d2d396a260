"""Property-based conformance of the sandbox to the published spec, with Schemathesis.

Every /v2 operation the sandbox serves is read from its URLconf (api_view records what it serves),
so a newly declared collection is covered as soon as it is routed; a served operation the spec
lacks fails test_the_sandbox_serves_only_operations_of_the_spec. Each is sent requests generated
from openapi.yaml as tests/spec.py loads it (the same file and errata; Schemathesis itself reads
readOnly/writeOnly as OpenAPI means them): the spec's examples, boundary and invalid values
(Schemathesis's coverage phase), then MAX_EXAMPLES generated ones, valid and invalid. Valid ids
in paths and query parameters are swapped for real ones half the time, and a valid EvEnergy-User
for a seeded driver, all found by walking the sandbox's own answers, so the run gets 200s and not
only 404s; invalid values are sent as generated.

Checks on every answer:
- not_a_server_error: no 5xx, whatever is sent;
- status_code_conformance, content_type_conformance, response_headers_conformance,
  response_schema_conformance: the answer is one the spec documents for the operation (stricter
  than tests/spec.py, which lets an undocumented error status through as a well-formed problem);
- negative_data_rejection: a request the spec forbids is refused with a 4xx.
Left out, and why:
- positive_data_acceptance: a request the spec allows is still refused for data the spec cannot
  express (an unknown id is a 404 or 400, an address without its city a 400 by the Location rule);
- missing_required_header, ignored_auth, unsupported_method, use_after_free,
  ensure_resource_availability, object_level_authorization: they probe other credentials, methods
  and deletions; the pipeline's 401/403/405 answers have their own tests (test_sandbox_api.py),
  and the API has no deletions.
Unknown query parameters, headers and body fields are not generated as invalid data: the API
ignores what it does not know, as HTTP APIs do.

Bounded: MAX_EXAMPLES per operation, derandomized (the same requests every run), no deadline,
no shrinking (a failure is reported as found, with a curl line to reproduce it). Runs against a
sandbox process of its own, as it creates and changes users.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterator

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st

from tests import spec
from tests.sandbox.fixtures import sandbox_process

# Generated requests per operation (the spec's examples and boundary cases come on top). Raise it
# for a deeper local run: EVADMIN_CONFORMANCE_EXAMPLES=500 (add EVADMIN_CONFORMANCE_SEED=n to vary it).
MAX_EXAMPLES = int(os.environ.get("EVADMIN_CONFORMANCE_EXAMPLES", "25"))
SEED = os.environ.get("EVADMIN_CONFORMANCE_SEED")  # unset: the same requests on every run
SEED_USERS = 60
LEFT_OUT_CHECKS = (  # see the module docstring
    "positive_data_acceptance", "missing_required_header", "ignored_auth", "unsupported_method", "use_after_free",
    "ensure_resource_availability", "object_level_authorization",
)
CLIENT_ID = "spec-conformance"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A route's named group, as urls.py and resources.routes() write them: (?P<name>[^/]+).
ROUTE_PARAMETER = re.compile(r"\(\?P<(\w+)>\[\^/\]\+\)")
PATH_TEMPLATE = re.compile(r"/|(/([\w-]+|\{\w+\}(:\w+)?))+")  # /support-ticket-stats/..., /user_rebates/{id}:submit
TEMPLATE_PARAMETER = re.compile(r"\{([^}]+)\}")
ID = re.compile(r"[a-z]{4}[0-9A-Z]{26}")
ENERGY_PATHS = ("/solar_arrays", "/inverters", "/home_batteries", "/hem_systems")


# --- What the sandbox serves ---------------------------------------------------------------

def route_template(regex: str) -> str:
    """A /v2 route's regex (`^v2/users/(?P<user_id>[^/]+)/?$`) as a path template (`/users/{user_id}`)."""
    path = ROUTE_PARAMETER.sub(r"{\1}", regex.removeprefix("^v2").removesuffix("$").removesuffix("/?")) or "/"
    if not PATH_TEMPLATE.fullmatch(path):
        raise ValueError(f"cannot read the sandbox route {regex!r} as a path template (got {path!r})")
    return path


def served_operations() -> dict[tuple[str, str], str | None]:
    """{(METHOD, path template): scope} for every /v2 operation in the sandbox's URLconf."""
    from evadmin.sandbox import urls

    served = {}
    for pattern in urls.urlpatterns:
        operations = getattr(pattern.callback, "operations", None)  # api_view's; {} for unknown paths
        if operations:
            template = route_template(pattern.pattern.regex.pattern)
            served.update({(method, template): operation.scope for method, operation in operations.items()})
    return served


def _shape(template: str) -> str:
    return TEMPLATE_PARAMETER.sub("{}", template)


def spec_operations() -> dict[tuple[str, str], tuple[str, str]]:
    """{(METHOD, path shape): (method, spec path)} for every operation in openapi.yaml."""
    return {
        (method.upper(), _shape(path)): (method, path)
        for path, item in spec.loaded_spec()["paths"].items()
        for method in item if method in HTTP_METHODS
    }


def served_in_spec() -> tuple[dict[tuple[str, str], str], list[tuple[str, str]]]:
    """The served operations found in the spec ({(method, spec path): scope}) and those not found."""
    in_spec, known = {}, spec_operations()
    missing = []
    for (method, template), scope in served_operations().items():
        found = known.get((method, _shape(template)))
        if found is None:
            missing.append((method, template))
        else:
            in_spec[found] = scope
    return in_spec, missing


def spec_of(operations) -> dict:
    """openapi.yaml (as tests/spec.py loads it) narrowed to `operations` [(method, spec path)]."""
    raw = spec.loaded_spec()
    narrowed = {key: value for key, value in raw.items() if key not in ("paths", "webhooks")}
    narrowed["paths"] = {}
    for method, path in operations:
        item = narrowed["paths"].setdefault(path, {
            key: value for key, value in raw["paths"][path].items() if key not in HTTP_METHODS})
        item[method] = raw["paths"][path][method]
    return copy.deepcopy(narrowed)


# --- Real data to aim at ------------------------------------------------------------------

def _valid(parameters, values: dict) -> bool:
    """Whether generated `values` all fit their parameters' schemas: a positive case's, which may be
    aimed at real data, not a negative case's, whose wrong value must be sent as generated."""
    by_name = {parameter.name.lower(): parameter for parameter in parameters}
    return all(by_name[name.lower()].is_valid(value) for name, value in values.items() if name.lower() in by_name)


def _aimed(value) -> st.SearchStrategy:
    found = ID.search(value) if isinstance(value, str) else None
    if found is None:
        return st.just(value)
    return st.one_of(st.just(value), st.sampled_from(TARGETS.ids.get(found.group()[:4]) or [found.group()]))


def _template_regex(template: str) -> re.Pattern:
    return re.compile(TEMPLATE_PARAMETER.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template)
                                             .replace(r"\{", "{").replace(r"\}", "}")))


def _urls_in(node, base: str) -> Iterator[str]:
    if isinstance(node, str):
        if node.startswith(base + "/"):
            yield node[len(base):].split("?")[0]
    elif isinstance(node, dict):
        for value in node.values():
            yield from _urls_in(value, base)
    elif isinstance(node, list):
        for value in node:
            yield from _urls_in(value, base)


class Targets:
    """Real values for path parameters (per spec path) and a driver for EvEnergy-User, found by
    walking the sandbox's answers: GET every served path that can be filled in, read the resource
    URLs in the answers, fill in more paths with them, until nothing new turns up."""

    PER_PATH = 8  # parameter sets kept per path
    READS_PER_PATH = 3  # of its concrete URLs, read for what hangs under them
    MAX_READS = 500

    def __init__(self):
        self.values: dict[str, list[dict]] = {}
        self.ids: dict[str, list[str]] = {}  # by prefix: ids seen in the answers' URLs
        self.driver: str | None = None
        # Energy devices belong to few drivers (issue 17): their paths are read as a driver who has some,
        # and they do not count in choosing the driver for the rest.
        self.energy_driver: str | None = None

    def driver_for(self, path: str) -> str | None:
        if self.energy_driver and path.startswith(ENERGY_PATHS):
            return self.energy_driver
        return self.driver

    def discover(self, base: str, headers: dict, paths: list[str]) -> Targets:
        self.base, self.headers = base, headers
        # A path's parameters are filled in from a URL matching the path up to its last parameter
        # (/charging_sub_sessions/{id}/flags from a sub-session's URL).
        self.fillers = {}
        for path in paths:
            names = TEMPLATE_PARAMETER.findall(path)
            if names:
                end = path.index("{" + names[-1] + "}") + len(names[-1]) + 2
                self.fillers[path] = _template_regex(path[:end])
        self.values = {path: [] for path in self.fillers}
        fixed = [path for path in paths if path not in self.fillers]
        # The driver: the user owning something in the most collections (devices, sessions...).
        collections_of: dict[str, set[str]] = {}
        for path in fixed:
            found = self._read(path, page_size=100)
            # Programs are public: read as no driver they list them all (as the driver, only where they live).
            self._learn(url_path for url_path in found if url_path.startswith("/programs/"))
            for url_path in found:
                if re.fullmatch(r"/users/user[0-9A-Z]{26}", url_path) and path != "/users":
                    if path.startswith(ENERGY_PATHS):
                        self.energy_driver = self.energy_driver or url_path.removeprefix("/users/")
                        continue
                    collections_of.setdefault(url_path.removeprefix("/users/"), set()).add(path)
        if collections_of:
            self.driver = max(sorted(collections_of), key=lambda user: len(collections_of[user]))
            self.headers = {**headers, "EvEnergy-User": self.driver}
        read: set[str] = set()
        while len(read) < self.MAX_READS:
            pending = [url for path in paths for url in self._concrete(path)[:self.READS_PER_PATH] if url not in read]
            if not pending:
                break
            for url_path in pending[: self.MAX_READS - len(read)]:
                read.add(url_path)
                self._learn(self._read(url_path))
        return self

    def _read(self, url_path: str, **params) -> list[str]:
        headers = self.headers
        if self.driver and self.driver_for(url_path) != self.driver:
            headers = {**headers, "EvEnergy-User": self.driver_for(url_path)}
        response = requests.get(self.base + url_path, params=params, headers=headers, timeout=30)
        if response.status_code != 200 or response.headers.get("Content-Type") != "application/json":
            return []
        return list(_urls_in(response.json(), self.base))

    def _learn(self, url_paths) -> None:
        for url_path in url_paths:
            for segment in url_path.split("/"):
                if ID.fullmatch(segment):
                    known = self.ids.setdefault(segment[:4], [])
                    if segment not in known and len(known) < self.PER_PATH:
                        known.append(segment)
            for path, regex in self.fillers.items():
                match = regex.fullmatch(url_path)
                known = self.values[path]
                if match and match.groupdict() not in known and len(known) < self.PER_PATH:
                    known.append(match.groupdict())

    def _concrete(self, path: str) -> list[str]:
        if path not in self.fillers:
            return [path]
        return [TEMPLATE_PARAMETER.sub(lambda m, v=values: v[m.group(1)], path) for values in self.values[path]]


# --- The run ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def conformance_sandbox(tmp_path_factory):
    """A sandbox of its own: the run creates and changes users."""
    yield from sandbox_process(tmp_path_factory.mktemp("conformance"), seed_users=SEED_USERS)


TARGETS = Targets()  # filled in by the `targets` fixture, read by the generation hooks below
ANSWERS: dict[tuple[str, str], Counter] = {}  # (METHOD, spec path): statuses seen by the run


def every_scope() -> set[str]:
    """The scopes the spec declares or an operation names, and those the sandbox's routes ask for."""
    raw = spec.loaded_spec()
    scopes = set(raw["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"])
    for item in raw["paths"].values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                scopes.update(scope for requirement in operation.get("security", [])
                              for names in requirement.values() for scope in names)
    return scopes | {scope for scope in served_operations().values() if scope}


@pytest.fixture(scope="module")
def authorization(conformance_sandbox):
    """A token with every scope (an operation may check one beside its own, as tariff prices do),
    and a budget the run can't exhaust."""
    spec.require_spec()
    secret = secrets.token_urlsafe(16)
    scopes = sorted(every_scope())
    conformance_sandbox.create_client(CLIENT_ID, secret, scopes, rate_limit_per_hour=1_000_000)
    return f"Bearer {conformance_sandbox.token(CLIENT_ID, secret)}"


@pytest.fixture(scope="module")
def targets(conformance_sandbox, authorization):
    spec.require_spec()
    paths = sorted({path for _, path in served_in_spec()[0]})
    headers = {"Authorization": authorization, "EvEnergy-Version": "2"}
    return TARGETS.discover(conformance_sandbox.base_url, headers, paths)


if spec.SPEC_PATH.exists():
    schema = schemathesis.openapi.from_dict(spec_of(sorted(served_in_spec()[0])), config=schemathesis.Config.from_dict({
        "checks": {name: {"enabled": False} for name in LEFT_OUT_CHECKS},
        "generation": {"allow-extra-parameters": False},
    }))

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Valid generated ids, or real ones: a 404 now and then, a 200 as often."""
        real = TARGETS.values.get(context.operation.path)
        if not real or not _valid(context.operation.path_parameters, path_parameters):
            return st.just(path_parameters)
        return st.one_of(st.just(path_parameters), st.sampled_from(real).map(dict))

    @schema.hook
    def flatmap_query(context, query):
        """A valid generated id in a query parameter (a filter, available_for_user_id) as generated, or
        a real one of its kind (just the id, when the spec's unanchored pattern let text around it)."""
        if not query or not _valid(context.operation.query, query):
            return st.just(query)
        return st.fixed_dictionaries({name: _aimed(value) for name, value in query.items()})

    @schema.hook
    def map_headers(context, headers):
        """A valid EvEnergy-User names the driver (the coverage phase sends the spec's example, unknown: 400)."""
        value = (headers or {}).get("EvEnergy-User")
        driver = TARGETS.driver_for(context.operation.path)
        if driver and value is not None and _valid(context.operation.headers, {"EvEnergy-User": value}):
            return {**headers, "EvEnergy-User": driver}
        return headers

    @schema.hook
    def filter_case(context, case):
        """No invalid form bodies with a nested object: the spec doesn't say how an object travels in a
        form (Schemathesis writes brackets, the sandbox reads dotted keys), so the invalid part may
        never reach the server. Valid ones are sent: whatever arrives must not break it."""
        nested = isinstance(case.body, dict) and any(isinstance(value, dict | list) for value in case.body.values())
        negative = case.meta is not None and case.meta.generation.mode.is_negative
        return not (negative and nested and case.media_type != "application/json")

    @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck),
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.seed(int(SEED or 0))
    @schema.parametrize()
    def test_served_operations_conform_to_the_spec(case, conformance_sandbox, authorization, targets):
        headers = {"Authorization": authorization}
        if "EvEnergy-Version" not in (case.headers or {}):
            headers["EvEnergy-Version"] = "2"
        response = case.call_and_validate(base_url=conformance_sandbox.base_url, headers=headers, timeout=30)
        ANSWERS.setdefault((case.method.upper(), case.path), Counter())[response.status_code] += 1
else:
    def test_served_operations_conform_to_the_spec():
        spec.require_spec()


def test_the_sandbox_serves_only_operations_of_the_spec():
    spec.require_spec()
    _, missing = served_in_spec()
    assert not missing, f"the sandbox serves operations openapi.yaml does not have: {missing}"


def test_every_served_operation_was_exercised_on_real_data(targets):
    """After the run: each served operation was called (the answers per operation are printed).
    Writes may fairly refuse every generated body (a 409 for a session that can't be boosted); that
    each read answers real data is the next test's."""
    if not ANSWERS:
        pytest.skip("runs after test_served_operations_conform_to_the_spec, in the same session")
    served = sorted(served_in_spec()[0])
    print(f"\n{len(served)} operations, {sum(sum(c.values()) for c in ANSWERS.values())} requests; driver {targets.driver}")
    for method, path in served:
        print(f"  {method.upper():6} {path}: {dict(sorted(ANSWERS.get((method.upper(), path), {}).items()))}")
    assert len(served) >= 30  # what the sandbox served when this test was written
    assert not [(method, path) for method, path in served if (method.upper(), path) not in ANSWERS]


def _required_query(operation, targets) -> dict:
    """Real values for a read's required query parameters: an id of the kind its pattern names."""
    query = {}
    for parameter in operation.query:
        if not parameter.is_required:
            continue
        schema_of = parameter.definition.get("schema", {})
        pattern = str(schema_of.get("pattern", ""))
        if not pattern and "example" in schema_of:  # not an id: a range or a resolution (energy_stats)
            query[parameter.name] = schema_of["example"]
            continue
        known = targets.ids.get(pattern[:4], [])
        assert known, f"no real {pattern[:4]} id to send as {parameter.name}"
        query[parameter.name] = known[0]
    return query


def test_every_read_aimed_at_real_data_answers_200_as_the_spec_says(conformance_sandbox, authorization, targets):
    """Generated requests reach real data only by chance (a cursor or filter generated beside a real
    id is refused first); so each read is also sent once aimed squarely at real data, with nothing
    optional: it must answer 200, checked by the same checks as the generated run."""
    spec.require_spec()
    refused, unfilled = {}, []
    for method, path in sorted(served_in_spec()[0]):
        if method != "get":
            continue
        if path in targets.values and not targets.values[path]:
            unfilled.append(path)  # the crawl found no real values for its path parameters
            continue
        operation = schema[path]["GET"]
        headers = {"Authorization": authorization, "EvEnergy-Version": "2"}
        if targets.driver_for(path) and any(parameter.name == "EvEnergy-User" for parameter in operation.headers):
            headers["EvEnergy-User"] = targets.driver_for(path)
        case = operation.Case(path_parameters=dict(targets.values.get(path, [{}])[0]),
                              query=_required_query(operation, targets), headers=headers)
        response = case.call_and_validate(base_url=conformance_sandbox.base_url, timeout=30)
        if response.status_code != 200:
            refused[path] = (response.status_code, response.text[:200])
    assert not refused
    # A log fetched by its timestamp may find no real one to aim at (most chargers never logged an
    # error): then its list, which is aimed at real devices, must have been read above.
    print(f"\nno real data to aim at: {unfilled}")
    answered = {path for method, path in served_in_spec()[0] if method == "get"} - set(refused) - set(unfilled)
    assert not [path for path in unfilled if path.rsplit("/", 1)[0] not in answered], unfilled
