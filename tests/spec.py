"""Check HTTP exchanges against the published ev.energy spec (../shared/ev-energy/openapi.yaml).

`validate_request` / `validate_response` raise AssertionError listing what does not match;
`request_problems` / `response_problems` return the same findings as a list (empty when fine).
URLs may point at the sandbox or anywhere else: a URL whose path starts with /v2 is checked as
if it were https://api.ev.energy/v2/...; anything else (the token endpoint, /_sandbox/) is not
in the spec and yields no findings.

The spec is loaded once per session with openapi-core (3.1 support), and read as OpenAPI means it:
- a `readOnly` property listed in `required` is required in responses only (openapi-core applies
  `required` to request bodies too, so request checks use a copy without those);
- Location.country_code: the spec writes `$ref: CountryCode` beside `anyOf: [CountryCode, null]`.
  Under 3.1 both apply, so null could never validate, contradicting the Location description
  ("Sending the keys with explicit null values is allowed ... this is how addresses are cleared
  via PATCH"). We drop that sibling `$ref`; the anyOf still checks the enum.
- EnergyUsage.charging_sub_session: GET /charging_sub_sessions/{id}/energy_usage documents
  `expand=charging_sub_session` ("a url field to expand into a nested resource"), yet the schema
  types the field as a URI only, so the documented expansion could never validate. Its siblings
  (ChargingSubSessionFlags, ...Assessment, ...DebugMetadata, Schedules, SchedulePlans) write
  `oneOf: [URI, ChargingSubSession]`; we write it so too (found by the conformance run).
- An operation taking `EvEnergy-Version` that documents no 400 (GET /webhook_portal,
  POST /auth/password_reset, ...) gets the generic Problem400BadRequestRetrieve: the API answers an
  unsupported version with 400 "Unsupported version" on every endpoint (API-NOTES, Versioning).
- A status the operation does not document, when >= 400 (the API-NOTES list 400-503 across the
  API, and faults inject 500/502/503), is checked as an RFC 9457 problem+json with
  EvEnergy-Version: 2 instead of being reported as unknown.

When the spec file is missing, every check skips the test, or fails it under
EVADMIN_REQUIRE_SERVICES=1 (CI always has the file).
"""

from __future__ import annotations

import copy
import functools
import json
import warnings
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

from tests.conftest import require_service

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared/ev-energy/openapi.yaml"
SPEC_HOST = "https://api.ev.energy"
PROBLEM_SCHEMA = "RFC9457ProblemDetail"


def require_spec() -> None:
    if not SPEC_PATH.exists():
        require_service(f"the published API spec is missing: {SPEC_PATH}")


def _drop_required(node, flag: str) -> None:
    """Remove from each `required` list the properties marked `flag` (readOnly / writeOnly)."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and isinstance(node.get("required"), list):
            node["required"] = [
                name for name in node["required"]
                if not (isinstance(properties.get(name), dict) and properties[name].get(flag))
            ]
        for value in node.values():
            _drop_required(value, flag)
    elif isinstance(node, list):
        for value in node:
            _drop_required(value, flag)


@functools.cache
def _raw_spec() -> dict:
    with SPEC_PATH.open("rb") as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # The exceptions to the spec as published (see the module docstring). Without this one
    # (the README's "Clearing an address"), clearing an address by PATCH with explicit nulls, as the
    # spec's own text prescribes, would fail the request check.
    schemas = spec["components"]["schemas"]
    country_code = schemas["Location"]["properties"]["country_code"]
    if "$ref" in country_code and "anyOf" in country_code:
        del country_code["$ref"]
    # Without this one, the documented energy_usage?expand=charging_sub_session could never validate.
    usage_of = schemas["EnergyUsage"]["properties"]["charging_sub_session"]
    if "oneOf" not in usage_of:
        schemas["EnergyUsage"]["properties"]["charging_sub_session"] = {
            "oneOf": [usage_of, {"$ref": "#/components/schemas/ChargingSubSession"}]}
    # Without this one, an unsupported EvEnergy-Version would be an undocumented answer on the
    # few operations that list no 400.
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation and "400" not in operation["responses"] \
                    and {"$ref": "#/components/parameters/version-2"} in operation.get("parameters", []):
                operation["responses"]["400"] = {"$ref": "#/components/responses/Problem400BadRequestRetrieve"}
    return spec


def loaded_spec() -> dict:
    """openapi.yaml as this module reads it, errata applied (the conformance run generates from it).
    Shared and cached: copy before changing it."""
    require_spec()
    return _raw_spec()


def _build(spec: dict):
    from openapi_core import Config, OpenAPI

    config = Config(
        spec_validator_cls=None,  # the published file is trusted; validating it costs seconds
        extra_media_type_deserializers={"application/problem+json": lambda data, **kwargs: json.loads(data)},
    )
    return OpenAPI.from_dict(spec, config=config)


@functools.cache
def _response_api():
    spec = copy.deepcopy(_raw_spec())
    _drop_required(spec, "writeOnly")
    return _build(spec)


@functools.cache
def _request_api():
    spec = copy.deepcopy(_raw_spec())
    _drop_required(spec, "readOnly")
    return _build(spec)


@functools.cache
def _schema_validator(name: str):
    from openapi_schema_validator import OAS31Validator, oas31_format_checker

    root = {**_raw_spec(), "$ref": f"#/components/schemas/{name}"}
    return OAS31Validator(root, format_checker=oas31_format_checker)


def schema_problems(name: str, instance) -> list[str]:
    """Findings for `instance` against components/schemas/<name>."""
    require_spec()
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in _schema_validator(name).iter_errors(instance)
    ]


def _api_path(url: str) -> tuple[str, list[tuple[str, str]]] | None:
    parts = urlsplit(url)
    if not (parts.path == "/v2" or parts.path.startswith("/v2/")):
        return None
    path = "/v2/" if parts.path == "/v2" else parts.path  # the root is the base URL itself
    return path, parse_qsl(parts.query, keep_blank_values=True)


def _as_bytes(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (dict, list)):
        return json.dumps(body).encode()
    return body.encode() if isinstance(body, str) else bytes(body)


def _header(headers: dict, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _describe(exc: Exception) -> list[str]:
    """openapi-core's exception, with the schema errors it wraps (headers errors wrap several)."""
    found = []
    for error in getattr(exc, "context", None) or [exc]:
        schema_errors = getattr(error.__cause__, "schema_errors", None)
        if schema_errors:
            found += [f"{type(error).__name__}: {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                      for e in schema_errors]
        else:
            found.append(f"{type(error).__name__}: {error}" + (f" ({error.__cause__})" if error.__cause__ else ""))
    return found


def request_problems(method: str, url: str, headers: dict | None, body=None) -> list[str]:
    require_spec()
    from openapi_core.testing import MockRequest

    located = _api_path(url)
    if located is None:
        return []
    path, query = located
    request = MockRequest(
        SPEC_HOST, method, path, args=query, headers=dict(headers or {}), data=_as_bytes(body),
        content_type=(_header(headers, "Content-Type") or "application/json").split(";")[0].strip(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openapi-core can't check oauth2 and says so on every call
        try:
            _request_api().validate_request(request)
        except Exception as exc:  # openapi-core raises one exception carrying the details
            return [f"request {method.upper()} {path}: {line}" for line in _describe(exc)]
    return []


def _undocumented_error_problems(status: int, headers: dict, content: bytes) -> list[str]:
    found = []
    content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip()
    if content_type != "application/problem+json":
        found.append(f"content type {content_type!r}, expected application/problem+json")
    if _header(headers, "EvEnergy-Version") != "2":
        found.append("EvEnergy-Version header is not 2")
    try:
        body = json.loads(content)
    except ValueError:
        return [*found, "body is not JSON"]
    found += schema_problems(PROBLEM_SCHEMA, body)
    if isinstance(body, dict) and body.get("status") not in (None, status):
        found.append(f"problem status {body.get('status')} differs from HTTP status {status}")
    return found


def response_problems(method: str, url: str, status: int, headers: dict | None, body) -> list[str]:
    require_spec()
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.testing import MockRequest, MockResponse

    located = _api_path(url)
    if located is None:
        return []
    path, query = located
    headers = dict(headers or {})
    content = _as_bytes(body)
    request = MockRequest(SPEC_HOST, method, path, args=query)
    response = MockResponse(
        content, status_code=status, headers=headers,
        content_type=(_header(headers, "Content-Type") or "").split(";")[0].strip(),
    )
    label = f"response {method.upper()} {path} -> {status}"
    try:
        _response_api().validate_response(request, response)
    except ResponseNotFound:
        if status < 400:
            return [f"{label}: status {status} is not documented for this operation"]
        return [f"{label}: {line}" for line in _undocumented_error_problems(status, headers, content)]
    except Exception as exc:  # openapi-core raises one exception carrying the details
        return [f"{label}: {line}" for line in _describe(exc)]
    return []


def validate_request(method: str, url: str, headers: dict | None, body=None) -> None:
    problems = request_problems(method, url, headers, body)
    assert not problems, "request does not match openapi.yaml:\n" + "\n".join(problems)


def validate_response(method: str, url: str, status: int, headers: dict | None, body) -> None:
    problems = response_problems(method, url, status, headers, body)
    assert not problems, "response does not match openapi.yaml:\n" + "\n".join(problems)


def validate_exchange(response) -> None:
    """Both halves of a `requests` exchange."""
    request = response.request
    validate_request(request.method, request.url, dict(request.headers), request.body)
    validate_response(request.method, request.url, response.status_code, dict(response.headers), response.content)


def _resolved(node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        node = _raw_spec()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _properties(node: dict) -> dict:
    node, found = _resolved(node), {}
    for part in node.get("allOf", []):
        found.update(_properties(part))
    for part in node.get("anyOf", [])[:1]:  # User.default_location: Location or LocationDetail
        found.update(_properties(part))
    found.update(node.get("properties", {}))
    return found


def _nullable(node: dict) -> bool:
    kinds = node.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_nullable(_resolved(alt)) for key in ("anyOf", "oneOf") for alt in node.get(key, []))


def nullable_fields_by_id_prefix() -> dict[str, set[str]]:
    """{id prefix: dotted paths the spec lets be null} for every schema with an id pattern, one
    level into its id-less object properties (User -> default_location.address_1, ...)."""
    require_spec()
    found: dict[str, set[str]] = {}
    for schema in _raw_spec()["components"]["schemas"].values():
        properties = _properties(schema)
        prefix = str(properties.get("id", {}).get("pattern", ""))[:4]
        if not (len(prefix) == 4 and prefix.isalpha() and prefix.islower()):
            continue
        paths = found.setdefault(prefix, set())
        for name, node in properties.items():
            if _nullable(node):
                paths.add(name)
            nested = _properties(node) if isinstance(node, dict) else {}
            if nested and "id" not in nested:
                paths.update(f"{name}.{inner}" for inner, inner_node in nested.items() if _nullable(inner_node))
    return found

