import csv
import io

import pytest

from evadmin.core.exports import Echo, neutralise_formula, neutralise_row


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (42, 42),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_round_trip_through_csv_keeps_the_apostrophe():
    writer = csv.writer(Echo())
    line = writer.writerow(neutralise_row(["=HYPERLINK(\"http://evil\",\"x\")", "ok", 3]))
    assert next(csv.reader(io.StringIO(line))) == ["'=HYPERLINK(\"http://evil\",\"x\")", "ok", "3"]
