"""The benchmark suite: ``python -m benchmarks.run --size smoke|1m|10m`` (see ``RESULTS.md``)."""
