"""Speed and scale measurements, run on demand (`make bench`), never part of the test suite.

Each prints its numbers with the target and the ratio to a baseline measured in the same run, because
these machines are shared and noisy: ratios travel better than absolute times.
"""
