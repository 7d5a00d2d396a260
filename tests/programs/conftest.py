from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)
