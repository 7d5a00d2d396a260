"""The upload half of bulk jobs: a file read as a stream and checked as a whole (reading, xlsx,
xlsx_scan, rejections, size_limit), each row checked without API calls (row_checks, against the
file format in bulk/columns.py), and the draft job made from it (drafts). Nothing here sends
anything to the API."""
