"""The trusted pytest process that grades one submission: it holds the reference solutions and the hidden
tests, runs the tests against the student's code through the sandbox's proxies, and decides every
verdict. ``forkserver`` keeps warm runners per job, ``cluster`` spreads submissions over Dask workers.
``python -m autograder.runner`` runs one submission."""
