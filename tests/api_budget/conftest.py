"""The driver pages' fixtures: a driver's page is what spends API requests as a staff member."""

from tests.drivers.conftest import direct_api, pages  # noqa: F401  (fixtures, used by name)
