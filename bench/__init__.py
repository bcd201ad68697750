"""HubScope benchmark at Hub scale (issue 6): `python -m bench --sizes 10k,100k,1M,3M`. See BENCHMARKS.md."""
