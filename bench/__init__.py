"""evadmin's benchmarks: `python -m bench.run` (or `make bench`) measures evadmin against the sandbox
API and rewrites BENCHMARKS.md. See bench/run.py for the options and bench/common.py for the isolation."""
