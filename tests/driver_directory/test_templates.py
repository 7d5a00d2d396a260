"""The directory's templates follow the same strict-CSP rules as the rest (tests/core/test_templates.py)."""

import pytest

from tests.core import test_templates as core

DIRECTORY_TEMPLATES = sorted((core.TEMPLATES_DIR / "driver_directory").glob("*.html"))


@pytest.mark.parametrize("path", DIRECTORY_TEMPLATES, ids=lambda path: path.name)
def test_directory_templates_are_ready_for_a_strict_content_security_policy(path):
    core.test_templates_are_ready_for_a_strict_content_security_policy(path)
